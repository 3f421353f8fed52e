//! One request's way through the relay, decided here and performed by the face: each
//! attempt bounded by the client's timeout, a provided token asked again once after a 401,
//! retries with backoff (`retry.rs`) never sooner than `Retry-After`, the `Accept` type
//! Atrium versions its API by.

use crate::error::AtriumError;
use crate::options::RetryOptions;
use crate::request::ApiRequest;
use crate::retry;

/// Atrium's versioned media types (§1.2): JSON, or a statement's PDF.
pub const ACCEPT_JSON: &str = "application/vnd.mx.atrium.v1+json";
pub const ACCEPT_PDF: &str = "application/vnd.mx.atrium.v1+pdf";

impl ApiRequest {
    /// The `Accept` header of this request.
    pub fn accept(&self) -> &'static str {
        if self.pdf {
            ACCEPT_PDF
        } else {
            ACCEPT_JSON
        }
    }
}

/// What to do after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send again at once, with the token asked afresh.
    Refresh,
    /// Wait this long, then send again.
    Wait(u32),
    /// Give the error to the caller.
    GiveUp,
}

/// The policy of one request: how many attempts, when to refresh the token, how long to wait.
#[derive(Debug)]
pub struct Transport {
    idempotent: bool,
    /// A token function can be asked again; a fixed token cannot.
    can_refresh: bool,
    refreshed: bool,
    retry: RetryOptions,
    /// Attempts that counted against `retry.retries` (a refresh does not).
    attempts: u32,
}

impl Transport {
    pub fn new(request: &ApiRequest, can_refresh: bool, retry: RetryOptions) -> Self {
        Transport {
            idempotent: request.idempotent(),
            can_refresh,
            refreshed: false,
            retry,
            attempts: 1,
        }
    }

    /// An attempt failed with `error`; `unit` is a random number in `[0, 1)` for the jitter.
    pub fn failed(&mut self, error: &AtriumError, unit: f64) -> Next {
        if error.status() == 401 && self.can_refresh && !self.refreshed {
            // The token may have expired: ask for a new one, once, and send again. A relay
            // token that is refused twice is refused.
            self.refreshed = true;
            return Next::Refresh;
        }
        if retry::should_retry(self.idempotent, error, self.attempts, &self.retry) {
            let wait = retry::delay_ms(self.attempts, &self.retry, unit, error.retry_after_ms());
            self.attempts += 1;
            return Next::Wait(wait);
        }
        Next::GiveUp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request;

    fn read() -> ApiRequest {
        request::read_session()
    }

    fn http(status: u16) -> AtriumError {
        AtriumError::from_status(status)
    }

    #[test]
    fn a_read_is_retried_with_backoff_then_given_up() {
        let mut t = Transport::new(&read(), false, RetryOptions::default());
        assert_eq!(t.failed(&http(503), 0.999), Next::Wait(249));
        assert_eq!(
            t.failed(&AtriumError::Network("x".into()), 0.999),
            Next::Wait(499)
        );
        assert_eq!(
            t.failed(&http(503), 0.5),
            Next::GiveUp,
            "two retries by default"
        );
        let mut t = Transport::new(&read(), false, RetryOptions::default());
        assert_eq!(t.failed(&http(404), 0.5), Next::GiveUp, "not transient");
    }

    #[test]
    fn retry_after_is_honoured() {
        let mut t = Transport::new(&read(), false, RetryOptions::default());
        let mut limited = http(429);
        if let AtriumError::Http { retry_after_ms, .. } = &mut limited {
            *retry_after_ms = Some(7000);
        }
        assert_eq!(t.failed(&limited, 0.1), Next::Wait(7000));
    }

    #[test]
    fn a_provided_token_is_refreshed_once_after_a_401() {
        let mut t = Transport::new(&read(), true, RetryOptions::default());
        assert_eq!(t.failed(&http(401), 0.5), Next::Refresh);
        assert_eq!(t.failed(&http(401), 0.5), Next::GiveUp, "only once");
        let mut fixed = Transport::new(&read(), false, RetryOptions::default());
        assert_eq!(fixed.failed(&http(401), 0.5), Next::GiveUp, "a fixed token");
        // The refresh does not use up a retry.
        let mut t = Transport::new(&read(), true, RetryOptions::default());
        t.failed(&http(401), 0.5);
        assert!(matches!(t.failed(&http(503), 0.5), Next::Wait(_)));
        assert!(matches!(t.failed(&http(503), 0.5), Next::Wait(_)));
        assert_eq!(t.failed(&http(503), 0.5), Next::GiveUp);
    }

    #[test]
    fn writes_are_sent_again_only_when_refused_untaken() {
        let user = "USR-1".into();
        let write = request::start_process(&user, &"MBR-1".into(), request::Process::Verify)
            .expect("a request");
        let mut t = Transport::new(&write, false, RetryOptions::default());
        assert_eq!(t.failed(&http(503), 0.5), Next::GiveUp);
        let mut t = Transport::new(&write, false, RetryOptions::default());
        assert!(matches!(t.failed(&http(429), 0.5), Next::Wait(_)));
        assert_eq!(write.accept(), ACCEPT_JSON);
    }

    #[test]
    fn atriums_version_is_asked_for_in_accept() {
        let user = "USR-1".into();
        let (m, st) = ("MBR-1".into(), "STA-1".into());
        let json = request::read_statement(&user, &m, &st, false).expect("a request");
        let pdf = request::read_statement(&user, &m, &st, true).expect("a request");
        assert_eq!(json.accept(), "application/vnd.mx.atrium.v1+json");
        assert_eq!(pdf.accept(), "application/vnd.mx.atrium.v1+pdf");
        assert!(pdf.path.ends_with(".pdf"));
    }
}
