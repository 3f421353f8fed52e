//! The relay's routes: the token-bound API and its event streams, the webhook receiver,
//! sandbox sessions and logos, and the demo page and package under a strict policy.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{any, get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use crate::error::RelayError;
use crate::observe::ObserveLayer;
use crate::push::{stream, webhook};
use crate::state::AppState;
use crate::{proxy, session, SANDBOX_LOGOS};

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
        .route("/atrium/users/{user_guid}/events", get(stream::stream))
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
    // Around each route (and so outside CORS, whose preflight answers count too), so that
    // each request's route template is known when it is counted.
    router.layer(ObserveLayer)
}
