//! The examples against QuickFIX (PyPI `quickfix`, scripts/qf_peer.py):
//! each runs from its own .cfg as a newcomer would run it. A QuickFIX
//! acceptor listens on every interface, so each test re-runs itself in a
//! private network namespace holding only loopback.

#[path = "../../engine/tests/support/netns.rs"]
mod netns;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use netns::in_private_netns;

const ORDERS: u64 = 2_000;

fn work_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-examples-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn qf_peer(args: &[&str]) -> Child {
    Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/qf_peer.py"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 with the quickfix package (scripts/install-deps.sh)")
}

/// Waits for `child`, prints its stdout, returns whether it succeeded.
fn finish(name: &str, child: Child) -> bool {
    let out = child.wait_with_output().unwrap();
    println!("{name}: {}", String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
}

fn cfg(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("gapless.cfg");
    let text = format!(
        "[DEFAULT]\nFileStorePath={}\nHeartBtInt=30\n{body}\n",
        dir.join("store").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn order_client_sends_from_its_strategy_thread_and_gets_every_echo_from_quickfix() {
    if !in_private_netns(
        "order_client_sends_from_its_strategy_thread_and_gets_every_echo_from_quickfix",
    ) {
        return;
    }
    let dir = work_dir("client");
    let store = dir.join("qf");
    let n = ORDERS.to_string();
    let peer = qf_peer(&[
        "--role",
        "acceptor",
        "--port",
        "7301",
        "--sender",
        "QF",
        "--target",
        "GL",
        "--store",
        store.to_str().unwrap(),
        "--echo",
        "--expect",
        &n,
        "--expect-prefix",
        "gl",
        "--timeout",
        "60",
    ]);
    std::thread::sleep(Duration::from_millis(1500));
    let config = cfg(
        &dir,
        "ConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort=7301\n\
         [SESSION]\nBeginString=FIX.4.4\nSenderCompID=GL\nTargetCompID=QF",
    );
    let client = Command::new(env!("CARGO_BIN_EXE_order_client"))
        .arg(&config)
        .arg(&n)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(finish("order_client", client), "every order echoed");
    assert!(
        finish("quickfix", peer),
        "QuickFIX got every order once, in order"
    );
}

#[test]
fn venue_answers_every_quickfix_order_with_an_execution_report() {
    if !in_private_netns("venue_answers_every_quickfix_order_with_an_execution_report") {
        return;
    }
    let dir = work_dir("venue");
    let config = cfg(
        &dir,
        "ConnectionType=acceptor\nSocketAcceptPort=7302\n\
         [SESSION]\nBeginString=FIX.4.4\nSenderCompID=GL\nTargetCompID=QF",
    );
    let mut venue = Command::new(env!("CARGO_BIN_EXE_venue"))
        .arg(&config)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let store = dir.join("qf");
    let n = ORDERS.to_string();
    let peer = qf_peer(&[
        "--role",
        "initiator",
        "--port",
        "7302",
        "--sender",
        "QF",
        "--target",
        "GL",
        "--store",
        store.to_str().unwrap(),
        "--send",
        &n,
        "--expect",
        &n,
        "--prefix",
        "qf",
        "--expect-prefix",
        "qf",
        "--timeout",
        "60",
    ]);
    let ok = finish("quickfix", peer);
    // SIGTERM: the venue logs its session out and exits 0.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc_kill(venue.id() as i32, 15) };
    let status = venue.wait().unwrap();
    assert!(
        ok,
        "QuickFIX got an ExecutionReport for every order, in order"
    );
    assert!(status.success(), "the venue stopped cleanly on SIGTERM");
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}
