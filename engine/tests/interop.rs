//! Interop with QuickFIX (PyPI `quickfix`, the C++ engine) in both
//! directions, through faults: messages dropped, repeated as PossDup and
//! reordered both ways, the connection cut, and each side restarted with
//! its sequence numbers resumed. Each application must see every message
//! exactly once, in order.
//!
//! A QuickFIX acceptor listens on every interface, so each test re-runs
//! itself inside a private network namespace (`unshare -n`) that holds
//! only loopback: no traffic can leave it.

#[path = "support/feeder.rs"]
mod feeder;
#[path = "support/netns.rs"]
mod netns;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use feeder::{CheckedEcho, Feeder};
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{Application, SessionConfig};
use gapless::sim::lossy::{FaultCounters, FaultPlan, LossyTransport};
use gapless::store::FileStore;
use netns::in_private_netns;

const MESSAGES: u64 = 10_000;

fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/qf_peer.py")
}

fn qf_peer(args: &[String]) -> Child {
    Command::new("python3")
        .arg(peer_script())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 with the quickfix package (scripts/install-deps.sh)")
}

/// Waits for the peer and returns its JSON line.
fn finish(child: Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    println!("quickfix peer: {text}");
    (out.status.success(), text)
}

fn json_u64(text: &str, key: &str) -> u64 {
    let k = format!("\"{key}\": ");
    let at = text
        .find(&k)
        .unwrap_or_else(|| panic!("{key} missing in {text}"))
        + k.len();
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn faults(seed: u64) -> FaultPlan {
    FaultPlan {
        loss: 0.002,
        burst: 4,
        duplicate: 0.001,
        reorder: 0.001,
        seed,
    }
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn lossy(seed: u64, cut: u64) -> (LossyTransport<KernelTransport>, Arc<FaultCounters>) {
    let t = LossyTransport::new(
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        Some(faults(seed)),
        Some(faults(seed + 1)),
    )
    .cut_every(cut);
    let c = t.counters();
    (t, c)
}

/// Gapless acceptor GAPLESS<-QF on `port` with a file store in `dir`
/// (`segment` bytes per journal segment), `app`, and the faulty transport.
fn echo_acceptor(
    dir: &Path,
    port: u16,
    segment: usize,
    app: CheckedEcho,
    (t, c): (LossyTransport<KernelTransport>, Arc<FaultCounters>),
) -> (Engine, Arc<FaultCounters>) {
    let (store, _) = FileStore::open(&dir.join("gapless"), "FIX.4.4-GAPLESS-QF", segment).unwrap();
    let mut cfg = SessionConfig::new("FIX.4.4", "GAPLESS", "QF", false);
    cfg.resend_timeout = 1_000_000_000;
    let spec = SessionSpec {
        cfg,
        store: Box::new(store),
        app: Box::new(app),
        check: None,
        connect: None,
        accept_port: Some(port),
        reconnect_secs: 1,
    };
    (
        Engine::start(vec![spec], t, EngineOptions::new(1)).unwrap(),
        c,
    )
}

fn wait_until(what: &str, secs: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn quickfix_initiator_and_gapless_acceptor_exchange_exactly_once_through_faults_and_restarts() {
    let name =
        "quickfix_initiator_and_gapless_acceptor_exchange_exactly_once_through_faults_and_restarts";
    if !in_private_netns(name) {
        return;
    }
    let dir = temp("acc");
    let port = 5301;
    let (received, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let start = |next: u64, seed: u64| {
        let app = CheckedEcho {
            next,
            received: received.clone(),
            errors: errors.clone(),
        };
        echo_acceptor(&dir, port, 1 << 24, app, lossy(seed, 2_500))
    };
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "--role",
            "initiator",
            "--port",
            "5301",
            "--sender",
            "QF",
            "--target",
            "GAPLESS",
            "--rate",
            "4000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(["--store".into(), dir.join("qf").display().to_string()]);
        v.extend(["--state".into(), dir.join("qf.json").display().to_string()]);
        v.extend([
            "--send".into(),
            MESSAGES.to_string(),
            "--expect".into(),
            MESSAGES.to_string(),
        ]);
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let (mut engine, _) = start(1, 11);
    // QuickFIX stops (restart) after 3,000 orders of this run.
    let (ok, _) = finish(qf_peer(&args(&["--stop-after", "3000", "--timeout", "60"])));
    assert!(ok, "first QuickFIX run");
    let peer = qf_peer(&args(&["--timeout", "90"]));
    // Gapless restarts once the stream is past half way. It stops as a
    // crash would, without a Logout: QuickFIX answers a Logout that arrives
    // while one of its gaps is open by stepping its expected seq by one,
    // past the missing message, which it then never requests (seen in its
    // own message log: gap at 4936, Logout, re-logon, ResendRequest from
    // 4937); these tests open gaps on purpose.
    wait_until("half the stream", 60, || {
        received.load(Ordering::Relaxed) > MESSAGES / 2
    });
    let report = engine.abort();
    let next = report.sessions[0].next_in;
    println!(
        "gapless restarts at in {next} out {}",
        report.sessions[0].next_out
    );
    let counters;
    (engine, counters) = start(received.load(Ordering::Relaxed) + 1, 23);
    let (ok, json) = finish(peer);
    engine.stop();
    let f = &counters;
    println!(
        "gapless: received {} errors {}; faults after restart: dropped {} duplicated {} reordered {} cuts {}",
        received.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        f.dropped.load(Ordering::Relaxed),
        f.duplicated.load(Ordering::Relaxed),
        f.reordered.load(Ordering::Relaxed),
        f.cuts.load(Ordering::Relaxed)
    );
    if ok {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        ok,
        "QuickFIX reported a problem: {json} (logs in {})",
        dir.display()
    );
    assert_eq!(json_u64(&json, "received"), MESSAGES);
    assert_eq!(
        json_u64(&json, "duplicated") + json_u64(&json, "out_of_order"),
        0
    );
    assert_eq!(
        received.load(Ordering::Relaxed),
        MESSAGES,
        "orders Gapless delivered"
    );
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "orders lost, duplicated or reordered at Gapless"
    );
}

#[test]
fn gapless_initiator_and_quickfix_acceptor_exchange_exactly_once_through_faults_and_restarts() {
    let name =
        "gapless_initiator_and_quickfix_acceptor_exchange_exactly_once_through_faults_and_restarts";
    if !in_private_netns(name) {
        return;
    }
    let dir = temp("init");
    let qf_args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "--role",
            "acceptor",
            "--port",
            "5302",
            "--sender",
            "QF",
            "--target",
            "GAPLESS",
            "--echo",
            "--expect-prefix",
            "gl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(["--store".into(), dir.join("qf").display().to_string()]);
        v.extend(["--state".into(), dir.join("qf.json").display().to_string()]);
        v.extend(["--expect".into(), MESSAGES.to_string()]);
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let peer = qf_peer(&qf_args(&["--timeout", "120"]));
    let (feeder, received, errors) = Feeder::new(MESSAGES);
    let resumed = feeder.resume();
    let start = |app: Box<dyn Application + Send>, seed: u64| {
        let (store, _) =
            FileStore::open(&dir.join("gapless"), "FIX.4.4-GAPLESS-QF", 1 << 24).unwrap();
        let mut cfg = SessionConfig::new("FIX.4.4", "GAPLESS", "QF", true);
        cfg.resend_timeout = 1_000_000_000;
        let (t, c) = lossy(seed, 2_500);
        let spec = SessionSpec {
            cfg,
            store: Box::new(store),
            app,
            check: None,
            connect: Some("127.0.0.1:5302".parse().unwrap()),
            accept_port: None,
            reconnect_secs: 1,
        };
        (
            Engine::start(vec![spec], t, EngineOptions::new(1)).unwrap(),
            c,
        )
    };
    let (engine, counters) = start(Box::new(feeder), 31);
    wait_until("half the stream", 90, || {
        received.load(Ordering::Relaxed) > MESSAGES / 2
    });
    // Restart Gapless (as a crash would, see the test below): a new feeder
    // resumes where the first one stood.
    let report = engine.abort();
    println!(
        "gapless restarts at in {} out {}",
        report.sessions[0].next_in, report.sessions[0].next_out
    );
    let dropped = counters.dropped.load(Ordering::Relaxed);
    let resumed = Feeder {
        next_expected: received.load(Ordering::Relaxed) + 1,
        ..resumed
    };
    let (engine, counters) = start(Box::new(resumed), 47);
    wait_until("the whole stream", 90, || {
        received.load(Ordering::Relaxed) >= MESSAGES
    });
    let (ok, json) = finish(peer);
    engine.stop();
    println!(
        "gapless: received {} errors {}; dropped {} before restart, {} after; cuts {}",
        received.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        dropped,
        counters.dropped.load(Ordering::Relaxed),
        counters.cuts.load(Ordering::Relaxed)
    );
    if ok {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        ok,
        "QuickFIX reported a problem: {json} (logs in {})",
        dir.display()
    );
    assert_eq!(json_u64(&json, "received"), MESSAGES);
    assert_eq!(
        received.load(Ordering::Relaxed),
        MESSAGES,
        "echoes Gapless delivered"
    );
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "echoes lost, duplicated or reordered at Gapless"
    );
}

fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

/// The soak (docs/PERFORMANCE.md): `GAPLESS_SOAK_MESSAGES` orders (10^7)
/// from a QuickFIX initiator to a Gapless acceptor and back, through
/// loss, duplicates, reordering and a connection cut every 500,000
/// messages; QuickFIX restarts every `GAPLESS_SOAK_CHUNK` (500,000) of its
/// orders and Gapless restarts crash-style after every other QuickFIX
/// run. Memory is sampled after each run and must stay flat.
///
/// `GAPLESS_SOAK_MESSAGES=10000000 cargo test --release -p gapless --test
/// interop soak -- --ignored --nocapture`
#[test]
#[ignore = "a 30-minute soak; run by the command in its doc comment"]
fn soak_orders_from_quickfix_through_faults_and_restarts() {
    let name = "soak_orders_from_quickfix_through_faults_and_restarts";
    if !in_private_netns(name) {
        return;
    }
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (total, chunk) = (
        env("GAPLESS_SOAK_MESSAGES", 10_000_000),
        env("GAPLESS_SOAK_CHUNK", 500_000),
    );
    let dir = temp("soak");
    let (received, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let start = |next: u64, seed: u64| {
        let app = CheckedEcho {
            next,
            received: received.clone(),
            errors: errors.clone(),
        };
        echo_acceptor(&dir, 5302, 1 << 26, app, lossy(seed, 500_000)).0
    };
    let mut engine = start(1, 101);
    let began = Instant::now();
    let (mut runs, mut rss) = (0u64, Vec::new());
    let last_json = loop {
        let mut args: Vec<String> = ["--role", "initiator", "--port", "5302", "--sender", "QF"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend([
            "--target".into(),
            "GAPLESS".into(),
            "--rate".into(),
            "8000".into(),
        ]);
        args.extend(["--store".into(), dir.join("qf").display().to_string()]);
        args.extend(["--state".into(), dir.join("qf.json").display().to_string()]);
        args.extend([
            "--send".into(),
            total.to_string(),
            "--expect".into(),
            total.to_string(),
        ]);
        args.extend([
            "--stop-after".into(),
            chunk.to_string(),
            "--timeout".into(),
            "600".into(),
        ]);
        let (ok, json) = finish(qf_peer(&args));
        assert!(
            ok,
            "QuickFIX run {runs} reported a problem: {json} (logs in {})",
            dir.display()
        );
        runs += 1;
        rss.push(rss_mib());
        println!(
            "soak: run {runs}: {} orders echoed, {:.0} s, RSS {} MiB",
            received.load(Ordering::Relaxed),
            began.elapsed().as_secs_f64(),
            rss[rss.len() - 1]
        );
        if json_u64(&json, "received") >= total {
            break json;
        }
        if runs % 2 == 0 {
            engine.abort();
            engine = start(received.load(Ordering::Relaxed) + 1, 101 + runs);
        }
    };
    engine.stop();
    assert_eq!(
        json_u64(&last_json, "duplicated") + json_u64(&last_json, "out_of_order"),
        0
    );
    assert_eq!(
        received.load(Ordering::Relaxed),
        total,
        "orders Gapless delivered"
    );
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "lost, duplicated or reordered"
    );
    let third = rss.len().div_ceil(3);
    let (early, late) = (
        rss[..third].iter().max().copied().unwrap_or(0),
        rss[rss.len() - third..].iter().max().copied().unwrap_or(0),
    );
    println!("soak: {total} orders in {:.0} s, {runs} QuickFIX runs; RSS early {early} MiB, late {late} MiB", began.elapsed().as_secs_f64());
    assert!(late <= early + 32, "memory grew from {early} to {late} MiB");
    let _ = std::fs::remove_dir_all(&dir);
}
