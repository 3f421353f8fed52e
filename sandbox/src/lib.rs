//! atrium-sandbox: an offline simulator of the MX Atrium API, faithful to `shared/atrium-api.md`,
//! so that a client written for the real API (vestibule) works against it unchanged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tokio::net::TcpListener;

mod accounts;
mod body;
mod cleanse;
pub mod clock;
mod control;
mod data;
pub mod error;
mod guid;
pub mod institutions;
pub mod logins;
pub mod logos;
mod member;
mod members;
mod merchants;
mod oauth;
mod paging;
mod public;
mod seed;
mod store;
mod users;
pub mod webhooks;
mod widget;

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
    store: store::Store,
    clock: clock::Clock,
    faults: control::Faults,
}

/// The whole API as an axum router, with its own fresh state.
pub fn router(config: Config) -> Router {
    let hooks = config.webhooks.clone();
    let state = Arc::new(AppState {
        config,
        store: store::Store::default(),
        clock: clock::Clock::default(),
        faults: control::Faults::default(),
    });
    if let Some(hooks) = hooks.filter(|h| !h.urls.is_empty()) {
        webhooks::spawn(Arc::downgrade(&state), hooks);
    }
    const M: &str = "/users/{user_guid}/members/{member_guid}";
    let member = |rest: &str| format!("{M}{rest}");
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
        .route(
            "/users/{user_guid}/members",
            get(members::list).post(members::create),
        )
        .route(
            M,
            get(members::read)
                .put(members::update)
                .delete(members::delete),
        )
        .route(&member("/aggregate"), post(members::aggregate))
        .route(&member("/balance"), post(members::balance))
        .route(&member("/verify"), post(members::verify))
        .route(&member("/identify"), post(members::identify))
        .route(&member("/extend_history"), post(members::extend_history))
        .route(
            &member("/fetch_statements"),
            post(members::fetch_statements),
        )
        .route(&member("/status"), get(members::status))
        .route(&member("/challenges"), get(members::challenges))
        .route(&member("/resume"), put(members::resume))
        .route(&member("/credentials"), get(members::credentials))
        .route(&member("/oauth_window_uri"), get(members::oauth_window_uri))
        .route(&member("/accounts"), get(accounts::list_member_accounts))
        .route(
            &member("/accounts/{account_guid}"),
            get(accounts::read_member_account),
        )
        .route(
            &member("/transactions"),
            get(accounts::list_member_transactions),
        )
        .route(&member("/holdings"), get(accounts::list_member_holdings))
        .route(
            &member("/account_numbers"),
            get(accounts::member_account_numbers),
        )
        .route(&member("/account_owners"), get(accounts::account_owners))
        .route(&member("/statements"), get(accounts::list_statements))
        .route(
            &member("/statements/{statement}"),
            get(accounts::read_statement),
        )
        .route(
            "/users/{user_guid}/accounts",
            get(accounts::list_user_accounts),
        )
        .route(
            "/users/{user_guid}/accounts/{account_guid}",
            get(accounts::read_account),
        )
        .route(
            "/users/{user_guid}/accounts/{account_guid}/transactions",
            get(accounts::list_account_transactions),
        )
        .route(
            "/users/{user_guid}/accounts/{account_guid}/holdings",
            get(accounts::list_account_holdings),
        )
        .route(
            "/users/{user_guid}/accounts/{account_guid}/account_numbers",
            get(accounts::account_account_numbers),
        )
        .route(
            "/users/{user_guid}/transactions",
            get(accounts::list_user_transactions),
        )
        .route(
            "/users/{user_guid}/transactions/{transaction_guid}",
            get(accounts::read_transaction),
        )
        .route(
            "/users/{user_guid}/holdings",
            get(accounts::list_user_holdings),
        )
        .route(
            "/users/{user_guid}/holdings/{holding_guid}",
            get(accounts::read_holding),
        )
        .route(
            "/users/{user_guid}/connect_widget_url",
            post(widget::connect_widget_url),
        )
        .route(
            "/transactions/cleanse_and_categorize",
            post(cleanse::cleanse_and_categorize),
        )
        .route("/merchants", get(merchants::list))
        .route("/merchants/{merchant_guid}", get(merchants::read))
        .route(
            "/merchants/{merchant_guid}/merchant_locations",
            get(merchants::list_locations),
        )
        .route(
            "/merchants/{merchant_guid}/merchant_locations/{location_guid}",
            get(merchants::read_location),
        )
        .route(
            "/_sandbox/clock",
            get(control::read_clock).post(control::change_clock),
        )
        .route(
            "/_sandbox/faults",
            get(control::list_faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/_sandbox/reset", post(control::reset))
        .route(
            "/_sandbox/history/{user_guid}/{member_guid}",
            get(members::history),
        )
        .route(
            "/oauth/window/{user_guid}/{member_guid}",
            get(oauth::window),
        )
        .route(
            "/oauth/window/{user_guid}/{member_guid}/authorize",
            post(oauth::authorize),
        )
        .route(
            "/oauth/window/{user_guid}/{member_guid}/deny",
            post(oauth::deny),
        )
        .route("/logos/{*file}", get(logos::serve))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            control::inject,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("No such endpoint.".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("This endpoint does not take that method.".into())
}

/// The key pair first (401, as the real API answers), then the API version in `Accept` (406).
/// The OAuth window and the logos are opened by an end user's browser, so they are exempt.
async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/oauth/window/") || path.starts_with("/logos/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let key_ok = header_is(headers, "mx-api-key", &state.config.api_key);
    let client_ok = header_is(headers, "mx-client-id", &state.config.client_id);
    if !(key_ok && client_ok) {
        return ApiError::Unauthorized.into_response();
    }
    // The statement PDF has its own Accept type, checked where it is served.
    if !request.uri().path().ends_with(".pdf") && !accepts_v1_json(headers) {
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
    accepts(
        headers,
        &[
            "application/vnd.mx.atrium.v1+json",
            "application/json",
            "application/*",
            "*/*",
            "",
        ],
    )
}

/// Whether the `Accept` header names one of `media` (matched without parameters, any case);
/// no header accepts anything, an unreadable one nothing.
pub(crate) fn accepts(headers: &HeaderMap, media: &[&str]) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|part| {
        let given = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media.contains(&given.as_str())
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
