//! Flows for JavaScript: `client.connect(...)` and its kin return a `MemberFlow` at once,
//! whose events, answers, cancel and result reach the flow its driver runs (`flow_driver.rs`).

use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::AbortSignal;

use crate::client::AtriumClient;
use crate::convert::{from_js, get, guid_values, id, optional, signal_of, to_js};
use crate::flow_driver::{arm_deadline, drive, watch_signal, Shared};
use crate::keep::persist;
use crate::js::deferred;
use crate::rejection::Rejection;
use crate::stream::now;
use atrium_core::error::{AtriumError, Quoted};
use atrium_core::flow::{Flow, FlowOptions, Start};
use atrium_core::ids::{MemberGuid, UserGuid};
use atrium_core::options::{process_named, CreateMember, FlowInput, OAuthWindowOptions};
use atrium_core::request::Process;

/// A flow on one member, from `connect`, `aggregate`, `updateCredentials`, `reauthorize`,
/// `verify`, `identify` or `runProcess`. It holds the running flow weakly: an ended flow is freed.
#[wasm_bindgen]
pub struct MemberFlow {
    shared: Weak<Shared>,
    done: Promise,
    run_id: String,
}

fn ended() -> AtriumError {
    AtriumError::invalid("the flow has ended.")
}

/// Checks answers against the open challenges and hands them to the driver; the promise
/// settles when the answer is sent (or the flow ends first).
pub(crate) fn submit(shared: &Shared, answers: JsValue) -> Promise {
    let checked = guid_values(answers, "answers")
        .and_then(|a| shared.machine.borrow().check_answers(&a).map(|_| a));
    match checked {
        Err(e) => Promise::reject(&Rejection(e).into()),
        Ok(a) => {
            let d = deferred();
            let p = d.promise();
            *shared.answers.borrow_mut() = Some((a, d));
            if shared.waiting.get() {
                shared.interrupt();
            }
            p
        }
    }
}

const RUN_OPTIONS: [&str; 5] = ["onChallenge", "onStatus", "onOAuth", "signal", "timeoutMs"];
const EVENTS: [&str; 4] = ["status", "challenge", "oauth", "end"];

#[wasm_bindgen]
impl MemberFlow {
    /// `status` (each distinct status), `challenge` (the challenges to answer), `oauth` (send
    /// the end user to the OAuth window: `openOAuth()`), `end` (the result).
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowEvent")] event: String,
        #[wasm_bindgen(unchecked_param_type = "FlowHandler")] handler: Function,
    ) -> Result<(), Rejection> {
        if !EVENTS.contains(&event.as_str()) {
            return Err(AtriumError::invalid("event must be status, challenge, oauth or end.").into());
        }
        if let Some(shared) = self.shared.upgrade() {
            shared.handlers.borrow_mut().push((event, handler));
        }
        Ok(())
    }

    /// Answers the open challenges; each once, nothing else, or `invalid_input` and nothing is sent.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn answer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] answers: JsValue,
    ) -> Promise {
        match self.shared.upgrade() {
            Some(shared) => submit(&shared, answers),
            None => Promise::reject(&Rejection(ended()).into()),
        }
    }

    /// The flow run's id: the same in every resume of it (`client.endReported(runId)`).
    #[wasm_bindgen(getter, js_name = runId)]
    pub fn run_id(&self) -> String {
        self.run_id.clone()
    }

    /// The flow's state, to resume it after a reload (`client.resume(snapshot)`): small,
    /// versioned, JSON; no credential or answer in it. Null once the flow has ended.
    #[wasm_bindgen(unchecked_return_type = "FlowSnapshot | null")]
    pub fn snapshot(&self) -> Result<JsValue, Rejection> {
        match self.shared.upgrade() {
            Some(shared) => Ok(to_js(&shared.snapshot())?),
            None => Ok(JsValue::NULL),
        }
    }

    /// Sends the end user to the OAuth window: `win` (a window the app opened in its click
    /// handler, so that no popup blocker stops it) or a new popup; the flow hears its
    /// messages and notices its closing. The window, or null (no window yet, or refused).
    #[wasm_bindgen(js_name = openOAuth, unchecked_return_type = "Window | null")]
    pub fn open_oauth(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Window | null")] win: Option<JsValue>,
    ) -> JsValue {
        match self.shared.upgrade() {
            Some(shared) => crate::oauth_window::open(&shared, &win.unwrap_or(JsValue::NULL)),
            None => JsValue::NULL,
        }
    }

    /// Stops the flow at once: `done` resolves with outcome `cancelled`.
    pub fn cancel(&self) {
        if let Some(shared) = self.shared.upgrade() {
            shared.cancel();
        }
    }

    /// The result: `{ outcome, connection_status, member, successfully_aggregated_at,
    /// credentials, oauth_window_uri, error }`. It never rejects: whatever the API answers is
    /// an outcome.
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<FlowResult>")]
    pub fn done(&self) -> Promise {
        self.done.clone()
    }

    /// One await for the whole flow: `onChallenge(challenges)` returns the answers.
    #[wasm_bindgen(unchecked_return_type = "Promise<FlowResult>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowRunOptions")] options: Option<JsValue>,
    ) -> Promise {
        match self.take_run_options(options.unwrap_or(JsValue::UNDEFINED)) {
            Ok(()) => self.done.clone(),
            Err(e) => Promise::reject(&Rejection(e).into()),
        }
    }
}

