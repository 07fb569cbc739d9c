//! `gapless run --io`: the DPDK path starts when built with the `dpdk`
//! feature, and without it the command stops with an error that says how
//! to rebuild.

use std::process::{Command, Stdio};

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("io.cfg");
    std::fs::write(
        &path,
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=47813\nIO=kernel\n\
         DpdkEalArgs=--no-huge -m 256 --no-pci --no-shconf --no-telemetry --vdev=net_ring0\n\
         DpdkLocalIP=10.0.0.1/24\nDpdkLocalMAC=02:00:00:00:00:01\n\
         [SESSION]\nBeginString=FIX.4.4\nSenderCompID=ISLD\nTargetCompID=TW\n",
    )
    .unwrap();
    path
}

fn run_with_io_dpdk() -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("gapless-io-flag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gapless"))
        .args(["run", "--io", "dpdk", "--seconds", "0.5", "--config"])
        .arg(config(&dir))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[cfg(not(feature = "dpdk"))]
#[test]
fn io_dpdk_without_the_feature_says_to_rebuild_with_it() {
    let (ok, text) = run_with_io_dpdk();
    assert!(!ok);
    assert!(text.contains("--features dpdk"), "{text}");
}

#[cfg(feature = "dpdk")]
#[test]
fn io_dpdk_flag_overrides_the_file_and_starts_the_engine_on_dpdk() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("skipped: the DPDK path needs root");
        return;
    }
    let (ok, text) = run_with_io_dpdk();
    assert!(ok, "{text}");
    assert!(text.contains("EAL"), "the EAL started: {text}");
    assert!(text.contains("session FIX.4.4:ISLD->TW started"), "{text}");
}
