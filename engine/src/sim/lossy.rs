//! A fault-injecting [`Transport`] decorator: on either direction it drops
//! (in bursts), repeats (as PossDup) and reorders whole application
//! messages, and it can cut the connection after so many messages — so a
//! session behind it sees real gaps that only ResendRequests can fill.
//!
//! Only live application messages are faulted: session messages and
//! PossDup resends pass, as on a real TCP connection where a gap comes
//! from a peer that skipped seqs or a lost connection, not from bytes lost
//! in flight.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::codec::encode::Encoder;
use crate::codec::message::Message;
use crate::codec::time::{self, Precision};
use crate::runtime::transport::{ConnId, Transport};
use crate::validator::software::{parse_frame, Frame};

/// What to inject, per application message of one direction.
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
    /// Connections cut.
    pub cuts: AtomicU64,
}

/// One direction's fault state.
struct Faults {
    plan: FaultPlan,
    rng: u64,
    burst_left: u32,
    held: Option<Vec<u8>>,
}

impl Faults {
    fn new(plan: FaultPlan) -> Self {
        Faults {
            plan,
            rng: plan.seed | 1,
            burst_left: 0,
            held: None,
        }
    }

    /// xorshift64*: uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Decides one application frame's fate; appends what goes on to `out`.
    fn inject(&mut self, frame: &[u8], out: &mut Vec<u8>, c: &FaultCounters) {
        let count = |a: &AtomicU64| a.fetch_add(1, Ordering::Relaxed);
        if self.burst_left > 0 {
            self.burst_left -= 1;
            count(&c.dropped);
            return;
        }
        let (r, p) = (self.uniform(), self.plan);
        if r < p.loss {
            self.burst_left = (self.uniform() * f64::from(p.burst.max(1))) as u32;
            count(&c.dropped);
            count(&c.bursts);
        } else if r < p.loss + p.duplicate {
            count(&c.duplicated);
            out.extend_from_slice(frame);
            out.extend_from_slice(&poss_dup_copy(frame));
        } else if r < p.loss + p.duplicate + p.reorder && self.held.is_none() {
            count(&c.reordered);
            self.held = Some(frame.to_vec());
            return;
        } else {
            out.extend_from_slice(frame);
        }
        if let Some(h) = self.held.take() {
            out.extend_from_slice(&h);
        }
    }
}

