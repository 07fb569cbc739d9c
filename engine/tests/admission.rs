//! Who may log on, and when, over TCP: the session schedule
//! (StartTime/EndTime) and the acceptor's AllowedRemoteAddresses.

#[path = "support/peer.rs"]
mod peer;

use std::time::Duration;

use gapless::app::AppKind;
use gapless::codec::time;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::schedule::Schedule;
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;
use peer::Peer;

/// Stops the engine even when an assertion fails.
struct Running(Option<Engine>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(e) = self.0.take() {
            e.stop();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(cfg: SessionConfig, connect: Option<u16>, accept: Option<u16>) -> Running {
    let engine = Engine::start(
        vec![SessionSpec {
            cfg,
            store: Box::new(MemoryStore::new()),
            app: AppKind::Echo.build("FIX.4.4"),
            check: None,
            connect: connect.map(|p| ([127, 0, 0, 1], p).into()),
            accept_port: accept,
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();
    Running(Some(engine))
}

/// A daily window that opens two hours from now and lasts one hour.
fn window_not_containing_now() -> Schedule {
    let secs = time::now() / 1_000_000_000 % 86_400;
    let hms = |s: u64| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    let start = (secs + 2 * 3600) % 86_400;
    let end = (secs + 3 * 3600) % 86_400;
    Schedule::parse(&hms(start), &hms(end), None, None, None).unwrap()
}

#[test]
fn acceptor_answers_a_logon_outside_the_schedule_with_logout_and_closes() {
    let port = free_port();
    let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    cfg.schedule = Some(window_not_containing_now());
    let _engine = start(cfg, None, Some(port));
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.send("A", "98=0|108=30|");
    let logout = p.expect("5");
    assert_eq!(
        logout.get(58).as_deref(),
        Some("Logon attempt not within session time")
    );
    p.expect_disconnect();
}

#[test]
fn acceptor_inside_the_schedule_accepts_the_logon() {
    let port = free_port();
    let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    cfg.schedule = Some(Schedule::parse("00:00:00", "00:00:00", None, None, None).unwrap());
    let _engine = start(cfg, None, Some(port));
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
}

#[test]
fn active_session_is_logged_out_at_end_time() {
    let port = free_port();
    let secs = time::now() / 1_000_000_000 % 86_400;
    let hms = |s: u64| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    let (open, close) = ((secs + 86_400 - 3600) % 86_400, (secs + 2) % 86_400);
    let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    cfg.schedule = Some(Schedule::parse(&hms(open), &hms(close), None, None, None).unwrap());
    let _engine = start(cfg, None, Some(port));
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    // EndTime is `now + 2 s` (inclusive): the Logout comes within ~3 s.
    let logout = p.recv(Duration::from_secs(6)).expect("a Logout at EndTime");
    assert_eq!(logout.msg_type(), "5");
    assert_eq!(logout.get(58).as_deref(), Some("Session end time reached"));
    p.send("5", "");
    p.expect_disconnect();
}

#[test]
fn initiator_does_not_connect_outside_the_schedule() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let mut cfg = SessionConfig::new("FIX.4.4", "TW", "ISLD", true);
    cfg.schedule = Some(window_not_containing_now());
    let _engine = start(cfg, Some(port), None);
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(50));
        assert!(listener.accept().is_err(), "the initiator connected");
    }
}

fn acceptor_allowing(addresses: &[&str]) -> (Running, u16) {
    let port = free_port();
    let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    cfg.allowed_remote_addresses = addresses.iter().map(|a| a.parse().unwrap()).collect();
    (start(cfg, None, Some(port)), port)
}

#[test]
fn connection_from_an_address_not_allowed_is_closed_unread() {
    let (mut engine, port) = acceptor_allowing(&["127.0.0.2"]);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.send("A", "98=0|108=30|");
    assert!(p.recv(Duration::from_millis(300)).is_none());
    p.expect_disconnect();
    let report = engine.0.take().unwrap().stop();
    assert_eq!(report.connections_refused, 1);
    assert_eq!(
        report.sessions[0].next_in, 1,
        "the Logon was never processed"
    );
}

#[test]
fn connection_from_an_allowed_address_logs_on() {
    let (mut engine, port) = acceptor_allowing(&["10.1.2.3", "127.0.0.1"]);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let report = engine.0.take().unwrap().stop();
    assert_eq!(report.connections_refused, 0);
}
