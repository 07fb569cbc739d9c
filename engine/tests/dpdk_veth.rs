//! Gapless on DPDK (net_af_packet on a veth end, user-space TCP) in one
//! network namespace, QuickFIX on kernel TCP in another, both created by
//! the test, in both roles: logon, 10,000 orders one way and their 10,000
//! echoes the other, messages dropped, repeated and reordered both ways
//! (below the session, above TCP) so that gaps are recovered through
//! ResendRequests, Gapless restarted mid-stream (crash-like, on the same
//! DPDK port, resuming from its file store), logout; each side must see
//! every message exactly once, in order. The frames of the DPDK port are captured (pcapng, written off
//! the hot path) and every FIX message in them is checked with tshark.
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

use feeder::{CheckedEcho, Feeder};
use gapless::config::DpdkSettings;
use gapless::runtime::dpdk_transport::DpdkTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::{Application, DisconnectReason, Event, SessionConfig};
use gapless::sim::lossy::{FaultCounters, FaultPlan, LossyTransport};
use gapless::store::FileStore;

const MESSAGES: u64 = 10_000;

/// The two tests share the machine's two cores: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Which side Gapless plays.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Initiator,
    Acceptor,
}

impl Role {
    fn tag(self) -> &'static str {
        match self {
            Role::Initiator => "i",
            Role::Acceptor => "a",
        }
    }

    fn port(self) -> u16 {
        match self {
            Role::Initiator => 5401,
            Role::Acceptor => 5402,
        }
    }
}

