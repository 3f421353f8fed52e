//! The OAuth window as a step of the flow: asked for once, followed to its end, and a window
//! that says nothing or is closed ends the flow with a reason, not a hang.

use super::*;
use crate::oauth::{OAuthEnd, OAuthReason};
use crate::options::OAuthWindowOptions;

const URI: &str = "http://127.0.0.1:9001/oauth/window/u/m?token=t";

/// A connect of an OAuth member, answered PENDING with its window.
fn created_pending() -> Flow {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 5);
    f.step(
        Observation::Member {
            connection_status: "PENDING".into(),
            oauth_window_uri: Some(URI.into()),
        },
        10,
    );
    f
}

/// `created_pending`, and the first read.
fn at_window() -> (Flow, Vec<Command>) {
    let mut f = created_pending();
    wake(&mut f, 300);
    let c = f.step(status("PENDING", false, &[]), 400);
    (f, c)
}

#[test]
fn pending_asks_for_the_window_once_then_watches_until_connected() {
    let (mut f, c) = at_window();
    assert!(c.contains(&Command::OAuth), "{c:?}");
    assert_eq!(c.last(), Some(&Command::Wait(OAUTH_POLL)));
    assert!(f.at_oauth_window());
    wake(&mut f, 3500);
    let c = f.step(status("PENDING", false, &[]), 3600);
    assert!(!c.contains(&Command::OAuth), "asked once");
    // The window says it worked: read at once, then follow the aggregation.
    let c = f.step(Observation::OAuth(OAuthEnd::Success), 3700);
    assert_eq!(sends(&c), [&Request::ReadStatus]);
    let c = f.step(status("SYNCING", true, &[]), 3800);
    assert!(matches!(c.last(), Some(Command::Wait(_))));
    wake(&mut f, 5000);
    let c = f.step(status("CONNECTED", false, &[]), 5100);
    let end = finish(&c).unwrap();
    assert_eq!(end.outcome, Outcome::Connected);
    assert_eq!(end.oauth_window_uri.as_deref(), Some(URI));
}

#[test]
fn a_denied_window_ends_as_the_status_says() {
    let (mut f, _) = at_window();
    let c = f.step(
        Observation::OAuth(OAuthEnd::Error(OAuthReason::Denied)),
        1000,
    );
    assert_eq!(sends(&c), [&Request::ReadStatus]);
    let c = f.step(status("DENIED", false, &[]), 1100);
    assert_eq!(
        sends(&c),
        [&Request::ListCredentials],
        "needs_credentials reads the form"
    );
    let c = f.step(Observation::Credentials, 1200);
    assert_eq!(finish(&c).unwrap().outcome, Outcome::NeedsCredentials);
}

#[test]
fn a_closed_window_ends_after_a_bounded_wait_saying_so() {
    let (mut f, _) = at_window();
    let mut c = f.step(Observation::OAuthClosed, 1000);
    let mut reads = 0;
    let mut t = 1000;
    while finish(&c).is_none() {
        assert!(reads <= OAUTH_GRACE_READS + 1, "bounded");
        if sends(&c).is_empty() {
            t += u64::from(OAUTH_GRACE_POLL);
            c = wake(&mut f, t);
            continue;
        }
        reads += 1;
        t += 50;
        c = f.step(status("PENDING", false, &[]), t);
    }
    let end = finish(&c).unwrap();
    assert_eq!(end.outcome, Outcome::NeedsUserAction);
    assert_eq!(end.error, Some(AtriumError::OAuth(OAuthReason::Closed)));
    assert!(
        t < 10_000,
        "ended within seconds, not at the flow's timeout"
    );
}

#[test]
fn a_closing_after_a_message_keeps_the_message_reason() {
    let (mut f, _) = at_window();
    f.step(
        Observation::OAuth(OAuthEnd::Error(OAuthReason::Cancelled)),
        1000,
    );
    f.step(Observation::OAuthClosed, 1001);
    let mut t = 1000;
    let mut end = None;
    for _ in 0..10 {
        t += 1000;
        let c = f.step(status("PENDING", false, &[]), t);
        if let Some(e) = finish(&c) {
            end = Some(e.clone());
            break;
        }
        wake(&mut f, t + 1000);
    }
    let end = end.expect("ends");
    assert_eq!(end.error, Some(AtriumError::OAuth(OAuthReason::Cancelled)));
}

