//! Runs a flow: performs the core machine's commands (requests, waits, what to tell the
//! caller) with fetch and timers, and turns its end into the result. No flow rules here.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, AbortSignal};

use crate::abort::{Listener, Timer};
use crate::client::Inner;
use crate::convert::get;
use crate::js::{pause, storage_set, Deferred};
use crate::keep::{first_report, persist};
use crate::oauth_window::{self, OAuthWatch};
use crate::rejection::Rejection;
use crate::stream::{self, now};
use crate::transport::Answer;
use atrium_core::error::AtriumError;
use atrium_core::flow::{
    Command, Finish, Flow, FlowSnapshot, MemberFacts, Observation, Request,
};
use atrium_core::hub::FlowId;
use atrium_core::ids::{MemberGuid, UserGuid};
use atrium_core::options::{GuidValue, Paging, UpdateMember};
use atrium_core::request::{self, ApiRequest};
use atrium_core::sse::Push;
use atrium_core::status::{ConnectionStatus, Outcome};

/// What a flow's caller and its driver share; the driver holds it while the flow runs, the
/// caller's `MemberFlow` only weakly, so an ended flow frees all of it.
pub(crate) struct Shared {
    /// The flow's number in its client's hub.
    pub(crate) id: FlowId,
    pub(crate) machine: RefCell<Flow>,
    pub(crate) handlers: RefCell<Vec<(String, Function)>>,
    /// `run()`'s `onChallenge`: asked for the answers of each round.
    pub(crate) on_challenge: RefCell<Option<Function>>,
    /// Checked answers waiting for the driver, and the promise `answer()` returned.
    pub(crate) answers: RefCell<Option<(Vec<GuidValue>, Deferred)>>,
    /// The answer whose resume is in flight.
    resuming: RefCell<Option<Deferred>>,
    pub(crate) cancelled: Cell<bool>,
    pub(crate) waiting: Cell<bool>,
    /// Interrupts the current wait (answers, cancel, a deadline) or request.
    interrupt: RefCell<Option<AbortController>>,
    pub(crate) done: Deferred,
    pub(crate) member_guid: RefCell<Option<MemberGuid>>,
    member: RefCell<JsValue>,
    status: RefCell<JsValue>,
    credentials: RefCell<JsValue>,
    /// The user's members, read when a create turned out a duplicate.
    members: RefCell<JsValue>,
    /// What the relay's event stream said, for the machine at its next wait.
    pub(crate) pushes: RefCell<VecDeque<Push>>,
    /// End the flow at its deadlines (its own, and `run`'s), even mid-request.
    deadlines: RefCell<Vec<Timer>>,
    /// The caller's abort signal's listener.
    pub(crate) signal: RefCell<Option<Listener>>,
    /// What the OAuth window said (its messages, its closing), for the machine's next wait.
    pub(crate) outside: RefCell<VecDeque<Observation>>,
    pub(crate) oauth_watch: RefCell<Option<OAuthWatch>>,
    /// The client's user, once known; a resumed snapshot's user must be it.
    pub(crate) user: RefCell<Option<UserGuid>>,
    pub(crate) expected_user: RefCell<Option<UserGuid>>,
    /// `persistKey`: the `sessionStorage` key the flow keeps its snapshot under, and the
    /// text last written there.
    pub(crate) persist: RefCell<Option<(String, String)>>,
}

impl Shared {
    pub(crate) fn new(id: FlowId, machine: Flow, member_guid: Option<MemberGuid>) -> Self {
        Shared {
            id,
            machine: RefCell::new(machine),
            handlers: RefCell::new(Vec::new()),
            on_challenge: RefCell::new(None),
            answers: RefCell::new(None),
            resuming: RefCell::new(None),
            cancelled: Cell::new(false),
            waiting: Cell::new(false),
            interrupt: RefCell::new(None),
            done: crate::js::deferred(),
            member_guid: RefCell::new(member_guid),
            member: RefCell::new(JsValue::NULL),
            status: RefCell::new(JsValue::NULL),
            credentials: RefCell::new(JsValue::NULL),
            members: RefCell::new(JsValue::NULL),
            pushes: RefCell::new(VecDeque::new()),
            deadlines: RefCell::new(Vec::new()),
            signal: RefCell::new(None),
            outside: RefCell::new(VecDeque::new()),
            oauth_watch: RefCell::new(None),
            user: RefCell::new(None),
            expected_user: RefCell::new(None),
            persist: RefCell::new(None),
        }
    }

