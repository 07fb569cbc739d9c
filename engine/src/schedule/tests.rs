//! Schedules at fixed instants: daily, overnight, weekly, offsets.

use super::*;

const S: u64 = 1_000_000_000;
const H: u64 = 3600 * S;
const D: u64 = 24 * H;
/// 2023-11-14 00:00:00 UTC, a Tuesday.
const TUE: u64 = 19_675 * D;

fn at(day: u64, h: u64, m: u64, s: u64) -> u64 {
    day + h * H + m * 60 * S + s * S
}

fn daily(start: &str, end: &str) -> Schedule {
    Schedule::parse(start, end, None, None, None).unwrap()
}

#[test]
fn the_fixture_day_is_a_tuesday() {
    let s = Schedule::parse("00:00:00", "23:59:59", Some("Tu"), Some("Tu"), None).unwrap();
    assert!(s.in_session(at(TUE, 12, 0, 0)));
    assert!(!s.in_session(at(TUE + D, 12, 0, 0)));
}

#[test]
fn daily_window_is_open_between_start_and_end_inclusive() {
    let s = daily("08:00:00", "17:00:00");
    assert!(!s.in_session(at(TUE, 7, 59, 59)));
    assert!(s.in_session(at(TUE, 8, 0, 0)));
    assert!(s.in_session(at(TUE, 17, 0, 0)));
    assert!(!s.in_session(at(TUE, 17, 0, 1)));
    assert_eq!(s.session_start(at(TUE, 12, 0, 0)), Some(at(TUE, 8, 0, 0)));
}

#[test]
fn each_day_is_a_new_period() {
    let s = daily("08:00:00", "17:00:00");
    let mon = s.session_start(at(TUE, 9, 0, 0));
    let tue = s.session_start(at(TUE + D, 9, 0, 0));
    assert_ne!(mon, tue);
    assert_eq!(tue, Some(at(TUE + D, 8, 0, 0)));
}

#[test]
fn overnight_window_spans_midnight_as_one_period() {
    let s = daily("22:00:00", "06:00:00");
    assert!(s.in_session(at(TUE, 23, 0, 0)));
    assert!(s.in_session(at(TUE + D, 5, 59, 59)));
    assert!(!s.in_session(at(TUE + D, 6, 0, 1)));
    assert!(!s.in_session(at(TUE, 12, 0, 0)));
    let evening = s.session_start(at(TUE, 23, 0, 0));
    let morning = s.session_start(at(TUE + D, 3, 0, 0));
    assert_eq!(evening, Some(at(TUE, 22, 0, 0)));
    assert_eq!(evening, morning, "one period across midnight");
    assert_eq!(
        s.session_start(at(TUE + D, 22, 0, 0)),
        Some(at(TUE + D, 22, 0, 0))
    );
}

#[test]
fn equal_start_and_end_is_always_open_with_a_daily_boundary() {
    let s = daily("05:00:00", "05:00:00");
    assert!(s.in_session(at(TUE, 4, 59, 59)));
    assert_eq!(
        s.session_start(at(TUE, 4, 59, 59)),
        Some(at(TUE - D, 5, 0, 0))
    );
    assert_eq!(s.session_start(at(TUE, 5, 0, 0)), Some(at(TUE, 5, 0, 0)));
}

#[test]
fn fixed_offset_shifts_the_window() {
    let s = Schedule::parse("09:00:00", "17:00:00", None, None, Some("+05:30")).unwrap();
    // 09:00 in +05:30 is 03:30 UTC.
    assert!(!s.in_session(at(TUE, 3, 29, 59)));
    assert!(s.in_session(at(TUE, 3, 30, 0)));
    assert_eq!(s.session_start(at(TUE, 10, 0, 0)), Some(at(TUE, 3, 30, 0)));
    assert!(!s.in_session(at(TUE, 11, 30, 1)));
}

#[test]
fn negative_offset_moves_the_local_date_back() {
    // 20:00-23:00 in UTC-5 is 01:00-04:00 UTC the next day.
    let s = Schedule::parse("20:00:00", "23:00:00", None, None, Some("UTC-5")).unwrap();
    assert!(s.in_session(at(TUE, 2, 0, 0)));
    assert_eq!(s.session_start(at(TUE, 2, 0, 0)), Some(at(TUE, 1, 0, 0)));
    assert!(!s.in_session(at(TUE, 20, 0, 0)));
}

