//! The flow's states and its reading of statuses: what to send, how long to wait, when it
//! ends and with what result.

use std::collections::VecDeque;

use super::*;
use crate::error::AtriumError;
use crate::oauth::OAuthEnd;
use crate::status::Group;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Before starting on an existing member: its status decides.
    Checking,
    /// A run is going: watch it.
    Watching,
    /// Challenges are out: wait for `answer()` (and watch slowly, for EXPIRED).
    Answering,
    /// 409 with `wait_if_busy`: watch until the other process ends, then start.
    Busy,
    /// PENDING: the end user is at the OAuth window; watch until the member moves on.
    OAuth,
    /// Reading what the result needs before it ends this way (the credentials of a
    /// `needs_credentials` end, the member of a `busy` one, the members to find a duplicate).
    Ending(Outcome),
    Done,
}

pub struct Flow {
    /// Stable across resumes: what tells one run's end from another's.
    pub(super) run_id: String,
    pub(super) start: Start,
    pub(super) options: FlowOptions,
    pub(super) phase: Phase,
    /// The request in flight; at most one.
    pub(super) in_flight: Option<Request>,
    /// What to send when the current wait ends.
    pub(super) after_wait: Option<Request>,
    pub(super) waiting: bool,
    pub(super) process: Process,
    pub(super) then: VecDeque<Process>,
    pub(super) last_status: Option<ConnectionStatus>,
    pub(super) open: Vec<String>,
    pub(super) deadline: u64,
    started_at: u64,
    pub(super) requests: u32,
    pub(super) errors: u32,
    pub(super) polls: u32,
    rng: u64,
    pub(super) member_known: bool,
    /// The create was sent a second time after a failure that left its outcome unknown.
    pub(super) create_resent: bool,
    /// The relay's event stream is open: waits are long, and pushed changes wake the flow.
    pub(super) push: bool,
    /// After a write: the status whose push says later pushes are news (see `pushed_status`).
    pub(super) fence: Option<ConnectionStatus>,
    /// A write's own status whose push is still to come after a read moved past it: that
    /// late push is an echo, and is dropped.
    pub(super) echo: Option<ConnectionStatus>,
    /// The error an `Ending` phase will end with.
    pub(super) ending_error: Option<AtriumError>,
    successfully_aggregated_at: Option<String>,
    pub(super) oauth_window_uri: Option<String>,
    /// Signing in again at the OAuth window (`reauthorize`, or its resume): statuses are
    /// held as no news until the window speaks (see `held`).
    pub(super) reauthorizing: bool,
    /// While signing in again: the member's status at the first read after the window came.
    pub(super) stale: Option<ConnectionStatus>,
    /// The flow's own write (create, update, start) has been sent: a resume only follows.
    pub(super) started: bool,
    pub(super) oauth: OAuthWait,
}

/// Where the flow stands with an OAuth window.
#[derive(Debug, Clone, Default)]
pub(super) struct OAuthWait {
    /// `Command::OAuth` was given.
    pub(super) asked: bool,
    /// Nobody handles it: PENDING ends the flow.
    pub(super) unhandled: bool,
    /// What the window said, if it did.
    pub(super) said: Option<OAuthEnd>,
    pub(super) closed: bool,
    /// Reads of a still-PENDING member since the window spoke or closed.
    pub(super) reads_after: u32,
}

