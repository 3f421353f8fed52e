//! Push: Atrium's webhooks in (`webhook`), each user's member events out as a stream
//! (`stream`), carried between the two by a backplane: this instance alone, its events in
//! `local`'s hub, or every instance through Redis (`redis`), each handing them to its hub.

pub mod local;
pub mod redis;
pub mod stream;
pub mod webhook;

use std::time::Duration;

use serde_json::Value;

use crate::error::RelayError;
use crate::ratelimit::Rate;
use local::Hub;

/// How events (and rate limits) cross instances: they don't, or through Redis.
pub enum Backplane {
    Local,
    // Boxed: one per relay, and the local case should not carry a connection's room.
    Redis(Box<redis::Redis>),
}

impl Backplane {
    /// Whether other instances' events arrive here (so streams are worth offering even
    /// without this instance's own webhooks).
    pub fn shares(&self) -> bool {
        matches!(self, Backplane::Redis(_))
    }

    /// Hands a webhook's event to the streams: through Redis to every instance, or here.
    pub async fn publish(
        &self,
        hub: &Hub,
        user_guid: &str,
        member_guid: &str,
        name: &'static str,
        data: Value,
    ) -> Result<(), RelayError> {
        match self {
            Backplane::Redis(redis) => redis
                .publish(user_guid, member_guid, name, data)
                .await
                .map(|_| ()),
            Backplane::Local => {
                hub.publish(user_guid, member_guid, name, data);
                Ok(())
            }
        }
    }

    /// The id above which events are still to come (shared across instances with Redis).
    pub async fn last_id(&self, hub: &Hub) -> Result<u64, RelayError> {
        match self {
            Backplane::Redis(redis) => redis.last_id().await,
            Backplane::Local => Ok(hub.last_id()),
        }
    }

    /// The shared verdict on one more request of `key` (`Err(wait)` when over `rate`), or
    /// `None` when there is no shared one (alone, or Redis unreachable: limit locally).
    pub async fn limit(&self, key: &str, rate: Rate) -> Option<Result<(), Duration>> {
        let Backplane::Redis(redis) = self else {
            return None;
        };
        match redis.limit(key, rate).await {
            Ok(verdict) => Some(verdict),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit unavailable");
                None
            }
        }
    }
}
