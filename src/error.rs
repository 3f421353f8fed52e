//! The library's one error type, with the `status`, `code`, `retryable` and `requestId`
//! JavaScript sees.

use std::fmt;

/// The documented, machine-readable kinds of failure; their `as_str` names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 400, 405, 406, 422: the request was refused as it stood.
    BadRequest,
    /// 401, after the one token refresh the client makes.
    Unauthorized,
    Forbidden,
    NotFound,
    /// 409: another process runs on the member; never retried.
    Conflict,
    /// 413.
    TooLarge,
    /// 429.
    RateLimited,
    /// 5xx other than 504.
    Server,
    /// No answer in time: the client's own timeout, or 504 from the relay.
    Timeout,
    /// The relay could not be reached.
    Network,
    /// The caller aborted.
    Aborted,
    /// Refused before anything was sent: the message names the field.
    InvalidInput,
    /// The answer did not have the documented shape: the message names the field.
    Decode,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Server,
        ErrorCode::Timeout,
        ErrorCode::Network,
        ErrorCode::Aborted,
        ErrorCode::InvalidInput,
        ErrorCode::Decode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Server => "server",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Network => "network",
            ErrorCode::Aborted => "aborted",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Decode => "decode",
        }
    }

    /// The code an HTTP error status means.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            409 => ErrorCode::Conflict,
            413 => ErrorCode::TooLarge,
            429 => ErrorCode::RateLimited,
            504 => ErrorCode::Timeout,
            500..=599 => ErrorCode::Server,
            _ => ErrorCode::BadRequest,
        }
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
        /// The relay's `x-request-id`, for support.
        request_id: Option<String>,
        /// `Retry-After`, in milliseconds.
        retry_after_ms: Option<u32>,
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

    /// The HTTP status, or 0 when there was no response.
    pub fn status(&self) -> u16 {
        match self {
            AtriumError::Http { status, .. } => *status,
            AtriumError::Decode { .. } => 200,
            _ => 0,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            AtriumError::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later. A 409 is not: it means
    /// another process is running, and retrying it blindly is how peers loop forever.
    pub fn retryable(&self) -> bool {
        match self {
            AtriumError::Network(_) | AtriumError::Timeout(_) => true,
            AtriumError::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AtriumError::InvalidInput(message.into())
    }

    /// The error of a bare HTTP status, as a relay answer without a body would give.
    pub fn from_status(status: u16) -> Self {
        AtriumError::Http {
            status,
            code: ErrorCode::from_status(status),
            message: format!("The relay answered HTTP {status}."),
            request_id: None,
            retry_after_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> AtriumError {
        AtriumError::from_status(status)
    }

    #[test]
    fn statuses_map_to_the_documented_codes() {
        for (status, code) in [
            (400, "bad_request"),
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (405, "bad_request"),
            (409, "conflict"),
            (413, "too_large"),
            (422, "bad_request"),
            (429, "rate_limited"),
            (500, "server"),
            (502, "server"),
            (503, "server"),
            (504, "timeout"),
        ] {
            assert_eq!(http(status).code().as_str(), code, "{status}");
        }
        assert_eq!(ErrorCode::ALL.len(), 13);
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        for s in [429, 502, 503, 504] {
            assert!(http(s).retryable(), "{s}");
        }
        assert!(AtriumError::Network("x".into()).retryable());
        assert!(AtriumError::Timeout(5).retryable());
        for s in [400, 401, 403, 404, 409, 413, 422, 500] {
            assert!(!http(s).retryable(), "{s}");
        }
        assert!(!AtriumError::Aborted.retryable());
        assert_eq!(AtriumError::invalid("x").status(), 0);
    }
}
