//! The relay's Prometheus metrics, scraped from the binary's own metrics address after real
//! traffic: each count is the traffic's, and the browsers' port serves none of it.

mod common;

use std::time::Duration;

use common::{create_member_at, open_session, redis_server, start, Running};
use reqwest::{Client, StatusCode};

/// The value of the series `name` whose labels include every one of `labels`.
fn value(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split(['{', ' ']).next() == Some(name))
        .filter(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|l| {
            l.rsplit(' ')
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        })
        .reduce(|a, b| a + b)
}

async fn scrape(http: &Client, url: &str) -> String {
    let r = http.get(url).send().await.expect("the metrics answer");
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.expect("text")
}

/// Scrapes until `ready` holds of the page (webhooks and stream ends are asynchronous).
async fn scrape_until(http: &Client, url: &str, ready: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let page = scrape(http, url).await;
        if ready(&page) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    scrape(http, url).await
}

fn metrics_url(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).expect("the log");
    let line = text
        .lines()
        .find(|l| l.contains("metrics on "))
        .expect("the metrics line");
    line.split("metrics on ")
        .nth(1)
        .expect("a URL")
        .trim()
        .to_string()
}

fn relay(dir: &std::path::Path, more: &[&str]) -> (Running, String) {
    let log = dir.join("relay.log");
    let mut args = vec![
        "--sandbox",
        "--addr",
        "127.0.0.1:0",
        "--metrics-addr",
        "127.0.0.1:0",
        "--rate-limit",
        "1",
        "--rate-burst",
        "12",
    ];
    args.extend_from_slice(more);
    let relay = start(&args, &log);
    (relay, metrics_url(&log))
}

#[tokio::test]
async fn metrics_count_the_traffic_on_their_own_address_only() {
    let dir = std::env::temp_dir().join(format!("atrium-relay-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a dir");
    let (relay, url) = relay(&dir, &[]);
    let http = Client::new();
    let base = &relay.base;
    let (token, user) = open_session(base, "metrics").await;
    let get = |path: String, token: &str| {
        http.get(format!("{base}{path}"))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(
        get(format!("/atrium/users/{user}"), &token)
            .await
            .expect("answers")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get("/atrium/users/USR-someone-else".into(), &token)
            .await
            .expect("answers")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(format!("/atrium/users/{user}"), "junk")
            .await
            .expect("answers")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let refused = http
        .post(format!("{base}/webhooks/atrium"))
        .header("X-Atrium-Signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // A member: the embedded sandbox's webhooks about it reach the relay, signed.
    create_member_at(base, &token, &user, "password").await;
    let stream = get(format!("/atrium/users/{user}/events"), &token)
        .await
        .expect("a stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let open = scrape_until(&http, &url, |p| {
        value(p, "relay_event_streams_open", &[]) == Some(1.0)
    })
    .await;
    assert_eq!(
        value(&open, "relay_event_streams_open", &[]),
        Some(1.0),
        "{open}"
    );
    drop(stream);
    let mut limited = 0;
    for _ in 0..16 {
        let r = get(format!("/atrium/users/{user}/members"), &token)
            .await
            .expect("answers");
        limited += usize::from(r.status() == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited > 0, "the burst of 12 was spent");
    let page = scrape_until(&http, &url, |p| {
        value(p, "relay_event_streams_open", &[]) == Some(0.0)
            && value(p, "relay_webhooks_total", &[("result", "accepted")]).is_some_and(|n| n >= 1.0)
    })
    .await;
    let count = |name, labels: &[(&str, &str)]| value(&page, name, labels).unwrap_or(0.0);
    let proxied = [("route", "/atrium/{*rest}"), ("method", "GET")];
    assert_eq!(
        count(
            "relay_http_requests_total",
            &[proxied[0], proxied[1], ("status", "403")]
        ),
        1.0,
        "{page}"
    );
    assert_eq!(
        count(
            "relay_http_requests_total",
            &[proxied[0], ("status", "401")]
        ),
        1.0
    );
    assert_eq!(
        count(
            "relay_http_requests_total",
            &[proxied[0], ("status", "429")]
        ),
        limited as f64
    );
    assert_eq!(
        count(
            "relay_http_requests_total",
            &[("route", "/session"), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(count("relay_rate_limited_total", &[]), limited as f64);
    assert_eq!(
        count("relay_tokens_refused_total", &[("code", "token_malformed")]),
        1.0
    );
    assert_eq!(count("relay_webhooks_total", &[("result", "refused")]), 1.0);
    assert!(count("relay_webhooks_total", &[("result", "accepted")]) >= 1.0);
    assert_eq!(
        count("relay_event_streams_open", &[]),
        0.0,
        "the stream ended"
    );
    // Upstream: the session's user lookups, the user read, the member's creation, the reads.
    assert!(
        count("relay_upstream_duration_seconds_count", &[]) >= 4.0,
        "{page}"
    );
    assert_eq!(count("relay_upstream_errors_total", &[]), 0.0);
    assert_eq!(
        count(
            "relay_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    assert!(!page.contains(&user), "no series is per user");
    // The browsers' port has no metrics.
    let there = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(there.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn redis_health_follows_the_server() {
    let dir =
        std::env::temp_dir().join(format!("atrium-relay-metrics-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a dir");
    let redis = redis_server().await;
    let (relay, url) = relay(&dir, &["--redis", &redis.url]);
    let http = Client::new();
    let (token, user) = open_session(&relay.base, "redis-health").await;
    let read = || {
        http.get(format!("{}/atrium/users/{user}", relay.base))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(read().await.expect("answers").status(), StatusCode::OK);
    let up = scrape(&http, &url).await;
    assert_eq!(value(&up, "relay_redis_up", &[]), Some(1.0), "{up}");
    drop(redis);
    // The shared limit is out of reach: the relay limits on its own and still answers.
    assert_eq!(read().await.expect("answers").status(), StatusCode::OK);
    let down = scrape_until(&http, &url, |p| {
        value(p, "relay_redis_up", &[]) == Some(0.0)
    })
    .await;
    assert_eq!(value(&down, "relay_redis_up", &[]), Some(0.0), "{down}");
    std::fs::remove_dir_all(dir).ok();
}
