//! Several relays sharing one real Redis (Debian's `redis-server`, started here): a webhook
//! taken by one relay reaches a stream on another, with ids that resume on any of them, the
//! per-user rate limit is counted once across them, and streams resync after Redis restarts.
mod common;

use atrium_relay::{AppState, Config, Rate, Redis};
use common::{
    create_member_at, open_config, open_session, pushing_sandbox, read_events, redis_server,
    signing_key, status_of, upstream,
};
use reqwest::{Client, StatusCode};
use tokio::net::TcpListener;

const SECRET: &str = "redis-test-secret";

/// One relay on the sandbox at `url`, with Redis; `secret` when webhooks come to it.
async fn relay(
    url: &str,
    redis: &str,
    secret: Option<&str>,
    rate: Option<Rate>,
    listener: TcpListener,
) -> String {
    let addr = listener.local_addr().unwrap();
    let config = Config {
        webhook_secret: secret.map(String::from),
        rate,
        ..open_config()
    };
    let shared = Redis::connect(redis).await.expect("redis");
    let state = AppState::with_redis(config, upstream(url), signing_key(), Some(shared));
    tokio::spawn(atrium_relay::serve(listener, state, std::future::pending()));
    format!("http://{addr}")
}

/// Relay A takes the sandbox's webhooks; relay B only streams. Both share `redis`.
async fn two_relays(redis: &str, rate: Option<Rate>) -> (String, String) {
    let a_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a_addr = a_listener.local_addr().unwrap();
    let sandbox = pushing_sandbox(a_addr, SECRET).await;
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

#[tokio::test]
async fn a_webhook_taken_by_one_relay_reaches_a_stream_on_another() {
    let server = redis_server().await;
    let (a, b) = two_relays(&server.url, None).await;
    // Tokens are signed with the key every instance shares: a session from A works on B.
    let (token, user) = open_session(&a, "redis-fanout").await;
    let http = Client::new();
    let member = create_member_at(&b, &token, &user, "password").await;
    let url = format!("{b}/atrium/users/{user}/events");
    let stream = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        stream.status(),
        StatusCode::OK,
        "B offers streams through Redis"
    );
    let seen = read_events(stream, |e| e.event == "aggregated").await;
    assert_eq!(seen[0].data["current"], true);
    assert!(seen
        .iter()
        .all(|e| e.data["member_guid"] == member.as_str()));
    assert!(seen.iter().any(|e| status_of(e) == "CONNECTED"), "{seen:?}");
    // B never got a webhook: these came through Redis. Their ids resume on B too.
    let first_pushed = seen[1].id.as_deref().expect("an id");
    let replay = http
        .get(&url)
        .bearer_auth(&token)
        .header("Last-Event-ID", first_pushed)
        .send()
        .await
        .unwrap();
    let again = read_events(replay, |e| e.event == "aggregated").await;
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
    let (token, user) = open_session(&a, "redis-rate").await;
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

#[tokio::test]
async fn streams_end_when_redis_comes_back_and_reopen_with_current_statuses() {
    let mut server = redis_server().await;
    let (a, b) = two_relays(&server.url, None).await;
    let (token, user) = open_session(&a, "redis-resync").await;
    let member = create_member_at(&b, &token, &user, "password").await;
    let http = Client::new();
    let url = format!("{b}/atrium/users/{user}/events");
    let stream = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // Redis dies and comes back empty: whatever was published meanwhile never reached B's
    // streams, so B ends them (read_events panics on a stream that stays open).
    let restarted = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        server.restart().await;
        server
    });
    let seen = read_events(stream, |_| false).await;
    assert_eq!(seen[0].data["current"], true, "{seen:?}");
    let _server = restarted.await.expect("restarted");
    // Reopened, a stream starts with the member's status as it is now.
    let again = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "Redis is there for the reopening"
    );
    let first = read_events(again, |_| true).await;
    assert_eq!(first[0].data["current"], true);
    assert_eq!(first[0].data["member_guid"], member.as_str());
    assert_eq!(status_of(&first[0]), "CONNECTED");
    // Ids go on from the clock, not from 1, above those the client holds.
    let before: u64 = seen
        .last()
        .and_then(|e| e.id.as_deref())
        .unwrap()
        .parse()
        .unwrap();
    // A second member's events (an aggregation again would be inside Atrium's throttle, the
    // same login again a duplicate).
    let second = create_member_at(&b, &token, &user, "challenge").await;
    let resumed = http
        .get(&url)
        .bearer_auth(&token)
        .header("Last-Event-ID", before.to_string())
        .send()
        .await
        .unwrap();
    let pushed = read_events(resumed, |e| {
        e.data["member_guid"] == second.as_str() && status_of(e) == "CHALLENGED"
    });
    let pushed = pushed.await;
    let ids: Vec<u64> = pushed
        .iter()
        .filter(|e| e.data["member_guid"] == second.as_str() && e.data["current"].is_null())
        .filter_map(|e| e.id.as_deref()?.parse().ok())
        .collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|id| *id > before),
        "{ids:?} after {before}"
    );
}
