//! One EAL for this test binary (EAL initialises once per process), so
//! everything runs in one test function.

use dpdk_io::{Burst, DpdkError, Eal, Mempool, Port};

fn can_run() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("skipped: DPDK tests need root");
        return false;
    }
    true
}

fn frame(pool: &Mempool, tag: u8) -> dpdk_io::Mbuf {
    let mut m = pool.alloc().expect("free mbuf");
    let b = m.append(64).expect("tailroom");
    b.fill(tag);
    m
}

fn send(tx: &mut Port, pool: &Mempool, tag: u8) {
    let mut out = Burst::new();
    out.push(frame(pool, tag)).unwrap();
    assert_eq!(tx.tx_burst(&mut out), 1);
}

fn receive(rx: &mut Port, tag: u8) {
    let mut inb = Burst::new();
    assert_eq!(rx.rx_burst(&mut inb), 1);
    let m = inb.pop().unwrap();
    assert_eq!(m.data(), &[tag; 64][..]);
}

fn send_and_receive(tx: &mut Port, rx: &mut Port, pool: &Mempool, tag: u8) {
    send(tx, pool, tag);
    receive(rx, tag);
}

#[test]
fn eal_pool_ports_and_ring_pairs_move_frames_and_errors_are_typed() {
    if !can_run() {
        return;
    }
    let eal = Eal::init(&[
        "--no-huge",
        "-m",
        "256",
        "--no-pci",
        "--no-shconf",
        "--no-telemetry",
        "--vdev=net_ring0",
    ])
    .expect("EAL init");
    assert_eq!(
        Eal::init(&["--no-huge"]).unwrap_err(),
        DpdkError::AlreadyInitialised
    );
    assert!(Eal::get().is_some());
    let pool = Mempool::new(eal, "pool0", 4095).expect("pool");
    let before = pool.available();
    // net_ring0 alone is a loopback: what it sends, it receives.
    let mut p0 = Port::start(eal, 0, &pool).expect("port 0");
    send(&mut p0, &pool, 0xab);
    receive(&mut p0, 0xab);
    let (a, b) = Port::ring_pair(eal, "wire").expect("ring pair");
    let mut pa = Port::start(eal, a, &pool).expect("port a");
    let mut pb = Port::start(eal, b, &pool).expect("port b");
    send_and_receive(&mut pa, &mut pb, &pool, 1);
    send_and_receive(&mut pb, &mut pa, &pool, 2);
    assert!(matches!(
        Port::start(eal, 99, &pool),
        Err(DpdkError::NoSuchPort { port: 99, .. })
    ));
    assert!(Mempool::new(eal, "huge", 10_000_000).is_err());
    // The init thread is the main lcore; another thread gets an lcore id
    // (mempool caches) by registering, and gives it back.
    assert_eq!(eal.lcore_id(), Some(0));
    assert_eq!(eal.register_thread(), Ok(false));
    std::thread::spawn(move || {
        assert_eq!(eal.lcore_id(), None);
        assert_eq!(eal.register_thread(), Ok(true));
        assert!(eal.lcore_id().is_some());
        eal.unregister_thread();
        assert_eq!(eal.lcore_id(), None);
    })
    .join()
    .unwrap();
    // Every mbuf went back to the pool (queues hold none on ring ports).
    assert_eq!(pool.available(), before);
}
