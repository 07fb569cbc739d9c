//! A plain TCP echo server for the raw round-trip baseline: one
//! connection at a time, busy-polling a non-blocking socket as Gapless's
//! hot path does.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin rawecho -- 127.0.0.1:5009
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5009".into());
    let listener = TcpListener::bind(&addr)?;
    let mut buf = vec![0u8; 1 << 16];
    for stream in listener.incoming() {
        let mut s = stream?;
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
        loop {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    s.set_nonblocking(false)?;
                    s.write_all(&buf[..n])?;
                    s.set_nonblocking(true)?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::hint::spin_loop(),
                Err(_) => break,
            }
        }
    }
    Ok(())
}
