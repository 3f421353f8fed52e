//! Every method of `AtriumClient` in real browsers, through the relay and sandbox `npm test`
//! starts, with the sandbox's transitions at once and the faults `scripts/test.mjs` installs
//! on paths only these tests use (`/institutions/usaa`, `ally`, `pnc`, `discover`,
//! `vanguard`, and the first `connect_widget_url`). wasm-bindgen-test runs these async tests
//! concurrently, so each fault's path belongs to one test only.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use atrium_wasm::AtriumClient;
use common::*;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn len(v: &JsValue) -> u32 {
    v.dyn_ref::<Array>().expect("an array").length()
}

fn items(page: &JsValue) -> Array {
    get(page, "items").dyn_into().expect("items")
}

fn first(list: &Array) -> JsValue {
    list.get(0)
}

/// A client with its own options.
fn client_with(pairs: &[(&str, JsValue)]) -> AtriumClient {
    let mut all = vec![("relayUrl", s(relay()))];
    all.extend(pairs.iter().cloned());
    AtriumClient::new(object(&all)).expect("valid options")
}

fn signal_of(c: &web_sys::AbortController) -> JsValue {
    object(&[("signal", c.signal().into())])
}

#[wasm_bindgen_test]
async fn a_whole_connection_through_every_member_method() {
    let sess = session(&unique("flow")).await;
    let c = client(&sess.token, None);

    let mx = resolve(c.read_institution(s("mxbank"), None)).await;
    assert_eq!(text(&mx, "name"), "MX Bank");
    let creds = resolve(c.list_institution_credentials(s("mxbank"), None)).await;
    assert_eq!(len(&creds), 2);

    let member = resolve(c.create_member(mxbank("challenge"), None)).await;
    let m = text(&member, "guid");
    assert!(m.starts_with("MBR-"));
    let status = resolve(c.read_member_status(s(&m), None)).await;
    assert_eq!(text(&status, "connection_status"), "CHALLENGED");
    let challenges = resolve(c.list_member_challenges(s(&m), None)).await;
    assert_eq!(len(&challenges), 1);
    let ch = text(&Array::from(&challenges).get(0), "guid");
    let resumed = resolve(c.resume_member(s(&m), array(vec![answer(&ch, "correct")]), None)).await;
    assert_eq!(text(&resumed, "connection_status"), "RESUMED");
    let status = resolve(c.read_member_status(s(&m), None)).await;
    assert_eq!(text(&status, "connection_status"), "CONNECTED");
    assert!(
        get(&status, "challenges").is_null(),
        "absent fields are null"
    );
    assert_eq!(
        len(&resolve(c.list_member_challenges(s(&m), None)).await),
        0,
        "204 is an empty list"
    );

    assert_eq!(
        text(
            &resolve(c.read_member(s(&m), None)).await,
            "institution_code"
        ),
        "mxbank"
    );
    let members = resolve(c.list_members(None, None)).await;
    assert_eq!(num(&get(&members, "pagination"), "total_entries"), 1.0);
    let member_creds = resolve(c.list_member_credentials(s(&m), None)).await;
    assert_eq!(len(&member_creds), 2);
    let updated =
        resolve(c.update_member(s(&m), object(&[("metadata", s("{\"n\":1}"))]), None)).await;
    assert_eq!(text(&updated, "metadata"), "{\"n\":1}");
    let again = resolve(c.aggregate_member(s(&m), None)).await;
    assert_eq!(
        get(&again, "is_being_aggregated").as_bool(),
        Some(false),
        "throttled: the current state"
    );

    // The premium processes on a member without MFA (a `challenge` login is asked again on
    // every process, as the sandbox's README says).
    let m = new_member(&c, "password").await;
    resolve(c.check_member_balances(s(&m), None)).await;

    resolve(c.verify_member(s(&m), None)).await;
    let numbers = resolve(c.list_account_numbers(object(&[("member_guid", s(&m))]), None)).await;
    assert!(len(&numbers) >= 1);
    let a = text(&Array::from(&numbers).get(0), "account_guid");
    let by_account =
        resolve(c.list_account_numbers(object(&[("account_guid", s(&a))]), None)).await;
    assert_eq!(len(&by_account), 1);
    resolve(c.identify_member(s(&m), None)).await;
    let owners = resolve(c.list_account_owners(s(&m), None)).await;
    assert!(text(&Array::from(&owners).get(0), "guid").starts_with("ACO-"));

    resolve(c.fetch_member_statements(s(&m), None)).await;
    let statements = resolve(c.list_statements(object(&[("member_guid", s(&m))]), None)).await;
    let st = text(&first(&items(&statements)), "guid");
    assert_eq!(
        text(
            &resolve(c.read_statement(s(&m), s(&st), None)).await,
            "guid"
        ),
        st
    );
    let pdf = resolve(c.download_statement_pdf(s(&m), s(&st), None)).await;
    let bytes = js_sys::Uint8Array::new(&pdf).to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "the PDF itself");
    resolve(c.extend_member_history(s(&m), None)).await;

    let accounts = resolve(c.list_accounts(Some(object(&[("member_guid", s(&m))])), None)).await;
    assert!(items(&accounts).length() >= 2);
    assert_eq!(text(&resolve(c.read_account(s(&a), None)).await, "guid"), a);
    for options in [
        object(&[("from_date", s("2000-01-01"))]),
        object(&[("member_guid", s(&m)), ("from_date", s("2000-01-01"))]),
        object(&[
            ("account_guid", s(&a)),
            ("from_date", s("2000-01-01")),
            ("records_per_page", 5.into()),
        ]),
    ] {
        let page = resolve(c.list_transactions(Some(options), None)).await;
        assert!(items(&page).length() > 0);
    }
    let t = text(
        &first(&items(&resolve(c.list_transactions(None, None)).await)),
        "guid",
    );
    assert_eq!(
        text(&resolve(c.read_transaction(s(&t), None)).await, "guid"),
        t
    );
    let oauth = resolve(c.create_member(
        object(&[
            ("institution_code", s("chase")),
            ("is_oauth", JsValue::TRUE),
        ]),
        None,
    ))
    .await;
    let o = text(&oauth, "guid");
    let window = resolve(c.read_oauth_window_uri(
        s(&o),
        Some(object(&[("referral_source", s("BROWSER"))])),
        None,
    ))
    .await;
    assert!(text(&window, "oauth_window_uri").contains("/oauth/window/"));

    let user = resolve(c.update_user(object(&[("metadata", s("m"))]), None)).await;
    assert_eq!(text(&user, "metadata"), "m");
    resolve(c.delete_member(s(&o), None)).await;
    assert_eq!(
        num(
            &get(&resolve(c.list_members(None, None)).await, "pagination"),
            "total_entries"
        ),
        2.0
    );
}

