//! Where browsers reach this sandbox: the base of OAuth window URIs and of logo URLs.

use axum::http::HeaderMap;

use crate::AppState;

/// The configured public URL, or this request's host.
pub fn base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Where logos are served: the configured logo URL (a relay in sandbox mode serves them on
/// its own origin), or `/logos` under [`base`].
pub fn logo_base(state: &AppState, headers: &HeaderMap) -> String {
    match &state.config.logo_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("{}/logos", base(state, headers)),
    }
}
