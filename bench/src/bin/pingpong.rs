//! Benchmark (c): echo round trip. `fix` mode logs on to an echoing
//! acceptor and times COUNT NewOrderSingle → echo round trips, one at a
//! time; `raw` mode times the same bytes against `rawecho`, a plain TCP
//! echo. Prints p50/p99/p99.9/p99.99/max in µs as a JSON line and writes `.hgrm`.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin pingpong -- fix 127.0.0.1:5001 20000 gapless
//! cargo run --release -p gapless-bench --bin pingpong -- raw 127.0.0.1:5009 20000 raw
//! ```

use std::io::{Read, Write};
use std::time::Instant;

use gapless_bench::client::Client;
use hdrhistogram::Histogram;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("fix", String::as_str);
    let addr = args.get(2).map_or("127.0.0.1:5001", String::as_str);
    let count: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let name = args.get(4).map_or(mode, String::as_str);
    let mut h = Histogram::<u64>::new_with_bounds(1, 10_000_000_000, 3).expect("bounds");
    let warm = count / 10;
    if mode == "raw" {
        let mut s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        let msg = gapless_bench::fixture_with_seq("TW", "ISLD", 2);
        let mut buf = vec![0u8; msg.len()];
        for i in 0..count + warm {
            let t0 = Instant::now();
            s.write_all(&msg)?;
            s.read_exact(&mut buf)?;
            if i >= warm {
                h.record(t0.elapsed().as_nanos() as u64).expect("in range");
            }
        }
    } else {
        let mut c = Client::logon(addr)?;
        for i in 0..count + warm {
            let m = c.encode(b"D", &gapless_bench::order_body(i + 1));
            let t0 = Instant::now();
            c.stream.write_all(&m)?;
            while c.read_frame()?.msg_type() != b"D" {}
            if i >= warm {
                h.record(t0.elapsed().as_nanos() as u64).expect("in range");
            }
        }
    }
    let us = |p: f64| h.value_at_percentile(p) as f64 / 1000.0;
    println!(
        "{{\"engine\":\"{name}\",\"bench\":\"echo_rtt\",\"count\":{count},\"p50_us\":{:.1},\"p99_us\":{:.1},\"p99_9_us\":{:.1},\"p99_99_us\":{:.1},\"max_us\":{:.1}}}",
        us(50.0),
        us(99.0),
        us(99.9),
        us(99.99),
        h.max() as f64 / 1000.0
    );
    let dir = std::path::Path::new("out/bench");
    std::fs::create_dir_all(dir)?;
    gapless::sim::hgrm::write(
        &h,
        &mut std::fs::File::create(dir.join(format!("echo_{name}.hgrm")))?,
    )
}
