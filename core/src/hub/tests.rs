//! The hub's rules: one stream for all flows, opened lazily and closed after the last;
//! routine cuts resumed silently, failures told and backed off; events to the right flows.

use super::*;

fn open(generation: u64, last_id: Option<&str>, fresh_token: bool) -> HubCommand {
    HubCommand::Open {
        generation,
        last_id: last_id.map(str::to_string),
        fresh_token,
    }
}

fn status(s: &str) -> Push {
    Push::Status(s.into())
}

/// A hub with one stream up and flows 1 (member A) and 2 (member B) on it.
fn up_with_two() -> FlowHub {
    let mut hub = FlowHub::default();
    assert_eq!(hub.subscribe(1, Some("MBR-A")), vec![open(1, None, false)]);
    assert_eq!(hub.subscribe(2, Some("MBR-B")), vec![], "no second stream");
    let told = hub.opened(1, 200, 0);
    assert_eq!(
        told,
        vec![
            HubCommand::Deliver(1, Push::Up),
            HubCommand::Deliver(2, Push::Up)
        ]
    );
    hub
}

#[test]
fn one_stream_for_every_flow_closed_after_the_last() {
    let mut hub = up_with_two();
    assert!(hub.streaming());
    for flow in 3..=25 {
        let cmds = hub.subscribe(flow, Some(&format!("MBR-{flow}")));
        assert!(
            !cmds.iter().any(|c| matches!(c, HubCommand::Open { .. })),
            "{cmds:?}"
        );
        assert_eq!(cmds, vec![HubCommand::Deliver(flow, Push::Up)]);
    }
    for flow in 1..25 {
        assert_eq!(hub.unsubscribe(flow), vec![]);
    }
    assert_eq!(hub.unsubscribe(25), vec![HubCommand::Close]);
    assert!(!hub.streaming());
    // A later flow opens a new stream, from scratch (nothing to resume).
    assert_eq!(hub.subscribe(26, None), vec![open(3, None, false)]);
}

#[test]
fn events_go_to_the_flows_of_their_member() {
    let mut hub = up_with_two();
    assert_eq!(
        hub.subscribe(3, Some("MBR-A")),
        vec![HubCommand::Deliver(3, Push::Up)]
    );
    let cmds = hub.event(1, Some("7"), "MBR-A", status("CHALLENGED"));
    assert_eq!(
        cmds,
        vec![
            HubCommand::Deliver(1, status("CHALLENGED")),
            HubCommand::Deliver(3, status("CHALLENGED"))
        ]
    );
    assert_eq!(
        hub.event(1, Some("8"), "MBR-C", status("CONNECTED")),
        vec![]
    );
    // A stale stream's events (an earlier generation) reach nobody.
    assert_eq!(hub.event(0, Some("9"), "MBR-A", Push::Aggregated), vec![]);
}

#[test]
fn a_connect_hears_what_came_before_it_knew_its_member() {
    let mut hub = up_with_two();
    assert_eq!(
        hub.subscribe(3, None),
        vec![],
        "no member yet, nothing to tell"
    );
    // The member's first events race the create's answer.
    assert_eq!(
        hub.event(1, Some("5"), "MBR-NEW", status("CREATED")),
        vec![]
    );
    assert_eq!(
        hub.event(1, Some("6"), "MBR-NEW", status("CHALLENGED")),
        vec![]
    );
    assert_eq!(
        hub.member_known(3, "MBR-NEW"),
        vec![
            HubCommand::Deliver(3, Push::Up),
            HubCommand::Deliver(3, status("CREATED")),
            HubCommand::Deliver(3, status("CHALLENGED")),
        ]
    );
    // Events from before the flow came are someone else's past.
    let mut hub = up_with_two();
    hub.event(1, Some("5"), "MBR-OLD", status("DENIED"));
    hub.subscribe(4, None);
    assert_eq!(
        hub.member_known(4, "MBR-OLD"),
        vec![HubCommand::Deliver(4, Push::Up)]
    );
}

#[test]
fn a_routine_cut_is_resumed_by_id_without_telling_the_flows() {
    let mut hub = up_with_two();
    hub.event(1, Some("41"), "MBR-A", status("CREATED"));
    assert_eq!(hub.ended(1, 60_000), vec![open(2, Some("41"), false)]);
    // Back: nobody is told anything (they were never told it went).
    assert_eq!(hub.opened(2, 200, 60_100), vec![]);
    assert_eq!(
        hub.event(2, Some("42"), "MBR-B", status("CONNECTED")),
        vec![HubCommand::Deliver(2, status("CONNECTED"))]
    );
}