    /// The flow's snapshot now.
    pub(crate) fn snapshot(&self) -> FlowSnapshot {
        let user = self.user.borrow().clone().or(self.expected_user.borrow().clone());
        self.machine
            .borrow()
            .snapshot(user.as_ref(), self.member_guid.borrow().as_ref())
    }

    pub(crate) fn has_handler(&self, event: &str) -> bool {
        self.handlers.borrow().iter().any(|(e, _)| e == event)
    }

    pub(crate) fn emit(&self, event: &str, value: &JsValue) {
        let handlers: Vec<Function> = self
            .handlers
            .borrow()
            .iter()
            .filter(|(e, _)| e == event)
            .map(|(_, f)| f.clone())
            .collect();
        for f in handlers {
            // A throwing handler must not stop the flow.
            let _ = f.call1(&JsValue::NULL, value);
        }
    }

    pub(crate) fn interrupt(&self) {
        if let Some(c) = self.interrupt.borrow().as_ref() {
            c.abort();
        }
    }

    pub(crate) fn cancel(&self) {
        self.cancelled.set(true);
        self.interrupt();
    }
}

/// Ends the flow after `ms` whatever it waits for: the timer wakes it, and the machine,
/// past its deadline, ends it as `timed_out`. The timer holds the flow weakly and is
/// cleared when the flow ends.
pub(crate) fn arm_deadline(shared: &Rc<Shared>, ms: u64) {
    let flow = Rc::downgrade(shared);
    let ms = ms.min(u64::from(u32::MAX)) as u32;
    let timer = Timer::new(ms, move || {
        if let Some(shared) = flow.upgrade() {
            shared.interrupt();
        }
    });
    shared.deadlines.borrow_mut().push(timer);
}

/// Cancels the flow when the caller's signal aborts; the listener goes with the flow.
pub(crate) fn watch_signal(shared: &Rc<Shared>, signal: &AbortSignal) {
    if signal.aborted() {
        shared.cancelled.set(true);
        return;
    }
    let flow: Weak<Shared> = Rc::downgrade(shared);
    let listener = Listener::new(signal, "abort", move || {
        if let Some(shared) = flow.upgrade() {
            shared.cancel();
        }
    });
    *shared.signal.borrow_mut() = Some(listener);
}

/// The API request of one of the machine's requests.
fn api_of(
    req: &Request,
    user: &UserGuid,
    member: Option<&MemberGuid>,
) -> Result<ApiRequest, AtriumError> {
    let no_member = || AtriumError::invalid("the flow has no member yet.");
    match req {
        Request::CreateMember(m) => return request::create_member(user, m.clone()),
        Request::ListMembers => return request::list_members(user, &Paging::default()),
        _ => {}
    }
    let member = member.ok_or_else(no_member)?;
    match req {
        Request::ReadStatus => request::read_member_status(user, member),
        Request::ReadMember => request::read_member(user, member),
        Request::Start(p) => request::start_process(user, member, *p),
        Request::UpdateCredentials(c) => request::update_member(
            user,
            member,
            UpdateMember {
                credentials: Some(c.clone()),
                ..Default::default()
            },
        ),
        Request::Resume(a) => request::resume_member(user, member, a.clone()),
        Request::ListCredentials => request::list_member_credentials(user, member),
        Request::OAuthWindow(o) => request::read_oauth_window_uri(user, member, o),
        Request::CreateMember(_) | Request::ListMembers => Err(no_member()),
    }
}

