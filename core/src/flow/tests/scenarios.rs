//! The guide's scenarios: connect with and without MFA, the status deciding before an
//! aggregation, conflicts, premium processes, failures, timeouts and the polling schedule.

use super::*;
use crate::error::ErrorCode;

#[test]
fn connect_without_mfa() {
    let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 7);
    assert!(matches!(sends(&f.begin(0))[..], [Request::CreateMember(_)]));
    let c = f.step(member("CREATED"), 10);
    assert!(c.contains(&Command::Status("CREATED".into())));
    assert!(c.contains(&Command::Wait(FAST_POLLS[0])));
    assert_eq!(sends(&wake(&mut f, 300)), vec![&Request::ReadStatus]);
    let c = f.step(status("CONNECTED", true, &[]), 320);
    assert!(c.contains(&Command::Status("CONNECTED".into())));
    assert!(finish(&c).is_none(), "still aggregating");
    wake(&mut f, 1000);
    let c = f.step(status("CONNECTED", false, &[]), 1010);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    assert!(
        !c.contains(&Command::Status("CONNECTED".into())),
        "each status once"
    );
    assert!(
        f.step(Observation::Wake, 2000).is_empty(),
        "nothing after the end"
    );
}

#[test]
fn two_challenge_rounds_and_checked_answers() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 7);
    f.step(member("CREATED"), 1);
    wake(&mut f, 2);
    let c = f.step(status("CHALLENGED", true, &["CRD-1"]), 3);
    assert!(c.contains(&Command::Challenge));
    assert!(c.contains(&Command::Wait(ANSWER_POLL)));
    assert_eq!(f.open_challenges(), ["CRD-1"]);
    assert!(
        f.check_answers(&answer("CRD-2")).is_err(),
        "an unknown guid"
    );
    assert!(f.check_answers(&[]).is_err(), "a missing answer");
    let c = f.step(Observation::Answer(answer("CRD-1")), 4);
    assert!(matches!(sends(&c)[..], [Request::Resume(a)] if a.len() == 1));
    f.step(member("RESUMED"), 5);
    wake(&mut f, 6);
    let c = f.step(status("CHALLENGED", true, &["CRD-9"]), 7);
    assert!(c.contains(&Command::Challenge), "a second round");
    f.step(Observation::Answer(answer("CRD-9")), 8);
    f.step(member("RESUMED"), 9);
    wake(&mut f, 10);
    let c = f.step(status("CONNECTED", false, &[]), 11);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
}

#[test]
fn a_wrong_answer_fails_as_rejected() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 7);
    f.step(member("CREATED"), 1);
    wake(&mut f, 2);
    f.step(status("CHALLENGED", true, &["CRD-1"]), 3);
    f.step(Observation::Answer(answer("CRD-1")), 4);
    f.step(member("RESUMED"), 5);
    wake(&mut f, 6);
    let c = f.step(status("REJECTED", false, &[]), 7);
    let end = finish(&c).expect("an end");
    assert_eq!(
        (
            end.outcome,
            end.connection_status.as_ref().map(|s| s.as_str())
        ),
        (Outcome::Failed, Some("REJECTED"))
    );
}

#[test]
fn the_status_decides_before_aggregating() {
    for (s, outcome, sends_start) in [
        ("CLOSED", Some(Outcome::Failed), false),
        ("DISABLED", Some(Outcome::Failed), false),
        ("LOCKED", Some(Outcome::NeedsUserAction), false),
        ("PENDING", Some(Outcome::NeedsUserAction), false),
        ("CONNECTED", None, true),
        ("FAILED", None, true),
        // A wrong answer's run has ended: "try again" is a new aggregation (guide, MFA).
        ("REJECTED", None, true),
        ("EXPIRED", None, true),
    ] {
        let mut f = Flow::new(
            Start::Process(Process::Aggregate),
            FlowOptions::default(),
            1,
        );
        assert_eq!(sends(&f.begin(0)), vec![&Request::ReadStatus]);
        let c = f.step(status(s, false, &[]), 1);
        assert_eq!(finish(&c).map(|f| f.outcome), outcome, "{s}");
        assert_eq!(
            sends(&c).contains(&&Request::Start(Process::Aggregate)),
            sends_start,
            "{s}"
        );
    }
    // Credentials first: read the member's credentials, then end without aggregating.
    let mut f = begun(
        Start::Process(Process::Aggregate),
        FlowOptions::default(),
        1,
    );
    let c = f.step(status("DENIED", false, &[]), 1);
    assert_eq!(sends(&c), vec![&Request::ListCredentials]);
    let c = f.step(Observation::Credentials, 2);
    assert_eq!(
        finish(&c).map(|f| f.outcome),
        Some(Outcome::NeedsCredentials)
    );
}

