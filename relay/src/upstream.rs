//! The Atrium API behind the relay: where it is, the key pair the relay adds to each call, and
//! how many calls may be in flight to it at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::Method;
use tokio::sync::Semaphore;

use crate::error::RelayError;
use crate::metrics;

/// The vendor media types that select version 1 of the Atrium API.
pub const ATRIUM_JSON: &str = "application/vnd.mx.atrium.v1+json";
pub const ATRIUM_PDF: &str = "application/vnd.mx.atrium.v1+pdf";

#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    /// Parsed once: each call only sets its path and query on a copy, rather than
    /// parsing a whole URL (host, IDNA) again (profiled: a few % of the relay's time).
    base_url: reqwest::Url,
    api_key: String,
    client_id: String,
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
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
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
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(RelayError::InvalidInput(format!(
                "The upstream {base:?} is not an http(s) URL."
            )));
        }
        let base_url = reqwest::Url::parse(&base).map_err(|e| {
            RelayError::InvalidInput(format!("The upstream {base:?} is not a URL: {e}."))
        })?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(limits.timeout))
            .timeout(limits.timeout)
            .pool_max_idle_per_host(limits.max_in_flight)
            // The relay follows no redirects: a redirect upstream would carry the key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| RelayError::Upstream(e.to_string()))?;
        Ok(Upstream {
            client,
            base_url,
            api_key,
            client_id,
            timeout: limits.timeout,
            slots: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
        })
    }

    pub fn base(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
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
        let mut url = self.base_url.clone();
        if url.path() == "/" {
            url.set_path(path);
        } else {
            url.set_path(&format!("{}{path}", url.path()));
        }
        url.set_query(query);
        let started = Instant::now();
        let reply = self.exchange(method, url, body, pdf).await;
        metrics::upstream(started.elapsed(), reply.as_ref().map(|r| r.status));
        reply
    }

    async fn exchange(
        &self,
        method: Method,
        url: reqwest::Url,
        body: Option<Bytes>,
        pdf: bool,
    ) -> Result<Reply, RelayError> {
        let _slot = tokio::time::timeout(self.timeout / 2, self.slots.acquire())
            .await
            .map_err(|_| RelayError::Busy)?
            .map_err(|_| RelayError::Busy)?;
        let mut request = self
            .client
            .request(method, url)
            .header("MX-API-Key", &self.api_key)
            .header("MX-Client-ID", &self.client_id)
            .header("Accept", if pdf { ATRIUM_PDF } else { ATRIUM_JSON });
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| self.failed(e))?;
        self.reply(response).await
    }

    /// Sending and reading the answer fail alike: both count against the same timeout.
    fn failed(&self, e: reqwest::Error) -> RelayError {
        if e.is_timeout() {
            RelayError::UpstreamTimeout(self.timeout.as_millis() as u64)
        } else {
            RelayError::Upstream(describe(&e))
        }
    }

    async fn reply(&self, response: reqwest::Response) -> Result<Reply, RelayError> {
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let body = response.bytes().await.map_err(|e| self.failed(e))?;
        match status {
            401 => Err(RelayError::UpstreamAuth),
            500..=599 => Err(RelayError::UpstreamError(status)),
            _ => Ok(Reply {
                status,
                content_type,
                retry_after,
                body,
            }),
        }
    }
}

/// The error without the URL reqwest puts in it (the upstream's address is not the
/// browser's business).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    kind.to_string()
}
