//! The checks every API request passes first: the key pair (401), then the API version (406).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::AppState;

/// The key pair first (401, as the real API answers), then the API version in `Accept` (406).
/// The OAuth window and the logos are opened by an end user's browser, so they are exempt.
pub async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/oauth/window/") || path.starts_with("/logos/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let key_ok = header_is(headers, "mx-api-key", &state.config.api_key);
    let client_ok = header_is(headers, "mx-client-id", &state.config.client_id);
    if !(key_ok && client_ok) {
        return ApiError::Unauthorized.into_response();
    }
    // The statement PDF has its own Accept type, checked where it is served.
    if !request.uri().path().ends_with(".pdf") && !accepts_v1_json(headers) {
        return ApiError::NotAcceptable.into_response();
    }
    next.run(request).await
}

fn header_is(headers: &HeaderMap, name: &str, want: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want)
}

/// The vendor type is what the reference asks for; MX's own node client sent plain
/// `application/json` and was served, so that (and no `Accept` at all) is taken too.
fn accepts_v1_json(headers: &HeaderMap) -> bool {
    accepts(
        headers,
        &[
            "application/vnd.mx.atrium.v1+json",
            "application/json",
            "application/*",
            "*/*",
            "",
        ],
    )
}

/// Whether the `Accept` header names one of `media` (matched without parameters, any case);
/// no header accepts anything, an unreadable one nothing.
pub fn accepts(headers: &HeaderMap, media: &[&str]) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|part| {
        let given = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media.contains(&given.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_header_rules() {
        let mut h = HeaderMap::new();
        assert!(accepts_v1_json(&h));
        for ok in [
            "application/vnd.mx.atrium.v1+json",
            "application/json",
            "text/html, */*;q=0.1",
            "application/JSON; charset=utf-8",
        ] {
            h.insert(header::ACCEPT, HeaderValue::from_static(ok));
            assert!(accepts_v1_json(&h), "{ok}");
        }
        for bad in [
            "application/vnd.mx.atrium.v2+json",
            "text/html",
            "application/vnd.mx.atrium.v1+pdf",
        ] {
            h.insert(header::ACCEPT, HeaderValue::from_static(bad));
            assert!(!accepts_v1_json(&h), "{bad}");
        }
    }
}
