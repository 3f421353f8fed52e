//! The library in real browsers, through a real relay and sandbox that `npm test` starts and
//! names in ATRIUM_TEST_RELAY at compile time.
#![cfg(target_arch = "wasm32")]

mod common;

use atrium_wasm::AtriumClient;
use common::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn read_user_returns_the_sessions_own_user() {
    let name = unique("ada");
    let s = session(&name).await;
    let user = resolve(client(&s.token, None).read_user(None)).await;
    assert_eq!(text(&user, "guid"), s.user_guid);
    assert_eq!(text(&user, "identifier"), name);
    assert_eq!(get(&user, "is_disabled").as_bool(), Some(false));
    assert!(
        get(&user, "metadata").is_null(),
        "absent fields are null, as in Atrium's JSON"
    );
    // The same name is the same user.
    assert_eq!(session(&name).await.user_guid, s.user_guid);
}

#[wasm_bindgen_test]
async fn list_institutions_finds_mx_bank_by_name() {
    let s = session(&unique("grace")).await;
    let options = object(&[("name", JsValue::from_str("mx"))]);
    let page = resolve(client(&s.token, None).list_institutions(Some(options), None)).await;
    let items: js_sys::Array = get(&page, "items").dyn_into().expect("items is an array");
    let names: Vec<String> = items.iter().map(|i| text(&i, "name")).collect();
    assert!(names.contains(&"MX Bank".to_string()), "{names:?}");
    assert!(
        names.iter().all(|n| n.to_lowercase().contains("mx")),
        "{names:?}"
    );
    let mxbank = items
        .iter()
        .find(|i| text(i, "code") == "mxbank")
        .expect("mxbank");
    assert_eq!(get(&mxbank, "supports_oauth").as_bool(), Some(false));
    let p = get(&page, "pagination");
    assert_eq!(num(&p, "total_entries") as usize, names.len());
    assert_eq!(num(&p, "current_page"), 1.0);
}

#[wasm_bindgen_test]
async fn list_institutions_pages_through_everything() {
    let s = session(&unique("paging")).await;
    let c = client(&s.token, None);
    let all = resolve(c.list_institutions(None, None)).await;
    let total = num(&get(&all, "pagination"), "total_entries") as usize;
    assert!(
        total >= 10,
        "vestibule offers about 15 institutions, got {total}"
    );
    let mut codes = Vec::new();
    let mut page = 1;
    loop {
        let opts = object(&[
            ("page", JsValue::from(page)),
            ("records_per_page", JsValue::from(4)),
        ]);
        let p = resolve(c.list_institutions(Some(opts), None)).await;
        let pagination = get(&p, "pagination");
        assert_eq!(num(&pagination, "per_page"), 4.0);
        assert_eq!(num(&pagination, "total_pages") as usize, total.div_ceil(4));
        let items: js_sys::Array = get(&p, "items").dyn_into().expect("array");
        codes.extend(items.iter().map(|i| text(&i, "code")));
        if page as f64 >= num(&pagination, "total_pages") {
            break;
        }
        page += 1;
    }
    let mut unique_codes = codes.clone();
    unique_codes.sort();
    unique_codes.dedup();
    assert_eq!(codes.len(), total);
    assert_eq!(
        unique_codes.len(),
        total,
        "no institution twice across pages"
    );
}

#[wasm_bindgen_test]
async fn another_users_guid_is_forbidden() {
    let alice = session(&unique("alice")).await;
    let bob = session(&unique("bob")).await;
    let err = reject(client(&alice.token, Some(&bob.user_guid)).read_user(None)).await;
    assert_atrium_error(&err, 403, "forbidden", false);
}

#[wasm_bindgen_test]
async fn a_bad_token_is_unauthorized() {
    let s = session(&unique("mallory")).await;
    let forged = format!("{}x", s.token);
    let err = reject(client(&forged, Some(&s.user_guid)).read_user(None)).await;
    assert_atrium_error(&err, 401, "unauthorized", false);
    let err = reject(client("not-a-token", None).list_institutions(None, None)).await;
    assert_atrium_error(&err, 401, "unauthorized", false);
}

#[wasm_bindgen_test]
async fn bad_options_are_refused_before_sending() {
    let err = AtriumClient::new(object(&[("relayURL", JsValue::from_str(relay()))]))
        .err()
        .expect("a misspelt option is refused");
    assert_atrium_error(&err, 0, "invalid_input", false);
    let err = AtriumClient::new(JsValue::from_str("http://x"))
        .err()
        .expect("not an object");
    assert_atrium_error(&err, 0, "invalid_input", false);
    let s = session(&unique("eve")).await;
    let err = reject(
        client(&s.token, None).list_institutions(Some(object(&[("page", JsValue::from(0))])), None),
    )
    .await;
    assert_atrium_error(&err, 0, "invalid_input", false);
    let err = reject(
        client(&s.token, None)
            .list_institutions(Some(object(&[("nmae", JsValue::from_str("mx"))])), None),
    )
    .await;
    assert_atrium_error(&err, 0, "invalid_input", false);
}

#[wasm_bindgen_test]
async fn an_unreachable_relay_is_a_retryable_network_error() {
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    let c = AtriumClient::new(object(&[
        ("relayUrl", JsValue::from_str("http://127.0.0.1:9")),
        ("token", JsValue::from_str("t")),
        ("userGuid", JsValue::from_str("USR-1")),
    ]))
    .expect("valid options");
    let err = reject(c.read_user(None)).await;
    assert_atrium_error(&err, 0, "network", true);
}
