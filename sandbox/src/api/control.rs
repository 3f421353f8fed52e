//! Test controls under `/_sandbox/` (never forwarded by the relay): the simulated clock, the
//! speed of transitions, injected faults and a reset.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::body;
use crate::error::ApiError;
use crate::sim::clock::timestamp;
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_sandbox/clock", get(read_clock).post(change_clock))
        .route(
            "/_sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/reset", post(reset))
}

/// The longest delay a fault may inject, so that no test can hang the sandbox.
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;

/// A fault applied to matching requests; every field may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    pub id: u64,
    /// Only this method (any when absent).
    pub method: Option<String>,
    /// Only paths containing this text (any when absent).
    pub path_contains: Option<String>,
    /// Only requests whose body contains this text (any when absent).
    pub body_contains: Option<String>,
    /// How many requests it applies to before it is spent (forever when absent).
    pub times: Option<u32>,
    pub delay_ms: u64,
    /// Answer with this status and a JSON error body instead of the real answer.
    pub status: Option<u16>,
    /// With `status`: a `Retry-After` header, in seconds.
    pub retry_after: Option<u32>,
    /// Break the connection instead of answering.
    pub drop: bool,
    /// Act on the request, then break the connection instead of answering: it happened,
    /// and nobody was told.
    pub drop_after: bool,
}

#[derive(Debug, Default)]
pub struct Faults {
    list: Mutex<Vec<Fault>>,
    next_id: AtomicU64,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fault that applies to this request, spending one of its uses.
    fn take(&self, method: &str, path: &str, body: &[u8]) -> Option<Fault> {
        let mut list = self.lock();
        let i = list.iter().position(|f| {
            f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.path_contains.as_deref().is_none_or(|p| path.contains(p))
                && f.body_contains.as_deref().is_none_or(|b| {
                    b.is_empty() || body.windows(b.len()).any(|w| w == b.as_bytes())
                })
        })?;
        let fault = list[i].clone();
        if let Some(times) = &mut list[i].times {
            *times -= 1;
            if *times == 0 {
                list.remove(i);
            }
        }
        Some(fault)
    }

    /// Whether a fault looks at bodies (only then is a body read before the handler).
    fn by_body(&self) -> bool {
        self.lock().iter().any(|f| f.body_contains.is_some())
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// Applies injected faults to every request outside `/_sandbox/` and the OAuth pages.
pub async fn inject(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    // With a fault that matches bodies, the body is read first and handed on as it was.
    let (request, fault) = if state.faults.by_body() {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return ApiError::Unprocessable("The body could not be read.".into()).into_response();
        };
        let fault = state.faults.take(parts.method.as_str(), &path, &bytes);
        (Request::from_parts(parts, Body::from(bytes)), fault)
    } else {
        let fault = state.faults.take(request.method().as_str(), &path, &[]);
        (request, fault)
    };
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    if fault.drop_after {
        drop(next.run(request).await);
        return broken();
    }
    if fault.drop {
        return broken();
    }
    if let Some(code) = fault.status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            Json(json!({ "error": { "message": format!("Injected fault: {code}.") } })),
        )
            .into_response();
        if let Some(s) = fault.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        return response;
    }
    next.run(request).await
}

/// The largest body a fault is matched against (the relay forwards at most 64 KiB).
const MAX_BODY: usize = 1 << 20;

/// An answer whose body fails at once: the server aborts the connection mid-answer.
fn broken() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected drop"))
    });
    Response::new(Body::from_stream(broken))
}

/// `POST /_sandbox/faults`.
pub async fn add_fault(
    State(state): State<Arc<AppState>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut fault: Fault = body::parse(&bytes)?;
    if fault.times == Some(0) {
        return Err(ApiError::Unprocessable("times must be at least 1.".into()));
    }
    if fault.delay_ms > MAX_FAULT_DELAY_MS {
        return Err(ApiError::Unprocessable(format!(
            "delay_ms is at most {MAX_FAULT_DELAY_MS}."
        )));
    }
    if let Some(code) = fault.status {
        if !(100..=599).contains(&code) {
            return Err(ApiError::Unprocessable(
                "status must be an HTTP status code.".into(),
            ));
        }
    }
    fault.id = state.faults.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    state.faults.lock().push(fault.clone());
    Ok(Json(json!({ "fault": fault })))
}

/// `GET /_sandbox/faults`.
pub async fn list_faults(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "faults": *state.faults.lock() }))
}

/// `DELETE /_sandbox/faults`.
pub async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

fn clock_json(state: &AppState) -> Json<Value> {
    Json(json!({
        "now": timestamp(state.clock.now()),
        "transition_scale": state.clock.scale(),
        "transition_jitter": state.clock.jitter(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance_seconds: Option<u64>,
    transition_scale: Option<f64>,
    transition_jitter: Option<bool>,
}

/// `GET /_sandbox/clock`.
pub async fn read_clock(State(state): State<Arc<AppState>>) -> Json<Value> {
    clock_json(&state)
}

/// `POST /_sandbox/clock` with `{"advance_seconds"?, "transition_scale"?, "transition_jitter"?}`:
/// moves simulated time forward, sets how long transitions take (1 realistic, 0 at once, up
/// to 100) and whether each is stretched by a random 0.5–1.5.
pub async fn change_clock(
    State(state): State<Arc<AppState>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let change: ClockChange = body::parse(&bytes)?;
    if let Some(scale) = change.transition_scale {
        if !(0.0..=100.0).contains(&scale) {
            return Err(ApiError::Unprocessable(
                "transition_scale must be from 0 to 100.".into(),
            ));
        }
        state.clock.set_scale(scale);
    }
    if let Some(on) = change.transition_jitter {
        state.clock.set_jitter(on);
    }
    if let Some(secs) = change.advance_seconds {
        state
            .clock
            .advance(Duration::from_secs(secs.min(100 * 365 * 86_400)));
    }
    Ok(clock_json(&state))
}

/// `POST /_sandbox/reset`: no users, no faults, the real time, realistic speed.
pub async fn reset(State(state): State<Arc<AppState>>) -> StatusCode {
    state.store.clear();
    state.faults.clear();
    state.clock.reset();
    StatusCode::NO_CONTENT
}
