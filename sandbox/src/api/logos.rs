//! `GET /logos/{*file}`: the generated logos, served without a key pair (an `<img>` sends none).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::sim::logos::render;

/// `GET /logos/{*file}`: public like the OAuth window (an `<img>` sends no key pair).
pub async fn serve(Path(file): Path<String>) -> Response {
    match render(&file) {
        Some(body) => (StatusCode::OK, headers(), body).into_response(),
        None => (StatusCode::NOT_FOUND, "no such logo").into_response(),
    }
}

/// What an image answer carries: its type, a day of caching (a logo never changes), and a
/// policy that keeps an SVG opened on its own from running anything.
pub fn headers() -> [(header::HeaderName, &'static str); 4] {
    [
        (header::CONTENT_TYPE, "image/svg+xml"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
    ]
}
