//! The test logins: which username and password lead to which outcome. Vestibule documents
//! the first rows (§6 of the reference); the rest make every connection_status reachable.

/// What authenticating with a member's credentials leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Authenticates and aggregates; `transactions` fixes the volume (None: a normal amount).
    Connect { transactions: Option<u32> },
    /// A multi-factor challenge of this type first; `two_step`: answering `challenge` leads to
    /// a second challenge.
    Challenge { kind: ChallengeKind, two_step: bool },
    /// DELAYED for a while, then connected.
    Delayed,
    /// Connected, with this status at the end of the run instead of CONNECTED.
    ConnectThen(&'static str),
    /// The run ends at once with this connection_status and this (deprecated) status.
    End {
        connection_status: &'static str,
        status: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    Text,
    Options,
    Token,
    ImageData,
    ImageOptions,
}

impl ChallengeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeKind::Text => "TEXT",
            ChallengeKind::Options => "OPTIONS",
            ChallengeKind::Token => "TOKEN",
            ChallengeKind::ImageData => "IMAGE_DATA",
            ChallengeKind::ImageOptions => "IMAGE_OPTIONS",
        }
    }
}

pub const USERNAME: &str = "test_atrium";
/// The answer that passes every challenge.
pub const CORRECT: &str = "correct";
/// The first answer of the two-step challenge that leads to a second one.
pub const NEXT: &str = "challenge";

const fn end(connection_status: &'static str) -> Outcome {
    Outcome::End {
        connection_status,
        status: "FAILED",
    }
}

/// Every password `test_atrium` may use, with what it does; the README's table lists the same.
pub const TABLE: &[(&str, Outcome)] = &[
    ("password", Outcome::Connect { transactions: None }),
    (
        "challenge",
        Outcome::Challenge {
            kind: ChallengeKind::Text,
            two_step: true,
        },
    ),
    (
        "options",
        Outcome::Challenge {
            kind: ChallengeKind::Options,
            two_step: false,
        },
    ),
    (
        "image",
        Outcome::Challenge {
            kind: ChallengeKind::ImageData,
            two_step: false,
        },
    ),
    (
        "image_options",
        Outcome::Challenge {
            kind: ChallengeKind::ImageOptions,
            two_step: false,
        },
    ),
    (
        "token",
        Outcome::Challenge {
            kind: ChallengeKind::Token,
            two_step: false,
        },
    ),
    (
        "BAD_REQUEST",
        Outcome::End {
            connection_status: "FAILED",
            status: "HALTED",
        },
    ),
    (
        "UNAUTHORIZED",
        Outcome::End {
            connection_status: "DENIED",
            status: "DENIED",
        },
    ),
    (
        "INVALID",
        Outcome::End {
            connection_status: "DENIED",
            status: "DENIED",
        },
    ),
    ("PREVENTED", end("PREVENTED")),
    ("LOCKED", end("LOCKED")),
    ("IMPEDED", end("IMPEDED")),
    ("DEGRADED", end("DEGRADED")),
    ("DISCONNECTED", end("DISCONNECTED")),
    ("DISCONTINUED", end("DISCONTINUED")),
    ("CLOSED", end("CLOSED")),
    ("FAILED", end("FAILED")),
    ("IMPAIRED", end("IMPAIRED")),
    ("IMPORTED", end("IMPORTED")),
    ("EXPIRED", end("EXPIRED")),
    ("DELAYED", Outcome::Delayed),
    ("DISABLED", Outcome::ConnectThen("DISABLED")),
    ("RECONNECTED", Outcome::ConnectThen("RECONNECTED")),
    (
        "BIG_10K",
        Outcome::Connect {
            transactions: Some(10_000),
        },
    ),
    (
        "BIG_25K",
        Outcome::Connect {
            transactions: Some(25_000),
        },
    ),
];

/// The outcome of a login. A blank username or password is a missing credential (IMPAIRED);
/// any other username, or a password not in the table, is invalid (DENIED).
pub fn outcome(username: &str, password: &str) -> Outcome {
    if username.trim().is_empty() || password.is_empty() {
        return Outcome::End {
            connection_status: "IMPAIRED",
            status: "HALTED",
        };
    }
    if username != USERNAME {
        return Outcome::End {
            connection_status: "DENIED",
            status: "DENIED",
        };
    }
    TABLE
        .iter()
        .find(|(p, _)| *p == password)
        .map(|(_, o)| *o)
        .unwrap_or(Outcome::End {
            connection_status: "DENIED",
            status: "DENIED",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_rows() {
        assert_eq!(
            outcome("test_atrium", "password"),
            Outcome::Connect { transactions: None }
        );
        assert!(matches!(
            outcome("test_atrium", "challenge"),
            Outcome::Challenge { two_step: true, .. }
        ));
        for (username, password, want) in [
            ("test_atrium", "UNAUTHORIZED", "DENIED"),
            ("someone", "password", "DENIED"),
            ("test_atrium", "nope", "DENIED"),
            ("test_atrium", "", "IMPAIRED"),
        ] {
            assert!(
                matches!(
                    outcome(username, password),
                    Outcome::End { connection_status, .. } if connection_status == want
                ),
                "{username} {password:?}"
            );
        }
    }

    #[test]
    fn the_readme_lists_every_login() {
        let readme = include_str!("../../../README.md");
        for (password, _) in TABLE {
            assert!(
                readme.contains(&format!("| `{password}` |")),
                "README lacks the login {password}"
            );
        }
    }
}
