//! Many flows, one page: against the relay as `npm start` runs it (sandbox mode, plain
//! HTTP/1.1, where a browser opens about six connections per origin), 25 flows at once
//! (Atrium's limit of members per user) leave the page's own reads prompt, all reach their
//! right end, and the relay sees one event stream per client.
#![cfg(target_arch = "wasm32")]

mod common;

use atrium_wasm::AtriumClient;
use common::*;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A relay started as `npm start` starts one (no stream cuts, no Redis, default limits), its
/// sandbox at a fifth of the real pace, so that DELAYED lasts six seconds.
fn plain_relay() -> &'static str {
    match option_env!("ATRIUM_TEST_PLAIN_RELAY") {
        Some(url) => url,
        None => panic!("ATRIUM_TEST_PLAIN_RELAY must name the plain relay (npm test sets it)"),
    }
}

/// No answer within this long counts as starved (the read fails rather than wait 30 s).
const READ_TIMEOUT_MS: f64 = 3000.0;
/// Each flow's own limit: the slowest (DELAYED) takes six seconds here.
const FLOW_TIMEOUT_MS: f64 = 30_000.0;

fn client_at(relay: &str, sess: &Session) -> AtriumClient {
    AtriumClient::new(object(&[
        ("relayUrl", s(relay)),
        ("token", s(&sess.token)),
        ("userGuid", s(&sess.user_guid)),
        ("timeoutMs", JsValue::from_f64(READ_TIMEOUT_MS)),
        ("retry", object(&[("retries", JsValue::from_f64(0.0))])),
    ]))
    .expect("valid options")
}

/// The institutions with a credential form, and each form.
async fn forms(c: &AtriumClient) -> Vec<(String, JsValue)> {
    let options = object(&[("records_per_page", JsValue::from_f64(100.0))]);
    let page = resolve(c.list_institutions(Some(options), None)).await;
    let mut out = Vec::new();
    for inst in Array::from(&get(&page, "items")).iter() {
        if get(&inst, "supports_oauth").as_bool() == Some(true) {
            continue;
        }
        let code = text(&inst, "code");
        let form = resolve(c.list_institution_credentials(s(&code), None)).await;
        out.push((code, form));
    }
    out
}

/// The form filled as the sandbox's test logins want it, `password` deciding what happens.
fn fill(form: &JsValue, password: &str) -> JsValue {
    let mut first_password = true;
    let values: Array = Array::from(form)
        .iter()
        .map(|field| {
            let value = match text(&field, "type").as_str() {
                "LOGIN" => "test_atrium".to_string(),
                "PASSWORD" if first_password => {
                    first_password = false;
                    password.to_string()
                }
                "OPTIONS" => text(&Array::from(&get(&field, "options")).get(0), "value"),
                _ => "1234".to_string(),
            };
            answer(&text(&field, "guid"), &value)
        })
        .collect();
    values.into()
}

/// Starts `n` connects at once: no MFA, one MFA question (answered after 200 ms) and
/// DELAYED, in turn, each on its own institution and login (no two alike: Atrium refuses a
/// duplicate member). Resolves each to its outcome; the answering handler lives as long as
/// the caller keeps it.
fn start(
    c: &AtriumClient,
    forms: &[(String, JsValue)],
    n: usize,
    skip: usize,
) -> (Vec<Promise>, Closure<dyn FnMut(JsValue) -> JsValue>) {
    const KINDS: [&str; 3] = ["password", "challenge", "DELAYED"];
    let answer_later = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|challenges: JsValue| {
        let answers: Array = Array::from(&challenges)
            .iter()
            .map(|ch| answer(&text(&ch, "guid"), "correct"))
            .collect();
        Promise::new(&mut |done, _| {
            let answers = answers.clone();
            let later = Closure::once_into_js(move || {
                let _ = done.call1(&JsValue::NULL, &answers);
            });
            let _ = web_sys::window()
                .expect("a window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 200);
        })
        .into()
    });
    let on_challenge: JsValue = answer_later.as_ref().clone();
    let flows = (skip..skip + n)
        .map(|i| {
            let (code, form) = &forms[i % forms.len()];
            let member = object(&[
                ("institution_code", s(code)),
                ("credentials", fill(form, KINDS[i % KINDS.len()])),
            ]);
            let options = object(&[("timeoutMs", JsValue::from_f64(FLOW_TIMEOUT_MS))]);
            let flow = c.connect(member, Some(options)).expect("a flow");
            flow.run(Some(object(&[("onChallenge", on_challenge.clone())])))
        })
        .collect();
    (flows, answer_later)
}

