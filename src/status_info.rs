//! `statusInfo(status)`: what a connection status means, as the core reads it, so that a
//! page never restates the guide's groups (the demo's badges and words ask here).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use atrium_core::status::ConnectionStatus;

/// `{ status, known, group, transient, progress, outcome }` of a connection status.
#[wasm_bindgen(js_name = statusInfo, unchecked_return_type = "StatusInfo")]
pub fn status_info(
    #[wasm_bindgen(unchecked_param_type = "ConnectionStatus")] status: &str,
) -> JsValue {
    let s = ConnectionStatus::parse(status);
    let info = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&info, &k.into(), &v);
    };
    set("status", s.as_str().into());
    set("known", (!matches!(s, ConnectionStatus::Other(_))).into());
    set("group", s.group().as_str().into());
    set("transient", s.is_transient().into());
    set("progress", s.progress().as_str().into());
    set("outcome", s.outcome().as_str().into());
    info.into()
}
