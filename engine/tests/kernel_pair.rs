//! Two Gapless engines over kernel TCP on 127.0.0.1: logon, a stream of
//! orders echoed back, logout.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[path = "support/feeder.rs"]
mod feeder;

use feeder::Feeder;
use gapless::app::Echo;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn ten_thousand_orders_are_echoed_once_in_order_over_loopback() {
    let port = free_port();
    let acceptor = Engine::start(
        vec![SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", false),
            store: Box::new(MemoryStore::new()),
            app: Box::new(Echo),
            check: None,
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();
    let (feeder, received, errors) = Feeder::new(10_000);
    let initiator = Engine::start(
        vec![SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "CLIENT", "ISLD", true),
            store: Box::new(MemoryStore::new()),
            app: Box::new(feeder),
            check: None,
            connect: Some(format!("127.0.0.1:{port}").parse().unwrap()),
            accept_port: None,
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::Relaxed) < 10_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let ri = initiator.stop();
    let ra = acceptor.stop();
    assert_eq!(received.load(Ordering::Relaxed), 10_000);
    assert_eq!(errors.load(Ordering::Relaxed), 0);
    assert_eq!(ra.sessions[0].stats.delivered, 10_000);
    assert_eq!(
        ri.sessions[0].next_out, 10_003,
        "Logon, 10,000 orders, Logout"
    );
}
