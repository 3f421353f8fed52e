//! The aggregation-flow state machine: create or aggregate, watch the status, hand out
//! challenges, resume, and stop at an end state, after the rules of the getting-started guide.
//! Pure: it consumes observations (answers, errors, a clock) and emits commands (send this,
//! wait that long, tell the caller, finish); a driver performs them. So every rule is
//! tested natively with a virtual clock, and a push source can later replace polling.

use crate::error::{AtriumError, ErrorCode};
use crate::options::{CreateMember, GuidValue};
use crate::request::Process;
use crate::sse::Push;
use crate::status::{self, Group, Outcome};

/// What a flow sets out to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Create a member, then follow its first aggregation.
    Connect(CreateMember),
    /// Run a process (standard aggregation or a premium one) on an existing member.
    Process(Process),
    /// New credentials, then follow the aggregation they start.
    UpdateCredentials(Vec<GuidValue>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlowOptions {
    /// On 409 (another kind of process runs), wait for it to end and then start.
    pub wait_if_busy: bool,
    /// Processes to run after a standard aggregation succeeds, in order.
    pub then: Vec<Process>,
    /// The whole flow's limit, then `timed_out`.
    pub timeout_ms: u64,
    /// A hard cap on requests, then `timed_out`: no flow polls forever.
    pub max_requests: u32,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            wait_if_busy: false,
            then: Vec::new(),
            timeout_ms: 10 * 60_000,
            max_requests: 600,
        }
    }
}

/// A request for the driver to send (the member GUID is the flow's).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    CreateMember(CreateMember),
    ReadStatus,
    Start(Process),
    UpdateCredentials(Vec<GuidValue>),
    Resume(Vec<GuidValue>),
    ListCredentials,
}

/// What the driver saw: the answer to the request in flight, or something from outside.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A member document, the answer to create, start (200 or 202 alike), update or resume: a
    /// run has begun or been joined, so the flow reads the status soon.
    Member {
        connection_status: String,
    },
    /// A status document; `challenges` are the open challenges' GUIDs.
    Status {
        connection_status: String,
        is_being_aggregated: bool,
        challenges: Vec<String>,
    },
    /// The member's credentials were read (the driver keeps them for the caller).
    Credentials,
    /// The request in flight failed.
    Failed(AtriumError),
    /// The caller's answers.
    Answer(Vec<GuidValue>),
    Cancel,
    /// A `Wait` elapsed.
    Wake,
    /// The relay's event stream said something (delivered only while the flow waits).
    Pushed(Push),
}

/// What the flow asks of the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Send(Request),
    /// Then report `Wake`.
    Wait(u32),
    /// Tell the caller about a status it has not seen yet.
    Status(String),
    /// Tell the caller the open challenges (the driver has the documents).
    Challenge,
    Finish(Finish),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub outcome: Outcome,
    pub connection_status: Option<String>,
    /// Why a flow failed or timed out, when an error says it.
    pub error: Option<AtriumError>,
}

/// Polling, in milliseconds: quick right after a start or an answer, then slower with
/// jitter, never slower than the cap; slowly while the user answers; every wait honours
/// `Retry-After`.
pub const FAST_POLLS: [u32; 3] = [250, 500, 1000];
pub const POLL_CAP: u32 = 3000;
pub const ANSWER_POLL: u32 = 10_000;
pub const BUSY_POLL: u32 = 3000;
/// While changes are pushed, a safety read in case a webhook is lost for good (its sender
/// retries first). A broken stream needs none: the driver sees the break and the flow reads
/// at once and polls until the stream is back.
pub const PUSH_POLL: u32 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before starting on an existing member: its status decides.
    Checking,
    /// A run is going: watch it.
    Watching,
    /// Challenges are out: wait for `answer()` (and watch slowly, for EXPIRED).
    Answering,
    /// 409 with `wait_if_busy`: watch until the other process ends, then start.
    Busy,
    /// The credentials are being read for a `needs_credentials` end.
    Closing,
    Done,
}

pub struct Flow {
    start: Start,
    options: FlowOptions,
    phase: Phase,
    /// The request in flight; at most one.
    in_flight: Option<Request>,
    /// What to send when the current wait ends.
    after_wait: Option<Request>,
    waiting: bool,
    process: Process,
    then: std::collections::VecDeque<Process>,
    last_status: Option<String>,
    open: Vec<String>,
    started_at: u64,
    requests: u32,
    errors: u32,
    polls: u32,
    rng: u64,
    member_known: bool,
    /// The relay's event stream is open: waits are long, and pushed changes wake the flow.
    push: bool,
    /// After a write: the status whose push says later pushes are news (see `pushed_status`).
    fence: Option<&'static str>,
}

