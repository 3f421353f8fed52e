//! Each request's id (echoed in `x-request-id`), its log line and its count, as one layer.
//!
//! The log line holds the method, the path without its query, the status and the time taken:
//! never a header, a body or a query, so tokens, keys, credentials and MFA answers cannot
//! reach the logs. The count is by route template (never the path: GUIDs would make a series
//! per user), method and status.
//!
//! Written as a tower service rather than two `middleware::from_fn`s: each of those boxed a
//! future and cloned the inner service for every request, which callgrind showed on the
//! relay's hot path (BENCHMARKS.md).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

/// Puts [`Observe`] around a service.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObserveLayer;

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner }
    }
}

/// Gives each request an id, logs it and counts it once its answer is ready.
#[derive(Clone, Debug)]
pub struct Observe<S> {
    inner: S,
}

impl<S> Service<Request> for Observe<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Observed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let seen = Seen::of(&request);
        Observed {
            inner: self.inner.call(request),
            seen: Some(seen),
        }
    }
}

pin_project! {
    /// The inner service's answer, observed as it completes.
    pub struct Observed<F> {
        #[pin]
        inner: F,
        seen: Option<Seen>,
    }
}

impl<F, E> Future for Observed<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut result = ready!(this.inner.poll(cx));
        if let (Ok(response), Some(seen)) = (&mut result, this.seen.take()) {
            seen.finish(response);
        }
        Poll::Ready(result)
    }
}

/// What is known of a request before it is answered.
pub struct Seen {
    id: RequestId,
    started: Instant,
    route: String,
    method: &'static str,
    /// The method and path as sent, only kept when the log line will be written.
    logged: Option<(Method, String)>,
}

impl Seen {
    fn of(request: &Request) -> Seen {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
        Seen {
            id: RequestId::next(),
            started: Instant::now(),
            route,
            method: method_label(request.method()),
            logged: tracing::enabled!(tracing::Level::INFO)
                .then(|| (request.method().clone(), request.uri().path().into())),
        }
    }

    fn finish(self, response: &mut Response) {
        let status = response.status().as_u16();
        crate::metrics::request(self.route, self.method, status);
        if let Some((method, path)) = &self.logged {
            tracing::info!(
                request_id = %self.id.as_str(),
                %method,
                path = %path,
                status,
                micros = self.started.elapsed().as_micros() as u64,
                "request"
            );
        }
        if let Ok(v) = HeaderValue::from_bytes(self.id.as_bytes()) {
            response.headers_mut().insert("x-request-id", v);
        }
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// A process-unique id: a random prefix (so instances differ), a dash and a counter, in hex.
/// Written by hand into a fixed buffer: `format!` cost more than the rest of this layer.
struct RequestId {
    bytes: [u8; 25],
    len: usize,
}

impl RequestId {
    fn next() -> RequestId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        static PREFIX: OnceLock<u32> = OnceLock::new();
        let prefix = *PREFIX.get_or_init(|| {
            let mut b = [0u8; 4];
            let _ = getrandom::fill(&mut b);
            u32::from_le_bytes(b)
        });
        RequestId::from_parts(prefix, NEXT.fetch_add(1, Ordering::Relaxed))
    }

    fn from_parts(prefix: u32, n: u64) -> RequestId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bytes = [0u8; 25];
        for (i, b) in bytes[..8].iter_mut().enumerate() {
            *b = HEX[(prefix >> (28 - 4 * i) & 0xf) as usize];
        }
        bytes[8] = b'-';
        let digits = (16 - n.leading_zeros() as usize / 4).max(1);
        for i in 0..digits {
            bytes[9 + i] = HEX[(n >> (4 * (digits - 1 - i)) & 0xf) as usize];
        }
        RequestId {
            bytes,
            len: 9 + digits,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn as_str(&self) -> &str {
        // Only ASCII hex digits and a dash are ever written.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn ids_read_as_prefix_dash_counter_in_hex() {
        for (prefix, n) in [(0, 0), (0xdeadbeef, 1), (0x0000_00ff, 0x1f), (7, u64::MAX)] {
            let id = RequestId::from_parts(prefix, n);
            assert_eq!(id.as_str(), format!("{prefix:08x}-{n:x}"));
        }
    }
}
