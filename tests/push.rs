//! Flows on push in real browsers: the relay `npm test` starts takes its sandbox's webhooks
//! and streams them, one stream per client for all its flows (and cuts streams after two
//! seconds, as proxies do), so flows follow the stream and the client resumes it.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The URLs this page fetched so far that contain `part` (the browser's resource timing).
fn fetched(part: &str) -> Vec<String> {
    let performance = Reflect::get(&js_sys::global(), &s("performance")).expect("performance");
    let by_type: Function = Reflect::get(&performance, &s("getEntriesByType"))
        .expect("a method")
        .unchecked_into();
    let entries: Array = by_type
        .call1(&performance, &s("resource"))
        .expect("entries")
        .unchecked_into();
    entries
        .iter()
        .map(|e| text(&e, "name"))
        .filter(|n| n.contains(part))
        .collect()
}

/// Connects with a challenge login; `think_ms` is how long the user takes to answer.
async fn connect_on_push(name: &str, think_ms: i32) -> (JsValue, Vec<String>) {
    let sess = session(&unique(name)).await;
    let c = client(&sess.token, None);
    let flow = c.connect(mxbank("challenge"), None).expect("a flow");
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let log = seen.clone();
    let on_status = Closure::<dyn FnMut(JsValue)>::new(move |st: JsValue| {
        log.borrow_mut().push(st.as_string().unwrap_or_default())
    });
    let on_challenge = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |challenges: JsValue| {
        let answers: Array = Array::from(&challenges)
            .iter()
            .map(|c| answer(&text(&c, "guid"), "correct"))
            .collect();
        js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().expect("a window");
            let answers = answers.clone();
            let later = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::NULL, &answers);
            });
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    later.unchecked_ref(),
                    think_ms,
                )
                .expect("a timer");
        })
        .into()
    });
    let result = resolve(flow.run(Some(object(&[
        ("onChallenge", on_challenge.as_ref().clone()),
        ("onStatus", on_status.as_ref().clone()),
    ]))))
    .await;
    drop((on_challenge, on_status));
    let seen = seen.borrow().clone();
    (result, seen)
}

#[wasm_bindgen_test]
async fn an_mfa_connect_on_push_reads_the_status_only_when_told_to() {
    let (result, seen) = connect_on_push("push", 0).await;
    assert_eq!(text(&result, "outcome"), "connected");
    let member = text(&get(&result, "member"), "guid");
    assert_eq!(
        seen.iter().filter(|s| s.as_str() == "CHALLENGED").count(),
        1
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("CONNECTED"),
        "{seen:?}"
    );
    // On push a flow reads the status for the challenges, at sign-in and once to confirm the
    // end (a
    // stream the flow aborted at its end leaves no resource-timing entry, so the stream
    // itself is seen in the next test, whose streams the relay ends).
    let reads = fetched(&format!("/members/{member}/status"));
    // (A webhook that lands after the answer, showing the old challenge, costs one more.)
    assert!(reads.len() <= 4, "{} status reads: {reads:?}", reads.len());
}

#[wasm_bindgen_test]
async fn a_stream_cut_mid_flow_loses_no_transition() {
    // The user thinks for 2.5 s: the relay cuts the stream meanwhile (after 2 s); the client
    // reopens it with Last-Event-ID, and the flow still sees every later change once.
    let (result, seen) = connect_on_push("push-cut", 2500).await;
    assert_eq!(text(&result, "outcome"), "connected");
    let user = text(&get(&result, "member"), "user_guid");
    let streams = fetched(&format!("/users/{user}/events"));
    assert!(streams.len() >= 2, "the stream was reopened: {streams:?}");
    let after: Vec<&str> = seen
        .iter()
        .skip_while(|s| s.as_str() != "CHALLENGED")
        .map(String::as_str)
        .collect();
    assert_eq!(after.first(), Some(&"CHALLENGED"), "{seen:?}");
    assert_eq!(after.last(), Some(&"CONNECTED"), "{seen:?}");
    let mut once = seen.clone();
    once.dedup();
    assert_eq!(once, seen, "each status once: {seen:?}");
}

