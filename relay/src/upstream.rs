//! The Atrium API behind the relay: where it is, and the key pair the relay adds to each call.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::Method;

use crate::error::RelayError;

/// The vendor media type that selects version 1 of the Atrium API.
pub const ATRIUM_JSON: &str = "application/vnd.mx.atrium.v1+json";

#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: String,
    api_key: String,
    client_id: String,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key pair.
        f.debug_struct("Upstream")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// What came back from upstream, reduced to what the relay passes on.
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Upstream {
    pub fn new(base: &str, api_key: String, client_id: String) -> Result<Self, RelayError> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(RelayError::InvalidInput(format!(
                "The upstream {base:?} is not an http(s) URL."
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            // The relay follows no redirects: a redirect upstream would carry the key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| RelayError::Upstream(e.to_string()))?;
        Ok(Upstream {
            client,
            base,
            api_key,
            client_id,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends one request with the key pair and the Atrium `Accept` header.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<Bytes>,
    ) -> Result<Reply, RelayError> {
        let mut url = format!("{}{}", self.base, path);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        let mut request = self
            .client
            .request(method, url)
            .header("MX-API-Key", &self.api_key)
            .header("MX-Client-ID", &self.client_id)
            .header("Accept", ATRIUM_JSON);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| RelayError::Upstream(e.to_string()))?;
        let status = response.status().as_u16();
        if status == 401 {
            return Err(RelayError::UpstreamAuth);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .bytes()
            .await
            .map_err(|e| RelayError::Upstream(e.to_string()))?;
        Ok(Reply {
            status,
            content_type,
            body,
        })
    }
}
