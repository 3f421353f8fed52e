//! A flow's state as a small, versioned JSON value (`flow.snapshot()`), and the flow that
//! carries it on (`client.resume(snapshot)`). Never a credential nor an MFA answer in it:
//! what it holds is what the page may keep in `sessionStorage`.

use serde::{Deserialize, Serialize};

use super::machine::{Flow, Phase};
use super::*;
use crate::ids::{MemberGuid, UserGuid};
use crate::oauth::OAuthEnd;
use crate::options::process_named;

/// The snapshot format this library writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// What a flow was started as: `connect`, `update_credentials`, `reauthorize`, or a process's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Connect,
    UpdateCredentials,
    /// Signing an OAuth member in again: resumed, it still waits for the window's word.
    Reauthorize,
    Process(Process),
}

impl FlowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Connect => "connect",
            FlowKind::UpdateCredentials => "update_credentials",
            FlowKind::Reauthorize => "reauthorize",
            FlowKind::Process(p) => p.segment(),
        }
    }

    pub fn parse(text: &str, what: &str) -> Result<Self, AtriumError> {
        match text {
            "connect" => Ok(FlowKind::Connect),
            "update_credentials" => Ok(FlowKind::UpdateCredentials),
            "reauthorize" => Ok(FlowKind::Reauthorize),
            other => process_named(other, what).map(FlowKind::Process),
        }
    }

    /// The process whose run a flow of this kind follows.
    pub fn process(self) -> Process {
        match self {
            FlowKind::Process(p) => p,
            _ => Process::Aggregate,
        }
    }

    fn of(start: &Start) -> Self {
        match start {
            Start::Connect(_) => FlowKind::Connect,
            Start::Reauthorize(_) => FlowKind::Reauthorize,
            Start::UpdateCredentials(_) => FlowKind::UpdateCredentials,
            Start::Process(p) => FlowKind::Process(*p),
            Start::Resume(kind) => *kind,
        }
    }
}

/// A flow's state, JSON-serialisable; read back only through [`Flow::resume`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlowSnapshot {
    /// The format's version (1).
    pub v: u32,
    /// The flow run's id, the same in every resume of it: whether its end was reported is
    /// asked by it.
    pub run_id: String,
    #[cfg_attr(feature = "ts", ts(type = "FlowKind"))]
    pub kind: String,
    /// The user whose member it is (null when the flow had not learnt it yet).
    pub user_guid: Option<String>,
    /// Null before a `connect` created its member: such a snapshot cannot be resumed.
    pub member_guid: Option<String>,
    /// Whether the flow's own request (create, update, start) was sent: a resume then
    /// follows what runs and starts nothing.
    pub started: bool,
    /// Processes still to run after the aggregation.
    #[cfg_attr(feature = "ts", ts(type = "ProcessName[]"))]
    pub then: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "ConnectionStatus | null"))]
    pub connection_status: Option<String>,
    /// The OAuth window the flow sent the end user to (its messages are heard again).
    pub oauth_window_uri: Option<String>,
}

crate::from_tree_by_fields!(strict FlowSnapshot {
    v,
    run_id,
    kind,
    user_guid,
    member_guid,
    started,
    then,
    connection_status,
    oauth_window_uri,
});

impl FlowSnapshot {
    /// A snapshot of a member known only by its GUID: `client.resume(memberGuid, kind)`.
    pub fn of_member(member: &MemberGuid, kind: FlowKind, run_id: String) -> Self {
        FlowSnapshot {
            v: SNAPSHOT_VERSION,
            run_id,
            kind: kind.as_str().into(),
            user_guid: None,
            member_guid: Some(member.as_str().into()),
            started: true,
            then: Vec::new(),
            connection_status: None,
            oauth_window_uri: None,
        }
    }
}

/// A snapshot read back: the flow, and whose member it follows.
pub struct Resumed {
    pub flow: Flow,
    pub user: Option<UserGuid>,
    pub member: MemberGuid,
}

impl Flow {
    /// The flow's state now; `user` and `member` are the driver's.
    pub fn snapshot(&self, user: Option<&UserGuid>, member: Option<&MemberGuid>) -> FlowSnapshot {
        FlowSnapshot {
            v: SNAPSHOT_VERSION,
            run_id: self.run_id.clone(),
            kind: FlowKind::of(&self.start).as_str().into(),
            user_guid: user.map(|u| u.as_str().into()),
            member_guid: member.map(|m| m.as_str().into()),
            started: self.started,
            then: self.then.iter().map(|p| p.segment().into()).collect(),
            connection_status: self.last_status.as_ref().map(|s| s.as_str().into()),
            oauth_window_uri: self.oauth_window_uri.clone(),
        }
    }

    /// The run's id: the same in every resume of it.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The flow that carries `snapshot` on: it reads the member first, and follows whatever
    /// runs, re-asks an open challenge, waits at the OAuth window, or ends at once. `oauth`
    /// is what a redirect back from the OAuth window said.
    pub fn resume(
        snapshot: &FlowSnapshot,
        mut options: FlowOptions,
        seed: u64,
        oauth: Option<OAuthEnd>,
    ) -> Result<Resumed, AtriumError> {
        if snapshot.v != SNAPSHOT_VERSION {
            return Err(AtriumError::invalid(format!(
                "snapshot version {} is not one this library reads ({SNAPSHOT_VERSION}).",
                snapshot.v
            )));
        }
        let run_id = &snapshot.run_id;
        if run_id.is_empty() || run_id.len() > 64 || !run_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AtriumError::invalid(
                "snapshot.run_id must be 1 to 64 visible characters.",
            ));
        }
        let kind = FlowKind::parse(&snapshot.kind, "snapshot.kind")?;
        let member = snapshot.member_guid.as_deref().ok_or_else(|| {
            AtriumError::invalid(
                "the snapshot was taken before its member was created: there is nothing to resume.",
            )
        })?;
        let member = MemberGuid::parse_as(member, "snapshot.member_guid")?;
        let user = match &snapshot.user_guid {
            Some(u) => Some(UserGuid::parse_as(u, "snapshot.user_guid")?),
            None => None,
        };
        options.then = snapshot
            .then
            .iter()
            .map(|p| process_named(p, "snapshot.then"))
            .collect::<Result<_, _>>()?;
        let start = match kind {
            FlowKind::Process(p) if !snapshot.started => Start::Process(p),
            kind => Start::Resume(kind),
        };
        let mut flow = Flow::new(start, options, seed);
        flow.run_id = run_id.clone();
        flow.oauth_window_uri = snapshot.oauth_window_uri.clone();
        flow.oauth.said = oauth;
        Ok(Resumed { flow, user, member })
    }

    /// Whether the flow waits at the OAuth window now.
    pub fn at_oauth_window(&self) -> bool {
        self.phase == Phase::OAuth
    }

    /// The OAuth window's URI, once the member document gave one.
    pub fn oauth_window_uri(&self) -> Option<&str> {
        self.oauth_window_uri.as_deref()
    }
}
