//! The relay over real HTTP on loopback, in front of a real sandbox.

mod common;

use std::time::Duration;

use atrium_relay::{Config, Limits, SigningKey};
use common::{code, open_config, start_at, start_with, Relay, API_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

fn sandbox_config() -> Config {
    open_config()
}

async fn start() -> Relay {
    start_with(open_config()).await
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

    let (s, v) = relay.get("/atrium/session", &ada).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user_guid"], ada.user_guid.as_str());

    let (s, v) = relay.get(&ada.at(""), &ada).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user"]["identifier"], "ada");

    let bob = relay.session("bob").await;
    assert_ne!(bob.user_guid, ada.user_guid);
    let (s, v) = relay.get(&bob.at(""), &ada).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(code(&v), "forbidden");
    assert!(v.get("user").is_none(), "nothing of bob's leaks");
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let relay = start().await;
    let ada = relay.session("ada").await;
    let path = ada.at("");

    let resp = relay.get_raw(&path, None).await;
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
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "token_signature"));

    let other_key = SigningKey::new(vec![9u8; 32]).unwrap();
    let foreign = other_key
        .mint(&ada.user_guid, Duration::from_secs(60))
        .unwrap();
    let (s, v) = relay.call(Method::GET, &path, Some(&foreign.token)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "token_signature"));

    let expired = relay.expired_token(&ada.user_guid);
    let (s, v) = relay.call(Method::GET, &path, Some(&expired)).await;
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
    let own = ada.at("");
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
        .get("/atrium/institutions?name=mx&records_per_page=5", &ada)
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
    let (s, v) = relay.get("/atrium/institutions/mxbank", &ada).await;
    assert_eq!(
        (s, &v["institution"]["name"]),
        (StatusCode::OK, &json!("MX Bank"))
    );
    let (s, _) = relay.get("/atrium/institutions/nope", &ada).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the sandbox's 404 passes through");
    let (s, _) = relay.get("/atrium/institutions?page=0", &ada).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "the sandbox's 400 passes through"
    );

    let closed = start_with(Config {
        public_institutions: false,
        ..sandbox_config()
    })
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
    let relay = start_at(
        Config::default(),
        &common::sandbox().await,
        "not-the-key",
        Limits::default(),
    )
    .await;
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
    let relay = start_at(Config::default(), &dead, API_KEY, Limits::default()).await;
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
        let (s, v) = relay
            .send(Method::POST, "/session", None, Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(code(&v), "invalid_input");
    }
    let closed = start_with(Config::default()).await;
    let ada = Some(json!({"name": "ada"}));
    let (s, _) = closed.send(Method::POST, "/session", None, ada).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_admits_only_the_configured_origins() {
    let relay = start_with(Config {
        allow_origins: vec!["http://app.test".into(), "*".into()],
        ..sandbox_config()
    })
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
    let relay = start_with(Config {
        www_dir: Some(dir.join("www")),
        pkg_dir: Some(dir.join("pkg")),
        ..sandbox_config()
    })
    .await;
    let page = relay.get_raw("/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    // The demo runs under a strict policy: no inline script or style, no eval, API calls to
    // this origin only; WebAssembly compiles through 'wasm-unsafe-eval' alone.
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval';",
        "style-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.text().await.unwrap(), "<h1>demo</h1>");
    let wasm = relay.get_raw("/pkg/atrium_wasm_bg.wasm", None).await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.headers().contains_key("content-security-policy"));
    let (s, _) = relay.call(Method::GET, "/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    std::fs::remove_dir_all(dir).ok();
}

/// Every token-bound route checks headers, token and rate through the same extractor, the
/// session read and the event stream too (the session read once skipped the header check).
#[tokio::test]
async fn every_token_bound_route_refuses_method_overrides() {
    let relay = start().await;
    let ada = relay.session("override").await;
    for path in ["/atrium/session".to_string(), ada.at(""), ada.at("/events")] {
        let r = relay
            .http
            .get(format!("{}{path}", relay.base))
            .bearer_auth(&ada.token)
            .header("x-http-method-override", "DELETE")
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(body["error"]["code"], "bad_request", "{path}");
    }
}
