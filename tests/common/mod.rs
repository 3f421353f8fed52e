//! Helpers of the browser suites: the relay under test, sessions, JS values.
#![allow(dead_code)]

use atrium_wasm::AtriumClient;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn relay() -> &'static str {
    // Read at compile time: the test page cannot see the runner's environment.
    match option_env!("ATRIUM_TEST_RELAY") {
        Some(url) => url,
        None => panic!("ATRIUM_TEST_RELAY must name the relay under test (npm test sets it)"),
    }
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("an object")
}

pub fn text(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

pub fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("settable");
    }
    o.into()
}

pub struct Session {
    pub token: String,
    pub user_guid: String,
}

/// A unique end-user name per test, so that tests in one browser run do not share users.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

pub async fn session(name: &str) -> Session {
    session_at(relay(), name).await
}

/// A sandbox-mode session on the relay at `relay`.
pub async fn session_at(relay: &str, name: &str) -> Session {
    let response = gloo_net::http::Request::post(&format!("{relay}/session"))
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"name":"{name}"}}"#))
        .expect("a body")
        .send()
        .await
        .expect("the relay answers POST /session");
    assert_eq!(response.status(), 200, "POST /session");
    let body = JsFuture::from(web_sys::Response::from(response).json().expect("json"))
        .await
        .expect("a JSON body");
    Session {
        token: text(&body, "token"),
        user_guid: text(&body, "user_guid"),
    }
}

pub fn client(token: &str, user_guid: Option<&str>) -> AtriumClient {
    let mut pairs = vec![
        ("relayUrl", JsValue::from_str(relay())),
        ("token", JsValue::from_str(token)),
    ];
    if let Some(u) = user_guid {
        pairs.push(("userGuid", JsValue::from_str(u)));
    }
    AtriumClient::new(object(&pairs)).expect("valid options")
}

/// Resolves after `ms`.
pub async fn delay(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    JsFuture::from(p).await.expect("a timer fires");
}

pub async fn resolve(p: js_sys::Promise) -> JsValue {
    JsFuture::from(p).await.expect("the promise resolves")
}

pub async fn reject(p: js_sys::Promise) -> JsValue {
    JsFuture::from(p).await.expect_err("the promise rejects")
}

/// Checks that `err` is a real `Error` subclass named AtriumError with these fields.
pub fn assert_atrium_error<E: Clone + Into<JsValue>>(
    err: &E,
    status: u16,
    code: &str,
    retryable: bool,
) {
    let err: JsValue = err.clone().into();
    let err = &err;
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "an Error instance: {err:?}"
    );
    assert_eq!(text(err, "name"), "AtriumError");
    assert_eq!(num(err, "status") as u16, status, "status of {err:?}");
    assert_eq!(text(err, "code"), code, "code of {err:?}");
    assert_eq!(get(err, "retryable").as_bool(), Some(retryable));
    assert!(!text(err, "message").is_empty());
}

pub const USERNAME: &str = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1";
pub const PASSWORD: &str = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d";

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub fn array(items: Vec<JsValue>) -> JsValue {
    items.into_iter().collect::<Array>().into()
}

/// `{ guid, value }`: a credential value or an MFA answer.
pub fn answer(guid: &str, value: &str) -> JsValue {
    object(&[("guid", s(guid)), ("value", s(value))])
}

/// An MX Bank member logging in as `test_atrium` with `password`.
pub fn mxbank(password: &str) -> JsValue {
    object(&[
        ("institution_code", s("mxbank")),
        (
            "credentials",
            array(vec![
                answer(USERNAME, "test_atrium"),
                answer(PASSWORD, password),
            ]),
        ),
    ])
}

/// A new MX Bank member of `c` with this sandbox password; its GUID.
pub async fn new_member(c: &AtriumClient, password: &str) -> String {
    text(
        &resolve(c.create_member(mxbank(password), None)).await,
        "guid",
    )
}
