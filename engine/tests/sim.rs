//! The README's main job, `gapless sim`, end to end: a short lossy run
//! delivers every ExecutionReport exactly once and in order, each one
//! reading back (typed fields and its Parties group) as the exchange wrote
//! it, and writes its histograms and its interval log.

use std::process::Command;

#[test]
fn a_short_lossy_sim_delivers_every_report_once_in_order_and_reads_each_back() {
    let out = std::env::temp_dir().join(format!("gapless-sim-test-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_gapless"))
        .args(["sim", "--seconds", "2", "--rate", "5000", "--loss", "0.01"])
        .args(["--port", "47311", "--out"])
        .arg(&out)
        .output()
        .expect("gapless sim runs");
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        text.contains("received 10000 of 10000: lost 0, duplicated 0, out of order 0, misread 0"),
        "{text}"
    );
    assert!(
        out.join("latency.svg").exists() && out.join("e2e.hgrm").exists(),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(out);
}
