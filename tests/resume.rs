//! Flows carried on after a reload, a redirect or in another client: snapshots and resume,
//! the OAuth window as a step, and one reported end; in real browsers against the relay and
//! sandbox `npm test` starts.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use atrium_wasm::MemberFlow;
use common::*;
use js_sys::{Function, Promise, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A promise of the next `event` of `flow`.
fn next(flow: &MemberFlow, event: &str) -> Promise {
    let mut slot: Option<Function> = None;
    let p = Promise::new(&mut |resolve, _| slot = Some(resolve));
    if let Some(resolve) = slot {
        flow.on(event.into(), resolve).expect("an event");
    }
    p
}

type Handler = Closure<dyn FnMut(JsValue)>;

/// Counts a flow's `end` events from its start (the handler lives as long as the count).
struct Ends(Rc<Cell<u32>>, #[allow(dead_code)] Handler);

fn ends(flow: &MemberFlow) -> Ends {
    let count = Rc::new(Cell::new(0));
    let n = count.clone();
    let on_end = Handler::new(move |_| n.set(n.get() + 1));
    flow.on(
        "end".into(),
        on_end.as_ref().unchecked_ref::<Function>().clone(),
    )
    .expect("an event");
    Ends(count, on_end)
}

/// The flow's result, once `end` was told exactly once (a later duplicate would show).
async fn done_once(flow: &MemberFlow, ends: &Ends) -> JsValue {
    let result = resolve(flow.done()).await;
    delay(100).await;
    assert_eq!(ends.0.get(), 1, "end told once");
    result
}

fn stored(key: &str) -> Option<String> {
    let get = Function::new_with_args("k", "return sessionStorage.getItem(k)");
    get.call1(&JsValue::NULL, &s(key)).unwrap().as_string()
}

fn answers(challenges: &JsValue, value: &str) -> JsValue {
    js_sys::Array::from(challenges)
        .iter()
        .map(|c| answer(&text(&c, "guid"), value))
        .collect::<js_sys::Array>()
        .into()
}

/// Posts to the sandbox's OAuth window as its button would (`authorize` or `deny`). The
/// window sends no CORS headers, so the fetch fails once its answer is in (the test page's
/// embedder policy refuses opaque answers): that failure is the sign it was done.
async fn press(uri: &str, button: &str) {
    let (page, query) = uri.split_once('?').expect("a token");
    let url = format!("{page}/{button}?{query}");
    let fetch = Function::new_with_args(
        "url",
        "return fetch(url, { method: 'POST' }).then(() => 'answered', () => 'answered')",
    );
    let p: Promise = fetch
        .call1(&JsValue::NULL, &s(&url))
        .expect("fetch")
        .dyn_into()
        .expect("a promise");
    resolve(p).await;
}

fn oauth_member(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![
        ("institution_code", s("mxbank_oauth")),
        ("is_oauth", JsValue::TRUE),
    ];
    pairs.extend(extra.iter().cloned());
    object(&pairs)
}

#[wasm_bindgen_test]
async fn a_reload_at_challenged_resumes_and_connects_with_one_end() {
    let sess = session(&unique("resume")).await;
    let before = client(&sess.token, None);
    let flow = before.connect(mxbank("options"), None).expect("a flow");
    let flow_ends = ends(&flow);
    resolve(next(&flow, "challenge")).await;
    let snapshot = flow.snapshot().expect("a snapshot");
    let json = JSON::stringify(&snapshot).unwrap().as_string().unwrap();
    assert!(
        !json.contains("test_atrium") && !json.contains("options"),
        "{json}"
    );
    assert_eq!(text(&snapshot, "kind"), "connect");
    assert_eq!(text(&snapshot, "connection_status"), "CHALLENGED");
    // The page goes away: its flow is dropped mid-question (a cancel records no end).
    flow.cancel();
    let gone = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&gone, "outcome"), "cancelled");

    let after = client(&sess.token, None);
    let snapshot = JSON::parse(&json).unwrap();
    let resumed = after.resume(snapshot, None, None).expect("a flow");
    let resumed_ends = ends(&resumed);
    assert_eq!(
        resumed.run_id(),
        flow.run_id(),
        "one run id across the reload"
    );
    let challenges = resolve(next(&resumed, "challenge")).await;
    resolve(resumed.answer(answers(&challenges, "correct"))).await;
    let result = done_once(&resumed, &resumed_ends).await;
    assert_eq!(text(&result, "outcome"), "connected");
    assert_eq!(get(&result, "first_report").as_bool(), Some(true));
    assert_eq!(text(&result, "run_id"), flow.run_id());
    assert!(after.end_reported(flow.run_id()));
    // A second tab resuming the same run sees the end too, and that it was reported.
    let tab = client(&sess.token, None);
    let again = tab
        .resume(JSON::parse(&json).unwrap(), None, None)
        .expect("a flow");
    let again_ends = ends(&again);
    let seen = done_once(&again, &again_ends).await;
    assert_eq!(text(&seen, "outcome"), "connected");
    assert_eq!(get(&seen, "first_report").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn a_resume_by_guid_follows_or_ends_at_once() {
    let sess = session(&unique("resume-guid")).await;
    let c = client(&sess.token, None);
    let m = new_member(&c, "password").await;
    let flow = c.resume(s(&m), Some(s("aggregate")), None).expect("a flow");
    let flow_ends = ends(&flow);
    let result = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&result, "outcome"), "connected");
    assert_eq!(text(&get(&result, "member"), "guid"), m);
    assert_eq!(flow.run_id().len(), 16);
    let err = c
        .resume(s(&m), Some(s("dance")), None)
        .err()
        .expect("refused");
    assert_atrium_error(&err, 0, "invalid_input", false);
}

