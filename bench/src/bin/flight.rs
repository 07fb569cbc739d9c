//! Echo throughput with a window: logs on to an echo acceptor at ADDR and
//! keeps WINDOW NewOrderSingles in flight until COUNT echoes are back,
//! writing the replacements for every batch of echoes it reads in one
//! write. Prints orders per second as a JSON line.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin flight -- 127.0.0.1:5001 500000 64 gapless
//! ```

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use gapless::codec::message::Message;
use gapless::validator::software::{parse_frame, Frame};
use gapless_bench::client::Client;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(1).map_or("127.0.0.1:5001", String::as_str);
    let count: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let window: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(64);
    let engine = args.get(4).map_or("?", String::as_str);
    let mut c = Client::logon(addr)?;
    let orders: Vec<Vec<u8>> = (1..=count as u64)
        .map(|n| c.encode(b"D", &gapless_bench::order_body(n)))
        .collect();
    c.stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let (mut sent, mut echoed) = (0usize, 0usize);
    let mut out = Vec::with_capacity(1 << 20);
    let mut rx = vec![0u8; 1 << 22];
    let (mut have, mut start) = (0usize, 0usize);
    let t0 = Instant::now();
    while echoed < count {
        out.clear();
        while sent < count && sent - echoed < window {
            out.extend_from_slice(&orders[sent]);
            sent += 1;
        }
        c.stream.write_all(&out)?;
        if start > 0 {
            rx.copy_within(start..have, 0);
            (have, start) = (have - start, 0);
        }
        let n = c.stream.read(&mut rx[have..])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
        while let Frame::Complete { len, .. } = parse_frame(&rx[start..have], 1 << 20) {
            echoed += usize::from(Message::new(&rx[start..start + len]).msg_type() == b"D");
            start += len;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"engine\":\"{engine}\",\"bench\":\"echo_window\",\"count\":{count},\"window\":{window},\"orders_per_s\":{:.0}}}",
        count as f64 / secs
    );
    Ok(())
}
