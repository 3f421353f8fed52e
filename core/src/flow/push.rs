//! What a push from the relay's event stream means to a waiting flow: read now, tell the
//! caller, or keep waiting.

use super::machine::{Flow, Phase};
use super::*;

impl Flow {
    /// Whether pushes tell this flow when its run ends: the stream reports status changes
    /// and completed aggregations, not the end of a premium process (those keep polling,
    /// woken early by any push).
    pub(super) fn pushed_end(&self) -> bool {
        self.push && self.process == Process::Aggregate
    }

    fn last_is_step_of_run(&self) -> bool {
        self.last_status
            .as_ref()
            .is_none_or(ConnectionStatus::is_step_of_run)
    }

    pub(super) fn poll_delay(&mut self) -> u32 {
        if self.pushed_end() {
            PUSH_POLL
        } else {
            self.next_poll()
        }
    }

    /// A push while waiting: a read follows when the push says there is something to read
    /// (challenges, an end, a completed aggregation), so the caller learns of it within a
    /// round trip and every end is confirmed by a status read. Otherwise the wait goes on.
    pub(super) fn pushed(&mut self, push: Push, out: &mut Vec<Command>) {
        if !self.waiting {
            // The driver hands pushes over only during waits; one now changes nothing.
            return;
        }
        let read_now = match push {
            Push::Up => {
                self.push = true;
                false
            }
            Push::Down => {
                // Anything missed while the stream was down is read now.
                self.push = false;
                true
            }
            Push::Aggregated => true,
            Push::Now {
                connection_status,
                is_being_aggregated,
            } => self.pushed_status(&connection_status, Some(is_being_aggregated), out),
            Push::Status(s) => self.pushed_status(&s, None, out),
        };
        if read_now {
            self.waiting = false;
            let next = self.after_wait.take().unwrap_or(Request::ReadStatus);
            self.send(next, out);
        } else {
            let delay = match self.phase {
                Phase::Answering => ANSWER_POLL,
                Phase::Busy => BUSY_POLL,
                // A status no run passes through (PENDING, an end) gets no webhook: the
                // read due soon stays due soon, stream or not.
                Phase::Watching if !self.last_is_step_of_run() => FAST_POLLS[0],
                _ if self.pushed_end() => PUSH_POLL,
                Phase::OAuth => OAUTH_POLL,
                _ => FAST_POLLS[0],
            };
            out.push(Command::Wait(delay));
        }
    }

    /// What a pushed status means: whether it calls for a read now. Webhooks of one member
    /// arrive in order but may arrive late: after the flow has sent a write (an answer, new
    /// credentials), pushes are someone else's past until the push of the write's own status
    /// (RESUMED, UPDATED) arrives, and are set aside till then. A trusted push is told to the
    /// caller at once; a read follows only when there is something to read (challenges) or
    /// an end to confirm, or when a snapshot does not match what the write left.
    fn pushed_status(
        &mut self,
        status: &ConnectionStatus,
        aggregating: Option<bool>,
        out: &mut Vec<Command>,
    ) -> bool {
        if !matches!(self.phase, Phase::Watching | Phase::Answering) {
            return true;
        }
        if let Some(expected) = &self.fence {
            if status != expected {
                // A webhook from before the write: set aside. A snapshot (the stream opened
                // since) may be past the write's own push, which then never comes: a read
                // says where things stand.
                return aggregating.is_some();
            }
            self.fence = None;
        } else if self.echo.as_ref() == Some(status) {
            self.echo = None;
            return false;
        }
        if !self.pushed_end() {
            // A premium process's end is no status change: any news wakes a read.
            return true;
        }
        if *status == ConnectionStatus::Challenged {
            return self.phase != Phase::Answering;
        }
        self.observe(status, out);
        // Idle in a status that is no step of a run: an end to confirm. Steps of a run: the
        // `aggregated` push or the next change says when to look.
        if aggregating == Some(false) && !status.is_transient() {
            return true;
        }
        !status.is_step_of_run()
    }
}