#[wasm_bindgen_test]
async fn another_users_snapshot_and_a_deleted_member_end_clearly() {
    let a = session(&unique("resume-a")).await;
    let ca = client(&a.token, None);
    let flow = ca.connect(mxbank("options"), None).expect("a flow");
    let flow_ends = ends(&flow);
    resolve(next(&flow, "challenge")).await;
    let snapshot = flow.snapshot().expect("a snapshot");
    flow.cancel();
    assert_eq!(
        text(&done_once(&flow, &flow_ends).await, "outcome"),
        "cancelled"
    );
    let b = session(&unique("resume-b")).await;
    let cb = client(&b.token, None);
    let other = cb.resume(snapshot.clone(), None, None).expect("a flow");
    let other_ends = ends(&other);
    let result = done_once(&other, &other_ends).await;
    assert_eq!(text(&result, "outcome"), "failed");
    let error = get(&result, "error");
    assert_eq!(text(&error, "code"), "invalid_input");
    assert!(text(&error, "message").contains("snapshot is of"));
    // Deleted: the upstream's 404, as the outcome.
    let m = text(&snapshot, "member_guid");
    resolve(ca.delete_member(s(&m), None)).await;
    let gone = ca.resume(snapshot, None, None).expect("a flow");
    let gone_ends = ends(&gone);
    let result = done_once(&gone, &gone_ends).await;
    assert_eq!(text(&result, "outcome"), "failed");
    assert_eq!(text(&get(&result, "error"), "code"), "not_found");
}

#[wasm_bindgen_test]
async fn a_flow_keeps_its_snapshot_under_its_key_until_it_ends() {
    let sess = session(&unique("resume-kept")).await;
    let c = client(&sess.token, None);
    let key = unique("connect");
    let flow = c
        .connect(mxbank("options"), Some(object(&[("persistKey", s(&key))])))
        .expect("a flow");
    let flow_ends = ends(&flow);
    resolve(next(&flow, "challenge")).await;
    let kept = stored(&key).expect("kept");
    assert!(
        kept.contains("CHALLENGED") && !kept.contains("test_atrium"),
        "{kept}"
    );
    flow.cancel();
    done_once(&flow, &flow_ends).await;
    assert_eq!(stored(&key), None, "removed at the end");
    let put = Function::new_with_args("k, v", "sessionStorage.setItem(k, v)");
    put.call2(&JsValue::NULL, &s(&key), &s(&kept)).unwrap();
    let resumed = c
        .resume_saved(key.clone(), None)
        .expect("read")
        .expect("a flow");
    let resumed_ends = ends(&resumed);
    let challenges = resolve(next(&resumed, "challenge")).await;
    resolve(resumed.answer(answers(&challenges, "correct"))).await;
    assert_eq!(
        text(&done_once(&resumed, &resumed_ends).await, "outcome"),
        "connected"
    );
    assert!(c.resume_saved(key, None).expect("read").is_none());
}

