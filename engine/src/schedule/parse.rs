//! Parsing QuickFIX's schedule values: `HH:MM:SS`, day names, zones.

use std::sync::Arc;

use super::{Schedule, TimeZone, Weekday, ZoneRules};

/// A schedule value that cannot be used: which key, and what to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    /// The key at fault (`StartTime`, `StartDay`, `TimeZone`, …).
    pub key: &'static str,
    /// What is wrong and the accepted forms.
    pub message: String,
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ScheduleError {}

fn err(key: &'static str, message: String) -> ScheduleError {
    ScheduleError { key, message }
}

impl Schedule {
    /// Builds a schedule from the raw values of StartTime, EndTime,
    /// StartDay, EndDay and TimeZone. StartDay and EndDay come together
    /// (a weekly session) or not at all (daily).
    ///
    /// ```
    /// use gapless::schedule::{Schedule, Weekday};
    /// let s = Schedule::parse("17:00:00", "17:00:00", Some("Sun"), Some("Friday"), Some("UTC-5")).unwrap();
    /// assert_eq!(s.days, Some((Weekday::Sunday, Weekday::Friday)));
    /// assert_eq!(s.zone, gapless::schedule::TimeZone::Fixed(-5 * 3600));
    /// assert!(Schedule::parse("8:00", "17:00:00", None, None, None).is_err());
    /// ```
    pub fn parse(
        start: &str,
        end: &str,
        start_day: Option<&str>,
        end_day: Option<&str>,
        zone: Option<&str>,
    ) -> Result<Schedule, ScheduleError> {
        let days = match (start_day, end_day) {
            (None, None) => None,
            (Some(s), Some(e)) => Some((weekday("StartDay", s)?, weekday("EndDay", e)?)),
            (Some(_), None) => return Err(err("EndDay", missing_day("StartDay"))),
            (None, Some(_)) => return Err(err("StartDay", missing_day("EndDay"))),
        };
        Ok(Schedule {
            start: time_of_day("StartTime", start)?,
            end: time_of_day("EndTime", end)?,
            days,
            zone: zone.map_or(Ok(TimeZone::default()), time_zone)?,
        })
    }
}

fn missing_day(given: &str) -> String {
    format!("missing while {given} is set: a weekly session needs both StartDay and EndDay")
}

/// `HH:MM:SS` → seconds after midnight.
fn time_of_day(key: &'static str, v: &str) -> Result<u32, ScheduleError> {
    let bad = || {
        err(
            key,
            format!("{v:?} is not a time: use HH:MM:SS (24-hour, e.g. 06:30:00)"),
        )
    };
    let parts: Vec<&str> = v.trim().split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |p: &str, max: u32| -> Result<u32, ScheduleError> {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().ok().filter(|&n| n <= max).ok_or_else(bad)
    };
    Ok(num(h, 23)? * 3600 + num(m, 59)? * 60 + num(s, 59)?)
}

/// A day name, full or abbreviated to at least two letters, any case.
fn weekday(key: &'static str, v: &str) -> Result<Weekday, ScheduleError> {
    use Weekday::*;
    const NAMES: [(&str, Weekday); 7] = [
        ("sunday", Sunday),
        ("monday", Monday),
        ("tuesday", Tuesday),
        ("wednesday", Wednesday),
        ("thursday", Thursday),
        ("friday", Friday),
        ("saturday", Saturday),
    ];
    let lower = v.trim().to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(name, _)| lower.len() >= 2 && name.starts_with(lower.as_str()))
        .map(|(_, d)| *d)
        .ok_or_else(|| {
            err(
                key,
                format!(
                    "{v:?} is not a day: use Sunday … Saturday (or Su, Mo, Tu, We, Th, Fr, Sa)"
                ),
            )
        })
}

/// A fixed offset, else an IANA name from the system's tz database.
fn time_zone(v: &str) -> Result<TimeZone, ScheduleError> {
    if let Some(secs) = fixed_offset(v) {
        return Ok(TimeZone::Fixed(secs));
    }
    let rules = ZoneRules::load(v.trim()).map_err(|why| {
        let message = format!(
            "{why}: use UTC, a fixed offset such as +05:30, -04:00 or UTC+2, \
             or an IANA name from the tz database such as America/New_York"
        );
        err("TimeZone", message)
    })?;
    Ok(TimeZone::Iana(Arc::new(rules)))
}

/// `UTC`, `GMT`, `Z`, `+05:30`, `-0400`, `UTC+2`, `GMT-03:30` → seconds.
fn fixed_offset(v: &str) -> Option<i32> {
    let upper = v.trim().to_ascii_uppercase();
    let rest = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|p| upper.strip_prefix(p))
        .unwrap_or(&upper);
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let ok = |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_offsets_in_every_accepted_form() {
        for (v, secs) in [
            ("UTC", 0),
            ("gmt", 0),
            ("Z", 0),
            ("+05:30", 19_800),
            ("-04:00", -14_400),
            ("UTC+2", 7_200),
            ("UTC-03:30", -12_600),
            ("+0545", 20_700),
        ] {
            assert_eq!(time_zone(v).unwrap(), TimeZone::Fixed(secs), "{v}");
        }
    }

    #[test]
    fn unknown_zone_is_refused_with_the_accepted_forms() {
        let e = time_zone("Mars/Olympus_Mons").unwrap_err();
        assert_eq!(e.key, "TimeZone");
        assert!(e.message.contains("+05:30"), "{e}");
        assert!(e.message.contains("America/New_York"), "{e}");
        assert!(time_zone("UTC+25").is_err());
        assert!(time_zone("+5:99").is_err());
    }

    #[test]
    fn times_must_be_hh_mm_ss() {
        assert_eq!(time_of_day("StartTime", "06:30:15").unwrap(), 23_415);
        for bad in [
            "6:30:00",
            "24:00:00",
            "06:60:00",
            "06:30",
            "x",
            "06:30:00:00",
        ] {
            assert!(time_of_day("StartTime", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_names_full_or_abbreviated() {
        assert_eq!(weekday("StartDay", "MO").unwrap(), Weekday::Monday);
        assert_eq!(weekday("StartDay", "thursday").unwrap(), Weekday::Thursday);
        assert!(weekday("StartDay", "T").is_err());
        assert!(weekday("StartDay", "Funday").is_err());
    }

    #[test]
    fn one_day_without_the_other_is_an_error() {
        let e = Schedule::parse("00:00:00", "00:00:00", Some("Mo"), None, None).unwrap_err();
        assert_eq!(e.key, "EndDay");
    }
}