/// Performs one request of the machine's; what came back, as an observation.
async fn perform(
    inner: &Rc<Inner>,
    shared: &Shared,
    user: &UserGuid,
    req: &Request,
) -> Observation {
    let member = shared.member_guid.borrow().clone();
    let api = match api_of(req, user, member.as_ref()) {
        Ok(a) => a,
        Err(e) => return Observation::Failed(e),
    };
    let controller = AbortController::new().ok();
    *shared.interrupt.borrow_mut() = controller.clone();
    let result = match (req, &member) {
        (Request::ReadStatus, Some(m)) => {
            crate::status_reads::status_read(inner, m, api, controller.as_ref())
                .await
                .map(|(body, status)| Answer::Json(body, status))
        }
        _ => {
            let signal = controller.as_ref().map(AbortController::signal);
            inner.call(&api, signal.as_ref()).await
        }
    };
    *shared.interrupt.borrow_mut() = None;
    let settle = |outcome: Result<(), &AtriumError>| {
        if let Some(d) = shared.resuming.borrow_mut().take() {
            let _ = match outcome {
                Ok(()) => d.resolve().call0(&JsValue::NULL),
                Err(e) => d
                    .reject()
                    .call1(&JsValue::NULL, &Rejection(e.clone()).into()),
            };
        }
    };
    let (body, status) = match result {
        Err(_) if shared.cancelled.get() => return Observation::Cancel,
        Err(e) => {
            settle(Err(&e));
            return Observation::Failed(e);
        }
        Ok(Answer::Json(v, status)) => (v, status),
        Ok(_) => return Observation::Failed(AtriumError::decode(".", "expected a document")),
    };
    match observe(inner, shared, req, &body) {
        Ok(observation) => {
            settle(Ok(()));
            observation
        }
        Err(e) => Observation::Failed(e.with_status(status)),
    }
}

fn text(doc: &JsValue, key: &str) -> Option<String> {
    get(doc, key).as_string()
}

/// An answer's document as what the machine needs of it; the documents are kept for the result.
fn observe(
    inner: &Rc<Inner>,
    shared: &Shared,
    req: &Request,
    body: &JsValue,
) -> Result<Observation, AtriumError> {
    match req {
        Request::ListCredentials => {
            *shared.credentials.borrow_mut() = get(body, "credentials");
            Ok(Observation::Credentials)
        }
        Request::ListMembers => {
            let docs: Array = get(body, "members")
                .dyn_into()
                .map_err(|_| AtriumError::decode("members", "expected an array"))?;
            let facts = docs
                .iter()
                .filter_map(|m| {
                    Some(MemberFacts {
                        guid: MemberGuid::parse(&text(&m, "guid")?).ok()?,
                        institution_code: text(&m, "institution_code"),
                        identifier: text(&m, "identifier"),
                    })
                })
                .collect();
            *shared.members.borrow_mut() = docs.into();
            Ok(Observation::Members(facts))
        }
        Request::ReadStatus => Ok(status_observed(inner, shared, get(body, "member"))),
        _ => member_observed(inner, shared, get(body, "member")),
    }
}

fn status_observed(inner: &Inner, shared: &Shared, doc: JsValue) -> Observation {
    let challenges: Vec<String> = get(&doc, "challenges")
        .dyn_into::<Array>()
        .map(|a| a.iter().filter_map(|c| text(&c, "guid")).collect())
        .unwrap_or_default();
    let status = text(&doc, "connection_status").unwrap_or_default();
    let aggregating = get(&doc, "is_being_aggregated").as_bool().unwrap_or(false);
    if let Some(m) = shared.member_guid.borrow().as_ref() {
        stream::share_news(inner, shared.id, m.as_str(), &status, aggregating);
    }
    let observation = Observation::Status {
        connection_status: ConnectionStatus::parse(&status),
        is_being_aggregated: aggregating,
        challenges,
        successfully_aggregated_at: text(&doc, "successfully_aggregated_at"),
    };
    *shared.status.borrow_mut() = doc;
    observation
}

fn member_observed(
    inner: &Rc<Inner>,
    shared: &Shared,
    doc: JsValue,
) -> Result<Observation, AtriumError> {
    if shared.member_guid.borrow().is_none() {
        let guid = text(&doc, "guid").unwrap_or_default();
        let guid = MemberGuid::parse(&guid)
            .map_err(|_| AtriumError::decode("member.guid", "expected a member GUID"))?;
        know_member(inner, shared, guid);
    }
    let observation = Observation::Member {
        connection_status: ConnectionStatus::parse(
            &text(&doc, "connection_status").unwrap_or_default(),
        ),
        oauth_window_uri: text(&doc, "oauth_window_uri"),
    };
    *shared.member.borrow_mut() = doc;
    Ok(observation)
}

