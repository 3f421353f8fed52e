//! The JavaScript face of flows: `MemberFlow` performs the core flow machine's commands with
//! fetch and timers, and hands its events and result to the caller. No flow rules here.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, AbortSignal};

use crate::error::{AtriumError, ErrorCode};
use crate::flow::{Command, Finish, Flow, Observation, Request, Start};
use crate::hub::FlowId;
use crate::options::{check_guid, process_named, CreateMember, FlowInput, GuidValue, UpdateMember};
use crate::request::{self, Process};
use crate::sse::Push;
use crate::wasm::{
    call_signal, decode_error, deferred, from_js, sleep, to_js_error, when_visible, Answer,
    AtriumClient, Deferred, Inner,
};
use crate::wasm_hub;

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// What a flow's caller and its driver share.
pub(crate) struct Shared {
    /// The flow's number in its client's hub.
    pub(crate) id: FlowId,
    machine: RefCell<Flow>,
    handlers: RefCell<Vec<(String, Function)>>,
    /// Checked answers waiting for the driver, and the promise `answer()` returned.
    answers: RefCell<Option<(Vec<GuidValue>, Deferred)>>,
    /// The answer whose resume is in flight.
    resuming: RefCell<Option<Deferred>>,
    cancelled: Cell<bool>,
    timed_out: Cell<bool>,
    pub(crate) waiting: Cell<bool>,
    /// Interrupts the current wait (answers, cancel) or request (cancel).
    interrupt: RefCell<Option<AbortController>>,
    done: Deferred,
    member_guid: RefCell<Option<String>>,
    member: RefCell<JsValue>,
    status: RefCell<JsValue>,
    credentials: RefCell<JsValue>,
    /// What the relay's event stream said, for the machine at its next wait.
    pub(crate) pushes: RefCell<VecDeque<Push>>,
    /// End the flow at its deadlines (its own, and `run`'s), even in the middle of a request.
    deadlines: RefCell<Vec<AbortController>>,
}

impl Shared {
    fn emit(&self, event: &str, value: &JsValue) {
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

    fn finish(&self, f: Finish) {
        for timer in self.deadlines.borrow_mut().drain(..) {
            timer.abort();
        }
        let result = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&result, &k.into(), v);
        };
        set("outcome", &f.outcome.as_str().into());
        set(
            "connection_status",
            &f.connection_status
                .as_deref()
                .map(JsValue::from_str)
                .unwrap_or(JsValue::NULL),
        );
        let member = self.member.borrow().clone();
        set(
            "member",
            &if member.is_object() {
                member.clone()
            } else {
                JsValue::NULL
            },
        );
        let status = self.status.borrow().clone();
        let success = get(&status, "successfully_aggregated_at");
        set(
            "successfully_aggregated_at",
            &if success.is_string() {
                success
            } else {
                JsValue::NULL
            },
        );
        let credentials = self.credentials.borrow().clone();
        set(
            "credentials",
            &if Array::is_array(&credentials) {
                credentials
            } else {
                JsValue::NULL
            },
        );
        let uri = get(&member, "oauth_window_uri");
        set(
            "oauth_window_uri",
            &if uri.is_string() { uri } else { JsValue::NULL },
        );
        set(
            "error",
            &f.error.as_ref().map(to_js_error).unwrap_or(JsValue::NULL),
        );
        if let Some((_, d)) = self.answers.borrow_mut().take() {
            let _ = d.reject().call1(
                &JsValue::NULL,
                &to_js_error(&AtriumError::invalid(
                    "the flow ended before these answers were sent.",
                )),
            );
        }
        self.emit("end", &result);
        match f.error {
            // A different process running is the caller's to decide (or waitIfBusy).
            Some(e) if e.code() == ErrorCode::Conflict => {
                let _ = self.done.reject().call1(&JsValue::NULL, &to_js_error(&e));
            }
            _ => {
                let _ = self.done.resolve().call1(&JsValue::NULL, &result);
            }
        }
    }
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A flow on one member, from `connect`, `aggregate`, `updateCredentials`, `verify`,
/// `identify` or `runProcess`.
#[wasm_bindgen]
pub struct MemberFlow {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl MemberFlow {
    /// `status` (each distinct status), `challenge` (the challenges to answer), `end` (the result).
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowEvent")] event: String,
        #[wasm_bindgen(unchecked_param_type = "FlowHandler")] handler: Function,
    ) -> Result<(), JsValue> {
        if !matches!(event.as_str(), "status" | "challenge" | "end") {
            return Err(to_js_error(&AtriumError::invalid(
                "event must be status, challenge or end.",
            )));
        }
        self.shared.handlers.borrow_mut().push((event, handler));
        Ok(())
    }