impl Flow {
    pub fn new(start: Start, options: FlowOptions, seed: u64) -> Self {
        let process = match &start {
            Start::Process(p) => *p,
            _ => Process::Aggregate,
        };
        let then = options.then.iter().copied().collect();
        Flow {
            member_known: !matches!(start, Start::Connect(_)),
            start,
            options,
            phase: Phase::Checking,
            in_flight: None,
            after_wait: None,
            waiting: false,
            process,
            then,
            last_status: None,
            open: Vec::new(),
            started_at: 0,
            requests: 0,
            errors: 0,
            polls: 0,
            rng: seed | 1,
            push: false,
            fence: None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// When the flow times out, on the driver's clock: nothing it waits for may outlast this.
    pub fn deadline(&self) -> u64 {
        self.started_at.saturating_add(self.options.timeout_ms)
    }

    /// The GUIDs of the challenges waiting for answers.
    pub fn open_challenges(&self) -> &[String] {
        &self.open
    }

    /// The first commands, at `now` (milliseconds on the driver's clock).
    pub fn begin(&mut self, now: u64) -> Vec<Command> {
        self.started_at = now;
        let first = match &self.start {
            Start::Connect(m) => {
                self.phase = Phase::Watching;
                Request::CreateMember(m.clone())
            }
            Start::UpdateCredentials(c) => {
                self.phase = Phase::Watching;
                self.fence = Some("UPDATED");
                Request::UpdateCredentials(c.clone())
            }
            Start::Process(_) => Request::ReadStatus,
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
            if !self.open.contains(&a.guid) {
                return Err(AtriumError::invalid(format!(
                    "answers[{i}].guid {:?} is not an open challenge.",
                    a.guid
                )));
            }
        }
        for guid in &self.open {
            match answers.iter().filter(|a| &a.guid == guid).count() {
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
        match observation {
            Observation::Cancel => self.finish(Outcome::Cancelled, None, &mut out),
            Observation::Answer(answers) => {
                // Validated by `check_answers` before; anything else is ignored.
                if self.check_answers(&answers).is_ok() && self.in_flight.is_none() {
                    self.open.clear();
                    self.phase = Phase::Watching;
                    self.polls = 0;
                    self.waiting = false;
                    self.after_wait = None;
                    self.fence = Some("RESUMED");
                    self.send(Request::Resume(answers), &mut out);
                }
            }
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
            Observation::Member { connection_status } => {
                let request = self.in_flight.take();
                self.errors = 0;
                self.member_known = true;
                self.observe(&connection_status, &mut out);
                if matches!(request, Some(Request::Start(_))) {
                    self.phase = Phase::Watching;
                }
                self.polls = 0;
                let first = if self.pushed_end() {
                    PUSH_POLL
                } else {
                    FAST_POLLS[0]
                };
                self.wait(first, Request::ReadStatus, &mut out);
            }
            Observation::Status {
                connection_status,
                is_being_aggregated,
                challenges,
            } => {
                self.in_flight = None;
                self.errors = 0;
                self.observe(&connection_status, &mut out);
                self.on_status(
                    &connection_status,
                    is_being_aggregated,
                    challenges,
                    &mut out,
                );
            }
            Observation::Credentials => {
                self.in_flight = None;
                let status = self.last_status.clone();
                self.finish(Outcome::NeedsCredentials, status, &mut out);
            }
        }
        if self.phase != Phase::Done {
            let elapsed = now.saturating_sub(self.started_at);
            if elapsed >= self.options.timeout_ms
                || self.requests >= self.options.max_requests && self.in_flight.is_none()
            {
                let error =
                    AtriumError::Timeout(self.options.timeout_ms.min(u64::from(u32::MAX)) as u32);
                out.retain(|c| !matches!(c, Command::Send(_) | Command::Wait(_)));
                self.in_flight = None;
                let status = self.last_status.clone();
                self.finish(Outcome::TimedOut, status, &mut out);
                if let Some(Command::Finish(f)) = out.last_mut() {
                    f.error = Some(error);
                }
            }
        }
        out
    }

    fn observe(&mut self, status: &str, out: &mut Vec<Command>) {
        if self.last_status.as_deref() != Some(status) {
            self.last_status = Some(status.to_string());
            out.push(Command::Status(status.to_string()));
        }
    }

    fn on_status(
        &mut self,
        status: &str,
        aggregating: bool,
        challenges: Vec<String>,
        out: &mut Vec<Command>,
    ) {
        match self.phase {
            Phase::Checking => {
                // Another process may be running: a premium flow still starts its own, and the
                // API answers 202 (the same kind: joined) or 409 (another kind: conflict).
                if self.process != Process::Aggregate
                    && (aggregating || status::group(status) == Group::Transitory)
                {
                    self.phase = Phase::Watching;
                    return self.send(Request::Start(self.process), out);
                }
                if aggregating || status::is_transient(status) {
                    // Join the running aggregation rather than start another. A REJECTED
                    // member no longer aggregating is the guide's other reading of REJECTED:
                    // an end state that needs a new aggregation, so it falls through to a start.
                    self.phase = Phase::Watching;
                    return self.on_status(status, aggregating, challenges, out);
                }
                match status::group(status) {
                    Group::Never => self.finish(Outcome::Failed, Some(status.into()), out),
                    Group::UserAction => {
                        self.finish(Outcome::NeedsUserAction, Some(status.into()), out)
                    }
                    Group::NeedsCredentials => self.close_for_credentials(out),
                    Group::Aggregatable | Group::Transitory => {
                        self.send(Request::Start(self.process), out)
                    }
                }
            }
            Phase::Busy => {
                if aggregating {
                    self.wait(BUSY_POLL, Request::ReadStatus, out);
                } else {
                    self.phase = Phase::Checking;
                    self.on_status(status, aggregating, challenges, out);
                }
            }
            Phase::Watching | Phase::Answering => {
                if status == "CHALLENGED" && !challenges.is_empty() {
                    let fresh = self.phase != Phase::Answering || self.open != challenges;
                    self.open = challenges;
                    self.phase = Phase::Answering;
                    if fresh {
                        out.push(Command::Challenge);
                    }
                    self.wait(ANSWER_POLL, Request::ReadStatus, out);
                } else if aggregating || status::is_transient(status) {
                    self.phase = Phase::Watching;
                    self.open.clear();
                    let delay = self.poll_delay();
                    self.wait(delay, Request::ReadStatus, out);
                } else {
                    self.open.clear();
                    match status::outcome_of(status) {
                        Outcome::Connected if !self.then.is_empty() => {
                            // Standard aggregation first, then the premium processes asked for.
                            if let Some(next) = self.then.pop_front() {
                                self.process = next;
                                self.phase = Phase::Watching;
                                self.send(Request::Start(next), out);
                            }
                        }
                        Outcome::NeedsCredentials => self.close_for_credentials(out),
                        outcome => self.finish(outcome, Some(status.into()), out),
                    }
                }
            }
            Phase::Closing | Phase::Done => {}
        }
    }

    /// Whether pushes tell this flow when its run ends: the stream reports status changes
    /// and completed aggregations, not the end of a premium process (those keep polling,
    /// woken early by any push).
    fn pushed_end(&self) -> bool {
        self.push && self.process == Process::Aggregate
    }

    fn poll_delay(&mut self) -> u32 {
        if self.pushed_end() {
            PUSH_POLL
        } else {
            self.next_poll()
        }
    }

    /// A push while waiting: a read follows when the push says there is something to read
    /// (challenges, an end, a completed aggregation), so the caller learns of it within a
    /// round trip and every end is confirmed by a status read. Otherwise the wait goes on.
    fn pushed(&mut self, push: Push, out: &mut Vec<Command>) {
        if !self.waiting {
            // The driver hands pushes over only during waits; one now changes nothing.
            return;
        }
        let read_now = match push {
            Push::Up => {
                self.push = true;
                false
            }
            Push::Down => {
                // Anything missed while the stream was down is read now.
                self.push = false;
                true
            }
            Push::Aggregated => true,
            Push::Now {
                connection_status,
                is_being_aggregated,
            } => self.pushed_status(&connection_status, Some(is_being_aggregated), out),
            Push::Status(s) => self.pushed_status(&s, None, out),
        };
        if read_now {
            self.waiting = false;
            let next = self.after_wait.take().unwrap_or(Request::ReadStatus);
            self.send(next, out);
        } else {
            let delay = match self.phase {
                Phase::Answering => ANSWER_POLL,
                Phase::Busy => BUSY_POLL,
                _ if self.pushed_end() => PUSH_POLL,
                _ => FAST_POLLS[0],
            };
            out.push(Command::Wait(delay));
        }
    }

    /// What a pushed status means: whether it calls for a read now. Webhooks of one member
    /// arrive in order but may arrive late: after the flow has sent a write (an answer, new
    /// credentials), pushes are someone else's past until the push of the write's own status
    /// (RESUMED, UPDATED) arrives, and are set aside till then. A trusted push is told to the
    /// caller at once; a read follows only when there is something to read (challenges) or
    /// an end to confirm.
    fn pushed_status(
        &mut self,
        status: &str,
        aggregating: Option<bool>,
        out: &mut Vec<Command>,
    ) -> bool {
        if !matches!(self.phase, Phase::Watching | Phase::Answering) {
            return true;
        }
        if let Some(expected) = self.fence {
            if status != expected {
                return false;
            }
            self.fence = None;
        }
        if !self.pushed_end() {
            // A premium process's end is no status change: any news wakes a read.
            return true;
        }
        if status != "CHALLENGED" {
            self.observe(status, out);
        }
        match status {
            "CHALLENGED" => self.phase != Phase::Answering,
            // Idle in a status that is no step of a run: an end to confirm.
            s if aggregating == Some(false) && !status::is_transient(s) => true,
            // Steps of a run: the `aggregated` push or the next change says when to look.
            "CONNECTED" | "RECONNECTED" | "CREATED" | "UPDATED" | "RESUMED" | "DELAYED" => false,
            _ => true,
        }
    }

    fn close_for_credentials(&mut self, out: &mut Vec<Command>) {
        self.phase = Phase::Closing;
        self.send(Request::ListCredentials, out);
    }

    fn failed(&mut self, request: Option<Request>, error: AtriumError, out: &mut Vec<Command>) {
        let status = self.last_status.clone();
        match (&request, error.code()) {
            (Some(Request::Start(_)), ErrorCode::Conflict) if self.options.wait_if_busy => {
                self.phase = Phase::Busy;
                self.wait(BUSY_POLL, Request::ReadStatus, out);
            }
            (Some(Request::Start(_)), ErrorCode::Conflict) => self.fail(error, status, out),
            (Some(Request::ListCredentials), _) => {
                self.finish(Outcome::NeedsCredentials, status, out)
            }
            // A blink of the network or a slow answer is ridden out for as long as the flow
            // may run: only its deadline (or request cap) ends it, as `timed_out`.
            _ if error.retryable() => {
                self.errors = self.errors.saturating_add(1);
                let retry_after = match &error {
                    AtriumError::Http { retry_after_ms, .. } => *retry_after_ms,
                    _ => None,
                };
                // A write that may or may not have happened is not sent again: the status says.
                // One refused untaken (429) is sent again as it was.
                let again = match request {
                    Some(Request::ReadStatus) | None => Request::ReadStatus,
                    Some(Request::ListCredentials) => Request::ListCredentials,
                    Some(write) if crate::retry::not_taken(&error) => write,
                    Some(Request::CreateMember(_)) if !self.member_known => {
                        return self.fail(error, status, out)
                    }
                    Some(_) => Request::ReadStatus,
                };
                let backoff = self.jitter(POLL_CAP).max(retry_after.unwrap_or(0));
                self.wait(backoff, again, out);
            }
            _ => self.fail(error, status, out),
        }
    }

    fn fail(&mut self, error: AtriumError, status: Option<String>, out: &mut Vec<Command>) {
        self.finish(Outcome::Failed, status, out);
        if let Some(Command::Finish(f)) = out.last_mut() {
            f.error = Some(error);
        }
    }

    fn finish(
        &mut self,
        outcome: Outcome,
        connection_status: Option<String>,
        out: &mut Vec<Command>,
    ) {
        self.phase = Phase::Done;
        self.waiting = false;
        self.after_wait = None;
        self.open.clear();
        out.push(Command::Finish(Finish {
            outcome,
            connection_status,
            error: None,
        }));
    }

    fn send(&mut self, request: Request, out: &mut Vec<Command>) {
        self.requests += 1;
        self.in_flight = Some(request.clone());
        out.push(Command::Send(request));
    }

    fn wait(&mut self, ms: u32, then: Request, out: &mut Vec<Command>) {
        self.waiting = true;
        self.after_wait = Some(then);
        out.push(Command::Wait(ms));
    }

    /// The next poll's delay: the fast ones first, then growing by half with ±20 % jitter,
    /// capped.
    fn next_poll(&mut self) -> u32 {
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

    fn jitter(&mut self, cap: u32) -> u32 {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn member(status: &str) -> Observation {
        Observation::Member {
            connection_status: status.into(),
        }
    }

    fn status(s: &str, aggregating: bool, challenges: &[&str]) -> Observation {
        Observation::Status {
            connection_status: s.into(),
            is_being_aggregated: aggregating,
            challenges: challenges.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn answer(guid: &str) -> Vec<GuidValue> {
        vec![GuidValue {
            guid: guid.into(),
            value: "correct".into(),
        }]
    }

    fn create() -> CreateMember {
        CreateMember {
            credentials: Some(Vec::new()),
            ..CreateMember::new("mxbank")
        }
    }

    fn sends(cmds: &[Command]) -> Vec<&Request> {
        cmds.iter()
            .filter_map(|c| {
                if let Command::Send(r) = c {
                    Some(r)
                } else {
                    None
                }
            })
            .collect()
    }

    fn finish(cmds: &[Command]) -> Option<&Finish> {
        cmds.iter().find_map(|c| {
            if let Command::Finish(f) = c {
                Some(f)
            } else {
                None
            }
        })
    }

    /// Waits out a `Wait` and returns the commands of the wake-up.
    fn wake(flow: &mut Flow, now: u64) -> Vec<Command> {
        flow.step(Observation::Wake, now)
    }

    #[test]
    fn connect_without_mfa() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 7);
        assert!(matches!(sends(&f.begin(0))[..], [Request::CreateMember(_)]));
        let c = f.step(member("CREATED"), 10);
        assert!(c.contains(&Command::Status("CREATED".into())));
        assert!(c.contains(&Command::Wait(FAST_POLLS[0])));
        assert_eq!(sends(&wake(&mut f, 300)), vec![&Request::ReadStatus]);
        let c = f.step(status("CONNECTED", true, &[]), 320);
        assert!(c.contains(&Command::Status("CONNECTED".into())));
        assert!(finish(&c).is_none(), "still aggregating");
        wake(&mut f, 1000);
        let c = f.step(status("CONNECTED", false, &[]), 1010);
        assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
        assert!(
            !c.contains(&Command::Status("CONNECTED".into())),
            "each status once"
        );
        assert!(
            f.step(Observation::Wake, 2000).is_empty(),
            "nothing after the end"
        );
    }

    #[test]
    fn two_challenge_rounds_and_checked_answers() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 7);
        f.begin(0);
        f.step(member("CREATED"), 1);
        wake(&mut f, 2);
        let c = f.step(status("CHALLENGED", true, &["CRD-1"]), 3);
        assert!(c.contains(&Command::Challenge));
        assert!(c.contains(&Command::Wait(ANSWER_POLL)));
        assert_eq!(f.open_challenges(), ["CRD-1"]);
        assert!(
            f.check_answers(&answer("CRD-2")).is_err(),
            "an unknown guid"
        );
        assert!(f.check_answers(&[]).is_err(), "a missing answer");
        let c = f.step(Observation::Answer(answer("CRD-1")), 4);
        assert!(matches!(sends(&c)[..], [Request::Resume(a)] if a.len() == 1));
        f.step(member("RESUMED"), 5);
        wake(&mut f, 6);
        let c = f.step(status("CHALLENGED", true, &["CRD-9"]), 7);
        assert!(c.contains(&Command::Challenge), "a second round");
        f.step(Observation::Answer(answer("CRD-9")), 8);
        f.step(member("RESUMED"), 9);
        wake(&mut f, 10);
        let c = f.step(status("CONNECTED", false, &[]), 11);
        assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    }

    #[test]
    fn a_wrong_answer_fails_as_rejected() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 7);
        f.begin(0);
        f.step(member("CREATED"), 1);
        wake(&mut f, 2);
        f.step(status("CHALLENGED", true, &["CRD-1"]), 3);
        f.step(Observation::Answer(answer("CRD-1")), 4);
        f.step(member("RESUMED"), 5);
        wake(&mut f, 6);
        let c = f.step(status("REJECTED", false, &[]), 7);
        let end = finish(&c).expect("an end");
        assert_eq!(
            (end.outcome, end.connection_status.as_deref()),
            (Outcome::Failed, Some("REJECTED"))
        );
    }

    #[test]
    fn the_status_decides_before_aggregating() {
        for (s, outcome, sends_start) in [
            ("CLOSED", Some(Outcome::Failed), false),
            ("DISABLED", Some(Outcome::Failed), false),
            ("LOCKED", Some(Outcome::NeedsUserAction), false),
            ("PENDING", Some(Outcome::NeedsUserAction), false),
            ("CONNECTED", None, true),
            ("FAILED", None, true),
            // A wrong answer's run has ended: "try again" is a new aggregation (guide, MFA).
            ("REJECTED", None, true),
            ("EXPIRED", None, true),
        ] {
            let mut f = Flow::new(
                Start::Process(Process::Aggregate),
                FlowOptions::default(),
                1,
            );
            assert_eq!(sends(&f.begin(0)), vec![&Request::ReadStatus]);
            let c = f.step(status(s, false, &[]), 1);
            assert_eq!(finish(&c).map(|f| f.outcome), outcome, "{s}");
            assert_eq!(
                sends(&c).contains(&&Request::Start(Process::Aggregate)),
                sends_start,
                "{s}"
            );
        }
        // Credentials first: read the member's credentials, then end without aggregating.
        let mut f = Flow::new(
            Start::Process(Process::Aggregate),
            FlowOptions::default(),
            1,
        );
        f.begin(0);
        let c = f.step(status("DENIED", false, &[]), 1);
        assert_eq!(sends(&c), vec![&Request::ListCredentials]);
        let c = f.step(Observation::Credentials, 2);
        assert_eq!(
            finish(&c).map(|f| f.outcome),
            Some(Outcome::NeedsCredentials)
        );
    }

    #[test]
    fn a_running_aggregation_is_joined_not_restarted() {
        for (s, aggregating) in [
            ("CONNECTED", true),
            ("RESUMED", false),
            ("DELAYED", true),
            ("REJECTED", true),
        ] {
            let mut f = Flow::new(
                Start::Process(Process::Aggregate),
                FlowOptions::default(),
                1,
            );
            f.begin(0);
            let c = f.step(status(s, aggregating, &[]), 1);
            assert!(sends(&c).is_empty(), "{s}: no start");
            assert!(
                c.iter().any(|c| matches!(c, Command::Wait(_))),
                "{s}: watches"
            );
        }
        // A premium flow does not join a standard aggregation: it starts its own process.
        let mut f = Flow::new(Start::Process(Process::Verify), FlowOptions::default(), 1);
        f.begin(0);
        assert_eq!(
            sends(&f.step(status("CHALLENGED", true, &["CRD-1"]), 1)),
            vec![&Request::Start(Process::Verify)]
        );
        // A 202 from the start is the same kind already running: join it.
        let mut f = Flow::new(Start::Process(Process::Verify), FlowOptions::default(), 1);
        f.begin(0);
        f.step(status("CONNECTED", false, &[]), 1);
        let c = f.step(member("CONNECTED"), 2);
        assert!(c.contains(&Command::Wait(FAST_POLLS[0])));
        assert_eq!(sends(&wake(&mut f, 3)), vec![&Request::ReadStatus]);
    }

    #[test]
    fn conflicts_fail_or_wait() {
        let mut f = Flow::new(Start::Process(Process::Verify), FlowOptions::default(), 1);
        f.begin(0);
        f.step(status("CONNECTED", false, &[]), 1);
        let c = f.step(Observation::Failed(AtriumError::from_status(409)), 2);
        let end = finish(&c).expect("an end");
        assert_eq!(end.outcome, Outcome::Failed);
        assert_eq!(
            end.error.as_ref().map(|e| e.code()),
            Some(ErrorCode::Conflict)
        );

        let options = FlowOptions {
            wait_if_busy: true,
            ..FlowOptions::default()
        };
        let mut f = Flow::new(Start::Process(Process::Verify), options, 1);
        f.begin(0);
        f.step(status("CONNECTED", false, &[]), 1);
        let c = f.step(Observation::Failed(AtriumError::from_status(409)), 2);
        assert!(c.contains(&Command::Wait(BUSY_POLL)));
        wake(&mut f, 3);
        let c = f.step(status("CONNECTED", true, &[]), 4);
        assert!(
            sends(&c).is_empty() && c.contains(&Command::Wait(BUSY_POLL)),
            "still busy"
        );
        wake(&mut f, 5);
        let c = f.step(status("CONNECTED", false, &[]), 6);
        assert_eq!(
            sends(&c),
            vec![&Request::Start(Process::Verify)],
            "then it starts"
        );
    }

    #[test]
    fn standard_aggregation_first_then_premium() {
        let options = FlowOptions {
            then: vec![Process::Verify, Process::Identify],
            ..FlowOptions::default()
        };
        let mut f = Flow::new(Start::Process(Process::Aggregate), options, 1);
        f.begin(0);
        assert_eq!(
            sends(&f.step(status("CONNECTED", false, &[]), 1)),
            vec![&Request::Start(Process::Aggregate)]
        );
        let mut started = Vec::new();
        let mut now = 2;
        f.step(member("CONNECTED"), now);
        for _ in 0..3 {
            now += 1;
            wake(&mut f, now);
            now += 1;
            let c = f.step(status("CONNECTED", false, &[]), now);
            if let Some(Request::Start(p)) = sends(&c).first() {
                started.push(*p);
                now += 1;
                f.step(member("CONNECTED"), now);
            } else {
                assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
            }
        }
        assert_eq!(started, vec![Process::Verify, Process::Identify]);
        assert!(f.is_done());
    }

    #[test]
    fn refusals_are_clear_outcomes() {
        let mut f = Flow::new(
            Start::Process(Process::Aggregate),
            FlowOptions::default(),
            1,
        );
        f.begin(0);
        f.step(status("CONNECTED", false, &[]), 1);
        let c = f.step(Observation::Failed(AtriumError::from_status(403)), 2);
        let end = finish(&c).expect("an end");
        assert_eq!(
            (end.outcome, end.error.as_ref().map(|e| e.code())),
            (Outcome::Failed, Some(ErrorCode::Forbidden))
        );
    }

    #[test]
    fn transient_errors_are_ridden_out_until_the_deadline() {
        let options = FlowOptions {
            timeout_ms: 60_000,
            ..FlowOptions::default()
        };
        let mut f = Flow::new(Start::Process(Process::Aggregate), options, 1);
        f.begin(0);
        let mut now = 0;
        let mut retries = 0;
        let end = loop {
            let mut err = if retries % 2 == 0 {
                AtriumError::from_status(503)
            } else {
                AtriumError::Timeout(30_000)
            };
            if let AtriumError::Http { retry_after_ms, .. } = &mut err {
                *retry_after_ms = Some(4000);
            }
            let c = f.step(Observation::Failed(err), now);
            if let Some(end) = finish(&c) {
                break end.clone();
            }
            let wait = c
                .iter()
                .find_map(|c| match c {
                    Command::Wait(ms) => Some(*ms),
                    _ => None,
                })
                .expect("a wait");
            assert!(wait <= 4000, "{wait}");
            if retries % 2 == 0 {
                assert!(wait >= 4000, "Retry-After honoured: {wait}");
            }
            now += u64::from(wait);
            let c = wake(&mut f, now);
            if let Some(end) = finish(&c) {
                break end.clone();
            }
            assert_eq!(sends(&c), vec![&Request::ReadStatus]);
            retries += 1;
        };
        assert!(retries > 5, "more than a few: {retries}");
        assert_eq!(end.outcome, Outcome::TimedOut, "never failed by a blink");
        assert_eq!(
            end.error.as_ref().map(|e| e.code()),
            Some(ErrorCode::Timeout)
        );
        assert!(now >= 60_000 && f.deadline() == 60_000);
        // A create refused untaken (429) is sent again after Retry-After.
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 1);
        f.begin(0);
        let mut limited = AtriumError::from_status(429);
        if let AtriumError::Http { retry_after_ms, .. } = &mut limited {
            *retry_after_ms = Some(2000);
        }
        let c = f.step(Observation::Failed(limited), 1);
        assert!(
            c.iter()
                .any(|c| matches!(c, Command::Wait(ms) if *ms >= 2000)),
            "{c:?}"
        );
        assert_eq!(
            sends(&wake(&mut f, 2001)),
            vec![&Request::CreateMember(create())]
        );
        // A create that failed on the network is not sent again (it may have happened), and
        // the failure carries the error that caused it.
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 1);
        f.begin(0);
        let c = f.step(Observation::Failed(AtriumError::Network("reset".into())), 1);
        let end = finish(&c).expect("an end");
        assert_eq!(end.outcome, Outcome::Failed);
        assert_eq!(
            end.error.as_ref().map(|e| e.code()),
            Some(ErrorCode::Network)
        );
    }

