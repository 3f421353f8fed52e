//! atrium-relay: holds the partner's Atrium key pair and lets each browser, by its relay
//! token, reach only the allowed endpoints and only for its own user.
//!
//! For a partner's backend, minting the token a browser uses is two lines:
//!
//! ```
//! use std::time::Duration;
//! use atrium_relay::SigningKey;
//!
//! let key = SigningKey::new(b"the same 32+ bytes as RELAY_SIGNING_KEY".to_vec()).unwrap();
//! let minted = key.mint("USR-fa7537f3-48aa-a683-a02a-b18940482f54", Duration::from_secs(900)).unwrap();
//! assert!(minted.token.starts_with("v1."));
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware;
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

mod allow;
pub mod error;
mod events;
pub mod fanout;
mod hub;
mod proxy;
mod ratelimit;
mod requestlog;
mod session;
pub mod token;
mod upstream;
pub mod webhook;

pub use allow::{describe as routes, Group};
pub use error::RelayError;
pub use ratelimit::Rate;
pub use token::{Claims, Minted, SigningKey, TokenError};
pub use upstream::{Limits, Upstream};

/// Where a relay in sandbox mode serves the sandbox's logos (the sandbox is told to point there).
pub const SANDBOX_LOGOS: &str = "/sandbox/logos";

/// How a relay is set up; everything but the upstream and the key.
#[derive(Debug, Clone)]
pub struct Config {
    /// Origins allowed to call the relay from a browser (CORS), matched exactly. Empty:
    /// only pages the relay serves itself.
    pub allow_origins: Vec<String>,
    /// Whether the public institution reads are forwarded.
    pub public_institutions: bool,
    /// Whether the public merchant reads are forwarded.
    pub public_merchants: bool,
    /// Whether `POST /transactions/cleanse_and_categorize` is forwarded.
    pub cleanse: bool,
    /// Whether `POST /session` mints tokens for any name: sandbox mode only.
    pub open_sessions: bool,
    /// Sandbox mode: serve the embedded sandbox's logos at [`SANDBOX_LOGOS`].
    pub sandbox_logos: bool,
    /// The lifetime of tokens minted by `POST /session`.
    pub session_ttl: Duration,
    /// Request bodies larger than this are refused with 413.
    pub body_limit: usize,
    /// Requests per token; `None` for no limit.
    pub rate: Option<Rate>,
    /// The demo page, served at `/`.
    pub www_dir: Option<PathBuf>,
    /// The wasm-pack output, served at `/pkg/`.
    pub pkg_dir: Option<PathBuf>,
    /// The secret Atrium's webhooks are signed with; `None`: no `POST /webhooks/atrium`, and
    /// no event streams (clients poll).
    pub webhook_secret: Option<String>,
    /// Event streams end after this long (the client resumes with `Last-Event-ID`), so that
    /// long-lived connections spread again over instances; `None`: they last.
    pub stream_max_age: Option<Duration>,
    /// Event streams one user may hold open at once (tabs, overlapping reconnects).
    pub max_streams_per_user: usize,
    /// A comment line this often on a quiet event stream, so that proxies keep it open.
    pub heartbeat: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allow_origins: Vec::new(),
            public_institutions: true,
            public_merchants: true,
            cleanse: true,
            open_sessions: false,
            sandbox_logos: false,
            session_ttl: Duration::from_secs(3600),
            body_limit: 64 * 1024,
            rate: Some(Rate {
                per_second: 10.0,
                burst: 60,
            }),
            www_dir: None,
            pkg_dir: None,
            webhook_secret: None,
            stream_max_age: None,
            max_streams_per_user: 8,
            heartbeat: Duration::from_secs(15),
        }
    }
}

impl Config {
    pub fn enabled(&self, group: Group) -> bool {
        match group {
            Group::PerUser => true,
            Group::Institutions => self.public_institutions,
            Group::Merchants => self.public_merchants,
            Group::Cleanse => self.cleanse,
        }
    }
}

pub struct AppState {
    config: Config,
    upstream: Upstream,
    key: SigningKey,
    limiter: ratelimit::RateLimiter,
    /// Sandbox mode: end-user names already bound to an Atrium user.
    sessions: Mutex<HashMap<String, String>>,
    /// Webhook events on their way to the event streams.
    hub: hub::Hub,
    streams: events::Streams,
    /// Set when the relay shuts down: event streams end then.
    closing: tokio::sync::watch::Sender<bool>,
    /// Shared events and rate limits across instances, when configured.
    redis: Option<fanout::Redis>,
}

impl AppState {
    pub fn new(config: Config, upstream: Upstream, key: SigningKey) -> Arc<Self> {
        Self::with_redis(config, upstream, key, None)
    }

    /// A relay that shares events and rate limits with other instances through Redis
    /// (call within a tokio runtime: the subscription starts at once).
    pub fn with_redis(
        config: Config,
        upstream: Upstream,
        key: SigningKey,
        redis: Option<fanout::Redis>,
    ) -> Arc<Self> {
        let state = Arc::new(AppState {
            limiter: ratelimit::RateLimiter::new(config.rate),
            config,
            upstream,
            key,
            sessions: Mutex::new(HashMap::new()),
            hub: hub::Hub::default(),
            streams: events::Streams::default(),
            closing: tokio::sync::watch::channel(false).0,
            redis,
        });
        if let Some(redis) = &state.redis {
            redis.subscribe(Arc::downgrade(&state));
        }
        state
    }