    /// Answers the open challenges; each once, nothing else, or `invalid_input` and nothing is sent.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn answer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] answers: JsValue,
    ) -> Promise {
        let parsed = answers
            .clone()
            .dyn_into::<Array>()
            .map_err(|_| AtriumError::invalid("answers must be an array of { guid, value }."))
            .and_then(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, a)| from_js::<GuidValue>(a, &format!("answers[{i}]"), &[]))
                    .collect::<Result<Vec<_>, _>>()
            });
        let checked =
            parsed.and_then(|a| self.shared.machine.borrow().check_answers(&a).map(|_| a));
        match checked {
            Err(e) => Promise::reject(&to_js_error(&e)),
            Ok(a) => {
                let d = deferred();
                let p = d.promise();
                *self.shared.answers.borrow_mut() = Some((a, d));
                if self.shared.waiting.get() {
                    self.shared.interrupt();
                }
                p
            }
        }
    }

    /// Stops the flow at once: `done` resolves with outcome `cancelled`.
    pub fn cancel(&self) {
        self.shared.cancelled.set(true);
        self.shared.interrupt();
    }

    /// The result: `{ outcome, connection_status, member, successfully_aggregated_at,
    /// credentials, oauth_window_uri, error }`; rejects only with a `conflict`.
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<FlowResult>")]
    pub fn done(&self) -> Promise {
        self.shared.done.promise()
    }

    /// One await for the whole flow: `onChallenge(challenges)` returns the answers.
    #[wasm_bindgen(unchecked_return_type = "Promise<FlowResult>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowRunOptions")] options: Option<JsValue>,
    ) -> Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let pick = |k: &str| {
            if options.is_object() {
                get(&options, k)
            } else {
                JsValue::UNDEFINED
            }
        };
        if options.is_object() {
            let keys: Vec<String> = Object::keys(options.unchecked_ref::<Object>())
                .iter()
                .filter_map(|k| k.as_string())
                .collect();
            if let Some(k) = keys.iter().find(|k| {
                !matches!(
                    k.as_str(),
                    "onChallenge" | "onStatus" | "signal" | "timeoutMs"
                )
            }) {
                return Promise::reject(&to_js_error(&AtriumError::invalid(format!(
                    "run options: unknown option {k:?}."
                ))));
            }
        }
        if let Some(f) = pick("onStatus").dyn_ref::<Function>() {
            self.shared
                .handlers
                .borrow_mut()
                .push(("status".into(), f.clone()));
        }
        if let Some(on_challenge) = pick("onChallenge").dyn_ref::<Function>().cloned() {
            let shared = self.shared.clone();
            let handler = Closure::<dyn FnMut(JsValue)>::new(move |challenges: JsValue| {
                let (shared, on_challenge) = (shared.clone(), on_challenge.clone());
                spawn_local(async move {
                    let flow = MemberFlow {
                        shared: shared.clone(),
                    };
                    let reply = match on_challenge.call1(&JsValue::NULL, &challenges) {
                        Ok(v) => match v.dyn_into::<Promise>() {
                            Ok(p) => JsFuture::from(p).await.ok(),
                            Err(v) => Some(v),
                        },
                        Err(_) => None,
                    };
                    match reply {
                        Some(answers) => {
                            let _ = JsFuture::from(flow.answer(answers)).await;
                        }
                        None => flow.cancel(),
                    }
                });
            });
            self.shared.handlers.borrow_mut().push((
                "challenge".into(),
                handler.as_ref().unchecked_ref::<Function>().clone(),
            ));
            handler.forget();
        }
        if let Some(signal) = pick("signal").dyn_ref::<AbortSignal>() {
            watch_signal(&self.shared, signal);
        }
        if let Some(ms) = pick("timeoutMs").as_f64() {
            arm_deadline(&self.shared, ms.clamp(0.0, f64::from(u32::MAX)) as u64);
        }
        self.shared.done.promise()
    }
}

