//! The OAuth window in the flow: PENDING is a step the end user takes, not an end. The flow
//! asks once for the window to be opened, watches the member, and hears the window's word
//! (its message, the redirect back, or its closing); a member still PENDING a few reads
//! after that ends the flow as `needs_user_action`, saying why.

use super::machine::{Flow, Phase};
use super::*;
use crate::oauth::OAuthReason;

impl Flow {
    /// The member is PENDING at the OAuth window.
    pub(super) fn pending(&mut self, out: &mut Vec<Command>) {
        if self.oauth.unhandled {
            return self.finish(Outcome::NeedsUserAction, out);
        }
        self.phase = Phase::OAuth;
        if !self.oauth.asked {
            self.oauth.asked = true;
            out.push(Command::OAuth);
        }
        if self.oauth.said.is_some() || self.oauth.closed {
            self.oauth.reads_after += 1;
            if self.oauth.reads_after > OAUTH_GRACE_READS {
                self.ending_error = Some(AtriumError::OAuth(self.oauth_reason()));
                return self.finish(Outcome::NeedsUserAction, out);
            }
            return self.wait(OAUTH_GRACE_POLL, Request::ReadStatus, out);
        }
        let delay = if self.pushed_end() {
            PUSH_POLL
        } else {
            OAUTH_POLL
        };
        self.wait(delay, Request::ReadStatus, out);
    }

    /// Signing in again: whether `status` is still no news, so the flow waits at the window
    /// (`pending`). Until the window speaks, whatever runs (a background aggregation too) is
    /// the member's past. After: the status it had is news only as a connection after a
    /// success; any other unchanged one gets the grace reads, then ends with the window's
    /// reason.
    pub(super) fn held(&mut self, status: &ConnectionStatus, aggregating: bool) -> bool {
        if !self.reauthorizing {
            return false;
        }
        let before = self.stale.get_or_insert_with(|| status.clone()).clone();
        if self.oauth.said.is_none() && !self.oauth.closed {
            return true;
        }
        let unchanged = !aggregating && *status == before;
        match self.oauth.said {
            Some(OAuthEnd::Success) => unchanged && status.outcome() != Outcome::Connected,
            _ => unchanged,
        }
    }

    /// Why a member stayed PENDING after the window's word: its own reason, `CLOSED`, or a
    /// success the bank never followed with a status (the server's error).
    fn oauth_reason(&self) -> OAuthReason {
        match &self.oauth.said {
            Some(OAuthEnd::Error(reason)) => reason.clone(),
            Some(OAuthEnd::Success) => OAuthReason::ServerError,
            None => OAuthReason::Closed,
        }
    }

    /// The window spoke (`Some`) or closed (`None`): read the member now.
    pub(super) fn oauth_said(&mut self, end: Option<OAuthEnd>, out: &mut Vec<Command>) {
        match end {
            // The first word counts: a window that posts and then closes was not "closed".
            Some(end) if self.oauth.said.is_none() => self.oauth.said = Some(end),
            Some(_) => {}
            None => self.oauth.closed = true,
        }
        if self.waiting && self.in_flight.is_none() {
            self.waiting = false;
            let next = self.after_wait.take().unwrap_or(Request::ReadStatus);
            self.send(next, out);
        }
    }

    pub(super) fn oauth_unhandled(&mut self, out: &mut Vec<Command>) {
        self.oauth.unhandled = true;
        if self.phase == Phase::OAuth {
            self.finish(Outcome::NeedsUserAction, out);
        }
    }
}
