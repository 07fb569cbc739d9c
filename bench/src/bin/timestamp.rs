//! SendingTime formatting: `time::format` (the whole date and time of day
//! each call) against `time::SecondCache::format` (that part once a
//! second), on timestamps 1.7 µs apart as an engine stamps them, at
//! millisecond and microsecond precision. Alternating, best of 5; prints
//! ns per timestamp and the ratio.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin timestamp [-- ROUNDS]
//! ```

use std::hint::black_box;
use std::time::Instant;

use gapless::codec::time::{self, Precision, SecondCache, MAX_LEN};

const N: u64 = 100_000;
const STEP: u64 = 1_700;
const T0: u64 = 1_765_000_000_000_000_000;

fn run(rounds: usize, mut f: impl FnMut(u64, &mut [u8; MAX_LEN]) -> usize) -> f64 {
    let mut out = [0u8; MAX_LEN];
    let t0 = Instant::now();
    let mut sum = 0usize;
    for r in 0..rounds as u64 {
        let base = T0 + r * N * STEP;
        for i in 0..N {
            sum += f(black_box(base + i * STEP), &mut out);
            sum += usize::from(out[MAX_LEN - 10]);
        }
    }
    black_box(sum);
    t0.elapsed().as_nanos() as f64 / (rounds as u64 * N) as f64
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    for (name, p) in [("millis", Precision::Millis), ("micros", Precision::Micros)] {
        let mut cache = SecondCache::default();
        let (mut plain, mut cached) = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            plain = plain.min(run(rounds, |t, out| time::format(t, p, out)));
            cached = cached.min(run(rounds, |t, out| cache.format(t, p, out)));
        }
        println!(
            "{{\"bench\":\"timestamp_{name}\",\"format_ns\":{plain:.2},\"cached_ns\":{cached:.2},\"cached_over_format\":{:.2}}}",
            cached / plain
        );
    }
}