/// Two namespaces joined by a veth pair; deleted on drop, even on failure.
struct Namespaces {
    a: String,
    b: String,
    /// The veth end in `a` (DPDK's).
    iface: String,
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
    fn create(role: Role) -> Namespaces {
        let (pid, t) = (std::process::id(), role.tag());
        let (va, vb) = (format!("gl{t}a{pid}"), format!("gl{t}b{pid}"));
        let ns = Namespaces {
            a: format!("gl-dpdk-{t}a-{pid}"),
            b: format!("gl-dpdk-{t}b-{pid}"),
            iface: va.clone(),
        };
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
fn gapless_initiator_on_dpdk_and_quickfix_acceptor_on_kernel_tcp_exchange_exactly_once_through_gaps(
) {
    in_namespaces(
        "gapless_initiator_on_dpdk_and_quickfix_acceptor_on_kernel_tcp_exchange_exactly_once_through_gaps",
        Role::Initiator,
    );
}

#[test]
fn quickfix_initiator_on_kernel_tcp_and_gapless_acceptor_on_dpdk_exchange_exactly_once_through_gaps(
) {
    in_namespaces(
        "quickfix_initiator_on_kernel_tcp_and_gapless_acceptor_on_dpdk_exchange_exactly_once_through_gaps",
        Role::Acceptor,
    );
}

/// Runs `test` again, as its own process (one EAL per process), inside
/// namespace A of a fresh namespace pair; or, in that process, the test.
fn in_namespaces(test: &str, role: Role) {
    if std::env::var_os("GAPLESS_DPDK_INNER").is_some() {
        return inner(role);
    }
    if !dpdk::can_run_dpdk() {
        return;
    }
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ns = Namespaces::create(role);
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.a])
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("GAPLESS_DPDK_INNER", "1")
        .env("GAPLESS_NS_B", &ns.b)
        .env("GAPLESS_IFACE", &ns.iface)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    println!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{test} failed in its namespace");
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

fn quickfix(ns_b: &str, dir: &Path, role: Role) -> Guard {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/qf_peer.py");
    let log = std::fs::File::create(dir.join("qf.stderr")).unwrap();
    let n = MESSAGES.to_string();
    let port = role.port().to_string();
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns_b, "python3"]).arg(script);
    c.args(["--port", &port, "--sender", "QF", "--target", "GAPLESS"]);
    match role {
        // QuickFIX accepts, echoes Gapless's orders ("gl-N") and counts them.
        Role::Initiator => c.args(["--role", "acceptor", "--echo", "--expect-prefix", "gl"]),
        // QuickFIX connects, sends its orders ("qf-N"), counts their echoes.
        Role::Acceptor => c.args(["--role", "initiator", "--host", "10.0.0.1", "--send", &n]),
    };
    let child = c
        .args(["--expect", &n, "--timeout", "120"])
        .arg("--store")
        .arg(dir.join("qf"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("python3 with the quickfix package (scripts/install-deps.sh)");
    Guard(Some(child))
}

/// Gapless's application for one role, rebuilt after each restart to
/// carry on where the last one stood.
struct Apps {
    role: Role,
    sent: Arc<AtomicU64>,
    received: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
}

impl Apps {
    fn new(role: Role) -> Apps {
        Apps {
            role,
            sent: Arc::default(),
            received: Arc::default(),
            errors: Arc::default(),
        }
    }

    fn build(&self) -> Box<dyn Application + Send> {
        let next = self.received.load(Ordering::Relaxed) + 1;
        match self.role {
            Role::Initiator => Box::new(Feeder {
                total: MESSAGES,
                sent: self.sent.clone(),
                next_expected: next,
                received: self.received.clone(),
                errors: self.errors.clone(),
            }),
            Role::Acceptor => Box::new(CheckedEcho {
                next,
                received: self.received.clone(),
                errors: self.errors.clone(),
            }),
        }
    }
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

/// Starts Gapless on DPDK port 0 (the veth end), its store under `dir`,
/// its frames captured to `cap`.
fn start(
    role: Role,
    dir: &Path,
    apps: &Apps,
    seen: &Arc<Seen>,
    seed: u64,
    cap: PathBuf,
) -> (Engine, Arc<FaultCounters>) {
    let iface = std::env::var("GAPLESS_IFACE").unwrap();
    let settings = DpdkSettings {
        eal_args: format!(
            "--no-huge -m 512 --no-pci --no-shconf --no-telemetry --vdev=net_af_packet0,iface={iface}"
        ),
        port: 0,
        queue: 0,
        local_ip: Some("10.0.0.1/24".into()),
        local_mac: None,
        gateway_ip: None,
        capture: Some(cap),
    };
    let dpdk = DpdkTransport::from_settings(&settings).expect("DPDK on the veth");
    let transport = LossyTransport::new(dpdk, Some(faults(seed)), Some(faults(seed + 1)));
    let counters = transport.counters();
    let (store, _) = FileStore::open(&dir.join("gapless"), "FIX.4.4-GAPLESS-QF", 1 << 24).unwrap();
    let mut cfg = SessionConfig::new("FIX.4.4", "GAPLESS", "QF", role == Role::Initiator);
    cfg.resend_timeout = 1_000_000_000;
    let mut opts = EngineOptions::new(1);
    opts.on_event = Some(hook(seen.clone()));
    let spec = SessionSpec {
        cfg,
        store: Box::new(store),
        app: apps.build(),
        check: None,
        connect: (role == Role::Initiator)
            .then(|| format!("10.0.0.2:{}", role.port()).parse().unwrap()),
        accept_port: (role == Role::Acceptor).then_some(role.port()),
        reconnect_secs: 1,
    };
    (
        Engine::start(vec![spec], transport, opts).unwrap(),
        counters,
    )
}

fn wait_until(what: &str, secs: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn inner(role: Role) {
    let dir = temp();
    let ns_b = std::env::var("GAPLESS_NS_B").unwrap();
    let mut peer = quickfix(&ns_b, &dir, role);
    let apps = Apps::new(role);
    let seen = Arc::new(Seen::default());
    let caps = [dir.join("dpdk-1.pcapng"), dir.join("dpdk-2.pcapng")];
    let (engine, _) = start(role, &dir, &apps, &seen, 5, caps[0].clone());
    // Past half the stream, Gapless stops as a crash would (no Logout; its
    // TCP connections are reset, as the kernel does for a dead process)
    // and starts again on the same DPDK port, resuming from its store.
    let received = apps.received.clone();
    wait_until("half the stream", 120, || {
        received.load(Ordering::Relaxed) > MESSAGES / 2
    });
    let report = engine.abort();
    println!(
        "gapless restarts at in {} out {}",
        report.sessions[0].next_in, report.sessions[0].next_out
    );
    let (engine, counters) = start(role, &dir, &apps, &seen, 7, caps[1].clone());
    wait_until("the whole stream", 120, || {
        received.load(Ordering::Relaxed) >= MESSAGES
    });
    // QuickFIX logs out once it has every message; wait for its verdict.
    let child = peer.0.take().unwrap();
    let out = child.wait_with_output().unwrap();
    let json = String::from_utf8_lossy(&out.stdout).trim().to_string();
    println!("quickfix peer: {json}");
    wait_until("the Logout", 5, || seen.logouts.load(Ordering::Relaxed) > 0);
    let report = engine.stop();
    let errors = apps.errors.load(Ordering::Relaxed);
    println!(
        "gapless: received {} errors {errors} stats {:?}; faults after restart: dropped {} duplicated {} reordered {}; logons {} gaps {} peer resend requests {} logouts {}",
        received.load(Ordering::Relaxed),
        report.sessions[0].stats,
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
        "messages QuickFIX counted"
    );
    assert_eq!(
        json_u64(&json, "duplicated") + json_u64(&json, "out_of_order"),
        0
    );
    assert!(
        json_u64(&json, "resend_requests_received") > 0,
        "Gapless never sent QuickFIX a ResendRequest"
    );
    assert_eq!(
        received.load(Ordering::Relaxed),
        MESSAGES,
        "messages Gapless delivered"
    );
    assert_eq!(
        errors, 0,
        "messages lost, duplicated or reordered at Gapless"
    );
    assert!(
        seen.gaps.load(Ordering::Relaxed) > 0,
        "Gapless never had a gap to recover"
    );
    assert!(
        seen.resend_requests.load(Ordering::Relaxed) > 0,
        "QuickFIX never sent a ResendRequest"
    );
    assert_eq!(seen.logons.load(Ordering::Relaxed), 2, "a Logon per start");
    assert_eq!(
        seen.logouts.load(Ordering::Relaxed),
        1,
        "one Logout handshake"
    );
    check_capture(&caps, role.port());
    let _ = std::fs::remove_dir_all(&dir);
}

fn tshark(cap: &Path, port: u16, filter: &str, fields: &[&str]) -> String {
    let mut c = Command::new("tshark");
    c.arg("-r").arg(cap);
    let decode = format!("tcp.port=={port},fix");
    c.args(["-d", &decode, "-Y", filter, "-T", "fields"]);
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

/// The captures written off the hot path hold every FIX message (both
/// runs together), each well-formed for Wireshark's FIX dissector
/// (BodyLength, CheckSum).
fn check_capture(caps: &[PathBuf], port: u16) {
    let mut count = std::collections::HashMap::<String, u64>::new();
    for cap in caps {
        let types = tshark(cap, port, "fix", &["fix.MsgType"]);
        let mut total = 0;
        for t in types.split(|c: char| c == ',' || c.is_whitespace()) {
            if !t.is_empty() {
                *count.entry(t.to_string()).or_default() += 1;
                total += 1;
            }
        }
        let bad = tshark(
            cap,
            port,
            "fix.checksum_bad == 1 || _ws.malformed || (_ws.expert.severity >= error && fix)",
            &["frame.number"],
        );
        assert!(
            bad.trim().is_empty(),
            "malformed FIX in {} frames {bad}",
            cap.display()
        );
        let good = tshark(cap, port, "fix", &["fix.checksum_good"]);
        let good_n = good
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|v| *v == "1" || *v == "True")
            .count();
        assert_eq!(
            good_n,
            total,
            "every CheckSum verified in {}",
            cap.display()
        );
    }
    println!("capture: FIX messages by MsgType {count:?}");
    let n = |t: &str| count.get(t).copied().unwrap_or(0);
    assert!(
        n("D") >= 2 * MESSAGES,
        "orders and echoes in the capture: {}",
        n("D")
    );
    assert!(n("A") >= 4, "both Logons of each run");
    assert!(n("5") >= 2, "both Logouts");
    assert!(n("2") >= 1, "a ResendRequest");
}
