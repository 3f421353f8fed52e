//! What every request of a relay shares: its configuration, the upstream, the token verifier,
//! the rate limits, sandbox sessions, and push (the backplane, the hub, the open streams).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::config::Config;
use crate::error::RelayError;
use crate::push::{local::Hub, redis::Redis, stream::Streams, Backplane};
use crate::ratelimit::RateLimiter;
use crate::token::{Admitted, Verifier};
use crate::upstream::Upstream;

pub struct AppState {
    pub(crate) config: Config,
    pub(crate) upstream: Upstream,
    pub(crate) verifier: Verifier,
    /// Tokens already verified.
    pub(crate) admitted: Admitted,
    limiter: RateLimiter,
    /// Sandbox mode: end-user names already bound to an Atrium user.
    pub(crate) sessions: Mutex<HashMap<String, String>>,
    pub(crate) backplane: Backplane,
    /// Webhook events on their way to this instance's event streams.
    pub(crate) hub: Hub,
    pub(crate) streams: Streams,
    /// Set when the relay shuts down: event streams end then.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    pub fn new(config: Config, upstream: Upstream, verifier: impl Into<Verifier>) -> Arc<Self> {
        Self::with_redis(config, upstream, verifier, None)
    }

    /// A relay that shares events and rate limits with other instances through Redis
    /// (call within a tokio runtime: the subscription starts at once).
    pub fn with_redis(
        config: Config,
        upstream: Upstream,
        verifier: impl Into<Verifier>,
        redis: Option<Redis>,
    ) -> Arc<Self> {
        let state = Arc::new(AppState {
            limiter: RateLimiter::new(config.rate),
            config,
            upstream,
            verifier: verifier.into(),
            admitted: Admitted::default(),
            sessions: Mutex::new(HashMap::new()),
            backplane: redis.map_or(Backplane::Local, |r| Backplane::Redis(Box::new(r))),
            hub: Hub::default(),
            streams: Streams::default(),
            closing: tokio::sync::watch::channel(false).0,
        });
        if let Backplane::Redis(redis) = &state.backplane {
            redis.subscribe(Arc::downgrade(&state));
        }
        state
    }

    /// Counts one request against the token's user: shared across instances when there is
    /// a shared limit, else here (Redis down, each instance limits on its own rather than
    /// refusing everyone).
    pub(crate) async fn limit(&self, user_guid: &str, now: Instant) -> Result<(), RelayError> {
        let too_many = |wait: Duration| {
            crate::metrics::rate_limited();
            RelayError::RateLimited(wait.as_secs_f64().ceil().max(1.0) as u64)
        };
        if let Some(rate) = self.config.rate {
            if let Some(verdict) = self.backplane.limit(user_guid, rate).await {
                return verdict.map_err(too_many);
            }
        }
        self.limiter.check(user_guid, now).map_err(too_many)
    }

    /// Whether event streams are offered: webhooks reach this instance, or the backplane
    /// brings them from another one.
    pub(crate) fn pushes(&self) -> bool {
        self.config.webhook_secret.is_some() || self.backplane.shares()
    }
}
