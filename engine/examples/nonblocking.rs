//! Proof that recovery does not block the hot path.
//!
//! A Gapless acceptor has sent 100,000 messages. A client then asks for
//! all of them again (ResendRequest 7=2, 16=0) while it keeps sending live
//! orders at a steady rate. The acceptor's application records, for every
//! live order, the time from the hot path's read of the socket to the
//! application callback: at idle, and while the 100,000-message replay is
//! being served. The target: p99.9 during the replay ≤ 1.2 × p99.9 at idle.
//!
//! ```sh
//! cargo run --release -p gapless --example nonblocking [-- MESSAGES RATE]
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gapless::codec::encode::{Encoder, Outgoing};
use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{AppReject, Application, Sender, SessionConfig};
use gapless::sim::{hgrm, histogram};
use gapless::store::MemoryStore;
use gapless::validator::software::{parse_frame, Frame};
use hdrhistogram::Histogram;

type Phases = Arc<Mutex<Option<[Histogram<u64>; 2]>>>;

/// Echo that records read→app latency per phase (ClOrdID `I…` or `R…`).
struct Venue {
    h: [Histogram<u64>; 2],
    out: Phases,
}

impl Application for Venue {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        let lat = time::now().saturating_sub(tx.now()).max(1);
        match msg.get(11).and_then(|v| v.first()) {
            Some(b'I') => _ = self.h[0].record(lat),
            Some(b'R') => _ = self.h[1].record(lat),
            _ => {}
        }
        tx.send_body(b"8", msg.body());
        Ok(())
    }
}

impl Drop for Venue {
    fn drop(&mut self) {
        if let Ok(mut o) = self.out.lock() {
            *o = Some([
                std::mem::replace(&mut self.h[0], histogram()),
                std::mem::replace(&mut self.h[1], histogram()),
            ]);
        }
    }
}

/// Counts what the client receives: live echoes and PossDup resends.
#[derive(Default)]
struct Seen {
    live: AtomicU64,
    resent: AtomicU64,
    gap_fills: AtomicU64,
}

fn reader(mut s: TcpStream, seen: Arc<Seen>) {
    let mut buf = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0u8; 1 << 16];
    while let Ok(n) = s.read(&mut chunk) {
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut at = 0;
        while let Frame::Complete { len, .. } = parse_frame(&buf[at..], 1 << 20) {
            let m = Message::new(&buf[at..at + len]);
            match (m.msg_type(), m.header().poss_dup) {
                (b"8", false) => _ = seen.live.fetch_add(1, Ordering::Relaxed),
                (b"8", true) => _ = seen.resent.fetch_add(1, Ordering::Relaxed),
                (b"4", _) => _ = seen.gap_fills.fetch_add(1, Ordering::Relaxed),
                _ => {}
            }
            at += len;
        }
        buf.drain(..at);
    }
}

struct Client {
    s: TcpStream,
    enc: Encoder,
    seq: u32,
    out: Vec<u8>,
}

impl Client {
    fn queue(&mut self, msg_type: &[u8], body: &str) {
        let body = body.replace('|', "\x01");
        let m = Outgoing {
            msg_type,
            seq: self.seq,
            poss_dup: false,
            orig_sending_time: b"",
            body: body.as_bytes(),
        };
        self.enc.encode_with(&mut self.out, &m, time::now());
        self.seq += 1;
    }
    fn flush(&mut self) {
        self.s.write_all(&self.out).expect("write");
        self.out.clear();
    }
    fn order(&mut self, id: &str) {
        self.queue(b"D", &format!("11={id}|21=1|55=GPLS|54=1|38=100|40=1|"));
    }
    /// Sends live orders `prefix0..` at `rate`/s until `done()`.
    fn paced(&mut self, prefix: char, rate: u32, done: impl Fn(u64) -> bool) -> u64 {
        let period = Duration::from_secs_f64(1.0 / f64::from(rate));
        let start = Instant::now();
        let mut n = 0u64;
        while !done(n) {
            // Sleep, not spin: this machine has 2 cores and the hot path
            // spins on one of them.
            let due = start + period * n as u32;
            if let Some(d) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(d);
            }
            self.order(&format!("{prefix}{n}"));
            self.flush();
            n += 1;
        }
        n
    }
}

