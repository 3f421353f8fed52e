//! Several relays sharing one real Redis (Debian's `redis-server`, started here): a webhook
//! taken by one relay reaches a stream on another, with ids that resume on any of them, and
//! the per-user rate limit is counted once across them.
mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use atrium_relay::fanout::Redis;
use atrium_relay::{AppState, Config, Limits, Rate, SigningKey, Upstream};
use common::{open_config, API_KEY, CLIENT_ID, SIGNING_KEY};
use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

const SECRET: &str = "redis-test-secret";

/// A Redis server of its own on a free port, stopped with the test.
struct RedisServer {
    child: Child,
    url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn redis_server() -> RedisServer {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("redis-server is installed (npm test's bootstrap installs Debian's package)");
    let child = Command::new(binary)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    // Owned at once, so that a failed start below still stops (and reaps) it.
    let server = RedisServer {
        child,
        url: format!("redis://127.0.0.1:{port}/"),
    };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("redis-server did not listen on {port}");
}

/// One relay on `upstream`, with Redis; `secret` when webhooks come to it.
async fn relay(
    upstream: &str,
    redis: &str,
    secret: Option<&str>,
    rate: Option<Rate>,
    listener: TcpListener,
) -> String {
    let addr = listener.local_addr().unwrap();
    let key = SigningKey::new(SIGNING_KEY.to_vec()).unwrap();
    let up = Upstream::with_limits(
        upstream,
        API_KEY.into(),
        CLIENT_ID.into(),
        Limits::default(),
    )
    .unwrap();
    let config = Config {
        webhook_secret: secret.map(String::from),
        rate,
        ..open_config()
    };
    let shared = Redis::connect(redis).await.expect("redis");
    let state = AppState::with_redis(config, up, key, Some(shared));
    tokio::spawn(atrium_relay::serve(listener, state, std::future::pending()));
    format!("http://{addr}")
}

/// Relay A takes the sandbox's webhooks; relay B only streams. Both share `redis`.
async fn two_relays(redis: &str, rate: Option<Rate>) -> (String, String) {
    let a_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a_addr = a_listener.local_addr().unwrap();
    let sandbox = atrium_sandbox::Config {
        webhooks: Some(atrium_sandbox::webhooks::WebhookConfig {
            urls: vec![format!("http://{a_addr}/webhooks/atrium")],
            secret: SECRET.into(),
        }),
        ..atrium_sandbox::Config::new(API_KEY, CLIENT_ID)
    };
    let sandbox = format!("http://{}", atrium_sandbox::spawn(sandbox).await.unwrap());
    let r = Client::new()
        .post(format!("{sandbox}/_sandbox/clock"))
        .header("MX-API-Key", API_KEY)
        .header("MX-Client-ID", CLIENT_ID)
        .json(&json!({ "transition_scale": 0.05 }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let a = relay(&sandbox, redis, Some(SECRET), rate, a_listener).await;
    let b = relay(
        &sandbox,
        redis,
        None,
        rate,
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await;
    (a, b)
}

async fn session(base: &str, name: &str) -> (String, String) {
    let v: Value = Client::new()
        .post(format!("{base}/session"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        v["token"].as_str().unwrap().into(),
        v["user_guid"].as_str().unwrap().into(),
    )
}

/// Server-sent events of one stream until `until` (20 s guard against a hang).
async fn events(
    response: reqwest::Response,
    until: impl Fn(&str, &Value) -> bool,
) -> Vec<(String, String, Value)> {
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    let mut out = Vec::new();
    let read = async {
        while let Some(chunk) = bytes.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim().to_string())
                };
                let Some(data) = field("data:") else { continue };
                let data: Value = serde_json::from_str(&data).unwrap();
                let name = field("event:").unwrap_or_default();
                let done = until(&name, &data);
                out.push((field("id:").unwrap_or_default(), name, data));
                if done {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("the stream stalled");
    out
}

#[tokio::test]
async fn a_webhook_taken_by_one_relay_reaches_a_stream_on_another() {
    let server = redis_server().await;
    let (a, b) = two_relays(&server.url, None).await;
    // Tokens are signed with the key every instance shares: a session from A works on B.
    let (token, user) = session(&a, "redis-fanout").await;
    let http = Client::new();
    let body = json!({ "member": { "institution_code": "mxbank", "credentials": [
        { "guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium" },
        { "guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "password" },
    ] } });
    let member: Value = http
        .post(format!("{b}/atrium/users/{user}/members"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let member = member["member"]["guid"].as_str().unwrap().to_string();
    let url = format!("{b}/atrium/users/{user}/members/{member}/events");
    let stream = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        stream.status(),
        StatusCode::OK,
        "B offers streams through Redis"
    );
    let seen = events(stream, |name, _| name == "aggregated").await;
    assert_eq!(seen[0].2["current"], true);
    assert!(
        seen.iter()
            .any(|(_, _, d)| d["connection_status"] == "CONNECTED"),
        "{seen:?}"
    );
    // B never got a webhook: these came through Redis. Their ids resume on B too.
    let first_pushed = &seen[1].0;
    let replay = http
        .get(&url)
        .bearer_auth(&token)
        .header("Last-Event-ID", first_pushed)
        .send()
        .await
        .unwrap();
    let again = events(replay, |name, _| name == "aggregated").await;
    assert_eq!(
        again.len() - 1,
        seen.len() - 2,
        "the events after the first, replayed"
    );
    // A webhook to B (no secret) is refused: only A takes them.
    let refused = http
        .post(format!("{b}/webhooks/atrium"))
        .header("x-atrium-signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_rate_limit_is_shared_by_the_instances() {
    let server = redis_server().await;
    let rate = Rate {
        per_second: 0.01,
        burst: 4,
    };
    let (a, b) = two_relays(&server.url, Some(rate)).await;
    let (token, user) = session(&a, "redis-rate").await;
    let http = Client::new();
    let read = |base: &str| {
        http.get(format!("{base}/atrium/users/{user}"))
            .bearer_auth(&token)
            .send()
    };
    let mut statuses = Vec::new();
    for base in [&a, &b, &a, &b, &a, &b] {
        statuses.push(read(base).await.unwrap().status().as_u16());
    }
    // Four across both, then both refuse: alone, each would have allowed four.
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    let r = read(&b).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}
