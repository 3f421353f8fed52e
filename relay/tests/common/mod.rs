//! A relay in front of a real sandbox on loopback, and a client whose every answer is
//! checked for the key pair: no response may ever carry it.
#![allow(dead_code)]

use std::sync::Arc;

use atrium_relay::{AppState, Config, Limits, SigningKey, Upstream};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const API_KEY: &str = "relay-test-key-5b1f9c";
pub const CLIENT_ID: &str = "relay-test-client-8e2d4a";
pub const SIGNING_KEY: &[u8; 32] = b"relay-tests-signing-key-32-bytes";

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

pub async fn start_at(config: Config, upstream: &str, upstream_key: &str, limits: Limits) -> Relay {
    let key = SigningKey::new(SIGNING_KEY.to_vec()).expect("a key");
    let up = Upstream::with_limits(upstream, upstream_key.into(), CLIENT_ID.into(), limits)
        .expect("an upstream");
    let state = AppState::new(config, up, key.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(atrium_relay::serve(listener, state, std::future::pending()));
    Relay {
        base: format!("http://{addr}"),
        addr,
        sandbox: upstream.to_string(),
        http: Client::new(),
        key,
    }
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

/// `POST {base}/session` on a sandbox-mode relay: (token, user GUID).
pub async fn open_session(base: &str, name: &str) -> (String, String) {
    let v: Value = Client::new()
        .post(format!("{base}/session"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("the relay answers")
        .json()
        .await
        .expect("JSON");
    (
        v["token"].as_str().expect("a token").into(),
        v["user_guid"].as_str().expect("a user").into(),
    )
}

/// An MX Bank member logging in as `test_atrium` with `password`, created through the relay
/// at `base`; its GUID.
pub async fn create_member_at(base: &str, token: &str, user: &str, password: &str) -> String {
    let v: Value = Client::new()
        .post(format!("{base}/atrium/users/{user}/members"))
        .bearer_auth(token)
        .json(&mxbank(password))
        .send()
        .await
        .expect("the relay answers")
        .json()
        .await
        .expect("JSON");
    v["member"]["guid"].as_str().expect("a member").to_string()
}

/// One server-sent event; `data` parsed as JSON.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<String>,
    pub event: String,
    pub data: Value,
}

/// Reads server-sent events until `until` says stop (or the stream ends); heartbeats
/// (comment lines) are skipped. A 20 s guard turns a hang into a failure.
pub async fn read_events(
    response: reqwest::Response,
    mut until: impl FnMut(&Sse) -> bool,
) -> Vec<Sse> {
    use futures_util::StreamExt;
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    let mut out = Vec::new();
    let read = async {
        while let Some(chunk) = bytes.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.expect("a chunk")));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    id: None,
                    event: "message".into(),
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().into());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                event.data = serde_json::from_str(&data).expect("JSON data");
                let done = until(&event);
                out.push(event);
                if done {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), read)
        .await
        .expect("the stream stalled");
    out
}

/// The connection status a `status` event names ("" for other events).
pub fn status_of(e: &Sse) -> &str {
    e.data["connection_status"].as_str().unwrap_or("")
}
