//! A flow's OAuth window: hears the page's messages and the popup's closing and hands them to
//! the flow; the core decides which message counts (origin, member, kind).

use std::rc::{Rc, Weak};

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::abort::Watch;
use crate::flow_driver::Shared;
use crate::js::{open_window, watch_closed, watch_messages};
use atrium_core::flow::Observation;
use atrium_core::ids::MemberGuid;
use atrium_core::oauth::{origin_of, OAuthMessage};

type OnMessage = dyn FnMut(String, Option<String>, Option<String>, Option<String>);

/// What watches one flow's OAuth window; dropped with the flow (or when it ends).
pub(crate) struct OAuthWatch {
    _messages: Watch<OnMessage>,
    closed: Option<Watch<dyn FnMut()>>,
}

/// Hands `observation` to the flow and ends its wait.
fn tell(flow: &Weak<Shared>, observation: Observation) {
    if let Some(shared) = flow.upgrade() {
        shared.outside.borrow_mut().push_back(observation);
        if shared.waiting.get() {
            shared.interrupt();
        }
    }
}

/// The origin the window's messages must come from: the client's `oauthOrigin`, else the
/// window URI's own (MX's completion page is served where its window starts).
fn expected_origin(configured: Option<&str>, uri: &str) -> Option<String> {
    configured.map(str::to_string).or_else(|| origin_of(uri))
}

/// Starts hearing the window of `member`; false when there is nothing to hear it by.
pub(crate) fn listen(
    shared: &Rc<Shared>,
    configured_origin: Option<&str>,
    uri: &str,
    member: MemberGuid,
) -> bool {
    let Some(origin) = expected_origin(configured_origin, uri) else {
        return false;
    };
    let flow = Rc::downgrade(shared);
    let closure = Closure::<OnMessage>::new(move |from, kind, guid, reason| {
        let message = OAuthMessage {
            origin: from,
            kind,
            member_guid: guid,
            error_reason: reason,
        };
        if let Some(end) = message.read(&origin, &member) {
            tell(&flow, Observation::OAuth(end));
        }
    });
    let messages = Watch::new(closure, watch_messages);
    *shared.oauth_watch.borrow_mut() = Some(OAuthWatch {
        _messages: messages,
        closed: None,
    });
    true
}

/// Sends `win` (or a new popup) to the flow's window and watches it close; the window, or
/// null when there is no window to open or the browser refused.
pub(crate) fn open(shared: &Rc<Shared>, win: &JsValue) -> JsValue {
    let uri = shared.machine.borrow().oauth_window_uri().map(str::to_string);
    let Some(uri) = uri else {
        return JsValue::NULL;
    };
    let target = format!("atrium-oauth-{}", shared.machine.borrow().run_id());
    let popup = open_window(&uri, &target, win);
    if popup.is_null() || popup.is_undefined() {
        return JsValue::NULL;
    }
    let flow = Rc::downgrade(shared);
    let closure = Closure::<dyn FnMut()>::new(move || tell(&flow, Observation::OAuthClosed));
    let closed = Watch::new(closure, |f| watch_closed(&popup, f));
    if let Some(w) = shared.oauth_watch.borrow_mut().as_mut() {
        w.closed = Some(closed);
    }
    popup
}

/// The `oauth` event's value: where to send the end user, for which member.
pub(crate) fn event(uri: &str, member: &MemberGuid) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"oauth_window_uri".into(), &uri.into());
    let _ = Reflect::set(&o, &"member_guid".into(), &member.as_str().into());
    o.into()
}
