//! The sequence validator's own figures: the software fallback's ns per
//! message, and the Verilated RTL's simulation speed (cycles/s,
//! messages/s) and cycles per message, on the same in-order stream of
//! ~220-byte ExecutionReports. Prints one JSON line per validator.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin validator [-- MESSAGES]
//! ```

use std::time::Instant;

use gapless::validator::verilated::VerilatedValidator;
use gapless::validator::{SeqValidator, SoftwareValidator, Verdict, VerdictKind};

/// Pushes `stream` in `read`-byte windows, as the receive loop does.
fn run(v: &mut dyn SeqValidator, stream: &[u8], read: usize, out: &mut Vec<Verdict>) -> usize {
    let (mut have, mut in_order) = (0, 0);
    while have < stream.len() {
        have = (have + read).min(stream.len());
        let from = v.retain_from(0) as usize;
        v.push(0, &stream[from..have], from as u64, out);
        in_order += out
            .iter()
            .filter(|v| v.kind == VerdictKind::InOrder)
            .count();
        out.clear();
    }
    in_order
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let stream: Vec<u8> = (1..=n)
        .flat_map(|i| gapless_bench::fixture_with_seq("ISLD", "TW", i))
        .collect();
    let size = stream.len() / n as usize;
    let mut out = Vec::with_capacity(1024);

    let mut sw = SoftwareValidator::new(1, 65536);
    let t = Instant::now();
    let ok = run(&mut sw, &stream, 65536, &mut out);
    let ns = t.elapsed().as_nanos() as f64 / f64::from(n);
    assert_eq!(ok, n as usize, "every message in order");
    println!(
        "{{\"validator\":\"software\",\"bytes\":{size},\"messages\":{n},\"ns_per_msg\":{ns:.1}}}"
    );

    let mut hw = VerilatedValidator::new(1, 65536).expect("the RTL builds for one session");
    let t = Instant::now();
    let ok = run(&mut hw, &stream, 65536, &mut out);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(ok, n as usize, "every message in order");
    let cycles = hw.cycles() as f64;
    println!(
        "{{\"validator\":\"verilator\",\"bytes\":{size},\"messages\":{n},\"cycles_per_msg\":{:.2},\
         \"sim_cycles_per_s\":{:.0},\"sim_msgs_per_s\":{:.0},\"ns_per_msg\":{:.1}}}",
        cycles / f64::from(n),
        cycles / secs,
        f64::from(n) / secs,
        secs * 1e9 / f64::from(n)
    );
}
