//! The virtual clock: the only place that reads wall time.
//!
//! Token `iat`/`exp`, code and refresh-token lifetimes, rate-limit windows and user timestamps
//! all read [`Clock::now_ms`]. The control API can freeze it, move it, and send it back to real
//! time, so a test can make a token expire without waiting.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, as the rest of the crate counts time.
pub type Millis = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Wall time plus an offset (the offset is what `advance` adds while running).
    Running { offset_ms: i64 },
    /// Time stands still at this instant.
    Frozen { at_ms: Millis },
}

/// A shared clock; cheap to read, safe to move from any thread.
#[derive(Debug)]
pub struct Clock {
    // A std mutex: the critical sections are a few arithmetic operations and never await.
    mode: Mutex<Mode>,
}

/// What `GET /__emulator/clock` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ClockStatus {
    pub now_ms: Millis,
    pub frozen: bool,
    /// How far the clock is from wall time (0 when it follows real time).
    pub offset_ms: i64,
}

impl Clock {
    /// A clock following wall time.
    pub fn system() -> Self {
        Self { mode: Mutex::new(Mode::Running { offset_ms: 0 }) }
    }

    /// A clock frozen at `at_ms` (tests start here).
    pub fn frozen_at(at_ms: Millis) -> Self {
        Self { mode: Mutex::new(Mode::Frozen { at_ms }) }
    }

    pub fn now_ms(&self) -> Millis {
        match *self.lock() {
            Mode::Running { offset_ms } => wall_ms() + offset_ms,
            Mode::Frozen { at_ms } => at_ms,
        }
    }

    /// Whole seconds, as JWT claims want them.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn status(&self) -> ClockStatus {
        let wall = wall_ms();
        match *self.lock() {
            Mode::Running { offset_ms } => {
                ClockStatus { now_ms: wall + offset_ms, frozen: false, offset_ms }
            }
            Mode::Frozen { at_ms } => ClockStatus { now_ms: at_ms, frozen: true, offset_ms: at_ms - wall },
        }
    }

    /// Stops time at the current virtual instant.
    pub fn freeze(&self) {
        let mut mode = self.lock();
        if let Mode::Running { offset_ms } = *mode {
            *mode = Mode::Frozen { at_ms: wall_ms() + offset_ms };
        }
    }

    /// Lets time run again from the current virtual instant (the offset is kept).
    pub fn unfreeze(&self) {
        let mut mode = self.lock();
        if let Mode::Frozen { at_ms } = *mode {
            *mode = Mode::Running { offset_ms: at_ms - wall_ms() };
        }
    }

    /// Moves the clock by `delta_ms` (may be negative), frozen or not.
    pub fn advance(&self, delta_ms: i64) {
        let mut mode = self.lock();
        *mode = match *mode {
            Mode::Running { offset_ms } => Mode::Running { offset_ms: offset_ms.saturating_add(delta_ms) },
            Mode::Frozen { at_ms } => Mode::Frozen { at_ms: at_ms.saturating_add(delta_ms) },
        };
    }

    /// Jumps to `at_ms`, keeping the frozen/running state.
    pub fn set(&self, at_ms: Millis) {
        let mut mode = self.lock();
        *mode = match *mode {
            Mode::Running { .. } => Mode::Running { offset_ms: at_ms - wall_ms() },
            Mode::Frozen { .. } => Mode::Frozen { at_ms },
        };
    }

    /// Back to plain wall time.
    pub fn reset(&self) {
        *self.lock() = Mode::Running { offset_ms: 0 };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Mode> {
        // A poisoned lock only means another thread panicked mid-update of a Copy value;
        // the value itself is always whole, so keep using it.
        self.mode.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The one read of wall time in the crate.
fn wall_ms() -> Millis {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Formats epoch milliseconds the way Auth0 does: `2023-01-25T19:00:26.187Z`.
pub fn iso8601(ms: Millis) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::from("1970-01-01T00:00:00.000Z");
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses an RFC 3339 timestamp (as Auth0 writes them) into epoch milliseconds.
pub fn parse_iso8601(s: &str) -> Option<Millis> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Parses a duration such as `90`, `90s`, `15m`, `2h`, `1d`, `500ms`, `-1h` into milliseconds.
/// A bare number means seconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: i64 = digits.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1_000,
        "ms" => 1,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    let ms = n.checked_mul(factor)?;
    Some(if negative { -ms } else { ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stands_still_and_advances_on_request() {
        let clock = Clock::frozen_at(1_700_000_000_000);
        assert_eq!(clock.now_ms(), 1_700_000_000_000);
        clock.advance(3_600_000);
        assert_eq!(clock.now_secs(), 1_700_003_600);
        assert!(clock.status().frozen);
    }

    #[test]
    fn unfreezing_keeps_the_virtual_instant() {
        let clock = Clock::frozen_at(1_000);
        clock.unfreeze();
        let now = clock.now_ms();
        assert!((1_000..1_000 + 60_000).contains(&now), "{now}");
        clock.reset();
        assert!(clock.now_ms() > 1_600_000_000_000);
    }

    #[test]
    fn iso8601_has_milliseconds_and_z() {
        assert_eq!(iso8601(1_674_673_226_187), "2023-01-25T19:00:26.187Z");
        assert_eq!(parse_iso8601("2023-01-25T19:00:26.187Z"), Some(1_674_673_226_187));
    }

    #[test]
    fn durations_accept_units_and_signs() {
        assert_eq!(parse_duration_ms("90"), Some(90_000));
        assert_eq!(parse_duration_ms("15m"), Some(900_000));
        assert_eq!(parse_duration_ms("-1h"), Some(-3_600_000));
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("2d"), Some(172_800_000));
        assert_eq!(parse_duration_ms("1y"), None);
        assert_eq!(parse_duration_ms(""), None);
    }
}
