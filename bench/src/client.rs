//! A blocking FIX client for the benchmarks: logon, pre-encoded sends,
//! reading whole frames.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use gapless::codec::encode::{Encoder, Outgoing};
use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::validator::software::{parse_frame, Frame};

/// A FIX session over a plain socket, as TW→ISLD on FIX.4.4.
pub struct Client {
    /// The socket.
    pub stream: TcpStream,
    enc: Encoder,
    /// Next outbound seq.
    pub seq: u32,
    rx: Vec<u8>,
    start: usize,
    chunk: Vec<u8>,
}

impl Client {
    /// Connects (retrying for 5 s) and logs on with ResetSeqNumFlag=Y.
    pub fn logon(addr: &str) -> std::io::Result<Client> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let stream = loop {
            match TcpStream::connect(addr) {
                Ok(s) => break s,
                Err(e) if Instant::now() > deadline => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        stream.set_nodelay(true)?;
        let mut c = Client {
            stream,
            enc: Encoder::new("FIX.4.4", "TW", "ISLD", Precision::Millis),
            seq: 1,
            rx: Vec::with_capacity(1 << 20),
            start: 0,
            chunk: vec![0; 1 << 16],
        };
        let logon = c.encode(b"A", b"98=0\x01108=30\x01141=Y\x01");
        c.stream.write_all(&logon)?;
        while c.read_frame()?.msg_type() != b"A" {}
        Ok(c)
    }

    /// Encodes the next message (consumes a seq).
    pub fn encode(&mut self, msg_type: &[u8], body: &[u8]) -> Vec<u8> {
        let m = Outgoing {
            msg_type,
            seq: self.seq,
            poss_dup: false,
            orig_sending_time: b"",
            body,
        };
        self.seq += 1;
        let mut out = Vec::with_capacity(body.len() + 80);
        self.enc.encode_with(&mut out, &m, time::now());
        out
    }

    /// Encodes with an explicit seq, optionally as a PossDup resend; the
    /// next seq is not touched.
    pub fn encode_at(&self, seq: u32, poss_dup: bool, msg_type: &[u8], body: &[u8]) -> Vec<u8> {
        let mut ts = [0u8; time::MAX_LEN];
        let n = time::format(time::now(), Precision::Millis, &mut ts);
        let orig: &[u8] = if poss_dup { &ts[..n] } else { b"" };
        let m = Outgoing {
            msg_type,
            seq,
            poss_dup,
            orig_sending_time: orig,
            body,
        };
        let mut out = Vec::with_capacity(body.len() + 100);
        self.enc.encode_with(&mut out, &m, time::now());
        out
    }

    /// Reads until one whole frame is buffered and returns it.
    pub fn read_frame(&mut self) -> std::io::Result<Message<'_>> {
        loop {
            if let Frame::Complete { len, .. } = parse_frame(&self.rx[self.start..], 1 << 20) {
                let at = self.start;
                self.start += len;
                return Ok(Message::new(&self.rx[at..at + len]));
            }
            if self.start > 0 {
                self.rx.drain(..self.start);
                self.start = 0;
            }
            let n = self.stream.read(&mut self.chunk)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.rx.extend_from_slice(&self.chunk[..n]);
        }
    }
}
