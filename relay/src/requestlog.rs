//! One id per request, echoed in `x-request-id` and on its log line. The log line holds the
//! method, the path without its query, the status and the time taken: never a header, a
//! body or a query, so tokens, keys, credentials and MFA answers cannot reach the logs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A process-unique id: a random prefix (so instances differ) and a counter.
fn next_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        u32::from_le_bytes(b)
    });
    format!("{prefix:08x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub async fn layer(request: Request, next: Next) -> Response {
    let id = next_id();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    tracing::info!(
        request_id = %id,
        %method,
        path = %path,
        status,
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}
