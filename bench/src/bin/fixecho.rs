//! The ceiling for `flight`: a minimal busy-polling FIX echo on kernel
//! TCP, one connection at a time. It frames each inbound message
//! (BodyLength, CheckSum), answers a Logon, and sends each other
//! application message back with a fresh header (its own seq and
//! SendingTime) and the same body, every reply of one read in one write.
//! No store, no sequence checks, no session: what is left of an engine's
//! work on this path.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin fixecho -- 127.0.0.1:5009
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;

use gapless::codec::encode::Encoder;
use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::validator::software::{parse_frame, Frame};

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5009".into());
    let listener = TcpListener::bind(&addr)?;
    let enc = Encoder::new("FIX.4.4", "ISLD", "TW", Precision::Millis);
    let mut rx = vec![0u8; 1 << 22];
    let mut out = Vec::with_capacity(1 << 22);
    for stream in listener.incoming() {
        let mut s = stream?;
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
        let (mut have, mut seq) = (0usize, 1u32);
        loop {
            match s.read(&mut rx[have..]) {
                Ok(0) => break,
                Ok(n) => have += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::hint::spin_loop();
                    continue;
                }
                Err(_) => break,
            }
            out.clear();
            let mut start = 0;
            let now = time::now();
            while let Frame::Complete { len, .. } = parse_frame(&rx[start..have], 1 << 20) {
                let m = Message::new(&rx[start..start + len]);
                let body: &[u8] = match m.msg_type() {
                    b"A" => b"98=0\x01108=30\x01141=Y\x01",
                    _ => m.body(),
                };
                if !matches!(m.msg_type(), b"0" | b"5") {
                    enc.encode(&mut out, m.msg_type(), seq, now, body);
                    seq += 1;
                }
                start += len;
            }
            rx.copy_within(start..have, 0);
            have -= start;
            s.set_nonblocking(false)?;
            s.write_all(&out)?;
            s.set_nonblocking(true)?;
        }
    }
    Ok(())
}
