//! A relay in front of a real sandbox on loopback, and a client whose every answer is
//! checked for the key pair: no response may ever carry it.
#![allow(dead_code)]

pub mod idp;
mod process;
mod redis_server;
mod sse;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use atrium_relay::{AppState, Config, Limits, SigningKey, Upstream, Verifier};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const API_KEY: &str = "relay-test-key-5b1f9c";
pub const CLIENT_ID: &str = "relay-test-client-8e2d4a";
pub const SIGNING_KEY: &[u8; 32] = b"relay-tests-signing-key-32-bytes";

// Each test file takes what it needs of these.
#[allow(unused_imports)]
pub use process::{start, Reaped, Running};
#[allow(unused_imports)]
pub use redis_server::{redis_server, RedisServer};
#[allow(unused_imports)]
pub use sse::{read_events, status_of, Sse};

pub struct Relay {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub sandbox: String,
    pub http: Client,
    pub key: SigningKey,
}

pub async fn sandbox() -> String {
    let addr = atrium_sandbox::spawn(atrium_sandbox::Config::new(API_KEY, CLIENT_ID))
        .await
        .expect("a port");
    format!("http://{addr}")
}

/// The key every relay of the tests signs its tokens with, as instances of one deployment do.
pub fn signing_key() -> SigningKey {
    SigningKey::new(SIGNING_KEY.to_vec()).expect("a key")
}

/// The sandbox at `url` as a relay's upstream, with the test key pair and default limits.
pub fn upstream(url: &str) -> Upstream {
    Upstream::new(url, API_KEY.into(), CLIENT_ID.into()).expect("an upstream")
}

pub async fn start_at(config: Config, upstream: &str, upstream_key: &str, limits: Limits) -> Relay {
    let up = Upstream::with_limits(upstream, upstream_key.into(), CLIENT_ID.into(), limits)
        .expect("an upstream");
    start_verified(config, up, signing_key().into()).await
}

/// A relay that admits the tokens `verifier` accepts.
pub async fn start_verified(config: Config, up: Upstream, verifier: Verifier) -> Relay {
    let sandbox = up.base().to_string();
    let state = AppState::new(config, up, verifier);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(atrium_relay::serve(listener, state, std::future::pending()));
    Relay {
        base: format!("http://{addr}"),
        addr,
        sandbox,
        http: Client::new(),
        key: signing_key(),
    }
}

/// A sandbox-mode relay whose upstream calls have these `limits`.
pub async fn start_limited(limits: Limits) -> Relay {
    start_at(open_config(), &sandbox().await, API_KEY, limits).await
}

pub async fn start_with(config: Config) -> Relay {
    let sb = sandbox().await;
    start_at(config, &sb, API_KEY, Limits::default()).await
}

/// Sandbox mode without a rate limit (the suites send many requests per token).
pub fn open_config() -> Config {
    Config {
        open_sessions: true,
        rate: None,
        ..Config::default()
    }
}

pub struct Session {
    pub token: String,
    pub user_guid: String,
}

impl Session {
    /// A path under the session's own user.
    pub fn at(&self, rest: &str) -> String {
        format!("/atrium/users/{}{rest}", self.user_guid)
    }
}

/// Panics if the response carries the key pair anywhere.
pub fn assert_no_leak(headers: &reqwest::header::HeaderMap, body: &str, what: &str) {
    for secret in [API_KEY, CLIENT_ID] {
        assert!(
            !body.contains(secret),
            "{what}: the body carries a key: {body}"
        );
        for (name, value) in headers {
            let v = value.to_str().unwrap_or("");
            assert!(
                !v.contains(secret) && !name.as_str().contains(secret),
                "{what}: a header carries a key"
            );
        }
    }
}

impl Relay {
    pub async fn session(&self, name: &str) -> Session {
        let (s, v) = self
            .send(
                Method::POST,
                "/session",
                None,
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        Session {
            token: v["token"].as_str().expect("a token").into(),
            user_guid: v["user_guid"].as_str().expect("a guid").into(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("the relay answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a body");
        assert_no_leak(&headers, &text, &format!("{method} {path}"));
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        self.send(method, path, token, None).await
    }

    /// A token of this relay's own key for `user_guid` that expired long ago.
    pub fn expired_token(&self, user_guid: &str) -> String {
        let issued = SystemTime::now() - Duration::from_secs(7200);
        let minted = self.key.mint_at(user_guid, Duration::from_secs(60), issued);
        minted.expect("a token").token
    }

    /// A GET with the session's token.
    pub async fn get(&self, path: &str, session: &Session) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(&session.token)).await
    }

    /// A GET with `token` if any; its response as it came, for its headers.
    pub async fn get_raw(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        get_as(&self.http, &format!("{}{path}", self.base), token).await
    }

    /// Calls the sandbox behind the relay directly (test controls).
    pub async fn sandbox_call(&self, method: Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.sandbox))
            .header("MX-API-Key", API_KEY)
            .header("MX-Client-ID", CLIENT_ID)
            .json(&body)
            .send()
            .await
            .expect("the sandbox answers");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    /// Injects a fault into the sandbox behind the relay.
    pub async fn inject(&self, fault: Value) {
        self.sandbox_call(Method::POST, "/_sandbox/faults", fault)
            .await;
    }

