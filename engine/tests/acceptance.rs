//! QuickFIX's session acceptance suite (`test/definitions/server`,
//! vendored under `tests/acceptance/definitions` with QuickFIX's licence),
//! played by our own runner against Gapless and against QuickFIX's own
//! acceptor, each inside a private network namespace with every version's
//! session on one port. See docs/CONFORMANCE.md.
//!
//! `cargo test -p gapless --test acceptance -- --nocapture` prints the
//! score and each failing script's first difference. Environment:
//! `ACCEPTANCE_VERSIONS=fix42,fix44`, `ACCEPTANCE_SCRIPTS=<substring>`,
//! `ACCEPTANCE_MODE=lenient`, `ACCEPTANCE_VERBOSE=1`.

#[path = "acceptance/compare.rs"]
mod compare;
#[path = "acceptance/driver.rs"]
mod driver;
#[path = "acceptance/script.rs"]
mod script;
#[path = "acceptance/suite.rs"]
mod suite;
#[path = "acceptance/targets.rs"]
mod targets;

use std::process::Command;

use suite::{Outcome, Selection};

const IN_NETNS: &str = "GAPLESS_ACCEPTANCE_NETNS";

/// Runs the calling test again inside `unshare -n` (a namespace holding
/// only loopback); `true` when already inside, so the caller goes on.
fn in_private_netns(test: &str) -> bool {
    if std::env::var_os(IN_NETNS).is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .args([
            "-n",
            "--",
            "sh",
            "-c",
            "ip link set lo up && exec \"$@\"",
            "sh",
        ])
        .arg(exe)
        .args([
            test,
            "--exact",
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(IN_NETNS, "1")
        .output()
        .expect("unshare (util-linux) is needed");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "{test} failed (it needs root for unshare -n; output above)"
    );
    false
}

fn all_passed(outcomes: &[Outcome]) -> bool {
    outcomes.iter().all(|o| o.result.is_ok())
}

fn print_log_tail(engine: &targets::Engine) {
    if std::env::var_os("ACCEPTANCE_VERBOSE").is_some() {
        let log = std::fs::read_to_string(&engine.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!(
            "engine log tail:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
}

#[test]
fn gapless_answers_every_acceptance_script_as_quickfix_does() {
    if !in_private_netns("gapless_answers_every_acceptance_script_as_quickfix_does") {
        return;
    }
    let mut engine = targets::gapless();
    engine.wait_listening(targets::PORT);
    let outcomes = suite::run(&Selection::from_env(), targets::PORT);
    suite::report("gapless", &outcomes);
    print_log_tail(&engine);
    assert!(
        all_passed(&outcomes),
        "Gapless answers differently from QuickFIX (first differences above)"
    );
}

#[test]
fn quickfix_acceptor_passes_every_script_under_our_runner() {
    if !in_private_netns("quickfix_acceptor_passes_every_script_under_our_runner") {
        return;
    }
    let mut engine = targets::quickfix();
    engine.wait_listening(targets::PORT);
    let outcomes = suite::run(&Selection::from_env(), targets::PORT);
    suite::report("quickfix", &outcomes);
    print_log_tail(&engine);
    assert!(
        all_passed(&outcomes),
        "QuickFIX itself fails: the runner is wrong"
    );
}
