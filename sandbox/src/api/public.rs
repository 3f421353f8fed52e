//! Where browsers reach this sandbox: the base of OAuth window URIs and of logo URLs.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
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

/// [`logo_base`] as an extractor, for the handlers that need nothing else of the state.
pub struct LogoBase(pub String);

impl FromRequestParts<Arc<AppState>> for LogoBase {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<AppState>) -> Result<Self, Infallible> {
        Ok(LogoBase(logo_base(s, &parts.headers)))
    }
}
