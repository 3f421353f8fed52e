//! Core errors to JavaScript and back: a `Rejection` becomes an `AtriumError` (an `Error`
//! subclass) carrying every fact, and an `AtriumError` that comes back (through a promise)
//! becomes the very core error it was. Conversions by `From`, never rebuilt from a message.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::js::make_atrium_error;
use atrium_core::error::{AtriumError, ErrorCode, Facts};

/// What a promise rejects with, or a call throws.
#[derive(Debug, Clone)]
pub struct Rejection(pub AtriumError);

impl From<AtriumError> for Rejection {
    fn from(e: AtriumError) -> Self {
        Rejection(e)
    }
}

impl From<Rejection> for JsValue {
    fn from(r: Rejection) -> JsValue {
        let f = r.0.facts();
        make_atrium_error(
            &f.message,
            f.status,
            f.code.as_str(),
            f.retryable,
            f.request_id,
            f.retry_after_ms,
            f.relay_code,
            f.path,
            f.timeout_ms,
            f.oauth_reason,
        )
    }
}

/// The core error an `AtriumError` from JavaScript carries; anything else thrown is
/// described as a network failure of the call that threw it.
pub fn from_js(value: &JsValue) -> AtriumError {
    let get = |k: &str| Reflect::get(value, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let Some(code) = get("code").as_string().and_then(|c| ErrorCode::parse(&c)) else {
        return AtriumError::Network(describe(value));
    };
    let number = |k: &str| get(k).as_f64().map(|n| n as u32);
    AtriumError::from_facts(Facts {
        message: get("message").as_string().unwrap_or_default(),
        status: number("status").unwrap_or(0) as u16,
        code,
        retryable: get("retryable").as_bool().unwrap_or(false),
        request_id: get("requestId").as_string(),
        retry_after_ms: number("retryAfterMs"),
        relay_code: get("relayCode").as_string(),
        path: get("path").as_string(),
        timeout_ms: number("timeoutMs"),
        oauth_reason: get("oauthReason").as_string(),
    })
}

/// A thrown JavaScript value in words.
pub(crate) fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "an unexpected value".into())
}