#[wasm_bindgen_test]
async fn holdings_by_user_member_and_account() {
    let sess = session(&unique("holdings")).await;
    let c = client(&sess.token, None);
    // About half of all members hold investments: try fresh members until one does
    // (20 misses in a row is one in a million), deleting the others.
    let mut found = None;
    for _ in 0..20 {
        let m = new_member(&c, "password").await;
        let page = resolve(c.list_holdings(Some(object(&[("member_guid", s(&m))])), None)).await;
        if items(&page).length() > 0 {
            found = Some((m, first(&items(&page))));
            break;
        }
        resolve(c.delete_member(s(&m), None)).await;
    }
    let (m, holding) = found.expect("a member with holdings");
    let g = text(&holding, "guid");
    assert!(g.starts_with("HOL-"));
    assert_eq!(
        text(&resolve(c.read_holding(s(&g), None)).await, "member_guid"),
        m
    );
    let a = text(&holding, "account_guid");
    let by_account = resolve(c.list_holdings(Some(object(&[("account_guid", s(&a))])), None)).await;
    assert!(items(&by_account)
        .iter()
        .all(|h| text(&h, "account_guid") == a));
    let all = resolve(c.list_holdings(None, None)).await;
    assert!(items(&all).length() >= items(&by_account).length());
}

#[wasm_bindgen_test]
async fn merchants_and_cleansing() {
    let sess = session(&unique("merchants")).await;
    let c = client(&sess.token, None);
    let merchants =
        resolve(c.list_merchants(Some(object(&[("records_per_page", 3.into())])), None)).await;
    assert_eq!(items(&merchants).length(), 3);
    let g = text(&first(&items(&merchants)), "guid");
    assert_eq!(
        text(&resolve(c.read_merchant(s(&g), None)).await, "guid"),
        g
    );
    let locations =
        resolve(c.list_merchant_locations(object(&[("merchant_guid", s(&g))]), None)).await;
    let l = text(&first(&items(&locations)), "guid");
    assert_eq!(
        text(
            &resolve(c.read_merchant_location(s(&g), s(&l), None)).await,
            "guid"
        ),
        l
    );
    let cleansed = resolve(c.cleanse_and_categorize(
        array(vec![object(&[
            ("identifier", s("a")),
            ("description", s("STARBUCKS #12 SEATTLE")),
        ])]),
        None,
    ))
    .await;
    let one = Array::from(&cleansed).get(0);
    assert_eq!(text(&one, "category"), "Coffee Shops");
    assert!(
        get(&one, "amount").is_null(),
        "a missing optional field is null"
    );
    assert!(
        !get(&one, "categorized_by").is_undefined(),
        "an unknown field is kept, not an error"
    );
}