    pub async fn instant(&self) {
        self.sandbox_call(
            Method::POST,
            "/_sandbox/clock",
            json!({"transition_scale": 0}),
        )
        .await;
    }

    /// A request written byte for byte, for paths an HTTP client would tidy up first.
    pub async fn raw(&self, request_line: &str, extra_headers: &str) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connects");
        let req = format!(
            "{request_line}\r\nHost: {}\r\n{extra_headers}Connection: close\r\n\r\n",
            self.addr
        );
        s.write_all(req.as_bytes()).await.expect("writes");
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.expect("reads");
        let head = String::from_utf8_lossy(&out);
        for secret in [API_KEY, CLIENT_ID] {
            assert!(!head.contains(secret), "a raw answer carries a key");
        }
        head.split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

pub fn code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error body with a code: {v}"))
}

pub fn mxbank(password: &str) -> Value {
    json!({"member": {"institution_code": "mxbank", "credentials": [
        {"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium"},
        {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": password},
    ]}})
}

pub type Shared = Arc<Relay>;

/// A GET on the sandbox itself, with the key pair (test controls, setup).
pub async fn sandbox_get(http: &Client, sandbox: &str, path: &str) -> Value {
    http.get(format!("{sandbox}{path}"))
        .header("MX-API-Key", API_KEY)
        .header("MX-Client-ID", CLIENT_ID)
        .send()
        .await
        .expect("the sandbox answers")
        .json()
        .await
        .expect("JSON")
}

/// Waits until every injected fault is spent: a one-shot fault is spent once the sandbox has
/// the request it matched, which is then in flight.
pub async fn wait_faults_spent(http: &Client, sandbox: &str) {
    for _ in 0..400 {
        let faults = sandbox_get(http, sandbox, "/_sandbox/faults").await;
        if faults["faults"].as_array().is_some_and(|f| f.is_empty()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the request never reached the sandbox");
}

/// A sandbox that sends its webhooks, signed with `secret`, to the relay listening at
/// `receiver`; its transitions at a twentieth of real pace. Returns its base URL.
pub async fn pushing_sandbox(receiver: std::net::SocketAddr, secret: &str) -> String {
    let config = atrium_sandbox::Config {
        webhooks: Some(atrium_sandbox::webhooks::WebhookConfig {
            urls: vec![format!("http://{receiver}/webhooks/atrium")],
            secret: secret.into(),
        }),
        ..atrium_sandbox::Config::new(API_KEY, CLIENT_ID)
    };
    let sandbox = format!(
        "http://{}",
        atrium_sandbox::spawn(config).await.expect("a port")
    );
    let r = Client::new()
        .post(format!("{sandbox}/_sandbox/clock"))
        .header("MX-API-Key", API_KEY)
        .header("MX-Client-ID", CLIENT_ID)
        .json(&json!({ "transition_scale": 0.05 }))
        .send()
        .await
        .expect("the sandbox answers");
    assert!(r.status().is_success());
    sandbox
}

/// A GET of `url` with `token` if any; the response as it came.
pub async fn get_as(http: &Client, url: &str, token: Option<&str>) -> reqwest::Response {
    let mut r = http.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.expect("the relay answers")
}

/// A POST of `body` to `url` with `token` if any; the JSON answer.
pub async fn post_json(url: &str, token: Option<&str>, body: &Value) -> Value {
    let mut r = Client::new().post(url).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let answer = r.send().await.expect("the relay answers");
    answer.json().await.expect("JSON")
}

/// `POST {base}/session` on a sandbox-mode relay: (token, user GUID).
pub async fn open_session(base: &str, name: &str) -> (String, String) {
    let v = post_json(&format!("{base}/session"), None, &json!({ "name": name })).await;
    (
        v["token"].as_str().expect("a token").into(),
        v["user_guid"].as_str().expect("a user").into(),
    )
}

/// An MX Bank member logging in as `test_atrium` with `password`, created through the relay
/// at `base`; its GUID.
pub async fn create_member_at(base: &str, token: &str, user: &str, password: &str) -> String {
    let url = format!("{base}/atrium/users/{user}/members");
    let v = post_json(&url, Some(token), &mxbank(password)).await;
    v["member"]["guid"].as_str().expect("a member").to_string()
}
