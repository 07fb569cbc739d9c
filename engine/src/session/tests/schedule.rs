//! The schedule enforced by the session, at fixed instants.

use super::*;
use crate::schedule::Schedule;

const H: Nanos = 3_600_000_000_000;
const D: Nanos = 24 * H;
/// 2023-11-14 00:00:00 UTC.
const DAY: Nanos = 19_675 * D;

fn scheduled_pair(start: &str, end: &str) -> (Side, Side) {
    let (mut ci, mut ca) = cfgs();
    let sched = Schedule::parse(start, end, None, None, None).unwrap();
    ci.schedule = Some(sched.clone());
    ca.schedule = Some(sched);
    (Side::new(ci), Side::new(ca))
}

fn log_on(a: &mut Side, b: &mut Side, now: Nanos) {
    b.connect(now);
    a.connect(now);
    pump(a, b, now);
}

fn timer(side: &mut Side, now: Nanos) {
    side.timeout(now);
}

fn logout_text(wire: &[u8]) -> Option<String> {
    frames(wire).iter().find_map(|f| {
        let m = Message::new(f);
        (m.msg_type() == b"5").then(|| String::from_utf8_lossy(m.get(58).unwrap_or(b"")).into())
    })
}

#[test]
fn acceptor_refuses_logon_outside_the_window_with_a_logout() {
    let (mut a, mut b) = scheduled_pair("08:00:00", "17:00:00");
    let evening = DAY + 20 * H;
    b.connect(evening);
    a.connect(evening);
    let logon = a.take_wire();
    b.recv(evening, &logon);
    assert_eq!(
        logout_text(&b.take_wire()).as_deref(),
        Some("Logon attempt not within session time")
    );
    assert!(b
        .events
        .contains(&Event::Disconnect(DisconnectReason::OutsideSchedule)));
    assert_ne!(b.s().state(), State::Active);
}

#[test]
fn logon_inside_the_window_succeeds() {
    let (mut a, mut b) = scheduled_pair("08:00:00", "17:00:00");
    log_on(&mut a, &mut b, DAY + 9 * H);
    assert_eq!(
        (a.s().state(), b.s().state()),
        (State::Active, State::Active)
    );
}

#[test]
fn active_session_logs_out_at_end_time() {
    let (mut a, mut b) = scheduled_pair("08:00:00", "17:00:00");
    let before = DAY + 17 * H - 1_000_000_000;
    log_on(&mut a, &mut b, before);
    timer(&mut b, before + 500 * MS);
    assert!(b.take_wire().is_empty(), "still inside the window");
    let after = DAY + 17 * H + 1_000_000_000;
    timer(&mut b, after);
    assert_eq!(b.s().state(), State::LoggingOut);
    let wire = b.take_wire();
    assert_eq!(
        logout_text(&wire).as_deref(),
        Some("Session end time reached")
    );
    a.recv(after, &wire);
    b.recv(after, &a.take_wire());
    assert!(a.disconnected() && b.disconnected());
}

#[test]
fn initiator_waiting_for_a_logon_reply_gives_up_at_end_time() {
    let (mut a, _b) = scheduled_pair("08:00:00", "17:00:00");
    a.connect(DAY + 17 * H - MS);
    timer(&mut a, DAY + 17 * H + 2_000 * MS);
    assert!(a
        .events
        .contains(&Event::Disconnect(DisconnectReason::OutsideSchedule)));
}

#[test]
fn next_day_resets_both_seqs_and_the_store() {
    let (mut a, mut b) = scheduled_pair("08:00:00", "17:00:00");
    let t = DAY + 9 * H;
    log_on(&mut a, &mut b, t);
    a.send_orders(t, 1..=5);
    pump(&mut a, &mut b, t);
    assert_eq!((a.s().next_out(), b.s().next_in()), (7, 7));
    a.disconnect(t);
    b.disconnect(t);
    timer(&mut b, DAY + 20 * H);
    assert_eq!(b.s().next_in(), 7, "no reset outside the window");
    let tomorrow = DAY + D + 8 * H;
    timer(&mut a, tomorrow);
    timer(&mut b, tomorrow);
    assert_eq!((a.s().next_in(), a.s().next_out()), (1, 1));
    assert_eq!((b.s().next_in(), b.s().next_out()), (1, 1));
    assert!(b.events.contains(&Event::NewPeriod { start: tomorrow }));
    log_on(&mut a, &mut b, tomorrow + H);
    assert_eq!((a.s().next_out(), b.s().next_in()), (2, 2));
}