#[test]
fn a_failed_reopen_tells_the_flows_and_backs_off_then_gives_up() {
    let mut hub = up_with_two();
    assert_eq!(hub.ended(1, 60_000), vec![open(2, None, false)]);
    // The reopen fails: now the flows hear of it (they read and poll), and a wait begins.
    let cmds = hub.opened(2, 0, 60_010);
    assert_eq!(
        cmds,
        vec![
            HubCommand::Deliver(1, Push::Down),
            HubCommand::Deliver(2, Push::Down),
            HubCommand::Wait {
                generation: 3,
                ms: 500
            }
        ]
    );
    let mut waits = vec![500];
    let mut generation = 3;
    loop {
        let cmds = hub.retry(generation);
        let [HubCommand::Open { generation: g, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        match hub.opened(*g, 503, 0).as_slice() {
            [HubCommand::Wait { generation: g, ms }] => {
                waits.push(*ms);
                generation = *g;
            }
            [] => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waits, vec![500, 1000, 2000, 4000, 8000, 10_000]);
    assert!(!hub.streaming(), "exhausted: the flows poll");
    assert_eq!(hub.subscribe(3, Some("MBR-C")), vec![]);
    // Idle again, a new flow tries anew.
    for flow in 1..=3 {
        hub.unsubscribe(flow);
    }
    assert!(matches!(
        hub.subscribe(4, None).as_slice(),
        [HubCommand::Open { .. }]
    ));
}

#[test]
fn a_stream_that_ends_at_once_is_a_failure() {
    let mut hub = up_with_two();
    let cmds = hub.ended(1, 200);
    assert_eq!(cmds.len(), 3, "{cmds:?}");
    assert!(matches!(cmds[2], HubCommand::Wait { ms: 500, .. }));
    // After a good stream, failures count from zero again.
    let HubCommand::Wait { generation, .. } = cmds[2] else {
        unreachable!()
    };
    let [HubCommand::Open { generation: g, .. }] = hub.retry(generation)[..] else {
        panic!()
    };
    assert_eq!(
        hub.opened(g, 200, 1_000),
        vec![
            HubCommand::Deliver(1, Push::Up),
            HubCommand::Deliver(2, Push::Up)
        ]
    );
    assert!(matches!(hub.ended(g, 5_000)[..], [HubCommand::Open { .. }]));
}

#[test]
fn a_refused_stream_is_not_asked_again_but_a_401_refreshes_the_token_once() {
    let mut hub = FlowHub::default();
    hub.subscribe(1, Some("MBR-A"));
    assert_eq!(hub.opened(1, 401, 0), vec![open(2, None, true)]);
    assert_eq!(hub.opened(2, 401, 0), vec![]);
    assert!(!hub.streaming());
    hub.unsubscribe(1);
    assert_eq!(hub.subscribe(2, Some("MBR-A")), vec![], "refused for good");

    let mut hub = FlowHub::default();
    hub.subscribe(1, None);
    assert_eq!(hub.opened(1, 404, 0), vec![], "no stream here: flows poll");
    assert_eq!(hub.member_known(1, "MBR-A"), vec![]);
    // Too many streams (other tabs) is a failure to retry, not a refusal.
    let mut hub = FlowHub::default();
    hub.subscribe(1, None);
    assert!(matches!(
        hub.opened(1, 429, 0)[..],
        [HubCommand::Wait { .. }]
    ));
}

#[test]
fn reports_of_a_closed_stream_are_ignored() {
    let mut hub = up_with_two();
    hub.unsubscribe(1);
    assert_eq!(hub.unsubscribe(2), vec![HubCommand::Close]);
    assert_eq!(hub.event(1, Some("1"), "MBR-A", Push::Aggregated), vec![]);
    assert_eq!(hub.ended(1, 99_999), vec![]);
    assert_eq!(hub.retry(1), vec![]);
    assert_eq!(hub.opened(1, 200, 0), vec![]);
    assert!(!hub.streaming());
}

#[test]
fn one_read_wakes_the_other_flows_on_its_member_when_it_brings_news() {
    let mut hub = up_with_two();
    hub.subscribe(3, Some("MBR-A"));
    assert_eq!(hub.read_news(1, "MBR-A", "CHALLENGED", false), vec![3]);
    assert!(
        hub.read_news(3, "MBR-A", "CHALLENGED", false).is_empty(),
        "no news"
    );
    assert_eq!(hub.read_news(3, "MBR-A", "RESUMED", true), vec![1]);
    assert!(hub.read_news(2, "MBR-B", "CONNECTED", false).is_empty());
    // What was seen is forgotten with the member's last flow.
    hub.unsubscribe(1);
    hub.unsubscribe(3);
    assert!(hub.seen.get("MBR-A").is_none());
    assert!(hub.seen.get("MBR-B").is_some());
}

#[test]
fn backoff_grows_to_a_cap() {
    assert_eq!(
        (1..=8).map(backoff_ms).collect::<Vec<_>>(),
        vec![500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
    );
}