    #[test]
    fn every_loop_is_bounded() {
        let options = FlowOptions {
            timeout_ms: 60_000,
            ..FlowOptions::default()
        };
        let mut f = Flow::new(Start::Process(Process::Aggregate), options, 1);
        f.begin(0);
        f.step(status("CONNECTED", true, &[]), 1);
        let mut now = 1;
        let mut end = None;
        for _ in 0..10_000 {
            now += 3000;
            let mut c = wake(&mut f, now);
            if finish(&c).is_none() {
                c = f.step(status("CONNECTED", true, &[]), now);
            }
            if let Some(e) = finish(&c) {
                end = Some(e.clone());
                break;
            }
        }
        let end = end.expect("an end");
        assert_eq!(end.outcome, Outcome::TimedOut);
        assert_eq!(
            end.error.as_ref().map(|e| e.code()),
            Some(ErrorCode::Timeout)
        );
        assert!(now <= 60_000 + 3001);
        let options = FlowOptions {
            max_requests: 5,
            ..FlowOptions::default()
        };
        let mut f = Flow::new(Start::Process(Process::Aggregate), options, 1);
        f.begin(0);
        let mut n = 1;
        loop {
            let c = f.step(status("DELAYED", true, &[]), n);
            if finish(&c).is_some() {
                break;
            }
            wake(&mut f, n);
            n += 1;
            assert!(n < 10, "the request cap ends it");
        }
    }

