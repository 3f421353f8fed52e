//! What the relay strips, limits and survives: headers both ways, bodies, upstream faults,
//! rate limits, request ids.

mod common;

use std::time::{Duration, Instant};

use atrium_relay::{Config, Limits, Rate};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;
use common::{code, open_config, start_at, start_limited, start_with, API_KEY, CLIENT_ID};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// An upstream that echoes the headers it received, and answers with headers no browser
/// should see.
async fn echo_upstream() -> String {
    async fn echo(headers: HeaderMap) -> impl IntoResponse {
        let seen: Value = headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), json!(v.to_str().unwrap_or(""))))
            .collect::<serde_json::Map<_, _>>()
            .into();
        (
            [
                ("set-cookie", "session=upstream; HttpOnly"),
                ("server", "atrium-upstream/1.2"),
                ("x-powered-by", "something"),
                ("content-type", "application/json"),
            ],
            axum::Json(json!({ "user": { "seen": seen } })),
        )
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, Router::new().fallback(any(echo))).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn headers_are_stripped_both_ways() {
    let relay = start_at(
        Config {
            rate: None,
            ..Config::default()
        },
        &echo_upstream().await,
        API_KEY,
        Limits::default(),
    )
    .await;
    let token = relay
        .key
        .mint("USR-1", Duration::from_secs(60))
        .expect("a token")
        .token;
    let resp = relay
        .http
        .get(format!("{}/atrium/users/USR-1", relay.base))
        .bearer_auth(&token)
        .header("MX-API-Key", "browser-supplied")
        .header("MX-Client-ID", "browser-supplied")
        .header("Cookie", "sid=browser")
        .header("X-Forwarded-For", "10.0.0.1")
        .header("Connection", "keep-alive, x-secret")
        .header("X-Secret", "hop")
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), StatusCode::OK);
    for h in ["set-cookie", "server", "x-powered-by"] {
        assert!(
            resp.headers().get(h).is_none(),
            "{h} came back to the browser"
        );
    }
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let v: Value = resp.json().await.expect("JSON");
    let seen = &v["user"]["seen"];
    assert_eq!(
        seen["mx-api-key"], API_KEY,
        "the relay's key, never the browser's"
    );
    assert_eq!(seen["mx-client-id"], CLIENT_ID);
    assert_eq!(seen["accept"], "application/vnd.mx.atrium.v1+json");
    for h in ["cookie", "authorization", "x-forwarded-for", "x-secret"] {
        assert!(seen.get(h).is_none(), "{h} went upstream: {seen}");
    }
}

#[tokio::test]
async fn bodies_are_limited_and_must_be_json() {
    let relay = start_with(Config {
        body_limit: 1024,
        ..open_config()
    })
    .await;
    let s = relay.session("ada").await;
    let path = s.at("/members");
    let big = json!({ "member": { "institution_code": "mxbank", "metadata": "x".repeat(2000) } });
    let (status, v) = relay
        .send(Method::POST, &path, Some(&s.token), Some(big))
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    // Without a Content-Length, streamed: refused while it arrives.
    let chunks =
        futures_util::stream::iter((0..8).map(|_| Ok::<_, std::io::Error>(vec![b' '; 512])));
    let resp = relay
        .http
        .post(format!("{}{path}", relay.base))
        .bearer_auth(&s.token)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let resp = relay
        .http
        .post(format!("{}{path}", relay.base))
        .bearer_auth(&s.token)
        .body("{not json")
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let v: Value = resp.json().await.expect("a JSON error");
    assert_eq!(code(&v), "bad_request");
    let get_with_body = relay
        .http
        .get(format!("{}/atrium/users/{}", relay.base, s.user_guid))
        .bearer_auth(&s.token)
        .body("{}")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        get_with_body.status(),
        StatusCode::BAD_REQUEST,
        "a GET takes no body"
    );
    let (_, v) = relay.get(&path, &s).await;
    assert_eq!(
        v["pagination"]["total_entries"], 0,
        "nothing refused reached the sandbox"
    );
}

