//! A client's background status reads: one per member at a time (flows on one member share
//! it), only a few at once and at a steady pace, so that however many flows run, the page's
//! own requests always find a free connection (a browser opens about six per origin over
//! HTTP/1.1) and room under the relay's per-user rate limit (10 a second by default).

use std::collections::VecDeque;

/// Status reads in flight at once per client: with its one event stream, three of a
/// browser's six connections per origin stay free for the page.
pub const MAX_READS: usize = 2;
/// Background reads a client may make at once after a quiet spell, and per second after:
/// a third of the relay's default rate, so the page keeps the rest.
pub const READ_BURST: f64 = 10.0;
pub const READS_PER_SECOND: f64 = 3.0;

/// What to do with a flow's wish to read a member's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// A read of the member is in flight or queued: share its answer.
    Join,
    /// Send it now.
    Go,
    /// Wait for a turn (`finished` or `next` name the member whose turn it is).
    Queue,
}

#[derive(Debug)]
pub struct Reads {
    max: usize,
    running: Vec<String>,
    queued: VecDeque<String>,
    /// A token bucket on the face's clock (milliseconds).
    tokens: f64,
    at: u64,
    burst: f64,
    per_ms: f64,
}

impl Default for Reads {
    fn default() -> Self {
        Reads::new(MAX_READS, READ_BURST, READS_PER_SECOND)
    }
}

impl Reads {
    pub fn new(max: usize, burst: f64, per_second: f64) -> Self {
        Reads {
            max: max.max(1),
            running: Vec::new(),
            queued: VecDeque::new(),
            tokens: burst.max(1.0),
            at: 0,
            burst: burst.max(1.0),
            per_ms: per_second.max(0.001) / 1000.0,
        }
    }

    fn refill(&mut self, now: u64) {
        let elapsed = now.saturating_sub(self.at) as f64;
        self.tokens = (self.tokens + elapsed * self.per_ms).min(self.burst);
        self.at = self.at.max(now);
    }

    /// Whether a read may go now: a free slot and a token (taken).
    fn may_go(&mut self, now: u64) -> bool {
        self.refill(now);
        if self.running.len() < self.max && self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn ask(&mut self, member: &str, now: u64) -> Admit {
        if self.running.iter().chain(&self.queued).any(|m| m == member) {
            Admit::Join
        } else if self.queued.is_empty() && self.may_go(now) {
            self.running.push(member.to_string());
            Admit::Go
        } else {
            self.queued.push_back(member.to_string());
            Admit::Queue
        }
    }

    /// The member's read is answered; the member whose queued read goes now, if any.
    pub fn finished(&mut self, member: &str, now: u64) -> Option<String> {
        self.running.retain(|m| m != member);
        self.next(now)
    }

    /// The queued read whose turn it is now, if one may go.
    pub fn next(&mut self, now: u64) -> Option<String> {
        if self.queued.is_empty() || !self.may_go(now) {
            return None;
        }
        let next = self.queued.pop_front()?;
        self.running.push(next.clone());
        Some(next)
    }

    /// How long until a queued read may go for want of a token (a free slot comes with an
    /// answer, which calls `finished`); `None` when nothing waits on the pace.
    pub fn wait_ms(&mut self, now: u64) -> Option<u32> {
        if self.queued.is_empty() || self.running.len() >= self.max {
            return None;
        }
        self.refill(now);
        let missing = (1.0 - self.tokens).max(0.0);
        Some((missing / self.per_ms).ceil() as u32)
    }

    /// Reads in flight.
    pub fn in_flight(&self) -> usize {
        self.running.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_shared_per_member_and_bounded() {
        let mut reads = Reads::new(2, 100.0, 100.0);
        assert_eq!(reads.ask("A", 0), Admit::Go);
        assert_eq!(reads.ask("A", 0), Admit::Join);
        assert_eq!(reads.ask("B", 0), Admit::Go);
        assert_eq!(reads.ask("C", 0), Admit::Queue);
        assert_eq!(
            reads.ask("C", 0),
            Admit::Join,
            "a queued read is shared too"
        );
        assert_eq!(reads.ask("D", 0), Admit::Queue);
        assert_eq!(reads.in_flight(), 2);
        assert_eq!(reads.wait_ms(0), None, "waiting for a slot, not the pace");
        assert_eq!(reads.finished("B", 1), Some("C".into()));
        assert_eq!(reads.in_flight(), 2);
        assert_eq!(reads.finished("A", 2), Some("D".into()));
        assert_eq!(reads.finished("C", 3), None);
        assert_eq!(reads.finished("D", 4), None);
        assert_eq!(reads.in_flight(), 0);
        // Finishing what is not running changes nothing.
        assert_eq!(reads.finished("X", 5), None);
        assert_eq!(reads.ask("A", 6), Admit::Go);
    }

    #[test]
    fn reads_keep_a_steady_pace_after_a_burst() {
        let mut reads = Reads::new(100, 10.0, 3.0);
        let mut gone = 0;
        for i in 0..25 {
            if reads.ask(&format!("MBR-{i}"), 0) == Admit::Go {
                gone += 1;
            }
        }
        assert_eq!(gone, 10, "the burst");
        let wait = reads.wait_ms(0).expect("a wait");
        assert_eq!(wait, 334, "a token every third of a second");
        assert_eq!(reads.next(wait as u64 - 1), None);
        assert_eq!(reads.next(wait as u64), Some("MBR-10".into()));
        // Over the next five seconds, fifteen more: the pace, not the queue, decides.
        let mut now = wait as u64;
        let mut more = 0;
        while now < wait as u64 + 5_000 {
            now += 10;
            while reads.next(now).is_some() {
                more += 1;
            }
        }
        assert_eq!(more, 14, "three a second");
        assert_eq!(reads.in_flight(), 25);
    }

    #[test]
    fn many_flows_never_exceed_the_bound() {
        let mut reads = Reads::default();
        let mut now = 0;
        for i in 0..25 {
            reads.ask(&format!("MBR-{i}"), now);
            assert!(reads.in_flight() <= MAX_READS);
        }
        let mut done = 0;
        while done < 25 {
            now += 50;
            if let Some(m) = reads.running.first().cloned() {
                reads.finished(&m, now);
                done += 1;
            } else {
                reads.next(now);
            }
            assert!(reads.in_flight() <= MAX_READS);
        }
        assert!(reads.queued.is_empty());
    }
}