#[test]
fn weekly_window_sunday_evening_to_friday_evening() {
    let s = Schedule::parse("17:00:00", "17:00:00", Some("Sunday"), Some("Friday"), None).unwrap();
    let sun = TUE - 2 * D;
    assert!(!s.in_session(at(sun, 16, 59, 59)));
    assert!(s.in_session(at(sun, 17, 0, 0)));
    assert!(s.in_session(at(TUE, 3, 0, 0)));
    assert!(s.in_session(at(sun + 5 * D, 17, 0, 0)), "Friday 17:00");
    assert!(!s.in_session(at(sun + 5 * D, 17, 0, 1)));
    assert!(!s.in_session(at(sun + 6 * D, 12, 0, 0)), "Saturday");
    // One period all week, a new one the next Sunday.
    assert_eq!(s.session_start(at(TUE, 3, 0, 0)), Some(at(sun, 17, 0, 0)));
    assert_eq!(
        s.session_start(at(sun + 7 * D, 18, 0, 0)),
        Some(at(sun + 7 * D, 17, 0, 0))
    );
}

#[test]
fn weekly_window_wrapping_over_the_weekend() {
    // Friday 20:00 to Monday 04:00.
    let s = Schedule::parse("20:00:00", "04:00:00", Some("Fr"), Some("Mo"), None).unwrap();
    let fri = TUE + 3 * D;
    assert!(s.in_session(at(fri, 21, 0, 0)));
    assert!(s.in_session(at(fri + D, 12, 0, 0)), "Saturday");
    assert!(s.in_session(at(fri + 3 * D, 3, 0, 0)), "Monday early");
    assert!(!s.in_session(at(fri + 3 * D, 5, 0, 0)));
    assert!(!s.in_session(at(TUE, 12, 0, 0)));
    let start = Some(at(fri, 20, 0, 0));
    assert_eq!(s.session_start(at(fri + 3 * D, 3, 0, 0)), start);
    assert_eq!(s.session_start(at(fri + 2 * D, 3, 0, 0)), start);
}

#[test]
fn instants_before_the_epoch_period_do_not_panic() {
    let s = Schedule::parse("22:00:00", "06:00:00", None, None, Some("-12:00")).unwrap();
    for t in [0, 1, 5 * H, u64::MAX] {
        let _ = s.session_start(t);
    }
}

#[test]
fn iana_zone_follows_daylight_saving_time() {
    if !std::path::Path::new("/usr/share/zoneinfo/America/New_York").exists() {
        eprintln!("no tz database on this machine: skipped");
        return;
    }
    let s = Schedule::parse("17:00:00", "16:00:00", None, None, Some("America/New_York")).unwrap();
    // 2024-01-15 (EST, UTC-5): the period began at 22:00 UTC.
    let jan15 = 19_737 * D;
    assert_eq!(
        s.session_start(at(jan15, 23, 0, 0)),
        Some(at(jan15, 22, 0, 0))
    );
    assert!(
        !s.in_session(at(jan15, 21, 30, 0)),
        "16:30 New York: closed"
    );
    // 2024-07-15 (EDT, UTC-4): at 21:00 UTC.
    let jul15 = 19_919 * D;
    assert_eq!(
        s.session_start(at(jul15, 22, 0, 0)),
        Some(at(jul15, 21, 0, 0))
    );
    assert!(!s.in_session(at(jul15, 20, 30, 0)));
}

#[test]
fn period_spanning_a_daylight_saving_change_keeps_one_start() {
    if !std::path::Path::new("/usr/share/zoneinfo/America/New_York").exists() {
        return;
    }
    // Open from Saturday 20:00 to Sunday 12:00 New York; DST began on
    // Sunday 2024-03-10 at 02:00 local (07:00 UTC).
    let s = Schedule::parse("20:00:00", "12:00:00", None, None, Some("America/New_York")).unwrap();
    let sat = 19_791 * D; // 2024-03-09
    let before = s.session_start(at(sat + D, 5, 0, 0));
    let after = s.session_start(at(sat + D, 9, 0, 0));
    assert_eq!(before, Some(at(sat + D, 1, 0, 0)), "20:00 EST is 01:00 UTC");
    assert_eq!(before, after, "one period across the change");
}
