//! Push: a real sandbox sends signed webhooks to a real relay, which streams the changes of
//! every member of the token's user to its browser as server-sent events, one stream a client.
mod common;

use std::time::Duration;

use atrium_relay::{AppState, Config, SigningKey};
// Webhooks are signed as the sandbox signs them: the relay's check meets the real sender.
use atrium_sandbox::webhooks::sign;
use common::{
    create_member_at, get_as, open_config, open_session, pushing_sandbox, read_events, signing_key,
    status_of, upstream,
};
use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const SECRET: &str = "push-test-secret";

struct Pushing {
    base: String,
    http: Client,
    key: SigningKey,
    stop: Option<oneshot::Sender<()>>,
}

/// A relay whose sandbox sends its webhooks to it; transitions at a twentieth of real pace.
async fn start() -> Pushing {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sandbox = pushing_sandbox(addr, SECRET).await;
    let key = signing_key();
    let config = Config {
        webhook_secret: Some(SECRET.into()),
        // Quick heartbeats, so that a test sees them (15 s in production).
        heartbeat: Duration::from_millis(200),
        ..open_config()
    };
    let state = AppState::new(config, upstream(&sandbox), key.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(atrium_relay::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Pushing {
        base: format!("http://{addr}"),
        http: Client::new(),
        key,
        stop: Some(stop),
    }
}

impl Pushing {
    async fn session(&self, name: &str) -> (String, String) {
        open_session(&self.base, name).await
    }

    async fn create_member(&self, token: &str, user: &str, password: &str) -> String {
        create_member_at(&self.base, token, user, password).await
    }

    /// A GET through the relay with the token; its JSON.
    async fn get(&self, token: &str, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        let answer = get_as(&self.http, &url, Some(token)).await;
        answer.json().await.expect("JSON")
    }

    async fn open(&self, token: &str, user: &str, last: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .get(format!("{}/atrium/users/{user}/events", self.base))
            .bearer_auth(token);
        if let Some(id) = last {
            request = request.header("Last-Event-ID", id);
        }
        request.send().await.unwrap()
    }
}

/// The events of one member among those of the whole user.
fn of<'a>(events: &'a [common::Sse], member: &str) -> Vec<&'a common::Sse> {
    events
        .iter()
        .filter(|e| e.data["member_guid"] == member)
        .collect()
}