#[test]
fn overnight_window_keeps_one_period_across_midnight() {
    let (mut a, mut b) = scheduled_pair("22:00:00", "06:00:00");
    let evening = DAY + D - 2_000 * MS;
    log_on(&mut a, &mut b, evening);
    a.send_orders(evening, 1..=3);
    pump(&mut a, &mut b, evening);
    let after_midnight = DAY + D + 2_000 * MS;
    timer(&mut a, after_midnight);
    timer(&mut b, after_midnight);
    assert_eq!(b.s().state(), State::Active, "same period after midnight");
    assert_eq!(b.s().next_in(), 5);
    assert!(!b
        .events
        .iter()
        .any(|e| matches!(e, Event::NewPeriod { .. })));
    let morning = DAY + D + 6 * H + 1_000 * MS;
    timer(&mut b, morning);
    assert_eq!(b.s().state(), State::LoggingOut, "06:00 ends the period");
}

#[test]
fn connected_session_at_a_new_period_is_logged_out_then_reset() {
    // Always open, a new period every day at 05:00.
    let (mut a, mut b) = scheduled_pair("05:00:00", "05:00:00");
    let t = DAY + 4 * H;
    log_on(&mut a, &mut b, t);
    timer(&mut b, DAY + 5 * H);
    assert_eq!(
        logout_text(&b.take_wire()).as_deref(),
        Some("New session period: sequence numbers reset")
    );
    assert!(b.disconnected());
    assert_eq!((b.s().next_in(), b.s().next_out()), (1, 1));
}

#[test]
fn period_recorded_in_the_file_store_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("gapless-period-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let (_, mut ca) = cfgs();
    ca.schedule = Some(Schedule::parse("08:00:00", "17:00:00", None, None, None).unwrap());
    let open = || {
        let (st, _flusher) = crate::store::FileStore::open(&dir, "p", 1 << 20).unwrap();
        Box::new(st) as Box<dyn crate::store::MessageStore>
    };
    {
        let mut b = Side::with_store(ca.clone(), open());
        timer(&mut b, DAY + 9 * H);
        assert_eq!(b.s().period(), Some(DAY + 8 * H));
    }
    let mut b = Side::with_store(ca, open());
    assert_eq!(b.s().period(), Some(DAY + 8 * H));
    timer(&mut b, DAY + D + 9 * H);
    assert!(b.events.contains(&Event::NewPeriod {
        start: DAY + D + 8 * H
    }));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn weekly_session_resets_once_a_week_not_daily() {
    let (mut ci, mut ca) = cfgs();
    // Sunday 17:00 to Friday 17:00; DAY is a Tuesday.
    let sched = Schedule::parse("17:00:00", "17:00:00", Some("Su"), Some("Fr"), None).unwrap();
    ci.schedule = Some(sched.clone());
    ca.schedule = Some(sched);
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    let tue = DAY + 9 * H;
    log_on(&mut a, &mut b, tue);
    a.send_orders(tue, 1..=3);
    pump(&mut a, &mut b, tue);
    b.disconnect(tue);
    timer(&mut b, DAY + D + 9 * H);
    assert_eq!(b.s().next_in(), 5, "Wednesday: same weekly period");
    timer(&mut b, DAY + 3 * D + 18 * H);
    assert!(
        !b.s().in_schedule(DAY + 3 * D + 18 * H),
        "Friday evening: closed"
    );
    let sunday = DAY + 5 * D + 17 * H;
    timer(&mut b, sunday);
    assert_eq!((b.s().next_in(), b.s().next_out()), (1, 1), "a new week");
    assert!(b.events.contains(&Event::NewPeriod { start: sunday }));
}
