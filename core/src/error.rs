//! The library's one error type. Every fact it carries (status, code, the relay's own code,
//! retryable, request id, Retry-After, the decode path) reaches JavaScript, and comes back
//! unchanged (`Facts`), so nothing is rebuilt from strings.

use std::fmt;

use crate::oauth::OAuthReason;

/// Defines a string enumeration once: its variants, their wire names, `ALL`, `as_str` and
/// `parse` (each list of codes is written in one place).
macro_rules! names {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(
    /// The documented, machine-readable kinds of failure; their names are a contract.
    ErrorCode {
        /// 400, 405, 406, 422: the request was refused as it stood.
        BadRequest = "bad_request",
        /// 401, after the one token refresh the client makes.
        Unauthorized = "unauthorized",
        Forbidden = "forbidden",
        NotFound = "not_found",
        /// 409: another process runs on the member, or the member exists; never retried.
        Conflict = "conflict",
        /// 413.
        TooLarge = "too_large",
        /// 429.
        RateLimited = "rate_limited",
        /// 5xx other than 504.
        Server = "server",
        /// No answer in time: the client's own timeout, or 504 from the relay.
        Timeout = "timeout",
        /// The relay could not be reached.
        Network = "network",
        /// The caller aborted.
        Aborted = "aborted",
        /// Refused before anything was sent: the message names the field.
        InvalidInput = "invalid_input",
        /// The answer did not have the documented shape: `path` names the field.
        Decode = "decode",
        /// An OAuth window ended without a connection: `oauthReason` says why.
        OAuth = "oauth",
    }
);

names!(
    /// The relay's own codes (`{"error": {"code"}}` of its answers), which say more than the
    /// status: a 502 `upstream_auth` is the partner's key pair refused, not a passing fault.
    RelayCode {
        BadRequest = "bad_request",
        Unauthorized = "unauthorized",
        TokenMalformed = "token_malformed",
        TokenSignature = "token_signature",
        TokenExpired = "token_expired",
        TokenNotYetValid = "token_not_yet_valid",
        TokenAlgorithm = "token_algorithm",
        TokenAudience = "token_audience",
        TokenIssuer = "token_issuer",
        TokenUnknownKid = "token_unknown_kid",
        TokenUserClaim = "token_user_claim",
        /// The relay could not fetch the partner's identity provider's keys (503, retryable).
        JwksUnavailable = "jwks_unavailable",
        Forbidden = "forbidden",
        NotFound = "not_found",
        MethodNotAllowed = "method_not_allowed",
        InvalidInput = "invalid_input",
        UpstreamUnavailable = "upstream_unavailable",
        UpstreamAuth = "upstream_auth",
        UpstreamTimeout = "upstream_timeout",
        UpstreamError = "upstream_error",
        PayloadTooLarge = "payload_too_large",
        RateLimited = "rate_limited",
        Busy = "busy",
        TooManyStreams = "too_many_streams",
        SharedStoreUnavailable = "shared_store_unavailable",
    }
);

impl ErrorCode {
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtriumError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("The relay could not be reached: {0}")]
    Network(String),
    #[error("No answer within {0} ms.")]
    Timeout(u32),
    #[error("The request was aborted.")]
    Aborted,
    /// `path` names the failing field, for example `institutions[3].supports_oauth`;
    /// `status` is the answer's (0 when the value did not come from one).
    #[error("Unexpected answer at {path}: {message}")]
    Decode {
        status: u16,
        path: String,
        message: String,
    },
    #[error("{message}")]
    Http {
        status: u16,
        code: ErrorCode,
        message: String,
        /// The relay's `x-request-id`, for support.
        request_id: Option<String>,
        /// `Retry-After`, in milliseconds.
        retry_after_ms: Option<u32>,
        /// The relay's own code, when the relay (not Atrium) answered; an unknown one is kept.
        relay_code: Option<String>,
    },
    /// An OAuth window ended without a connection (its `error_reason`, or `CLOSED`).
    #[error("The OAuth window ended without a connection ({}).", .0.as_str())]
    OAuth(OAuthReason),
}

/// Every fact of an error, flat: what JavaScript's `AtriumError` holds, and what an error
/// coming back from JavaScript is rebuilt from (`AtriumError::from_facts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub message: String,
    pub status: u16,
    pub code: ErrorCode,
    pub retryable: bool,
    pub request_id: Option<String>,
    pub retry_after_ms: Option<u32>,
    pub relay_code: Option<String>,
    /// The decode path, for `decode`.
    pub path: Option<String>,
    /// The timeout, for a `timeout` of the client's own.
    pub timeout_ms: Option<u32>,
    /// For `oauth`: why the window ended (`CLOSED`, `DENIED`, …).
    pub oauth_reason: Option<String>,
}

