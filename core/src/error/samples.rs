//! Every kind of error with every fact it can hold: what each face's round-trip test
//! (Rust facts, JavaScript's `AtriumError`) carries there and back.

use super::{AtriumError, ErrorCode};
use crate::oauth::OAuthReason;

/// One of each kind, facts set; not for production use.
#[doc(hidden)]
pub fn samples() -> Vec<AtriumError> {
    vec![
        AtriumError::invalid("member_guid must be a MBR- GUID, not \"x\"."),
        AtriumError::Network("connection reset".into()),
        AtriumError::Timeout(30_000),
        AtriumError::Aborted,
        AtriumError::OAuth(OAuthReason::Closed),
        AtriumError::OAuth(OAuthReason::Other("A_REASON_OF_TOMORROW".into())),
        AtriumError::Decode {
            status: 202,
            path: "members[3].guid".into(),
            message: "expected a string".into(),
        },
        AtriumError::decode("pagination", "missing field `total_pages`"),
        http(429, ErrorCode::RateLimited, Some(3000), "rate_limited"),
        http(502, ErrorCode::Server, None, "upstream_auth"),
        http(504, ErrorCode::Timeout, None, "upstream_timeout"),
        // A relay code of a later relay: kept as it came.
        http(418, ErrorCode::BadRequest, None, "a_code_of_tomorrow"),
    ]
}

fn http(status: u16, code: ErrorCode, retry_after_ms: Option<u32>, relay: &str) -> AtriumError {
    AtriumError::Http {
        status,
        code,
        message: format!("{relay} ({status})"),
        request_id: Some(format!("req-{status}")),
        retry_after_ms,
        relay_code: Some(relay.into()),
    }
}
