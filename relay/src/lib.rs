//! atrium-relay: holds the partner's Atrium key pair and lets each browser, by its relay
//! token, reach only the allowed endpoints and only for its own user.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

mod allow;
pub mod error;
mod proxy;
mod session;
pub mod token;
mod upstream;

pub use allow::Group;
pub use error::RelayError;
pub use token::{Claims, Minted, SigningKey, TokenError};
pub use upstream::Upstream;

/// Request bodies larger than this are refused before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How a relay is set up; everything but the upstream and the key.
#[derive(Debug, Clone)]
pub struct Config {
    /// Origins allowed to call the relay from a browser (CORS); `*` for any. Empty: only
    /// pages the relay serves itself.
    pub allow_origins: Vec<String>,
    /// Whether the public institution reads are forwarded.
    pub public_institutions: bool,
    /// Whether `POST /session` mints tokens for any name: sandbox mode only.
    pub open_sessions: bool,
    /// The lifetime of tokens minted by `POST /session`.
    pub session_ttl: Duration,
    /// The demo page, served at `/`.
    pub www_dir: Option<PathBuf>,
    /// The wasm-pack output, served at `/pkg/`.
    pub pkg_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allow_origins: Vec::new(),
            public_institutions: true,
            open_sessions: false,
            session_ttl: Duration::from_secs(3600),
            www_dir: None,
            pkg_dir: None,
        }
    }
}

impl Config {
    pub fn enabled(&self, group: Group) -> bool {
        match group {
            Group::PerUser => true,
            Group::Institutions => self.public_institutions,
        }
    }
}

pub struct AppState {
    config: Config,
    upstream: Upstream,
    key: SigningKey,
    /// Sandbox mode: end-user names already bound to an Atrium user.
    sessions: Mutex<HashMap<String, String>>,
}

impl AppState {
    pub fn new(config: Config, upstream: Upstream, key: SigningKey) -> Arc<Self> {
        Arc::new(AppState {
            config,
            upstream,
            key,
            sessions: Mutex::new(HashMap::new()),
        })
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
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(Duration::from_secs(600)),
    )
}

/// The relay's routes.
pub fn app(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/atrium/session", get(session::read))
        .route("/atrium", any(|| async { RelayError::NotFound }))
        .route("/atrium/{*rest}", any(proxy::forward));
    if state.config.open_sessions {
        router = router.route("/session", post(session::create));
    }
    if let Some(pkg) = &state.config.pkg_dir {
        router = router.nest_service("/pkg", ServeDir::new(pkg));
    }
    if let Some(www) = &state.config.www_dir {
        router = router.fallback_service(ServeDir::new(www));
    } else {
        router = router.fallback(|| async { RelayError::NotFound });
    }
    let mut router = router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    if let Some(cors) = cors(&state.config.allow_origins) {
        router = router.layer(cors);
    }
    router
}

/// Serves the relay on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
