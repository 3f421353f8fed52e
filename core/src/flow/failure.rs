//! What a failed request means to a flow: ride it out until the deadline, read the status
//! instead of sending a write again, send a create whose outcome is unknown once more, or
//! end with the outcome the failure is (a duplicate member, a busy one), never with a
//! rejection for something the API answered.

use super::machine::{Flow, Phase};
use super::*;
use crate::error::ErrorCode;

impl Flow {
    pub(super) fn failed(
        &mut self,
        request: Option<Request>,
        error: AtriumError,
        out: &mut Vec<Command>,
    ) {
        if let Phase::Ending(outcome) = self.phase {
            // What the result would have shown could not be read: it ends without it.
            return self.finish(outcome, out);
        }
        match (&request, error.code()) {
            (Some(Request::Start(_)), ErrorCode::Conflict) if self.options.wait_if_busy => {
                self.phase = Phase::Busy;
                self.wait(BUSY_POLL, Request::ReadStatus, out);
            }
            (Some(Request::Start(_)), ErrorCode::Conflict) => {
                self.end_with(Outcome::Busy, Some(error), out)
            }
            (Some(Request::CreateMember(_)), ErrorCode::Conflict) => {
                self.end_with(Outcome::Duplicate, Some(error), out)
            }
            // A blink of the network or a slow answer is ridden out for as long as the flow
            // may run: only its deadline (or request cap) ends it, as `timed_out`.
            _ if error.retryable() => self.retry(request, error, out),
            _ => self.fail(error, out),
        }
    }

    fn retry(&mut self, request: Option<Request>, error: AtriumError, out: &mut Vec<Command>) {
        self.errors = self.errors.saturating_add(1);
        // A write that may or may not have happened is not sent again: the status says. One
        // refused untaken (429) is sent again as it was.
        let again = match request {
            Some(Request::ReadStatus) | None => Request::ReadStatus,
            Some(
                read @ (Request::ListCredentials
                | Request::ReadMember
                | Request::ListMembers
                | Request::OAuthWindow(_)),
            ) => read,
            Some(write) if crate::retry::not_taken(&error) => write,
            Some(Request::CreateMember(asked)) if !self.member_known => {
                // The relay or the network broke before the answer: whether the member was
                // made is unknown. With credentials, Atrium refuses a second member like it
                // (409), so sending it once more is safe, and its 409 then finds the first
                // one. Without (OAuth), a second one could be made: the flow fails instead.
                if self.create_resent || asked.credentials.is_none() {
                    return self.fail(error, out);
                }
                self.create_resent = true;
                Request::CreateMember(asked)
            }
            Some(_) => Request::ReadStatus,
        };
        let backoff = self
            .jitter(POLL_CAP)
            .max(error.retry_after_ms().unwrap_or(0));
        self.wait(backoff, again, out);
    }

    fn fail(&mut self, error: AtriumError, out: &mut Vec<Command>) {
        self.ending_error = Some(error);
        self.finish(Outcome::Failed, out);
    }

    /// The user's members, read to find the one a create duplicated: the only one with the
    /// identifier asked for, or else the only one at the institution. After a create sent
    /// again, that one is the first create's, and the flow goes on with it.
    pub(super) fn members(&mut self, members: Vec<MemberFacts>, out: &mut Vec<Command>) {
        self.in_flight = None;
        let Start::Connect(asked) = &self.start else {
            return self.finish(Outcome::Duplicate, out);
        };
        let matching: Vec<&MemberFacts> = members
            .iter()
            .filter(|m| match &asked.identifier {
                Some(id) => m.identifier.as_ref() == Some(id),
                None => m.institution_code.as_deref() == Some(asked.institution_code.as_str()),
            })
            .collect();
        let found = match matching[..] {
            [one] => Some(one.guid.clone()),
            _ => None,
        };
        match found {
            Some(guid) if self.create_resent => self.adopt(guid, out),
            found => self.finish_with(Outcome::Duplicate, found, out),
        }
    }

    /// Goes on with `guid` as the flow's member: its document read, as after a create.
    fn adopt(&mut self, guid: MemberGuid, out: &mut Vec<Command>) {
        self.phase = Phase::Watching;
        self.ending_error = None;
        out.push(Command::Adopt(guid));
        self.send(Request::ReadMember, out);
    }
}
