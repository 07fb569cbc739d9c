//! UTCTimestamp (`YYYYMMDD-HH:MM:SS[.sss[sss[sss]]]`) without allocation.
//!
//! Time enters the engine as nanoseconds since the Unix epoch; the clock
//! itself lives at the edges (the session core is given `now`).

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type Nanos = u64;

/// Fractional digits of SendingTime (QuickFIX's TimeStampPrecision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Whole seconds.
    Seconds,
    /// Three digits (the default).
    #[default]
    Millis,
    /// Six digits.
    Micros,
    /// Nine digits.
    Nanos,
}

impl Precision {
    /// From QuickFIX's TimeStampPrecision value (0, 3, 6 or 9).
    ///
    /// ```
    /// use gapless::codec::time::Precision;
    /// assert_eq!(Precision::from_digits(6), Some(Precision::Micros));
    /// assert_eq!(Precision::from_digits(4), None);
    /// ```
    pub fn from_digits(d: u32) -> Option<Self> {
        Some(match d {
            0 => Precision::Seconds,
            3 => Precision::Millis,
            6 => Precision::Micros,
            9 => Precision::Nanos,
            _ => return None,
        })
    }

    fn digits(self) -> usize {
        match self {
            Precision::Seconds => 0,
            Precision::Millis => 3,
            Precision::Micros => 6,
            Precision::Nanos => 9,
        }
    }
}

/// Longest formatted timestamp (nanosecond precision).
pub const MAX_LEN: usize = 27;

/// Writes `t` into `out` and returns the length used.
///
/// ```
/// use gapless::codec::time::{format, Precision, MAX_LEN};
/// let mut b = [0u8; MAX_LEN];
/// let n = format(1_700_000_000_123_456_789, Precision::Millis, &mut b);
/// assert_eq!(&b[..n], b"20231114-22:13:20.123");
/// ```
pub fn format(t: Nanos, p: Precision, out: &mut [u8; MAX_LEN]) -> usize {
    let secs = t / 1_000_000_000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let sod = secs % 86_400;
    put(&mut out[0..4], y as u64);
    put(&mut out[4..6], u64::from(m));
    put(&mut out[6..8], u64::from(d));
    out[8] = b'-';
    put(&mut out[9..11], sod / 3600);
    out[11] = b':';
    put(&mut out[12..14], sod / 60 % 60);
    out[14] = b':';
    put(&mut out[15..17], sod % 60);
    fraction(t, p, out)
}

/// Writes the `.fff…` of `t` after the 17 bytes of its second; returns
/// the whole length.
#[inline]
fn fraction(t: Nanos, p: Precision, out: &mut [u8; MAX_LEN]) -> usize {
    let digits = p.digits();
    if digits == 0 {
        return 17;
    }
    out[17] = b'.';
    let frac = (t % 1_000_000_000) / 10u64.pow(9 - digits as u32);
    put(&mut out[18..18 + digits], frac);
    18 + digits
}

/// [`format()`] with the date and time of day of the last second formatted
/// kept: within the same second only the fraction is written (an
/// engine's SendingTimes are mostly in the second of the previous one).
///
/// ```
/// use gapless::codec::time::{format, Precision, SecondCache, MAX_LEN};
/// let (mut a, mut b) = ([0u8; MAX_LEN], [0u8; MAX_LEN]);
/// let mut cache = SecondCache::default();
/// for t in [1_700_000_000_123_456_789, 1_700_000_000_999_000_000, 1_700_000_001_000_000_001] {
///     let n = cache.format(t, Precision::Micros, &mut a);
///     let m = format(t, Precision::Micros, &mut b);
///     assert_eq!(a[..n], b[..m]);
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SecondCache {
    secs: u64,
    prefix: [u8; 17],
}

impl Default for SecondCache {
    fn default() -> Self {
        SecondCache {
            secs: u64::MAX,
            prefix: [0; 17],
        }
    }
}

