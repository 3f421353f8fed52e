//! The relay over real HTTP on loopback, in front of a real sandbox.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use atrium_relay::{AppState, Config, SigningKey, Upstream};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const API_KEY: &str = "relay-test-key";
const CLIENT_ID: &str = "relay-test-client";
const SIGNING_KEY: &[u8; 32] = b"relay-tests-signing-key-32-bytes";

struct Relay {
    base: String,
    addr: std::net::SocketAddr,
    http: Client,
    key: SigningKey,
}

async fn start_with(config: Config, upstream_key: &str) -> Relay {
    let sandbox = atrium_sandbox::spawn(atrium_sandbox::Config::new(API_KEY, CLIENT_ID))
        .await
        .unwrap();
    start_at(config, &format!("http://{sandbox}"), upstream_key).await
}

async fn start_at(config: Config, upstream: &str, upstream_key: &str) -> Relay {
    let key = SigningKey::new(SIGNING_KEY.to_vec()).unwrap();
    let upstream = Upstream::new(upstream, upstream_key.into(), CLIENT_ID.into()).unwrap();
    let state: Arc<AppState> = AppState::new(config, upstream, key.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(atrium_relay::serve(listener, state, std::future::pending()));
    Relay {
        base: format!("http://{addr}"),
        addr,
        http: Client::new(),
        key,
    }
}

fn sandbox_config() -> Config {
    Config {
        open_sessions: true,
        ..Config::default()
    }
}

async fn start() -> Relay {
    start_with(sandbox_config(), API_KEY).await
}

struct Session {
    token: String,
    user_guid: String,
}

impl Relay {
    async fn session(&self, name: &str) -> Session {
        let resp = self
            .http
            .post(format!("{}/session", self.base))
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let v: Value = resp.json().await.unwrap();
        assert!(v["expires_at"].as_str().unwrap().ends_with('Z'), "{v}");
        Session {
            token: v["token"].as_str().unwrap().into(),
            user_guid: v["user_guid"].as_str().unwrap().into(),
        }
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A request written byte for byte, for paths an HTTP client would tidy up first.
    async fn raw(&self, request_line: &str, extra_headers: &str) -> u16 {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let req = format!(
            "{request_line}\r\nHost: {}\r\n{extra_headers}Connection: close\r\n\r\n",
            self.addr
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let head = String::from_utf8_lossy(&out);
        head.split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error body with a code: {v}"))
}

#[tokio::test]
async fn a_session_reads_its_own_user_and_only_that() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    assert!(ada.user_guid.starts_with("USR-"));
    assert_eq!(
        relay.session("ada").await.user_guid,
        ada.user_guid,
        "same name, same user"
    );

    let (s, v) = relay
        .call(Method::GET, "/atrium/session", Some(&ada.token))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user_guid"], ada.user_guid.as_str());

    let (s, v) = relay
        .call(
            Method::GET,
            &format!("/atrium/users/{}", ada.user_guid),
            Some(&ada.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user"]["identifier"], "ada");

    let bob = relay.session("bob").await;
    assert_ne!(bob.user_guid, ada.user_guid);
    let (s, v) = relay
        .call(
            Method::GET,
            &format!("/atrium/users/{}", bob.user_guid),
            Some(&ada.token),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(code(&v), "forbidden");
    assert!(v.get("user").is_none(), "nothing of bob's leaks");
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    let path = format!("/atrium/users/{}", ada.user_guid);

    let resp = relay
        .http
        .get(format!("{}{path}", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let resp = relay
        .http
        .get(format!("{}{path}", relay.base))
        .header("Authorization", format!("Basic {}", ada.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let (s, v) = relay
        .call(Method::GET, &path, Some(&format!("{}A", ada.token)))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "unauthorized"));

    let other_key = SigningKey::new(vec![9u8; 32]).unwrap();
    let foreign = other_key
        .mint(&ada.user_guid, Duration::from_secs(60))
        .unwrap();
    let (s, _) = relay.call(Method::GET, &path, Some(&foreign.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let expired = relay
        .key
        .mint_at(
            &ada.user_guid,
            Duration::from_secs(60),
            SystemTime::now() - Duration::from_secs(3600),
        )
        .unwrap();
    let (s, v) = relay.call(Method::GET, &path, Some(&expired.token)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "token_expired"));

    let (s, _) = relay.call(Method::GET, "/atrium/institutions", None).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "public reads still need a token"
    );
}

#[tokio::test]
async fn only_listed_endpoints_are_forwarded() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    let t = Some(ada.token.as_str());
    let own = format!("/atrium/users/{}", ada.user_guid);
    let (s, _) = relay.call(Method::GET, "/atrium/users", t).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "listing all users");
    let (s, _) = relay.call(Method::POST, "/atrium/users", t).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "creating users");
    let (s, _) = relay.call(Method::DELETE, &own, t).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "deleting a user");
    let (s, _) = relay.call(Method::PATCH, &own, t).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = relay.call(Method::GET, "/atrium", t).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The sandbox's test controls are never reachable through the relay.
    for control in [
        "/atrium/_sandbox/clock",
        "/atrium/_sandbox/reset",
        "/atrium/_sandbox/faults",
    ] {
        let (s, _) = relay.call(Method::GET, control, t).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{control}");
        let (s, _) = relay.call(Method::POST, control, t).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{control}");
    }
    // The user still exists: nothing above reached the sandbox.
    let (s, _) = relay.call(Method::GET, &own, t).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn paths_queries_and_headers_are_read_strictly() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    let auth = format!("Authorization: Bearer {}\r\n", ada.token);
    let u = &ada.user_guid;
    assert_eq!(
        relay
            .raw(&format!("GET /atrium/users/{u} HTTP/1.1"), &auth)
            .await,
        200
    );
    for bad in [
        format!("GET /atrium/users/{u}/ HTTP/1.1"),
        format!("GET /atrium/users//{u} HTTP/1.1"),
        format!("GET /atrium//users/{u} HTTP/1.1"),
        format!("GET /atrium/users/{u}%2F..%2F HTTP/1.1"),
        "GET /atrium/users/%55SR-1 HTTP/1.1".to_string(),
        format!("GET /atrium/users/../users/{u} HTTP/1.1"),
        format!("GET /atrium/users/./{u} HTTP/1.1"),
        format!("GET /atrium/users/{u}junk! HTTP/1.1"),
        "GET /atrium/institutions?page=1&page=2 HTTP/1.1".to_string(),
        "GET /atrium/institutions?user_guid=USR-x HTTP/1.1".to_string(),
        format!("GET /atrium/users/{u}?page=1 HTTP/1.1"),
    ] {
        assert_eq!(relay.raw(&bad, &auth).await, 400, "{bad}");
    }
    let req = format!("GET /atrium/users/{u} HTTP/1.1");
    assert_eq!(
        relay
            .raw(&req, &format!("{auth}X-HTTP-Method-Override: DELETE\r\n"))
            .await,
        400
    );
    let huge = format!("{auth}X-Padding: {}\r\n", "a".repeat(20 * 1024));
    let status = relay.raw(&req, &huge).await;
    assert!(
        status == 400 || status == 431,
        "oversized headers: {status}"
    );
}

#[tokio::test]
async fn institutions_are_forwarded_with_their_query() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    let (s, v) = relay
        .call(
            Method::GET,
            "/atrium/institutions?name=mx&records_per_page=5",
            Some(&ada.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = v["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"MX Bank"), "{names:?}");
    assert_eq!(v["pagination"]["per_page"], 5);
    let (s, v) = relay
        .call(Method::GET, "/atrium/institutions/mxbank", Some(&ada.token))
        .await;
    assert_eq!(
        (s, &v["institution"]["name"]),
        (StatusCode::OK, &json!("MX Bank"))
    );
    let (s, _) = relay
        .call(Method::GET, "/atrium/institutions/nope", Some(&ada.token))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the sandbox's 404 passes through");
    let (s, _) = relay
        .call(Method::GET, "/atrium/institutions?page=0", Some(&ada.token))
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "the sandbox's 400 passes through"
    );

    let closed = start_with(
        Config {
            public_institutions: false,
            ..sandbox_config()
        },
        API_KEY,
    )
    .await;
    let t = closed.session("ada").await.token;
    let (s, _) = closed
        .call(Method::GET, "/atrium/institutions", Some(&t))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn upstream_trouble_is_a_502_that_names_it() {
    // A relay whose key pair the sandbox refuses: its own 401 would make the browser think
    // its token were bad, so it is a 502 instead.
    let relay = start_with(Config::default(), "not-the-key").await;
    let token = relay
        .key
        .mint("USR-1", Duration::from_secs(60))
        .unwrap()
        .token;
    let (s, v) = relay
        .call(Method::GET, "/atrium/users/USR-1", Some(&token))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_GATEWAY, "upstream_auth"));
    assert!(
        !v.to_string().contains("not-the-key"),
        "the key never reaches the browser"
    );

    let unused = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}", unused.local_addr().unwrap());
    drop(unused);
    let relay = start_at(Config::default(), &dead, API_KEY).await;
    let (s, v) = relay
        .call(Method::GET, "/atrium/users/USR-1", Some(&token))
        .await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::BAD_GATEWAY, "upstream_unavailable")
    );
}

#[tokio::test]
async fn sessions_are_minted_only_in_sandbox_mode_and_for_sound_names() {
    let relay = start().await;
    for bad in [
        json!({"name": ""}),
        json!({"name": 5}),
        json!({"nom": "x"}),
        json!({"name": "x".repeat(65)}),
    ] {
        let resp = relay
            .http
            .post(format!("{}/session", relay.base))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(code(&v), "invalid_input");
    }
    let closed = start_with(Config::default(), API_KEY).await;
    let resp = closed
        .http
        .post(format!("{}/session", closed.base))
        .json(&json!({"name": "ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_admits_only_the_configured_origins() {
    let relay = start_with(
        Config {
            allow_origins: vec!["http://app.test".into()],
            ..sandbox_config()
        },
        API_KEY,
    )
    .await;
    let preflight = |origin: &'static str| {
        relay
            .http
            .request(
                Method::OPTIONS,
                format!("{}/atrium/institutions", relay.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let ok = preflight("http://app.test").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://app.test"
    );
    let other = preflight("http://evil.test").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn serves_the_page_and_the_package() {
    let dir = std::env::temp_dir().join(format!("atrium-relay-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("www/index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(dir.join("pkg/atrium_wasm_bg.wasm"), b"\0asm").unwrap();
    let relay = start_with(
        Config {
            www_dir: Some(dir.join("www")),
            pkg_dir: Some(dir.join("pkg")),
            ..sandbox_config()
        },
        API_KEY,
    )
    .await;
    let page = relay
        .http
        .get(format!("{}/", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.text().await.unwrap(), "<h1>demo</h1>");
    let wasm = relay
        .http
        .get(format!("{}/pkg/atrium_wasm_bg.wasm", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let (s, _) = relay.call(Method::GET, "/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    std::fs::remove_dir_all(dir).ok();
}
