//! Errors in JavaScript: every core error becomes an `AtriumError` (a real `Error` subclass)
//! with all its facts, and comes back from JavaScript as the very error it was; refusals of
//! the relay carry its own code.
#![cfg(target_arch = "wasm32")]

mod common;

use atrium_wasm::error::samples;
use atrium_wasm::{error_from_js, Rejection};
use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_error_goes_to_javascript_and_back_unchanged() {
    for e in samples() {
        let js: JsValue = Rejection(e.clone()).into();
        assert!(js.is_instance_of::<js_sys::Error>(), "{e:?}");
        assert_eq!(text(&js, "name"), "AtriumError");
        assert_eq!(text(&js, "message"), e.to_string());
        assert_eq!(num(&js, "status") as u16, e.status());
        assert_eq!(text(&js, "code"), e.code().as_str());
        assert_eq!(get(&js, "retryable").as_bool(), Some(e.retryable()));
        assert_eq!(
            get(&js, "requestId").as_string(),
            e.request_id().map(str::to_string)
        );
        assert_eq!(
            get(&js, "retryAfterMs").as_f64().map(|n| n as u32),
            e.retry_after_ms()
        );
        assert_eq!(
            get(&js, "relayCode").as_string(),
            e.facts().relay_code,
            "{e:?}"
        );
        assert_eq!(get(&js, "path").as_string(), e.facts().path);
        assert_eq!(error_from_js(&js), e, "unchanged after the trip");
    }
}

#[wasm_bindgen_test]
async fn the_relays_own_refusals_carry_its_code() {
    let c = client("not-a-token", Some("USR-1"));
    let err = JsFuture::from(c.read_user(None))
        .await
        .expect_err("refused");
    assert_atrium_error(&err, 401, "unauthorized", false);
    assert_eq!(text(&err, "relayCode"), "token_malformed");
    assert!(get(&err, "requestId").is_string());
    // Atrium's own refusal (the relay forwarded it) has no relay code.
    let sess = session(&unique("errors")).await;
    let c = client(&sess.token, None);
    let missing =
        JsFuture::from(c.read_member(s("MBR-00000000-0000-0000-0000-000000000000"), None))
            .await
            .expect_err("not found");
    assert_atrium_error(&missing, 404, "not_found", false);
    assert!(get(&missing, "relayCode").is_null());
}
