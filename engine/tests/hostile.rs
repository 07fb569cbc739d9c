//! Bad input over TCP gets the response the spec requires and memory
//! stays within the configured bound: garbage, `9=999999999`, a flood of
//! messages whose seq is too high.

#[path = "support/peer.rs"]
mod peer;

use std::time::Duration;

use gapless::app::AppKind;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;
use peer::Peer;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

fn start(tune: impl FnOnce(&mut SessionConfig)) -> (Engine, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    tune(&mut cfg);
    let engine = Engine::start(
        vec![SessionSpec {
            cfg,
            store: Box::new(MemoryStore::new()),
            app: AppKind::Echo.build("FIX.4.4"),
            check: None,
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();
    (engine, port)
}

/// Messages in the flood: 10^6 unless GAPLESS_FLOOD says otherwise.
fn flood_size() -> u32 {
    std::env::var("GAPLESS_FLOOD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

#[test]
fn flood_of_seq_too_high_keeps_memory_within_the_hold_queue_bound() {
    let bound = 4 << 20;
    let (engine, port) = start(|c| {
        c.hold_queue_messages = 10_000;
        c.hold_queue_bytes = bound;
        c.resend_timeout = 600_000_000_000;
    });
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let before = rss_bytes();
    let n = flood_size();
    let mut batch = Vec::with_capacity(1 << 20);
    for seq in 10..10 + n {
        batch.extend_from_slice(&p.build("D", seq, false, "", "11=X|54=1|38=1|"));
        if batch.len() > 512 << 10 {
            p.send_raw(&batch);
            batch.clear();
        }
    }
    p.send_raw(&batch);
    let rr = p.expect("2");
    assert_eq!(
        (rr.get(7).as_deref(), rr.get(16).as_deref()),
        (Some("2"), Some("0"))
    );
    // Everything sent is read before the engine stops: wait for silence.
    p.expect_silence(1500);
    let grown = rss_bytes().saturating_sub(before);
    let report = engine.stop();
    let s = report.sessions[0].stats;
    assert_eq!(s.held + s.hold_dropped, u64::from(n));
    assert!(s.held <= 10_000);
    assert_eq!(s.gaps, 1, "one ResendRequest, not one per message");
    assert!(grown < 32 << 20, "RSS grew by {grown} bytes");
}

#[test]
fn huge_body_length_allocates_nothing_and_the_session_goes_on() {
    let (engine, port) = start(|_| {});
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let before = rss_bytes();
    p.send_raw(b"8=FIX.4.4\x019=999999999\x0135=D\x01");
    p.send_raw(&vec![b'A'; 1 << 20]);
    p.send("D", "11=after|54=1|38=1|");
    assert_eq!(p.expect("D").get(11).as_deref(), Some("after"));
    assert!(rss_bytes().saturating_sub(before) < 8 << 20);
    engine.stop();
}

#[test]
fn garbage_bytes_are_skipped_and_counted() {
    let (engine, port) = start(|_| {});
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let junk: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    p.send_raw(&junk);
    p.send("D", "11=after|54=1|38=1|");
    assert_eq!(p.expect("D").get(11).as_deref(), Some("after"));
    let report = engine.stop();
    assert!(report.sessions[0].stats.garbled >= 1);
}

#[test]
fn logon_with_wrong_comp_ids_is_not_routed_and_gets_disconnected() {
    let (engine, port) = start(|_| {});
    let mut p = Peer::connect(port, "FIX.4.4", "NOBODY", "ISLD");
    p.send("A", "98=0|108=30|");
    assert!(p.recv(Duration::from_millis(500)).is_none());
    p.expect_disconnect();
    engine.stop();
}
