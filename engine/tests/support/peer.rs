//! A scripted FIX peer over TCP for scenario tests: it sends hand-made
//! messages (any seq, any flags) and reads what the engine answers.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use gapless::codec::encode::{Encoder, Outgoing};
use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::validator::software::{parse_frame, Frame};

/// A received frame, owned.
#[derive(Clone, Debug)]
pub struct Msg(pub Vec<u8>);

impl Msg {
    pub fn m(&self) -> Message<'_> {
        Message::new(&self.0)
    }
    pub fn msg_type(&self) -> String {
        String::from_utf8_lossy(self.m().msg_type()).into_owned()
    }
    pub fn get(&self, tag: u32) -> Option<String> {
        self.m()
            .get(tag)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
    pub fn seq(&self) -> u32 {
        self.m().get_uint(34).unwrap_or(0) as u32
    }
}

pub struct Peer {
    pub stream: TcpStream,
    pub enc: Encoder,
    rx: Vec<u8>,
    pub next_seq: u32,
    fixt: bool,
}

impl Peer {
    /// Connects as `sender` to an engine whose CompID is `target`.
    pub fn connect(port: u16, begin: &str, sender: &str, target: &str) -> Peer {
        let deadline = Instant::now() + Duration::from_secs(5);
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(e) if Instant::now() > deadline => panic!("connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        stream.set_nodelay(true).unwrap();
        Peer {
            stream,
            enc: Encoder::new(begin, sender, target, Precision::Millis),
            rx: vec![],
            next_seq: 1,
            fixt: begin == "FIXT.1.1",
        }
    }

    /// Encodes a message with explicit header choices.
    pub fn build(
        &self,
        msg_type: &str,
        seq: u32,
        poss_dup: bool,
        orig: &str,
        body: &str,
    ) -> Vec<u8> {
        let body = body.replace('|', "\x01");
        let m = Outgoing {
            msg_type: msg_type.as_bytes(),
            seq,
            poss_dup,
            orig_sending_time: orig.as_bytes(),
            body: body.as_bytes(),
        };
        let mut out = vec![];
        self.enc.encode_with(&mut out, &m, time::now());
        out
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends `msg_type` with the next seq; body fields `tag=value|…`.
    pub fn send(&mut self, msg_type: &str, body: &str) -> u32 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let bytes = self.build(msg_type, seq, false, "", body);
        self.send_raw(&bytes);
        seq
    }

    /// Sends with an explicit seq (not advancing the counter).
    pub fn send_seq(&mut self, msg_type: &str, seq: u32, body: &str) {
        let bytes = self.build(msg_type, seq, false, "", body);
        self.send_raw(&bytes);
    }

    pub fn logon(&mut self, hb: u32) -> Msg {
        // FIXT.1.1 requires DefaultApplVerID(1137) on the Logon (QuickFIX
        // disconnects without it).
        let appl = if self.fixt { "1137=9|" } else { "" };
        self.send("A", &format!("98=0|108={hb}|{appl}"));
        self.expect("A")
    }

    /// The next frame, or `None` after `timeout` or on disconnect.
    pub fn recv(&mut self, timeout: Duration) -> Option<Msg> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Frame::Complete { len, .. } = parse_frame(&self.rx, 1 << 20) {
                let m = self.rx[..len].to_vec();
                self.rx.drain(..len);
                return Some(Msg(m));
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut buf = [0u8; 65536];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.rx.extend_from_slice(&buf[..n]),
                Err(_) => return None,
            }
        }
    }

    /// The next frame, which must be of `msg_type`.
    pub fn expect(&mut self, msg_type: &str) -> Msg {
        let m = self
            .recv(Duration::from_secs(5))
            .unwrap_or_else(|| panic!("no {msg_type} arrived"));
        assert_eq!(
            m.msg_type(),
            msg_type,
            "got {}",
            String::from_utf8_lossy(&m.0).replace('\x01', "|")
        );
        m
    }

    /// Nothing arrives within `ms`.
    pub fn expect_silence(&mut self, ms: u64) {
        if let Some(m) = self.recv(Duration::from_millis(ms)) {
            panic!(
                "unexpected {}",
                String::from_utf8_lossy(&m.0).replace('\x01', "|")
            );
        }
    }

    /// The engine closes the connection within 5 s.
    pub fn expect_disconnect(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.recv(Duration::from_millis(200)).is_none() {
                let mut b = [0u8; 1];
                self.stream
                    .set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                if matches!(self.stream.read(&mut b), Ok(0)) {
                    return;
                }
            }
        }
        panic!("the engine did not disconnect");
    }
}
