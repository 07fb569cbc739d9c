//! The vendored suite: which scripts, which sessions, and the score.

use std::path::{Path, PathBuf};

use super::compare::Mode;
use super::driver::{self, Session};
use super::script;

/// A FIX version's scripts and the session that plays them.
pub struct Version {
    pub dir: &'static str,
    pub comp_id: &'static str,
    /// One of the 297 scripts the suite is scored on (the rest are the
    /// older versions' 170).
    pub main: bool,
}

pub const VERSIONS: [Version; 8] = [
    Version {
        dir: "fix40",
        comp_id: "TW40",
        main: false,
    },
    Version {
        dir: "fix41",
        comp_id: "TW41",
        main: false,
    },
    Version {
        dir: "fix42",
        comp_id: "TW42",
        main: true,
    },
    Version {
        dir: "fix43",
        comp_id: "TW43",
        main: false,
    },
    Version {
        dir: "fix44",
        comp_id: "TW44",
        main: true,
    },
    Version {
        dir: "fix50",
        comp_id: "TW50",
        main: true,
    },
    Version {
        dir: "fix50sp1",
        comp_id: "TW50SP1",
        main: true,
    },
    Version {
        dir: "fix50sp2",
        comp_id: "TW50SP2",
        main: true,
    },
];

/// The vendored definitions.
pub fn definitions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/acceptance/definitions")
}

/// One script's outcome: `version/name` and the first difference.
pub struct Outcome {
    pub name: String,
    pub main: bool,
    pub result: Result<(), String>,
}

/// What to run, from the environment: `ACCEPTANCE_VERSIONS=fix42,fix44`,
/// `ACCEPTANCE_SCRIPTS=<substring>`, `ACCEPTANCE_MODE=lenient`.
pub struct Selection {
    pub versions: Vec<&'static Version>,
    pub filter: String,
    pub mode: Mode,
}

impl Selection {
    pub fn from_env() -> Selection {
        let only = std::env::var("ACCEPTANCE_VERSIONS").unwrap_or_default();
        let versions = VERSIONS
            .iter()
            .filter(|v| only.is_empty() || only.split(',').any(|o| o == v.dir))
            .collect();
        let mode = match std::env::var("ACCEPTANCE_MODE").as_deref() {
            Ok("lenient") => Mode::Lenient,
            _ => Mode::Strict,
        };
        Selection {
            versions,
            filter: std::env::var("ACCEPTANCE_SCRIPTS").unwrap_or_default(),
            mode,
        }
    }
}

/// Plays every selected script against `port`: versions in parallel (each
/// is its own session), a version's scripts one after another.
pub fn run(sel: &Selection, port: u16) -> Vec<Outcome> {
    let mode = sel.mode;
    std::thread::scope(|s| {
        let handles: Vec<_> = sel
            .versions
            .iter()
            .map(|v| s.spawn(move || run_version(v, &sel.filter, mode, port)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn run_version(v: &Version, filter: &str, mode: Mode, port: u16) -> Vec<Outcome> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(definitions().join(v.dir))
        .unwrap_or_else(|e| panic!("{}: {e}", v.dir))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "def"))
        .collect();
    files.sort();
    let session = Session {
        port,
        comp_id: v.comp_id,
        mode,
    };
    files
        .iter()
        .map(|f| format!("{}/{}", v.dir, f.file_stem().unwrap().to_string_lossy()))
        .filter(|name| name.contains(filter))
        .map(|name| {
            let text = std::fs::read(definitions().join(format!("{name}.def"))).unwrap();
            let result = script::parse(&text).and_then(|lines| driver::run(&lines, session));
            if std::env::var_os("ACCEPTANCE_VERBOSE").is_some() {
                eprintln!("{name}: {}", if result.is_ok() { "ok" } else { "FAILED" });
            }
            Outcome {
                name,
                main: v.main,
                result,
            }
        })
        .collect()
}

/// Prints the score (`N passed, N failed`, the 297 and the older
/// versions apart) and one line per failing script.
pub fn report(target: &str, outcomes: &[Outcome]) {
    for main in [true, false] {
        let part: Vec<_> = outcomes.iter().filter(|o| o.main == main).collect();
        if part.is_empty() {
            continue;
        }
        let passed = part.iter().filter(|o| o.result.is_ok()).count();
        let which = if main {
            "FIX.4.2/4.4/5.0/5.0SP1/5.0SP2"
        } else {
            "FIX.4.0/4.1/4.3"
        };
        println!(
            "{target} {which}: {passed} passed, {} failed",
            part.len() - passed
        );
    }
    for o in outcomes {
        if let Err(e) = &o.result {
            println!("  FAIL {} {e}", o.name);
        }
    }
}