#[test]
fn a_running_aggregation_is_joined_not_restarted() {
    for (s, aggregating) in [
        ("CONNECTED", true),
        ("RESUMED", false),
        ("DELAYED", true),
        ("REJECTED", true),
    ] {
        let mut f = begun(
            Start::Process(Process::Aggregate),
            FlowOptions::default(),
            1,
        );
        let c = f.step(status(s, aggregating, &[]), 1);
        assert!(sends(&c).is_empty(), "{s}: no start");
        assert!(
            c.iter().any(|c| matches!(c, Command::Wait(_))),
            "{s}: watches"
        );
    }
    // A premium flow does not join a standard aggregation: it starts its own process.
    let mut f = begun(Start::Process(Process::Verify), FlowOptions::default(), 1);
    assert_eq!(
        sends(&f.step(status("CHALLENGED", true, &["CRD-1"]), 1)),
        vec![&Request::Start(Process::Verify)]
    );
    // A 202 from the start is the same kind already running: join it.
    let mut f = begun(Start::Process(Process::Verify), FlowOptions::default(), 1);
    f.step(status("CONNECTED", false, &[]), 1);
    let c = f.step(member("CONNECTED"), 2);
    assert!(c.contains(&Command::Wait(FAST_POLLS[0])));
    assert_eq!(sends(&wake(&mut f, 3)), vec![&Request::ReadStatus]);
}

#[test]
fn a_busy_member_is_an_outcome_or_a_wait() {
    let mut f = begun(Start::Process(Process::Verify), FlowOptions::default(), 1);
    f.step(status("CONNECTED", false, &[]), 1);
    let c = f.step(Observation::Failed(AtriumError::from_status(409)), 2);
    // The member is read for the result, then the flow ends `busy`, carrying the 409.
    assert_eq!(sends(&c), vec![&Request::ReadMember]);
    let c = f.step(member("CONNECTED"), 3);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::Busy);
    assert_eq!(
        end.error.as_ref().map(|e| e.code()),
        Some(ErrorCode::Conflict)
    );
    // If the member cannot be read, it still ends busy.
    let mut f = begun(Start::Process(Process::Verify), FlowOptions::default(), 1);
    f.step(status("CONNECTED", false, &[]), 1);
    f.step(Observation::Failed(AtriumError::from_status(409)), 2);
    let c = f.step(Observation::Failed(AtriumError::from_status(404)), 3);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Busy));

    let options = FlowOptions {
        wait_if_busy: true,
        ..FlowOptions::default()
    };
    let mut f = begun(Start::Process(Process::Verify), options, 1);
    f.step(status("CONNECTED", false, &[]), 1);
    let c = f.step(Observation::Failed(AtriumError::from_status(409)), 2);
    assert!(c.contains(&Command::Wait(BUSY_POLL)));
    wake(&mut f, 3);
    let c = f.step(status("CONNECTED", true, &[]), 4);
    assert!(
        sends(&c).is_empty() && c.contains(&Command::Wait(BUSY_POLL)),
        "still busy"
    );
    wake(&mut f, 5);
    let c = f.step(status("CONNECTED", false, &[]), 6);
    assert_eq!(
        sends(&c),
        vec![&Request::Start(Process::Verify)],
        "then it starts"
    );
}