/// Ends the flow as timed out after `ms`, whatever it is waiting for then. The timer holds
/// the flow weakly and is stopped when the flow ends.
fn arm_deadline(shared: &Rc<Shared>, ms: u64) {
    let Ok(controller) = AbortController::new() else {
        return;
    };
    let signal = controller.signal();
    shared.deadlines.borrow_mut().push(controller);
    let flow = Rc::downgrade(shared);
    let ms = ms.min(u64::from(u32::MAX)) as u32;
    spawn_local(async move {
        if JsFuture::from(sleep(ms, Some(&signal))).await.is_err() {
            return;
        }
        if let Some(shared) = flow.upgrade() {
            shared.timed_out.set(true);
            shared.interrupt();
        }
    });
}

/// Cancels the flow when the caller's signal aborts.
fn watch_signal(shared: &Rc<Shared>, signal: &AbortSignal) {
    if signal.aborted() {
        shared.cancelled.set(true);
        return;
    }
    let shared = shared.clone();
    let on_abort = Closure::once_into_js(move || {
        shared.cancelled.set(true);
        shared.interrupt();
    });
    let _ = signal.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
}

/// Performs one request of the machine's.
async fn perform(inner: &Rc<Inner>, shared: &Shared, user: &str, req: &Request) -> Observation {
    let member = shared.member_guid.borrow().clone().unwrap_or_default();
    let api = match req {
        Request::CreateMember(m) => request::create_member(user, m.clone()),
        Request::ReadStatus => request::read_member_status(user, &member),
        Request::Start(p) => request::start_process(user, &member, *p),
        Request::UpdateCredentials(c) => request::update_member(
            user,
            &member,
            UpdateMember {
                credentials: Some(c.clone()),
                ..Default::default()
            },
        ),
        Request::Resume(a) => request::resume_member(user, &member, a.clone()),
        Request::ListCredentials => request::list_member_credentials(user, &member),
    };
    let api = match api {
        Ok(a) => a,
        Err(e) => return Observation::Failed(e),
    };
    let controller = AbortController::new().ok();
    *shared.interrupt.borrow_mut() = controller.clone();
    let result = if *req == Request::ReadStatus {
        wasm_hub::status_read(inner, &member, api, controller.as_ref())
            .await
            .map(Answer::Json)
    } else {
        let signal = controller.as_ref().map(AbortController::signal);
        inner.call(&api, signal.as_ref()).await
    };
    *shared.interrupt.borrow_mut() = None;
    let settle = |ok: bool, value: &JsValue| {
        if let Some(d) = shared.resuming.borrow_mut().take() {
            let f = if ok { d.resolve() } else { d.reject() };
            let _ = f.call1(&JsValue::NULL, value);
        }
    };
    let body = match result {
        Err(_) if shared.cancelled.get() => return Observation::Cancel,
        // The deadline interrupted it: the machine ends the flow as timed out.
        Err(_) if shared.timed_out.get() => return Observation::Wake,
        Err(e) => {
            settle(false, &to_js_error(&e));
            return Observation::Failed(e);
        }
        Ok(Answer::Json(v)) => v,
        Ok(_) => return Observation::Failed(decode_error(".", "expected a document")),
    };
    match req {
        Request::ListCredentials => {
            *shared.credentials.borrow_mut() = get(&body, "credentials");
            Observation::Credentials
        }
        Request::ReadStatus => {
            let doc = get(&body, "member");
            let challenges: Vec<String> = get(&doc, "challenges")
                .dyn_into::<Array>()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| get(&c, "guid").as_string())
                        .collect()
                })
                .unwrap_or_default();
            let connection_status = get(&doc, "connection_status")
                .as_string()
                .unwrap_or_default();
            let is_being_aggregated = get(&doc, "is_being_aggregated").as_bool().unwrap_or(false);
            wasm_hub::share_news(
                inner,
                shared.id,
                &member,
                &connection_status,
                is_being_aggregated,
            );
            let obs = Observation::Status {
                connection_status,
                is_being_aggregated,
                challenges,
            };
            *shared.status.borrow_mut() = doc;
            obs
        }
        _ => {
            let doc = get(&body, "member");
            let guid = get(&doc, "guid").as_string().unwrap_or_default();
            if !guid.is_empty() && shared.member_guid.borrow().is_none() {
                *shared.member_guid.borrow_mut() = Some(guid.clone());
                wasm_hub::member_known(inner, shared.id, &guid);
            }
            settle(true, &JsValue::UNDEFINED);
            let obs = Observation::Member {
                connection_status: get(&doc, "connection_status")
                    .as_string()
                    .unwrap_or_default(),
            };
            *shared.member.borrow_mut() = doc;
            obs
        }
    }
}

