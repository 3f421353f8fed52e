//! Nothing a call leaves behind: 10,000 `pages()` walks and 10,000 `run()`s of flows, and
//! the wasm memory stops growing (a closure forgotten per call, or a flow kept alive by its
//! handler, would grow it by megabytes).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// One `pages()` walk that ends at once (its first page is refused before anything is sent).
async fn walk(c: &atrium_wasm::AtriumClient) {
    let options = object(&[("from_date", s("yesterday"))]);
    let iterable = c
        .pages(s("listTransactions"), Some(options), None)
        .expect("an iterable");
    let next: Function = Reflect::get(&iterable, &s("next"))
        .expect("next")
        .unchecked_into();
    let step: js_sys::Promise = next.call0(&iterable).expect("a promise").unchecked_into();
    let refused = JsFuture::from(step).await.expect_err("invalid_input");
    assert_atrium_error(&refused, 0, "invalid_input", false);
}

/// One flow cancelled before it starts, with `run()`'s handlers: it ends at once.
async fn run_cancelled(c: &atrium_wasm::AtriumClient, handler: &JsValue) {
    let controller = web_sys::AbortController::new().expect("a controller");
    controller.abort();
    let options = object(&[("signal", controller.signal().into())]);
    let flow = c
        .connect(mxbank("password"), Some(options))
        .expect("a flow");
    let run = object(&[
        ("onChallenge", handler.clone()),
        ("onStatus", handler.clone()),
    ]);
    let result = resolve(flow.run(Some(run))).await;
    assert_eq!(text(&result, "outcome"), "cancelled");
}

#[wasm_bindgen_test]
async fn ten_thousand_walks_and_runs_leave_nothing_behind() {
    let c = client(
        "unused-token",
        Some("USR-00000000-0000-0000-0000-000000000000"),
    );
    let handler: JsValue = Function::new_no_args("return []").into();
    for _ in 0..2_000 {
        walk(&c).await;
        run_cancelled(&c, &handler).await;
    }
    let warm = memory_bytes();
    for _ in 0..10_000 {
        walk(&c).await;
        run_cancelled(&c, &handler).await;
    }
    let grown = memory_bytes() - warm;
    assert!(
        grown <= 65_536.0,
        "the wasm memory grew by {grown} bytes over 10,000 walks and runs"
    );
}