impl AtriumError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AtriumError::InvalidInput(_) => ErrorCode::InvalidInput,
            AtriumError::Network(_) => ErrorCode::Network,
            AtriumError::Timeout(_) => ErrorCode::Timeout,
            AtriumError::Aborted => ErrorCode::Aborted,
            AtriumError::Decode { .. } => ErrorCode::Decode,
            AtriumError::OAuth(_) => ErrorCode::OAuth,
            AtriumError::Http { code, .. } => *code,
        }
    }

    /// The HTTP status, or 0 when there was no response.
    pub fn status(&self) -> u16 {
        match self {
            AtriumError::Http { status, .. } | AtriumError::Decode { status, .. } => *status,
            _ => 0,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            AtriumError::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    pub fn retry_after_ms(&self) -> Option<u32> {
        match self {
            AtriumError::Http { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    pub fn relay_code(&self) -> Option<RelayCode> {
        match self {
            AtriumError::Http { relay_code, .. } => {
                relay_code.as_deref().and_then(RelayCode::parse)
            }
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later. A 409 is not: it means
    /// another process is running, and retrying it blindly is how peers loop forever. Nor is
    /// the partner's key pair refused upstream (`upstream_auth`): no retry mends that.
    pub fn retryable(&self) -> bool {
        match self {
            AtriumError::Network(_) | AtriumError::Timeout(_) => true,
            AtriumError::Http { status, .. } => {
                matches!(status, 429 | 502 | 503 | 504)
                    && self.relay_code() != Some(RelayCode::UpstreamAuth)
            }
            _ => false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AtriumError::InvalidInput(message.into())
    }

    /// A decode error of a value that did not come from an answer's status.
    pub fn decode(path: impl Into<String>, message: impl Into<String>) -> Self {
        AtriumError::Decode {
            status: 0,
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same decode error, said of an answer with `status`.
    pub fn with_status(self, answered: u16) -> Self {
        match self {
            AtriumError::Decode { path, message, .. } => AtriumError::Decode {
                status: answered,
                path,
                message,
            },
            other => other,
        }
    }

    /// The error of a bare HTTP status, as a relay answer without a body would give.
    pub fn from_status(status: u16) -> Self {
        AtriumError::Http {
            status,
            code: ErrorCode::from_status(status),
            message: format!("The relay answered HTTP {status}."),
            request_id: None,
            retry_after_ms: None,
            relay_code: None,
        }
    }

    /// Every fact, for JavaScript.
    pub fn facts(&self) -> Facts {
        Facts {
            message: self.to_string(),
            status: self.status(),
            code: self.code(),
            retryable: self.retryable(),
            request_id: self.request_id().map(str::to_string),
            retry_after_ms: self.retry_after_ms(),
            relay_code: match self {
                AtriumError::Http { relay_code, .. } => relay_code.clone(),
                _ => None,
            },
            path: match self {
                AtriumError::Decode { path, .. } => Some(path.clone()),
                _ => None,
            },
            timeout_ms: match self {
                AtriumError::Timeout(ms) => Some(*ms),
                _ => None,
            },
            oauth_reason: match self {
                AtriumError::OAuth(reason) => Some(reason.as_str().to_string()),
                _ => None,
            },
        }
    }

    /// The error these facts were taken from (`facts` inverted).
    pub fn from_facts(f: Facts) -> Self {
        match f.code {
            ErrorCode::InvalidInput => AtriumError::InvalidInput(f.message),
            ErrorCode::Aborted => AtriumError::Aborted,
            ErrorCode::Network => AtriumError::Network(
                f.message
                    .strip_prefix("The relay could not be reached: ")
                    .map(str::to_string)
                    .unwrap_or(f.message),
            ),
            ErrorCode::Timeout if f.status == 0 => AtriumError::Timeout(f.timeout_ms.unwrap_or(0)),
            ErrorCode::OAuth => {
                AtriumError::OAuth(OAuthReason::parse(f.oauth_reason.as_deref().unwrap_or("")))
            }
            ErrorCode::Decode => {
                let prefix = format!("Unexpected answer at {}: ", f.path.as_deref().unwrap_or(""));
                AtriumError::Decode {
                    status: f.status,
                    message: f
                        .message
                        .strip_prefix(&prefix)
                        .map(str::to_string)
                        .unwrap_or(f.message),
                    path: f.path.unwrap_or_default(),
                }
            }
            code => AtriumError::Http {
                status: f.status,
                code,
                message: f.message,
                request_id: f.request_id,
                retry_after_ms: f.retry_after_ms,
                relay_code: f.relay_code,
            },
        }
    }
}

mod samples;

/// `text` in double quotes, as `{:?}` writes it for the characters messages carry. `{:?}`
/// of a `str` brings Unicode escape tables and `str`'s panic formatting into the .wasm.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests;

pub use samples::samples;