#[test]
fn without_anyone_to_open_the_window_pending_ends_as_before() {
    let (mut f, c) = at_window();
    assert!(c.contains(&Command::OAuth));
    let c = f.step(Observation::OAuthUnhandled, 500);
    let end = finish(&c).unwrap();
    assert_eq!(end.outcome, Outcome::NeedsUserAction);
    assert_eq!(end.error, None);
    assert_eq!(end.oauth_window_uri.as_deref(), Some(URI));
}

#[test]
fn a_redirect_back_resumes_to_connected() {
    let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 5);
    f.begin(0);
    f.step(
        Observation::Member {
            connection_status: "PENDING".into(),
            oauth_window_uri: Some(URI.into()),
        },
        10,
    );
    let snap = f.snapshot(None, Some(&crate::ids::MemberGuid::parse("MBR-1").unwrap()));
    let mut r = Flow::resume(&snap, FlowOptions::default(), 6, Some(OAuthEnd::Success))
        .unwrap()
        .flow;
    r.begin(100);
    // The bank's word may land a moment after the redirect: PENDING is read again quickly.
    let c = r.step(status("PENDING", false, &[]), 200);
    assert_eq!(c.last(), Some(&Command::Wait(OAUTH_GRACE_POLL)));
    wake(&mut r, 1200);
    let c = r.step(status("CONNECTED", false, &[]), 1300);
    assert_eq!(finish(&c).unwrap().outcome, Outcome::Connected);
}

#[test]
fn the_stream_coming_up_does_not_postpone_the_first_read_of_a_pending_member() {
    let mut f = created_pending();
    // No webhook ever comes for a member waiting at its window: it must be read soon.
    let c = f.step(push(Push::Up), 20);
    assert_eq!(c, [Command::Wait(FAST_POLLS[0])]);
    let c = wake(&mut f, 300);
    let c2 = f.step(status("PENDING", false, &[]), 400);
    assert_eq!(sends(&c), [&Request::ReadStatus]);
    assert!(c2.contains(&Command::OAuth));
}

/// Signing a refused OAuth member in again: its fresh window asked for, then read DENIED.
fn reauthorizing() -> (Flow, Vec<Command>) {
    let mut f = Flow::new(
        Start::Reauthorize(OAuthWindowOptions::default()),
        FlowOptions::default(),
        5,
    );
    let c = f.begin(0);
    assert_eq!(
        sends(&c),
        [&Request::OAuthWindow(OAuthWindowOptions::default())]
    );
    f.step(
        Observation::Member {
            connection_status: "DENIED".into(),
            oauth_window_uri: Some(URI.into()),
        },
        10,
    );
    wake(&mut f, 300);
    let c = f.step(status("DENIED", false, &[]), 400);
    (f, c)
}

#[test]
fn signing_in_again_holds_the_stale_status_until_the_fresh_window_speaks() {
    let (mut f, c) = reauthorizing();
    assert!(
        c.contains(&Command::OAuth),
        "the fresh window is asked for: {c:?}"
    );
    assert!(
        finish(&c).is_none(),
        "DENIED from before the window is no end"
    );
    assert!(f.at_oauth_window());
    wake(&mut f, 3500);
    let c = f.step(status("DENIED", false, &[]), 3600);
    assert!(
        finish(&c).is_none() && !c.contains(&Command::OAuth),
        "still waiting, asked once"
    );
    let c = f.step(Observation::OAuth(OAuthEnd::Success), 3700);
    assert_eq!(sends(&c), [&Request::ReadStatus]);
    f.step(status("SYNCING", true, &[]), 3800);
    wake(&mut f, 5000);
    let c = f.step(status("CONNECTED", false, &[]), 5100);
    assert_eq!(finish(&c).unwrap().outcome, Outcome::Connected);
    // Its snapshot says what it was: resumed, it still waits for the window's word.
    let snap = f.snapshot(None, Some(&crate::ids::MemberGuid::parse("MBR-1").unwrap()));
    assert_eq!(snap.kind, "reauthorize");
}

