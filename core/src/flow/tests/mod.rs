//! The flow machine's rules, each on a virtual clock: the scenarios of the guide, the
//! pushes of the relay's stream, and random interleavings that must always end once.

mod oauth;
mod property;
mod push;
mod resume;
mod scenarios;

use super::*;

pub(super) fn member(status: &str) -> Observation {
    Observation::Member {
        connection_status: status.into(),
        oauth_window_uri: None,
    }
}

pub(super) fn status(s: &str, aggregating: bool, challenges: &[&str]) -> Observation {
    Observation::Status {
        connection_status: s.into(),
        is_being_aggregated: aggregating,
        challenges: challenges.iter().map(|c| c.to_string()).collect(),
        successfully_aggregated_at: None,
    }
}

pub(super) fn answer(guid: &str) -> Vec<GuidValue> {
    vec![GuidValue {
        guid: guid.into(),
        value: "correct".into(),
    }]
}

pub(super) fn create() -> CreateMember {
    CreateMember {
        credentials: Some(Vec::new()),
        ..CreateMember::new("mxbank".into())
    }
}

/// A flow begun at 0 on the virtual clock.
pub(super) fn begun(start: Start, options: FlowOptions, seed: u64) -> Flow {
    let mut f = Flow::new(start, options, seed);
    f.begin(0);
    f
}

/// A standard aggregation with a deadline `ms` away, begun.
pub(super) fn aggregate_within(ms: u64) -> Flow {
    let options = FlowOptions {
        timeout_ms: ms,
        ..FlowOptions::default()
    };
    begun(Start::Process(Process::Aggregate), options, 1)
}

pub(super) fn sends(cmds: &[Command]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

pub(super) fn finish(cmds: &[Command]) -> Option<&Finish> {
    cmds.iter().find_map(|c| match c {
        Command::Finish(f) => Some(f),
        _ => None,
    })
}

/// Waits out a `Wait` and returns the commands of the wake-up.
pub(super) fn wake(flow: &mut Flow, now: u64) -> Vec<Command> {
    flow.step(Observation::Wake, now)
}

/// The status reads among commands.
pub(super) fn reads(c: &[Command]) -> usize {
    c.iter()
        .filter(|c| matches!(c, Command::Send(Request::ReadStatus)))
        .count()
}

/// xorshift from `seed`: `rnd(n)` is in `0..n`, the same sequence every run.
pub(super) fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

pub(super) fn push(p: Push) -> Observation {
    Observation::Pushed(p)
}

/// The stream's snapshot of a member: its status now, and whether it is aggregating.
pub(super) fn now(status: &str, aggregating: bool) -> Observation {
    push(Push::Now {
        connection_status: status.into(),
        is_being_aggregated: aggregating,
    })
}