impl MemberFlow {
    fn take_run_options(&self, options: JsValue) -> Result<(), AtriumError> {
        if options.is_object() {
            let keys = Object::keys(options.unchecked_ref::<Object>());
            if let Some(k) = keys
                .iter()
                .filter_map(|k| k.as_string())
                .find(|k| !RUN_OPTIONS.contains(&k.as_str()))
            {
                return Err(AtriumError::invalid(format!(
                    "run options: unknown option {}.", Quoted(&k)
                )));
            }
        }
        let signal = signal_of(&get(&options, "signal"))?;
        let Some(shared) = self.shared.upgrade() else {
            return Ok(());
        };
        if let Some(f) = get(&options, "onStatus").dyn_ref::<Function>() {
            shared
                .handlers
                .borrow_mut()
                .push(("status".into(), f.clone()));
        }
        if let Some(f) = get(&options, "onOAuth").dyn_ref::<Function>() {
            shared
                .handlers
                .borrow_mut()
                .push(("oauth".into(), f.clone()));
        }
        if let Some(f) = get(&options, "onChallenge").dyn_ref::<Function>() {
            *shared.on_challenge.borrow_mut() = Some(f.clone());
        }
        if let Some(signal) = &signal {
            watch_signal(&shared, signal);
        }
        if let Some(ms) = get(&options, "timeoutMs").as_f64() {
            let ms = ms.clamp(0.0, f64::from(u32::MAX)) as u64;
            shared.machine.borrow_mut().limit(now().saturating_add(ms));
            arm_deadline(&shared, ms);
        }
        Ok(())
    }
}

/// A flow's options as the face reads them: the core's, and what only JavaScript has.
pub(crate) struct Face {
    pub(crate) signal: Option<AbortSignal>,
    /// `persistKey`: keep the snapshot in `sessionStorage` under this key.
    pub(crate) persist_key: Option<String>,
}

pub(crate) fn flow_options(
    options: Option<JsValue>,
    allow_then: bool,
) -> Result<(FlowOptions, Face), AtriumError> {
    let options = options.filter(|o| !o.is_undefined() && !o.is_null());
    let Some(options) = options else {
        let face = Face {
            signal: None,
            persist_key: None,
        };
        return Ok((FlowInput::default().validate(allow_then)?, face));
    };
    let signal = signal_of(&get(&options, "signal"))?;
    let persist_key = match get(&options, "persistKey") {
        v if v.is_undefined() => None,
        v => match v.as_string().filter(|k| !k.is_empty()) {
            Some(k) => Some(k),
            None => return Err(AtriumError::invalid("persistKey must be a non-empty string.")),
        },
    };
    let input: FlowInput = from_js(options, "flow options", &["signal", "persistKey"])?;
    let face = Face {
        signal,
        persist_key,
    };
    Ok((input.validate(allow_then)?, face))
}