#[test]
fn signing_in_again_refused_again_ends_saying_why() {
    let (mut f, _) = reauthorizing();
    let mut c = f.step(
        Observation::OAuth(OAuthEnd::Error(OAuthReason::Denied)),
        1000,
    );
    let mut t = 1000;
    while finish(&c).is_none() {
        assert!(t < 20_000, "bounded");
        if sends(&c).is_empty() {
            t += u64::from(OAUTH_GRACE_POLL);
            c = wake(&mut f, t);
            continue;
        }
        t += 50;
        c = f.step(status("DENIED", false, &[]), t);
    }
    let end = finish(&c).unwrap();
    assert_eq!(end.outcome, Outcome::NeedsUserAction);
    assert_eq!(end.error, Some(AtriumError::OAuth(OAuthReason::Denied)));
}

#[test]
fn a_fresh_window_that_cannot_be_had_is_asked_again_then_the_flow_fails_clearly() {
    let mut f = Flow::new(
        Start::Reauthorize(OAuthWindowOptions::default()),
        FlowOptions::default(),
        5,
    );
    f.begin(0);
    // A blink of the network: the same read again after a backoff.
    let c = f.step(
        Observation::Failed(AtriumError::Network("reset".into())),
        10,
    );
    assert!(matches!(c.last(), Some(Command::Wait(_))));
    let c = wake(&mut f, 5_000);
    assert_eq!(
        sends(&c),
        [&Request::OAuthWindow(OAuthWindowOptions::default())]
    );
    // Not an OAuth member (400): a failure with the API's words, not a hang.
    let c = f.step(
        Observation::Failed(AtriumError::invalid("Member cannot use OAuth.")),
        5_100,
    );
    assert_eq!(finish(&c).unwrap().outcome, Outcome::Failed);
}

#[test]
fn signing_in_again_waits_for_the_window_even_while_an_aggregation_runs() {
    let mut f = Flow::new(
        Start::Reauthorize(OAuthWindowOptions::default()),
        FlowOptions::default(),
        5,
    );
    f.begin(0);
    // MX's window answer may carry no status: it is no status news.
    let c = f.step(
        Observation::Member {
            connection_status: "".into(),
            oauth_window_uri: Some(URI.into()),
        },
        10,
    );
    assert!(!c.iter().any(|c| matches!(c, Command::Status(_))), "{c:?}");
    wake(&mut f, 300);
    // A background aggregation of the member's old sign-in: the window is still asked for.
    let c = f.step(status("SYNCING", true, &[]), 400);
    assert!(c.contains(&Command::OAuth), "{c:?}");
    wake(&mut f, 3500);
    let c = f.step(status("CONNECTED", false, &[]), 3600);
    assert!(finish(&c).is_none(), "its end is not the sign-in's");
    // Signed in; the member was and stays CONNECTED (no new run): that is the connection.
    f.step(Observation::OAuth(OAuthEnd::Success), 3700);
    let c = f.step(status("CONNECTED", false, &[]), 3800);
    assert_eq!(finish(&c).unwrap().outcome, Outcome::Connected);
}

#[test]
fn a_resumed_sign_in_again_rides_out_a_lagging_status_after_the_redirect_back() {
    let (f, _) = reauthorizing();
    let snap = f.snapshot(None, Some(&crate::ids::MemberGuid::parse("MBR-1").unwrap()));
    let mut r = Flow::resume(&snap, FlowOptions::default(), 6, Some(OAuthEnd::Success))
        .unwrap()
        .flow;
    r.begin(100);
    // Back from the bank, which said yes; the member still reads DENIED a moment.
    let c = r.step(status("DENIED", false, &[]), 200);
    assert!(
        finish(&c).is_none(),
        "not ended on the status from before: {c:?}"
    );
    assert_eq!(c.last(), Some(&Command::Wait(OAUTH_GRACE_POLL)));
    wake(&mut r, 1200);
    r.step(status("SYNCING", true, &[]), 1300);
    wake(&mut r, 3000);
    let c = r.step(status("CONNECTED", false, &[]), 3100);
    assert_eq!(finish(&c).unwrap().outcome, Outcome::Connected);
}
