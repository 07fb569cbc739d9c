//! `src/fields/fix44.rs` is what `gapless::dict::generate` makes of
//! QuickFIX's FIX44.xml (the PyPI `quickfix` package's copy). Stale, this
//! fails; `GAPLESS_REGENERATE=1 cargo test -p gapless --test
//! generated_fields` rewrites it.

use std::path::{Path, PathBuf};

fn dictionary() -> PathBuf {
    let prefix = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .expect("python3 (scripts/install-deps.sh)");
    let prefix = String::from_utf8(prefix.stdout).unwrap();
    Path::new(prefix.trim()).join("share/quickfix/FIX44.xml")
}

#[test]
fn the_checked_in_fix44_module_is_what_the_generator_makes_of_quickfixs_dictionary() {
    let xml = std::fs::read_to_string(dictionary())
        .expect("QuickFIX's FIX44.xml (pip install quickfix: scripts/install-deps.sh)");
    let want = gapless::dict::generate::rust_module(&xml, "QuickFIX's FIX44.xml").unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fields/fix44.rs");
    if std::env::var_os("GAPLESS_REGENERATE").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run GAPLESS_REGENERATE=1 cargo test -p gapless --test generated_fields",
        path.display()
    );
}
