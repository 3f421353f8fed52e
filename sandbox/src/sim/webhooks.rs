//! Webhooks (§8): connection-status changes and completed aggregations, POSTed as they
//! happen to the URLs the sandbox was started with, signed, in order, retried on failure.
//!
//! Atrium's own signing scheme is not in the reference, so ours is documented in the README:
//! `X-Atrium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

use std::sync::{Arc, Weak};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::sim::clock;
use crate::sim::member::Notice;
use crate::sim::store::lock;
use crate::AppState;

/// Where webhooks go and the secret they are signed with.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub urls: Vec<String>,
    pub secret: String,
}

pub const SIGNATURE_HEADER: &str = "x-atrium-signature";

/// How often running members are brought up to date when webhooks are on; a change is
/// reported at most this late.
const TICK: Duration = Duration::from_millis(20);
/// Waits between the attempts of one delivery; then it is dropped (and logged).
const RETRIES: [Duration; 3] = [
    Duration::from_millis(200),
    Duration::from_secs(1),
    Duration::from_secs(3),
];
/// Deliveries waiting per URL; beyond, the newest are dropped rather than memory growing.
const QUEUE: usize = 10_000;

/// The id of each status in the Connect widget's numbering (§5), which the payload carries.
const STATUS_IDS: [&str; 22] = [
    "CREATED",
    "PREVENTED",
    "DENIED",
    "CHALLENGED",
    "REJECTED",
    "LOCKED",
    "CONNECTED",
    "IMPEDED",
    "RECONNECTED",
    "DEGRADED",
    "DISCONNECTED",
    "DISCONTINUED",
    "CLOSED",
    "DELAYED",
    "FAILED",
    "UPDATED",
    "DISABLED",
    "IMPORTED",
    "RESUMED",
    "EXPIRED",
    "IMPAIRED",
    "PENDING",
];

/// `t=…,v1=…` for `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // An HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The JSON body of a notice, as §8 describes it.
pub fn payload(user_guid: &str, member_guid: &str, notice: Notice) -> Value {
    match notice {
        Notice::Status(status) => {
            let id = STATUS_IDS.iter().position(|s| *s == status);
            json!({
                "type": "CONNECTION_STATUS",
                "action": "CHANGED",
                "user_guid": user_guid,
                "member_guid": member_guid,
                "connection_status": status,
                "connection_status_id": id,
                "connection_status_message": format!("The member's connection status is now {status}."),
            })
        }
        Notice::Aggregated { at, history } => json!({
            "type": if history { "HISTORY" } else { "AGGREGATION" },
            "action": "member_data_updated",
            "user_guid": user_guid,
            "member_guid": member_guid,
            "transactions_created_count": 0,
            "transactions_updated_count": 0,
            "completed_at": at.div_euclid(1000),
            "completed_on": clock::date(at),
        }),
    }
}

/// Starts the notifier: it stops by itself once the sandbox's state is dropped.
pub fn spawn(state: Weak<AppState>, config: WebhookConfig) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let queues: Vec<mpsc::Sender<Vec<u8>>> = config
        .urls
        .iter()
        .map(|url| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(deliver(
                client.clone(),
                url.clone(),
                config.secret.clone(),
                rx,
            ));
            tx
        })
        .collect();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let Some(state) = state.upgrade() else { return };
            for body in collect(&state) {
                for queue in &queues {
                    if queue.try_send(body.clone()).is_err() {
                        tracing::warn!("webhook queue full or closed; a notice was dropped");
                    }
                }
            }
        }
    });
}

/// Brings every member with something under way up to now and takes its notices.
fn collect(state: &Arc<AppState>) -> Vec<Vec<u8>> {
    let now = state.clock.now();
    let mut out = Vec::new();
    for shared in state.store.users() {
        let mut user = lock(&shared);
        let disabled = user.user.is_disabled;
        let user_guid = user.user.guid.clone();
        for m in &mut user.members {
            m.advance(now, &state.clock, disabled);
            let Some(outbox) = m.outbox.as_mut() else {
                continue;
            };
            for notice in outbox.drain(..) {
                let body = payload(&user_guid, &m.guid, notice);
                out.push(body.to_string().into_bytes());
            }
        }
    }
    out
}

/// One URL's deliveries, one at a time so that a receiver sees changes in order.
async fn deliver(
    client: reqwest::Client,
    url: String,
    secret: String,
    mut rx: mpsc::Receiver<Vec<u8>>,
) {
    while let Some(body) = rx.recv().await {
        for (attempt, wait) in std::iter::once(Duration::ZERO).chain(RETRIES).enumerate() {
            tokio::time::sleep(wait).await;
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let sent = client
                .post(&url)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, sign(&secret, timestamp, &body))
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => break,
                Ok(r) => tracing::warn!(%url, status = %r.status(), attempt, "webhook refused"),
                Err(e) => tracing::warn!(%url, error = %e, attempt, "webhook not delivered"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_the_time_and_the_body() {
        let a = sign("s3cret", 1_700_000_000, b"{\"x\":1}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, sign("s3cret", 1_700_000_001, b"{\"x\":1}"));
        assert_ne!(a, sign("s3cret", 1_700_000_000, b"{\"x\":2}"));
        assert_ne!(a, sign("other", 1_700_000_000, b"{\"x\":1}"));
        assert_eq!(a, sign("s3cret", 1_700_000_000, b"{\"x\":1}"));
    }

    #[test]
    fn payloads_follow_the_reference() {
        let p = payload("USR-1", "MBR-1", Notice::Status("CHALLENGED"));
        assert_eq!(p["type"], "CONNECTION_STATUS");
        assert_eq!(p["action"], "CHANGED");
        assert_eq!(p["connection_status"], "CHALLENGED");
        assert_eq!(p["connection_status_id"], 3);
        let p = payload(
            "USR-1",
            "MBR-1",
            Notice::Aggregated {
                at: 1_476_382_077_000,
                history: false,
            },
        );
        assert_eq!(p["type"], "AGGREGATION");
        assert_eq!(p["action"], "member_data_updated");
        assert_eq!(p["completed_at"], 1_476_382_077);
        assert_eq!(p["completed_on"], "2016-10-13");
        assert_eq!(
            payload(
                "U",
                "M",
                Notice::Aggregated {
                    at: 0,
                    history: true
                }
            )["type"],
            "HISTORY"
        );
    }
}
