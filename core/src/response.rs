//! Error bodies into [`AtriumError`]s. (Typed parts of answers, such as pagination and the
//! session, are decoded by [`crate::reader::decode`], which names the failing field;
//! resources themselves stay the browser's parsed objects.)

use crate::error::{AtriumError, ErrorCode};
use crate::reader::{field, FromTree, ReadError, Tree};

/// `{"error": {"message"}}`: Atrium's (and the sandbox's) error body; the relay's adds its own
/// `code`, which is kept beside the library's (the status decides that one).
#[derive(Debug, Default)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Default)]
pub struct ErrorDetail {
    pub message: Option<String>,
    pub code: Option<String>,
}

// Read leniently (other keys pass, a wrong shape is "no detail"): an error body is evidence,
// not input, and its status decides the error whatever it says.
impl FromTree for ErrorBody {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        let error = tree.get("error");
        Ok(ErrorBody {
            error: ErrorDetail {
                message: field(&error, "message").unwrap_or_default(),
                code: field(&error, "code").unwrap_or_default(),
            },
        })
    }
}

/// The error for a non-success status; `body` is the decoded error body when there was one,
/// `retry_after` the `Retry-After` header (seconds; an HTTP date is not used).
pub fn http_error(
    status: u16,
    body: Option<ErrorBody>,
    request_id: Option<String>,
    retry_after: Option<&str>,
) -> AtriumError {
    let detail = body.map(|b| b.error).unwrap_or_default();
    let message = detail
        .message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("The relay answered HTTP {status}."));
    let retry_after_ms = retry_after
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map(|s| s.saturating_mul(1000));
    AtriumError::Http {
        status,
        code: ErrorCode::from_status(status),
        message,
        request_id,
        retry_after_ms,
        relay_code: detail.code.filter(|c| !c.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::read;
    use crate::reader::tests::js;

    #[test]
    fn error_bodies() {
        let body: ErrorBody = read(js(
            r#"{"error": {"code": "token_expired", "message": "gone"}}"#,
        ))
        .unwrap();
        let e = http_error(401, Some(body), Some("ab-1".into()), None);
        assert_eq!(
            (e.status(), e.code().as_str(), e.to_string().as_str()),
            (401, "unauthorized", "gone")
        );
        assert_eq!(e.relay_code(), Some(crate::error::RelayCode::TokenExpired));
        assert_eq!(e.request_id(), Some("ab-1"));
        let e = http_error(403, None, None, None);
        assert_eq!(e.code().as_str(), "forbidden");
        assert!(e.to_string().contains("403"));
        assert_eq!(
            http_error(429, None, None, Some("7")).retry_after_ms(),
            Some(7000)
        );
        // The relay's key pair refused upstream: a 502 that no retry mends.
        let body: ErrorBody = read(js(
            r#"{"error": {"code": "upstream_auth", "message": "no"}}"#,
        ))
        .unwrap();
        let e = http_error(502, Some(body), None, None);
        assert_eq!((e.code().as_str(), e.retryable()), ("server", false));
    }
}
