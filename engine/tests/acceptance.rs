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
#[path = "support/netns.rs"]
mod netns;
#[path = "acceptance/script.rs"]
mod script;
#[path = "acceptance/suite.rs"]
mod suite;
#[path = "acceptance/targets.rs"]
mod targets;

use netns::in_private_netns;
use suite::{Outcome, Selection};

/// Every script passed, and there was at least one (a selection that
/// names no script is a mistake, not a pass).
fn all_passed(outcomes: &[Outcome]) -> bool {
    assert!(
        !outcomes.is_empty(),
        "no script selected: check ACCEPTANCE_VERSIONS / ACCEPTANCE_SCRIPTS"
    );
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

/// Plays the selected scripts against `engine` (started inside the
/// namespace), prints the score as `name`; the outcomes.
fn play(name: &str, mut engine: targets::Engine) -> Vec<Outcome> {
    engine.wait_listening(targets::PORT);
    let outcomes = suite::run(&Selection::from_env(), targets::PORT);
    suite::report(name, &outcomes);
    print_log_tail(&engine);
    outcomes
}

#[test]
fn gapless_answers_every_acceptance_script_as_quickfix_does() {
    if !in_private_netns("gapless_answers_every_acceptance_script_as_quickfix_does") {
        return;
    }
    let outcomes = play("gapless", targets::gapless());
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
    let outcomes = play("quickfix", targets::quickfix());
    assert!(
        all_passed(&outcomes),
        "QuickFIX itself fails: the runner is wrong"
    );
}
