//! What a connection_status means for a flow: the groups of the getting-started guide
//! (`shared/atrium-api.md` §10), with LOCKED and PENDING, which the guide leaves out.

/// What to do with a member in this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Aggregation may be attempted.
    Aggregatable,
    /// The credentials must be updated first (list the member's credentials, ask the user).
    NeedsCredentials,
    /// An aggregation is in progress: keep watching, answer challenges.
    Transitory,
    /// Never attempt aggregation.
    Never,
    /// The end user must act elsewhere: at the institution (LOCKED, IMPEDED) or in the
    /// OAuth window (PENDING).
    UserAction,
}

/// The group of a status before aggregating (Step 1 of the guide). An unknown status is
/// treated as aggregatable: the API decides, and the flow reads the outcome.
pub fn group(status: &str) -> Group {
    match status {
        "CREATED" | "CONNECTED" | "DEGRADED" | "DISCONNECTED" | "EXPIRED" | "FAILED"
        | "RECONNECTED" | "UPDATED" => Group::Aggregatable,
        "PREVENTED" | "DENIED" | "IMPAIRED" | "IMPORTED" => Group::NeedsCredentials,
        "CHALLENGED" | "DELAYED" | "REJECTED" | "RESUMED" => Group::Transitory,
        "CLOSED" | "DISABLED" | "DISCONTINUED" => Group::Never,
        "LOCKED" | "IMPEDED" | "PENDING" => Group::UserAction,
        _ => Group::Aggregatable,
    }
}

/// Statuses that say a run is still going whatever `is_being_aggregated` says: an end is
/// only an end when neither holds.
pub fn is_transient(status: &str) -> bool {
    matches!(
        status,
        "CREATED" | "UPDATED" | "RESUMED" | "DELAYED" | "CHALLENGED"
    )
}

/// How a finished run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Connected,
    NeedsCredentials,
    NeedsUserAction,
    Failed,
    Cancelled,
    TimedOut,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Connected => "connected",
            Outcome::NeedsCredentials => "needs_credentials",
            Outcome::NeedsUserAction => "needs_user_action",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::TimedOut => "timed_out",
        }
    }
}

/// The outcome of a run that has ended in `status` (not transient, not aggregating).
pub fn outcome_of(status: &str) -> Outcome {
    match status {
        "CONNECTED" | "RECONNECTED" => Outcome::Connected,
        "PREVENTED" | "DENIED" | "IMPAIRED" | "IMPORTED" => Outcome::NeedsCredentials,
        "LOCKED" | "IMPEDED" | "PENDING" => Outcome::NeedsUserAction,
        _ => Outcome::Failed,
    }
}

/// Every status of the reference (§5).
pub const ALL: [&str; 22] = [
    "CREATED",
    "PREVENTED",
    "DENIED",
    "CHALLENGED",
    "REJECTED",
    "LOCKED",
    "CONNECTED",
    "IMPEDED",
    "RECONNECTED",
    "DEGRADED",
    "DISCONNECTED",
    "DISCONTINUED",
    "CLOSED",
    "DELAYED",
    "FAILED",
    "UPDATED",
    "DISABLED",
    "IMPORTED",
    "RESUMED",
    "EXPIRED",
    "IMPAIRED",
    "PENDING",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_groups() {
        for s in ["PREVENTED", "DENIED", "IMPAIRED", "IMPORTED"] {
            assert_eq!(group(s), Group::NeedsCredentials, "{s}");
            assert_eq!(outcome_of(s), Outcome::NeedsCredentials, "{s}");
        }
        for s in ["CLOSED", "DISABLED", "DISCONTINUED"] {
            assert_eq!(group(s), Group::Never, "{s}");
            assert_eq!(outcome_of(s), Outcome::Failed, "{s}");
        }
        assert_eq!(group("LOCKED"), Group::UserAction);
        assert_eq!(outcome_of("PENDING"), Outcome::NeedsUserAction);
        assert_eq!(group("SOMETHING_NEW"), Group::Aggregatable);
        assert_eq!(outcome_of("SOMETHING_NEW"), Outcome::Failed);
        assert_eq!(ALL.len(), 22);
        assert!(ALL.iter().all(|s| !s.is_empty()));
    }
}