/// The flow's member from now on: its requests and its pushes are that member's.
fn know_member(inner: &Rc<Inner>, shared: &Shared, guid: MemberGuid) {
    stream::member_known(inner, shared.id, &guid);
    *shared.member_guid.borrow_mut() = Some(guid);
}

/// Waits `ms`, paused while the page is hidden; answers, a push, a cancel or a deadline end
/// it early.
async fn wait(shared: &Shared, ms: u32) -> Observation {
    if shared.answers.borrow().is_none() && !shared.cancelled.get() {
        if let Some(o) = shared.outside.borrow_mut().pop_front() {
            return o;
        }
        if let Some(push) = shared.pushes.borrow_mut().pop_front() {
            return Observation::Pushed(push);
        }
    }
    let controller = AbortController::new().ok();
    *shared.interrupt.borrow_mut() = controller.clone();
    let signal = controller.as_ref().map(AbortController::signal);
    shared.waiting.set(true);
    if shared.answers.borrow().is_none() && !shared.cancelled.get() {
        let _ = JsFuture::from(pause(ms, signal.as_ref())).await;
    }
    shared.waiting.set(false);
    *shared.interrupt.borrow_mut() = None;
    if shared.cancelled.get() {
        return Observation::Cancel;
    }
    if let Some(o) = shared.outside.borrow_mut().pop_front() {
        return o;
    }
    if let Some((answers, d)) = shared.answers.borrow_mut().take() {
        *shared.resuming.borrow_mut() = Some(d);
        return Observation::Answer(answers);
    }
    if let Some(push) = shared.pushes.borrow_mut().pop_front() {
        return Observation::Pushed(push);
    }
    Observation::Wake
}

/// Runs the flow to its end.
pub(crate) async fn drive(inner: Rc<Inner>, shared: Rc<Shared>) {
    let user = match inner.user_guid(None).await {
        Ok(u) => u,
        Err(e) => return finish_unstarted(&shared, Outcome::Failed, Some(e)),
    };
    if shared.cancelled.get() {
        return finish_unstarted(&shared, Outcome::Cancelled, None);
    }
    let expected = shared.expected_user.borrow().clone();
    if let Some(expected) = expected.filter(|e| *e != user) {
        let e = AtriumError::invalid(format!(
            "the snapshot is of {}'s flow, not of this client's user {}.",
            expected.as_str(),
            user.as_str()
        ));
        return finish_unstarted(&shared, Outcome::Failed, Some(e));
    }
    *shared.user.borrow_mut() = Some(user.clone());
    let member = shared.member_guid.borrow().clone();
    stream::subscribe(&inner, &shared, member.as_ref());
    let mut commands = shared.machine.borrow_mut().begin(now());
    loop {
        let mut next = None;
        for command in commands {
            match command {
                Command::Status(s) => shared.emit("status", &JsValue::from_str(s.as_str())),
                Command::Challenge => challenge(&shared),
                Command::OAuth if !oauth_asked(&inner, &shared) => {
                    // Nobody to open the window: the wait that follows is not waited.
                    next = Some(Observation::OAuthUnhandled);
                    break;
                }
                Command::OAuth => {}
                Command::Adopt(guid) => know_member(&inner, &shared, guid),
                Command::Finish(f) => {
                    stream::unsubscribe(&inner, shared.id);
                    return finish(&shared, f);
                }
                Command::Send(req) => next = Some(perform(&inner, &shared, &user, &req).await),
                Command::Wait(ms) => next = Some(wait(&shared, ms).await),
            }
        }
        let Some(mut observation) = next else { return };
        if shared.cancelled.get() {
            observation = Observation::Cancel;
        }
        commands = shared.machine.borrow_mut().step(observation, now());
        persist(&shared);
    }
}

