//! A member and its aggregation-type processes: the connection statuses it moves through,
//! evaluated lazily against the simulated clock, so nothing waits and idle members cost nothing.

use serde::Serialize;

use crate::error::ApiError;
use crate::sim::clock::{Clock, Millis, HOUR, MINUTE, SECOND};
use crate::sim::credentials::login_of;
use crate::sim::data::{DataState, DEFAULT_HISTORY_DAYS, EXTENDED_HISTORY_DAYS};
use crate::sim::institutions::{CredentialOption, Institution};
use crate::sim::logins::{self, ChallengeKind, Outcome};
use crate::sim::seed::Rng;

/// A challenge left unanswered this long ends the run as EXPIRED.
pub const CHALLENGE_TTL: Millis = 5 * MINUTE;
/// A standard aggregation within this long after any aggregation-type process is skipped
/// while the member's data is fresh (CONNECTED): the guide's three-hour rule.
pub const THROTTLE: Millis = 3 * HOUR;
/// Balance checks closer together than this answer 429.
pub const BALANCE_GAP: Millis = 2 * HOUR;
/// Background aggregation runs this long after the latest aggregation.
pub const BACKGROUND_EVERY: Millis = 24 * HOUR;
/// Realistic durations of a run's steps, before the clock's speed scale.
const STEP: Millis = SECOND;
const DELAYED_FOR: Millis = 30 * SECOND;

/// Statuses on which aggregation is never attempted (the guide's Step 1), and those that
/// wait for something other than an aggregation.
const NEVER_AGGREGATE: &[&str] = &["CLOSED", "DISABLED", "DISCONTINUED"];
const WAITING: &[&str] = &["PREVENTED", "PENDING"];
const BACKGROUND_STATUSES: &[&str] = &["CONNECTED", "CREATED", "UPDATED"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Aggregate,
    Balance,
    Verify,
    Identify,
    ExtendHistory,
    FetchStatements,
}

