//! `/atrium/...`: checks a browser's request against its token and the allow-list, then
//! forwards it upstream with the key pair.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::allow;
use crate::error::RelayError;
use crate::AppState;

/// Headers some frameworks read to change the method; the relay refuses them rather than
/// letting a GET be taken for a DELETE somewhere downstream.
const METHOD_OVERRIDES: &[&str] = &[
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];
/// All request headers together may not exceed this.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub fn check_headers(headers: &HeaderMap) -> Result<(), RelayError> {
    if let Some(name) = METHOD_OVERRIDES.iter().find(|h| headers.contains_key(**h)) {
        return Err(RelayError::BadRequest(format!(
            "The header {name} is not allowed."
        )));
    }
    let size: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        return Err(RelayError::BadRequest(format!(
            "The request headers exceed {MAX_HEADER_BYTES} bytes."
        )));
    }
    Ok(())
}

pub async fn forward(
    State(state): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RelayError> {
    check_headers(&headers)?;
    let claims = state.claims(&headers)?;
    let raw_path = uri.path().strip_prefix("/atrium").unwrap_or(uri.path());
    let allowed = allow::check(&method, raw_path, uri.query(), |g| state.config.enabled(g))?;
    if let Some(user_guid) = &allowed.user_guid {
        if *user_guid != claims.user_guid {
            return Err(RelayError::Forbidden(
                "This relay token is not for that user.".into(),
            ));
        }
    }
    let body = (!body.is_empty()).then_some(body);
    let reply = state
        .upstream
        .send(method, &allowed.path, allowed.query.as_deref(), body)
        .await?;
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = status;
    if let Some(ct) = reply
        .content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    // Per-user data must not sit in shared caches.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_method_overrides_and_huge_headers() {
        let mut h = HeaderMap::new();
        assert!(check_headers(&h).is_ok());
        h.insert("x-http-method-override", HeaderValue::from_static("DELETE"));
        assert!(check_headers(&h).is_err());
        let mut h = HeaderMap::new();
        h.insert(
            "x-big",
            HeaderValue::from_str(&"a".repeat(MAX_HEADER_BYTES)).unwrap(),
        );
        assert!(check_headers(&h).is_err());
    }
}
