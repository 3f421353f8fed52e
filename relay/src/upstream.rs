//! The Atrium API behind the relay: where it is, the key pair the relay adds to each call, and
//! how many calls may be in flight to it at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::uri::{Authority, PathAndQuery, Scheme};
use axum::http::{header, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use thread_local::ThreadLocal;
use tokio::sync::Semaphore;

use crate::error::RelayError;
use crate::metrics;

/// The vendor media types that select version 1 of the Atrium API.
pub const ATRIUM_JSON: &str = "application/vnd.mx.atrium.v1+json";
pub const ATRIUM_PDF: &str = "application/vnd.mx.atrium.v1+pdf";

/// hyper's pooled client rather than reqwest: profiled side by side (BENCHMARKS.md), reqwest's
/// URL handling, request building and per-call timer cost the relay 15-20 µs of CPU a
/// request, a sixth of all it spent. The relay needs none of what it adds (redirects are
/// refused, bodies are bytes), and keeps its own timeout around the whole exchange.
type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

#[derive(Clone)]
pub struct Upstream {
    /// A pool per thread: a request's upstream connection is then driven by the thread
    /// serving the request, never woken across threads (with `Workers::Threads`, measured:
    /// 0.79× → 0.83× nginx's throughput). The bound on calls in flight stays global.
    clients: Arc<ThreadLocal<HttpClient>>,
    limits: Limits,
    /// Read once: each call only joins its checked path and query to these.
    scheme: Scheme,
    authority: Authority,
    /// The base URL's own path ("" when it has none), which every call's path follows.
    prefix: String,
    base: String,
    api_key: HeaderValue,
    client_id: HeaderValue,
    timeout: Duration,
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key pair.
        f.debug_struct("Upstream")
            .field("base", &self.base())
            .finish_non_exhaustive()
    }
}

/// What came back from upstream, reduced to what the relay passes on.
pub struct Reply {
    pub status: u16,
    pub content_type: Option<HeaderValue>,
    pub retry_after: Option<HeaderValue>,
    pub body: Bytes,
}

/// How the relay talks to upstream.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A call that takes longer is answered 504.
    pub timeout: Duration,
    /// Calls in flight at once; more wait (up to half of `timeout`), then get 503.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_in_flight: 64,
        }
    }
}

impl Upstream {
    pub fn new(base: &str, api_key: String, client_id: String) -> Result<Self, RelayError> {
        Self::with_limits(base, api_key, client_id, Limits::default())
    }

