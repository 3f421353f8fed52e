//! The library's one error type, with the `status`, `code` and `retryable` JavaScript sees.

use std::fmt;

/// The stable, machine-readable kinds of failure. Their `as_str` names are a contract:
/// JavaScript callers branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The call's arguments were refused before anything was sent.
    InvalidInput,
    /// The relay could not be reached.
    Network,
    /// No answer in time.
    Timeout,
    /// The caller aborted.
    Aborted,
    /// The answer did not have the documented shape.
    Decode,
    BadRequest,
    Unauthorized,
    TokenExpired,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    Unprocessable,
    RateLimited,
    /// The relay could not reach Atrium, or Atrium refused the relay's key pair.
    UpstreamUnavailable,
    ServerError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::Decode => "decode",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotAcceptable => "not_acceptable",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unprocessable => "unprocessable",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UpstreamUnavailable => "upstream_unavailable",
            ErrorCode::ServerError => "server_error",
        }
    }

    /// The code an HTTP status means when the body names none the library knows.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => ErrorCode::BadRequest,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            406 => ErrorCode::NotAcceptable,
            409 => ErrorCode::Conflict,
            422 => ErrorCode::Unprocessable,
            429 => ErrorCode::RateLimited,
            502..=504 => ErrorCode::UpstreamUnavailable,
            _ => ErrorCode::ServerError,
        }
    }

    /// The relay's own codes (`{"error": {"code"}}`) that refine a status.
    pub fn from_relay(code: &str) -> Option<Self> {
        Some(match code {
            "token_expired" => ErrorCode::TokenExpired,
            "upstream_auth" | "upstream_unavailable" => ErrorCode::UpstreamUnavailable,
            "invalid_input" => ErrorCode::InvalidInput,
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtriumError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("The relay could not be reached: {0}")]
    Network(String),
    #[error("No answer within {0} ms.")]
    Timeout(u32),
    #[error("The request was aborted.")]
    Aborted,
    /// `path` names the failing field, for example `institutions[3].supports_oauth`.
    #[error("Unexpected answer at {path}: {message}")]
    Decode { path: String, message: String },
    #[error("{message}")]
    Http {
        status: u16,
        code: ErrorCode,
        message: String,
    },
}

impl AtriumError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AtriumError::InvalidInput(_) => ErrorCode::InvalidInput,
            AtriumError::Network(_) => ErrorCode::Network,
            AtriumError::Timeout(_) => ErrorCode::Timeout,
            AtriumError::Aborted => ErrorCode::Aborted,
            AtriumError::Decode { .. } => ErrorCode::Decode,
            AtriumError::Http { code, .. } => *code,
        }
    }

    /// The HTTP status, or 0 when the failure happened before or without one.
    pub fn status(&self) -> u16 {
        match self {
            AtriumError::Http { status, .. } => *status,
            AtriumError::Decode { .. } => 200,
            _ => 0,
        }
    }

    /// Whether the same request may succeed if sent again later. A 409 is not: it means
    /// another process is running, and retrying it blindly is how peers loop forever.
    pub fn retryable(&self) -> bool {
        match self {
            AtriumError::Network(_) | AtriumError::Timeout(_) => true,
            AtriumError::Http { status, code, .. } => {
                matches!(status, 429 | 502 | 503 | 504) && *code != ErrorCode::InvalidInput
            }
            _ => false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AtriumError::InvalidInput(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> AtriumError {
        AtriumError::Http {
            status,
            code: ErrorCode::from_status(status),
            message: String::new(),
        }
    }

    #[test]
    fn statuses_map_to_codes() {
        assert_eq!(http(403).code().as_str(), "forbidden");
        assert_eq!(http(404).code().as_str(), "not_found");
        assert_eq!(http(503).code().as_str(), "upstream_unavailable");
        assert_eq!(http(500).code().as_str(), "server_error");
        assert_eq!(
            ErrorCode::from_relay("token_expired"),
            Some(ErrorCode::TokenExpired)
        );
        assert_eq!(ErrorCode::from_relay("forbidden"), None);
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(http(429).retryable());
        assert!(http(503).retryable());
        assert!(AtriumError::Network("x".into()).retryable());
        for s in [400, 401, 403, 404, 409, 422, 500] {
            assert!(!http(s).retryable(), "{s}");
        }
        assert!(!AtriumError::Aborted.retryable());
        assert_eq!(AtriumError::invalid("x").status(), 0);
    }
}