#[wasm_bindgen_test]
async fn another_users_token_is_refused_on_the_stream() {
    let owner = session(&unique("push-owner")).await;
    let c = client(&owner.token, None);
    let result = resolve(c.connect(mxbank("password"), None).expect("a flow").done()).await;
    assert_eq!(text(&result, "outcome"), "connected");
    let other = session(&unique("push-other")).await;
    let open = |user: &str, token: &str| {
        let url = format!("{}/atrium/users/{user}/events", relay());
        let token = token.to_string();
        async move {
            gloo_net::http::Request::get(&url)
                .header("Authorization", &format!("Bearer {token}"))
                .header("Accept", "text/event-stream")
                .send()
                .await
                .expect("the relay answers")
                .status()
        }
    };
    assert_eq!(open(&owner.user_guid, &other.token).await, 403);
    assert_eq!(open(&owner.user_guid, "forged").await, 401);
}

fn relay2() -> &'static str {
    match option_env!("ATRIUM_TEST_RELAY2") {
        Some(url) => url,
        None => panic!("ATRIUM_TEST_RELAY2 must name the second relay (npm test sets it)"),
    }
}

/// Reads a relay event stream until an `aggregated` event, calling `on_open` once the first
/// chunk (the current status) has arrived; resolves to the stream's text.
fn read_stream_until_aggregated() -> Function {
    Function::new_with_args(
        "url, token, onOpen",
        "return (async () => {
            const r = await fetch(url, { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' } });
            if (r.status !== 200) return 'HTTP ' + r.status;
            const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
            let text = '';
            let opened = false;
            while (!text.includes('event: aggregated')) {
                const { value, done } = await reader.read();
                if (done) break;
                text += value;
                if (!opened) { opened = true; onOpen(); }
            }
            reader.cancel();
            return text;
        })()",
    )
}

#[wasm_bindgen_test]
async fn a_stream_on_a_second_relay_hears_webhooks_taken_by_the_first() {
    // The session comes from the first relay; the second shares its signing key and Redis,
    // but no webhook ever reaches it.
    let sess = session(&unique("push-two")).await;
    let c = Rc::new(
        atrium_wasm::AtriumClient::new(object(&[
            ("relayUrl", s(relay2())),
            ("token", s(&sess.token)),
            ("userGuid", s(&sess.user_guid)),
        ]))
        .expect("valid options"),
    );
    let member = resolve(c.create_member(mxbank("challenge"), None)).await;
    let guid = text(&member, "guid");
    let url = format!("{}/atrium/users/{}/events", relay2(), sess.user_guid);
    let (client, answered) = (c.clone(), guid.clone());
    let on_open = Closure::once_into_js(move || {
        wasm_bindgen_futures::spawn_local(async move {
            let challenges = resolve(client.list_member_challenges(s(&answered), None)).await;
            let answers: Array = Array::from(&challenges)
                .iter()
                .map(|ch| answer(&text(&ch, "guid"), "correct"))
                .collect();
            resolve(client.resume_member(s(&answered), answers.into(), None)).await;
        });
    });
    let promise: js_sys::Promise = read_stream_until_aggregated()
        .call3(&JsValue::NULL, &s(&url), &s(&sess.token), &on_open)
        .expect("a call")
        .unchecked_into();
    let stream_text = resolve(promise).await.as_string().unwrap_or_default();
    let mut parser = atrium_wasm::sse::SseParser::default();
    let events = parser.feed(&stream_text);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"status"), "{stream_text}");
    assert!(
        events[0].data.contains("\"current\":true"),
        "the current status first: {stream_text}"
    );
    assert_eq!(names.last(), Some(&"aggregated"), "{stream_text}");
    assert!(
        events.iter().any(|e| e.event == "status"
            && e.data.contains("CONNECTED")
            && !e.data.contains("current")),
        "a pushed CONNECTED, through Redis: {stream_text}"
    );
}
