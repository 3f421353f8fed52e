//! The face of a client's flow hub (`atrium_core::hub` decides): opens and reads the one
//! event stream of the client's user, performs the hub's waits, and hands pushes to flows.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::AbortController;

use crate::client::Inner;
use crate::convert::get;
use crate::flow_driver::Shared;
use crate::js::{open_stream, sleep};
use crate::status_reads::StatusReads;
use atrium_core::hub::{FlowHub, FlowId, HubCommand};
use atrium_core::ids::MemberGuid;
use atrium_core::request;
use atrium_core::small_map::SmallMap;
use atrium_core::sse::{Push, SseEvent, SseParser};

/// What a client keeps for its flows together.
#[derive(Default)]
pub(crate) struct Flows {
    hub: RefCell<FlowHub>,
    by_id: RefCell<SmallMap<FlowId, Weak<Shared>>>,
    next_id: Cell<FlowId>,
    /// Ends the open stream, or the wait before the next one.
    stream: RefCell<Option<AbortController>>,
    /// The flows' status reads, shared and bounded.
    pub(crate) reads: StatusReads,
}

pub(crate) fn now() -> u64 {
    js_sys::Date::now() as u64
}

impl Flows {
    /// A number for a new flow.
    pub(crate) fn next_id(&self) -> FlowId {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        id
    }
}

/// A flow joins the hub (its member's GUID may come later, by `member_known`).
pub(crate) fn subscribe(inner: &Rc<Inner>, shared: &Rc<Shared>, member: Option<&MemberGuid>) {
    let flows = &inner.flows;
    flows
        .by_id
        .borrow_mut()
        .insert(shared.id, Rc::downgrade(shared));
    let cmds = flows
        .hub
        .borrow_mut()
        .subscribe(shared.id, member.map(MemberGuid::as_str));
    perform(inner, cmds);
}

pub(crate) fn member_known(inner: &Rc<Inner>, flow: FlowId, member: &MemberGuid) {
    let cmds = inner
        .flows
        .hub
        .borrow_mut()
        .member_known(flow, member.as_str());
    perform(inner, cmds);
}

/// A flow ended: after the last, the stream closes.
pub(crate) fn unsubscribe(inner: &Rc<Inner>, flow: FlowId) {
    inner.flows.by_id.borrow_mut().remove(&flow);
    let cmds = inner.flows.hub.borrow_mut().unsubscribe(flow);
    perform(inner, cmds);
}

/// After a status read: the other flows on the member that should read now.
pub(crate) fn share_news(inner: &Inner, reader: FlowId, member: &str, status: &str, busy: bool) {
    let wake = inner
        .flows
        .hub
        .borrow_mut()
        .read_news(reader, member, status, busy);
    for flow in wake {
        if let Some(other) = shared_of(inner, flow) {
            if other.waiting.get() {
                other.interrupt();
            }
        }
    }
}

fn shared_of(inner: &Inner, flow: FlowId) -> Option<Rc<Shared>> {
    inner
        .flows
        .by_id
        .borrow()
        .get(&flow)
        .and_then(Weak::upgrade)
}

/// Replaces the stream (or wait) in progress by a new one, ending the old.
fn take_over(inner: &Inner) -> Option<AbortController> {
    let controller = AbortController::new().ok()?;
    if let Some(old) = inner.flows.stream.replace(Some(controller.clone())) {
        old.abort();
    }
    Some(controller)
}

fn perform(inner: &Rc<Inner>, cmds: Vec<HubCommand>) {
    for cmd in cmds {
        match cmd {
            HubCommand::Open {
                generation,
                last_id,
                fresh_token,
            } => {
                if let Some(c) = take_over(inner) {
                    spawn_local(listen(inner.clone(), generation, last_id, fresh_token, c));
                }
            }
            HubCommand::Close => {
                if let Some(c) = inner.flows.stream.take() {
                    c.abort();
                }
            }
            HubCommand::Wait { generation, ms } => {
                if let Some(c) = take_over(inner) {
                    let inner = inner.clone();
                    spawn_local(async move {
                        let slept = JsFuture::from(sleep(ms, Some(&c.signal()))).await;
                        if slept.is_ok() {
                            let cmds = inner.flows.hub.borrow_mut().retry(generation);
                            perform(&inner, cmds);
                        }
                    });
                }
            }
            HubCommand::Deliver(flow, push) => {
                if let Some(shared) = shared_of(inner, flow) {
                    shared.pushes.borrow_mut().push_back(push);
                    if shared.waiting.get() {
                        shared.interrupt();
                    }
                }
            }
        }
    }
}

/// The HTTP status of opening the stream (0 when it could not be asked), and its reader.
async fn open(
    inner: &Inner,
    last_id: Option<String>,
    fresh_token: bool,
    controller: &AbortController,
) -> (u16, JsValue) {
    let Ok(user) = inner.user_guid(None).await else {
        return (0, JsValue::NULL);
    };
    let Ok(token) = inner.token(fresh_token).await else {
        return (0, JsValue::NULL);
    };
    let Ok(api) = request::user_events(&user) else {
        return (0, JsValue::NULL);
    };
    let url = api.url(inner.relay_url());
    match JsFuture::from(open_stream(&url, &token, last_id, &controller.signal())).await {
        Ok(handle) => (
            get(&handle, "status").as_f64().unwrap_or(0.0) as u16,
            get(&handle, "next"),
        ),
        Err(_) => (0, JsValue::NULL),
    }
}

/// Opens the stream and reports to the hub what happens to it, until it ends or is closed.
async fn listen(
    inner: Rc<Inner>,
    generation: u64,
    last_id: Option<String>,
    fresh_token: bool,
    controller: AbortController,
) {
    let (status, next) = open(&inner, last_id, fresh_token, &controller).await;
    let closed = || controller.signal().aborted();
    if closed() {
        return;
    }
    let cmds = inner
        .flows
        .hub
        .borrow_mut()
        .opened(generation, status, now());
    perform(&inner, cmds);
    let Ok(next) = next.dyn_into::<Function>() else {
        return;
    };
    if status != 200 {
        return;
    }
    let mut parser = SseParser::default();
    while let Some(chunk) = next_chunk(&next).await {
        for event in parser.feed(&chunk) {
            if let Some((member, push)) = push_of(&event) {
                let id = event.id.as_deref();
                let cmds = inner
                    .flows
                    .hub
                    .borrow_mut()
                    .event(generation, id, &member, push);
                perform(&inner, cmds);
            }
        }
    }
    if !closed() {
        let cmds = inner.flows.hub.borrow_mut().ended(generation, now());
        perform(&inner, cmds);
    }
}

async fn next_chunk(next: &Function) -> Option<String> {
    let promise = next
        .call0(&JsValue::NULL)
        .ok()?
        .dyn_into::<Promise>()
        .ok()?;
    JsFuture::from(promise).await.ok()?.as_string()
}

/// The member an event is about, and what it says (the browser's JSON parser reads it).
fn push_of(event: &SseEvent) -> Option<(String, Push)> {
    let data = js_sys::JSON::parse(&event.data).ok()?;
    let member = get(&data, "member_guid").as_string()?;
    let status = get(&data, "connection_status").as_string();
    let current = (get(&data, "current").as_bool() == Some(true))
        .then(|| get(&data, "is_being_aggregated").as_bool().unwrap_or(false));
    Some((member, Push::of(&event.event, status, current)?))
}
