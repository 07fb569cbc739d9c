//! The gap scenario, from outside the engine: the client skips `K` seqs
//! and times (1) until the engine's ResendRequest arrives and (2) after
//! answering it with the `K` missing orders as PossDup, until the echo of
//! the held order arrives (gap → release). Works against any echoing
//! acceptor (Gapless or QuickFIX). JSON line with p50/p99 of both.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin gapbench -- 127.0.0.1:5001 2000 5 gapless
//! ```

use std::io::Write;
use std::time::Instant;

use gapless_bench::client::Client;
use hdrhistogram::Histogram;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(1).map_or("127.0.0.1:5001", String::as_str);
    let rounds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let k: u32 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    let name = args.get(4).map_or("?", String::as_str);
    let mut c = Client::logon(addr)?;
    let hist = || Histogram::<u64>::new_with_bounds(1, 10_000_000_000, 3).expect("bounds");
    let (mut to_rr, mut to_release) = (hist(), hist());
    let mut id = 0u64;
    for r in 0..rounds + rounds / 10 {
        let base = c.seq;
        id += u64::from(k) + 1;
        let held = c.encode_at(base + k, false, b"D", &gapless_bench::order_body(id));
        let t0 = Instant::now();
        c.stream.write_all(&held)?;
        loop {
            let m = c.read_frame()?;
            if m.msg_type() == b"2" {
                break;
            }
        }
        let rr = t0.elapsed();
        let mut fill = Vec::new();
        for i in 0..k {
            let body = gapless_bench::order_body(id - u64::from(k) + u64::from(i));
            fill.extend_from_slice(&c.encode_at(base + i, true, b"D", &body));
        }
        c.stream.write_all(&fill)?;
        let want = id.to_string();
        loop {
            let m = c.read_frame()?;
            if m.msg_type() == b"D" && m.get(11) == Some(want.as_bytes()) {
                break;
            }
        }
        if r >= rounds / 10 {
            to_rr.record(rr.as_nanos() as u64).expect("in range");
            to_release
                .record(t0.elapsed().as_nanos() as u64)
                .expect("in range");
        }
        c.seq = base + k + 1;
    }
    let us = |h: &Histogram<u64>, p: f64| h.value_at_percentile(p) as f64 / 1000.0;
    println!(
        "{{\"engine\":\"{name}\",\"bench\":\"gap\",\"skipped\":{k},\"rounds\":{rounds},\"to_resend_request_p50_us\":{:.1},\"to_resend_request_p99_us\":{:.1},\"to_release_p50_us\":{:.1},\"to_release_p99_us\":{:.1}}}",
        us(&to_rr, 50.0),
        us(&to_rr, 99.0),
        us(&to_release, 50.0),
        us(&to_release, 99.0)
    );
    Ok(())
}