fn wait(what: &str, until: impl Fn() -> bool, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !until() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let messages = args.first().copied().unwrap_or(100_000);
    let rate = args.get(1).copied().unwrap_or(5_000) as u32;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let phases: Phases = Arc::default();
    let mut cfg = SessionConfig::new("FIX.4.4", "VENUE", "CLIENT", false);
    cfg.heartbeat_secs = 30;
    let engine = Engine::start(
        vec![SessionSpec {
            cfg,
            store: Box::new(MemoryStore::new()),
            app: Box::new(Venue {
                h: [histogram(), histogram()],
                out: phases.clone(),
            }),
            check: None,
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions {
            hot_path_core: Some(0),
            // Paced so the replay lasts seconds: enough live samples.
            resend_rate: 50_000,
            ..EngineOptions::new(1)
        },
    )
    .expect("engine");
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).unwrap();
    let seen = Arc::new(Seen::default());
    let r = (s.try_clone().unwrap(), seen.clone());
    std::thread::spawn(move || reader(r.0, r.1));
    let mut c = Client {
        s,
        enc: Encoder::new("FIX.4.4", "CLIENT", "VENUE", Precision::Millis),
        seq: 1,
        out: vec![],
    };
    c.queue(b"A", "98=0|108=30|");
    c.flush();
    std::thread::sleep(Duration::from_millis(200));

    println!("prefill: {messages} orders echoed to fill the venue's store");
    for i in 0..messages {
        c.order(&format!("W{i}"));
        if c.out.len() > 256 << 10 {
            c.flush();
        }
    }
    c.flush();
    wait(
        "prefill echoes",
        || seen.live.load(Ordering::Relaxed) >= messages,
        120,
    );

    let idle_n = u64::from(rate) * 3;
    println!("idle: {idle_n} live orders at {rate}/s");
    c.paced('I', rate, |n| n >= idle_n);
    wait(
        "idle echoes",
        || seen.live.load(Ordering::Relaxed) >= messages + idle_n,
        30,
    );

    println!("resend: ResendRequest 7=2 16=0 ({messages} messages) while live orders continue at {rate}/s");
    c.queue(b"2", "7=2|16=0|");
    c.flush();
    let t0 = Instant::now();
    let served = |s: &Seen| {
        s.resent.load(Ordering::Relaxed) + s.gap_fills.load(Ordering::Relaxed) >= messages
    };
    let during = c.paced('R', rate, |_| {
        served(&seen) || t0.elapsed() > Duration::from_secs(120)
    });
    let replay = t0.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    c.queue(b"5", "");
    c.flush();
    std::thread::sleep(Duration::from_millis(200));
    engine.stop();

    let [idle, resend] = phases.lock().unwrap().take().expect("venue histograms");
    println!(
        "replay: {} resent + {} gap fills in {:.2} s ({:.0} msg/s); {during} live orders during it",
        seen.resent.load(Ordering::Relaxed),
        seen.gap_fills.load(Ordering::Relaxed),
        replay.as_secs_f64(),
        messages as f64 / replay.as_secs_f64()
    );
    println!("venue hot path, socket read → application (µs):");
    println!("  {:<22}{}", "", hgrm::ROW_HEADER);
    println!("  {:<22}{}", "idle", hgrm::row(&idle));
    println!("  {:<22}{}", "during 100k resend", hgrm::row(&resend));
    let ratio =
        resend.value_at_percentile(99.9) as f64 / idle.value_at_percentile(99.9).max(1) as f64;
    println!("p99.9 during resend / idle = {ratio:.2} (target ≤ 1.2)");
}
