//! Webhooks from a real sandbox to a real receiver on loopback: the payloads of §8, in
//! order, signed as the README says, and delivered again after a failure.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_sandbox::webhooks::{WebhookConfig, SIGNATURE_HEADER};
use atrium_sandbox::Config;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::{Sandbox, CLIENT, KEY};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

#[derive(Default)]
struct Received {
    /// Every delivery attempt: (signature header, body).
    attempts: Vec<(String, Vec<u8>)>,
    /// Answer 500 to this many attempts first.
    fail_first: usize,
}

async fn receive(
    State(seen): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut seen = seen.lock().unwrap();
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    seen.attempts.push((signature, body.to_vec()));
    if seen.attempts.len() <= seen.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

fn verifies(secret: &str, header: &str, body: &[u8]) -> bool {
    let (Some(t), Some(v1)) = (
        header.split(',').find_map(|p| p.strip_prefix("t=")),
        header.split(',').find_map(|p| p.strip_prefix("v1=")),
    ) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex == v1
}

#[tokio::test]
async fn a_challenged_connect_is_reported_in_order_signed_and_retried() {
    let seen = Arc::new(Mutex::new(Received {
        fail_first: 1,
        ..Received::default()
    }));
    let receiver = Router::new()
        .route("/hook", post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let sb = Sandbox::with(Config {
        webhooks: Some(WebhookConfig {
            urls: vec![format!("http://{addr}/hook")],
            secret: "hook-secret".into(),
        }),
        ..Config::new(KEY, CLIENT)
    })
    .await;
    sb.ok(
        Method::POST,
        "/_sandbox/clock",
        Some(json!({"transition_scale": 0.02})),
    )
    .await;
    let user = sb.user().await;
    let member = sb.member(&user, "challenge").await;
    let guid = member["guid"].as_str().unwrap().to_string();

    let bodies = |seen: &Arc<Mutex<Received>>| -> Vec<Value> {
        let seen = seen.lock().unwrap();
        let mut out: Vec<Value> = Vec::new();
        for (_, body) in &seen.attempts {
            let v: Value = serde_json::from_slice(body).unwrap();
            out.push(v);
        }
        out
    };
    let wait_for = |want: &'static str| {
        let seen = seen.clone();
        async move {
            for _ in 0..500 {
                if bodies(&seen)
                    .iter()
                    .any(|b| b["connection_status"] == want || b["type"] == want)
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("no {want} webhook: {:?}", bodies(&seen));
        }
    };
    wait_for("CHALLENGED").await;
    let challenges = sb
        .ok(
            Method::GET,
            &format!("/users/{user}/members/{guid}/challenges"),
            None,
        )
        .await;
    let answer = challenges["challenges"][0]["guid"].as_str().unwrap();
    sb.ok(
        Method::PUT,
        &format!("/users/{user}/members/{guid}/resume"),
        Some(json!({"member": {"challenges": [{"guid": answer, "value": "correct"}]}})),
    )
    .await;
    wait_for("AGGREGATION").await;

    let all = bodies(&seen);
    // The first attempt failed (500) and the same body came again.
    assert_eq!(all[0], all[1], "a failed delivery is retried");
    let statuses: Vec<&str> = all[1..]
        .iter()
        .filter(|b| b["type"] == "CONNECTION_STATUS")
        .map(|b| b["connection_status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["CREATED", "CHALLENGED", "RESUMED", "CONNECTED"]);
    let last = all.last().unwrap();
    assert_eq!(
        last["type"], "AGGREGATION",
        "the data webhook comes after CONNECTED"
    );
    for b in &all {
        assert_eq!(b["user_guid"], user.as_str());
        assert_eq!(b["member_guid"], guid.as_str());
    }
    let challenged = all
        .iter()
        .find(|b| b["connection_status"] == "CHALLENGED")
        .unwrap();
    assert_eq!(challenged["action"], "CHANGED");
    assert_eq!(challenged["connection_status_id"], 3);
    for (signature, body) in &seen.lock().unwrap().attempts {
        assert!(verifies("hook-secret", signature, body), "{signature}");
        assert!(!verifies("another-secret", signature, body));
    }
}
