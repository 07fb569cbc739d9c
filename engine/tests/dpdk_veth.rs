//! Gapless on DPDK (net_af_packet on a veth end, user-space TCP) in one
//! network namespace, QuickFIX on kernel TCP in another, both created by
//! the test: logon, 10,000 orders each way (Gapless's orders and
//! QuickFIX's echoes), messages dropped, repeated and reordered both ways
//! so that gaps are recovered through ResendRequests, logout; each side
//! must see every message exactly once, in order.
#![cfg(feature = "dpdk")]

#[path = "support/dpdk.rs"]
mod dpdk;
#[path = "support/feeder.rs"]
mod feeder;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use feeder::Feeder;
use gapless::config::DpdkSettings;
use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{DisconnectReason, Event, SessionConfig};
use gapless::sim::lossy::{FaultPlan, LossyTransport};
use gapless::store::MemoryStore;

const MESSAGES: u64 = 10_000;
const TEST: &str = "gapless_on_dpdk_and_quickfix_on_kernel_tcp_exchange_exactly_once_through_gaps";

/// Two namespaces joined by a veth pair; deleted on drop, even on failure.
struct Namespaces {
    a: String,
    b: String,
}

fn ip(args: &[&str]) {
    let st = Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("iproute2 (`ip`) must be installed");
    assert!(st.success(), "ip {}", args.join(" "));
}

