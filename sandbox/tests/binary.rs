//! The `atrium-sandbox` command as a newcomer runs it, driven through the guide's workflow:
//! create a user, create a member that is challenged, answer, poll, read the data.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::Sandbox;
use reqwest::StatusCode;
use serde_json::json;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

    let sb = Sandbox::at(base, "K", "C");
    let unauthenticated = sb.fetch(&format!("{}/institutions", sb.base)).await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    // Transitions at once, so the polling below is bounded by count, not by time.
    sb.post("/_sandbox/clock", json!({"transition_scale": 0}))
        .await;
    let v = sb
        .post("/users", json!({"user": {"identifier": "newcomer"}}))
        .await;
    let u = v["user"]["guid"].as_str().expect("a user").to_string();
    let creds = sb.get("/institutions/mxbank/credentials").await;
    let body = json!({"member": {"institution_code": "mxbank", "credentials": [
        {"guid": creds["credentials"][0]["guid"], "value": "test_atrium"},
        {"guid": creds["credentials"][1]["guid"], "value": "challenge"},
    ]}});
    let v = sb.post(&format!("/users/{u}/members"), body).await;
    let m = v["member"]["guid"].as_str().expect("a member").to_string();

    // Poll as the guide says, until the run stops or asks for an answer.
    let mut answered = false;
    for _ in 0..10 {
        let st = sb.status(&u, &m).await;
        match st["connection_status"].as_str() {
            Some("CHALLENGED") => {
                sb.resume(&u, &m, &st["challenges"][0], "correct").await;
                answered = true;
            }
            Some("CONNECTED") if st["is_being_aggregated"] == false => break,
            _ => {}
        }
    }
    assert!(answered, "the member was challenged");
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED");
    let accounts = sb.get(&format!("/users/{u}/accounts")).await;
    let a = accounts["accounts"][0]["guid"]
        .as_str()
        .expect("an account")
        .to_string();
    let t = sb
        .get(&format!("/users/{u}/accounts/{a}/transactions"))
        .await;
    assert!(t["pagination"]["total_entries"].as_u64().expect("a count") > 0);

    // OAuth window URIs start with --public-url.
    let oauth = json!({"member": {"institution_code": "chase", "is_oauth": true}});
    let v = sb.post(&format!("/users/{u}/members"), oauth).await;
    let uri = v["member"]["oauth_window_uri"].as_str().expect("a URI");
    assert!(
        uri.starts_with("https://bank-sandbox.example/oauth/window/"),
        "{uri}"
    );
}
