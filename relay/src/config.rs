//! How a relay is set up: everything but the upstream and the key.

use std::path::PathBuf;
use std::time::Duration;

use crate::allow::Group;
use crate::ratelimit::Rate;

#[derive(Debug, Clone)]
pub struct Config {
    /// Origins allowed to call the relay from a browser (CORS), matched exactly. Empty:
    /// only pages the relay serves itself.
    pub allow_origins: Vec<String>,
    /// Whether the public institution reads are forwarded.
    pub public_institutions: bool,
    /// Whether the public merchant reads are forwarded.
    pub public_merchants: bool,
    /// Whether `POST /transactions/cleanse_and_categorize` is forwarded.
    pub cleanse: bool,
    /// Whether `POST /session` mints tokens for any name: sandbox mode only.
    pub open_sessions: bool,
    /// Sandbox mode: serve the embedded sandbox's logos at [`crate::SANDBOX_LOGOS`].
    pub sandbox_logos: bool,
    /// The lifetime of tokens minted by `POST /session`.
    pub session_ttl: Duration,
    /// Request bodies larger than this are refused with 413.
    pub body_limit: usize,
    /// Requests per token; `None` for no limit.
    pub rate: Option<Rate>,
    /// The demo page, served at `/`.
    pub www_dir: Option<PathBuf>,
    /// The wasm-pack output, served at `/pkg/`.
    pub pkg_dir: Option<PathBuf>,
    /// The secret Atrium's webhooks are signed with; `None`: no `POST /webhooks/atrium`, and
    /// no event streams (clients poll) unless Redis brings another instance's.
    pub webhook_secret: Option<String>,
    /// Event streams end after this long (the client resumes with `Last-Event-ID`), so that
    /// long-lived connections spread again over instances; `None`: they last.
    pub stream_max_age: Option<Duration>,
    /// Event streams one user may hold open at once (tabs, clients).
    pub max_streams_per_user: usize,
    /// A comment line this often on a quiet event stream, so that proxies keep it open.
    pub heartbeat: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allow_origins: Vec::new(),
            public_institutions: true,
            public_merchants: true,
            cleanse: true,
            open_sessions: false,
            sandbox_logos: false,
            session_ttl: Duration::from_secs(3600),
            body_limit: 64 * 1024,
            rate: Some(Rate {
                per_second: 10.0,
                burst: 60,
            }),
            www_dir: None,
            pkg_dir: None,
            webhook_secret: None,
            stream_max_age: None,
            max_streams_per_user: 8,
            heartbeat: Duration::from_secs(15),
        }
    }
}

impl Config {
    pub fn enabled(&self, group: Group) -> bool {
        match group {
            Group::PerUser => true,
            Group::Institutions => self.public_institutions,
            Group::Merchants => self.public_merchants,
            Group::Cleanse => self.cleanse,
        }
    }
}