impl JobKind {
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Aggregate => "aggregation",
            JobKind::Balance => "balance aggregation",
            JobKind::Verify => "verification",
            JobKind::Identify => "identification",
            JobKind::ExtendHistory => "extended history",
            JobKind::FetchStatements => "statement fetching",
        }
    }

    /// Whether the institution offers this premium process (standard ones always run).
    fn supported_by(self, i: &Institution) -> bool {
        match self {
            JobKind::Aggregate | JobKind::Balance => true,
            JobKind::Verify => i.supports_account_verification,
            JobKind::Identify => i.supports_account_identification,
            JobKind::ExtendHistory => i.supports_transaction_history,
            JobKind::FetchStatements => i.supports_account_statement,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pass,
    Next,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Authenticate,
    Challenged { round: u8 },
    Resumed { verdict: Verdict, round: u8 },
    Delayed,
    Accounts,
    Finish,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub kind: JobKind,
    phase: Phase,
    /// When the current phase moves on (for a challenge: when it expires).
    due: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageOption {
    pub label: &'static str,
    pub value: &'static str,
    pub data_uri: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Challenge {
    pub guid: String,
    pub label: &'static str,
    pub field_name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub image_data: Option<&'static str>,
    /// Shaped as a credential's options are (§4).
    pub options: Option<Vec<CredentialOption>>,
    pub image_options: Option<Vec<ImageOption>>,
}

/// A 1x1 PNG: enough for a client to show an image challenge.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG_URI: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// The three choices of an options challenge, labelled so; the second is the correct one.
fn choices(labels: [&'static str; 3]) -> impl Iterator<Item = (&'static str, &'static str)> {
    labels
        .into_iter()
        .zip(["wrong_1", logins::CORRECT, "wrong_2"])
}

fn challenge(kind: ChallengeKind, round: u8, rng: &mut Rng) -> Challenge {
    let (label, image_data, options, image_options) = match (kind, round) {
        (ChallengeKind::Text, 1) => ("What city were you born in?", None, None, None),
        (ChallengeKind::Text, _) => ("What is the name of your first pet?", None, None, None),
        (ChallengeKind::Options, _) => (
            "Which of these accounts is yours?",
            None,
            Some(
                choices([
                    "Checking ending in 4321",
                    "correct",
                    "Savings ending in 8765",
                ])
                .map(|(label, value)| CredentialOption { label, value })
                .collect(),
            ),
            None,
        ),
        (ChallengeKind::Token, _) => ("Enter the code we sent to your phone", None, None, None),
        (ChallengeKind::ImageData, _) => {
            ("Type the characters in the image", Some(PNG), None, None)
        }
        (ChallengeKind::ImageOptions, _) => (
            "Choose your security image",
            None,
            None,
            Some(
                choices(["A dog", "correct", "A boat"])
                    .map(|(label, value)| ImageOption {
                        label,
                        value,
                        data_uri: PNG_URI,
                    })
                    .collect(),
            ),
        ),
    };
    Challenge {
        guid: rng.guid("CRD"),
        label,
        field_name: label,
        kind: kind.as_str(),
        image_data,
        options,
        image_options,
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub guid: String,
    pub user_guid: String,
    pub institution: Institution,
    pub identifier: Option<String>,
    pub metadata: Option<String>,
    pub is_oauth: bool,
    /// The values given, by institution credential GUID.
    pub credentials: Vec<(String, String)>,
    pub username: String,
    pub password: String,
    pub connection_status: &'static str,
    pub status: &'static str,
    pub is_being_aggregated: bool,
    pub is_authenticated: bool,
    pub has_processed_accounts: bool,
    pub has_processed_transactions: bool,
    pub aggregated_at: Option<Millis>,
    pub successfully_aggregated_at: Option<Millis>,
    pub background_aggregation_is_disabled: bool,
    pub oauth: Option<OAuth>,
    pub job: Option<Job>,
    pub challenges: Vec<Challenge>,
    /// Start of the latest aggregation-type process of any kind.
    pub last_process_at: Option<Millis>,
    pub last_balance_at: Option<Millis>,
    /// RECONNECTED: the next run asks for a one-time code first.
    pub otp_next: bool,
    /// (when, connection_status, is_being_aggregated) at each change, for benchmarks.
    pub history: Vec<(Millis, &'static str, bool)>,
    /// How many times `/status` was read, for benchmarks.
    pub status_reads: u32,
    /// What the webhooks (§8) are still to report; `None` when no webhook is configured, so
    /// that nothing accumulates.
    pub outbox: Option<Vec<Notice>>,
    pub created_at: Millis,
    pub data: DataState,
    rng: Rng,
}

/// A change a webhook reports (§8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// `CONNECTION_STATUS` / `CHANGED`.
    Status(&'static str),
    /// `AGGREGATION` / `member_data_updated` (or `HISTORY` for extended history), completed at.
    Aggregated { at: Millis, history: bool },
}

/// At most this many notices wait per member (a receiver that is down loses the oldest).
const OUTBOX_MAX: usize = 64;

/// An OAuth member's window: the one-time token in its URI, and what happens after it.
#[derive(Debug, Clone)]
pub struct OAuth {
    pub token: Option<String>,
    pub uri: Option<String>,
    pub skip_aggregation: bool,
    pub client_redirect_url: Option<String>,
}

/// What a request to start a process did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// A new run began (200).
    Yes,
    /// The same kind was already running (202).
    AlreadyRunning,
    /// Nothing to do now: throttled, or a status that forbids it (200, current state).
    Unchanged,
}

impl Member {
    pub fn new(guid: String, user_guid: String, institution: Institution, now: Millis) -> Self {
        let seed = crate::sim::seed::hash(&guid);
        Member {
            guid,
            user_guid,
            institution,
            identifier: None,
            metadata: None,
            is_oauth: false,
            credentials: Vec::new(),
            username: String::new(),
            password: String::new(),
            connection_status: "CREATED",
            status: "INITIATED",
            is_being_aggregated: false,
            is_authenticated: false,
            has_processed_accounts: false,
            has_processed_transactions: false,
            aggregated_at: None,
            successfully_aggregated_at: None,
            background_aggregation_is_disabled: false,
            oauth: None,
            job: None,
            challenges: Vec::new(),
            last_process_at: None,
            last_balance_at: None,
            otp_next: false,
            history: Vec::new(),
            status_reads: 0,
            outbox: None,
            created_at: now,
            data: DataState {
                seed,
                history_days: DEFAULT_HISTORY_DAYS,
                ..Default::default()
            },
            rng: Rng::derive(seed, &[99]),
        }
    }

    fn outcome(&self) -> Outcome {
        if self.is_oauth {
            Outcome::Connect { transactions: None }
        } else {
            logins::outcome(&self.username, &self.password)
        }
    }

    /// Starts a process of `kind` at `now`, after the rules of §7 and the guide.
    pub fn start(
        &mut self,
        kind: JobKind,
        now: Millis,
        clock: &Clock,
        user_disabled: bool,
    ) -> Result<Started, ApiError> {
        if user_disabled {
            return Err(ApiError::Forbidden(
                "The user is disabled; its members cannot be aggregated.".into(),
            ));
        }
        if !kind.supported_by(&self.institution) {
            return Err(ApiError::BadRequest(format!(
                "{} does not support {}.",
                self.institution.name,
                kind.name()
            )));
        }
        if let Some(job) = &self.job {
            return if job.kind == kind {
                Ok(Started::AlreadyRunning)
            } else {
                Err(ApiError::Conflict(format!(
                    "A {} is already running on this member; {} must wait for it.",
                    job.kind.name(),
                    kind.name()
                )))
            };
        }
        if NEVER_AGGREGATE.contains(&self.connection_status)
            || WAITING.contains(&self.connection_status)
        {
            return Ok(Started::Unchanged);
        }
        if kind == JobKind::Aggregate
            && self.connection_status == "CONNECTED"
            && self.last_process_at.is_some_and(|t| now - t < THROTTLE)
        {
            return Ok(Started::Unchanged);
        }
        if kind == JobKind::Balance && self.last_balance_at.is_some_and(|t| now - t < BALANCE_GAP) {
            return Err(ApiError::TooManyRequests(
                "Balances may be refreshed once every two hours.".into(),
            ));
        }
        self.begin(kind, now, clock);
        Ok(Started::Yes)
    }

    /// Records the observable state at `at` if it changed; the last 200 changes are kept.
    fn note(&mut self, at: Millis) {
        let state = (self.connection_status, self.is_being_aggregated);
        if self.history.last().map(|(_, s, _)| *s) != Some(state.0) {
            self.notify(Notice::Status(state.0));
        }
        if self.history.last().map(|(_, s, a)| (*s, *a)) != Some(state) {
            if self.history.len() >= 200 {
                self.history.remove(0);
            }
            self.history.push((at, state.0, state.1));
        }
    }

    fn notify(&mut self, notice: Notice) {
        if let Some(outbox) = &mut self.outbox {
            if outbox.len() >= OUTBOX_MAX {
                outbox.remove(0);
            }
            outbox.push(notice);
        }
    }

    /// Begins a run unconditionally (creation, new credentials, an OAuth grant).
    pub fn begin(&mut self, kind: JobKind, now: Millis, clock: &Clock) {
        self.job = Some(Job {
            kind,
            phase: Phase::Authenticate,
            due: now + clock.delay(STEP),
        });
        self.is_being_aggregated = true;
        self.aggregated_at = Some(now);
        self.last_process_at = Some(now);
        self.status = "INITIATED";
        self.challenges.clear();
        if kind == JobKind::Aggregate {
            self.has_processed_accounts = false;
            self.has_processed_transactions = false;
            self.is_authenticated = false;
        }
        if kind == JobKind::Balance {
            self.last_balance_at = Some(now);
        }
        self.note(now);
    }

    fn end(&mut self, connection_status: &'static str, status: &'static str) {
        self.connection_status = connection_status;
        self.status = status;
        self.is_being_aggregated = false;
        self.challenges.clear();
        self.job = None;
    }

    fn challenge(&mut self, kind: ChallengeKind, round: u8, at: Millis) {
        let c = challenge(kind, round, &mut self.rng);
        self.challenges = vec![c];
        self.connection_status = "CHALLENGED";
        self.status = "CHALLENGED";
        if let Some(job) = &mut self.job {
            job.phase = Phase::Challenged { round };
            job.due = at + CHALLENGE_TTL;
        }
    }

    fn connected(&mut self, at: Millis, clock: &Clock) {
        self.connection_status = "CONNECTED";
        self.status = "AUTHENTICATED";
        self.is_authenticated = true;
        if let Some(job) = &mut self.job {
            job.phase = Phase::Accounts;
            job.due = at + clock.delay(STEP);
        }
    }

    /// Applies every transition due by `now`, background aggregations included.
    pub fn advance(&mut self, now: Millis, clock: &Clock, user_disabled: bool) {
        // Bounded: each step moves time forward, and a long clock jump runs at most this many.
        for _ in 0..10_000 {
            let Some(job) = self.job.clone() else {
                if !self.maybe_background(now, clock, user_disabled) {
                    return;
                }
                continue;
            };
            if job.due > now {
                return;
            }
            let at = job.due;
            self.step(job, at, clock);
            self.note(at);
        }
    }

    /// One transition of the run, due `at`.
    fn step(&mut self, job: Job, at: Millis, clock: &Clock) {
        match job.phase {
            Phase::Authenticate if self.otp_next => self.challenge(ChallengeKind::Token, 1, at),
            Phase::Authenticate => match self.outcome() {
                Outcome::Connect { transactions } => {
                    self.data.volume = transactions;
                    self.connected(at, clock)
                }
                Outcome::ConnectThen(_) => self.connected(at, clock),
                Outcome::Challenge { kind, .. } => self.challenge(kind, 1, at),
                Outcome::Delayed => {
                    self.connection_status = "DELAYED";
                    if let Some(j) = &mut self.job {
                        j.phase = Phase::Delayed;
                        j.due = at + clock.delay(DELAYED_FOR);
                    }
                }
                Outcome::End {
                    connection_status,
                    status,
                } => self.end(connection_status, status),
            },
            Phase::Challenged { .. } => self.end("EXPIRED", "FAILED"),
            Phase::Resumed { verdict, round } => match verdict {
                Verdict::Pass => {
                    self.otp_next = false;
                    self.connected(at, clock)
                }
                Verdict::Next => {
                    let kind = match self.outcome() {
                        Outcome::Challenge { kind, .. } => kind,
                        _ => ChallengeKind::Text,
                    };
                    self.challenge(kind, round + 1, at)
                }
                Verdict::Fail => self.end("REJECTED", "FAILED"),
            },
            Phase::Delayed => self.connected(at, clock),
            Phase::Accounts => {
                if job.kind == JobKind::Aggregate {
                    self.has_processed_accounts = true;
                }
                if let Some(j) = &mut self.job {
                    j.phase = Phase::Finish;
                    j.due = at + clock.delay(STEP);
                }
            }
            Phase::Finish => self.finish(job.kind, at),
        }
    }

    fn finish(&mut self, kind: JobKind, at: Millis) {
        if self.data.synced_at.is_none()
            || kind == JobKind::Aggregate
            || kind == JobKind::ExtendHistory
        {
            self.data.synced_at = Some(at);
        }
        match kind {
            JobKind::Aggregate => self.has_processed_transactions = true,
            JobKind::Balance => self.data.balances_at = Some(at),
            JobKind::Verify => self.data.verified_at = Some(at),
            JobKind::Identify => self.data.identified_at = Some(at),
            JobKind::ExtendHistory => self.data.history_days = EXTENDED_HISTORY_DAYS,
            JobKind::FetchStatements => self.data.statements_at = Some(at),
        }
        let first_success = self.successfully_aggregated_at.is_none();
        self.successfully_aggregated_at = Some(at);
        let final_status = match self.outcome() {
            Outcome::ConnectThen("RECONNECTED") if first_success => {
                self.otp_next = true;
                "RECONNECTED"
            }
            Outcome::ConnectThen("RECONNECTED") => "CONNECTED",
            Outcome::ConnectThen(s) => s,
            _ => "CONNECTED",
        };
        self.end(final_status, "COMPLETED");
        // The end status first, then the data webhook, as a receiver would expect them.
        self.note(at);
        if matches!(kind, JobKind::Aggregate | JobKind::ExtendHistory) {
            self.notify(Notice::Aggregated {
                at,
                history: kind == JobKind::ExtendHistory,
            });
        }
    }

    fn maybe_background(&mut self, now: Millis, clock: &Clock, user_disabled: bool) -> bool {
        if user_disabled
            || self.background_aggregation_is_disabled
            || !BACKGROUND_STATUSES.contains(&self.connection_status)
        {
            return false;
        }
        let due = self.aggregated_at.unwrap_or(self.created_at) + BACKGROUND_EVERY;
        if due > now {
            return false;
        }
        self.begin(JobKind::Aggregate, due, clock);
        true
    }

    /// Answers the open challenges. Every open challenge must be answered, and nothing else.
    pub fn resume(
        &mut self,
        answers: &[(String, String)],
        now: Millis,
        clock: &Clock,
    ) -> Result<(), ApiError> {
        let round = match self.job.as_ref().map(|j| j.phase) {
            Some(Phase::Challenged { round }) if self.connection_status == "CHALLENGED" => round,
            _ => {
                return Err(ApiError::Conflict(
                    "The member is not CHALLENGED; there is nothing to answer.".into(),
                ))
            }
        };
        for (guid, _) in answers {
            if !self.challenges.iter().any(|c| &c.guid == guid) {
                return Err(ApiError::Unprocessable(format!(
                    "{guid:?} is not an open challenge of this member."
                )));
            }
        }
        for c in &self.challenges {
            match answers.iter().filter(|(g, _)| *g == c.guid).count() {
                1 => {}
                0 => {
                    return Err(ApiError::Unprocessable(format!(
                        "The challenge {} is not answered.",
                        c.guid
                    )))
                }
                _ => {
                    return Err(ApiError::Unprocessable(format!(
                        "The challenge {} is answered twice.",
                        c.guid
                    )))
                }
            }
        }
        let all = |v: &str| answers.iter().all(|(_, a)| a == v);
        let two_step =
            matches!(self.outcome(), Outcome::Challenge { two_step: true, .. }) && !self.otp_next;
        let verdict = if all(logins::CORRECT) {
            Verdict::Pass
        } else if two_step && round == 1 && all(logins::NEXT) {
            Verdict::Next
        } else {
            Verdict::Fail
        };
        self.challenges.clear();
        self.connection_status = "RESUMED";
        self.status = "RECEIVED";
        self.is_being_aggregated = true;
        self.job = self.job.take().map(|j| Job {
            phase: Phase::Resumed { verdict, round },
            due: now + clock.delay(STEP),
            ..j
        });
        self.note(now);
        Ok(())
    }

    /// A one-time OAuth window URI under `base`, replacing any earlier one.
    pub fn new_oauth_uri(&mut self, base: &str) -> Option<String> {
        let token = self.rng.guid("OAT");
        let uri = format!(
            "{base}/oauth/window/{}/{}?token={token}",
            self.user_guid, self.guid
        );
        let oauth = self.oauth.as_mut()?;
        oauth.token = Some(token);
        oauth.uri = Some(uri.clone());
        Some(uri)
    }

    /// Takes the credential values of a new member (by institution credential GUID).
    pub fn set_credentials(&mut self, values: Vec<(String, String)>) {
        let (username, password) = login_of(self.institution.code, &values);
        self.username = username;
        self.password = password;
        self.credentials = values;
    }

    /// New credential values replace the old ones field by field, and start an aggregation:
    /// the member is UPDATED, and a RECONNECTED login's one-time code is asked no more.
    pub fn update_credentials(
        &mut self,
        values: Vec<(String, String)>,
        now: Millis,
        clock: &Clock,
    ) {
        for (g, v) in values {
            match self.credentials.iter_mut().find(|(mg, _)| *mg == g) {
                Some(slot) => slot.1 = v,
                None => self.credentials.push((g, v)),
            }
        }
        let (username, password) = login_of(self.institution.code, &self.credentials);
        self.username = username;
        self.password = password;
        self.otp_next = false;
        self.connection_status = "UPDATED";
        self.begin(JobKind::Aggregate, now, clock);
    }

    /// An OAuth member waits (PENDING) for the end user to grant access in its window.
    pub fn await_oauth(
        &mut self,
        skip_aggregation: bool,
        client_redirect_url: Option<String>,
        base: &str,
    ) {
        self.connection_status = "PENDING";
        self.oauth = Some(OAuth {
            token: None,
            uri: None,
            skip_aggregation,
            client_redirect_url,
        });
        self.new_oauth_uri(base);
    }

    /// Whether `token` opens this member's OAuth window: the current one (each answer spends
    /// it). Not only while PENDING: a fresh window is how an OAuth member whose sign-in was
    /// refused or has lapsed signs in again (there are no credentials to update).
    pub fn admits_oauth_token(&self, token: Option<&String>) -> bool {
        self.oauth
            .as_ref()
            .and_then(|o| o.token.as_ref())
            .is_some_and(|t| Some(t) == token)
    }

    /// The end user granted access: the member connects (aggregating unless told to skip).
    /// What ran on the old sign-in (a window opened again mid-run) gives way to it.
    pub fn grant_oauth(&mut self, now: Millis, clock: &Clock) {
        let skip = self.oauth.as_ref().is_some_and(|o| o.skip_aggregation);
        self.spend_oauth_token();
        self.end("CREATED", "INITIATED");
        if skip {
            self.note(now);
        } else {
            self.begin(JobKind::Aggregate, now, clock);
        }
    }

    /// The end user refused: the member is DENIED, whatever ran on its old sign-in.
    pub fn deny_oauth(&mut self, now: Millis) {
        self.spend_oauth_token();
        self.end("DENIED", "DENIED");
        self.note(now);
    }

    /// A window URI is good for one answer.
    fn spend_oauth_token(&mut self) {
        if let Some(o) = &mut self.oauth {
            o.token = None;
            o.uri = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(password: &str) -> (Member, Clock) {
        let clock = Clock::default();
        let mut m = Member::new(
            "MBR-1".into(),
            "USR-1".into(),
            crate::sim::institutions::institution("mxbank").unwrap(),
            clock.now(),
        );
        m.username = "test_atrium".into();
        m.password = password.into();
        (m, clock)
    }

    /// A member whose aggregation begins now; its clock, and that now.
    fn aggregating(password: &str) -> (Member, Clock, Millis) {
        let (mut m, clock) = member(password);
        let t0 = clock.now();
        m.begin(JobKind::Aggregate, t0, &clock);
        (m, clock, t0)
    }

    fn run(m: &mut Member, clock: &Clock, from: Millis) -> Millis {
        // Long enough for every step at the realistic speed, shorter than a challenge lives.
        let later = from + 2 * MINUTE;
        m.advance(later, clock, false);
        later
    }

    #[test]
    fn password_connects_with_data() {
        let (mut m, clock, t0) = aggregating("password");
        assert!(m.is_being_aggregated);
        m.advance(t0 + STEP, &clock, false);
        assert_eq!(
            (
                m.connection_status,
                m.is_authenticated,
                m.is_being_aggregated
            ),
            ("CONNECTED", true, true)
        );
        m.advance(t0 + 3 * STEP, &clock, false);
        assert_eq!(
            (m.connection_status, m.is_being_aggregated),
            ("CONNECTED", false)
        );
        assert!(m.has_processed_accounts && m.has_processed_transactions);
        assert_eq!(m.successfully_aggregated_at, Some(t0 + 3 * STEP));
        assert!(m.data.synced_at.is_some());
    }

    #[test]
    fn notices_are_kept_only_when_webhooks_are_on() {
        let (mut m, clock) = member("password");
        let t0 = m.created_at;
        m.begin(JobKind::Aggregate, t0, &clock);
        run(&mut m, &clock, t0);
        assert_eq!(m.outbox, None, "no webhooks: nothing accumulates");
        let (mut m, clock) = member("password");
        m.outbox = Some(Vec::new());
        m.begin(JobKind::Aggregate, t0, &clock);
        run(&mut m, &clock, t0);
        let outbox = m.outbox.clone().unwrap_or_default();
        assert_eq!(outbox.first(), Some(&Notice::Status("CREATED")));
        assert!(matches!(
            outbox[outbox.len() - 2..],
            [
                Notice::Status("CONNECTED"),
                Notice::Aggregated { history: false, .. }
            ]
        ));
        // A receiver that is down loses the oldest notices, never memory.
        for _ in 0..200 {
            m.notify(Notice::Status("DEGRADED"));
        }
        assert_eq!(m.outbox.as_ref().map(Vec::len), Some(OUTBOX_MAX));
    }

    #[test]
    fn two_step_challenge() {
        let (mut m, clock, t0) = aggregating("challenge");
        let t = run(&mut m, &clock, t0);
        assert_eq!(m.connection_status, "CHALLENGED");
        let first = m.challenges[0].guid.clone();
        m.resume(&[(first.clone(), "challenge".into())], t, &clock)
            .unwrap();
        assert_eq!((m.connection_status, m.status), ("RESUMED", "RECEIVED"));
        let t = run(&mut m, &clock, t);
        assert_eq!(m.connection_status, "CHALLENGED");
        let second = m.challenges[0].guid.clone();
        assert_ne!(first, second);
        m.resume(&[(second, "correct".into())], t, &clock).unwrap();
        run(&mut m, &clock, t);
        assert_eq!(
            (m.connection_status, m.is_being_aggregated),
            ("CONNECTED", false)
        );
    }

    #[test]
    fn wrong_answers_reject_and_silence_expires() {
        let (mut m, clock, t0) = aggregating("options");
        let t = run(&mut m, &clock, t0);
        let g = m.challenges[0].guid.clone();
        assert!(m
            .resume(&[("CRD-other".into(), "correct".into())], t, &clock)
            .is_err());
        assert!(m.resume(&[], t, &clock).is_err());
        assert_eq!(
            m.connection_status, "CHALLENGED",
            "refused answers change nothing"
        );
        m.resume(&[(g, "challenge".into())], t, &clock).unwrap();
        run(&mut m, &clock, t);
        assert_eq!(m.connection_status, "REJECTED", "not a two-step login");

        let (mut m, clock, t0) = aggregating("image");
        m.advance(t0 + STEP, &clock, false);
        assert_eq!(m.connection_status, "CHALLENGED");
        m.advance(t0 + STEP + CHALLENGE_TTL, &clock, false);
        assert_eq!(
            (m.connection_status, m.is_being_aggregated),
            ("EXPIRED", false)
        );
    }

    #[test]
    fn overlapping_processes_and_throttles() {
        let (mut m, clock) = member("password");
        let t0 = clock.now();
        assert_eq!(
            m.start(JobKind::Aggregate, t0, &clock, false).unwrap(),
            Started::Yes
        );
        assert_eq!(
            m.start(JobKind::Aggregate, t0, &clock, false).unwrap(),
            Started::AlreadyRunning
        );
        assert!(matches!(
            m.start(JobKind::Verify, t0, &clock, false),
            Err(ApiError::Conflict(_))
        ));
        let t = run(&mut m, &clock, t0);
        assert_eq!(
            m.start(JobKind::Aggregate, t, &clock, false).unwrap(),
            Started::Unchanged,
            "three-hour rule"
        );
        assert_eq!(
            m.start(JobKind::Verify, t, &clock, false).unwrap(),
            Started::Yes,
            "premium is not throttled"
        );
        let t = run(&mut m, &clock, t);
        assert!(m.data.verified_at.is_some());
        assert_eq!(
            m.start(JobKind::Aggregate, t + 2 * HOUR, &clock, false)
                .unwrap(),
            Started::Unchanged,
            "any process counts"
        );
        assert_eq!(
            m.start(JobKind::Aggregate, t + 3 * HOUR, &clock, false)
                .unwrap(),
            Started::Yes
        );
        let t = run(&mut m, &clock, t + 3 * HOUR);
        assert_eq!(
            m.start(JobKind::Balance, t, &clock, false).unwrap(),
            Started::Yes
        );
        let t = run(&mut m, &clock, t);
        assert!(matches!(
            m.start(JobKind::Balance, t, &clock, false),
            Err(ApiError::TooManyRequests(_))
        ));
        assert!(matches!(
            m.start(JobKind::Aggregate, t + 4 * HOUR, &clock, true),
            Err(ApiError::Forbidden(_))
        ));
    }

    #[test]
    fn background_aggregation_every_day() {
        let (mut m, clock, t0) = aggregating("password");
        run(&mut m, &clock, t0);
        let first = m.successfully_aggregated_at.unwrap();
        m.advance(t0 + BACKGROUND_EVERY + HOUR, &clock, false);
        assert!(m.successfully_aggregated_at.unwrap() > first);
        assert!(!m.is_being_aggregated);
        let again = m.successfully_aggregated_at;
        m.advance(t0 + BACKGROUND_EVERY + 2 * HOUR, &clock, true);
        assert_eq!(m.successfully_aggregated_at, again);
    }

    #[test]
    fn every_end_status_of_the_table_is_reached() {
        for (password, outcome) in logins::TABLE {
            let (mut m, clock, t0) = aggregating(password);
            m.advance(t0 + 2 * MINUTE, &clock, false);
            match outcome {
                Outcome::End {
                    connection_status, ..
                } => assert_eq!(m.connection_status, *connection_status, "{password}"),
                Outcome::ConnectThen(s) => assert_eq!(m.connection_status, *s, "{password}"),
                Outcome::Challenge { .. } => {
                    assert_eq!(m.connection_status, "CHALLENGED", "{password}")
                }
                _ => assert_eq!(m.connection_status, "CONNECTED", "{password}"),
            }
        }
    }
}
