//! What the face imports from its JavaScript (`src/js/`): timers, abort plumbing, the
//! `AtriumError` class, and loops that are cheaper on the JavaScript side of the boundary.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/js/atrium_error.js")]
extern "C" {
    /// An `AtriumError` (an `Error` subclass) with every fact of a core error.
    #[wasm_bindgen(js_name = makeAtriumError)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn make_atrium_error(
        message: &str,
        status: u16,
        code: &str,
        retryable: bool,
        request_id: Option<String>,
        retry_after_ms: Option<u32>,
        relay_code: Option<String>,
        path: Option<String>,
        timeout_ms: Option<u32>,
        oauth_reason: Option<String>,
    ) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    /// One request of the API read to its end; resolves to an `Exchanged`.
    pub(crate) fn exchange(
        url: &str,
        method: &str,
        accept: &str,
        token: &str,
        body: Option<&str>,
        signal: &AbortSignal,
        bytes: bool,
    ) -> Promise;
    /// What `exchange` resolved to: the status, two headers, and the body read.
    pub(crate) type Exchanged;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn status(this: &Exchanged) -> u16;
    #[wasm_bindgen(method, getter = requestId)]
    pub(crate) fn request_id(this: &Exchanged) -> Option<String>;
    #[wasm_bindgen(method, getter = retryAfter)]
    pub(crate) fn retry_after(this: &Exchanged) -> Option<String>;
    /// The parsed JSON, the bytes asked for, or `undefined`.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn body(this: &Exchanged) -> JsValue;
    /// Why a body was not JSON.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn bad(this: &Exchanged) -> Option<String>;
    /// Resolves after `ms`, or rejects at once when `signal` aborts.
    pub(crate) fn sleep(ms: u32, signal: Option<&AbortSignal>) -> Promise;
    /// A flow's wait: `ms`, then until the page is visible; ends early when `signal` aborts.
    pub(crate) fn pause(ms: u32, signal: Option<&AbortSignal>) -> Promise;
    pub(crate) fn normalize(items: &Array, fields: &Array) -> i32;
    /// An async iterable over a `PageIterator`, freeing it when done, broken off or failed.
    #[wasm_bindgen(js_name = asyncIterable)]
    pub(crate) fn async_iterable(iterator: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = withPage)]
    pub(crate) fn with_page(options: &JsValue, page: u32) -> JsValue;
    #[wasm_bindgen(js_name = openStream)]
    pub(crate) fn open_stream(
        url: &str,
        token: &str,
        last_id: Option<String>,
        signal: &AbortSignal,
    ) -> Promise;
    /// `promise`'s outcome, or a rejection as soon as `signal` aborts.
    #[wasm_bindgen(js_name = raceAbort)]
    pub(crate) fn race_abort(promise: &Promise, signal: Option<&AbortSignal>) -> Promise;
    #[wasm_bindgen(js_name = setTimer)]
    pub(crate) fn set_timer(callback: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimer)]
    pub(crate) fn clear_timer(id: &JsValue);

    /// Calls `on_message(origin, type, member_guid, error_reason)` for each message event;
    /// returns the function that stops it.
    #[wasm_bindgen(js_name = watchMessages)]
    pub(crate) fn watch_messages(on_message: &Function) -> Function;
    /// Calls `on_closed` once `popup` is closed; returns the function that stops watching.
    #[wasm_bindgen(js_name = watchClosed)]
    pub(crate) fn watch_closed(popup: &JsValue, on_closed: &Function) -> Function;
    #[wasm_bindgen(js_name = openWindow)]
    pub(crate) fn open_window(uri: &str, target: &str, win: &JsValue) -> JsValue;
    /// `sessionStorage` or `localStorage` (`kind`), `None` when missing or refused.
    #[wasm_bindgen(js_name = storageGet)]
    pub(crate) fn storage_get(kind: &str, key: &str) -> Option<String>;
    /// `None` removes the key; false when storage refused.
    #[wasm_bindgen(js_name = storageSet)]
    pub(crate) fn storage_set(kind: &str, key: &str, value: Option<String>) -> bool;

    pub(crate) type Deferred;
    pub(crate) fn deferred() -> Deferred;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn promise(this: &Deferred) -> Promise;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn resolve(this: &Deferred) -> Function;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn reject(this: &Deferred) -> Function;
}
