//! A sandbox on a loopback port and a client for it, shared by the HTTP test files.
#![allow(dead_code)]

mod read;

use atrium_sandbox::Config;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

pub const KEY: &str = "test-key";
pub const CLIENT: &str = "test-client";
pub const USERNAME_GUID: &str = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1";
pub const PASSWORD_GUID: &str = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d";

// Each test file takes what it needs of these.
#[allow(unused_imports)]
pub use read::{error_message, guid, items, state, texts};

pub struct Sandbox {
    pub base: String,
    pub http: Client,
    key: String,
    client: String,
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::with(Config::new(KEY, CLIENT)).await
    }

    pub async fn with(config: Config) -> Self {
        let (key, client) = (config.api_key.clone(), config.client_id.clone());
        let addr = atrium_sandbox::spawn(config).await.expect("a free port");
        Self::at(format!("http://{addr}"), &key, &client)
    }

    /// A sandbox already running at `base` (the command, say) with this key pair.
    pub fn at(base: String, key: &str, client: &str) -> Self {
        Sandbox {
            base,
            http: Client::new(),
            key: key.into(),
            client: client.into(),
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
            .header("MX-API-Key", &self.key)
            .header("MX-Client-ID", &self.client)
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
        // A refusal may be the framework's plain text; an answer is always JSON.
        let value = if text.is_empty() {
            Value::Null
        } else if status.is_success() {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
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

    /// A call that must answer `want`; its body.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        want: StatusCode,
    ) -> Value {
        let (s, v) = self.call(method.clone(), path, body).await;
        assert_eq!(s, want, "{method} {path}: {v}");
        v
    }

    pub async fn get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None).await
    }

    /// A GET that must answer `want`; its body.
    pub async fn get_expecting(&self, path: &str, want: StatusCode) -> Value {
        self.expect(Method::GET, path, None, want).await
    }

    /// Each of `queries` on `path` must be refused: 400, with an error body.
    pub async fn refuses_queries(&self, path: &str, queries: &[&str]) {
        for query in queries {
            let with_query = format!("{path}?{query}");
            let v = self
                .get_expecting(&with_query, StatusCode::BAD_REQUEST)
                .await;
            assert!(!error_message(&v).is_empty(), "{with_query}: {v}");
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.ok(Method::POST, path, Some(body)).await
    }

    /// A request with the key pair, its response as it came.
    pub async fn send(&self, method: Method, path: &str) -> reqwest::Response {
        let r = self.req(method, path).send().await;
        r.expect("the sandbox answers")
    }

    /// A request whose body is `text` sent as JSON, well formed or not.
    pub async fn send_json_text(
        &self,
        method: Method,
        path: &str,
        text: &str,
    ) -> reqwest::Response {
        let r = self
            .req(method, path)
            .header("Content-Type", "application/json");
        r.body(text.to_string())
            .send()
            .await
            .expect("the sandbox answers")
    }

    /// A GET of a full URL without the key pair, as a browser loads a page or an image.
    pub async fn fetch(&self, url: &str) -> reqwest::Response {
        let r = self.http.get(url).send().await;
        r.expect("the sandbox answers")
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

    /// As [`Sandbox::member`]; its GUID.
    pub async fn member_guid(&self, user: &str, password: &str) -> String {
        guid(&self.member(user, password).await)
    }

    /// The member's `connection_status`.
    pub async fn connection_status(&self, user: &str, member: &str) -> String {
        let st = self.status(user, member).await;
        let status = st["connection_status"].as_str();
        status
            .unwrap_or_else(|| panic!("a connection status: {st}"))
            .into()
    }

    /// A new user with one member (see [`Sandbox::member`]): their GUIDs.
    pub async fn user_with_member(&self, password: &str) -> (String, String) {
        let user = self.user().await;
        let member = self.member_guid(&user, password).await;
        (user, member)
    }

    pub async fn status(&self, user: &str, member: &str) -> Value {
        self.get(&format!("/users/{user}/members/{member}/status"))
            .await["member"]
            .clone()
    }

    /// Starts an aggregation-type `process` ("aggregate", "verify", …) on the member.
    pub async fn start_process(
        &self,
        user: &str,
        member: &str,
        process: &str,
    ) -> (StatusCode, Value) {
        let path = member_path(user, member, &format!("/{process}"));
        self.call(Method::POST, &path, None).await
    }

    /// The member's first open challenge.
    pub async fn challenge(&self, user: &str, member: &str) -> Value {
        let listed = self.get(&member_path(user, member, "/challenges")).await;
        listed["challenges"][0].clone()
    }

    /// Answers `challenge` with `value`, which must be taken (200); the answer's body.
    pub async fn resume(&self, user: &str, member: &str, challenge: &Value, value: &str) -> Value {
        let answer =
            json!({"member": {"challenges": [{"guid": challenge["guid"], "value": value}]}});
        let path = member_path(user, member, "/resume");
        self.ok(Method::PUT, &path, Some(answer)).await
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

pub fn member_path(u: &str, m: &str, rest: &str) -> String {
    format!("/users/{u}/members/{m}{rest}")
}

pub fn mxbank(password: &str) -> Value {
    json!({"member": {"institution_code": "mxbank", "credentials": [
        {"guid": USERNAME_GUID, "value": "test_atrium"},
        {"guid": PASSWORD_GUID, "value": password},
    ]}})
}

fn uuid_ish() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