#[tokio::test]
async fn upstream_faults_become_prompt_json_errors() {
    let relay = start_limited(Limits {
        timeout: Duration::from_millis(400),
        max_in_flight: 8,
    })
    .await;
    let s = relay.session("ada").await;
    let fault = |f: Value| relay.inject(f);

    fault(json!({"path_contains": "/institutions", "times": 1, "delay_ms": 3000})).await;
    let started = Instant::now();
    let (status, v) = relay.get("/atrium/institutions", &s).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
    );
    assert!(
        started.elapsed() < Duration::from_millis(3000),
        "answered without waiting for the slow upstream"
    );

    fault(json!({"path_contains": "/institutions", "times": 1, "status": 500})).await;
    let (status, v) = relay.get("/atrium/institutions", &s).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );

    fault(json!({"path_contains": "/institutions", "times": 1, "drop": true})).await;
    let (status, v) = relay.get("/atrium/institutions", &s).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_GATEWAY, "upstream_unavailable")
    );

    fault(json!({"path_contains": "/institutions", "times": 1, "status": 429, "retry_after": 9}))
        .await;
    let resp = relay.get_raw("/atrium/institutions", Some(&s.token)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.headers()["retry-after"],
        "9",
        "the upstream's Retry-After passes through"
    );

    // And it stays healthy.
    let (status, _) = relay.call(Method::GET, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = relay.get("/atrium/institutions", &s).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_rate_limited_each_on_its_own() {
    let relay = start_with(Config {
        rate: Some(Rate {
            per_second: 1.0,
            burst: 3,
        }),
        ..open_config()
    })
    .await;
    let a = relay.session("ada").await;
    let b = relay.session("bob").await;
    for _ in 0..3 {
        let (s, _) = relay.get("/atrium/institutions", &a).await;
        assert_eq!(s, StatusCode::OK);
    }
    let resp = relay.get_raw("/atrium/institutions", Some(&a.token)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry), "{retry}");
    let v: Value = resp.json().await.expect("JSON");
    assert_eq!(code(&v), "rate_limited");
    let (s, _) = relay.get("/atrium/institutions", &b).await;
    assert_eq!(s, StatusCode::OK, "another token is not affected");
}

#[tokio::test]
async fn every_answer_has_its_own_request_id() {
    let relay = start_with(open_config()).await;
    let mut ids = std::collections::HashSet::new();
    for path in ["/healthz", "/atrium/institutions", "/atrium/users", "/nope"] {
        let resp = relay
            .http
            .get(format!("{}{path}", relay.base))
            .header("x-request-id", "forged")
            .send()
            .await
            .expect("answers");
        let id = resp.headers()["x-request-id"]
            .to_str()
            .expect("text")
            .to_string();
        assert_ne!(id, "forged", "the relay sets its own");
        assert!(ids.insert(id));
    }
}

#[tokio::test]
async fn calls_beyond_the_upstream_bound_wait_then_get_503() {
    // One call in flight at most; a second waits half the timeout (1.5 s) for the slot.
    let limits = Limits {
        timeout: Duration::from_secs(3),
        max_in_flight: 1,
    };
    let relay = std::sync::Arc::new(start_limited(limits).await);
    let s = relay.session("ada").await;
    let slow_institutions = json!({"path_contains": "/institutions", "times": 1, "delay_ms": 2500});
    relay.inject(slow_institutions).await;
    let (r, token) = (relay.clone(), s.token.clone());
    let slow = tokio::spawn(async move {
        r.call(Method::GET, "/atrium/institutions", Some(&token))
            .await
            .0
    });
    // The one-shot fault is spent once the slow call reached the sandbox: the slot is taken.
    common::wait_faults_spent(&relay.http, &relay.sandbox).await;
    let resp = relay.get_raw("/atrium/institutions", Some(&s.token)).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()["retry-after"], "1");
    let v: Value = resp.json().await.expect("JSON");
    assert_eq!(code(&v), "busy");
    assert_eq!(
        slow.await.expect("joined"),
        StatusCode::OK,
        "the call in flight finished"
    );
    let (status, _) = relay.get("/atrium/institutions", &s).await;
    assert_eq!(status, StatusCode::OK, "the slot is free again");
}

/// The key pair crosses to an `https://` upstream inside TLS only: the first bytes the relay
/// sends there are a TLS handshake, and neither half of the pair is among them.
#[tokio::test]
async fn an_https_upstream_is_spoken_to_in_tls() {
    use atrium_relay::{RelayError, Upstream};
    use axum::http::Method as HttpMethod;
    use tokio::io::AsyncReadExt;

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let first_bytes = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("the relay connects");
        let mut buf = vec![0u8; 4096];
        let n = socket.read(&mut buf).await.expect("its first bytes");
        buf.truncate(n);
        buf // dropped with the socket: the handshake fails
    });
    let up = Upstream::new(
        &format!("https://localhost:{port}"),
        API_KEY.into(),
        CLIENT_ID.into(),
    )
    .expect("an upstream");
    let sent = up
        .send(HttpMethod::GET, "/institutions", None, None, false)
        .await;
    assert!(
        matches!(sent, Err(RelayError::Upstream(_))),
        "a failed handshake is an upstream failure: {:?}",
        sent.err()
    );
    let bytes = first_bytes.await.expect("the listener");
    assert_eq!(
        bytes.first(),
        Some(&0x16),
        "a TLS handshake record comes first"
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains(API_KEY) && !text.contains(CLIENT_ID),
        "no key in the clear"
    );
}
