//! Verilates `fpga/seq_validator.v` and compiles the generated C++, the
//! Verilator runtime and `csrc/wrapper.cpp` into a static library.

use std::path::{Path, PathBuf};
use std::process::Command;

const RTL: [&str; 5] = [
    "seq_validator.v",
    "fix_parse_step.v",
    "seq_classify.v",
    "verdict_record.v",
    "verdict_fifo.v",
];
const VL_INCLUDE: &str = "/usr/share/verilator/include";

fn main() {
    let fpga = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fpga");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mdir = out.join("vobj");
    let waves = std::env::var_os("CARGO_FEATURE_WAVES").is_some();
    println!("cargo:rerun-if-changed=csrc/wrapper.cpp");
    for f in RTL {
        println!("cargo:rerun-if-changed={}", fpga.join(f).display());
    }

    let mut verilate = Command::new("verilator");
    verilate
        .args(["--cc", "-O3", "--x-assign", "fast", "--x-initial", "fast"])
        .args(["--top-module", "seq_validator", "-Wno-fatal", "--Mdir"])
        .arg(&mdir);
    if waves {
        verilate.arg("--trace-fst");
    }
    verilate.args(RTL.iter().map(|f| fpga.join(f)));
    let status = verilate.status().unwrap_or_else(|e| {
        panic!("hw-sim: cannot run `verilator` ({e}); install it with scripts/install-deps.sh")
    });
    assert!(
        status.success(),
        "hw-sim: verilator failed on fpga/ ({status})"
    );

    let mut cc = cc::Build::new();
    cc.cpp(true)
        .std("c++17")
        .opt_level(2)
        .warnings(false)
        .include(VL_INCLUDE)
        .include(format!("{VL_INCLUDE}/vltstd"))
        .include(&mdir)
        .file("csrc/wrapper.cpp")
        .file(format!("{VL_INCLUDE}/verilated.cpp"))
        .file(format!("{VL_INCLUDE}/verilated_threads.cpp"));
    if waves {
        cc.define("GV_WAVES", None)
            .file(format!("{VL_INCLUDE}/verilated_fst_c.cpp"));
        println!("cargo:rustc-link-lib=z");
    }
    let generated = std::fs::read_dir(&mdir).expect("verilator wrote its output directory");
    for entry in generated.flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "cpp") {
            cc.file(p);
        }
    }
    cc.compile("vseq_validator");
}
