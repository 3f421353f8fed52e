//! The `atrium-relay` binary as partners run it: its logs never hold a secret, and a
//! shutdown lets requests in flight finish.

mod common;

use std::io::Read;
use std::process::{Child, Command};
use std::time::Duration;

use common::{mxbank, sandbox, start, API_KEY, CLIENT_ID, SIGNING_KEY};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..400 {
        if let Some(status) = child.try_wait().expect("waitable") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the relay did not stop after SIGTERM");
}

async fn call(
    http: &Client,
    base: &str,
    m: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = http.request(m, format!("{base}{path}")).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("answers");
    let s = resp.status();
    (s, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logs_never_hold_keys_tokens_credentials_or_answers() {
    let upstream = sandbox().await;
    let http = Client::new();
    // Instant transitions, and a user made the way a partner's backend would.
    for (path, body) in [
        ("/_sandbox/clock", json!({"transition_scale": 0})),
        ("/users", json!({"user": {"identifier": "logged"}})),
    ] {
        let r = http
            .post(format!("{upstream}{path}"))
            .header("MX-API-Key", API_KEY)
            .header("MX-Client-ID", CLIENT_ID)
            .json(&body)
            .send()
            .await
            .expect("answers");
        assert!(r.status().is_success());
    }
    let users = common::sandbox_get(&http, &upstream, "/users").await;
    let user = users["users"][0]["guid"]
        .as_str()
        .expect("a user")
        .to_string();

    let dir = std::env::temp_dir().join(format!("atrium-relay-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a dir");
    let log = dir.join("relay.log");
    let mut relay = start(&["--upstream", &upstream, "--addr", "127.0.0.1:0"], &log);
    let minted = Command::new(env!("CARGO_BIN_EXE_atrium-relay"))
        .args(["mint-token", "--user-guid", &user, "--ttl", "10m"])
        .env(
            "RELAY_SIGNING_KEY",
            std::str::from_utf8(SIGNING_KEY).expect("text"),
        )
        .output()
        .expect("mint-token runs");
    assert!(minted.status.success());
    let token = String::from_utf8(minted.stdout)
        .expect("text")
        .trim()
        .to_string();

    // A whole MFA flow with a recognisable credential value and metadata.
    let base = relay.base.clone();
    let mut body = mxbank("challenge");
    body["member"]["metadata"] = json!("metadata-marker-77ab");
    let (s, v) = call(
        &http,
        &base,
        Method::POST,
        &format!("/atrium/users/{user}/members"),
        &token,
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let m = v["member"]["guid"].as_str().expect("a member").to_string();
    let (_, st) = call(
        &http,
        &base,
        Method::GET,
        &format!("/atrium/users/{user}/members/{m}/status"),
        &token,
        None,
    )
    .await;
    let c = st["member"]["challenges"][0]["guid"]
        .as_str()
        .expect("a challenge")
        .to_string();
    let answer = json!({"member": {"challenges": [{"guid": c, "value": "correct"}]}});
    let (s, _) = call(
        &http,
        &base,
        Method::PUT,
        &format!("/atrium/users/{user}/members/{m}/resume"),
        &token,
        Some(answer),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let update = json!({"member": {"credentials": [{"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "password-marker-91cd"}]}});
    call(
        &http,
        &base,
        Method::PUT,
        &format!("/atrium/users/{user}/members/{m}"),
        &token,
        Some(update),
    )
    .await;
    call(
        &http,
        &base,
        Method::GET,
        "/atrium/institutions?name=mx",
        "not-a-token",
        None,
    )
    .await;
    call(
        &http,
        &base,
        Method::GET,
        &format!("/atrium/users/{user}?x=1"),
        &format!("{token}x"),
        None,
    )
    .await;

    sigterm(&relay.child.0);
    assert!(wait_exit(&mut relay.child.0).success());
    let mut text = String::new();
    std::fs::File::open(&log)
        .expect("the log")
        .read_to_string(&mut text)
        .expect("text");
    assert!(text.contains("request_id"), "requests are logged: {text}");
    assert!(
        text.contains("path=/atrium/institutions status=401"),
        "each line names the path and the status: {text}"
    );
    assert!(!text.contains('\x1b'), "no colour codes in a file: {text}");
    assert!(
        !text.contains("?name=mx") && !text.contains("?x=1"),
        "never the query: {text}"
    );
    for secret in [
        API_KEY,
        CLIENT_ID,
        std::str::from_utf8(SIGNING_KEY).expect("text"),
        token.as_str(),
        "metadata-marker-77ab",
        "password-marker-91cd",
        "\"correct\"",
        "test_atrium",
    ] {
        assert!(!text.contains(secret), "the log holds {secret:?}:\n{text}");
    }
    // The token's signature alone must not appear either.
    let sig = token.rsplit_once('.').expect("a signature").1;
    assert!(!text.contains(sig));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_on_per_core_threads() {
    shutdown_finishes_requests_in_flight("auto").await;
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_on_three_threads() {
    shutdown_finishes_requests_in_flight("3").await;
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_on_a_shared_runtime() {
    shutdown_finishes_requests_in_flight("shared").await;
}

/// A request in flight is answered and an open event stream ends, then the process exits.
async fn shutdown_finishes_requests_in_flight(workers: &str) {
    let dir = std::env::temp_dir().join(format!(
        "atrium-relay-stop-{workers}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a dir");
    let log = dir.join("relay.log");
    let args = ["--sandbox", "--addr", "127.0.0.1:0", "--workers", workers];
    let mut relay = start(&args, &log);
    // The banner goes on after the "listening on" line `start` waits for.
    let mut text = String::new();
    for _ in 0..200 {
        text = std::fs::read_to_string(&log).expect("the log");
        if text.contains("(what each does") {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(
        text.contains("Demo: http://") && text.contains("BIG_25K"),
        "sandbox mode prints the demo and the logins:\n{text}"
    );
    let sandbox = text
        .split("(sandbox: ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .expect("the sandbox's address")
        .to_string();
    let http = Client::new();
    // The embedded sandbox uses the key pair from the environment: slow its institutions.
    let r = http
        .post(format!("{sandbox}/_sandbox/faults"))
        .header("MX-API-Key", API_KEY)
        .header("MX-Client-ID", CLIENT_ID)
        .json(&json!({"path_contains": "/institutions", "delay_ms": 800, "times": 1}))
        .send()
        .await
        .expect("answers");
    assert!(r.status().is_success());
    let (token, user) = common::open_session(&relay.base, "ada").await;
    common::create_member_at(&relay.base, &token, &user, "password").await;
    let stream = http
        .get(format!("{}/atrium/users/{user}/events", relay.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("a stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let base = relay.base.clone();
    let in_flight = tokio::spawn(async move {
        Client::new()
            .get(format!("{base}/atrium/institutions"))
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status())
    });
    common::wait_faults_spent(&http, &sandbox).await;
    sigterm(&relay.child.0);
    let status = in_flight
        .await
        .expect("joined")
        .expect("the request in flight is answered");
    assert_eq!(status, StatusCode::OK);
    // Read to the end: it comes (the guard inside fails the test if it does not).
    let events = common::read_events(stream, |_| false).await;
    assert!(!events.is_empty(), "the current status came before the end");
    assert!(wait_exit(&mut relay.child.0).success());
    let refused = http.get(format!("{}/healthz", relay.base)).send().await;
    assert!(refused.is_err(), "stopped after the request finished");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn workers_that_are_not_a_count_are_refused_clearly() {
    for bad in ["0", "many"] {
        let out = Command::new(env!("CARGO_BIN_EXE_atrium-relay"))
            .args(["--sandbox", "--addr", "127.0.0.1:0", "--workers", bad])
            .output()
            .expect("the binary runs");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}: {text}");
        assert!(
            text.contains("--workers") && text.contains("`auto`, `shared` or a number"),
            "{bad}: {text}"
        );
    }
}

/// In sandbox mode every logo an institution points at is on the relay's own origin, which
/// the demo's policy allows images from: nothing a page shows comes from beyond the machine.
#[tokio::test]
async fn sandbox_mode_serves_the_logos_on_its_own_origin() {
    let dir = std::env::temp_dir().join(format!("atrium-relay-logos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a dir");
    let relay = start(
        &["--sandbox", "--addr", "127.0.0.1:0"],
        &dir.join("relay.log"),
    );
    let http = Client::new();
    let (token, _) = common::open_session(&relay.base, "logos").await;
    let (s, list) = call(
        &http,
        &relay.base,
        Method::GET,
        "/atrium/institutions?records_per_page=100",
        &token,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let institutions = list["institutions"].as_array().expect("a list");
    assert_eq!(institutions.len(), 15);
    for inst in institutions {
        for field in ["small_logo_url", "medium_logo_url"] {
            let url = inst[field].as_str().expect("a URL");
            assert!(
                url.starts_with(&format!("{}/sandbox/logos/", relay.base)),
                "{url}"
            );
            // An <img> sends no token.
            let r = http.get(url).send().await.expect("answers");
            assert_eq!(r.status(), StatusCode::OK, "{url}");
            assert_eq!(r.headers()["content-type"], "image/svg+xml");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        }
    }
    let missing = http
        .get(format!("{}/sandbox/logos/100x100/nope.svg", relay.base))
        .send()
        .await
        .expect("answers");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(dir).ok();
}
