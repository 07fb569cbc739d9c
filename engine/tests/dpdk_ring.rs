//! Two Gapless engines in one process (one EAL) exchanging a FIX session
//! over user-space TCP (smoltcp) on two DPDK ring ports wired back to
//! back: logon, 10,000 orders echoed, logout.
#![cfg(feature = "dpdk")]

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[path = "support/dpdk.rs"]
mod dpdk;
#[path = "support/feeder.rs"]
mod feeder;

use dpdk_io::tcp::NetConfig;
use dpdk_io::{Eal, Port};
use feeder::Feeder;
use gapless::app::Echo;
use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;

fn net(last: u8) -> NetConfig {
    NetConfig {
        mac: [2, 0, 0, 0, 0, last],
        ip: std::net::Ipv4Addr::new(10, 0, 0, last),
        prefix: 24,
        gateway: None,
    }
}

#[test]
fn ten_thousand_orders_are_echoed_once_in_order_over_dpdk_ring_ports() {
    if !dpdk::can_run_dpdk() {
        return;
    }
    let eal = Eal::init(dpdk_io::NO_HARDWARE_ARGS).expect("EAL");
    let (a, b) = Port::ring_pair(eal, "wire").expect("ring ports");
    let acceptor = Engine::start(
        vec![SessionSpec {
            cfg: SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", false),
            store: Box::new(MemoryStore::new()),
            app: Box::new(Echo),
            check: None,
            connect: None,
            accept_port: Some(9876),
            reconnect_secs: 1,
        }],
        DpdkTransport::new(eal, b, net(2)).expect("port b"),
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
            connect: Some("10.0.0.2:9876".parse().unwrap()),
            accept_port: None,
            reconnect_secs: 1,
        }],
        DpdkTransport::new(eal, a, net(1)).expect("port a"),
        EngineOptions::new(1),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::Relaxed) < 10_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let ri = initiator.stop();
    let ra = acceptor.stop();
    assert_eq!(received.load(Ordering::Relaxed), 10_000, "echoes received");
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "lost/duplicated/reordered"
    );
    assert_eq!(ra.sessions[0].stats.delivered, 10_000);
    assert_eq!(
        ri.sessions[0].next_out, 10_003,
        "Logon, 10,000 orders, Logout"
    );
    assert_eq!(
        ra.sessions[0].next_in, 10_003,
        "the acceptor saw the Logout"
    );
}
