//! The optional Redis backend (`--redis URL`) for several relay instances: webhook events
//! go out through Redis pub/sub to every instance (so the instance a browser streams from
//! hears the webhook another one took), with ids from one shared counter (so
//! `Last-Event-ID` works on any instance), and per-user rate limits are counted in Redis (so
//! N instances allow the rate once, not N times).

use std::sync::Weak;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::RelayError;
use crate::push::local::first_id;
use crate::ratelimit::Rate;
use crate::state::AppState;

const CHANNEL: &str = "atrium-relay:events";
const EVENT_ID: &str = "atrium-relay:event-id";
const RATE_PREFIX: &str = "atrium-relay:rate:";

/// A token bucket per key, on Redis's own clock (instances' clocks may differ). Answers the
/// milliseconds to wait, 0 when the request may go.
const BUCKET: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1]) or burst
local at = tonumber(s[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < 1 then
  return math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return 0
";

/// The next event id; a counter lost with a Redis restarted empty starts again at the clock
/// (as at the first start), so that ids never go back below those clients hold.
const NEXT_ID: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1])
end
return redis.call('INCR', KEYS[1])
";

/// One event as it travels between instances.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    id: u64,
    user_guid: String,
    member_guid: String,
    name: String,
    data: Value,
}

#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    conn: ConnectionManager,
    bucket: redis::Script,
    next_id: redis::Script,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

fn unavailable(e: redis::RedisError) -> RelayError {
    crate::metrics::redis_up(false);
    RelayError::SharedStore(e.to_string())
}

impl Redis {
    /// Connects (the URL is checked and the server reached now, so a bad one stops the start).
    pub async fn connect(url: &str) -> Result<Redis, RelayError> {
        let client = redis::Client::open(url)
            .map_err(|e| RelayError::InvalidInput(format!("--redis {url:?}: {e}")))?;
        let mut conn = ConnectionManager::new(client.clone())
            .await
            .map_err(unavailable)?;
        // Ids start at the clock, as a single relay's do, and only grow from there.
        let _: Option<String> = redis::cmd("SET")
            .arg(EVENT_ID)
            .arg(first_id())
            .arg("NX")
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        crate::metrics::redis_up(true);
        Ok(Redis {
            client,
            conn,
            bucket: redis::Script::new(BUCKET),
            next_id: redis::Script::new(NEXT_ID),
        })
    }

    /// Sends an event to every instance (this one included, through its subscription).
    pub async fn publish(
        &self,
        user_guid: &str,
        member_guid: &str,
        name: &str,
        data: Value,
    ) -> Result<u64, RelayError> {
        let mut conn = self.conn.clone();
        let id: u64 = self
            .next_id
            .key(EVENT_ID)
            .arg(first_id())
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        let wire = Wire {
            id,
            user_guid: user_guid.into(),
            member_guid: member_guid.into(),
            name: name.into(),
            data,
        };
        let payload =
            serde_json::to_string(&wire).map_err(|e| RelayError::SharedStore(e.to_string()))?;
        let _: i64 = redis::cmd("PUBLISH")
            .arg(CHANNEL)
            .arg(payload)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        crate::metrics::redis_up(true);
        Ok(id)
    }

    /// The latest event id of any instance: events above it are still to come.
    pub async fn last_id(&self) -> Result<u64, RelayError> {
        let mut conn = self.conn.clone();
        let id: Option<u64> = redis::cmd("GET")
            .arg(EVENT_ID)
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(id.unwrap_or(0))
    }

    /// Counts one request of `key` against `rate`; `Err(wait)` when over it.
    pub async fn limit(&self, key: &str, rate: Rate) -> Result<Result<(), Duration>, RelayError> {
        let mut conn = self.conn.clone();
        let per_ms = rate.per_second / 1000.0;
        let wait: i64 = self
            .bucket
            .key(format!("{RATE_PREFIX}{key}"))
            .arg(per_ms)
            .arg(rate.burst)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        crate::metrics::redis_up(true);
        Ok(if wait > 0 {
            Err(Duration::from_millis(wait as u64))
        } else {
            Ok(())
        })
    }

    /// Waits (a few seconds at most) until commands reach Redis again: the connection for
    /// them finds out about a break only when one fails, and a stream opening needs one.
    async fn reconnected(&self) {
        for _ in 0..30 {
            if self.last_id().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Hands every instance's events to this instance's streams for as long as it runs;
    /// reconnects after a break. Events published meanwhile are lost to its streams, so once
    /// it is back they are ended: their clients reopen them at once (a stream that lived is
    /// reopened without delay) and read each member's current status from the first events.
    pub fn subscribe(&self, state: Weak<AppState>) {
        let client = self.client.clone();
        let commands = self.clone();
        tokio::spawn(async move {
            let mut failures = 0u32;
            let mut was_up = false;
            loop {
                if state.strong_count() == 0 {
                    return;
                }
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        if pubsub.subscribe(CHANNEL).await.is_ok() {
                            crate::metrics::redis_up(true);
                            failures = 0;
                            if std::mem::replace(&mut was_up, true) {
                                commands.reconnected().await;
                                if let Some(state) = state.upgrade() {
                                    let users = state.hub.resync();
                                    tracing::info!(users, "Redis is back: streams resync");
                                }
                            }
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                let Some(state) = state.upgrade() else { return };
                                let Ok(payload) = message.get_payload::<String>() else {
                                    continue;
                                };
                                match serde_json::from_str::<Wire>(&payload) {
                                    Ok(w) => {
                                        let name = match w.name.as_str() {
                                            "status" => "status",
                                            "aggregated" => "aggregated",
                                            _ => continue,
                                        };
                                        state.hub.publish_with_id(
                                            w.id,
                                            &w.user_guid,
                                            &w.member_guid,
                                            name,
                                            w.data,
                                        );
                                    }
                                    Err(e) => {
                                        tracing::warn!(error = %e, "an unreadable event on Redis")
                                    }
                                }
                            }
                        }
                    }
                    Err(e) => {
                        crate::metrics::redis_up(false);
                        tracing::warn!(error = %e, "Redis subscription failed; retrying")
                    }
                }
                failures += 1;
                tokio::time::sleep(Duration::from_millis((100u64 << failures.min(6)).min(5000)))
                    .await;
            }
        });
    }
}