/// Tells the `oauth` handlers where to send the end user, and hears the window from now on;
/// false when nobody handles the event (or there is no window to hear).
fn oauth_asked(inner: &Inner, shared: &Rc<Shared>) -> bool {
    if !shared.has_handler("oauth") {
        return false;
    }
    let uri = shared.machine.borrow().oauth_window_uri().map(str::to_string);
    let member = shared.member_guid.borrow().clone();
    let (Some(uri), Some(member)) = (uri, member) else {
        return false;
    };
    let origin = inner.config.oauth_origin.as_deref();
    if !oauth_window::listen(shared, origin, &uri, member.clone()) {
        return false;
    }
    shared.emit("oauth", &oauth_window::event(&uri, &member));
    true
}


/// Tells the caller the open challenges, and asks `run()`'s `onChallenge` for the answers.
fn challenge(shared: &Rc<Shared>) {
    let challenges = get(&shared.status.borrow(), "challenges");
    shared.emit("challenge", &challenges);
    let Some(on_challenge) = shared.on_challenge.borrow().clone() else {
        return;
    };
    let flow = Rc::downgrade(shared);
    spawn_local(async move {
        let reply = match on_challenge.call1(&JsValue::NULL, &challenges) {
            Ok(v) => match v.dyn_into::<Promise>() {
                Ok(p) => JsFuture::from(p).await.ok(),
                Err(v) => Some(v),
            },
            Err(_) => None,
        };
        let Some(shared) = flow.upgrade() else { return };
        match reply.map(|answers| crate::flows::submit(&shared, answers)) {
            Some(p) => {
                let _ = JsFuture::from(p).await;
            }
            None => shared.cancel(),
        }
    });
}

fn finish_unstarted(shared: &Shared, outcome: Outcome, error: Option<AtriumError>) {
    finish(
        shared,
        Finish {
            outcome,
            connection_status: None,
            error,
            existing_member: None,
            successfully_aggregated_at: None,
            oauth_window_uri: None,
        },
    );
}

fn or_null(value: JsValue, keep: bool) -> JsValue {
    if keep {
        value
    } else {
        JsValue::NULL
    }
}

/// The member a result shows: for a duplicate the one that exists, else the flow's own.
fn result_member(shared: &Shared, f: &Finish) -> JsValue {
    if f.outcome == Outcome::Duplicate {
        let docs = Array::from(&shared.members.borrow());
        let wanted = f.existing_member.as_ref().map(MemberGuid::as_str);
        let found = docs
            .iter()
            .find(|m| wanted.is_some() && text(m, "guid").as_deref() == wanted);
        return found.unwrap_or(JsValue::NULL);
    }
    let member = shared.member.borrow().clone();
    or_null(member.clone(), member.is_object())
}

/// The result: the machine's facts and the documents the driver kept; `end` and `done`.
fn finish(shared: &Shared, f: Finish) {
    shared.deadlines.borrow_mut().clear();
    shared.signal.borrow_mut().take();
    shared.oauth_watch.borrow_mut().take();
    if let Some((key, _)) = shared.persist.borrow_mut().take() {
        storage_set("sessionStorage", &key, None);
    }
    let result = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&result, &k.into(), &v);
    };
    let string = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    set("outcome", f.outcome.as_str().into());
    let status = f.connection_status.as_ref().map(|s| s.as_str().to_string());
    set("connection_status", string(&status));
    set("member", result_member(shared, &f));
    set(
        "successfully_aggregated_at",
        string(&f.successfully_aggregated_at),
    );
    let credentials = shared.credentials.borrow().clone();
    set(
        "credentials",
        or_null(credentials.clone(), Array::is_array(&credentials)),
    );
    set("oauth_window_uri", string(&f.oauth_window_uri));
    let run_id = shared.machine.borrow().run_id().to_string();
    set("first_report", first_report(&run_id, f.outcome).into());
    set("run_id", run_id.into());
    set(
        "error",
        f.error.map_or(JsValue::NULL, |e| Rejection(e).into()),
    );
    if let Some((_, d)) = shared.answers.borrow_mut().take() {
        let late = AtriumError::invalid("the flow ended before these answers were sent.");
        let _ = d.reject().call1(&JsValue::NULL, &Rejection(late).into());
    }
    shared.emit("end", &result);
    let _ = shared.done.resolve().call1(&JsValue::NULL, &result);
}
