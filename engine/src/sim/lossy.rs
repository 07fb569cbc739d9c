//! A fault-injecting [`Transport`] decorator: it drops (in bursts),
//! repeats (as PossDup) and reorders whole outgoing application messages, so a
//! session behind it sees real gaps that only ResendRequests can fill.
//!
//! Only live application messages are faulted: session messages and
//! PossDup resends pass, as on a real TCP connection where a gap comes
//! from a peer that skipped seqs, not from bytes lost in flight.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::codec::encode::Encoder;
use crate::codec::message::Message;
use crate::codec::time::{self, Precision};
use crate::runtime::transport::{ConnId, Transport};
use crate::validator::software::{parse_frame, Frame};

/// What to inject, per outgoing application message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultPlan {
    /// Probability that a loss burst starts at a message.
    pub loss: f64,
    /// Largest burst of consecutive messages lost (at least 1).
    pub burst: u32,
    /// Probability a message is sent again as a PossDup copy.
    pub duplicate: f64,
    /// Probability a message is held back behind the next one.
    pub reorder: f64,
    /// PRNG seed (runs are reproducible).
    pub seed: u64,
}

/// What was injected.
#[derive(Debug, Default)]
pub struct FaultCounters {
    /// Messages dropped.
    pub dropped: AtomicU64,
    /// Loss bursts started.
    pub bursts: AtomicU64,
    /// Messages sent again as PossDup copies.
    pub duplicated: AtomicU64,
    /// Messages swapped with their successor.
    pub reordered: AtomicU64,
}

/// Wraps a transport; faults apply to what this side sends.
///
/// ```
/// use gapless::sim::lossy::{FaultPlan, LossyTransport};
/// use gapless::runtime::transport::KernelTransport;
/// let plan = FaultPlan { loss: 0.01, burst: 3, duplicate: 0.0, reorder: 0.0, seed: 7 };
/// let t = LossyTransport::new(KernelTransport::new("127.0.0.1".parse().unwrap()), plan);
/// assert_eq!(t.counters().dropped.load(std::sync::atomic::Ordering::Relaxed), 0);
/// ```
pub struct LossyTransport<T> {
    inner: T,
    plan: FaultPlan,
    rng: u64,
    burst_left: u32,
    pending: Vec<(ConnId, Vec<u8>)>,
    held: Option<Vec<u8>>,
    counters: Arc<FaultCounters>,
}

/// Bytes queued per connection before `send` pushes back.
const MAX_PENDING: usize = 4 << 20;

impl<T: Transport> LossyTransport<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, plan: FaultPlan) -> Self {
        LossyTransport {
            inner,
            plan,
            rng: plan.seed | 1,
            burst_left: 0,
            pending: vec![],
            held: None,
            counters: Arc::default(),
        }
    }

    /// The counters, shared.
    pub fn counters(&self) -> Arc<FaultCounters> {
        self.counters.clone()
    }

    /// xorshift64*: uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn queue(&mut self, c: ConnId) -> &mut Vec<u8> {
        let i = match self.pending.iter().position(|(id, _)| *id == c) {
            Some(i) => i,
            None => {
                self.pending.push((c, Vec::with_capacity(1 << 16)));
                self.pending.len() - 1
            }
        };
        &mut self.pending[i].1
    }

    /// Decides one frame's fate and queues what goes out.
    fn inject(&mut self, c: ConnId, frame: &[u8]) {
        let m = Message::new(frame);
        let admin = matches!(m.msg_type(), b"0" | b"1" | b"2" | b"3" | b"4" | b"5" | b"A");
        if admin || m.header().poss_dup {
            self.queue(c).extend_from_slice(frame);
            return;
        }
        let count = |a: &AtomicU64| a.fetch_add(1, Ordering::Relaxed);
        if self.burst_left > 0 {
            self.burst_left -= 1;
            count(&self.counters.dropped);
            return;
        }
        let r = self.uniform();
        let p = self.plan;
        if r < p.loss {
            self.burst_left = (self.uniform() * f64::from(p.burst.max(1))) as u32;
            count(&self.counters.dropped);
            count(&self.counters.bursts);
        } else if r < p.loss + p.duplicate {
            count(&self.counters.duplicated);
            let copy = poss_dup_copy(frame);
            let q = self.queue(c);
            q.extend_from_slice(frame);
            q.extend_from_slice(&copy);
        } else if r < p.loss + p.duplicate + p.reorder && self.held.is_none() {
            count(&self.counters.reordered);
            self.held = Some(frame.to_vec());
            return;
        } else {
            self.queue(c).extend_from_slice(frame);
        }
        if let Some(h) = self.held.take() {
            self.queue(c).extend_from_slice(&h);
        }
    }

    fn flush(&mut self, c: ConnId) -> io::Result<()> {
        let Some(i) = self.pending.iter().position(|(id, _)| *id == c) else {
            return Ok(());
        };
        let q = &mut self.pending[i].1;
        while !q.is_empty() {
            let n = self.inner.send(c, q)?;
            if n == 0 {
                break;
            }
            q.drain(..n);
        }
        Ok(())
    }
}

/// `frame` again as a possible duplicate (PossDupFlag=Y, OrigSendingTime):
/// the only form in which FIX lets a counterparty repeat a seq.
fn poss_dup_copy(frame: &[u8]) -> Vec<u8> {
    let h = Message::new(frame).header();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let enc = Encoder::new(
        &text(h.begin_string),
        &text(h.sender),
        &text(h.target),
        Precision::Millis,
    );
    let mut out = Vec::with_capacity(frame.len() + 40);
    enc.resend(&mut out, frame, time::now());
    out
}

impl<T: Transport> Transport for LossyTransport<T> {
    fn listen(&mut self, port: u16) -> io::Result<()> {
        self.inner.listen(port)
    }
    fn connect(&mut self, addr: SocketAddr) -> io::Result<ConnId> {
        self.inner.connect(addr)
    }
    fn connected(&mut self, c: ConnId) -> bool {
        self.inner.connected(c)
    }
    fn accept(&mut self) -> Option<(ConnId, u16)> {
        self.inner.accept()
    }
    fn recv(&mut self, c: ConnId, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.recv(c, buf)
    }

    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize> {
        self.flush(c)?;
        if self.queue(c).len() > MAX_PENDING {
            return Ok(0);
        }
        let mut rest = buf;
        while let Frame::Complete { len, .. } = parse_frame(rest, u32::MAX) {
            let (frame, tail) = rest.split_at(len);
            self.inject(c, frame);
            rest = tail;
        }
        self.queue(c).extend_from_slice(rest);
        self.flush(c)?;
        Ok(buf.len())
    }

    fn close(&mut self, c: ConnId) {
        self.pending.retain(|(id, _)| *id != c);
        self.held = None;
        self.inner.close(c);
    }

    fn poll(&mut self) {
        self.inner.poll();
        for i in 0..self.pending.len() {
            if !self.pending[i].1.is_empty() {
                let _ = self.flush(self.pending[i].0);
            }
        }
    }
}
