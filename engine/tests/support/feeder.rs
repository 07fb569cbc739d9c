//! A test application that sends numbered orders and checks that their
//! echoes come back exactly once and in order.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gapless::codec::message::Message;
use gapless::session::{AppReject, Application, Sender};

/// Sends `total` orders with ClOrdID 1.., checks echoes arrive once, in order.
pub struct Feeder {
    pub total: u64,
    pub sent: u64,
    pub next_expected: u64,
    pub received: Arc<AtomicU64>,
    pub errors: Arc<AtomicU64>,
}

impl Feeder {
    /// A feeder of `total` orders and its (received, errors) counters.
    pub fn new(total: u64) -> (Feeder, Arc<AtomicU64>, Arc<AtomicU64>) {
        let (received, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let f = Feeder {
            total,
            sent: 0,
            next_expected: 1,
            received: received.clone(),
            errors: errors.clone(),
        };
        (f, received, errors)
    }
}

impl Application for Feeder {
    fn on_message(&mut self, msg: &Message, _: &mut Sender) -> Result<(), AppReject> {
        let id = msg
            .get(11)
            .and_then(gapless::codec::message::parse_uint)
            .unwrap_or(0);
        if id != self.next_expected {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.next_expected = id + 1;
        self.received.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn poll(&mut self, tx: &mut Sender) {
        for _ in 0..16 {
            if self.sent == self.total || self.sent >= self.next_expected - 1 + 256 {
                return;
            }
            self.sent += 1;
            let id = self.sent;
            tx.send(b"D", |b| {
                b.uint(11, id)
                    .char(21, b'1')
                    .str(55, b"GPLS")
                    .char(54, b'1')
                    .uint(38, 100)
                    .char(40, b'1');
            });
        }
    }
}
