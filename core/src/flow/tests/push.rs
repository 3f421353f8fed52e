//! Flows on push: reads only for challenges and ends, stale pushes set aside, a broken
//! stream falling back on polling.

use super::*;

#[test]
fn on_push_an_mfa_connect_reads_only_for_challenges_and_the_end() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    let mut read = 0;
    let c = f.step(member("CREATED"), 1);
    assert_eq!(
        c,
        vec![
            Command::Status("CREATED".into()),
            Command::Wait(FAST_POLLS[0])
        ],
        "no stream yet: poll"
    );
    let c = f.step(push(Push::Up), 2);
    assert_eq!(
        c,
        vec![Command::Wait(PUSH_POLL)],
        "a stream: the long safety wait"
    );
    let c = f.step(now("CREATED", true), 3);
    assert_eq!(c, vec![Command::Wait(PUSH_POLL)]);
    let c = f.step(push(Push::Status("CHALLENGED".into())), 4);
    read += reads(&c);
    assert_eq!(read, 1, "challenges are read at once");
    let c = f.step(status("CHALLENGED", true, &["CRD-1"]), 5);
    assert!(c.contains(&Command::Status("CHALLENGED".into())));
    assert!(c.contains(&Command::Challenge));
    f.step(Observation::Answer(answer("CRD-1")), 6);
    // A late push of the challenge just answered (sent before the answer landed): set
    // aside until the push of the answer's own RESUMED.
    let c = f.step(push(Push::Status("CHALLENGED".into())), 7);
    assert_eq!(c, Vec::new(), "not waiting: the driver holds it");
    let c = f.step(member("RESUMED"), 8);
    assert_eq!(
        c,
        vec![Command::Status("RESUMED".into()), Command::Wait(PUSH_POLL)]
    );
    let c = f.step(push(Push::Status("CHALLENGED".into())), 9);
    assert_eq!(
        c,
        vec![Command::Wait(PUSH_POLL)],
        "a stale push: no read, no news"
    );
    let c = f.step(push(Push::Status("RESUMED".into())), 10);
    assert_eq!(c, vec![Command::Wait(PUSH_POLL)], "the fence lifts");
    // Signed in: told at once, from the push; the data is still coming.
    let c = f.step(push(Push::Status("CONNECTED".into())), 11);
    assert_eq!(
        c,
        vec![
            Command::Status("CONNECTED".into()),
            Command::Wait(PUSH_POLL)
        ]
    );
    let c = f.step(push(Push::Aggregated), 12);
    read += reads(&c);
    assert_eq!(read, 2, "and the end is confirmed by one read");
    let c = f.step(status("CONNECTED", false, &[]), 13);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
}

#[test]
fn a_snapshot_from_before_new_credentials_is_read_not_told() {
    let creds = vec![GuidValue {
        guid: "CRD-1".into(),
        value: "x".into(),
    }];
    let mut f = begun(Start::UpdateCredentials(creds), FlowOptions::default(), 3);
    f.step(member("UPDATED"), 1);
    f.step(push(Push::Up), 2);
    // The stream opened before the update landed: its "current" DENIED is the past, which
    // a snapshot cannot tell from a change since: a read can.
    let c = f.step(now("DENIED", false), 3);
    assert_eq!(c, vec![Command::Send(Request::ReadStatus)]);
    let c = f.step(status("UPDATED", true, &[]), 4);
    assert!(!c.contains(&Command::Status("DENIED".into())), "never told");
    // The update's own webhook is now an echo of what the read saw; a new DENIED is news.
    let c = f.step(push(Push::Status("UPDATED".into())), 5);
    assert_eq!(c, vec![Command::Wait(PUSH_POLL)]);
    let c = f.step(push(Push::Status("DENIED".into())), 6);
    assert!(
        c.contains(&Command::Status("DENIED".into())),
        "now it is news"
    );
    assert_eq!(reads(&c), 1, "and an end to confirm");
}

