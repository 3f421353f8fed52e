//! Connection statuses as a type, and what each means: the groups of the getting-started
//! guide (`shared/atrium-api.md` §10, with LOCKED and PENDING, which the guide leaves out),
//! whether a run is still going, and how a run that ends there ends. The one answer to
//! "what does PENDING mean": the flow machine, `statusInfo()` in JavaScript and the demo
//! all ask here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! statuses {
    ($($variant:ident = $text:literal,)*) => {
        /// A member's `connection_status` (§5). A status Atrium adds later is `Other`, kept
        /// as it came.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ConnectionStatus {
            $($variant,)*
            Other(String),
        }

        impl ConnectionStatus {
            /// Every status of the reference.
            pub const ALL: &'static [ConnectionStatus] = &[$(ConnectionStatus::$variant,)*];

            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => ConnectionStatus::$variant,)*
                    other => ConnectionStatus::Other(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(ConnectionStatus::$variant => $text,)*
                    ConnectionStatus::Other(text) => text,
                }
            }
        }
    };
}

statuses! {
    Created = "CREATED",
    Prevented = "PREVENTED",
    Denied = "DENIED",
    Challenged = "CHALLENGED",
    Rejected = "REJECTED",
    Locked = "LOCKED",
    Connected = "CONNECTED",
    Impeded = "IMPEDED",
    Reconnected = "RECONNECTED",
    Degraded = "DEGRADED",
    Disconnected = "DISCONNECTED",
    Discontinued = "DISCONTINUED",
    Closed = "CLOSED",
    Delayed = "DELAYED",
    Failed = "FAILED",
    Updated = "UPDATED",
    Disabled = "DISABLED",
    Imported = "IMPORTED",
    Resumed = "RESUMED",
    Expired = "EXPIRED",
    Impaired = "IMPAIRED",
    Pending = "PENDING",
}

/// What to do with a member in this status before aggregating (Step 1 of the guide).
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

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Aggregatable => "aggregatable",
            Group::NeedsCredentials => "needs_credentials",
            Group::Transitory => "transitory",
            Group::Never => "never",
            Group::UserAction => "user_action",
        }
    }
}

/// Where a run stands in this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Going on by itself (CREATED, UPDATED, RESUMED, DELAYED).
    Running,
    /// Waiting for the end user: an MFA answer (CHALLENGED) or the OAuth window (PENDING).
    WaitingForUser,
    /// Over, one way or another.
    Ended,
}

impl Progress {
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Running => "running",
            Progress::WaitingForUser => "waiting_for_user",
            Progress::Ended => "ended",
        }
    }
}

/// How a finished flow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Connected,
    NeedsCredentials,
    NeedsUserAction,
    Failed,
    Cancelled,
    TimedOut,
    /// A member with the same institution and credentials exists (409 on create).
    Duplicate,
    /// Another kind of process runs on the member (409 on start, without `waitIfBusy`).
    Busy,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Connected,
        Outcome::NeedsCredentials,
        Outcome::NeedsUserAction,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::TimedOut,
        Outcome::Duplicate,
        Outcome::Busy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Connected => "connected",
            Outcome::NeedsCredentials => "needs_credentials",
            Outcome::NeedsUserAction => "needs_user_action",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::TimedOut => "timed_out",
            Outcome::Duplicate => "duplicate",
            Outcome::Busy => "busy",
        }
    }
}

impl ConnectionStatus {
    /// The group before aggregating. An unknown status is treated as aggregatable: the API
    /// decides, and the flow reads the outcome.
    pub fn group(&self) -> Group {
        use ConnectionStatus::*;
        match self {
            Created | Connected | Degraded | Disconnected | Expired | Failed | Reconnected
            | Updated => Group::Aggregatable,
            Prevented | Denied | Impaired | Imported => Group::NeedsCredentials,
            Challenged | Delayed | Rejected | Resumed => Group::Transitory,
            Closed | Disabled | Discontinued => Group::Never,
            Locked | Impeded | Pending => Group::UserAction,
            Other(_) => Group::Aggregatable,
        }
    }

