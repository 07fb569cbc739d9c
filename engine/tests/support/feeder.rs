//! A test application that sends numbered orders (ClOrdID `gl-<n>`) and
//! checks that their echoes come back exactly once and in order.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gapless::codec::message::Message;
use gapless::session::{AppReject, Application, Sender};

/// Sends `total` orders with ClOrdID 1.., checks echoes arrive once, in order.
pub struct Feeder {
    pub total: u64,
    /// Orders sent, shared so a restarted feeder can resume.
    pub sent: Arc<AtomicU64>,
    pub next_expected: u64,
    pub received: Arc<AtomicU64>,
    pub errors: Arc<AtomicU64>,
}

/// The number after the last `-` of a ClOrdID such as `gl-17`.
pub fn clordid_number(v: &[u8]) -> u64 {
    let n = v
        .iter()
        .rposition(|&b| b == b'-')
        .map_or(v, |i| &v[i + 1..]);
    gapless::codec::message::parse_uint(n).unwrap_or(0)
}

impl Feeder {
    /// A feeder of `total` orders and its (received, errors) counters.
    pub fn new(total: u64) -> (Feeder, Arc<AtomicU64>, Arc<AtomicU64>) {
        let (received, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let f = Feeder {
            total,
            sent: Arc::default(),
            next_expected: 1,
            received: received.clone(),
            errors: errors.clone(),
        };
        (f, received, errors)
    }

    /// A feeder that carries on where `self` stood (after a restart).
    pub fn resume(&self) -> Feeder {
        Feeder {
            total: self.total,
            sent: self.sent.clone(),
            next_expected: self.received.load(Ordering::Relaxed) + 1,
            received: self.received.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl Application for Feeder {
    fn on_message(&mut self, msg: &Message, _: &mut Sender) -> Result<(), AppReject> {
        let id = clordid_number(msg.get(11).unwrap_or_default());
        if id != self.next_expected {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.next_expected = id + 1;
        self.received.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn poll(&mut self, tx: &mut Sender) {
        for _ in 0..16 {
            let sent = self.sent.load(Ordering::Relaxed);
            if sent == self.total || sent >= self.next_expected - 1 + 256 {
                return;
            }
            let id = sent + 1;
            self.sent.store(id, Ordering::Relaxed);
            let clordid = format!("gl-{id}");
            tx.send(b"D", |b| {
                b.str(11, clordid.as_bytes())
                    .char(21, b'1')
                    .str(60, b"20231114-22:13:20")
                    .str(55, b"GPLS")
                    .char(54, b'1')
                    .uint(38, 100)
                    .char(40, b'1');
            });
        }
    }
}

/// Echoes the peer's orders and checks they arrive once, in order.
pub struct CheckedEcho {
    /// The ClOrdID number expected next.
    pub next: u64,
    pub received: Arc<AtomicU64>,
    pub errors: Arc<AtomicU64>,
}

impl Application for CheckedEcho {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        let n = clordid_number(msg.get(11).unwrap_or_default());
        if n != self.next {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.next = n + 1;
        self.received.fetch_add(1, Ordering::Relaxed);
        tx.send_body(msg.msg_type(), msg.body());
        Ok(())
    }
}
