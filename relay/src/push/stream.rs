//! `GET /atrium/users/{user_guid}/events`: the changes of every member of the token's user as
//! server-sent events, so that a client needs one long-lived connection however many flows
//! it runs (a browser has about six per origin over HTTP/1.1). Token-bound like every route:
//! each member's current status at once, then each change the webhooks report; heartbeats;
//! `Last-Event-ID` resumes; a bounded number of streams per user; streams end when the relay
//! shuts down.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Authed;
use crate::error::RelayError;
use crate::push::local::Event;
use crate::state::AppState;

/// Open streams per user; a slot is given back when its stream ends.
#[derive(Default)]
pub struct Streams(Arc<Mutex<HashMap<String, usize>>>);

fn lock(open: &Mutex<HashMap<String, usize>>) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
    open.lock().unwrap_or_else(|p| p.into_inner())
}

impl Streams {
    /// The streams `user_guid` holds open on this instance.
    pub fn open(&self, user_guid: &str) -> usize {
        lock(&self.0).get(user_guid).copied().unwrap_or(0)
    }

    /// One more stream for `user_guid`, unless it holds `max` already.
    fn take(&self, user_guid: &str, max: usize) -> Result<Slot, RelayError> {
        let mut open = lock(&self.0);
        let n = open.entry(user_guid.to_string()).or_insert(0);
        if *n >= max {
            return Err(RelayError::TooManyStreams(max));
        }
        *n += 1;
        crate::metrics::stream_open(1.0);
        Ok(Slot {
            open: self.0.clone(),
            user_guid: user_guid.to_string(),
        })
    }
}

/// A stream's place in its user's count, given back when the stream (and so this) is dropped.
pub struct Slot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    user_guid: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        crate::metrics::stream_open(-1.0);
        let mut open = lock(&self.open);
        if let Some(n) = open.get_mut(&self.user_guid) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user_guid);
            }
        }
    }
}

/// An event as a stream sends it: the webhook's data with the member it is about.
fn sse(event: &Event) -> SseEvent {
    let mut data = event.data.clone();
    if let Value::Object(fields) = &mut data {
        fields.insert("member_guid".into(), event.member_guid.clone().into());
    }
    SseEvent::default()
        .id(event.id.to_string())
        .event(event.name)
        .data(data.to_string())
}

/// Pages of the user's members read for the first events; Atrium allows 25 members a user,
/// which the first page of the default size holds.
const MEMBER_PAGES: u32 = 4;

/// Each member's current status, as the first events of a stream (`current: true`).
async fn current_statuses(
    state: &AppState,
    user_guid: &str,
    id: u64,
) -> Result<Vec<SseEvent>, RelayError> {
    let path = format!("/users/{user_guid}/members");
    let mut out = Vec::new();
    for page in 1..=MEMBER_PAGES {
        let query = format!("page={page}&records_per_page=25");
        let reply = state
            .upstream
            .send(Method::GET, &path, Some(&query), None, false)
            .await?;
        if reply.status != 200 {
            return Err(RelayError::UpstreamError(reply.status));
        }
        let list: Value = serde_json::from_slice(&reply.body)
            .map_err(|e| RelayError::Upstream(format!("an unreadable member list: {e}")))?;
        for member in list["members"].as_array().into_iter().flatten() {
            let data = json!({
                "member_guid": member["guid"],
                "connection_status": member["connection_status"],
                "is_being_aggregated": member["is_being_aggregated"],
                "current": true,
            });
            out.push(
                SseEvent::default()
                    .id(id.to_string())
                    .event("status")
                    .data(data.to_string()),
            );
        }
        if list["pagination"]["total_pages"].as_u64().unwrap_or(1) <= u64::from(page) {
            break;
        }
    }
    Ok(out)
}

pub async fn stream(
    State(state): State<Arc<AppState>>,
    Authed(claims): Authed,
    Path(user_guid): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, RelayError> {
    if claims.user_guid != user_guid {
        return Err(RelayError::Forbidden(
            "This token is for another user.".into(),
        ));
    }
    if !state.pushes() {
        // No webhooks reach this relay: there would be nothing to push. Clients poll.
        return Err(RelayError::NotFound);
    }
    let slot = state
        .streams
        .take(&user_guid, state.config.max_streams_per_user)?;
    let resume_from = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Events published while the statuses are read are caught by replaying from here.
    let before = state.backplane.last_id(&state.hub).await?;
    let first = current_statuses(&state, &user_guid, before).await?;
    let (replay, rx) = state.hub.subscribe(
        &user_guid,
        Some(resume_from.map_or(before, |r| r.min(before))),
    );
    let mut closing = state.closing.subscribe();
    let live = stream::unfold((rx, slot), move |(mut rx, slot)| async move {
        match rx.recv().await {
            Ok(event) => Some((Ok(sse(&event)), (rx, slot))),
            // Fallen behind: end the stream; the client resumes from its last id.
            Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => None,
        }
    });
    let max_age = state.config.stream_max_age;
    let shutdown = async move {
        let closed = async {
            while !*closing.borrow_and_update() {
                if closing.changed().await.is_err() {
                    break;
                }
            }
        };
        let aged = async {
            match max_age {
                Some(age) => tokio::time::sleep(age).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = closed => {}
            _ = aged => {}
        }
    };
    let events = stream::iter(first.into_iter().map(Ok))
        .chain(stream::iter(replay.into_iter().map(|e| Ok(sse(&e)))))
        .chain(live)
        .take_until(shutdown);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(state.config.heartbeat)))
}
