//! A client's background status reads (`atrium_core::reads` decides): one per member at a
//! time, shared by the flows on it; at most two at once and paced, so that the page's own
//! requests keep their connections and their room under the relay's rate limit.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::AbortController;

use crate::client::Inner;
use crate::js::{deferred, race_abort, sleep, Deferred};
use crate::stream::now;
use crate::transport::Answer;
use atrium_core::error::AtriumError;
use atrium_core::ids::MemberGuid;
use atrium_core::reads::{Admit, Reads};
use atrium_core::request::ApiRequest;
use atrium_core::small_map::SmallMap;

/// One status read, shared by every flow that asked for it while it was in flight or queued.
struct SharedRead {
    settled: Deferred,
    result: RefCell<Option<Result<(JsValue, u16), AtriumError>>>,
}

#[derive(Default)]
pub(crate) struct StatusReads {
    gate: RefCell<Reads>,
    by_member: RefCell<SmallMap<String, Rc<SharedRead>>>,
    queued: RefCell<SmallMap<String, ApiRequest>>,
    /// A timer waits for the pace to let the next queued read go.
    pacing: Cell<bool>,
}

/// Reads a member's status for a flow: shared with the other flows on the member, and in
/// turn with the client's other members (`reads.rs`). `interrupt` stops this flow's wait
/// for it (a cancel, the deadline), not the read.
pub(crate) async fn status_read(
    inner: &Rc<Inner>,
    member: &MemberGuid,
    api: ApiRequest,
    interrupt: Option<&AbortController>,
) -> Result<(JsValue, u16), AtriumError> {
    let member = member.as_str();
    let reads = &inner.flows.reads;
    let admit = reads.gate.borrow_mut().ask(member, now());
    let existing = reads.by_member.borrow().get(member).cloned();
    let slot = match (admit, existing) {
        (Admit::Join, Some(slot)) => slot,
        (Admit::Join, None) => return answer(inner.call(&api, None).await),
        (admit, _) => {
            let slot = Rc::new(SharedRead {
                settled: deferred(),
                result: RefCell::new(None),
            });
            reads
                .by_member
                .borrow_mut()
                .insert(member.to_string(), slot.clone());
            if admit == Admit::Go {
                spawn_local(run_read(
                    inner.clone(),
                    member.to_string(),
                    api,
                    slot.clone(),
                ));
            } else {
                reads.queued.borrow_mut().insert(member.to_string(), api);
                pump(inner);
            }
            slot
        }
    };
    let signal = interrupt.map(AbortController::signal);
    JsFuture::from(race_abort(&slot.settled.promise(), signal.as_ref()))
        .await
        .map_err(|_| AtriumError::Aborted)?;
    let result = slot.result.borrow().clone();
    result.unwrap_or_else(|| {
        Err(AtriumError::decode(
            ".",
            "the status read ended without an answer",
        ))
    })
}

fn answer(result: Result<Answer, AtriumError>) -> Result<(JsValue, u16), AtriumError> {
    match result? {
        Answer::Json(v, status) => Ok((v, status)),
        _ => Err(AtriumError::decode(".", "expected a status")),
    }
}

/// Sends one shared read, hands its answer to every flow waiting, then starts the next
/// queued one. No flow's cancel aborts it: a cancelled flow just drops the answer.
async fn run_read(inner: Rc<Inner>, member: String, api: ApiRequest, slot: Rc<SharedRead>) {
    let result = answer(inner.call(&api, None).await);
    *slot.result.borrow_mut() = Some(result);
    let reads = &inner.flows.reads;
    reads.by_member.borrow_mut().remove(member.as_str());
    let _ = slot.settled.resolve().call0(&JsValue::NULL);
    let next = reads.gate.borrow_mut().finished(&member, now());
    if let Some(next) = next {
        start_queued(&inner, next);
    }
    pump(&inner);
}

/// Starts the queued read of `member`, whose turn `reads.rs` says it is.
fn start_queued(inner: &Rc<Inner>, member: String) {
    let reads = &inner.flows.reads;
    let api = reads.queued.borrow_mut().remove(member.as_str());
    let slot = reads.by_member.borrow().get(member.as_str()).cloned();
    if let (Some(api), Some(slot)) = (api, slot) {
        spawn_local(run_read(inner.clone(), member, api, slot));
    }
}

/// Starts the queued reads whose turn it is, and sets a timer for when the pace lets the
/// next one go.
fn pump(inner: &Rc<Inner>) {
    loop {
        let next = inner.flows.reads.gate.borrow_mut().next(now());
        match next {
            Some(member) => start_queued(inner, member),
            None => break,
        }
    }
    let reads = &inner.flows.reads;
    let wait = reads.gate.borrow_mut().wait_ms(now());
    if let (Some(ms), false) = (wait, reads.pacing.get()) {
        reads.pacing.set(true);
        let inner = inner.clone();
        spawn_local(async move {
            let _ = JsFuture::from(sleep(ms, None)).await;
            inner.flows.reads.pacing.set(false);
            pump(&inner);
        });
    }
}
