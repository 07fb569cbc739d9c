//! Tests that need a private network (QuickFIX acceptors listen on every
//! interface) re-run themselves inside `unshare -n`.

use std::process::Command;

/// Set inside the namespace.
const INSIDE: &str = "GAPLESS_NETNS";

/// Runs test `test` of this binary again inside `unshare -n` (a namespace
/// holding only loopback, brought up) and asserts it passed; `true` when
/// this process already is the one inside, so the caller goes on.
pub fn in_private_netns(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .args([
            "-n",
            "--",
            "sh",
            "-c",
            "ip link set lo up && exec \"$0\" \"$@\"",
        ])
        .arg(exe)
        .args([
            test,
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (util-linux) must be installed; tests run as root");
    // Through the harness's capture, so the inner output shows with the
    // test that ran it.
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "{test} failed inside its network namespace (output above)"
    );
    false
}
