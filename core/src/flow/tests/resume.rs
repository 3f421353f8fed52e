//! Snapshots and resumes: what a snapshot holds, what a resumed flow does in each status,
//! and exactly one reported end whatever reloads, second tabs and duplicate pushes race.

use super::*;
use crate::flow::{EndLedger, FlowSnapshot};
use crate::ids::{MemberGuid, UserGuid};

const M: &str = "MBR-7c6f361b-e582-15b6-60c0-358f12466b4b";
const U: &str = "USR-fbc0ad4e-2fa4-4d87-8a2f-5b8c3d6e7f10";

fn ids() -> (UserGuid, MemberGuid) {
    (UserGuid::parse(U).unwrap(), MemberGuid::parse(M).unwrap())
}

/// A connect that created its member and reached `s`.
fn connect_at(s: &str, challenges: &[&str]) -> Flow {
    let mut f = begun(Start::Connect(create()), FlowOptions::default(), 7);
    f.step(member("CREATED"), 10);
    wake(&mut f, 300);
    f.step(status(s, s != "CHALLENGED", challenges), 400);
    f
}

fn resume(snap: &FlowSnapshot) -> (Flow, Vec<Command>) {
    let mut r = Flow::resume(snap, FlowOptions::default(), 99, None)
        .unwrap()
        .flow;
    let c = r.begin(1000);
    (r, c)
}

#[test]
fn a_snapshot_holds_no_credential_and_no_answer() {
    let (u, m) = ids();
    let mut f = connect_at("CHALLENGED", &["CRD-1"]);
    f.step(Observation::Answer(answer("CRD-1")), 500);
    let snap = f.snapshot(Some(&u), Some(&m));
    let text = format!("{snap:?}");
    for secret in ["correct", "hunter2", "CRD-1"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(snap.v, 1);
    assert_eq!(snap.kind, "connect");
    assert_eq!(snap.member_guid.as_deref(), Some(M));
    assert_eq!(snap.user_guid.as_deref(), Some(U));
    assert!(snap.started);
    assert_eq!(snap.run_id, f.run_id());
    assert_eq!(snap.run_id.len(), 16);
}

#[test]
fn a_resume_reads_first_and_re_asks_an_open_challenge() {
    let (u, m) = ids();
    let f = connect_at("CHALLENGED", &["CRD-1"]);
    let (mut r, c) = resume(&f.snapshot(Some(&u), Some(&m)));
    assert_eq!(sends(&c), [&Request::ReadMember], "a resume starts nothing");
    assert_eq!(r.run_id(), f.run_id(), "the run id survives");
    let c = r.step(member("CHALLENGED"), 1050);
    assert!(
        c.contains(&Command::Status("CHALLENGED".into())),
        "the app lands in the step"
    );
    assert_eq!(wake(&mut r, 1300), [Command::Send(Request::ReadStatus)]);
    let c = r.step(status("CHALLENGED", false, &["CRD-1"]), 1400);
    assert!(c.contains(&Command::Challenge), "{c:?}");
    let c = r.step(Observation::Answer(answer("CRD-1")), 1200);
    assert!(matches!(sends(&c)[..], [Request::Resume(_)]));
}

#[test]
fn a_resume_keeps_waiting_through_an_aggregation_and_ends_once() {
    let (u, m) = ids();
    let f = connect_at("SYNCING", &[]);
    let (mut r, _) = resume(&f.snapshot(Some(&u), Some(&m)));
    let c = r.step(status("SYNCING", true, &[]), 1100);
    assert!(matches!(c.last(), Some(Command::Wait(_))), "{c:?}");
    wake(&mut r, 2000);
    let c = r.step(status("CONNECTED", false, &[]), 2100);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    assert!(r.step(status("CONNECTED", false, &[]), 2200).is_empty());
}

#[test]
fn a_resume_of_an_ended_member_ends_at_once_and_a_deleted_one_clearly() {
    let (u, m) = ids();
    let f = connect_at("SYNCING", &[]);
    let snap = f.snapshot(Some(&u), Some(&m));
    let (mut r, _) = resume(&snap);
    let c = r.step(status("CONNECTED", false, &[]), 1100);
    assert_eq!(finish(&c).map(|f| f.outcome), Some(Outcome::Connected));
    let (mut gone, _) = resume(&snap);
    let c = gone.step(Observation::Failed(AtriumError::from_status(404)), 1100);
    let end = finish(&c).expect("a deleted member ends the flow");
    assert_eq!(end.outcome, Outcome::Failed);
    assert_eq!(end.error.as_ref().map(|e| e.status()), Some(404));
}

#[test]
fn a_process_snapshot_taken_before_its_start_starts_it() {
    let (u, m) = ids();
    let f = Flow::new(Start::Process(Process::Verify), FlowOptions::default(), 3);
    let snap = f.snapshot(Some(&u), Some(&m));
    assert!(!snap.started);
    let (mut r, _) = resume(&snap);
    let c = r.step(status("CONNECTED", false, &[]), 1100);
    assert_eq!(sends(&c), [&Request::Start(Process::Verify)]);
}

#[test]
fn bad_snapshots_are_refused_clearly() {
    let (u, m) = ids();
    let good = connect_at("SYNCING", &[]).snapshot(Some(&u), Some(&m));
    let unborn =
        Flow::new(Start::Connect(create()), FlowOptions::default(), 1).snapshot(None, None);
    let cases: [(FlowSnapshot, &str); 5] = [
        (
            FlowSnapshot {
                v: 2,
                ..good.clone()
            },
            "version 2",
        ),
        (
            FlowSnapshot {
                kind: "dance".into(),
                ..good.clone()
            },
            "snapshot.kind",
        ),
        (
            FlowSnapshot {
                member_guid: Some("USR-x".into()),
                ..good.clone()
            },
            "snapshot.member_guid",
        ),
        (
            FlowSnapshot {
                run_id: String::new(),
                ..good.clone()
            },
            "run_id",
        ),
        (unborn, "before its member was created"),
    ];
    for (snap, says) in cases {
        let e = Flow::resume(&snap, FlowOptions::default(), 1, None)
            .err()
            .expect(says);
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains(says), "{e} should say {says}");
    }
}