/// The relay's count of the user's open event streams; `None` when the page could not ask
/// (no connection came within the read timeout).
async fn streams_open(relay: &str, token: &str) -> Option<f64> {
    let controller = web_sys::AbortController::new().expect("a controller");
    let abort = controller.clone();
    wasm_bindgen_futures::spawn_local(async move {
        delay(READ_TIMEOUT_MS as i32).await;
        abort.abort();
    });
    let r = gloo_net::http::Request::get(&format!("{relay}/atrium/session"))
        .header("Authorization", &format!("Bearer {token}"))
        .abort_signal(Some(&controller.signal()))
        .send()
        .await
        .ok()?;
    let body = JsFuture::from(web_sys::Response::from(r).json().ok()?)
        .await
        .ok()?;
    Some(num(&get(&body, "streams"), "open"))
}

/// `count` page reads made while the flows run, one after another with `gap_ms` between:
/// how long each took, or why it failed.
async fn timed_reads(c: &AtriumClient, count: usize, gap_ms: i32) -> Vec<Result<f64, String>> {
    let mut times = Vec::new();
    for _ in 0..count {
        let started = js_sys::Date::now();
        let options = object(&[("name", s("mx"))]);
        let read = JsFuture::from(c.list_institutions(Some(options), None)).await;
        let took = js_sys::Date::now() - started;
        times.push(match &read {
            Ok(_) => Ok(took),
            Err(e) => Err(format!("{} after {took} ms", text(e, "code"))),
        });
        delay(gap_ms).await;
    }
    times
}

/// The 95th percentile; a failed read counts as never answered.
fn p95(times: &[Result<f64, String>]) -> f64 {
    let mut sorted: Vec<f64> = times
        .iter()
        .map(|t| *t.as_ref().unwrap_or(&f64::INFINITY))
        .collect();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)]
}

/// Waits for every flow, and checks each one connected (naming the error of one that did not).
async fn all_connected(flows: Vec<Promise>) {
    let n = flows.len();
    let mut out = Vec::new();
    for flow in flows {
        let result = resolve(flow).await;
        let outcome = text(&result, "outcome");
        out.push(match get(&result, "error") {
            e if e.is_null() => outcome,
            e => format!("{outcome} ({})", text(&e, "code")),
        });
    }
    assert_eq!(
        out,
        vec!["connected".to_string(); n],
        "every flow ends right"
    );
}

#[wasm_bindgen_test]
async fn twenty_five_flows_at_once_leave_the_page_its_connections() {
    let sess = session_at(plain_relay(), &unique("many")).await;
    let c = client_at(plain_relay(), &sess);
    let forms = forms(&c).await;
    let (flows, _answering) = start(&c, &forms, 25, 0);
    // The page goes on with its own reads while they run.
    delay(300).await;
    let mut times = timed_reads(&c, 10, 150).await;
    let streams = streams_open(plain_relay(), &sess.token).await;
    times.extend(timed_reads(&c, 10, 150).await);
    all_connected(flows).await;
    assert_eq!(streams, Some(1.0), "one event stream for the whole page");
    assert!(p95(&times) < 1000.0, "reads stayed prompt: {times:?}");
}

#[wasm_bindgen_test]
async fn two_clients_in_one_page_hold_one_stream_each() {
    let ada = session_at(plain_relay(), &unique("many-ada")).await;
    let bob = session_at(plain_relay(), &unique("many-bob")).await;
    let (a, b) = (
        client_at(plain_relay(), &ada),
        client_at(plain_relay(), &bob),
    );
    let forms = forms(&a).await;
    let (mut flows, _answering_a) = start(&a, &forms, 13, 0);
    let (more, _answering_b) = start(&b, &forms, 12, 13);
    flows.extend(more);
    delay(300).await;
    let mut times = timed_reads(&a, 10, 150).await;
    let streams = (
        streams_open(plain_relay(), &ada.token).await,
        streams_open(plain_relay(), &bob.token).await,
    );
    times.extend(timed_reads(&b, 10, 150).await);
    all_connected(flows).await;
    assert_eq!(
        streams,
        (Some(1.0), Some(1.0)),
        "one event stream per client"
    );
    assert!(p95(&times) < 1000.0, "reads stayed prompt: {times:?}");
}