impl Flow {
    pub fn new(start: Start, options: FlowOptions, seed: u64) -> Self {
        let process = match &start {
            Start::Process(p) => *p,
            Start::Resume(kind) => kind.process(),
            _ => Process::Aggregate,
        };
        let reauthorizing = matches!(
            start,
            Start::Reauthorize(_) | Start::Resume(FlowKind::Reauthorize)
        );
        Flow {
            run_id: format!("{:016x}", seed.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15),
            started: matches!(start, Start::Resume(_)),
            oauth: OAuthWait::default(),
            member_known: !matches!(start, Start::Connect(_)),
            create_resent: false,
            then: options.then.iter().copied().collect(),
            // Until `begin` knows the clock, only a `limit` sets it.
            deadline: u64::MAX,
            started_at: 0,
            start,
            options,
            phase: Phase::Checking,
            in_flight: None,
            after_wait: None,
            waiting: false,
            process,
            last_status: None,
            open: Vec::new(),
            requests: 0,
            errors: 0,
            polls: 0,
            rng: seed | 1,
            push: false,
            fence: None,
            echo: None,
            ending_error: None,
            successfully_aggregated_at: None,
            oauth_window_uri: None,
            reauthorizing,
            stale: None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// When the flow times out, on the driver's clock: the driver wakes it then, whatever it
    /// waits for, and any observation from then on ends it as `timed_out`.
    pub fn deadline(&self) -> u64 {
        self.deadline
    }

    /// The whole flow's limit, in milliseconds from its start.
    pub fn timeout_ms(&self) -> u64 {
        self.options.timeout_ms
    }

    /// A tighter deadline (`run({ timeoutMs })`), `at` on the driver's clock.
    pub fn limit(&mut self, at: u64) {
        self.deadline = self.deadline.min(at);
    }

    /// The GUIDs of the challenges waiting for answers.
    pub fn open_challenges(&self) -> &[String] {
        &self.open
    }

    /// The first commands, at `now` (milliseconds on the driver's clock).
    pub fn begin(&mut self, now: u64) -> Vec<Command> {
        self.started_at = now;
        self.deadline = self
            .deadline
            .min(now.saturating_add(self.options.timeout_ms));
        let first = match &self.start {
            Start::Connect(m) => {
                self.phase = Phase::Watching;
                // The create is a write too: a snapshot of the stream taken after it, or a
                // read, may run ahead of its webhooks still on their way.
                self.fence = Some(ConnectionStatus::Created);
                Request::CreateMember(m.clone())
            }
            Start::UpdateCredentials(c) => {
                self.phase = Phase::Watching;
                self.fence = Some(ConnectionStatus::Updated);
                Request::UpdateCredentials(c.clone())
            }
            Start::Process(_) => Request::ReadStatus,
            // The member first: its document is the result's, and its status the app's
            // first news; then its status, as after any write.
            Start::Resume(_) => {
                self.phase = Phase::Watching;
                Request::ReadMember
            }
            Start::Reauthorize(o) => {
                self.phase = Phase::Watching;
                Request::OAuthWindow(o.clone())
            }
        };
        let mut out = Vec::new();
        self.send(first, &mut out);
        out
    }

    /// Checks answers against the open challenges: each answered once, nothing else.
    pub fn check_answers(&self, answers: &[GuidValue]) -> Result<(), AtriumError> {
        if self.phase != Phase::Answering {
            return Err(AtriumError::invalid(
                "there are no open challenges to answer.",
            ));
        }
        for (i, a) in answers.iter().enumerate() {
            if !self.open.iter().any(|o| a.guid == *o.as_str()) {
                return Err(AtriumError::invalid(format!(
                    "answers[{i}].guid {} is not an open challenge.",
                    crate::error::Quoted(a.guid.as_str())
                )));
            }
        }
        for guid in &self.open {
            match answers.iter().filter(|a| a.guid == *guid.as_str()).count() {
                1 => {}
                0 => {
                    return Err(AtriumError::invalid(format!(
                        "the challenge {guid} has no answer."
                    )))
                }
                _ => {
                    return Err(AtriumError::invalid(format!(
                        "the challenge {guid} is answered twice."
                    )))
                }
            }
        }
        Ok(())
    }

    /// Feeds one observation at `now`; returns what to do next.
    pub fn step(&mut self, observation: Observation, now: u64) -> Vec<Command> {
        let mut out = Vec::new();
        if self.phase == Phase::Done {
            return out;
        }
        if now >= self.deadline {
            // Past the deadline nothing else counts: a request the deadline cut short fails,
            // and that failure is the timeout's, not the flow's.
            self.time_out(&mut out);
            return out;
        }
        match observation {
            Observation::Cancel => self.finish(Outcome::Cancelled, &mut out),
            Observation::Answer(answers) => self.answered(answers, &mut out),
            Observation::Pushed(push) => self.pushed(push, &mut out),
            Observation::Wake => {
                if self.waiting {
                    self.waiting = false;
                    let next = self.after_wait.take().unwrap_or(Request::ReadStatus);
                    self.send(next, &mut out);
                }
            }
            Observation::Failed(error) => {
                let request = self.in_flight.take();
                self.failed(request, error, &mut out);
            }
            Observation::Member {
                connection_status,
                oauth_window_uri,
            } => {
                self.oauth_window_uri = oauth_window_uri.or(self.oauth_window_uri.take());
                self.member(connection_status, &mut out);
            }
            Observation::Status {
                connection_status,
                is_being_aggregated,
                challenges,
                successfully_aggregated_at,
            } => {
                self.successfully_aggregated_at = successfully_aggregated_at;
                self.read(connection_status, is_being_aggregated, challenges, &mut out);
            }
            Observation::Members(members) => self.members(members, &mut out),
            Observation::OAuth(end) => self.oauth_said(Some(end), &mut out),
            Observation::OAuthClosed => self.oauth_said(None, &mut out),
            Observation::OAuthUnhandled => self.oauth_unhandled(&mut out),
            Observation::Credentials => {
                self.in_flight = None;
                self.finish(Outcome::NeedsCredentials, &mut out);
            }
        }
        if self.phase != Phase::Done
            && self.requests >= self.options.max_requests
            && self.in_flight.is_none()
        {
            out.retain(|c| !matches!(c, Command::Send(_) | Command::Wait(_)));
            self.time_out(&mut out);
        }
        out
    }

    /// A status read answered: the truth now, so pushes no longer wait for the write's own.
    fn read(
        &mut self,
        status: ConnectionStatus,
        aggregating: bool,
        challenges: Vec<String>,
        out: &mut Vec<Command>,
    ) {
        self.in_flight = None;
        self.errors = 0;
        if let Some(fence) = self.fence.take() {
            self.echo = Some(fence);
        }
        self.observe(&status, out);
        self.on_status(&status, aggregating, challenges, out);
    }

    fn answered(&mut self, answers: Vec<GuidValue>, out: &mut Vec<Command>) {
        // Validated by `check_answers` before; anything else is ignored.
        if self.check_answers(&answers).is_ok() && self.in_flight.is_none() {
            self.open.clear();
            self.phase = Phase::Watching;
            self.polls = 0;
            self.waiting = false;
            self.after_wait = None;
            self.fence = Some(ConnectionStatus::Resumed);
            self.send(Request::Resume(answers), out);
        }
    }

    fn member(&mut self, connection_status: ConnectionStatus, out: &mut Vec<Command>) {
        let request = self.in_flight.take();
        self.errors = 0;
        self.member_known = true;
        if matches!(request, Some(Request::OAuthWindow(_))) {
            // Its answer is the window, not news of the member (MX's may carry no status):
            // the status is read next.
            return self.wait(FAST_POLLS[0], Request::ReadStatus, out);
        }
        self.observe(&connection_status, out);
        if let Phase::Ending(outcome) = self.phase {
            return self.finish(outcome, out);
        }
        if matches!(request, Some(Request::Start(_))) {
            self.phase = Phase::Watching;
        }
        // The write's answer says what it left the member in: that status (not always the
        // one expected, an OAuth member is created PENDING) is the push that lifts the fence.
        if self.fence.is_some() {
            self.fence = Some(connection_status.clone());
        }
        self.polls = 0;
        // A status no run passes through (PENDING, an end) is read back at once: no push
        // may ever come for it.
        let first = if self.pushed_end() && connection_status.is_step_of_run() {
            PUSH_POLL
        } else {
            FAST_POLLS[0]
        };
        self.wait(first, Request::ReadStatus, out);
    }

    pub(super) fn observe(&mut self, status: &ConnectionStatus, out: &mut Vec<Command>) {
        if self.last_status.as_ref() != Some(status) {
            self.last_status = Some(status.clone());
            out.push(Command::Status(status.clone()));
        }
    }

    fn on_status(
        &mut self,
        status: &ConnectionStatus,
        aggregating: bool,
        challenges: Vec<String>,
        out: &mut Vec<Command>,
    ) {
        match self.phase {
            Phase::Checking => self.checking(status, aggregating, challenges, out),
            Phase::Busy => {
                if aggregating {
                    self.wait(BUSY_POLL, Request::ReadStatus, out);
                } else {
                    self.phase = Phase::Checking;
                    self.on_status(status, aggregating, challenges, out);
                }
            }
            Phase::Watching | Phase::Answering | Phase::OAuth => {
                self.watching(status, aggregating, challenges, out)
            }
            Phase::Ending(_) | Phase::Done => {}
        }
    }

    /// Before starting on an existing member: its status decides (Step 1 of the guide).
    fn checking(
        &mut self,
        status: &ConnectionStatus,
        aggregating: bool,
        challenges: Vec<String>,
        out: &mut Vec<Command>,
    ) {
        // Another process may be running: a premium flow still starts its own, and the API
        // answers 202 (the same kind: joined) or 409 (another kind: conflict).
        if self.process != Process::Aggregate
            && (aggregating || status.group() == Group::Transitory)
        {
            self.phase = Phase::Watching;
            return self.send(Request::Start(self.process), out);
        }
        if aggregating || status.is_transient() {
            // Join the running aggregation rather than start another. A REJECTED member no
            // longer aggregating is the guide's other reading of REJECTED: an end state that
            // needs a new aggregation, so it falls through to a start.
            self.phase = Phase::Watching;
            return self.on_status(status, aggregating, challenges, out);
        }
        match status.group() {
            Group::Never => self.finish(Outcome::Failed, out),
            Group::UserAction => self.finish(Outcome::NeedsUserAction, out),
            Group::NeedsCredentials => self.end_with(Outcome::NeedsCredentials, None, out),
            Group::Aggregatable | Group::Transitory => self.send(Request::Start(self.process), out),
        }
    }

    /// A run is going: challenges, more waiting, or its end.
    fn watching(
        &mut self,
        status: &ConnectionStatus,
        aggregating: bool,
        challenges: Vec<String>,
        out: &mut Vec<Command>,
    ) {
        if *status == ConnectionStatus::Challenged && !challenges.is_empty() {
            let fresh = self.phase != Phase::Answering || self.open != challenges;
            self.open = challenges;
            self.phase = Phase::Answering;
            if fresh {
                out.push(Command::Challenge);
            }
            return self.wait(ANSWER_POLL, Request::ReadStatus, out);
        }
        self.open.clear();
        let at_window = *status == ConnectionStatus::Pending
            && !aggregating
            && (self.oauth_window_uri.is_some() || self.oauth.said.is_some());
        if at_window || self.held(status, aggregating) {
            return self.pending(out);
        }
        // The window spoke and the member moved on: from here a status is news.
        self.reauthorizing = false;
        if aggregating || status.is_transient() {
            self.phase = Phase::Watching;
            let delay = self.poll_delay();
            return self.wait(delay, Request::ReadStatus, out);
        }
        match status.outcome() {
            Outcome::Connected if !self.then.is_empty() => {
                // Standard aggregation first, then the premium processes asked for.
                if let Some(next) = self.then.pop_front() {
                    self.process = next;
                    self.phase = Phase::Watching;
                    self.send(Request::Start(next), out);
                }
            }
            Outcome::NeedsCredentials => self.end_with(Outcome::NeedsCredentials, None, out),
            outcome => self.finish(outcome, out),
        }
    }

    /// Reads what the result of this end needs first (`Ending`), then ends with `error`.
    pub(super) fn end_with(
        &mut self,
        outcome: Outcome,
        error: Option<AtriumError>,
        out: &mut Vec<Command>,
    ) {
        self.phase = Phase::Ending(outcome);
        self.ending_error = error;
        let read = match outcome {
            Outcome::NeedsCredentials => Request::ListCredentials,
            Outcome::Duplicate => Request::ListMembers,
            _ => Request::ReadMember,
        };
        self.send(read, out);
    }

    pub(super) fn time_out(&mut self, out: &mut Vec<Command>) {
        self.in_flight = None;
        // The limit that ended it: the flow's own, or a tighter one of `run`'s.
        let limit = self.deadline.saturating_sub(self.started_at);
        let ms = limit.min(self.options.timeout_ms).min(u64::from(u32::MAX)) as u32;
        self.ending_error = Some(AtriumError::Timeout(ms));
        self.finish(Outcome::TimedOut, out);
    }

    pub(super) fn finish(&mut self, outcome: Outcome, out: &mut Vec<Command>) {
        self.finish_with(outcome, None, out);
    }

    pub(super) fn finish_with(
        &mut self,
        outcome: Outcome,
        existing_member: Option<MemberGuid>,
        out: &mut Vec<Command>,
    ) {
        self.phase = Phase::Done;
        self.waiting = false;
        self.after_wait = None;
        self.open.clear();
        out.push(Command::Finish(Finish {
            outcome,
            connection_status: self.last_status.clone(),
            error: self.ending_error.take(),
            existing_member,
            successfully_aggregated_at: self.successfully_aggregated_at.clone(),
            oauth_window_uri: self.oauth_window_uri.clone(),
        }));
    }

    pub(super) fn send(&mut self, request: Request, out: &mut Vec<Command>) {
        self.requests += 1;
        if matches!(
            request,
            Request::CreateMember(_) | Request::UpdateCredentials(_) | Request::Start(_)
        ) {
            self.started = true;
        }
        self.in_flight = Some(request.clone());
        out.push(Command::Send(request));
    }

    pub(super) fn wait(&mut self, ms: u32, then: Request, out: &mut Vec<Command>) {
        self.waiting = true;
        self.after_wait = Some(then);
        out.push(Command::Wait(ms));
    }

    /// The next poll's delay: the fast ones first, then growing by half with ±20 % jitter,
    /// capped.
    pub(super) fn next_poll(&mut self) -> u32 {
        let i = self.polls as usize;
        self.polls = self.polls.saturating_add(1);
        if let Some(fast) = FAST_POLLS.get(i) {
            return *fast;
        }
        let grown = (f64::from(FAST_POLLS[FAST_POLLS.len() - 1])
            * 1.5f64.powi((i - FAST_POLLS.len() + 1) as i32))
        .min(f64::from(POLL_CAP));
        let unit = self.random();
        ((grown * (0.8 + 0.4 * unit)) as u32).min(POLL_CAP)
    }

    pub(super) fn jitter(&mut self, cap: u32) -> u32 {
        let base = 250u64 << self.errors.min(8);
        ((base.min(u64::from(cap)) as f64) * (0.5 + 0.5 * self.random())) as u32
    }

    /// xorshift: deterministic for a seed, enough for jitter.
    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}
