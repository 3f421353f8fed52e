//! A client's flows together: the one event stream they share (opened for the first flow,
//! closed after the last, reopened after a break), which flow each pushed change is for, and
//! a status one flow read that others on the same member should hear. Sans-IO: the face
//! performs the fetches and timers asked for and reports back.
//!
//! One stream per client, not per flow: a browser opens about six connections per origin over
//! HTTP/1.1, and a page whose flows each held one would starve its own requests.

use std::collections::VecDeque;

use crate::small_map::SmallMap;
use crate::sse::Push;

/// A flow of this client (the face numbers them).
pub type FlowId = u64;

/// What the hub asks of the face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubCommand {
    /// Open the user's event stream, resuming after `last_id`, with the token asked afresh
    /// when `fresh_token`. Report `opened`, each event, then `ended`, all with `generation`.
    Open {
        generation: u64,
        last_id: Option<String>,
        fresh_token: bool,
    },
    /// Drop the open stream or the pending reopen; nothing more is reported of it.
    Close,
    /// Wait this long, then report `retry` with `generation`.
    Wait { generation: u64, ms: u32 },
    /// Hand this push to this flow.
    Deliver(FlowId, Push),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// No stream, none wanted or none opened yet.
    Closed,
    Opening,
    Up,
    /// After a failure, until `retry`.
    Waiting,
    /// Broken too often in a row: flows poll until the hub is idle again.
    Exhausted,
    /// The relay offers no stream to this token (404, 403, 401 after a fresh token): for good.
    Refused,
}

#[derive(Debug)]
struct Subscriber {
    flow: FlowId,
    member: Option<String>,
    /// The hub's event count when the flow came: later events of its member are its own.
    since: u64,
    /// Whether the flow was told the stream is up (and not told since that it went down).
    told_up: bool,
}

/// A stream that ended sooner than this after opening counts as a failure (backoff), not as a
/// proxy's or the relay's routine cut (reopened at once).
pub const SHORT_LIVED_MS: u64 = 1_000;
/// Failures in a row before the flows are left polling.
pub const MAX_FAILURES: u32 = 6;
/// Events kept for flows that learn their member's GUID after its first events arrived (a
/// connect learns it from the create's answer).
const RECENT: usize = 128;

#[derive(Debug)]
pub struct FlowHub {
    link: Link,
    /// Tells a stale report (of a stream closed since) from the current one.
    generation: u64,
    subscribers: Vec<Subscriber>,
    last_id: Option<String>,
    failures: u32,
    refreshed: bool,
    /// When the current stream opened (the face's clock), and whether its break is told yet.
    opened_at: u64,
    down_told: bool,
    events: u64,
    recent: VecDeque<(u64, String, Push)>,
    /// The last status and aggregating flag any flow read, by member.
    seen: SmallMap<String, (String, bool)>,
}

impl Default for FlowHub {
    fn default() -> Self {
        FlowHub {
            link: Link::Closed,
            generation: 0,
            subscribers: Vec::new(),
            last_id: None,
            failures: 0,
            refreshed: false,
            opened_at: 0,
            down_told: true,
            events: 0,
            recent: VecDeque::new(),
            seen: SmallMap::default(),
        }
    }
}

/// How long to wait before reopening after `failures` failures in a row: 0.5 s doubling to 10 s.
pub fn backoff_ms(failures: u32) -> u32 {
    (250u32 << failures.clamp(1, 6)).min(10_000)
}

impl FlowHub {
    /// Whether a stream is open or being opened (what a test counts).
    pub fn streaming(&self) -> bool {
        matches!(self.link, Link::Opening | Link::Up)
    }

    /// The flows following the hub.
    pub fn flows(&self) -> usize {
        self.subscribers.len()
    }

    /// A new flow, its member's GUID known or not yet; the stream opens for the first.
    pub fn subscribe(&mut self, flow: FlowId, member: Option<&str>) -> Vec<HubCommand> {
        self.subscribers.push(Subscriber {
            flow,
            member: None,
            since: self.events,
            told_up: false,
        });
        let mut out = Vec::new();
        if self.link == Link::Closed {
            self.open(false, &mut out);
        }
        if let Some(member) = member {
            out.extend(self.member_known(flow, member));
        }
        out
    }

    /// The flow's member is known: while the stream is up, the flow hears so, and the events
    /// of its member that came since the flow did.
    pub fn member_known(&mut self, flow: FlowId, member: &str) -> Vec<HubCommand> {
        let up = self.link == Link::Up;
        let Some(sub) = self.subscribers.iter_mut().find(|s| s.flow == flow) else {
            return Vec::new();
        };
        sub.member = Some(member.to_string());
        let mut out = Vec::new();
        if up && !sub.told_up {
            sub.told_up = true;
            out.push(HubCommand::Deliver(flow, Push::Up));
            let since = sub.since;
            out.extend(
                self.recent
                    .iter()
                    .filter(|(n, m, _)| *n > since && m == member)
                    .map(|(_, _, push)| HubCommand::Deliver(flow, push.clone())),
            );
        }
        out
    }