#[tokio::test]
async fn every_members_changes_come_down_one_stream() {
    let relay = start().await;
    let (token, user) = relay.session("push-mfa").await;
    let member = relay.create_member(&token, &user, "challenge").await;
    let stream = relay.open(&token, &user, None).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    // A second member, created while the stream is open, comes down the same stream.
    let plain = relay.create_member(&token, &user, "password").await;
    let mut plain_done = false;
    let mut challenged = false;
    let events = read_events(stream, |e| {
        plain_done |= e.event == "aggregated" && e.data["member_guid"] == plain.as_str();
        challenged |= e.data["member_guid"] == member.as_str() && status_of(e) == "CHALLENGED";
        plain_done && challenged
    })
    .await;
    let first = &events[0];
    assert_eq!(first.event, "status");
    assert_eq!(first.data["current"], true, "current statuses come first");
    assert_eq!(first.data["member_guid"], member.as_str());
    assert_eq!(first.data["is_being_aggregated"], true);
    let plain_statuses: Vec<&str> = of(&events, &plain).into_iter().map(status_of).collect();
    assert!(plain_statuses.contains(&"CONNECTED"), "{plain_statuses:?}");
    assert!(of(&events, &member)
        .iter()
        .all(|e| e.data["member_guid"] == member.as_str()));

    let challenges = relay
        .get(
            &token,
            &format!("/atrium/users/{user}/members/{member}/challenges"),
        )
        .await;
    let guid = challenges["challenges"][0]["guid"].as_str().unwrap();
    let last_id = events.last().and_then(|e| e.id.clone()).unwrap();
    let stream = relay.open(&token, &user, Some(&last_id)).await;
    let resumed = relay
        .http
        .put(format!(
            "{}/atrium/users/{user}/members/{member}/resume",
            relay.base
        ))
        .bearer_auth(&token)
        .json(&json!({ "member": { "challenges": [{ "guid": guid, "value": "correct" }] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), StatusCode::OK);
    let events = read_events(stream, |e| {
        e.event == "aggregated" && e.data["member_guid"] == member.as_str()
    })
    .await;
    // Both members' current statuses first, then only what came after the id resumed from.
    let current: Vec<&common::Sse> = events
        .iter()
        .filter(|e| e.data["current"] == true)
        .collect();
    assert_eq!(current.len(), 2, "{events:?}");
    let later: Vec<&common::Sse> = events
        .iter()
        .filter(|e| e.data["current"] != true)
        .collect();
    let statuses: Vec<&str> = later.iter().map(|e| status_of(e)).collect();
    assert!(statuses.contains(&"RESUMED"), "{statuses:?}");
    assert!(statuses.contains(&"CONNECTED"), "{statuses:?}");
    assert!(
        !statuses.contains(&"CHALLENGED"),
        "not replayed: {statuses:?}"
    );
    let done = events.last().unwrap();
    assert_eq!(done.data["type"], "AGGREGATION");
    assert!(done.data["completed_at"].as_i64().unwrap() > 1_700_000_000);
    // Ids only grow, so a client can resume from any of them.
    let ids: Vec<u64> = later
        .iter()
        .filter_map(|e| e.id.as_ref()?.parse().ok())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

#[tokio::test]
async fn streams_are_bound_to_the_tokens_user_and_bounded() {
    let relay = start().await;
    let (token, user) = relay.session("push-owner").await;
    let (other_token, other_user) = relay.session("push-other").await;
    // Another user's token on this user's path: refused before anything is read.
    let r = relay.open(&other_token, &user, None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let events = format!("{}/atrium/users/{user}/events", relay.base);
    let r = get_as(&relay.http, &events, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let mut forged = relay
        .key
        .mint(&user, Duration::from_secs(60))
        .unwrap()
        .token;
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        relay.open(&forged, &user, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The other user's own stream hears nothing of this user's member.
    let other_stream = relay.open(&other_token, &other_user, None).await;
    assert_eq!(other_stream.status(), StatusCode::OK);
    let member = relay.create_member(&token, &user, "password").await;
    let theirs = relay
        .create_member(&other_token, &other_user, "password")
        .await;
    let heard = read_events(other_stream, |e| {
        e.event == "aggregated" && e.data["member_guid"] == theirs.as_str()
    })
    .await;
    assert!(
        heard
            .iter()
            .all(|e| e.data["member_guid"] == theirs.as_str()),
        "{heard:?}"
    );
    assert!(!heard
        .iter()
        .any(|e| e.data["member_guid"] == member.as_str()));

    let mut open = Vec::new();
    for _ in 0..8 {
        let r = relay.open(&token, &user, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        open.push(r);
    }
    // The session read tells the user how many it holds.
    let session = relay.get(&token, "/atrium/session").await;
    assert_eq!(session["streams"], json!({"open": 8, "max": 8}));
    let refused = relay.open(&token, &user, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_streams");
    // Closing one gives its slot back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let r = relay.open(&token, &user, None).await;
        if r.status() == StatusCode::OK {
            reopened = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "a closed stream's slot is given back");
}

#[tokio::test]
async fn webhooks_need_our_signature_and_resume_by_last_event_id() {
    let relay = start().await;
    let (token, user) = relay.session("push-sign").await;
    let member = relay.create_member(&token, &user, "password").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let post = |body: Vec<u8>, signature: Option<String>| {
        let mut r = relay
            .http
            .post(format!("{}/webhooks/atrium", relay.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = signature {
            r = r.header("x-atrium-signature", s);
        }
        r.send()
    };
    let hook = |status: &str| {
        json!({ "type": "CONNECTION_STATUS", "action": "CHANGED", "user_guid": user,
                "member_guid": member, "connection_status": status })
        .to_string()
        .into_bytes()
    };
    let body = hook("DEGRADED");
    assert_eq!(
        post(body.clone(), None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let wrong = sign("not-the-secret", now, &body);
    assert_eq!(
        post(body.clone(), Some(wrong)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let stale = sign(SECRET, now - 3600, &body);
    assert_eq!(
        post(body.clone(), Some(stale)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let junk = b"{\"type\": 1}".to_vec();
    let signed = sign(SECRET, now, &junk);
    assert_eq!(
        post(junk, Some(signed)).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );

    // A stream, then two signed changes; a second stream resuming after the first change
    // replays only the second.
    let stream = relay.open(&token, &user, None).await;
    for status in ["DEGRADED", "DELAYED"] {
        let body = hook(status);
        let signature = sign(SECRET, now, &body);
        assert_eq!(
            post(body, Some(signature)).await.unwrap().status(),
            StatusCode::NO_CONTENT
        );
    }
    let events = read_events(stream, |e| status_of(e) == "DELAYED").await;
    let degraded = events
        .iter()
        .find(|e| status_of(e) == "DEGRADED")
        .expect("pushed");
    let resumed = relay.open(&token, &user, degraded.id.as_deref()).await;
    let replayed = read_events(resumed, |e| status_of(e) == "DELAYED").await;
    let pushed: Vec<&str> = replayed
        .iter()
        .filter(|e| e.data["current"] != true)
        .map(status_of)
        .collect();
    assert_eq!(pushed.last(), Some(&"DELAYED"));
    assert!(!pushed.contains(&"DEGRADED"), "{pushed:?}");
    // The unsigned and wrongly signed ones reached nobody.
    assert_eq!(
        events.iter().filter(|e| status_of(e) == "DEGRADED").count(),
        1
    );
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let mut relay = start().await;
    let (token, user) = relay.session("push-stop").await;
    relay.create_member(&token, &user, "password").await;
    let stream = relay.open(&token, &user, None).await;
    assert_eq!(stream.status(), StatusCode::OK);
    let _ = relay.stop.take().unwrap().send(());
    // Read to the end: it comes (the guard inside fails the test if it does not).
    let events = read_events(stream, |_| false).await;
    assert!(!events.is_empty(), "the current status came before the end");
}

#[tokio::test]
async fn quiet_streams_carry_heartbeats() {
    let relay = start().await;
    let (token, user) = relay.session("push-quiet").await;
    relay.create_member(&token, &user, "password").await;
    let stream = relay.open(&token, &user, None).await;
    let mut bytes = stream.bytes_stream();
    let mut text = String::new();
    let read = async {
        while let Some(chunk) = bytes.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            // A comment line (a heartbeat) after the first event.
            if text.contains("\n\n:") {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("a heartbeat comes");
    assert!(
        text.starts_with("id:") || text.starts_with("event:") || text.starts_with("data:"),
        "{text}"
    );
}

/// A proxy that speaks HTTP/2 to its backends without TLS (h2c, prior knowledge) carries many
/// event streams on one connection: the relay serves it as it serves HTTP/1.1.
#[tokio::test]
async fn streams_and_calls_are_served_over_h2c_on_one_connection() {
    let relay = start().await;
    let (token, user) = relay.session("push-h2c").await;
    let member = relay.create_member(&token, &user, "password").await;
    let h2 = Client::builder().http2_prior_knowledge().build().unwrap();
    let call = h2
        .get(format!(
            "{}/atrium/users/{user}/members/{member}",
            relay.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(call.version(), reqwest::Version::HTTP_2);
    assert_eq!(call.status(), StatusCode::OK);
    let mut streams = Vec::new();
    for _ in 0..3 {
        let r = h2
            .get(format!("{}/atrium/users/{user}/events", relay.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (r.version(), r.status()),
            (reqwest::Version::HTTP_2, StatusCode::OK)
        );
        streams.push(r);
    }
    for r in streams {
        let events = read_events(r, |e| e.data["member_guid"] == member.as_str()).await;
        let current = events.last().expect("the member's current status");
        assert_eq!(current.data["member_guid"], member.as_str());
    }
    // A browser's token checks hold on h2c as on HTTP/1.1.
    let refused = h2
        .get(format!("{}/atrium/users/{user}/events", relay.base))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}
