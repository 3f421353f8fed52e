//! Who a request is for. Every token-bound route takes `Authed` in its signature, which
//! refuses a method override or oversized headers, checks the bearer token, and counts the
//! request against its user's rate limit, all before the handler runs: no route can forget
//! one of them.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::RelayError;
use crate::state::AppState;
use crate::token::Claims;

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

/// The claims of the request's `Authorization: Bearer` token.
pub async fn claims(state: &AppState, headers: &HeaderMap) -> Result<Claims, RelayError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        RelayError::Unauthorized("An Authorization: Bearer relay token is required.".into())
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            RelayError::Unauthorized(
                "The Authorization header must be Bearer <relay token>.".into(),
            )
        })?;
    state
        .admitted
        .verify(&state.verifier, token)
        .await
        .map_err(|e| {
            crate::metrics::token_refused(e.code());
            e.into()
        })
}

/// A request with good headers and a valid token, counted against its user's rate limit.
pub struct Authed(pub Claims);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = RelayError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, RelayError> {
        check_headers(&parts.headers)?;
        let claims = claims(state, &parts.headers).await?;
        state.limit(&claims.user_guid, Instant::now()).await?;
        Ok(Authed(claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
