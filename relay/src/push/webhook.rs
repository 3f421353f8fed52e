//! `POST /webhooks/atrium`: Atrium's webhooks (§8), verified and turned into member events.
//!
//! The signature is the scheme the README documents (Atrium's own is not in the reference):
//! `X-Atrium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, at most
//! five minutes old.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::error::RelayError;
use crate::guid::{is_member_guid, is_user_guid};
use crate::state::AppState;

pub const SIGNATURE_HEADER: &str = "x-atrium-signature";
/// How old (or how far ahead) a signature's time may be: replays beyond are refused.
const TOLERANCE_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Atrium-Signature header is missing or not t=…,v1=…")]
    Malformed,
    #[error("the signature's time is more than five minutes away")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `header` against `body`, at `now` (unix seconds).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(unhex(v).ok_or(SignatureError::Malformed)?),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if v1.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    // Any of the signatures may match (a receiver in the middle of a secret rotation).
    for candidate in v1 {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        if mac.verify_slice(&candidate).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    user_guid: String,
    member_guid: String,
    connection_status: Option<String>,
    completed_at: Option<i64>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, RelayError> {
    let answer = accept(&state, &headers, &body).await;
    crate::metrics::webhook(answer.is_ok());
    answer
}

async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<StatusCode, RelayError> {
    let Some(secret) = state.config.webhook_secret.as_deref() else {
        return Err(RelayError::NotFound);
    };
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    verify(secret.as_bytes(), header, body, now_secs())
        .map_err(|e| RelayError::Unauthorized(format!("Webhook refused: {e}.")))?;
    let payload: Payload = serde_json::from_slice(body).map_err(|e| {
        RelayError::BadRequest(format!("The webhook body is not one of §8's: {e}."))
    })?;
    if !is_user_guid(&payload.user_guid) || !is_member_guid(&payload.member_guid) {
        return Err(RelayError::BadRequest(
            "The webhook names no user or member GUID.".into(),
        ));
    }
    let (user, member) = (&payload.user_guid, &payload.member_guid);
    match payload.kind.as_str() {
        "CONNECTION_STATUS" => {
            let status = payload.connection_status.ok_or_else(|| {
                RelayError::BadRequest(
                    "A CONNECTION_STATUS webhook needs connection_status.".into(),
                )
            })?;
            let data = json!({ "connection_status": status });
            state
                .backplane
                .publish(&state.hub, user, member, "status", data)
                .await?;
        }
        "AGGREGATION" | "HISTORY" => {
            let data = json!({ "type": payload.kind, "completed_at": payload.completed_at });
            state
                .backplane
                .publish(&state.hub, user, member, "aggregated", data)
                .await?;
        }
        // Other kinds (a newer Atrium's) are taken and dropped, so Atrium does not retry them.
        _ => {}
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    // The sandbox's signer, our sender, against the relay's check.
    use atrium_sandbox::webhooks::sign;

    #[test]
    fn signatures_are_checked() {
        let body = br#"{"type":"CONNECTION_STATUS"}"#;
        let good = sign("k", 1000, body);
        assert_eq!(verify(b"k", &good, body, 1000), Ok(()));
        assert_eq!(verify(b"k", &good, body, 1000 + TOLERANCE_SECS), Ok(()));
        assert_eq!(
            verify(b"k", &good, body, 1001 + TOLERANCE_SECS),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"other", &good, body, 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"k", &good, b"{}", 1000),
            Err(SignatureError::Mismatch)
        );
        let forged_time = good.replace("t=1000", "t=1001");
        assert_eq!(
            verify(b"k", &forged_time, body, 1000),
            Err(SignatureError::Mismatch)
        );
        for bad in [
            "",
            "t=1000",
            "v1=00",
            "t=x,v1=00",
            "t=1000,v1=zz",
            "t=1000,v1=0",
        ] {
            assert!(verify(b"k", bad, body, 1000).is_err(), "{bad}");
        }
        let rotated = format!(
            "{},v1={}",
            sign("old", 1000, body),
            &good[good.find("v1=").unwrap() + 3..]
        );
        assert_eq!(verify(b"k", &rotated, body, 1000), Ok(()));
    }
}