    /// The claims of the request's `Authorization: Bearer` token.
    fn claims(&self, headers: &HeaderMap) -> Result<Claims, RelayError> {
        let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
            RelayError::Unauthorized("An Authorization: Bearer relay token is required.".into())
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                RelayError::Unauthorized(
                    "The Authorization header must be Bearer <relay token>.".into(),
                )
            })?;
        Ok(self.key.verify(token)?)
    }

    /// Counts one request against the token's user.
    async fn limit(&self, user_guid: &str, now: Instant) -> Result<(), RelayError> {
        let too_many =
            |wait: Duration| RelayError::RateLimited(wait.as_secs_f64().ceil().max(1.0) as u64);
        if let (Some(redis), Some(rate)) = (&self.redis, self.config.rate) {
            match redis.limit(user_guid, rate).await {
                Ok(verdict) => return verdict.map_err(too_many),
                // Redis down: each instance limits on its own rather than refusing everyone.
                Err(e) => tracing::warn!(error = %e, "shared rate limit unavailable"),
            }
        }
        self.limiter.check(user_guid, now).map_err(too_many)
    }

    /// Whether event streams are offered: webhooks reach this instance, or Redis brings
    /// them from another one.
    fn pushes(&self) -> bool {
        self.config.webhook_secret.is_some() || self.redis.is_some()
    }

    /// The id above which events are still to come (shared across instances with Redis).
    async fn last_event_id(&self) -> Result<u64, RelayError> {
        match &self.redis {
            Some(redis) => redis.last_id().await,
            None => Ok(self.hub.last_id()),
        }
    }

    /// Hands a webhook's event to the streams: through Redis to every instance, or here.
    async fn publish(
        &self,
        user_guid: &str,
        member_guid: &str,
        name: &'static str,
        data: serde_json::Value,
    ) -> Result<(), RelayError> {
        match &self.redis {
            Some(redis) => redis
                .publish(user_guid, member_guid, name, data)
                .await
                .map(|_| ()),
            None => {
                self.hub.publish(user_guid, member_guid, name, data);
                Ok(())
            }
        }
    }
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    // Exact origins only: a wildcard would let any site spend a user's token.
    let exact: Vec<HeaderValue> = origins
        .iter()
        .filter(|o| o.as_str() != "*")
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if exact.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(exact))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([
                header::RETRY_AFTER,
                header::HeaderName::from_static("x-request-id"),
            ])
            .max_age(Duration::from_secs(600)),
    )
}

/// The policy of the demo page and the package: no inline script or style, no eval, requests
/// only to this origin. The demo runs under it so that a CSP-strict partner page is known to
/// work (`'wasm-unsafe-eval'` is what compiling WebAssembly needs, and no more). Logos may
/// come from Atrium's content host (the sandbox's are served from here); the sandbox's OAuth
/// page opens in its own window.
const STATIC_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data: https:; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

type StaticFiles = SetResponseHeader<SetResponseHeader<ServeDir, HeaderValue>, HeaderValue>;

fn static_files(dir: &std::path::Path) -> StaticFiles {
    let nosniff = SetResponseHeader::overriding(
        ServeDir::new(dir),
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    SetResponseHeader::overriding(
        nosniff,
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(STATIC_CSP),
    )
}

/// The relay's routes.
pub fn app(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/atrium/session", get(session::read))
        .route("/atrium", any(|| async { RelayError::NotFound }))
        .route("/atrium/users/{user_guid}/events", get(events::stream))
        .route(
            "/webhooks/atrium",
            post(webhook::receive).layer(DefaultBodyLimit::max(state.config.body_limit)),
        )
        .route("/atrium/{*rest}", any(proxy::forward));
    if state.config.open_sessions {
        router = router.route(
            "/session",
            post(session::create).layer(DefaultBodyLimit::max(state.config.body_limit)),
        );
    }
    if state.config.sandbox_logos {
        let route = format!("{SANDBOX_LOGOS}/{{*file}}");
        router = router.route(&route, get(atrium_sandbox::logos::serve));
    }
    if let Some(pkg) = &state.config.pkg_dir {
        router = router.nest_service("/pkg", static_files(pkg));
    }
    if let Some(www) = &state.config.www_dir {
        router = router.fallback_service(static_files(www));
    } else {
        router = router.fallback(|| async { RelayError::NotFound });
    }
    let mut router = router.with_state(state.clone());
    if let Some(cors) = cors(&state.config.allow_origins) {
        router = router.layer(cors);
    }
    router.layer(middleware::from_fn(requestlog::layer))
}

/// Serves the relay on `listener` until `shutdown` resolves; requests in flight then finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open event streams would keep the graceful shutdown waiting forever.
        closing.closing.send_replace(true);
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