    /// Whether a run is still going whatever `is_being_aggregated` says: an end is only an
    /// end when neither holds.
    pub fn is_transient(&self) -> bool {
        use ConnectionStatus::*;
        matches!(self, Created | Updated | Resumed | Delayed | Challenged)
    }

    /// Where a run stands.
    pub fn progress(&self) -> Progress {
        use ConnectionStatus::*;
        match self {
            Challenged | Pending => Progress::WaitingForUser,
            s if s.is_transient() => Progress::Running,
            _ => Progress::Ended,
        }
    }

    /// How a run that has ended in this status ended (not transient, not aggregating).
    pub fn outcome(&self) -> Outcome {
        use ConnectionStatus::*;
        match self {
            Connected | Reconnected => Outcome::Connected,
            Prevented | Denied | Impaired | Imported => Outcome::NeedsCredentials,
            Locked | Impeded | Pending => Outcome::NeedsUserAction,
            _ => Outcome::Failed,
        }
    }

    /// A step a run passes through on its way (signed in, new credentials, an answer taken,
    /// slow): no end, nothing to read.
    pub fn is_step_of_run(&self) -> bool {
        use ConnectionStatus::*;
        matches!(
            self,
            Connected | Reconnected | Created | Updated | Resumed | Delayed
        )
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ConnectionStatus {
    fn from(text: &str) -> Self {
        ConnectionStatus::parse(text)
    }
}

impl Serialize for ConnectionStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ConnectionStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ConnectionStatus::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> ConnectionStatus {
        ConnectionStatus::parse(text)
    }

    #[test]
    fn the_guides_groups() {
        for t in ["PREVENTED", "DENIED", "IMPAIRED", "IMPORTED"] {
            assert_eq!(s(t).group(), Group::NeedsCredentials, "{t}");
            assert_eq!(s(t).outcome(), Outcome::NeedsCredentials, "{t}");
        }
        for t in ["CLOSED", "DISABLED", "DISCONTINUED"] {
            assert_eq!(s(t).group(), Group::Never, "{t}");
            assert_eq!(s(t).outcome(), Outcome::Failed, "{t}");
        }
        assert_eq!(s("LOCKED").group(), Group::UserAction);
        assert_eq!(s("PENDING").outcome(), Outcome::NeedsUserAction);
        assert_eq!(s("SOMETHING_NEW").group(), Group::Aggregatable);
        assert_eq!(s("SOMETHING_NEW").outcome(), Outcome::Failed);
        assert_eq!(ConnectionStatus::ALL.len(), 22);
    }

    #[test]
    fn statuses_round_trip_and_keep_new_ones() {
        for status in ConnectionStatus::ALL {
            assert_eq!(&s(status.as_str()), status);
        }
        let new = s("SOMETHING_NEW");
        assert_eq!(new, ConnectionStatus::Other("SOMETHING_NEW".into()));
        assert_eq!(new.as_str(), "SOMETHING_NEW");
        let json: ConnectionStatus = serde_json::from_str("\"CHALLENGED\"").unwrap();
        assert_eq!(json, ConnectionStatus::Challenged);
        assert_eq!(serde_json::to_string(&new).unwrap(), "\"SOMETHING_NEW\"");
    }

    #[test]
    fn where_a_run_stands() {
        for t in ["CREATED", "UPDATED", "RESUMED", "DELAYED"] {
            assert_eq!(s(t).progress(), Progress::Running, "{t}");
        }
        // PENDING's one answer: the user is at the OAuth window; a flow that must stop there
        // ends as needs_user_action.
        for t in ["CHALLENGED", "PENDING"] {
            assert_eq!(s(t).progress(), Progress::WaitingForUser, "{t}");
        }
        assert!(!s("PENDING").is_transient());
        for t in ["CONNECTED", "DENIED", "LOCKED", "FAILED", "NEW_ONE"] {
            assert_eq!(s(t).progress(), Progress::Ended, "{t}");
        }
        assert!(s("DELAYED").is_step_of_run() && !s("CHALLENGED").is_step_of_run());
    }
}
