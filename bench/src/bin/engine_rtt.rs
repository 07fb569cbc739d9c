//! Order → echo round trips between two Gapless engines in one process,
//! over kernel TCP on 127.0.0.1 or over user-space TCP on two DPDK ring
//! ports: the whole engine (session, store, validator, hot path) on both
//! sides, one order in flight. Prints one JSON line (ns).
//!
//! ```sh
//! engine_rtt kernel 50000
//! engine_rtt dpdk 50000
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gapless::app::Echo;
use gapless::codec::message::Message;
use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::transport::{KernelTransport, Transport};
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{AppReject, Application, Sender, SessionConfig};
use gapless::store::MemoryStore;
use hdrhistogram::Histogram;

/// Sends one order at a time; stores each round trip (ns) in `samples`.
struct Pinger {
    samples: Arc<Vec<AtomicU64>>,
    done: Arc<AtomicU64>,
    sent: usize,
    t0: Option<Instant>,
}

impl Application for Pinger {
    fn on_message(&mut self, _: &Message, _: &mut Sender) -> Result<(), AppReject> {
        if let Some(t0) = self.t0.take() {
            let i = self.done.load(Ordering::Relaxed) as usize;
            if let Some(s) = self.samples.get(i) {
                s.store(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
            }
            self.done.store(i as u64 + 1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn poll(&mut self, tx: &mut Sender) {
        if self.t0.is_some() || self.sent >= self.samples.len() {
            return;
        }
        self.sent += 1;
        self.t0 = Some(Instant::now());
        tx.send(b"D", |b| {
            b.str(11, b"gl-1")
                .char(21, b'1')
                .str(60, b"20231114-22:13:20")
                .str(55, b"GPLS")
                .char(54, b'1')
                .uint(38, 100)
                .char(40, b'1');
        });
    }
}

fn spec(acceptor: bool, port: u16, host: &str, app: Box<dyn Application + Send>) -> SessionSpec {
    let (s, t) = if acceptor {
        ("ISLD", "TW")
    } else {
        ("TW", "ISLD")
    };
    SessionSpec {
        cfg: SessionConfig::new("FIX.4.4", s, t, !acceptor),
        store: Box::new(MemoryStore::new()),
        app,
        check: None,
        connect: (!acceptor).then(|| format!("{host}:{port}").parse().unwrap()),
        accept_port: acceptor.then_some(port),
        reconnect_secs: 1,
    }
}

fn run<T: Transport + Send + 'static>(a: T, b: T, host: &str, n: usize) -> Histogram<u64> {
    let port = 47_812;
    let echo = Engine::start(
        vec![spec(true, port, host, Box::new(Echo))],
        b,
        EngineOptions::new(1),
    )
    .expect("acceptor");
    let samples: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let done = Arc::new(AtomicU64::new(0));
    let pinger = Pinger {
        samples: samples.clone(),
        done: done.clone(),
        sent: 0,
        t0: None,
    };
    let client = Engine::start(
        vec![spec(false, port, host, Box::new(pinger))],
        a,
        EngineOptions::new(1),
    )
    .expect("initiator");
    let deadline = Instant::now() + Duration::from_secs(120);
    while (done.load(Ordering::Relaxed) as usize) < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    client.stop();
    echo.stop();
    let mut h = Histogram::<u64>::new_with_bounds(1, 10_000_000_000, 3).unwrap();
    let got = done.load(Ordering::Relaxed) as usize;
    for s in samples.iter().take(got).skip(n / 10) {
        let _ = h.record(s.load(Ordering::Relaxed).max(1));
    }
    h
}

fn main() {
    let mut args = std::env::args().skip(1);
    let io = args.next().unwrap_or_else(|| "kernel".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let h = match io.as_str() {
        "kernel" => {
            let lo = "127.0.0.1".parse().unwrap();
            run(
                KernelTransport::new(lo),
                KernelTransport::new(lo),
                "127.0.0.1",
                n,
            )
        }
        "dpdk" => {
            let eal =
                dpdk_io::Eal::init(&[dpdk_io::NO_HARDWARE_ARGS, &["--log-level=error"]].concat())
                    .expect("EAL (run as root)");
            let (pa, pb) = dpdk_io::Port::ring_pair(eal, "bench").expect("ring ports");
            let net = |last: u8| dpdk_io::tcp::NetConfig {
                mac: [2, 0, 0, 0, 0, last],
                ip: std::net::Ipv4Addr::new(10, 0, 0, last),
                prefix: 24,
                gateway: None,
            };
            let a = DpdkTransport::new(eal, pa, net(1)).expect("port a");
            let b = DpdkTransport::new(eal, pb, net(2)).expect("port b");
            run(a, b, "10.0.0.2", n)
        }
        other => {
            eprintln!("engine_rtt: unknown transport {other}: use kernel or dpdk");
            std::process::exit(2);
        }
    };
    println!(
        "{{\"bench\": \"engine_rtt\", \"io\": \"{io}\", \"samples\": {}, \"p50_ns\": {}, \"p90_ns\": {}, \"p99_ns\": {}, \"p999_ns\": {}, \"max_ns\": {}}}",
        h.len(),
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.9),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max()
    );
}
