//! The simulated clock: real time plus an offset tests can advance, a scale for the delays of
//! state transitions, and the date and timestamp formats of the reference (§1.5).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Simulated seconds since the Unix epoch, in milliseconds.
pub type Millis = i64;

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

#[derive(Debug)]
pub struct Clock {
    started: Instant,
    started_at: Millis,
    offset: AtomicI64,
    /// f64 bits: how long transitions take relative to the realistic default (0 = at once).
    scale: AtomicU64,
    /// Whether each delay is also stretched by a random factor from 0.5 to 1.5, as a real
    /// server's are irregular (off by default: tests rely on exact times).
    jitter: std::sync::atomic::AtomicBool,
    draws: AtomicU64,
}

impl Default for Clock {
    fn default() -> Self {
        let started_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0);
        Clock {
            started: Instant::now(),
            started_at,
            offset: AtomicI64::new(0),
            scale: AtomicU64::new(1f64.to_bits()),
            jitter: std::sync::atomic::AtomicBool::new(false),
            draws: AtomicU64::new(0),
        }
    }
}

impl Clock {
    pub fn now(&self) -> Millis {
        self.started_at
            + self.started.elapsed().as_millis() as Millis
            + self.offset.load(Ordering::Relaxed)
    }

    /// Moves simulated time forward; never backward, so that no state goes back in time.
    pub fn advance(&self, by: Duration) -> Millis {
        let ms = by.as_millis().min(i64::MAX as u128 / 2) as Millis;
        self.offset.fetch_add(ms, Ordering::Relaxed);
        self.now()
    }

    pub fn scale(&self) -> f64 {
        f64::from_bits(self.scale.load(Ordering::Relaxed))
    }

    pub fn set_scale(&self, scale: f64) {
        self.scale.store(scale.to_bits(), Ordering::Relaxed);
    }

    /// A transition delay, scaled (and jittered when asked).
    pub fn delay(&self, realistic: Millis) -> Millis {
        let mut factor = self.scale();
        if self.jitter.load(Ordering::Relaxed) {
            let n = self.draws.fetch_add(1, Ordering::Relaxed);
            let unit =
                (crate::sim::seed::Rng::derive(0x6a17, &[n]).below(1_000_000) as f64) / 1_000_000.0;
            factor *= 0.5 + unit;
        }
        (realistic as f64 * factor).round() as Millis
    }

    pub fn jitter(&self) -> bool {
        self.jitter.load(Ordering::Relaxed)
    }

    pub fn set_jitter(&self, on: bool) {
        self.jitter.store(on, Ordering::Relaxed);
    }

    pub fn reset(&self) {
        self.offset.store(0, Ordering::Relaxed);
        self.set_scale(1.0);
        self.set_jitter(false);
    }
}

/// `2016-10-13T18:07:57Z`.
pub fn timestamp(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `2013-09-23`.
pub fn date(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since the epoch of a `YYYY-MM-DD` date; `None` for anything else, a time part included.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_476_382_077_000), "2016-10-13T18:07:57Z");
        assert_eq!(date(1_476_382_077_000), "2016-10-13");
    }

    #[test]
    fn dates_round_trip_and_junk_is_refused() {
        for s in ["2013-09-23", "2000-02-29", "1999-12-31", "2026-11-25"] {
            assert_eq!(date(parse_date(s).unwrap() * DAY), s);
        }
        for bad in [
            "2013-9-23",
            "2013-02-30",
            "2013-13-01",
            "2013-09-23T00:00:00Z",
            "yesterday",
            "2013/09/23",
            "2001-02-29",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_clock_advances_and_scales() {
        let c = Clock::default();
        let before = c.now();
        let after = c.advance(Duration::from_secs(3 * 3600));
        assert!(after - before >= 3 * HOUR);
        assert_eq!(c.delay(2000), 2000);
        c.set_scale(0.0);
        assert_eq!(c.delay(2000), 0);
        c.set_scale(1.0);
        c.set_jitter(true);
        let delays: Vec<Millis> = (0..100).map(|_| c.delay(2000)).collect();
        assert!(
            delays.iter().all(|d| (1000..=3000).contains(d)),
            "{delays:?}"
        );
        assert!(delays.iter().any(|d| *d != delays[0]), "irregular");
        c.reset();
        assert_eq!(c.delay(2000), 2000);
        assert!(c.now() < after);
    }
}
