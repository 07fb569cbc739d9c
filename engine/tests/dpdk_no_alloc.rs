//! The DPDK transport's steady state — send, poll (rx_burst → smoltcp →
//! tx_burst), recv — allocates nothing: a counting global allocator sees
//! no allocation on the polling thread across 10,000 round trips over DPDK ring ports, with the
//! pcapng capture tap on.
#![cfg(feature = "dpdk")]

#[path = "support/dpdk.rs"]
mod dpdk;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::time::{Duration, Instant};

use dpdk_io::tcp::NetConfig;
use dpdk_io::{Eal, Port};
use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::transport::{ConnId, Transport};

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

fn net(last: u8) -> NetConfig {
    NetConfig {
        mac: [2, 0, 0, 0, 0, last],
        ip: std::net::Ipv4Addr::new(10, 0, 0, last),
        prefix: 24,
        gateway: None,
    }
}

/// Sends `msg` from `f` and reads it whole at `t`, within a second.
fn transfer(f: &mut DpdkTransport, t: &mut DpdkTransport, cf: ConnId, ct: ConnId, msg: &[u8]) {
    let mut buf = [0u8; 256];
    let (mut sent, mut got) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(1);
    while got < msg.len() {
        assert!(Instant::now() < deadline, "a message took over a second");
        if sent < msg.len() {
            sent += f.send(cf, &msg[sent..]).unwrap();
        }
        f.poll();
        t.poll();
        got += t.recv(ct, &mut buf[got..msg.len()]).unwrap();
    }
    assert_eq!(&buf[..msg.len()], msg);
}

#[test]
fn send_poll_and_recv_allocate_nothing_in_steady_state() {
    if !dpdk::can_run_dpdk() {
        return;
    }
    let eal = Eal::init(dpdk_io::NO_HARDWARE_ARGS).expect("EAL");
    let (pa, pb) = Port::ring_pair(eal, "alloc").expect("ring ports");
    let mut a = DpdkTransport::new(eal, pa, net(1)).unwrap();
    let mut b = DpdkTransport::new(eal, pb, net(2)).unwrap();
    let cap = std::env::temp_dir().join(format!("gapless-no-alloc-{}.pcapng", std::process::id()));
    a.capture(&cap).unwrap();
    b.listen(7000).unwrap();
    let ca = a.connect("10.0.0.2:7000".parse().unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let cb = loop {
        assert!(Instant::now() < deadline, "no connection");
        a.poll();
        b.poll();
        if let Some((c, _)) = b.accept() {
            break c;
        }
    };
    let msg = b"8=FIX.4.4\x019=5\x0135=0\x0110=161\x01";
    for _ in 0..1_000 {
        transfer(&mut a, &mut b, ca, cb, msg);
        transfer(&mut b, &mut a, cb, ca, msg);
    }
    let allocs = counting_alloc::allocations(|| {
        for _ in 0..10_000 {
            transfer(&mut a, &mut b, ca, cb, msg);
            transfer(&mut b, &mut a, cb, ca, msg);
        }
    });
    drop(a);
    let _ = std::fs::remove_file(&cap);
    assert_eq!(allocs, 0, "allocations in 10,000 round trips");
}