#[test]
fn standard_aggregation_first_then_premium() {
    let options = FlowOptions {
        then: vec![Process::Verify, Process::Identify],
        ..FlowOptions::default()
    };
    let mut f = begun(Start::Process(Process::Aggregate), options, 1);
    assert_eq!(
        sends(&f.step(status("CONNECTED", false, &[]), 1)),
        vec![&Request::Start(Process::Aggregate)]
    );
    let mut started = Vec::new();
    let mut now = 2;
    f.step(member("CONNECTED"), now);
    for _ in 0..3 {
        now += 1;
        wake(&mut f, now);
        now += 1;
        let c = f.step(status("CONNECTED", false, &[]), now);
        if let Some(Request::Start(p)) = sends(&c).first() {
            started.push(*p);
            now += 1;
            f.step(member("CONNECTED"), now);
        } else {
            assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
        }
    }
    assert_eq!(started, vec![Process::Verify, Process::Identify]);
    assert!(f.is_done());
}

#[test]
fn refusals_are_clear_outcomes() {
    let mut f = begun(
        Start::Process(Process::Aggregate),
        FlowOptions::default(),
        1,
    );
    f.step(status("CONNECTED", false, &[]), 1);
    let c = f.step(Observation::Failed(AtriumError::from_status(403)), 2);
    let end = finish(&c).expect("an end");
    assert_eq!(
        (end.outcome, end.error.as_ref().map(|e| e.code())),
        (Outcome::Failed, Some(ErrorCode::Forbidden))
    );
}

#[test]
fn transient_errors_are_ridden_out_until_the_deadline() {
    let mut f = aggregate_within(60_000);
    let mut now = 0;
    let mut retries = 0;
    let end = loop {
        let mut err = if retries % 2 == 0 {
            AtriumError::from_status(503)
        } else {
            AtriumError::Timeout(30_000)
        };
        if let AtriumError::Http { retry_after_ms, .. } = &mut err {
            *retry_after_ms = Some(4000);
        }
        let c = f.step(Observation::Failed(err), now);
        if let Some(end) = finish(&c) {
            break end.clone();
        }
        let wait = c
            .iter()
            .find_map(|c| match c {
                Command::Wait(ms) => Some(*ms),
                _ => None,
            })
            .expect("a wait");
        assert!(wait <= 4000, "{wait}");
        if retries % 2 == 0 {
            assert!(wait >= 4000, "Retry-After honoured: {wait}");
        }
        now += u64::from(wait);
        let c = wake(&mut f, now);
        if let Some(end) = finish(&c) {
            break end.clone();
        }
        assert_eq!(sends(&c), vec![&Request::ReadStatus]);
        retries += 1;
    };
    assert!(retries > 5, "more than a few: {retries}");
    assert_eq!(end.outcome, Outcome::TimedOut, "never failed by a blink");
    assert_eq!(
        end.error.as_ref().map(|e| e.code()),
        Some(ErrorCode::Timeout)
    );
    assert!(now >= 60_000 && f.deadline() == 60_000);
    // A create refused untaken (429) is sent again after Retry-After.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    let mut limited = AtriumError::from_status(429);
    if let AtriumError::Http { retry_after_ms, .. } = &mut limited {
        *retry_after_ms = Some(2000);
    }
    let c = f.step(Observation::Failed(limited), 1);
    assert!(
        c.iter()
            .any(|c| matches!(c, Command::Wait(ms) if *ms >= 2000)),
        "{c:?}"
    );
    assert_eq!(
        sends(&wake(&mut f, 2001)),
        vec![&Request::CreateMember(create())]
    );
    // A create that failed on the network may have happened: sent once more (Atrium refuses
    // a second member like it), and a second failure ends the flow with its error.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    let c = f.step(Observation::Failed(AtriumError::Network("reset".into())), 1);
    assert!(finish(&c).is_none(), "{c:?}");
    assert_eq!(
        sends(&wake(&mut f, 2000)),
        vec![&Request::CreateMember(create())]
    );
    let c = f.step(Observation::Failed(AtriumError::from_status(502)), 2001);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::Failed);
    assert_eq!(end.error.as_ref().map(|e| e.status()), Some(502));
    // An OAuth create (no credentials) could make a second member: never sent again.
    let oauth = CreateMember {
        is_oauth: Some(true),
        ..CreateMember::new("mxbank_oauth".into())
    };
    let mut f = begun(Start::Connect(oauth), FlowOptions::default(), 1);
    let c = f.step(Observation::Failed(AtriumError::Network("reset".into())), 1);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::Failed);
    assert_eq!(
        end.error.as_ref().map(|e| e.code()),
        Some(ErrorCode::Network)
    );
}

