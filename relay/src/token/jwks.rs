//! The partner's identity provider: its JWKS fetched, cached, refreshed on an unknown `kid`.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::{claims, peek, Claims, Expect, TokenError};

/// A key set larger than this is refused: a provider publishes a handful.
const MAX_BODY_BYTES: usize = 256 * 1024;
const MAX_KEYS: usize = 64;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the keys are and what their tokens must say.
#[derive(Debug, Clone)]
pub struct JwksConfig {
    pub url: String,
    /// Both required: an identity provider signs tokens for many applications.
    pub issuer: String,
    pub audience: String,
    /// The claim holding the Atrium user GUID.
    pub user_claim: String,
    /// The bound: an unknown `kid` fetches the keys again at most this often, so that
    /// made-up `kid`s cannot make the relay hammer the provider.
    pub min_refresh: Duration,
    /// Keys older than this are fetched again when next used (a provider rotates).
    pub max_age: Duration,
}

impl JwksConfig {
    pub fn new(url: String, issuer: String, audience: String) -> Self {
        JwksConfig {
            url,
            issuer,
            audience,
            user_claim: "sub".into(),
            min_refresh: Duration::from_secs(30),
            max_age: Duration::from_secs(3600),
        }
    }
}

struct Key {
    alg: Algorithm,
    key: DecodingKey,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Key>,
    fetched: Option<Instant>,
}

/// Verifies tokens with the identity provider's current keys.
pub struct Jwks {
    config: JwksConfig,
    expect: Expect,
    http: reqwest::Client,
    cache: RwLock<Cache>,
    /// Held while fetching (one fetch at a time); holds when the last fetch began.
    refreshing: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Value>,
}

impl Jwks {
    pub fn new(config: JwksConfig) -> Result<Self, TokenError> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| TokenError::KeysUnavailable(e.to_string()))?;
        Ok(Jwks {
            expect: Expect {
                audience: Some(config.audience.clone()),
                issuer: Some(config.issuer.clone()),
            },
            config,
            http,
            cache: RwLock::new(Cache::default()),
            refreshing: Mutex::new(None),
        })
    }

    /// Fetches the keys now (at start-up), so that the first browser does not wait.
    pub async fn prefetch(&self) -> Result<usize, TokenError> {
        self.refresh(false).await
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = peek(token)?;
        let alg = match header.alg.as_str() {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            _ => return Err(TokenError::Algorithm(header.alg)),
        };
        let kid = header.kid.ok_or(TokenError::UnknownKey(None))?;
        if self.needs_fetch(&kid) {
            self.refresh(true).await?;
        }
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        let key = cache
            .keys
            .get(&kid)
            .ok_or_else(|| TokenError::UnknownKey(Some(kid.clone())))?;
        if key.alg != alg {
            // An RSA key's kid on an ES256 token, or the reverse: never verify across kinds.
            return Err(TokenError::Algorithm(header.alg));
        }
        let validation = self.expect.validation(alg);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)?;
        claims(data.claims, &self.config.user_claim)
    }

    fn needs_fetch(&self, kid: &str) -> bool {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        let stale = cache
            .fetched
            .is_none_or(|at| at.elapsed() >= self.config.max_age);
        stale || !cache.keys.contains_key(kid)
    }

    /// Fetches the key set unless one was fetched within the bound. A failed fetch keeps
    /// the keys there were; with none at all, tokens cannot be checked (503, retryable).
    async fn refresh(&self, bounded: bool) -> Result<usize, TokenError> {
        let mut last = self.refreshing.lock().await;
        let recent = last.is_some_and(|at| at.elapsed() < self.config.min_refresh);
        if !(bounded && recent) {
            *last = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
                    *cache = Cache {
                        keys,
                        fetched: Some(Instant::now()),
                    };
                }
                Err(e) => {
                    tracing::warn!(url = %self.config.url, error = %e, "JWKS fetch failed");
                    if self.is_empty() {
                        return Err(e);
                    }
                }
            }
        }
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        match cache.fetched {
            Some(_) => Ok(cache.keys.len()),
            None => Err(TokenError::KeysUnavailable("not fetched yet".into())),
        }
    }

    fn is_empty(&self) -> bool {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache.fetched.is_none()
    }

    async fn fetch(&self) -> Result<HashMap<String, Key>, TokenError> {
        let unavailable = |e: &dyn std::fmt::Display| TokenError::KeysUnavailable(e.to_string());
        let mut response = self
            .http
            .get(&self.config.url)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        if !response.status().is_success() {
            return Err(unavailable(&format!("HTTP {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| unavailable(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY_BYTES {
                return Err(unavailable(&format!("over {MAX_BODY_BYTES} bytes")));
            }
        }
        let set: KeySet = serde_json::from_slice(&body).map_err(|e| unavailable(&e))?;
        if set.keys.len() > MAX_KEYS {
            return Err(unavailable(&format!("over {MAX_KEYS} keys")));
        }
        Ok(set.keys.into_iter().filter_map(signing_key).collect())
    }
}

/// A JWK the relay can verify with: a signing key with a `kid`, RSA (RS256) or P-256
/// (ES256). Others (encryption keys, other curves) are passed over, not fatal.
fn signing_key(value: Value) -> Option<(String, Key)> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let (alg, named) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (Algorithm::RS256, KeyAlgorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            (Algorithm::ES256, KeyAlgorithm::ES256)
        }
        _ => return None,
    };
    if jwk.common.key_algorithm.is_some_and(|a| a != named) {
        return None;
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some((kid, Key { alg, key }))
}
