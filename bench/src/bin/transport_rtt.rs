//! Per-message cost of the two transports under the session layer:
//! kernel TCP on 127.0.0.1 against user-space TCP (smoltcp) over two DPDK
//! ring ports wired back to back. One thread drives both ends through the
//! `Transport` trait: A sends the 221-byte ExecutionReport fixture, B
//! reads it whole and sends it back, A reads it whole. Prints one JSON
//! line with the round-trip histogram (ns).
//!
//! ```sh
//! transport_rtt kernel 100000
//! transport_rtt dpdk 100000
//! valgrind --tool=callgrind --collect-atstart=no \
//!   --toggle-collect='*measured_round_trips*' transport_rtt dpdk 10000
//! ```

use std::time::{Duration, Instant};

use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::transport::{ConnId, KernelTransport, Transport};
use hdrhistogram::Histogram;

const PORT: u16 = 47_811;

fn main() {
    let mut args = std::env::args().skip(1);
    let io = args.next().unwrap_or_else(|| "kernel".into());
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let msg = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/exec_report.fix"
    ))
    .expect("bench/fixtures/exec_report.fix");
    let hist = match io.as_str() {
        "kernel" => {
            let lo = "127.0.0.1".parse().unwrap();
            let (a, b) = (KernelTransport::new(lo), KernelTransport::new(lo));
            run(a, b, &msg, n)
        }
        "dpdk" => {
            let (a, b) = dpdk_pair();
            run(a, b, &msg, n)
        }
        other => {
            eprintln!("transport_rtt: unknown transport {other}: use kernel or dpdk");
            std::process::exit(2);
        }
    };
    println!(
        "{{\"bench\": \"transport_rtt\", \"io\": \"{io}\", \"messages\": {n}, \"bytes\": {}, \"p50_ns\": {}, \"p90_ns\": {}, \"p99_ns\": {}, \"p999_ns\": {}, \"max_ns\": {}, \"mean_ns\": {:.0}}}",
        msg.len(),
        hist.value_at_quantile(0.5),
        hist.value_at_quantile(0.9),
        hist.value_at_quantile(0.99),
        hist.value_at_quantile(0.999),
        hist.max(),
        hist.mean()
    );
}

fn dpdk_pair() -> (DpdkTransport, DpdkTransport) {
    let eal = dpdk_io::Eal::init(&[dpdk_io::NO_HARDWARE_ARGS, &["--log-level=error"]].concat())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let (pa, pb) = dpdk_io::Port::ring_pair(eal, "bench").unwrap_or_else(|e| fail(&e.to_string()));
    let net = |last: u8| dpdk_io::tcp::NetConfig {
        mac: [2, 0, 0, 0, 0, last],
        ip: std::net::Ipv4Addr::new(10, 0, 0, last),
        prefix: 24,
        gateway: None,
    };
    let a = DpdkTransport::new(eal, pa, net(1)).unwrap_or_else(|e| fail(&e.to_string()));
    let b = DpdkTransport::new(eal, pb, net(2)).unwrap_or_else(|e| fail(&e.to_string()));
    (a, b)
}

fn fail(why: &str) -> ! {
    eprintln!("transport_rtt: {why}");
    std::process::exit(1)
}

/// Connects A to B (B listens), then measures `n` round trips.
fn run<T: Transport>(mut a: T, mut b: T, msg: &[u8], n: u64) -> Histogram<u64> {
    b.listen(PORT).unwrap_or_else(|e| fail(&e.to_string()));
    let dst = if std::any::type_name::<T>().contains("Dpdk") {
        "10.0.0.2"
    } else {
        "127.0.0.1"
    };
    let ca = a
        .connect(format!("{dst}:{PORT}").parse().unwrap())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let deadline = Instant::now() + Duration::from_secs(10);
    let cb = loop {
        a.poll();
        b.poll();
        if let Some((c, _)) = b.accept() {
            if a.connected(ca) {
                break c;
            }
        }
        if Instant::now() > deadline {
            fail("no connection within 10 s");
        }
    };
    let mut hist = Histogram::<u64>::new_with_bounds(1, 1_000_000_000, 3).unwrap();
    // Warm-up, then the measured run.
    measured_round_trips(&mut a, &mut b, ca, cb, msg, n / 10, &mut hist);
    hist.reset();
    measured_round_trips(&mut a, &mut b, ca, cb, msg, n, &mut hist);
    hist
}

#[inline(never)]
fn measured_round_trips<T: Transport>(
    a: &mut T,
    b: &mut T,
    ca: ConnId,
    cb: ConnId,
    msg: &[u8],
    n: u64,
    hist: &mut Histogram<u64>,
) {
    let mut buf = vec![0u8; msg.len()];
    for _ in 0..n {
        let t0 = Instant::now();
        transfer(a, b, ca, cb, msg, &mut buf);
        transfer(b, a, cb, ca, msg, &mut buf);
        let _ = hist.record(t0.elapsed().as_nanos() as u64);
    }
}

/// Sends `msg` from `from` and reads all of it at `to` (bounded in time).
fn transfer<T: Transport>(
    from: &mut T,
    to: &mut T,
    cf: ConnId,
    ct: ConnId,
    msg: &[u8],
    buf: &mut [u8],
) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut sent = 0;
    let mut got = 0;
    while got < msg.len() {
        if sent < msg.len() {
            sent += from
                .send(cf, &msg[sent..])
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
        from.poll();
        to.poll();
        got += to
            .recv(ct, &mut buf[got..])
            .unwrap_or_else(|e| fail(&e.to_string()));
        if Instant::now() > deadline {
            fail("a message took more than 5 s");
        }
    }
}
