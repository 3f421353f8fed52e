//! atrium-sandbox: an offline simulator of the MX Atrium API, faithful to `shared/atrium-api.md`,
//! so that a client written for the real API (vestibule) works against it unchanged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

mod api;
pub mod error;
mod sim;

pub use error::ApiError;
pub use sim::{clock, logins, webhooks};

/// The institution catalogue, and the endpoints that serve it.
pub mod institutions {
    pub use crate::api::institutions::{list, read, read_credentials, Served};
    pub use crate::sim::institutions::*;
}

/// The generated logos, and the handler that serves them (a relay in sandbox mode mounts it
/// on its own origin).
pub mod logos {
    pub use crate::api::logos::{headers, serve};
    pub use crate::sim::logos::*;
}

/// How a sandbox instance is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `MX-API-Key` every request must carry.
    pub api_key: String,
    /// The `MX-Client-ID` every request must carry.
    pub client_id: String,
    /// Vestibule allows 100 users per client.
    pub max_users: usize,
    /// The base URL browsers reach this sandbox at, for OAuth window URIs; by default the
    /// `Host` of the request that asks for one.
    pub public_url: Option<String>,
    /// The base URL of the logos the institutions and merchants point at; by default
    /// `{public URL}/logos`, served here. A relay in sandbox mode serves them on its own
    /// origin, so that a page under its policy may show them.
    pub logo_url: Option<String>,
    /// Where to POST webhooks (§8), and their signing secret; none by default.
    pub webhooks: Option<webhooks::WebhookConfig>,
}

impl Config {
    pub const DEFAULT_API_KEY: &'static str = "sandbox-api-key";
    pub const DEFAULT_CLIENT_ID: &'static str = "sandbox-client-id";

    pub fn new(api_key: impl Into<String>, client_id: impl Into<String>) -> Self {
        Config {
            api_key: api_key.into(),
            client_id: client_id.into(),
            max_users: 100,
            public_url: None,
            logo_url: None,
            webhooks: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(Self::DEFAULT_API_KEY, Self::DEFAULT_CLIENT_ID)
    }
}

pub struct AppState {
    config: Config,
    store: sim::store::Store,
    clock: sim::clock::Clock,
    faults: api::control::Faults,
}

/// The whole API as an axum router, with its own fresh state.
pub fn router(config: Config) -> Router {
    let hooks = config.webhooks.clone();
    let state = Arc::new(AppState {
        config,
        store: sim::store::Store::default(),
        clock: sim::clock::Clock::default(),
        faults: api::control::Faults::default(),
    });
    if let Some(hooks) = hooks.filter(|h| !h.urls.is_empty()) {
        webhooks::spawn(Arc::downgrade(&state), hooks);
    }
    api::router(state)
}

/// Serves the sandbox on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A make-service hands each connection a clone of the router (an Arc); the router alone
    // would rebuild its route table per connection, ~18 KiB each (heaptrack, issue 16).
    axum::serve(listener, router(config).into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Starts a sandbox on a free loopback port in the background and returns its address; for
/// the relay's `--sandbox` mode and for tests. It runs as long as the tokio runtime does.
pub async fn spawn(config: Config) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = serve(listener, config, std::future::pending()).await {
            tracing::error!("sandbox stopped: {e}");
        }
    });
    Ok(addr)
}

/// Resolves on Ctrl-C or SIGTERM, so that the servers of this workspace stop cleanly.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