#[wasm_bindgen_test]
async fn pages_and_all() {
    let sess = session(&unique("pages")).await;
    let c = client(&sess.token, None);
    let iterable = c
        .pages(
            s("listInstitutions"),
            Some(object(&[("records_per_page", 4.into())])),
            None,
        )
        .expect("an iterable");
    let iterator_fn: Function = Reflect::get(&iterable, &js_sys::Symbol::async_iterator())
        .expect("a symbol")
        .dyn_into()
        .expect("a function");
    let iterator = iterator_fn.call0(&iterable).expect("an iterator");
    let next: Function = Reflect::get(&iterator, &"next".into())
        .expect("next")
        .dyn_into()
        .expect("a function");
    let (mut pages, mut codes) = (0, Vec::new());
    loop {
        let step = resolve(
            next.call0(&iterator)
                .expect("a promise")
                .dyn_into()
                .expect("a promise"),
        )
        .await;
        if get(&step, "done").as_bool() == Some(true) {
            break;
        }
        pages += 1;
        codes.extend(items(&get(&step, "value")).iter().map(|i| text(&i, "code")));
    }
    assert_eq!((pages, codes.len()), (4, 15));

    let big = resolve(c.create_member(mxbank("BIG_10K"), None)).await;
    let m = text(&big, "guid");
    let options = object(&[
        ("member_guid", s(&m)),
        ("from_date", s("2000-01-01")),
        ("records_per_page", 1000.into()),
        ("concurrency", 3.into()),
    ]);
    let all = resolve(c.all(s("listTransactions"), Some(options), None)).await;
    let all = Array::from(&all);
    assert_eq!(all.length(), 10_000);
    let mut guids: Vec<String> = all.iter().map(|t| text(&t, "guid")).collect();
    let dates: Vec<String> = all.iter().map(|t| text(&t, "date")).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "pages in order");
    guids.sort();
    guids.dedup();
    assert_eq!(guids.len(), 10_000);
    let err = reject(c.all(
        s("listTransactions"),
        Some(object(&[("concurrency", 0.into())])),
        None,
    ))
    .await;
    assert_atrium_error(&err, 0, "invalid_input", false);
    let err = c
        .pages(s("readUser"), None, None)
        .expect_err("not a list method");
    assert_atrium_error(&err, 0, "invalid_input", false);
}

#[wasm_bindgen_test]
async fn errors_map_to_documented_codes() {
    let sess = session(&unique("errors")).await;
    let c = client(&sess.token, None);
    let err = reject(c.read_member(s("MBR-00000000-0000-0000-0000-000000000000"), None)).await;
    assert_atrium_error(&err, 404, "not_found", false);
    assert!(
        get(&err, "requestId")
            .as_string()
            .is_some_and(|id| !id.is_empty()),
        "the relay's request id"
    );
    let err = reject(c.list_transactions(
        Some(object(&[
            ("from_date", s("2024-02-01")),
            ("to_date", s("2024-01-01")),
        ])),
        None,
    ))
    .await;
    assert_atrium_error(&err, 400, "bad_request", false);
    let huge = object(&[
        ("institution_code", s("mxbank")),
        ("credentials", array(vec![])),
        ("metadata", s(&"x".repeat(70_000))),
    ]);
    let err = reject(c.create_member(huge, None)).await;
    assert_atrium_error(&err, 413, "too_large", false);
    let other = session(&unique("other")).await;
    let err = reject(client(&sess.token, Some(&other.user_guid)).read_user(None)).await;
    assert_atrium_error(&err, 403, "forbidden", false);
    let m = new_member(&c, "password").await;
    let err = reject(c.resume_member(s(&m), array(vec![answer("CRD-1", "x")]), None)).await;
    assert_atrium_error(&err, 409, "conflict", false);
    // Refused before sending, naming the field.
    for (p, field) in [
        (c.read_member(s("ACT-1"), None), "member_guid"),
        (c.read_member(JsValue::from(5), None), "member_guid"),
        (
            c.list_transactions(
                Some(object(&[("from_date", s("2024-01-01T00:00:00Z"))])),
                None,
            ),
            "from_date",
        ),
        (
            c.list_transactions(Some(object(&[("form_date", s("2024-01-01"))])), None),
            "form_date",
        ),
        (
            c.list_accounts(Some(object(&[("records_per_page", s("ten"))])), None),
            "records_per_page",
        ),
        (
            c.read_user(Some(object(&[("sginal", JsValue::TRUE)]))),
            "sginal",
        ),
    ] {
        let err = reject(p).await;
        assert_atrium_error(&err, 0, "invalid_input", false);
        assert!(
            text(&err, "message").contains(field),
            "{field}: {}",
            text(&err, "message")
        );
    }
}

