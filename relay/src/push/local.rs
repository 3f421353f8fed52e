//! Member events from Atrium's webhooks, fanned out to the event streams of each member's
//! user (one stream per client carries all of a user's members), with a short replay buffer
//! per user for `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::broadcast;

/// One change of one member, as a stream sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub user_guid: String,
    pub member_guid: String,
    /// The SSE event name: `status` or `aggregated`.
    pub name: &'static str,
    pub data: Value,
}

/// Events kept per user for resuming streams (Atrium allows 25 members a user; a run is a
/// handful of events each).
const REPLAY: usize = 64;
/// Users tracked at once; beyond, those nobody listens to are forgotten first.
const MAX_USERS: usize = 10_000;
/// Events a slow stream may fall behind by before it is ended (it then resumes by id).
const LAG: usize = 64;

struct Channel {
    tx: broadcast::Sender<Arc<Event>>,
    recent: VecDeque<Arc<Event>>,
}

impl Channel {
    fn new() -> Self {
        Channel {
            tx: broadcast::channel(LAG).0,
            recent: VecDeque::new(),
        }
    }
}

/// Channels are per user: an event naming a member under another user reaches only that
/// other user's streams, never the member's own user's.
pub struct Hub {
    users: Mutex<HashMap<String, Channel>>,
    next: AtomicU64,
}

/// Where event ids start: the clock in milliseconds, so that an id from before a restart (of
/// the relay, or of an emptied Redis) is below every new one.
pub(crate) fn first_id() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH);
    since_epoch.map_or(1, |d| d.as_millis() as u64)
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            users: Mutex::new(HashMap::new()),
            next: AtomicU64::new(first_id()),
        }
    }
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Channel>> {
        self.users.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id the next event will be above.
    pub fn last_id(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }

    /// Records an event and hands it to the member's streams; returns its id.
    pub fn publish(
        &self,
        user_guid: &str,
        member_guid: &str,
        name: &'static str,
        data: Value,
    ) -> u64 {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.publish_with_id(id, user_guid, member_guid, name, data);
        id
    }

    /// Records an event whose id was given elsewhere (Redis's shared counter).
    pub fn publish_with_id(
        &self,
        id: u64,
        user_guid: &str,
        member_guid: &str,
        name: &'static str,
        data: Value,
    ) {
        let mut users = self.lock();
        self.next.fetch_max(id, Ordering::SeqCst);
        let event = Arc::new(Event {
            id,
            user_guid: user_guid.to_string(),
            member_guid: member_guid.to_string(),
            name,
            data,
        });
        if !users.contains_key(user_guid) && users.len() >= MAX_USERS {
            users.retain(|_, c| c.tx.receiver_count() > 0);
        }
        let channel = users
            .entry(user_guid.to_string())
            .or_insert_with(Channel::new);
        if channel.recent.len() >= REPLAY {
            channel.recent.pop_front();
        }
        channel.recent.push_back(event.clone());
        let _ = channel.tx.send(event);
    }

    /// Ends every open stream (their channels closed) and forgets what they held: events may
    /// have been lost (Redis was away), and a reopened stream starts with each member's
    /// current status, read afresh. Returns the users whose streams were ended.
    pub fn resync(&self) -> usize {
        let mut users = self.lock();
        let n = users.len();
        users.clear();
        n
    }

    /// The user's events after `after` still held, and a receiver of the ones to come.
    pub fn subscribe(
        &self,
        user_guid: &str,
        after: Option<u64>,
    ) -> (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>) {
        let mut users = self.lock();
        let channel = users
            .entry(user_guid.to_string())
            .or_insert_with(Channel::new);
        let replay = match after {
            Some(after) => channel
                .recent
                .iter()
                .filter(|e| e.id > after)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        (replay, channel.tx.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn events_reach_the_users_streams_and_replay_by_id() {
        let hub = Hub::default();
        let first = hub.publish(
            "USR-a",
            "MBR-1",
            "status",
            json!({"connection_status": "CREATED"}),
        );
        let (replay, mut rx) = hub.subscribe("USR-a", Some(first - 1));
        assert_eq!(replay.len(), 1);
        let (_, mut other) = hub.subscribe("USR-b", None);
        let second = hub.publish(
            "USR-a",
            "MBR-2",
            "status",
            json!({"connection_status": "CONNECTED"}),
        );
        assert!(second > first);
        let got = rx.recv().await.unwrap();
        assert_eq!((got.id, got.member_guid.as_str()), (second, "MBR-2"));
        assert!(other.try_recv().is_err(), "another user hears nothing");
        let (replay, _) = hub.subscribe("USR-a", Some(first));
        assert_eq!(
            replay.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![second]
        );
        // An event naming user a's member under user b reaches user b's streams only.
        hub.publish("USR-b", "MBR-1", "status", json!({}));
        assert!(
            rx.try_recv().is_err(),
            "user a's stream hears nothing of user b"
        );
        assert!(other.try_recv().is_ok());
        let (replay, _) = hub.subscribe("USR-b", Some(0));
        assert_eq!(replay.len(), 1);
    }

    #[test]
    fn the_replay_buffer_is_bounded() {
        let hub = Hub::default();
        for i in 0..100 {
            hub.publish("USR-a", &format!("MBR-{}", i % 30), "status", json!({}));
        }
        let (replay, _) = hub.subscribe("USR-a", Some(0));
        assert_eq!(replay.len(), REPLAY);
    }
}
