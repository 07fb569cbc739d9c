//! Benchmark (b): inbound session throughput. Logs on to an acceptor at
//! ADDR, writes COUNT NewOrderSingles as fast as the socket takes them,
//! then a TestRequest, and stops the clock when its Heartbeat comes back:
//! every order before it has been processed (sessions process in order).
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin blast -- 127.0.0.1:5001 1000000 gapless
//! ```

use std::io::Write;
use std::time::Instant;

use gapless_bench::client::Client;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(1).map_or("127.0.0.1:5001", String::as_str);
    let count: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let engine = args.get(3).map_or("?", String::as_str);
    let mut c = Client::logon(addr)?;
    let mut batch = Vec::with_capacity(1 << 20);
    let mut pre = Vec::with_capacity(count as usize);
    for n in 1..=count {
        pre.push(c.encode(b"D", &gapless_bench::order_body(n)));
    }
    let t0 = Instant::now();
    for m in &pre {
        batch.extend_from_slice(m);
        if batch.len() >= 256 << 10 {
            c.stream.write_all(&batch)?;
            batch.clear();
        }
    }
    let probe = c.encode(b"1", b"112=END\x01");
    batch.extend_from_slice(&probe);
    c.stream.write_all(&batch)?;
    loop {
        let m = c.read_frame()?;
        if m.msg_type() == b"0" && m.get(112) == Some(b"END") {
            break;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"engine\":\"{engine}\",\"bench\":\"inbound\",\"messages\":{count},\"msgs_per_sec\":{:.0}}}",
        count as f64 / secs
    );
    Ok(())
}
