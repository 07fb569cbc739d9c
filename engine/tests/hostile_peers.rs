//! Hostile peers against a two-session acceptor: a logon flood, a
//! slowloris and a ResendRequest storm. Memory stays bounded, the
//! attacker gets nowhere, and the other session keeps being served
//! (every echo answered within a generous liveness bound; latency
//! figures belong to the benchmarks, not here).

#[path = "support/peer.rs"]
mod peer;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use gapless::app::AppKind;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;
use peer::Peer;

const ORDER: &str = "11=ID|21=1|55=GPLS|54=1|60=20231114-22:13:20|40=1|38=100|";

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

/// Sessions ISLD<-TW and ISLD<-TW2 on one port, echoing orders, with
/// the recovery thread limited to `resend_rate` messages per second.
fn two_sessions(resend_rate: u32) -> (Engine, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let specs = ["TW", "TW2"]
        .iter()
        .map(|t| SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "ISLD", t, false),
            store: Box::new(MemoryStore::new()),
            app: AppKind::Echo.build("FIX.4.4"),
            check: None,
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        })
        .collect();
    let mut opts = EngineOptions::new(2);
    opts.resend_rate = resend_rate;
    let engine = Engine::start(
        specs,
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        opts,
    )
    .unwrap();
    (engine, port)
}

/// The engine has not closed `s` (reads time out rather than reach EOF).
fn still_open(s: &mut TcpStream) -> bool {
    use std::io::{ErrorKind, Read};
    s.set_read_timeout(Some(Duration::from_millis(2))).unwrap();
    let mut buf = [0u8; 4096];
    for _ in 0..100 {
        match s.read(&mut buf) {
            Ok(0) => return false,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return true
            }
            Err(_) => return false,
        }
    }
    true
}

/// Sends an order on `p` and waits for its echo.
fn echo_round_trip(p: &mut Peer, id: u32) {
    p.send("D", &ORDER.replace("ID", &format!("ID{id}")));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match p.recv(Duration::from_secs(5)) {
            Some(m) if m.msg_type() == "D" => {
                assert_eq!(m.get(11), Some(format!("ID{id}")));
                return;
            }
            Some(_) => {}
            None => break,
        }
    }
    panic!("echo of ID{id} not answered while under attack");
}

#[test]
fn logon_flood_is_refused_beyond_a_bound_and_the_logged_on_session_keeps_working() {
    let (engine, port) = two_sessions(100_000);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let before = rss_bytes();
    // 2,000 connections: silent, a Logon for the session already logged
    // on, and a Logon for CompIDs nobody configured.
    let mut flood = Vec::new();
    let dup = Peer::connect(port, "FIX.4.4", "TW", "ISLD").build("A", 1, false, "", "98=0|108=30|");
    let unknown =
        Peer::connect(port, "FIX.4.4", "EVIL", "ISLD").build("A", 1, false, "", "98=0|108=30|");
    for i in 0..2_000u32 {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
            continue;
        };
        let _ = match i % 3 {
            0 => Ok(()),
            1 => s.write_all(&dup),
            _ => s.write_all(&unknown),
        };
        flood.push(s);
        if i % 100 == 0 {
            echo_round_trip(&mut p, i);
        }
    }
    let grown = rss_bytes().saturating_sub(before);
    assert!(
        grown < 64 << 20,
        "memory grew {grown} bytes under the flood"
    );
    // At most 256 connections wait for a Logon; the engine closed the
    // others (EOF) instead of queueing them, silent ones included.
    std::thread::sleep(Duration::from_millis(500));
    let open = flood.iter_mut().map(still_open).filter(|&o| o).count();
    assert!(open <= 300, "{open} flood connections still open: no bound");
    drop(flood);
    // The second session can still log on once the flood is gone.
    let mut p2 = Peer::connect(port, "FIX.4.4", "TW2", "ISLD");
    p2.logon(30);
    echo_round_trip(&mut p2, 1);
    echo_round_trip(&mut p, 9_999);
    engine.stop();
}

#[test]
fn slowloris_logon_is_closed_and_other_sessions_are_unaffected() {
    let (engine, port) = two_sessions(100_000);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let logon =
        Peer::connect(port, "FIX.4.4", "TW2", "ISLD").build("A", 1, false, "", "98=0|108=30|");
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let start = Instant::now();
    let mut closed_after = None;
    // One byte every 100 ms: the whole Logon would take over 6 s... but
    // the slowloris keeps it from ever completing by stopping short.
    for (i, b) in logon[..logon.len() - 1]
        .iter()
        .cycle()
        .enumerate()
        .take(200)
    {
        if slow.write_all(&[*b]).is_err() {
            closed_after = Some(start.elapsed());
            break;
        }
        if i % 10 == 0 {
            echo_round_trip(&mut p, i as u32);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let closed_after = closed_after.expect("the slowloris connection was never closed");
    assert!(
        closed_after < Duration::from_secs(15),
        "closed only after {closed_after:?}"
    );
    engine.stop();
}

#[test]
fn resend_request_storm_gets_one_replay_at_a_time_at_the_configured_rate() {
    let rate = 1_000;
    let (engine, port) = two_sessions(rate);
    let mut p = Peer::connect(port, "FIX.4.4", "TW", "ISLD");
    p.logon(30);
    let history = 300u32;
    for id in 0..history {
        echo_round_trip(&mut p, id);
    }
    let mut other = Peer::connect(port, "FIX.4.4", "TW2", "ISLD");
    other.logon(30);
    // 500 ResendRequests for everything, back to back.
    let storm = 500u32;
    let start = Instant::now();
    for _ in 0..storm {
        p.send("2", "7=1|16=0|");
    }
    let mut replayed = 0u64;
    let mut first_replay_done = None;
    while let Some(m) = p.recv(Duration::from_millis(1_500)) {
        if m.get(43).as_deref() != Some("Y") {
            continue;
        }
        replayed += 1;
        if replayed == u64::from(history) && first_replay_done.is_none() {
            first_replay_done = Some(start.elapsed());
        }
        if replayed.is_multiple_of(100) {
            // The other session is served while the storm is replayed.
            echo_round_trip(&mut other, replayed as u32);
        }
    }
    let per_replay = u64::from(history) + 2; // orders plus a GapFill for the Logon
    assert!(
        replayed <= 3 * per_replay,
        "{replayed} messages resent for {storm} requests: the storm was not collapsed"
    );
    assert!(
        replayed >= u64::from(history),
        "the first request was served"
    );
    // The bucket holds rate/10 = 100 messages; the other 200 go at
    // 1,000/s, so the first replay takes at least 0.2 s.
    let first = first_replay_done.expect("a full replay");
    assert!(
        first >= Duration::from_millis(150),
        "replay ran at {first:?}: rate not applied"
    );
    echo_round_trip(&mut other, 77_777);
    engine.stop();
}