#[test]
fn a_create_that_happened_unanswered_is_found_and_followed() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    f.step(Observation::Failed(AtriumError::from_status(502)), 1);
    assert_eq!(
        sends(&wake(&mut f, 2000)),
        vec![&Request::CreateMember(create())]
    );
    // The first create had happened: the second is a duplicate of it.
    let c = f.step(Observation::Failed(AtriumError::from_status(409)), 2001);
    assert_eq!(sends(&c), vec![&Request::ListMembers]);
    let c = f.step(
        Observation::Members(vec![
            facts("MBR-1", "chase", None),
            facts("MBR-2", "mxbank", None),
        ]),
        2002,
    );
    let adopted = MemberGuid::parse("MBR-2").expect("a member GUID");
    assert!(c.contains(&Command::Adopt(adopted)), "{c:?}");
    assert_eq!(sends(&c), vec![&Request::ReadMember]);
    assert!(finish(&c).is_none());
    // From its document on, it is the flow's member, as after a create.
    let c = f.step(member("CONNECTED"), 2003);
    assert!(c.contains(&Command::Status("CONNECTED".into())), "{c:?}");
    wake(&mut f, 4000);
    let c = f.step(status("CONNECTED", false, &[]), 4001);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::Connected);
    assert_eq!(end.error, None);
    // Not found for sure (two at the institution): a duplicate, as any 409 of a create.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    f.step(Observation::Failed(AtriumError::Network("reset".into())), 1);
    wake(&mut f, 2000);
    f.step(Observation::Failed(AtriumError::from_status(409)), 2001);
    let c = f.step(
        Observation::Members(vec![
            facts("MBR-1", "mxbank", None),
            facts("MBR-2", "mxbank", None),
        ]),
        2002,
    );
    assert_eq!(finish(&c).map(|e| e.outcome), Some(Outcome::Duplicate));
}

#[test]
fn every_loop_is_bounded() {
    let mut f = aggregate_within(60_000);
    f.step(status("CONNECTED", true, &[]), 1);
    let mut now = 1;
    let mut end = None;
    for _ in 0..10_000 {
        now += 3000;
        let mut c = wake(&mut f, now);
        if finish(&c).is_none() {
            c = f.step(status("CONNECTED", true, &[]), now);
        }
        if let Some(e) = finish(&c) {
            end = Some(e.clone());
            break;
        }
    }
    let end = end.expect("an end");
    assert_eq!(end.outcome, Outcome::TimedOut);
    assert_eq!(
        end.error.as_ref().map(|e| e.code()),
        Some(ErrorCode::Timeout)
    );
    assert!(now <= 60_000 + 3001);
    let options = FlowOptions {
        max_requests: 5,
        ..FlowOptions::default()
    };
    let mut f = begun(Start::Process(Process::Aggregate), options, 1);
    let mut n = 1;
    loop {
        let c = f.step(status("DELAYED", true, &[]), n);
        if finish(&c).is_some() {
            break;
        }
        wake(&mut f, n);
        n += 1;
        assert!(n < 10, "the request cap ends it");
    }
}

#[test]
fn cancel_ends_at_once() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    let c = f.step(Observation::Cancel, 1);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Cancelled));
    assert!(f.step(member("CREATED"), 2).is_empty());
}

#[test]
fn the_schedule_starts_fast_then_backs_off_to_the_cap() {
    let mut f = Flow::new(
        Start::Process(Process::Aggregate),
        FlowOptions::default(),
        99,
    );
    let delays: Vec<u32> = (0..12).map(|_| f.next_poll()).collect();
    assert_eq!(&delays[..3], &FAST_POLLS);
    assert!(
        delays[3..].iter().all(|d| (800..=POLL_CAP).contains(d)),
        "{delays:?}"
    );
    assert!(
        delays[8..].iter().all(|d| *d >= 2400),
        "near the cap: {delays:?}"
    );
}