impl SecondCache {
    /// Writes `t` into `out` as [`format()`] does; returns the length used.
    #[inline]
    pub fn format(&mut self, t: Nanos, p: Precision, out: &mut [u8; MAX_LEN]) -> usize {
        let secs = t / 1_000_000_000;
        if secs != self.secs {
            let mut full = [0u8; MAX_LEN];
            format(t, Precision::Seconds, &mut full);
            self.prefix.copy_from_slice(&full[..17]);
            self.secs = secs;
        }
        out[..17].copy_from_slice(&self.prefix);
        fraction(t, p, out)
    }
}

/// Parses a UTCTimestamp with 0 to 9 fractional digits; `None` if it is
/// not one. Never panics.
///
/// ```
/// use gapless::codec::time::parse;
/// assert_eq!(parse(b"20231114-22:13:20.123"), Some(1_700_000_000_123_000_000));
/// assert_eq!(parse(b"20231114-22:13:20"), Some(1_700_000_000_000_000_000));
/// assert_eq!(parse(b"20231314-22:13:20"), None);
/// ```
pub fn parse(s: &[u8]) -> Option<Nanos> {
    if s.len() < 17 || s[8] != b'-' || s[11] != b':' || s[14] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        s[r].iter().try_fold(0u64, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(12..14)?, num(15..17)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut nanos = 0;
    if s.len() > 17 {
        let frac = &s[18..];
        if s[17] != b'.' || frac.is_empty() || frac.len() > 9 {
            return None;
        }
        nanos = num(18..s.len())? * 10u64.pow(9 - frac.len() as u32);
    }
    let days = days_from_civil(y as i64, m as u32, d as u32);
    let secs = u64::try_from(days).ok()? * 86_400 + hh * 3600 + mm * 60 + ss;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Writes `v` as zero-padded decimal filling `out`.
fn put(out: &mut [u8], mut v: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The wall clock, for the edges of the engine (never the session core).
///
/// ```
/// assert!(gapless::codec::time::now() > 1_700_000_000_000_000_000);
/// ```
pub fn now() -> Nanos {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_then_parse_round_trips_at_every_precision() {
        let t = 1_767_225_599_987_654_321; // 2025-12-31T23:59:59.987654321
        for p in [
            Precision::Seconds,
            Precision::Millis,
            Precision::Micros,
            Precision::Nanos,
        ] {
            let mut b = [0u8; MAX_LEN];
            let n = format(t, p, &mut b);
            let back = parse(&b[..n]).unwrap();
            let unit = 10u64.pow(9 - p.digits() as u32);
            assert_eq!(back, t / unit * unit);
        }
    }

    #[test]
    fn the_second_cache_formats_what_format_does_across_seconds_days_and_jumps_back() {
        let mut cache = SecondCache::default();
        let (mut a, mut b) = ([0u8; MAX_LEN], [0u8; MAX_LEN]);
        // Up to midnight and past it, then back in time, at every precision.
        let mut t: Nanos = 1_709_251_199_999_000_000; // 2024-02-29 23:59:59.999
        for i in 0..4000u64 {
            t = if i == 3000 {
                t - 86_400_000_000_000
            } else {
                t + 777_777
            };
            for p in [
                Precision::Seconds,
                Precision::Millis,
                Precision::Micros,
                Precision::Nanos,
            ] {
                let (n, m) = (cache.format(t, p, &mut a), format(t, p, &mut b));
                assert_eq!(a[..n], b[..m], "t={t}");
            }
        }
    }

    #[test]
    fn leap_day_is_formatted() {
        let mut b = [0u8; MAX_LEN];
        let n = format(1_709_164_800_000_000_000, Precision::Seconds, &mut b);
        assert_eq!(&b[..n], b"20240229-00:00:00");
    }

    #[test]
    fn timestamps_beyond_u64_nanos_are_refused_not_panicking() {
        assert_eq!(parse(b"29991231-00:00:00"), None);
        assert!(parse(b"26000101-00:00:00").is_none());
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for s in [
            &b"2023111-22:13:20"[..],
            b"20231114 22:13:20",
            b"20231114-22:13:20.",
            b"x",
        ] {
            assert_eq!(parse(s), None);
        }
    }
}