/// Is this a live application message (the only kind faulted)?
fn faultable(frame: &[u8]) -> bool {
    let m = Message::new(frame);
    let admin = matches!(m.msg_type(), b"0" | b"1" | b"2" | b"3" | b"4" | b"5" | b"A");
    !admin && !m.header().poss_dup
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

/// Per-connection buffers.
#[derive(Default)]
struct Conn {
    /// Outbound bytes not yet accepted by the inner transport.
    tx: Vec<u8>,
    /// Inbound bytes read but not yet framed.
    rx_raw: Vec<u8>,
    /// Inbound bytes framed and faulted, not yet handed up.
    rx_out: Vec<u8>,
    /// Application messages seen (both directions).
    messages: u64,
}

/// Wraps a transport and faults what crosses it.
///
/// ```
/// use gapless::sim::lossy::{FaultPlan, LossyTransport};
/// use gapless::runtime::transport::KernelTransport;
/// let plan = FaultPlan { loss: 0.01, burst: 3, duplicate: 0.0, reorder: 0.0, seed: 7 };
/// let t = LossyTransport::new(KernelTransport::new("127.0.0.1".parse().unwrap()), Some(plan), None);
/// assert_eq!(t.counters().dropped.load(std::sync::atomic::Ordering::Relaxed), 0);
/// ```
pub struct LossyTransport<T> {
    inner: T,
    tx: Option<Faults>,
    rx: Option<Faults>,
    cut_every: Option<u64>,
    conns: Vec<(ConnId, Conn)>,
    counters: Arc<FaultCounters>,
}

/// Bytes queued per connection before `send` pushes back.
const MAX_PENDING: usize = 4 << 20;

impl<T: Transport> LossyTransport<T> {
    /// Faults `outbound` messages we send and `inbound` ones we receive.
    pub fn new(inner: T, outbound: Option<FaultPlan>, inbound: Option<FaultPlan>) -> Self {
        LossyTransport {
            inner,
            tx: outbound.map(Faults::new),
            rx: inbound.map(Faults::new),
            cut_every: None,
            conns: vec![],
            counters: Arc::default(),
        }
    }

    /// Also cuts each connection after `n` application messages.
    pub fn cut_every(mut self, n: u64) -> Self {
        self.cut_every = Some(n.max(1));
        self
    }

    /// The counters, shared.
    pub fn counters(&self) -> Arc<FaultCounters> {
        self.counters.clone()
    }

    fn conn(&mut self, c: ConnId) -> &mut Conn {
        let i = match self.conns.iter().position(|(id, _)| *id == c) {
            Some(i) => i,
            None => {
                self.conns.push((c, Conn::default()));
                self.conns.len() - 1
            }
        };
        &mut self.conns[i].1
    }

    /// Frames `bytes`, faults application frames with `faults`, appends
    /// to `out`; returns the unframed tail's start.
    fn pass(
        bytes: &[u8],
        faults: &mut Option<Faults>,
        out: &mut Vec<u8>,
        counters: &FaultCounters,
        seen: &mut u64,
    ) -> usize {
        let mut at = 0;
        loop {
            match parse_frame(&bytes[at..], u32::MAX) {
                Frame::Complete { len, .. } => {
                    let frame = &bytes[at..at + len];
                    match faults.as_mut() {
                        Some(f) if faultable(frame) => {
                            *seen += 1;
                            f.inject(frame, out, counters);
                        }
                        Some(f) => {
                            // A held (reordered) frame goes out before any
                            // resend or admin message: an original never
                            // arrives after its own PossDup resend, which
                            // no TCP connection could do.
                            out.extend(f.held.take().unwrap_or_default());
                            out.extend_from_slice(frame);
                        }
                        None => out.extend_from_slice(frame),
                    }
                    at += len;
                }
                Frame::Incomplete => return at,
                Frame::Garbled { .. } => {
                    out.extend_from_slice(&bytes[at..]);
                    return bytes.len();
                }
            }
        }
    }

    fn flush(&mut self, c: ConnId) -> io::Result<()> {
        let Some(i) = self.conns.iter().position(|(id, _)| *id == c) else {
            return Ok(());
        };
        let q = &mut self.conns[i].1.tx;
        while !q.is_empty() {
            let n = self.inner.send(c, q)?;
            if n == 0 {
                break;
            }
            q.drain(..n);
        }
        Ok(())
    }

    fn cut_due(&mut self, c: ConnId) -> bool {
        let Some(every) = self.cut_every else {
            return false;
        };
        let conn = self.conn(c);
        if conn.messages >= every {
            conn.messages = 0;
            self.counters.cuts.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        false
    }
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
        if self.cut_due(c) {
            self.close(c);
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        let mut chunk = [0u8; 16 << 10];
        let n = self.inner.recv(c, &mut chunk)?;
        let (mut rx, counters) = (self.rx.take(), self.counters.clone());
        let conn = self.conn(c);
        conn.rx_raw.extend_from_slice(&chunk[..n]);
        let used = Self::pass(
            &conn.rx_raw,
            &mut rx,
            &mut conn.rx_out,
            &counters,
            &mut conn.messages,
        );
        conn.rx_raw.drain(..used);
        let k = conn.rx_out.len().min(buf.len());
        buf[..k].copy_from_slice(&conn.rx_out[..k]);
        conn.rx_out.drain(..k);
        self.rx = rx;
        Ok(k)
    }

    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize> {
        self.flush(c)?;
        let (mut tx, counters) = (self.tx.take(), self.counters.clone());
        let conn = self.conn(c);
        if conn.tx.len() > MAX_PENDING {
            self.tx = tx;
            return Ok(0);
        }
        let used = Self::pass(buf, &mut tx, &mut conn.tx, &counters, &mut conn.messages);
        conn.tx.extend_from_slice(&buf[used..]);
        self.tx = tx;
        self.flush(c)?;
        Ok(buf.len())
    }

    fn close(&mut self, c: ConnId) {
        self.conns.retain(|(id, _)| *id != c);
        for f in [&mut self.tx, &mut self.rx].into_iter().flatten() {
            f.held = None;
        }
        self.inner.close(c);
    }

    fn peer_ip(&mut self, c: ConnId) -> Option<std::net::IpAddr> {
        self.inner.peer_ip(c)
    }

    fn poll(&mut self) {
        self.inner.poll();
        for i in 0..self.conns.len() {
            if !self.conns[i].1.tx.is_empty() {
                let _ = self.flush(self.conns[i].0);
            }
        }
    }
}