/// A random seed for a flow's jitter and run id.
pub(crate) fn seed() -> u64 {
    (js_sys::Math::random() * 9.0e15) as u64
}

impl AtriumClient {
    /// Runs `machine` on `member` (known, or to be created) and hands back its `MemberFlow`.
    pub(crate) fn launch(
        &self,
        machine: Flow,
        member: Option<MemberGuid>,
        face: Face,
        expected_user: Option<UserGuid>,
    ) -> MemberFlow {
        let timeout_ms = machine.timeout_ms();
        let run_id = machine.run_id().to_string();
        let shared = Rc::new(Shared::new(self.inner.flows.next_id(), machine, member));
        *shared.expected_user.borrow_mut() = expected_user;
        arm_deadline(&shared, timeout_ms);
        if let Some(s) = &face.signal {
            watch_signal(&shared, s);
        }
        if let Some(key) = face.persist_key {
            *shared.persist.borrow_mut() = Some((key, String::new()));
            persist(&shared);
        }
        let flow = MemberFlow {
            shared: Rc::downgrade(&shared),
            done: shared.done.promise(),
            run_id,
        };
        spawn_local(drive(self.inner.clone(), shared));
        flow
    }

    fn flow(
        &self,
        start: Result<Start, AtriumError>,
        member: Option<MemberGuid>,
        options: Option<JsValue>,
        allow_then: bool,
    ) -> Result<MemberFlow, Rejection> {
        let (options, face) = flow_options(options, allow_then)?;
        let machine = Flow::new(start?, options, seed());
        Ok(self.launch(machine, member, face, None))
    }

    fn member_flow(
        &self,
        member_guid: JsValue,
        start: Result<Start, AtriumError>,
        options: Option<JsValue>,
        allow_then: bool,
    ) -> Result<MemberFlow, Rejection> {
        let member = id(&member_guid, "member_guid")?;
        self.flow(start, Some(member), options, allow_then)
    }
}

#[wasm_bindgen]
impl AtriumClient {
    /// A new member and its first aggregation, to an end: `connect({ institution_code, credentials, ... }, { signal?, timeoutMs?, waitIfBusy? })`.
    pub fn connect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateMemberOptions")] member: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        let start = from_js::<CreateMember>(member, "connect", &[]).map(Start::Connect);
        self.flow(start, None, options, false)
    }

    /// A standard aggregation of an existing member (joined if one runs), then `then`'s processes.
    pub fn aggregate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions & { then?: ProcessName[] }")]
        options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        let start = Ok(Start::Process(Process::Aggregate));
        self.member_flow(member_guid, start, options, true)
    }

    /// New credentials, then the aggregation they start.
    #[wasm_bindgen(js_name = updateCredentials)]
    pub fn update_credentials(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] credentials: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        let start = guid_values(credentials, "credentials").map(Start::UpdateCredentials);
        self.member_flow(member_guid, start, options, false)
    }

    /// Signs an OAuth member in again at its bank's page (a sign-in refused or expired there):
    /// a fresh one-time window (`oauth` event, then `openOAuth()`), the member's old status
    /// held as no news until the window speaks, then the aggregation that follows.
    pub fn reauthorize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OAuthWindowOptions")] window: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions & { then?: ProcessName[] }")]
        options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        let start = optional::<OAuthWindowOptions>(window, "reauthorize window").map(Start::Reauthorize);
        // `then`: a premium process the sign-in was asked for runs once it connects.
        self.member_flow(member_guid, start, options, true)
    }

    /// Any aggregation-type process by name (`extend_history`, `fetch_statements`,
    /// `balance`, …), to an end.
    #[wasm_bindgen(js_name = runProcess)]
    pub fn run_process(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ProcessName")] process: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
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
            ) -> Result<MemberFlow, Rejection> {
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
