//! Session schedules, sans-IO: QuickFIX's StartTime, EndTime, StartDay,
//! EndDay and TimeZone. A [`Schedule`] answers two questions about an
//! instant: is the session open ([`Schedule::in_session`]), and when did
//! the current session period begin ([`Schedule::session_start`]) — a new
//! period means both sequence numbers go back to 1.
//!
//! No clock is read here: the caller passes the time.

mod local;
mod parse;
mod zone;

pub use parse::ScheduleError;
pub use zone::ZoneRules;

use std::sync::Arc;

use crate::codec::time::Nanos;

const SEC: i64 = 1_000_000_000;
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// The zone StartTime and EndTime are in (`TimeZone=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeZone {
    /// A fixed offset, seconds east of UTC (`UTC`, `+05:30`, `UTC+2`).
    Fixed(i32),
    /// An IANA zone from the system's tz database, with its daylight
    /// saving time (`America/New_York`).
    Iana(Arc<ZoneRules>),
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::Fixed(0)
    }
}

impl TimeZone {
    /// Seconds east of UTC in force at `utc` (seconds since the epoch).
    ///
    /// ```
    /// use gapless::schedule::TimeZone;
    /// assert_eq!(TimeZone::Fixed(-3600).offset_at(0), -3600);
    /// ```
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self {
            TimeZone::Fixed(o) => *o,
            TimeZone::Iana(z) => z.offset_at(utc),
        }
    }

    /// The UTC instant of local time `local`: a pure function of `local`,
    /// so a period's start does not move when the offset changes within
    /// the period.
    fn local_to_utc(&self, local: i64) -> i64 {
        let guess = local - i64::from(self.offset_at(local));
        local - i64::from(self.offset_at(guess))
    }
}

/// Day of the week, Sunday first (QuickFIX's numbering minus one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weekday {
    /// Sunday.
    Sunday = 0,
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
}

/// When a session is open: every day from `start` to `end` (daily), or
/// from `start` on one weekday to `end` on another (weekly). Times are in
/// `zone`; the end second is inside the window, as in QuickFIX. A window
/// whose end precedes its start wraps over midnight (or the weekend);
/// equal start and end mean always open, with a new period at `start`.
///
/// ```
/// use gapless::schedule::Schedule;
/// let s = Schedule::parse("22:00:00", "06:00:00", None, None, None).unwrap();
/// let day = 19_675 * 86_400_000_000_000u64; // 2023-11-14 00:00 UTC
/// assert!(s.in_session(day + 23 * 3_600_000_000_000));
/// assert!(!s.in_session(day + 12 * 3_600_000_000_000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Seconds after midnight the session opens.
    pub start: u32,
    /// Seconds after midnight the session closes.
    pub end: u32,
    /// `Some((start day, end day))` for a weekly session.
    pub days: Option<(Weekday, Weekday)>,
    /// The zone `start` and `end` are in.
    pub zone: TimeZone,
}

impl Schedule {
    /// The session is open at `now` (nanoseconds since the epoch, UTC).
    pub fn in_session(&self, now: Nanos) -> bool {
        self.session_start(now).is_some()
    }

    /// The instant (UTC nanoseconds) the session period containing `now`
    /// began, or `None` when `now` is outside the window. Two instants
    /// with different starts belong to different periods: the sequence
    /// numbers reset between them.
    ///
    /// ```
    /// use gapless::schedule::Schedule;
    /// let s = Schedule::parse("08:00:00", "17:00:00", None, None, Some("+01:00")).unwrap();
    /// let day = 19_675 * 86_400_000_000_000u64; // midnight UTC
    /// let h = 3_600_000_000_000u64;
    /// assert_eq!(s.session_start(day + 10 * h), Some(day + 7 * h));
    /// assert_eq!(s.session_start(day + 20 * h), None);
    /// ```
    pub fn session_start(&self, now: Nanos) -> Option<Nanos> {
        let utc = (now / SEC as u64) as i64;
        let local = utc + i64::from(self.zone.offset_at(utc));
        let (anchor, period, open, close) = self.frame(local);
        let pos = local - anchor;
        let inside = match open.cmp(&close) {
            std::cmp::Ordering::Less => (open..=close).contains(&pos),
            std::cmp::Ordering::Greater => pos >= open || pos <= close,
            std::cmp::Ordering::Equal => true,
        };
        if !inside {
            return None;
        }
        let start_local = if pos >= open {
            anchor + open
        } else {
            anchor - period + open
        };
        let start_utc = self.zone.local_to_utc(start_local);
        u64::try_from(start_utc).ok().map(|s| s * SEC as u64)
    }

    /// `(period anchor, period length, open, close)` in local seconds: the
    /// anchor is local midnight (daily) or Sunday 00:00 (weekly).
    fn frame(&self, local: i64) -> (i64, i64, i64, i64) {
        let days = local.div_euclid(DAY);
        let (start, end) = (i64::from(self.start), i64::from(self.end));
        match self.days {
            None => (days * DAY, DAY, start, end),
            Some((sd, ed)) => {
                let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday.
                let anchor = (days - weekday) * DAY;
                let open = sd as i64 * DAY + start;
                let close = ed as i64 * DAY + end;
                (anchor, WEEK, open, close)
            }
        }
    }
}

#[cfg(test)]
mod tests;