impl Namespaces {
    fn create() -> Namespaces {
        let pid = std::process::id();
        let ns = Namespaces {
            a: format!("gl-dpdk-a-{pid}"),
            b: format!("gl-dpdk-b-{pid}"),
        };
        let (va, vb) = (format!("gla{pid}"), format!("glb{pid}"));
        ip(&["netns", "add", &ns.a]);
        ip(&["netns", "add", &ns.b]);
        ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
        ip(&["link", "set", &va, "netns", &ns.a]);
        ip(&["link", "set", &vb, "netns", &ns.b]);
        ip(&["-n", &ns.a, "link", "set", "lo", "up"]);
        ip(&["-n", &ns.a, "link", "set", &va, "up"]);
        ip(&["-n", &ns.b, "link", "set", "lo", "up"]);
        ip(&["-n", &ns.b, "addr", "add", "10.0.0.2/24", "dev", &vb]);
        ip(&["-n", &ns.b, "link", "set", &vb, "up"]);
        // The kernel would send partial checksums and TSO super-segments,
        // which smoltcp drops.
        let st = Command::new("ip")
            .args(["netns", "exec", &ns.b, "ethtool", "-K", &vb, "tx", "off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("ethtool must be installed");
        assert!(st.success(), "ethtool -K {vb} tx off");
        ns
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in [&self.a, &self.b] {
            let _ = Command::new("ip")
                .args(["netns", "del", n])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Kills the child on drop.
struct Guard(Option<Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn gapless_on_dpdk_and_quickfix_on_kernel_tcp_exchange_exactly_once_through_gaps() {
    if std::env::var_os("GAPLESS_DPDK_INNER").is_some() {
        return inner();
    }
    if !dpdk::can_run_dpdk() {
        return;
    }
    let ns = Namespaces::create();
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.a])
        .arg(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env("GAPLESS_DPDK_INNER", "1")
        .env("GAPLESS_NS_B", &ns.b)
        .env("GAPLESS_IFACE", format!("gla{}", std::process::id()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    println!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the test failed in its namespace");
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

fn temp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-dpdk-veth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn quickfix(ns_b: &str, dir: &Path) -> Guard {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/qf_peer.py");
    let log = std::fs::File::create(dir.join("qf.stderr")).unwrap();
    let child = Command::new("ip")
        .args(["netns", "exec", ns_b, "python3"])
        .arg(script)
        .args(["--role", "acceptor", "--port", "5401", "--sender", "QF"])
        .args(["--target", "GAPLESS", "--echo", "--expect-prefix", "gl"])
        .args(["--expect", &MESSAGES.to_string(), "--timeout", "120"])
        .arg("--store")
        .arg(dir.join("qf"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("python3 with the quickfix package (scripts/install-deps.sh)");
    Guard(Some(child))
}

/// Counts of session events at Gapless.
#[derive(Default)]
struct Seen {
    logons: AtomicU64,
    gaps: AtomicU64,
    resend_requests: AtomicU64,
    logouts: AtomicU64,
}

fn hook(seen: Arc<Seen>) -> gapless::runtime::EventHook {
    Box::new(move |_, _, ev| {
        let c = match ev {
            Event::LoggedOn { .. } => &seen.logons,
            Event::Gap { .. } => &seen.gaps,
            Event::ResendRequested { .. } => &seen.resend_requests,
            Event::Disconnect(DisconnectReason::LoggedOut) => &seen.logouts,
            _ => return,
        };
        c.fetch_add(1, Ordering::Relaxed);
    })
}

fn json_u64(text: &str, key: &str) -> u64 {
    let k = format!("\"{key}\": ");
    let at = text.find(&k).unwrap_or_else(|| panic!("{key} in {text}")) + k.len();
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn inner() {
    let dir = temp();
    let ns_b = std::env::var("GAPLESS_NS_B").unwrap();
    let iface = std::env::var("GAPLESS_IFACE").unwrap();
    let mut peer = quickfix(&ns_b, &dir);
    let settings = DpdkSettings {
        eal_args: format!(
            "--no-huge -m 512 --no-pci --no-shconf --no-telemetry --vdev=net_af_packet0,iface={iface}"
        ),
        port: 0,
        queue: 0,
        local_ip: Some("10.0.0.1/24".into()),
        local_mac: None,
        gateway_ip: None,
        capture: Some(dir.join("dpdk.pcapng")),
    };
    let dpdk = DpdkTransport::from_settings(&settings).expect("DPDK on the veth");
    let transport = LossyTransport::new(dpdk, Some(faults(5)), Some(faults(6)));
    let counters = transport.counters();
    let (feeder, received, errors) = Feeder::new(MESSAGES);
    let mut cfg = SessionConfig::new("FIX.4.4", "GAPLESS", "QF", true);
    cfg.resend_timeout = 1_000_000_000;
    let seen = Arc::new(Seen::default());
    let mut opts = EngineOptions::new(1);
    opts.on_event = Some(hook(seen.clone()));
    let spec = SessionSpec {
        cfg,
        store: Box::new(MemoryStore::new()),
        app: Box::new(feeder),
        check: None,
        connect: Some("10.0.0.2:5401".parse().unwrap()),
        accept_port: None,
        reconnect_secs: 1,
    };
    let engine = Engine::start(vec![spec], transport, opts).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.load(Ordering::Relaxed) < MESSAGES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // QuickFIX logs out once it has every order; wait for its verdict.
    let child = peer.0.take().unwrap();
    let out = child.wait_with_output().unwrap();
    let json = String::from_utf8_lossy(&out.stdout).trim().to_string();
    println!("quickfix peer: {json}");
    let wait = Instant::now() + Duration::from_secs(5);
    while seen.logouts.load(Ordering::Relaxed) == 0 && Instant::now() < wait {
        std::thread::sleep(Duration::from_millis(10));
    }
    let report = engine.stop();
    let s = &report.sessions[0];
    println!(
        "gapless: received {} errors {} stats {:?}; faults dropped {} duplicated {} reordered {}; logons {} gaps {} peer resend requests {} logouts {}",
        received.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        s.stats,
        counters.dropped.load(Ordering::Relaxed),
        counters.duplicated.load(Ordering::Relaxed),
        counters.reordered.load(Ordering::Relaxed),
        seen.logons.load(Ordering::Relaxed),
        seen.gaps.load(Ordering::Relaxed),
        seen.resend_requests.load(Ordering::Relaxed),
        seen.logouts.load(Ordering::Relaxed),
    );
    assert!(
        out.status.success(),
        "QuickFIX reported a problem: {json} (logs in {})",
        dir.display()
    );
    assert_eq!(
        json_u64(&json, "received"),
        MESSAGES,
        "orders QuickFIX received"
    );
    assert_eq!(
        json_u64(&json, "duplicated") + json_u64(&json, "out_of_order"),
        0
    );
    assert!(
        json_u64(&json, "resend_requests_received") > 0,
        "QuickFIX never asked for a resend"
    );
    assert_eq!(
        received.load(Ordering::Relaxed),
        MESSAGES,
        "echoes Gapless delivered"
    );
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "echoes lost, duplicated or reordered"
    );
    assert!(
        seen.gaps.load(Ordering::Relaxed) > 0,
        "Gapless never had a gap to recover"
    );
    assert!(
        seen.resend_requests.load(Ordering::Relaxed) > 0,
        "QuickFIX never sent a ResendRequest"
    );
    assert_eq!(
        seen.logouts.load(Ordering::Relaxed),
        1,
        "one Logout handshake"
    );
    check_capture(&dir.join("dpdk.pcapng"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tshark(cap: &Path, filter: &str, fields: &[&str]) -> String {
    let mut c = Command::new("tshark");
    c.arg("-r").arg(cap);
    c.args(["-d", "tcp.port==5401,fix", "-Y", filter, "-T", "fields"]);
    for f in fields {
        c.args(["-e", f]);
    }
    let out = c
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("tshark must be installed (scripts/install-deps.sh)");
    assert!(out.status.success(), "tshark -Y {filter}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The capture written off the hot path holds every FIX message, each
/// well-formed for Wireshark's FIX dissector (BodyLength, CheckSum).
fn check_capture(cap: &Path) {
    let types = tshark(cap, "fix", &["fix.MsgType"]);
    let mut count = std::collections::HashMap::<&str, u64>::new();
    for t in types.split(|c: char| c == ',' || c.is_whitespace()) {
        if !t.is_empty() {
            *count.entry(t).or_default() += 1;
        }
    }
    println!("capture: FIX messages by MsgType {count:?}");
    let d = count.get("D").copied().unwrap_or(0);
    assert!(d >= 2 * MESSAGES, "orders and echoes in the capture: {d}");
    assert!(count.get("A").copied().unwrap_or(0) >= 2, "both Logons");
    assert!(count.get("5").copied().unwrap_or(0) >= 2, "both Logouts");
    assert!(count.get("2").copied().unwrap_or(0) >= 1, "a ResendRequest");
    let bad = tshark(
        cap,
        "fix.checksum_bad == 1 || _ws.malformed || (_ws.expert.severity >= error && fix)",
        &["frame.number"],
    );
    assert!(bad.trim().is_empty(), "malformed FIX in frames {bad}");
    let good = tshark(cap, "fix", &["fix.checksum_good"]);
    let good_n = good
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|v| *v == "1" || *v == "True")
        .count() as u64;
    let total: u64 = count.values().sum();
    assert_eq!(good_n, total, "every FIX message's CheckSum verified");
}