    /// The flow ended; after the last one the stream closes.
    pub fn unsubscribe(&mut self, flow: FlowId) -> Vec<HubCommand> {
        self.subscribers.retain(|s| s.flow != flow);
        let members: Vec<&str> = self
            .subscribers
            .iter()
            .filter_map(|s| s.member.as_deref())
            .collect();
        self.seen.retain(|m, _| members.contains(&m.as_str()));
        if !self.subscribers.is_empty() {
            return Vec::new();
        }
        self.recent.clear();
        self.last_id = None;
        self.failures = 0;
        match self.link {
            Link::Refused | Link::Closed => Vec::new(),
            Link::Exhausted => {
                self.link = Link::Closed;
                Vec::new()
            }
            Link::Opening | Link::Up | Link::Waiting => {
                self.link = Link::Closed;
                self.generation += 1;
                vec![HubCommand::Close]
            }
        }
    }

    /// The answer to `Open`: its HTTP status (0 when the request failed), at `now`.
    pub fn opened(&mut self, generation: u64, status: u16, now: u64) -> Vec<HubCommand> {
        let mut out = Vec::new();
        if generation != self.generation || self.link != Link::Opening {
            return out;
        }
        match status {
            200 => {
                self.link = Link::Up;
                self.opened_at = now;
                self.refreshed = false;
                self.down_told = false;
                for sub in &mut self.subscribers {
                    if sub.member.is_some() && !sub.told_up {
                        sub.told_up = true;
                        out.push(HubCommand::Deliver(sub.flow, Push::Up));
                    }
                }
            }
            401 if !self.refreshed => {
                self.refreshed = true;
                self.open(true, &mut out);
            }
            // No stream here (an older relay, no webhooks) or not for this token.
            401 | 403 | 404 => {
                self.link = Link::Refused;
                self.tell_down(&mut out);
            }
            _ => self.failed(&mut out),
        }
        out
    }

    /// An event of the stream: `id` its id so far, `member` the member it is about.
    pub fn event(
        &mut self,
        generation: u64,
        id: Option<&str>,
        member: &str,
        push: Push,
    ) -> Vec<HubCommand> {
        if generation != self.generation || self.link != Link::Up {
            return Vec::new();
        }
        if let Some(id) = id {
            self.last_id = Some(id.to_string());
        }
        self.events += 1;
        if self.recent.len() >= RECENT {
            self.recent.pop_front();
        }
        self.recent
            .push_back((self.events, member.to_string(), push.clone()));
        self.subscribers
            .iter()
            .filter(|s| s.told_up && s.member.as_deref() == Some(member))
            .map(|s| HubCommand::Deliver(s.flow, push.clone()))
            .collect()
    }

    /// The stream ended or broke, at `now`. A routine cut of a stream that lived is reopened
    /// at once and resumed by id, so the flows need not know; anything else is a failure.
    pub fn ended(&mut self, generation: u64, now: u64) -> Vec<HubCommand> {
        let mut out = Vec::new();
        if generation != self.generation || !matches!(self.link, Link::Up | Link::Opening) {
            return out;
        }
        let lived = self.link == Link::Up && now.saturating_sub(self.opened_at) >= SHORT_LIVED_MS;
        if lived {
            self.failures = 0;
            self.open(false, &mut out);
        } else {
            self.failed(&mut out);
        }
        out
    }

    /// A `Wait` elapsed: reopen if still wanted.
    pub fn retry(&mut self, generation: u64) -> Vec<HubCommand> {
        let mut out = Vec::new();
        if generation == self.generation && self.link == Link::Waiting {
            self.open(false, &mut out);
        }
        out
    }

    /// A flow read its member's status: the other flows on the member that should read now
    /// (the status changed since any flow last saw it), so that one read serves them all.
    pub fn read_news(
        &mut self,
        reader: FlowId,
        member: &str,
        status: &str,
        aggregating: bool,
    ) -> Vec<FlowId> {
        let now = (status.to_string(), aggregating);
        if self.seen.get(member) == Some(&now) {
            return Vec::new();
        }
        self.seen.insert(member.to_string(), now);
        self.subscribers
            .iter()
            .filter(|s| s.flow != reader && s.member.as_deref() == Some(member))
            .map(|s| s.flow)
            .collect()
    }

    fn open(&mut self, fresh_token: bool, out: &mut Vec<HubCommand>) {
        self.generation += 1;
        self.link = Link::Opening;
        out.push(HubCommand::Open {
            generation: self.generation,
            last_id: self.last_id.clone(),
            fresh_token,
        });
    }

    /// Flows hear of a break once, and poll until the stream is back.
    fn tell_down(&mut self, out: &mut Vec<HubCommand>) {
        if self.down_told {
            return;
        }
        self.down_told = true;
        for sub in &mut self.subscribers {
            if sub.told_up {
                sub.told_up = false;
                out.push(HubCommand::Deliver(sub.flow, Push::Down));
            }
        }
    }

    fn failed(&mut self, out: &mut Vec<HubCommand>) {
        self.tell_down(out);
        self.failures += 1;
        if self.failures > MAX_FAILURES {
            self.link = Link::Exhausted;
            return;
        }
        self.link = Link::Waiting;
        self.generation += 1;
        out.push(HubCommand::Wait {
            generation: self.generation,
            ms: backoff_ms(self.failures),
        });
    }
}

#[cfg(test)]
mod tests;
