//! atrium-sandbox: an offline simulator of the MX Atrium API, faithful to `shared/atrium-api.md`,
//! so that a client written for the real API (vestibule) works against it unchanged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

mod body;
pub mod error;
mod guid;
pub mod institutions;
mod paging;
mod store;
mod users;

pub use error::ApiError;

/// How a sandbox instance is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `MX-API-Key` every request must carry.
    pub api_key: String,
    /// The `MX-Client-ID` every request must carry.
    pub client_id: String,
    /// Vestibule allows 100 users per client.
    pub max_users: usize,
}

impl Config {
    pub const DEFAULT_API_KEY: &'static str = "sandbox-api-key";
    pub const DEFAULT_CLIENT_ID: &'static str = "sandbox-client-id";

    pub fn new(api_key: impl Into<String>, client_id: impl Into<String>) -> Self {
        Config {
            api_key: api_key.into(),
            client_id: client_id.into(),
            max_users: 100,
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
    store: store::Store,
}

/// The whole API as an axum router, with its own fresh state.
pub fn router(config: Config) -> Router {
    let state = Arc::new(AppState {
        config,
        store: store::Store::default(),
    });
    Router::new()
        .route("/users", get(users::list).post(users::create))
        .route(
            "/users/{user_guid}",
            get(users::read).put(users::update).delete(users::delete),
        )
        .route("/institutions", get(institutions::list))
        .route("/institutions/{institution_code}", get(institutions::read))
        .route(
            "/institutions/{institution_code}/credentials",
            get(institutions::read_credentials),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("No such endpoint.".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("This endpoint does not take that method.".into())
}

/// The key pair first (401, as the real API answers), then the API version in `Accept` (406).
async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let key_ok = header_is(headers, "mx-api-key", &state.config.api_key);
    let client_ok = header_is(headers, "mx-client-id", &state.config.client_id);
    if !(key_ok && client_ok) {
        return ApiError::Unauthorized.into_response();
    }
    if !accepts_v1_json(headers) {
        return ApiError::NotAcceptable.into_response();
    }
    next.run(request).await
}

fn header_is(headers: &HeaderMap, name: &str, want: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want)
}

/// The vendor type is what the reference asks for; MX's own node client sent plain
/// `application/json` and was served, so that (and no `Accept` at all) is taken too.
fn accepts_v1_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|part| {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(
            media.as_str(),
            "application/vnd.mx.atrium.v1+json" | "application/json" | "application/*" | "*/*" | ""
        )
    })
}

/// Serves the sandbox on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config))
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_header_rules() {
        let mut h = HeaderMap::new();
        assert!(accepts_v1_json(&h));
        for ok in [
            "application/vnd.mx.atrium.v1+json",
            "application/json",
            "text/html, */*;q=0.1",
            "application/JSON; charset=utf-8",
        ] {
            h.insert(header::ACCEPT, HeaderValue::from_static(ok));
            assert!(accepts_v1_json(&h), "{ok}");
        }
        for bad in [
            "application/vnd.mx.atrium.v2+json",
            "text/html",
            "application/vnd.mx.atrium.v1+pdf",
        ] {
            h.insert(header::ACCEPT, HeaderValue::from_static(bad));
            assert!(!accepts_v1_json(&h), "{bad}");
        }
    }
}