#[test]
fn the_ledger_reports_each_run_once_and_forgets_the_oldest() {
    let mut l = EndLedger::parse("");
    assert!(l.claim("a"));
    assert!(!l.claim("a"));
    let mut again = EndLedger::parse(&l.to_text());
    assert!(again.reported("a") && !again.claim("a"));
    for i in 0..crate::flow::ledger::LEDGER_SIZE {
        again.claim(&format!("r{i}"));
    }
    assert!(!again.reported("a"), "bounded");
    // A page that cancels gave up following; the run's real end is still to be reported.
    let mut l = EndLedger::default();
    assert!(l.claim_end("b", Outcome::Cancelled));
    assert!(l.claim_end("b", Outcome::Connected));
    assert!(!l.claim_end("b", Outcome::Connected));
    assert!(
        !l.claim_end("b", Outcome::Cancelled),
        "after the end, not a first report"
    );
}

/// Random reloads (a new flow from the snapshot, the old one gone), second tabs (another
/// flow from the same snapshot, both running), duplicate pushes and a few failures: every
/// flow ends at most once, and the run's end is reported exactly once in the shared ledger.
#[test]
fn reloads_resumes_tabs_and_duplicate_pushes_report_one_end() {
    let (u, m) = ids();
    let mut rnd = xorshift(0x9e37_79b9_7f4a_7c15u64);
    let statuses = [
        "CREATED",
        "SYNCING",
        "CHALLENGED",
        "CONNECTED",
        "DENIED",
        "FAILED",
    ];
    for run in 0..3000u64 {
        let mut ledger = EndLedger::default();
        let (mut reports, mut firsts) = (0, 0);
        let first = Flow::new(Start::Connect(create()), FlowOptions::default(), run + 1);
        let run_id = first.run_id().to_string();
        let mut tabs: Vec<(Flow, bool)> = vec![(first, false)];
        tabs[0].0.begin(0);
        tabs[0].0.step(member("CREATED"), 1);
        let mut now = 1;
        for _ in 0..60 {
            now += rnd(3000);
            let i = rnd(tabs.len() as u64) as usize;
            match rnd(10) {
                0 | 1 => {
                    // A reload (replace) or a second tab (add), from this tab's snapshot.
                    let snap = tabs[i].0.snapshot(Some(&u), Some(&m));
                    let mut r = Flow::resume(&snap, FlowOptions::default(), run + now, None)
                        .expect("a started connect resumes")
                        .flow;
                    r.begin(now);
                    if rnd(2) == 0 || tabs.len() > 2 {
                        tabs[i] = (r, false);
                    } else {
                        tabs.push((r, false));
                    }
                    continue;
                }
                _ => {}
            }
            let s = statuses[rnd(statuses.len() as u64) as usize];
            let obs = match rnd(8) {
                0 | 1 => now_obs(s),
                2 => Observation::Wake,
                3 => Observation::Failed(AtriumError::Network("x".into())),
                4 if rnd(8) == 0 => Observation::Failed(AtriumError::from_status(404)),
                5 if rnd(20) == 0 => Observation::Cancel,
                _ => status(
                    s,
                    s != "CHALLENGED" && rnd(2) == 0,
                    if s == "CHALLENGED" { &["CRD-1"] } else { &[] },
                ),
            };
            // The same push twice: a duplicate delivery.
            let repeat = if rnd(3) == 0 { 2 } else { 1 };
            for _ in 0..repeat {
                let (flow, ended) = &mut tabs[i];
                let cmds = flow.step(obs.clone(), now);
                for c in &cmds {
                    if let Command::Finish(_) = c {
                        assert!(!*ended, "run {run}: a flow ended twice");
                        *ended = true;
                        reports += 1;
                        if ledger.claim(flow.run_id()) {
                            firsts += 1;
                        }
                        assert_eq!(flow.run_id(), run_id, "one run id across resumes");
                    }
                }
            }
        }
        for (flow, ended) in &mut tabs {
            if !*ended {
                let cmds = flow.step(Observation::Wake, now + 11 * 60_000);
                if cmds.iter().any(|c| matches!(c, Command::Finish(_))) {
                    reports += 1;
                    if ledger.claim(flow.run_id()) {
                        firsts += 1;
                    }
                }
            }
        }
        assert!(reports >= 1, "run {run}: every tab ends");
        assert_eq!(
            firsts, 1,
            "run {run}: the run's end reported as first exactly once"
        );
    }
}

fn now_obs(s: &str) -> Observation {
    push(Push::Status(s.into()))
}
