//! The relay's one error type, answered as `{"error": {"code", "message"}}` with its status.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::token::TokenError;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RelayError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// A token refused: its own code (`token_expired`, `token_audience`, …).
    #[error("The relay token was refused: {0}.")]
    Token(TokenError),
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found.")]
    NotFound,
    #[error("This method is not allowed on this path.")]
    MethodNotAllowed,
    #[error("{0}")]
    InvalidInput(String),
    #[error("The Atrium API could not be reached: {0}")]
    Upstream(String),
    #[error("The Atrium API refused the relay's key pair; check MX_API_KEY and MX_CLIENT_ID.")]
    UpstreamAuth,
    #[error("The Atrium API did not answer within {0} ms.")]
    UpstreamTimeout(u64),
    #[error("The Atrium API failed with HTTP {0}.")]
    UpstreamError(u16),
    #[error("The request body exceeds {0} bytes.")]
    PayloadTooLarge(usize),
    #[error("Too many requests for this token; retry in {0} s.")]
    RateLimited(u64),
    #[error("The relay is at its limit of requests to the Atrium API; retry shortly.")]
    Busy,
    #[error("This user already has {0} event streams open.")]
    TooManyStreams(usize),
    #[error("The relays' shared store (Redis) is unavailable: {0}")]
    SharedStore(String),
}

impl RelayError {
    pub fn status(&self) -> StatusCode {
        match self {
            RelayError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RelayError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            // The provider's keys could not be fetched: nothing wrong with the token.
            RelayError::Token(TokenError::KeysUnavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            RelayError::Token(_) => StatusCode::UNAUTHORIZED,
            RelayError::Forbidden(_) => StatusCode::FORBIDDEN,
            RelayError::NotFound => StatusCode::NOT_FOUND,
            RelayError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RelayError::InvalidInput(_) => StatusCode::UNPROCESSABLE_ENTITY,
            RelayError::Upstream(_) | RelayError::UpstreamAuth | RelayError::UpstreamError(_) => {
                StatusCode::BAD_GATEWAY
            }
            RelayError::UpstreamTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            RelayError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            RelayError::RateLimited(_) | RelayError::TooManyStreams(_) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            RelayError::Busy | RelayError::SharedStore(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable code; the library maps it onto its own error codes.
    pub fn code(&self) -> &'static str {
        match self {
            RelayError::BadRequest(_) => "bad_request",
            RelayError::Unauthorized(_) => "unauthorized",
            RelayError::Token(e) => e.code(),
            RelayError::Forbidden(_) => "forbidden",
            RelayError::NotFound => "not_found",
            RelayError::MethodNotAllowed => "method_not_allowed",
            RelayError::InvalidInput(_) => "invalid_input",
            RelayError::Upstream(_) => "upstream_unavailable",
            RelayError::UpstreamAuth => "upstream_auth",
            RelayError::UpstreamTimeout(_) => "upstream_timeout",
            RelayError::UpstreamError(_) => "upstream_error",
            RelayError::PayloadTooLarge(_) => "payload_too_large",
            RelayError::RateLimited(_) => "rate_limited",
            RelayError::Busy => "busy",
            RelayError::TooManyStreams(_) => "too_many_streams",
            RelayError::SharedStore(_) => "shared_store_unavailable",
        }
    }
}

impl From<TokenError> for RelayError {
    fn from(e: TokenError) -> Self {
        RelayError::Token(e)
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } });
        let mut response = (self.status(), Json(body)).into_response();
        if self.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        let retry_after = match &self {
            RelayError::RateLimited(s) => Some(*s),
            RelayError::Busy | RelayError::Token(TokenError::KeysUnavailable(_)) => Some(1),
            _ => None,
        };
        if let Some(v) =
            retry_after.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
