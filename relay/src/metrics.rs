//! What the relay counts, for Prometheus, served on its own address (never the browsers').
//!
//! The counting goes through the `metrics` facade: without an installed recorder (a relay in
//! a test, or one run without `--metrics-addr`) every count is a no-op.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::error::RelayError;

const UPSTREAM_SECONDS: &str = "relay_upstream_duration_seconds";
/// Upstream answers take milliseconds to tens of seconds (a slow institution).
const UPSTREAM_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the process's recorder; its handle renders the page.
pub fn install() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(UPSTREAM_SECONDS.into()), UPSTREAM_BUCKETS)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())?;
    gauge!("relay_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(handle)
}

/// Serves `GET /metrics` on `listener` for as long as the process runs.
pub async fn serve(listener: TcpListener, handle: PrometheusHandle) -> std::io::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                // Histograms drain their buckets here rather than on a timer of their own.
                handle.run_upkeep();
                handle.render()
            }
        }),
    );
    axum::serve(listener, app).await
}

/// One answered request, by route template, method and status (see `observe.rs`).
pub fn request(route: String, method: &'static str, status: u16) {
    let status = status.to_string();
    counter!("relay_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
}

/// One upstream call: its time, and its failure by kind.
pub fn upstream(took: Duration, outcome: Result<u16, &RelayError>) {
    histogram!(UPSTREAM_SECONDS).record(took.as_secs_f64());
    if let Err(e) = outcome {
        counter!("relay_upstream_errors_total", "kind" => e.code()).increment(1);
    }
}

pub fn rate_limited() {
    counter!("relay_rate_limited_total").increment(1);
}

pub fn token_refused(code: &'static str) {
    counter!("relay_tokens_refused_total", "code" => code).increment(1);
}

/// An event stream opened (`1.0`) or ended (`-1.0`).
pub fn stream_open(delta: f64) {
    gauge!("relay_event_streams_open").increment(delta);
}

pub fn webhook(accepted: bool) {
    let result = if accepted { "accepted" } else { "refused" };
    counter!("relay_webhooks_total", "result" => result).increment(1);
}

/// Whether the last exchange with Redis worked.
pub fn redis_up(up: bool) {
    gauge!("relay_redis_up").set(if up { 1.0 } else { 0.0 });
}
