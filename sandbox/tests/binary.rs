//! The `atrium-sandbox` command as a newcomer runs it, driven through the guide's workflow:
//! create a user, create a member that is challenged, answer, poll, read the data.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn call(
    http: &Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = http
        .request(method, format!("{base}{path}"))
        .header("MX-API-Key", "K")
        .header("MX-Client-ID", "C")
        .header("Accept", "application/vnd.mx.atrium.v1+json");
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("the sandbox answers");
    let status = resp.status();
    let text = resp.text().await.expect("a body");
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON")
        },
    )
}

#[tokio::test]
async fn the_command_serves_the_guides_workflow() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atrium-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "K",
            "--client-id",
            "C",
            "--public-url",
            "https://bank-sandbox.example/",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let _guard = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("text");
    let base = first
        .split("listening on ")
        .nth(1)
        .expect("the address is printed")
        .trim()
        .to_string();
    let printed: Vec<String> = lines.take(2).map(|l| l.expect("text")).collect();
    assert!(
        printed[0].ends_with(" K") && printed[1].ends_with(" C"),
        "the key pair is printed: {printed:?}"
    );

    let http = Client::new();
    let (s, _) = http
        .get(format!("{base}/institutions"))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("answers");
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Transitions at once, so the polling below is bounded by count, not by time.
    let (s, _) = call(
        &http,
        &base,
        Method::POST,
        "/_sandbox/clock",
        Some(json!({"transition_scale": 0})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = call(
        &http,
        &base,
        Method::POST,
        "/users",
        Some(json!({"user": {"identifier": "newcomer"}})),
    )
    .await;
    let u = v["user"]["guid"].as_str().expect("a user").to_string();
    let (_, creds) = call(
        &http,
        &base,
        Method::GET,
        "/institutions/mxbank/credentials",
        None,
    )
    .await;
    let body = json!({"member": {"institution_code": "mxbank", "credentials": [
        {"guid": creds["credentials"][0]["guid"], "value": "test_atrium"},
        {"guid": creds["credentials"][1]["guid"], "value": "challenge"},
    ]}});
    let (s, v) = call(
        &http,
        &base,
        Method::POST,
        &format!("/users/{u}/members"),
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let m = v["member"]["guid"].as_str().expect("a member").to_string();

    // Poll as the guide says, until the run stops or asks for an answer.
    let mut answered = false;
    for _ in 0..10 {
        let (_, st) = call(
            &http,
            &base,
            Method::GET,
            &format!("/users/{u}/members/{m}/status"),
            None,
        )
        .await;
        let st = &st["member"];
        match st["connection_status"].as_str() {
            Some("CHALLENGED") => {
                let c = &st["challenges"][0];
                let answer =
                    json!({"member": {"challenges": [{"guid": c["guid"], "value": "correct"}]}});
                let (s, _) = call(
                    &http,
                    &base,
                    Method::PUT,
                    &format!("/users/{u}/members/{m}/resume"),
                    Some(answer),
                )
                .await;
                assert_eq!(s, StatusCode::OK);
                answered = true;
            }
            Some("CONNECTED") if st["is_being_aggregated"] == false => break,
            _ => {}
        }
    }
    assert!(answered, "the member was challenged");
    let (_, st) = call(
        &http,
        &base,
        Method::GET,
        &format!("/users/{u}/members/{m}/status"),
        None,
    )
    .await;
    assert_eq!(st["member"]["connection_status"], "CONNECTED");
    let (_, accounts) = call(
        &http,
        &base,
        Method::GET,
        &format!("/users/{u}/accounts"),
        None,
    )
    .await;
    let a = accounts["accounts"][0]["guid"]
        .as_str()
        .expect("an account")
        .to_string();
    let (s, t) = call(
        &http,
        &base,
        Method::GET,
        &format!("/users/{u}/accounts/{a}/transactions"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(t["pagination"]["total_entries"].as_u64().expect("a count") > 0);

    // OAuth window URIs start with --public-url.
    let oauth = json!({"member": {"institution_code": "chase", "is_oauth": true}});
    let (s, v) = call(
        &http,
        &base,
        Method::POST,
        &format!("/users/{u}/members"),
        Some(oauth),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let uri = v["member"]["oauth_window_uri"].as_str().expect("a URI");
    assert!(
        uri.starts_with("https://bank-sandbox.example/oauth/window/"),
        "{uri}"
    );
}
