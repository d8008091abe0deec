//! Typed readings of query text, worked out once at parse time: numbers, dates (as the first and
//! last millisecond of the period they name) and the case folding both sides of a
//! case-insensitive comparison share.

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// Lowercases the way the evaluator does, so both sides of a comparison fold alike.
pub(super) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

pub(super) fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        out.extend(c.to_lowercase());
    }
}

/// A finite decimal number; refuses Rust's extra spellings (`inf`, `NaN`) that Lucene would not read.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let first = text.bytes().next()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[derive(Clone, Copy)]
enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Fraction,
}

/// Reads `YYYY[-MM[-DD[THH[:MM[:SS[.f…]]][Z|±HH[:MM]]]]]` (Elasticsearch's
/// `strict_date_optional_time`) or epoch milliseconds (5+ digits), and returns the first and last
/// millisecond of the period it names: `2017-12` is all of December, `2017-12-31` the whole day.
/// Date math such as `now-1d` is refused: the emulator's clock is injected, never read here.
pub(super) fn parse_date(text: &str) -> Option<(i64, i64)> {
    let b = text.as_bytes();
    if b.len() >= 5 && b.iter().all(u8::is_ascii_digit) {
        let ms = text.parse::<i64>().ok()?;
        return Some((ms, ms));
    }
    let mut cur = Cursor { b, i: 0 };
    let year = i32::try_from(cur.digits(4)?).ok()?;
    let (mut month, mut day, mut hour, mut minute, mut second, mut nano) =
        (1u8, 1u8, 0u8, 0u8, 0u8, 0u32);
    let mut precision = Precision::Year;
    let mut offset = UtcOffset::UTC;
    if cur.eat(b'-') {
        month = u8::try_from(cur.digits(2)?).ok()?;
        precision = Precision::Month;
        if cur.eat(b'-') {
            day = u8::try_from(cur.digits(2)?).ok()?;
            precision = Precision::Day;
            if cur.eat(b'T') {
                hour = u8::try_from(cur.digits(2)?).ok()?;
                precision = Precision::Hour;
                if cur.eat(b':') {
                    minute = u8::try_from(cur.digits(2)?).ok()?;
                    precision = Precision::Minute;
                    if cur.eat(b':') {
                        second = u8::try_from(cur.digits(2)?).ok()?;
                        precision = Precision::Second;
                        if cur.eat(b'.') {
                            nano = cur.fraction()?;
                            precision = Precision::Fraction;
                        }
                    }
                }
                offset = cur.offset()?;
            }
        }
    }
    if cur.i != b.len() {
        return None;
    }
    let month = Month::try_from(month).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let start = PrimitiveDateTime::new(date, Time::from_hms_nano(hour, minute, second, nano).ok()?);
    let end = match precision {
        Precision::Year => PrimitiveDateTime::new(
            Date::from_calendar_date(year, Month::December, 31).ok()?,
            Time::from_hms_milli(23, 59, 59, 999).ok()?,
        ),
        Precision::Month => PrimitiveDateTime::new(
            Date::from_calendar_date(year, month, month.length(year)).ok()?,
            Time::from_hms_milli(23, 59, 59, 999).ok()?,
        ),
        Precision::Day => start.replace_time(Time::from_hms_milli(23, 59, 59, 999).ok()?),
        Precision::Hour => start.replace_time(Time::from_hms_milli(hour, 59, 59, 999).ok()?),
        Precision::Minute => start.replace_time(Time::from_hms_milli(hour, minute, 59, 999).ok()?),
        Precision::Second => {
            start.replace_time(Time::from_hms_milli(hour, minute, second, 999).ok()?)
        }
        Precision::Fraction => start,
    };
    let ms = |t: PrimitiveDateTime| -> Option<i64> {
        i64::try_from(
            t.assume_offset(offset)
                .unix_timestamp_nanos()
                .div_euclid(1_000_000),
        )
        .ok()
    };
    Some((ms(start)?, ms(end)?))
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let slice = self.b.get(self.i..self.i + n)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(
            slice
                .iter()
                .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.b.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// 1–9 fraction digits as nanoseconds.
    fn fraction(&mut self) -> Option<u32> {
        let start = self.i;
        let mut nano = 0u32;
        while let Some(d) = self.b.get(self.i).filter(|d| d.is_ascii_digit()) {
            if self.i - start == 9 {
                return None;
            }
            nano = nano * 10 + u32::from(d - b'0');
            self.i += 1;
        }
        let count = self.i - start;
        if count == 0 {
            return None;
        }
        Some(nano * 10u32.pow(9 - u32::try_from(count).ok()?))
    }

    /// Nothing (UTC), `Z`, or `±HH[[:]MM]`.
    fn offset(&mut self) -> Option<UtcOffset> {
        let sign: i8 = match self.b.get(self.i) {
            None => return Some(UtcOffset::UTC),
            Some(b'Z') => {
                self.i += 1;
                return Some(UtcOffset::UTC);
            }
            Some(b'+') => 1,
            Some(b'-') => -1,
            Some(_) => return None,
        };
        self.i += 1;
        let hours = i8::try_from(self.digits(2)?).ok()?;
        let minutes = if self.i == self.b.len() {
            0
        } else {
            self.eat(b':');
            i8::try_from(self.digits(2)?).ok()?
        };
        UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
    }
}
