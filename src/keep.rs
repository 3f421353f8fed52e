//! What a flow keeps beyond its page: its snapshot under its `persistKey` in
//! `sessionStorage`, and the ledger of reported run ends in `localStorage` that the origin's
//! tabs and reloads share.

use std::cell::RefCell;

use js_sys::JSON;

use crate::convert::to_js;
use crate::flow_driver::Shared;
use crate::js::{storage_get, storage_set};
use atrium_core::flow::EndLedger;
use atrium_core::status::Outcome;

/// Writes the flow's snapshot under its `persistKey` when it changed.
pub(crate) fn persist(shared: &Shared) {
    let Some(key) = shared.persist.borrow().as_ref().map(|(k, _)| k.clone()) else {
        return;
    };
    let Ok(value) = to_js(&shared.snapshot()) else {
        return;
    };
    let Some(text) = JSON::stringify(&value).ok().and_then(|t| t.as_string()) else {
        return;
    };
    let mut persist = shared.persist.borrow_mut();
    if persist.as_ref().is_some_and(|(_, last)| *last == text) {
        return;
    }
    storage_set("sessionStorage", &key, Some(text.clone()));
    *persist = Some((key, text));
}

/// Where reported ends are kept: `localStorage`, shared by the origin's tabs and reloads.
const LEDGER_KEY: &str = "atrium-wasm:ended-runs";

thread_local! {
    /// The ledger of a page without `localStorage` (this page only, then).
    static LEDGER: RefCell<EndLedger> = RefCell::new(EndLedger::default());
}

/// Records `run_id`'s end; true when no page of this origin reported it before.
pub(crate) fn first_report(run_id: &str, outcome: Outcome) -> bool {
    match storage_get("localStorage", LEDGER_KEY) {
        Some(text) => {
            let mut ledger = EndLedger::parse(&text);
            let first = ledger.claim_end(run_id, outcome);
            storage_set("localStorage", LEDGER_KEY, Some(ledger.to_text()));
            first && LEDGER.with(|l| l.borrow_mut().claim_end(run_id, outcome))
        }
        None => {
            let first = LEDGER.with(|l| l.borrow_mut().claim_end(run_id, outcome));
            let text = LEDGER.with(|l| l.borrow().to_text());
            storage_set("localStorage", LEDGER_KEY, Some(text));
            first
        }
    }
}

/// Whether `run_id`'s end was reported by a page of this origin (or this page).
pub(crate) fn end_reported(run_id: &str) -> bool {
    let stored = storage_get("localStorage", LEDGER_KEY)
        .is_some_and(|text| EndLedger::parse(&text).reported(run_id));
    stored || LEDGER.with(|l| l.borrow().reported(run_id))
}