    pub fn with_limits(
        base: &str,
        api_key: String,
        client_id: String,
        limits: Limits,
    ) -> Result<Self, RelayError> {
        let invalid = |why: &str| RelayError::InvalidInput(format!("The upstream {base:?} {why}."));
        let base = base.trim_end_matches('/');
        let uri: Uri = base.parse().map_err(|_| invalid("is not a URL"))?;
        let scheme = uri
            .scheme()
            .cloned()
            .filter(|s| *s == Scheme::HTTP || *s == Scheme::HTTPS);
        let (Some(scheme), Some(authority)) = (scheme, uri.authority().cloned()) else {
            return Err(invalid("is not an http(s) URL"));
        };
        if uri.query().is_some() {
            return Err(invalid("has a query"));
        }
        let header = |v: String, what: &str| {
            HeaderValue::from_str(&v).map_err(|_| {
                RelayError::InvalidInput(format!("The {what} is not a valid header value."))
            })
        };
        // Built once now, so that a TLS set-up that cannot work fails here, not on a call.
        let clients = ThreadLocal::new();
        clients.get_or_try(|| client(&limits))?;
        Ok(Upstream {
            clients: Arc::new(clients),
            limits,
            prefix: uri.path().trim_end_matches('/').to_string(),
            base: base.to_string(),
            scheme,
            authority,
            api_key: header(api_key, "API key")?,
            client_id: header(client_id, "client ID")?,
            timeout: limits.timeout,
            slots: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends one request with the key pair and the Atrium `Accept` header (the PDF one for
    /// statement downloads). Nothing of the browser's request but the checked path, query
    /// and body goes along: no cookie, no header of its own.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<Bytes>,
        pdf: bool,
    ) -> Result<Reply, RelayError> {
        let uri = self.uri(path, query)?;
        let started = Instant::now();
        let reply = self.exchange(method, uri, body, pdf).await;
        metrics::upstream(started.elapsed(), reply.as_ref().map(|r| r.status));
        reply
    }

    fn uri(&self, path: &str, query: Option<&str>) -> Result<Uri, RelayError> {
        let unsendable =
            || RelayError::BadRequest("The path or query cannot be sent upstream.".into());
        let path_and_query = match query {
            Some(q) => format!("{}{path}?{q}", self.prefix),
            None => format!("{}{path}", self.prefix),
        };
        let path_and_query = PathAndQuery::try_from(path_and_query).map_err(|_| unsendable())?;
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|_| unsendable())
    }

    async fn exchange(
        &self,
        method: Method,
        uri: Uri,
        body: Option<Bytes>,
        pdf: bool,
    ) -> Result<Reply, RelayError> {
        // A free slot is taken at once; a timer is only set up to wait for one.
        let _slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            Err(_) => tokio::time::timeout(self.timeout / 2, self.slots.acquire())
                .await
                .map_err(|_| RelayError::Busy)?
                .map_err(|_| RelayError::Busy)?,
        };
        let accept = HeaderValue::from_static(if pdf { ATRIUM_PDF } else { ATRIUM_JSON });
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("MX-API-Key", self.api_key.clone())
            .header("MX-Client-ID", self.client_id.clone())
            .header(header::ACCEPT, accept);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|_| RelayError::Upstream("the request failed".into()))?;
        // Sending and reading the answer count against the same timeout.
        tokio::time::timeout(self.timeout, self.round_trip(request))
            .await
            .map_err(|_| RelayError::UpstreamTimeout(self.timeout.as_millis() as u64))?
    }

    async fn round_trip(&self, request: Request<Full<Bytes>>) -> Result<Reply, RelayError> {
        let client = self.clients.get_or_try(|| client(&self.limits))?;
        let response = client.request(request).await.map_err(|e| {
            // The error without the upstream's address (not the browser's business).
            let what = if e.is_connect() {
                "could not connect"
            } else {
                "the request failed"
            };
            RelayError::Upstream(what.into())
        })?;
        let (parts, body) = response.into_parts();
        // Passed on as they came, when they are plain text.
        let header = |name| {
            parts
                .headers
                .get(name)
                .filter(|v: &&HeaderValue| v.to_str().is_ok())
                .cloned()
        };
        let content_type = header(header::CONTENT_TYPE);
        let retry_after = header(header::RETRY_AFTER);
        let body = body
            .collect()
            .await
            .map_err(|_| RelayError::Upstream("the answer broke off".into()))?
            .to_bytes();
        match parts.status.as_u16() {
            401 => Err(RelayError::UpstreamAuth),
            status @ 500..=599 => Err(RelayError::UpstreamError(status)),
            status => Ok(Reply {
                status,
                content_type,
                retry_after,
                body,
            }),
        }
    }
}

/// The pooled client: HTTP/1.1 over TCP or TLS (the web PKI's roots, built in so that the
/// relay needs nothing from the host), Nagle off as reqwest had it. A TCP connect that takes
/// over 5 s is a 502 `upstream_unavailable` (it could not connect); a TLS handshake that
/// stalls counts against the call's whole timeout. Like nginx, it reads no proxy settings
/// from the environment: the upstream is reached directly.
fn client(limits: &Limits) -> Result<HttpClient, RelayError> {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(Duration::from_secs(5).min(limits.timeout)));
    // The provider named, so that a second one compiled in later cannot make the choice
    // ambiguous (rustls would panic).
    let tls = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| RelayError::InvalidInput(format!("TLS could not be set up: {e}.")))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    Ok(Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(limits.max_in_flight)
        // Without a timer the pool never closes idle connections on its own.
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .build(tls))
}