/// Waits `ms`, paused while the page is hidden; answers or a cancel end it early.
async fn wait(shared: &Shared, ms: u32) -> Observation {
    if shared.answers.borrow().is_none() && !shared.cancelled.get() {
        if let Some(push) = shared.pushes.borrow_mut().pop_front() {
            return Observation::Pushed(push);
        }
    }
    let controller = AbortController::new().ok();
    *shared.interrupt.borrow_mut() = controller.clone();
    let signal = controller.as_ref().map(AbortController::signal);
    shared.waiting.set(true);
    if shared.answers.borrow().is_none() && !shared.cancelled.get() {
        let _ = JsFuture::from(sleep(ms, signal.as_ref())).await;
        if !signal.as_ref().is_some_and(AbortSignal::aborted) {
            let _ = JsFuture::from(when_visible(signal.as_ref())).await;
        }
    }
    shared.waiting.set(false);
    *shared.interrupt.borrow_mut() = None;
    if shared.cancelled.get() {
        return Observation::Cancel;
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

async fn drive(inner: Rc<Inner>, shared: Rc<Shared>) {
    let user = match inner.user_guid(None).await {
        Ok(u) => u,
        Err(e) => {
            let f = Finish {
                outcome: crate::status::Outcome::Failed,
                connection_status: None,
                error: Some(e),
            };
            return shared.finish(f);
        }
    };
    let member = shared.member_guid.borrow().clone();
    wasm_hub::subscribe(&inner, &shared, member.as_deref());
    let mut commands = shared.machine.borrow_mut().begin(now());
    loop {
        let mut next = None;
        for command in commands {
            match command {
                Command::Status(s) => shared.emit("status", &JsValue::from_str(&s)),
                Command::Challenge => {
                    let challenges = get(&shared.status.borrow(), "challenges");
                    shared.emit("challenge", &challenges);
                }
                Command::Finish(f) => {
                    wasm_hub::unsubscribe(&inner, shared.id);
                    return shared.finish(f);
                }
                Command::Send(req) => next = Some(perform(&inner, &shared, &user, &req).await),
                Command::Wait(ms) => next = Some(wait(&shared, ms).await),
            }
        }
        let Some(mut observation) = next else { return };
        if shared.cancelled.get() {
            observation = Observation::Cancel;
        }
        // The caller's `timeoutMs` of `run()`: as if the clock had passed the deadline.
        let at = if shared.timed_out.get() {
            u64::MAX / 4
        } else {
            now()
        };
        if shared.timed_out.get() && matches!(observation, Observation::Failed(_)) {
            observation = Observation::Wake;
        }
        commands = shared.machine.borrow_mut().step(observation, at);
    }
}

fn flow_options(
    options: &Option<JsValue>,
    allow_then: bool,
) -> Result<(crate::flow::FlowOptions, Option<AbortSignal>), AtriumError> {
    let options = options
        .clone()
        .filter(|o| !o.is_undefined() && !o.is_null());
    let signal = match &options {
        Some(o) if o.is_object() => {
            let s = get(o, "signal");
            let holder = Object::new();
            let _ = Reflect::set(&holder, &"signal".into(), &s);
            call_signal(Some(holder.into()))?
        }
        _ => None,
    };
    let input: FlowInput = match options {
        Some(o) => from_js(o, "flow options", &["signal"])?,
        None => FlowInput::default(),
    };
    Ok((input.validate(allow_then)?, signal))
}

impl AtriumClient {
    fn flow(
        &self,
        start: Result<Start, AtriumError>,
        member_guid: Option<String>,
        options: Option<JsValue>,
        allow_then: bool,
    ) -> Result<MemberFlow, JsValue> {
        let (options, signal) = flow_options(&options, allow_then).map_err(|e| to_js_error(&e))?;
        let start = start.map_err(|e| to_js_error(&e))?;
        let seed = (js_sys::Math::random() * 9.0e15) as u64;
        let timeout_ms = options.timeout_ms;
        let shared = Rc::new(Shared {
            id: self.inner.flows.next_id(),
            machine: RefCell::new(Flow::new(start, options, seed)),
            handlers: RefCell::new(Vec::new()),
            answers: RefCell::new(None),
            resuming: RefCell::new(None),
            cancelled: Cell::new(false),
            timed_out: Cell::new(false),
            waiting: Cell::new(false),
            interrupt: RefCell::new(None),
            done: deferred(),
            member_guid: RefCell::new(member_guid),
            member: RefCell::new(JsValue::NULL),
            status: RefCell::new(JsValue::NULL),
            credentials: RefCell::new(JsValue::NULL),
            pushes: RefCell::new(VecDeque::new()),
            deadlines: RefCell::new(Vec::new()),
        });
        arm_deadline(&shared, timeout_ms);
        if let Some(s) = &signal {
            watch_signal(&shared, s);
        }
        spawn_local(drive(self.inner.clone(), shared.clone()));
        Ok(MemberFlow { shared })
    }

    fn member_flow(
        &self,
        member_guid: JsValue,
        start: Result<Start, AtriumError>,
        options: Option<JsValue>,
        allow_then: bool,
    ) -> Result<MemberFlow, JsValue> {
        let guid = member_guid
            .as_string()
            .ok_or_else(|| AtriumError::invalid("member_guid must be a string."))
            .and_then(|g| check_guid(&g, "MBR", "member_guid").map(|_| g))
            .map_err(|e| to_js_error(&e))?;
        self.flow(start, Some(guid), options, allow_then)
    }
}

#[wasm_bindgen]
impl AtriumClient {
    /// A new member and its first aggregation, to an end: `connect({ institution_code, credentials, ... }, { signal?, timeoutMs?, waitIfBusy? })`.
    pub fn connect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateMemberOptions")] member: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, JsValue> {
        let start = from_js::<CreateMember>(member, "connect", &[]).map(Start::Connect);
        self.flow(start, None, options, false)
    }

    /// A standard aggregation of an existing member (joined if one runs), then `then`'s processes.
    pub fn aggregate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions & { then?: ProcessName[] }")]
        options: Option<JsValue>,
    ) -> Result<MemberFlow, JsValue> {
        self.member_flow(
            member_guid,
            Ok(Start::Process(Process::Aggregate)),
            options,
            true,
        )
    }

    /// New credentials, then the aggregation they start.
    #[wasm_bindgen(js_name = updateCredentials)]
    pub fn update_credentials(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] credentials: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, JsValue> {
        let start = credentials
            .dyn_into::<Array>()
            .map_err(|_| AtriumError::invalid("credentials must be an array of { guid, value }."))
            .and_then(|l| {
                l.iter()
                    .enumerate()
                    .map(|(i, c)| from_js::<GuidValue>(c, &format!("credentials[{i}]"), &[]))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map(Start::UpdateCredentials);
        self.member_flow(member_guid, start, options, false)
    }

    /// Any aggregation-type process by name (`extend_history`, `fetch_statements`,
    /// `balance`, …), to an end.
    #[wasm_bindgen(js_name = runProcess)]
    pub fn run_process(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ProcessName")] process: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, JsValue> {
        let start = process
            .as_string()
            .ok_or_else(|| AtriumError::invalid("process must be a string."))
            .and_then(|p| process_named(&p, "process"))
            .map(Start::Process);
        self.member_flow(member_guid, start, options, false)
    }
}

/// A flow method for one aggregation-type process.
macro_rules! process_flow {
    ($(#[$doc:meta])* $name:ident, $js:literal, $process:expr) => {
        #[wasm_bindgen]
        impl AtriumClient {
            $(#[$doc])*
            #[wasm_bindgen(js_name = $js)]
            pub fn $name(
                &self,
                #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
            ) -> Result<MemberFlow, JsValue> {
                self.member_flow(member_guid, Ok(Start::Process($process)), options, false)
            }
        }
    };
}

process_flow!(
    /// Account verification, to an end.
    verify, "verify", Process::Verify
);
process_flow!(
    /// Account-owner identification, to an end.
    identify, "identify", Process::Identify
);
process_flow!(
    /// Extended history (up to 24 months), to an end.
    extend_history, "extendHistory", Process::ExtendHistory
);
process_flow!(
    /// Statement fetching, to an end.
    fetch_statements, "fetchStatements", Process::FetchStatements
);
process_flow!(
    /// A balance check, to an end.
    check_balances, "checkBalances", Process::Balance
);
