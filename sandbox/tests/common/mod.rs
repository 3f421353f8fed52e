//! A sandbox on a loopback port and a client for it, shared by the HTTP test files.
#![allow(dead_code)]

use atrium_sandbox::Config;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

pub const KEY: &str = "test-key";
pub const CLIENT: &str = "test-client";
pub const USERNAME_GUID: &str = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1";
pub const PASSWORD_GUID: &str = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d";

pub struct Sandbox {
    pub base: String,
    pub http: Client,
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::with(Config::new(KEY, CLIENT)).await
    }

    pub async fn with(config: Config) -> Self {
        let addr = atrium_sandbox::spawn(config).await.expect("a free port");
        Sandbox {
            base: format!("http://{addr}"),
            http: Client::new(),
        }
    }

    /// A sandbox whose transitions happen at once.
    pub async fn instant() -> Self {
        let sb = Self::start().await;
        sb.ok(
            Method::POST,
            "/_sandbox/clock",
            Some(json!({"transition_scale": 0})),
        )
        .await;
        sb
    }

    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("MX-API-Key", KEY)
            .header("MX-Client-ID", CLIENT)
            .header("Accept", "application/vnd.mx.atrium.v1+json")
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("the sandbox answers");
        let status = resp.status();
        let text = resp.text().await.expect("a body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// A call that must answer 200; its body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (s, v) = self.call(method.clone(), path, body).await;
        assert_eq!(s, StatusCode::OK, "{method} {path}: {v}");
        v
    }

    pub async fn get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None).await
    }

    pub async fn create_user(&self, identifier: &str) -> Value {
        self.ok(
            Method::POST,
            "/users",
            Some(json!({"user": {"identifier": identifier}})),
        )
        .await["user"]
            .clone()
    }

    pub async fn user(&self) -> String {
        let id = format!("u-{}", uuid_ish());
        self.create_user(&id).await["guid"]
            .as_str()
            .expect("a guid")
            .to_string()
    }

    pub async fn user_count(&self) -> u64 {
        self.get("/users").await["pagination"]["total_entries"]
            .as_u64()
            .expect("a count")
    }

    /// Creates an MX Bank member logging in with `test_atrium` and `password`.
    pub async fn member(&self, user: &str, password: &str) -> Value {
        let (s, v) = self
            .call(
                Method::POST,
                &format!("/users/{user}/members"),
                Some(mxbank(password)),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["member"].clone()
    }

    pub async fn status(&self, user: &str, member: &str) -> Value {
        self.get(&format!("/users/{user}/members/{member}/status"))
            .await["member"]
            .clone()
    }

    pub async fn advance(&self, seconds: u64) {
        self.ok(
            Method::POST,
            "/_sandbox/clock",
            Some(json!({"advance_seconds": seconds})),
        )
        .await;
    }
}

pub fn mxbank(password: &str) -> Value {
    json!({"member": {"institution_code": "mxbank", "credentials": [
        {"guid": USERNAME_GUID, "value": "test_atrium"},
        {"guid": PASSWORD_GUID, "value": password},
    ]}})
}

pub fn error_message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("an error body {{\"error\": {{\"message\"}}}}: {v}"))
}

fn uuid_ish() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
