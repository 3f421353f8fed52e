//! Which flow runs' ends were already reported, shared by a page's reloads and tabs (the face
//! keeps it in `localStorage`): so that an app exchanges a connection once, whatever pushes,
//! polls, resumes and tabs race.

use std::collections::VecDeque;

use crate::status::Outcome;

/// The most recent run ids kept; older ones fall off (a run ends within its timeout).
pub const LEDGER_SIZE: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndLedger {
    ids: VecDeque<String>,
}

impl EndLedger {
    /// Reads the stored text (ids separated by spaces); anything unreadable is an empty ledger.
    pub fn parse(text: &str) -> Self {
        let mut ids: VecDeque<String> = text
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        while ids.len() > LEDGER_SIZE {
            ids.pop_front();
        }
        EndLedger { ids }
    }

    pub fn to_text(&self) -> String {
        self.ids
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn reported(&self, run_id: &str) -> bool {
        self.ids.iter().any(|i| i == run_id)
    }

    /// Records the end of `run_id` with `outcome`; true when this is its first report. A
    /// `cancelled` end is this page giving up, not the run ending: it is not recorded, so a
    /// tab that resumes the run still reports its real end first.
    pub fn claim_end(&mut self, run_id: &str, outcome: Outcome) -> bool {
        if outcome == Outcome::Cancelled {
            return !self.reported(run_id);
        }
        self.claim(run_id)
    }

    /// Records `run_id`'s end; true when this is its first report.
    pub fn claim(&mut self, run_id: &str) -> bool {
        if self.reported(run_id) {
            return false;
        }
        self.ids.push_back(run_id.to_string());
        if self.ids.len() > LEDGER_SIZE {
            self.ids.pop_front();
        }
        true
    }
}
