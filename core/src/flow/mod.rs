//! The aggregation-flow state machine: create or aggregate, watch the status, hand out
//! challenges, resume, and stop at an end state, after the rules of the getting-started guide.
//! Pure: it consumes observations (answers, errors, pushes, a clock) and emits commands (send
//! this, wait that long, tell the caller, finish with this result); a driver performs them.
//! So every rule is tested natively with a virtual clock.

mod failure;
mod ledger;
mod machine;
mod oauth;
mod push;
mod snapshot;

pub use ledger::EndLedger;
pub use machine::Flow;
pub use snapshot::{FlowKind, FlowSnapshot, SNAPSHOT_VERSION};

use crate::error::AtriumError;
use crate::ids::MemberGuid;
use crate::oauth::OAuthEnd;
use crate::options::{CreateMember, GuidValue, OAuthWindowOptions};
use crate::request::Process;
use crate::sse::Push;
use crate::status::{ConnectionStatus, Outcome};

/// What a flow sets out to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Create a member, then follow its first aggregation.
    Connect(CreateMember),
    /// Run a process (standard aggregation or a premium one) on an existing member.
    Process(Process),
    /// New credentials, then follow the aggregation they start.
    UpdateCredentials(Vec<GuidValue>),
    /// Carry on an earlier flow from its snapshot: read the member and follow whatever runs,
    /// starting nothing (the earlier flow started it).
    Resume(FlowKind),
    /// Sign an OAuth member in again at its bank's page (a refused or expired sign-in): a
    /// fresh window, its status held as stale until the window speaks, then what follows.
    Reauthorize(OAuthWindowOptions),
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
    /// A fresh OAuth window for the member (`GET …/oauth_window_uri`): a member document.
    OAuthWindow(OAuthWindowOptions),
    UpdateCredentials(Vec<GuidValue>),
    Resume(Vec<GuidValue>),
    ListCredentials,
    /// The member itself, for the result of a flow that ends without one (busy).
    ReadMember,
    /// The user's members, to find the one a create duplicated.
    ListMembers,
}

/// A member among the user's, as far as finding a duplicate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub guid: MemberGuid,
    pub institution_code: Option<String>,
    pub identifier: Option<String>,
}

/// What the driver saw: the answer to the request in flight, or something from outside.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A member document, the answer to create, start (200 or 202 alike), update, resume or
    /// read: a run has begun or been joined, so the flow reads the status soon.
    Member {
        connection_status: ConnectionStatus,
        oauth_window_uri: Option<String>,
    },
    /// A status document; `challenges` are the open challenges' GUIDs.
    Status {
        connection_status: ConnectionStatus,
        is_being_aggregated: bool,
        challenges: Vec<String>,
        successfully_aggregated_at: Option<String>,
    },
    /// The user's members (the answer to `ListMembers`).
    Members(Vec<MemberFacts>),
    /// The member's credentials were read (the driver keeps them for the caller).
    Credentials,
    /// The request in flight failed.
    Failed(AtriumError),
    /// The caller's answers.
    Answer(Vec<GuidValue>),
    Cancel,
    /// A `Wait` elapsed (or the driver's deadline timer fired).
    Wake,
    /// The relay's event stream said something (delivered only while the flow waits).
    Pushed(Push),
    /// The OAuth window said how it ended (its message, or the redirect back).
    OAuth(OAuthEnd),
    /// The OAuth window was closed.
    OAuthClosed,
    /// Nobody handles the `oauth` event: the flow ends as `needs_user_action`, as a flow
    /// that cannot open the window must.
    OAuthUnhandled,
}

/// What the flow asks of the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Send(Request),
    /// Then report `Wake`.
    Wait(u32),
    /// Tell the caller about a status it has not seen yet.
    Status(ConnectionStatus),
    /// Tell the caller the open challenges (the driver has the documents).
    Challenge,
    /// Tell the caller to send the end user to the OAuth window (`Finish` has its URI);
    /// once per flow. With nobody to tell, report `OAuthUnhandled` instead of the next wait.
    OAuth,
    /// The flow's member is this one, found among the user's: a create sent again after an
    /// unknown outcome was refused as a duplicate of it (the first one had happened).
    Adopt(MemberGuid),
    Finish(Finish),
}

/// How a flow ended: everything its result says but the documents the driver holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub outcome: Outcome,
    pub connection_status: Option<ConnectionStatus>,
    /// Why a flow failed, timed out, or found the member busy or duplicated.
    pub error: Option<AtriumError>,
    /// For a duplicate: the member that already exists, when it could be found; the result's
    /// member is then that one's, not the flow's (it has none).
    pub existing_member: Option<MemberGuid>,
    /// From the last status read.
    pub successfully_aggregated_at: Option<String>,
    /// From the last member document (an OAuth member's window).
    pub oauth_window_uri: Option<String>,
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
/// While the end user is at the OAuth window, unpushed: MX's own widget reads every 3 s.
pub const OAUTH_POLL: u32 = 3000;
/// After the window spoke or closed while the member still shows PENDING: reads this far
/// apart, this many, for the bank's word to land, then the flow ends.
pub const OAUTH_GRACE_POLL: u32 = 1000;
pub const OAUTH_GRACE_READS: u32 = 3;

#[cfg(test)]
mod tests;
