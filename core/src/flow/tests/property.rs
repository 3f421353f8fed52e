//! Random interleavings of statuses, errors, pushes and answers: exactly one end, never a
//! resume without valid answers, never a request after the end.

use super::*;
use crate::error::AtriumError;

#[test]
fn random_interleavings_always_end_once() {
    let mut rnd = xorshift(0x2545_f491_4f6c_dd1du64);
    let statuses: Vec<&str> = ConnectionStatus::ALL.iter().map(|s| s.as_str()).collect();
    for run in 0..5000 {
        let start = match rnd(3) {
            0 => Start::Connect(create()),
            1 => Start::Process(Process::Aggregate),
            _ => Start::Process(Process::Verify),
        };
        let options = FlowOptions {
            wait_if_busy: rnd(2) == 0,
            max_requests: 200,
            ..FlowOptions::default()
        };
        let mut f = Flow::new(start, options, run + 1);
        let mut cmds = f.begin(0);
        let (mut finishes, mut answered) = (0, false);
        let mut now = 0;
        for _ in 0..400 {
            for c in &cmds {
                match c {
                    Command::Finish(_) => finishes += 1,
                    Command::Send(Request::Resume(a)) => {
                        assert!(
                            answered && !a.is_empty(),
                            "a resume only after valid answers"
                        );
                        answered = false;
                    }
                    Command::Send(_) | Command::Wait(_) if finishes > 0 => {
                        panic!("work after the end: {c:?}")
                    }
                    _ => {}
                }
            }
            if f.is_done() {
                break;
            }
            now += rnd(4000);
            let s = statuses[rnd(statuses.len() as u64) as usize];
            let obs = match rnd(11) {
                9 => Observation::Pushed(match rnd(5) {
                    0 => Push::Up,
                    1 => Push::Down,
                    2 => Push::Aggregated,
                    3 => Push::Now {
                        connection_status: s.into(),
                        is_being_aggregated: rnd(2) == 0,
                    },
                    _ => Push::Status(s.into()),
                }),
                0 => Observation::Failed(AtriumError::from_status(
                    [409, 503, 429, 404, 403][rnd(5) as usize],
                )),
                1 => Observation::Failed(AtriumError::Network("x".into())),
                2 => {
                    let open: Vec<GuidValue> = f
                        .open_challenges()
                        .iter()
                        .map(|g| GuidValue {
                            guid: g.as_str().into(),
                            value: "x".into(),
                        })
                        .collect();
                    if f.check_answers(&open).is_ok() {
                        answered = true;
                    }
                    Observation::Answer(open)
                }
                3 => Observation::Wake,
                4 => member(s),
                5 => Observation::Credentials,
                6 if rnd(50) == 0 => Observation::Cancel,
                _ => status(
                    s,
                    rnd(2) == 0,
                    if s == "CHALLENGED" { &["CRD-1"] } else { &[] },
                ),
            };
            cmds = f.step(obs, now);
        }
        if !f.is_done() {
            cmds = f.step(Observation::Wake, now + 11 * 60_000);
            finishes += cmds
                .iter()
                .filter(|c| matches!(c, Command::Finish(_)))
                .count();
        }
        assert_eq!(finishes, 1, "run {run}: exactly one end");
    }
}