#[test]
fn a_broken_stream_falls_back_to_polling_and_loses_nothing() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    f.step(member("CREATED"), 1);
    f.step(push(Push::Up), 2);
    // The stream breaks: read now (a change may have been missed), then poll quickly.
    let c = f.step(push(Push::Down), 3);
    assert_eq!(reads(&c), 1);
    let c = f.step(status("CONNECTED", true, &[]), 4);
    assert!(c.contains(&Command::Status("CONNECTED".into())));
    assert!(
        c.iter()
            .any(|c| matches!(c, Command::Wait(ms) if *ms <= POLL_CAP)),
        "polling again: {c:?}"
    );
    // And back on a new stream: its current status ends the flow when idle.
    f.step(push(Push::Up), 5);
    let c = f.step(now("CONNECTED", false), 6);
    assert_eq!(reads(&c), 1, "an idle end is confirmed");
    let c = f.step(status("CONNECTED", false, &[]), 7);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
}

#[test]
fn pushed_ends_and_premium_processes_read_at_once() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    f.step(member("CREATED"), 1);
    f.step(push(Push::Up), 2);
    f.step(push(Push::Status("CREATED".into())), 3);
    let c = f.step(push(Push::Status("DENIED".into())), 4);
    assert_eq!(reads(&c), 1, "an end status is confirmed by a read");
    // A premium process: its end is no status change, so any push wakes a read.
    let mut f = begun(Start::Process(Process::Verify), FlowOptions::default(), 3);
    f.step(status("CONNECTED", false, &[]), 1);
    let c = f.step(member("CONNECTED"), 2);
    assert_eq!(
        c,
        vec![Command::Wait(FAST_POLLS[0])],
        "CONNECTED was told before"
    );
    let c = f.step(push(Push::Up), 3);
    assert_eq!(
        c,
        vec![Command::Wait(FAST_POLLS[0])],
        "premium flows keep polling"
    );
    let c = f.step(push(Push::Status("CONNECTED".into())), 4);
    assert_eq!(reads(&c), 1);
    // A push while a request is in flight changes nothing (the driver holds it back).
    assert!(f.step(push(Push::Aggregated), 5).is_empty());
}

#[test]
fn a_connect_reads_when_its_snapshot_runs_ahead_of_its_own_webhook() {
    // The stream opens late (a busy page): the create's CREATED may have gone out before it
    // did, and its snapshot already shows the challenge. Waiting for CREATED could wait for
    // ever; a read says where things stand.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    f.step(member("CREATED"), 1);
    f.step(push(Push::Up), 2);
    let c = f.step(now("CHALLENGED", true), 3);
    assert_eq!(c, vec![Command::Send(Request::ReadStatus)]);
    let c = f.step(status("CHALLENGED", true, &["CRD-1"]), 4);
    assert!(c.contains(&Command::Challenge));
    // The create's late webhooks: an echo, then a challenge already being answered.
    let c = f.step(push(Push::Status("CREATED".into())), 5);
    assert_eq!(reads(&c), 0);
    assert!(!c.contains(&Command::Status("CREATED".into())));
    let c = f.step(push(Push::Status("CHALLENGED".into())), 6);
    assert_eq!(reads(&c), 0);
    // Had a read come first, the create's late webhook would be an echo, and dropped.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    f.step(member("CREATED"), 1);
    f.step(push(Push::Up), 2);
    f.step(push(Push::Down), 3);
    f.step(status("CHALLENGED", true, &["CRD-1"]), 4);
    f.step(push(Push::Up), 5);
    let c = f.step(push(Push::Status("CREATED".into())), 6);
    assert!(
        !c.contains(&Command::Status("CREATED".into())),
        "never back to CREATED: {c:?}"
    );
}

#[test]
fn an_oauth_member_created_pending_ends_at_once_on_push() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 3);
    let c = f.step(member("PENDING"), 1);
    assert_eq!(
        c,
        vec![
            Command::Status("PENDING".into()),
            Command::Wait(FAST_POLLS[0])
        ],
        "no push may come for PENDING: read it back"
    );
    // The stream opens (after the create, as the driver opens it lazily); its snapshot of
    // the new member is the write's own status: news, not a stale push.
    f.step(push(Push::Up), 2);
    let c = f.step(now("PENDING", false), 3);
    assert_eq!(reads(&c), 1);
    let c = f.step(status("PENDING", false, &[]), 4);
    assert_eq!(
        finish(&c).map(|f| f.outcome),
        Some(Outcome::NeedsUserAction)
    );
}