fn facts(guid: &str, code: &str, identifier: Option<&str>) -> MemberFacts {
    MemberFacts {
        guid: MemberGuid::parse(guid).expect("a member GUID"),
        institution_code: Some(code.into()),
        identifier: identifier.map(str::to_string),
    }
}

#[test]
fn a_duplicate_member_is_an_outcome_with_the_member_that_exists() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    let c = f.step(Observation::Failed(AtriumError::from_status(409)), 1);
    assert_eq!(sends(&c), vec![&Request::ListMembers]);
    let c = f.step(
        Observation::Members(vec![
            facts("MBR-1", "chase", None),
            facts("MBR-2", "mxbank", None),
        ]),
        2,
    );
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::Duplicate);
    assert_eq!(
        end.existing_member.as_ref().map(|g| g.as_str()),
        Some("MBR-2")
    );
    assert_eq!(end.error.as_ref().map(|e| e.status()), Some(409));
    // Two at the institution: which one is not known, so none is named.
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    f.step(Observation::Failed(AtriumError::from_status(409)), 1);
    let c = f.step(
        Observation::Members(vec![
            facts("MBR-1", "mxbank", None),
            facts("MBR-2", "mxbank", None),
        ]),
        2,
    );
    assert_eq!(finish(&c).map(|e| e.existing_member.clone()), Some(None));
    // An identifier asked for names the member that holds it.
    let asked = CreateMember {
        identifier: Some("acct-7".into()),
        ..create()
    };
    let mut f = begun(Start::Connect(asked), FlowOptions::default(), 1);
    f.step(Observation::Failed(AtriumError::from_status(409)), 1);
    let c = f.step(
        Observation::Members(vec![
            facts("MBR-1", "mxbank", Some("acct-7")),
            facts("MBR-2", "mxbank", None),
        ]),
        2,
    );
    assert_eq!(
        finish(&c).and_then(|e| e.existing_member.as_ref().map(|g| g.to_string())),
        Some("MBR-1".to_string())
    );
}

#[test]
fn the_result_carries_what_the_documents_said() {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 1);
    f.step(
        Observation::Member {
            connection_status: "PENDING".into(),
            oauth_window_uri: Some("https://bank.example/oauth".into()),
        },
        1,
    );
    wake(&mut f, 300);
    let c = f.step(
        Observation::Status {
            connection_status: "PENDING".into(),
            is_being_aggregated: false,
            challenges: Vec::new(),
            successfully_aggregated_at: Some("2026-01-01T00:00:00Z".into()),
        },
        301,
    );
    assert!(c.contains(&Command::OAuth), "{c:?}");
    // An app that handles no `oauth` event gets the flow's end, as before.
    let c = f.step(Observation::OAuthUnhandled, 302);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::NeedsUserAction);
    assert_eq!(
        end.oauth_window_uri.as_deref(),
        Some("https://bank.example/oauth")
    );
    assert_eq!(
        end.successfully_aggregated_at.as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
    assert_eq!(end.connection_status, Some(ConnectionStatus::Pending));
}

#[test]
fn the_deadline_ends_a_flow_whatever_it_was_doing() {
    let mut f = Flow::new(Start::Connect(create()), FlowOptions::default(), 1);
    // `run({ timeoutMs })` may come before the driver begins the flow: the tighter one holds.
    f.limit(5_000);
    f.begin(1_000);
    assert_eq!(f.deadline(), 5_000);
    f.step(member("CREATED"), 1_100);
    wake(&mut f, 1_400);
    // The deadline cut the read short: that failure is the timeout's.
    let c = f.step(Observation::Failed(AtriumError::Aborted), 5_000);
    let end = finish(&c).expect("an end");
    assert_eq!(end.outcome, Outcome::TimedOut);
    assert_eq!(
        end.error.as_ref().map(|e| e.code()),
        Some(ErrorCode::Timeout)
    );
    assert_eq!(end.connection_status, Some(ConnectionStatus::Created));
    assert!(f.step(Observation::Wake, 6_000).is_empty(), "ended once");
}