#[wasm_bindgen_test]
async fn reads_are_retried_on_503_and_429_honouring_retry_after() {
    let sess = session(&unique("retry")).await;
    let c = client_with(&[
        ("token", s(&sess.token)),
        (
            "retry",
            object(&[
                ("retries", 2.into()),
                ("baseDelayMs", 10.into()),
                ("maxDelayMs", 50.into()),
            ]),
        ),
    ]);
    // Two 503s, then the answer.
    assert_eq!(
        text(&resolve(c.read_institution(s("usaa"), None)).await, "code"),
        "usaa"
    );
    // A 429 with Retry-After: 1 waits at least that second.
    let started = js_sys::Date::now();
    assert_eq!(
        text(&resolve(c.read_institution(s("ally"), None)).await, "code"),
        "ally"
    );
    assert!(
        js_sys::Date::now() - started >= 1000.0,
        "Retry-After is honoured"
    );
    // Always 503: the retries run out.
    // (The relay answers an upstream 5xx with 502 `upstream_error`.)
    let err = reject(c.read_institution(s("pnc"), None)).await;
    assert_atrium_error(&err, 502, "server", true);
    // Writes are not retried: the first widget URL request meets a 503, the next succeeds.
    let err = reject(c.get_connect_widget(None, None)).await;
    assert_atrium_error(&err, 502, "server", true);
    assert!(text(
        &resolve(c.get_connect_widget(None, None)).await,
        "connect_widget_url"
    )
    .starts_with("https://"));
}

#[wasm_bindgen_test]
async fn abort_and_timeouts() {
    let sess = session(&unique("abort")).await;
    let c = client_with(&[
        ("token", s(&sess.token)),
        ("retry", object(&[("retries", 3.into())])),
    ]);
    // Mid-request: the sandbox holds /institutions/discover for 3 s.
    let controller = web_sys::AbortController::new().expect("a controller");
    let pending = c.read_institution(s("discover"), Some(signal_of(&controller)));
    delay(200).await;
    controller.abort();
    assert_atrium_error(&reject(pending).await, 0, "aborted", false);
    // Mid-retry: /institutions/vanguard answers 429 with Retry-After: 30 (which the relay
    // passes on), so the client is waiting when the abort comes.
    let controller = web_sys::AbortController::new().expect("a controller");
    let pending = c.read_institution(s("vanguard"), Some(signal_of(&controller)));
    delay(300).await;
    controller.abort();
    assert_atrium_error(&reject(pending).await, 0, "aborted", false);
    // Already aborted: nothing is sent.
    let controller = web_sys::AbortController::new().expect("a controller");
    controller.abort();
    assert_atrium_error(
        &reject(c.read_user(Some(signal_of(&controller)))).await,
        0,
        "aborted",
        false,
    );
    // The client's own timeout.
    let quick = client_with(&[
        ("token", s(&sess.token)),
        ("timeoutMs", 300.into()),
        ("retry", object(&[("retries", 0.into())])),
    ]);
    assert_atrium_error(
        &reject(quick.read_institution(s("discover"), None)).await,
        0,
        "timeout",
        true,
    );
}

#[wasm_bindgen_test]
async fn a_token_function_is_asked_again_once_after_a_401() {
    let sess = session(&unique("token")).await;
    let calls = Rc::new(Cell::new(0));
    let (count, good) = (calls.clone(), sess.token.clone());
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        count.set(count.get() + 1);
        // First an expired-looking token, then the real one, as a Promise like a backend call.
        let token = if count.get() == 1 {
            format!("{good}x")
        } else {
            good.clone()
        };
        Promise::resolve(&JsValue::from_str(&token)).into()
    });
    let c = client_with(&[
        ("token", provider.as_ref().clone()),
        ("userGuid", s(&sess.user_guid)),
    ]);
    let user = resolve(c.read_user(None)).await;
    assert_eq!(text(&user, "guid"), sess.user_guid);
    assert_eq!(calls.get(), 2);
    resolve(c.read_user(None)).await;
    assert_eq!(calls.get(), 2, "the good token is kept");
    // A function that keeps giving a bad token: one refresh, then unauthorized.
    let bad = Closure::<dyn FnMut() -> JsValue>::new(|| JsValue::from_str("v1.bad.token"));
    let c = client_with(&[
        ("token", bad.as_ref().clone()),
        ("userGuid", s(&sess.user_guid)),
    ]);
    assert_atrium_error(&reject(c.read_user(None)).await, 401, "unauthorized", false);
    drop((provider, bad));
}