#[wasm_bindgen_test]
async fn without_an_oauth_handler_an_oauth_member_ends_as_before() {
    let sess = session(&unique("oauth-none")).await;
    let c = client(&sess.token, None);
    let flow = c.connect(oauth_member(&[]), None).expect("a flow");
    let flow_ends = ends(&flow);
    let result = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&result, "outcome"), "needs_user_action");
    assert!(text(&result, "oauth_window_uri").contains("/oauth/window/"));
}

#[wasm_bindgen_test]
async fn with_an_oauth_handler_the_flow_waits_through_the_window_to_connected() {
    let sess = session(&unique("oauth-wait")).await;
    let c = client(&sess.token, None);
    let flow = c.connect(oauth_member(&[]), None).expect("a flow");
    let flow_ends = ends(&flow);
    let asked = resolve(next(&flow, "oauth")).await;
    let uri = text(&asked, "oauth_window_uri");
    assert!(text(&asked, "member_guid").starts_with("MBR-"));
    press(&uri, "authorize").await;
    let result = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&result, "outcome"), "connected");
}

#[wasm_bindgen_test]
async fn window_messages_count_only_from_the_window_origin() {
    let sess = session(&unique("oauth-msg")).await;
    let c = client(&sess.token, None);
    let flow = c.connect(oauth_member(&[]), None).expect("a flow");
    let flow_ends = ends(&flow);
    let asked = resolve(next(&flow, "oauth")).await;
    let uri = text(&asked, "oauth_window_uri");
    let member = text(&asked, "member_guid");
    let origin = uri.split("/oauth/").next().unwrap().to_string();
    let post = Function::new_with_args(
        "origin, member, reason",
        "dispatchEvent(new MessageEvent('message', { origin, data: { mx: true, type: 'oauthComplete/error', metadata: { member_guid: member, error_reason: reason } } }))",
    );
    // From elsewhere, or about another member: ignored (the flow would end within seconds).
    post.call3(
        &JsValue::NULL,
        &s("https://evil.example"),
        &s(&member),
        &s("DENIED"),
    )
    .unwrap();
    post.call3(&JsValue::NULL, &s(&origin), &s("MBR-other"), &s("DENIED"))
        .unwrap();
    delay(5000).await;
    let early = Function::new_with_args("p", "let done = false; p.then(() => done = true); return new Promise(r => setTimeout(() => r(done), 0))");
    let ended = resolve(
        early
            .call1(&JsValue::NULL, &flow.done())
            .unwrap()
            .dyn_into()
            .unwrap(),
    )
    .await;
    assert_eq!(ended.as_bool(), Some(false), "still at the window");
    // From the window's origin: the member stays PENDING, so the flow ends saying why.
    post.call3(&JsValue::NULL, &s(&origin), &s(&member), &s("CANCELLED"))
        .unwrap();
    let result = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&result, "outcome"), "needs_user_action");
    let error = get(&result, "error");
    assert_eq!(text(&error, "code"), "oauth");
    assert_eq!(text(&error, "oauthReason"), "CANCELLED");
}

#[wasm_bindgen_test]
async fn a_redirect_back_resumes_the_member_to_its_end() {
    let sess = session(&unique("oauth-redirect")).await;
    let c = client(&sess.token, None);
    let back = "https://app.example/connect";
    let member = resolve(c.create_member(
        oauth_member(&[
            ("referral_source", s("APP")),
            ("client_redirect_url", s(back)),
        ]),
        None,
    ))
    .await;
    let guid = text(&member, "guid");
    press(&text(&member, "oauth_window_uri"), "authorize").await;
    let url = format!("{back}?status=success&member_guid={guid}");
    let flow = c.resume_from_redirect(s(&url), None).expect("a flow");
    let flow_ends = ends(&flow);
    let result = done_once(&flow, &flow_ends).await;
    assert_eq!(text(&result, "outcome"), "connected");
    for bad in [
        back.to_string(),
        format!("{back}?status=maybe&member_guid={guid}"),
    ] {
        let err = c
            .resume_from_redirect(s(&bad), None)
            .err()
            .expect("refused");
        assert_atrium_error(&err, 0, "invalid_input", false);
    }
}