    #[test]
    fn cancel_ends_at_once() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 1);
        f.begin(0);
        let c = f.step(Observation::Cancel, 1);
        assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Cancelled));
        assert!(f.step(member("CREATED"), 2).is_empty());
    }

    #[test]
    fn the_schedule_starts_fast_then_backs_off_to_the_cap() {
        let mut f = Flow::new(
            Start::Process(Process::Aggregate),
            FlowOptions::default(),
            99,
        );
        let delays: Vec<u32> = (0..12).map(|_| f.next_poll()).collect();
        assert_eq!(&delays[..3], &FAST_POLLS);
        assert!(
            delays[3..].iter().all(|d| (800..=POLL_CAP).contains(d)),
            "{delays:?}"
        );
        assert!(
            delays[8..].iter().all(|d| *d >= 2400),
            "near the cap: {delays:?}"
        );
    }

    /// Random interleavings of statuses, errors and answers: exactly one end, never a resume
    /// without valid answers, never a request after the end.
    fn reads(c: &[Command]) -> usize {
        c.iter()
            .filter(|c| matches!(c, Command::Send(Request::ReadStatus)))
            .count()
    }

    fn push(p: Push) -> Observation {
        Observation::Pushed(p)
    }

    #[test]
    fn on_push_an_mfa_connect_reads_only_for_challenges_and_the_end() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 3);
        f.begin(0);
        let mut read = 0;
        let c = f.step(member("CREATED"), 1);
        assert_eq!(
            c,
            vec![
                Command::Status("CREATED".into()),
                Command::Wait(FAST_POLLS[0])
            ],
            "no stream yet: poll"
        );
        let c = f.step(push(Push::Up), 2);
        assert_eq!(
            c,
            vec![Command::Wait(PUSH_POLL)],
            "a stream: the long safety wait"
        );
        let c = f.step(
            push(Push::Now {
                connection_status: "CREATED".into(),
                is_being_aggregated: true,
            }),
            3,
        );
        assert_eq!(c, vec![Command::Wait(PUSH_POLL)]);
        let c = f.step(push(Push::Status("CHALLENGED".into())), 4);
        read += reads(&c);
        assert_eq!(read, 1, "challenges are read at once");
        let c = f.step(status("CHALLENGED", true, &["CRD-1"]), 5);
        assert!(c.contains(&Command::Status("CHALLENGED".into())));
        assert!(c.contains(&Command::Challenge));
        f.step(Observation::Answer(answer("CRD-1")), 6);
        // A late push of the challenge just answered (sent before the answer landed): set
        // aside until the push of the answer's own RESUMED.
        let c = f.step(push(Push::Status("CHALLENGED".into())), 7);
        assert_eq!(c, Vec::new(), "not waiting: the driver holds it");
        let c = f.step(member("RESUMED"), 8);
        assert_eq!(
            c,
            vec![Command::Status("RESUMED".into()), Command::Wait(PUSH_POLL)]
        );
        let c = f.step(push(Push::Status("CHALLENGED".into())), 9);
        assert_eq!(
            c,
            vec![Command::Wait(PUSH_POLL)],
            "a stale push: no read, no news"
        );
        let c = f.step(push(Push::Status("RESUMED".into())), 10);
        assert_eq!(c, vec![Command::Wait(PUSH_POLL)], "the fence lifts");
        // Signed in: told at once, from the push; the data is still coming.
        let c = f.step(push(Push::Status("CONNECTED".into())), 11);
        assert_eq!(
            c,
            vec![
                Command::Status("CONNECTED".into()),
                Command::Wait(PUSH_POLL)
            ]
        );
        let c = f.step(push(Push::Aggregated), 12);
        read += reads(&c);
        assert_eq!(read, 2, "and the end is confirmed by one read");
        let c = f.step(status("CONNECTED", false, &[]), 13);
        assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    }

    #[test]
    fn pushes_from_before_new_credentials_are_set_aside() {
        let creds = vec![GuidValue {
            guid: "CRD-1".into(),
            value: "x".into(),
        }];
        let mut f = Flow::new(Start::UpdateCredentials(creds), FlowOptions::default(), 3);
        f.begin(0);
        f.step(member("UPDATED"), 1);
        f.step(push(Push::Up), 2);
        // The stream opened before the update landed: its "current" DENIED is the past.
        let c = f.step(
            push(Push::Now {
                connection_status: "DENIED".into(),
                is_being_aggregated: false,
            }),
            3,
        );
        assert_eq!(c, vec![Command::Wait(PUSH_POLL)]);
        let c = f.step(push(Push::Status("UPDATED".into())), 4);
        assert_eq!(c, vec![Command::Wait(PUSH_POLL)]);
        let c = f.step(push(Push::Status("DENIED".into())), 5);
        assert!(
            c.contains(&Command::Status("DENIED".into())),
            "now it is news"
        );
        assert_eq!(reads(&c), 1, "and an end to confirm");
    }

    #[test]
    fn a_broken_stream_falls_back_to_polling_and_loses_nothing() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 3);
        f.begin(0);
        f.step(member("CREATED"), 1);
        f.step(push(Push::Up), 2);
        // The stream breaks: read now (a change may have been missed), then poll quickly.
        let c = f.step(push(Push::Down), 3);
        assert_eq!(reads(&c), 1);
        let c = f.step(status("CONNECTED", true, &[]), 4);
        assert!(c.contains(&Command::Status("CONNECTED".into())));
        assert!(
            c.iter()
                .any(|c| matches!(c, Command::Wait(ms) if *ms <= POLL_CAP)),
            "polling again: {c:?}"
        );
        // And back on a new stream: its current status ends the flow when idle.
        f.step(push(Push::Up), 5);
        let c = f.step(
            push(Push::Now {
                connection_status: "CONNECTED".into(),
                is_being_aggregated: false,
            }),
            6,
        );
        assert_eq!(reads(&c), 1, "an idle end is confirmed");
        let c = f.step(status("CONNECTED", false, &[]), 7);
        assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    }

    #[test]
    fn pushed_ends_and_premium_processes_read_at_once() {
        let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 3);
        f.begin(0);
        f.step(member("CREATED"), 1);
        f.step(push(Push::Up), 2);
        let c = f.step(push(Push::Status("DENIED".into())), 3);
        assert_eq!(reads(&c), 1, "an end status is confirmed by a read");
        // A premium process: its end is no status change, so any push wakes a read.
        let mut f = Flow::new(Start::Process(Process::Verify), FlowOptions::default(), 3);
        f.begin(0);
        f.step(status("CONNECTED", false, &[]), 1);
        let c = f.step(member("CONNECTED"), 2);
        assert_eq!(
            c,
            vec![Command::Wait(FAST_POLLS[0])],
            "CONNECTED was told before"
        );
        let c = f.step(push(Push::Up), 3);
        assert_eq!(
            c,
            vec![Command::Wait(FAST_POLLS[0])],
            "premium flows keep polling"
        );
        let c = f.step(push(Push::Status("CONNECTED".into())), 4);
        assert_eq!(reads(&c), 1);
        // A push while a request is in flight changes nothing (the driver holds it back).
        assert!(f.step(push(Push::Aggregated), 5).is_empty());
    }

    #[test]
    fn random_interleavings_always_end_once() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let statuses = status::ALL;
        for run in 0..5000 {
            let start = match rnd(3) {
                0 => Start::Connect(create()),
                1 => Start::Process(Process::Aggregate),
                _ => Start::Process(Process::Verify),
            };
            let options = FlowOptions {
                wait_if_busy: rnd(2) == 0,
                max_requests: 200,
                ..FlowOptions::default()
            };
            let mut f = Flow::new(start, options, run + 1);
            let mut cmds = f.begin(0);
            let (mut finishes, mut answered) = (0, false);
            let mut now = 0;
            for _ in 0..400 {
                for c in &cmds {
                    match c {
                        Command::Finish(_) => finishes += 1,
                        Command::Send(Request::Resume(a)) => {
                            assert!(
                                answered && !a.is_empty(),
                                "a resume only after valid answers"
                            );
                            answered = false;
                        }
                        Command::Send(_) | Command::Wait(_) if finishes > 0 => {
                            panic!("work after the end: {c:?}")
                        }
                        _ => {}
                    }
                }
                if f.is_done() {
                    break;
                }
                now += rnd(4000);
                let s = statuses[rnd(statuses.len() as u64) as usize];
                let obs = match rnd(11) {
                    9 => Observation::Pushed(match rnd(5) {
                        0 => Push::Up,
                        1 => Push::Down,
                        2 => Push::Aggregated,
                        3 => Push::Now {
                            connection_status: s.into(),
                            is_being_aggregated: rnd(2) == 0,
                        },
                        _ => Push::Status(s.into()),
                    }),
                    0 => Observation::Failed(AtriumError::from_status(
                        [409, 503, 429, 404, 403][rnd(5) as usize],
                    )),
                    1 => Observation::Failed(AtriumError::Network("x".into())),
                    2 => {
                        let open: Vec<GuidValue> = f
                            .open_challenges()
                            .iter()
                            .map(|g| GuidValue {
                                guid: g.clone(),
                                value: "x".into(),
                            })
                            .collect();
                        if f.check_answers(&open).is_ok() {
                            answered = true;
                        }
                        Observation::Answer(open)
                    }
                    3 => Observation::Wake,
                    4 => member(s),
                    5 => Observation::Credentials,
                    6 if rnd(50) == 0 => Observation::Cancel,
                    _ => status(
                        s,
                        rnd(2) == 0,
                        if s == "CHALLENGED" { &["CRD-1"] } else { &[] },
                    ),
                };
                cmds = f.step(obs, now);
            }
            if !f.is_done() {
                cmds = f.step(Observation::Wake, now + 11 * 60_000);
                finishes += cmds
                    .iter()
                    .filter(|c| matches!(c, Command::Finish(_)))
                    .count();
            }
            assert_eq!(finishes, 1, "run {run}: exactly one end");
        }
    }
}
