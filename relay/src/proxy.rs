//! `/atrium/...`: checks a browser's request against its token, the allow-list and the body
//! rules, then forwards it upstream with the key pair and passes back only what is safe.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use crate::allow::{self, BodyRule};
use crate::auth::Authed;
use crate::error::RelayError;
use crate::state::AppState;

/// Reads the body, refusing it (413) past `limit` bytes, before or while it arrives.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, RelayError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(RelayError::PayloadTooLarge(limit));
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| RelayError::PayloadTooLarge(limit))
}

/// Checks a body against its route's rule.
pub fn check_body(rule: BodyRule, body: &[u8]) -> Result<(), RelayError> {
    let blank = body.iter().all(u8::is_ascii_whitespace);
    match rule {
        BodyRule::None if blank => Ok(()),
        BodyRule::None => Err(RelayError::BadRequest(
            "This endpoint takes no body.".into(),
        )),
        BodyRule::Json if blank => Ok(()),
        BodyRule::Json => serde_json::from_slice::<serde::de::IgnoredAny>(body)
            .map(|_| ())
            .map_err(|e| RelayError::BadRequest(format!("The body is not JSON: {e}."))),
        BodyRule::UserUpdate => {
            let v: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| RelayError::BadRequest(format!("The body is not JSON: {e}.")))?;
            let fields = v.get("user").and_then(|u| u.as_object()).ok_or_else(|| {
                RelayError::BadRequest(
                    "The body must be {\"user\": {\"metadata\": \"...\"}}.".into(),
                )
            })?;
            match fields.keys().find(|k| k.as_str() != "metadata") {
                Some(k) => Err(RelayError::Forbidden(format!(
                    "A browser may not change user.{k}; only metadata."
                ))),
                None => Ok(()),
            }
        }
    }
}

/// Takes the request whole: separate method, URI and header extractors would copy them.
pub async fn forward(
    State(state): State<Arc<AppState>>,
    Authed(claims): Authed,
    request: Request,
) -> Result<Response, RelayError> {
    let (parts, body) = request.into_parts();
    // As the browser sent it, should these routes ever be nested under a prefix.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let raw_path = uri.path().strip_prefix("/atrium").unwrap_or(uri.path());
    let allowed = allow::check(&parts.method, raw_path, uri.query(), |g| {
        state.config.enabled(g)
    })?;
    if let Some(user_guid) = &allowed.user_guid {
        if *user_guid != claims.user_guid {
            return Err(RelayError::Forbidden(
                "This relay token is not for that user.".into(),
            ));
        }
    }
    let body = read_body(&parts.headers, body, state.config.body_limit).await?;
    check_body(allowed.body, &body)?;
    let body = (!body.iter().all(u8::is_ascii_whitespace)).then_some(body);
    let reply = state
        .upstream
        .send(
            parts.method,
            &allowed.path,
            allowed.query.as_deref(),
            body,
            allowed.pdf,
        )
        .await?;
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = status;
    // Only these upstream headers come back: no Set-Cookie, no Server, nothing that
    // identifies or steers the upstream.
    let h = response.headers_mut();
    if let Some(v) = reply.content_type {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = reply.retry_after {
        h.insert(header::RETRY_AFTER, v);
    }
    // Per-user data must not sit in shared caches.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_rules() {
        assert!(check_body(BodyRule::None, b"").is_ok());
        assert!(check_body(BodyRule::None, b"{}").is_err());
        assert!(check_body(BodyRule::Json, b" ").is_ok());
        assert!(check_body(BodyRule::Json, br#"{"member": {}}"#).is_ok());
        assert!(matches!(
            check_body(BodyRule::Json, b"{oops"),
            Err(RelayError::BadRequest(_))
        ));
        assert!(check_body(BodyRule::UserUpdate, br#"{"user": {"metadata": "x"}}"#).is_ok());
        assert!(matches!(
            check_body(BodyRule::UserUpdate, br#"{"user": {"is_disabled": true}}"#),
            Err(RelayError::Forbidden(_))
        ));
        assert!(matches!(
            check_body(BodyRule::UserUpdate, br#"{"user": {"identifier": "x"}}"#),
            Err(RelayError::Forbidden(_))
        ));
        assert!(matches!(
            check_body(BodyRule::UserUpdate, b"[]"),
            Err(RelayError::BadRequest(_))
        ));
    }
}
