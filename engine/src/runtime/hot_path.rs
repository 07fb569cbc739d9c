//! The hot path: one busy-polling thread that reads, frames, validates,
//! runs every session and its application, and writes. It talks to the
//! recovery thread only through rings and never blocks on it.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};

use super::probe::Probe;
use super::ring::{RecordConsumer, RecordProducer};
use super::transport::{ConnId, Transport};
use super::Cmd;
use crate::codec::time::{self, Nanos};
use crate::receive::Receiver;
use crate::session::{Application, Ctx, Event, Session, Stats};
use crate::validator::software::{parse_frame, Frame};
use crate::validator::SeqValidator;

const MS: Nanos = 1_000_000;

/// Unsent bytes above which a session takes no more recovery output.
const WIRE_HIGH: usize = 64 << 10;

/// One session as the hot path holds it.
pub(super) struct Slot {
    pub(super) session: Session,
    pub(super) app: Box<dyn Application + Send>,
    pub(super) rx: Receiver,
    /// The store's room gauge (`None`: it always has room).
    pub(super) room: Option<std::sync::Arc<dyn crate::store::Room>>,
    pub(super) conn: Option<ConnId>,
    pub(super) connect: Option<SocketAddr>,
    pub(super) accept_port: Option<u16>,
    pub(super) reconnect: Nanos,
    pub(super) next_connect: Nanos,
}

/// The hot path's ends of the rings to the other threads.
pub(super) struct Links {
    /// Commands to the recovery thread.
    pub(super) cmds: rtrb::Producer<Cmd>,
    /// The recovery thread, to unpark after a command.
    pub(super) recovery: std::thread::Thread,
    /// Recovery output.
    pub(super) outputs: RecordConsumer,
    /// Events to the event thread, if any.
    pub(super) events: Option<rtrb::Producer<(u16, Nanos, Event)>>,
    /// Bytes read and written, to the message-log thread, if any.
    pub(super) log: Option<RecordProducer>,
}

/// Connections waiting for their first message; more are closed at once.
const MAX_PENDING: usize = 256;

/// How long an accepted connection may take to send its whole Logon
/// (a slowloris is closed after this).
const PENDING_TIMEOUT: Nanos = 10_000 * MS;

/// An accepted connection not yet routed to a session (no Logon yet).
struct Pending {
    conn: ConnId,
    port: u16,
    ip: Option<IpAddr>,
    buf: Vec<u8>,
    since: Nanos,
}

/// What the hot path reports when it stops.
#[derive(Clone, Debug)]
pub struct SessionReport {
    /// `BeginString:Sender->Target`.
    pub id: String,
    /// Counters.
    pub stats: Stats,
    /// Next inbound seq expected.
    pub next_in: u32,
    /// Next outbound seq.
    pub next_out: u32,
}

pub(super) struct HotPath<T: Transport> {
    pub(super) slots: Vec<Slot>,
    pub(super) transport: T,
    pub(super) validator: Box<dyn SeqValidator + Send>,
    pub(super) cmds: rtrb::Producer<Cmd>,
    /// The recovery thread, to wake when a command is pushed.
    pub(super) recovery: std::thread::Thread,
    pub(super) outputs: RecordConsumer,
    pub(super) events: Option<rtrb::Producer<(u16, Nanos, Event)>>,
    log: Option<RecordProducer>,
    /// Log chunks the ring refused (it was full).
    pub(super) log_dropped: u64,
    pub(super) max_message: usize,
    pending: Vec<Pending>,
    last_tick: Nanos,
    pub(super) probe: Option<Probe>,
    /// Commands the recovery ring refused (it was full).
    pub(super) cmds_dropped: u64,
    /// Connections closed unread: not from an AllowedRemoteAddresses entry.
    pub(super) refused: u64,
    /// Session turns without reading: the journal waited for its next
    /// segment (see `store::Room`).
    pub(super) store_waits: u64,
}

impl<T: Transport> HotPath<T> {
    pub(super) fn new(
        slots: Vec<Slot>,
        transport: T,
        validator: Box<dyn SeqValidator + Send>,
        links: Links,
        max_message: usize,
    ) -> Self {
        HotPath {
            slots,
            transport,
            validator,
            cmds: links.cmds,
            recovery: links.recovery,
            outputs: links.outputs,
            events: links.events,
            log: links.log,
            log_dropped: 0,
            max_message,
            pending: Vec::with_capacity(16),
            last_tick: 0,
            probe: None,
            cmds_dropped: 0,
            refused: 0,
            store_waits: 0,
        }
    }

    pub(super) fn run(
        &mut self,
        stop: &AtomicBool,
        graceful: &AtomicBool,
    ) -> (Vec<SessionReport>, Option<Probe>) {
        while !stop.load(Ordering::Relaxed) {
            self.turn(time::now());
        }
        if graceful.load(Ordering::Relaxed) {
            self.log_out_all();
        }
        let reports = self
            .slots
            .iter()
            .map(|s| {
                let c = s.session.config();
                SessionReport {
                    id: format!("{}:{}->{}", c.begin_string, c.sender, c.target),
                    stats: s.session.stats(),
                    next_in: s.session.next_in(),
                    next_out: s.session.next_out(),
                }
            })
            .collect();
        (reports, self.probe.take())
    }

    /// Logs every session out and keeps turning until the Logouts are
    /// answered or each session's LogoutTimeout has passed (its timer
    /// then disconnects it).
    fn log_out_all(&mut self) {
        let now = time::now();
        let longest = self
            .slots
            .iter()
            .map(|s| u64::from(s.session.config().logout_timeout_secs))
            .max()
            .unwrap_or(0);
        for slot in &mut self.slots {
            let mut ctx = Ctx {
                now,
                validator: &mut *self.validator,
                app: &mut *slot.app,
            };
            slot.session.logout(&mut ctx, "Engine stopping");
        }
        // A margin past the longest timeout, so the timer's disconnect
        // (checked once a millisecond) happens inside the loop.
        let deadline = now + longest * 1_000 * MS + 100 * MS;
        while time::now() < deadline
            && self
                .slots
                .iter()
                .any(|s| s.conn.is_some() && s.session.state() == crate::session::State::LoggingOut)
        {
            self.turn(time::now());
        }
    }

    /// One turn of the loop.
    pub(super) fn turn(&mut self, now: Nanos) {
        self.transport.poll();
        let tick = now.saturating_sub(self.last_tick) >= MS;
        if tick {
            self.last_tick = now;
            self.connect_initiators(now);
            self.accept(now);
        }
        for i in 0..self.slots.len() {
            // A journal waiting for its next segment takes no new input
            // (TCP pushes back on the peer) rather than block the roll.
            let room = self.slots[i].room.as_ref().is_none_or(|r| r.has_room());
            if room {
                self.receive(i, now);
            } else {
                self.store_waits += 1;
            }
            let slot = &mut self.slots[i];
            let mut ctx = Ctx {
                now,
                validator: &mut *self.validator,
                app: &mut *slot.app,
            };
            if room {
                slot.session.poll_app(&mut ctx);
            }
            if tick {
                slot.session.on_timer(&mut ctx);
            }
            self.route_events(i, now);
        }
        self.drain_recovery(now);
        for i in 0..self.slots.len() {
            self.flush(i, now);
        }
    }

    fn receive(&mut self, i: usize, now: Nanos) {
        let slot = &mut self.slots[i];
        let Some(c) = slot.conn else { return };
        match self.transport.recv(c, slot.rx.spare()) {
            Ok(0) => {}
            Ok(n) => {
                if let Some(log) = &mut self.log {
                    let pushed =
                        log.push(i as u16, crate::log::INCOMING, b"", &slot.rx.spare()[..n]);
                    self.log_dropped += u64::from(!pushed);
                }
                slot.rx.filled(n);
                slot.rx
                    .process(now, &mut slot.session, &mut *self.validator, &mut *slot.app);
            }
            Err(_) => self.drop_conn(i, now),
        }
    }

    fn flush(&mut self, i: usize, now: Nanos) {
        let slot = &mut self.slots[i];
        let Some(c) = slot.conn else {
            let n = slot.session.wire().len();
            slot.session.consume_wire(n);
            return;
        };
        if slot.session.wire().is_empty() {
            return;
        }
        match self.transport.send(c, slot.session.wire()) {
            Ok(n) => {
                if let Some(log) = &mut self.log {
                    let pushed = log.push(
                        i as u16,
                        crate::log::OUTGOING,
                        b"",
                        &slot.session.wire()[..n],
                    );
                    self.log_dropped += u64::from(!pushed);
                }
                slot.session.consume_wire(n);
                if let Some(p) = &mut self.probe {
                    p.sent(i, now);
                }
            }
            Err(_) => self.drop_conn(i, now),
        }
    }

    fn drop_conn(&mut self, i: usize, now: Nanos) {
        let slot = &mut self.slots[i];
        if let Some(c) = slot.conn.take() {
            self.transport.close(c);
            let mut ctx = Ctx {
                now,
                validator: &mut *self.validator,
                app: &mut *slot.app,
            };
            slot.session.on_disconnect(&mut ctx);
            slot.next_connect = now + slot.reconnect;
            if self.cmds.push(Cmd::Disconnected(i as u16)).is_err() {
                self.cmds_dropped += 1;
            }
            self.recovery.unpark();
        }
    }

    fn route_events(&mut self, i: usize, now: Nanos) {
        let (mut disconnect, mut gap) = (false, false);
        for ev in self.slots[i].session.drain_events() {
            match ev {
                Event::Gap { .. } => {
                    // The session queued its ResendRequest in this turn.
                    if let Some(p) = &mut self.probe {
                        p.gap(i, now);
                    }
                    gap = true;
                }
                Event::ResendRequested { .. } => {
                    if self.cmds.push(Cmd::Event(i as u16, ev)).is_err() {
                        self.cmds_dropped += 1;
                    }
                    // A syscall only if the recovery thread is parked: on
                    // the peer's ResendRequests, never per message.
                    self.recovery.unpark();
                }
                Event::Disconnect(_) => disconnect = true,
                _ => {}
            }
            if let Some(log) = &mut self.events {
                let _ = log.push((i as u16, now, ev));
            }
        }
        if disconnect {
            self.flush(i, now);
            self.drop_conn(i, now);
        } else if gap {
            // The ResendRequest goes now, not after the other sessions'
            // reads and the recovery records of this turn.
            self.flush(i, now);
        }
    }

    /// Takes at most 64 records per turn so live traffic interleaves.
    fn drain_recovery(&mut self, now: Nanos) {
        for _ in 0..64 {
            // Backpressure: leave records in the ring (and the recovery
            // thread waiting) while the session's unsent bytes are many.
            match self.outputs.peek_session() {
                Some(s)
                    if self
                        .slots
                        .get(usize::from(s))
                        .is_some_and(|x| x.session.wire().len() > WIRE_HIGH) =>
                {
                    break
                }
                None => break,
                _ => {}
            }
            let slots = &mut self.slots;
            let popped = self
                .outputs
                .pop(|s, _, _, bytes| match slots.get_mut(usize::from(s)) {
                    Some(slot) if slot.conn.is_some() => slot.session.send_raw(now, bytes),
                    _ => {}
                });
            if popped.is_none() {
                break;
            }
        }
    }

    fn connect_initiators(&mut self, now: Nanos) {
        for i in 0..self.slots.len() {
            let slot = &mut self.slots[i];
            let Some(addr) = slot.connect else { continue };
            if slot.conn.is_some() || now < slot.next_connect || !slot.session.in_schedule(now) {
                continue;
            }
            slot.next_connect = now + slot.reconnect;
            if let Ok(c) = self.transport.connect(addr) {
                self.attach(i, c, now, &[]);
            }
        }
    }

    fn attach(&mut self, i: usize, c: ConnId, now: Nanos, first_bytes: &[u8]) {
        let slot = &mut self.slots[i];
        slot.conn = Some(c);
        slot.rx.reset();
        let mut ctx = Ctx {
            now,
            validator: &mut *self.validator,
            app: &mut *slot.app,
        };
        slot.session.on_connect(&mut ctx);
        if !first_bytes.is_empty() {
            if let Some(log) = &mut self.log {
                let pushed = log.push(i as u16, crate::log::INCOMING, b"", first_bytes);
                self.log_dropped += u64::from(!pushed);
            }
            slot.rx.extend(first_bytes);
            slot.rx
                .process(now, &mut slot.session, &mut *self.validator, &mut *slot.app);
        }
        self.route_events(i, now);
    }

    /// Accepts connections and routes each to its session by the CompIDs
    /// of its first message (several sessions may share a port).
    fn accept(&mut self, now: Nanos) {
        while let Some((conn, port)) = self.transport.accept() {
            if self.pending.len() >= MAX_PENDING {
                // A logon flood: refuse rather than queue without bound.
                self.transport.close(conn);
                continue;
            }
            let ip = self.transport.peer_ip(conn);
            if !self.port_admits(port, ip) {
                // Closed before a byte is read.
                self.transport.close(conn);
                self.refused += 1;
                continue;
            }
            self.pending.push(Pending {
                conn,
                port,
                ip,
                buf: Vec::with_capacity(1024),
                since: now,
            });
        }
        let mut k = 0;
        while k < self.pending.len() {
            match self.route_pending(k, now) {
                Some(done) => {
                    let p = self.pending.swap_remove(k);
                    match done {
                        Some(i) => self.attach(i, p.conn, now, &p.buf),
                        None => self.transport.close(p.conn),
                    }
                }
                None => k += 1,
            }
        }
    }

    /// Some session on `port` accepts connections from `ip`.
    fn port_admits(&self, port: u16, ip: Option<IpAddr>) -> bool {
        self.slots
            .iter()
            .filter(|s| s.accept_port == Some(port))
            .any(|s| admits(&s.session.config().allowed_remote_addresses, ip))
    }

    /// `None`: keep waiting; `Some(None)`: refuse; `Some(Some(i))`: route.
    fn route_pending(&mut self, k: usize, now: Nanos) -> Option<Option<usize>> {
        let p = &mut self.pending[k];
        let mut chunk = [0u8; 4096];
        match self.transport.recv(p.conn, &mut chunk) {
            Ok(n) => p.buf.extend_from_slice(&chunk[..n]),
            Err(_) => return Some(None),
        }
        let max = self.max_message as u32;
        match parse_frame(&p.buf, max) {
            Frame::Incomplete if now.saturating_sub(p.since) < PENDING_TIMEOUT => None,
            Frame::Complete { len, .. } => {
                let m = crate::codec::message::Message::new(&p.buf[..len]);
                let h = m.header();
                let (port, ip) = (p.port, p.ip);
                Some(self.slots.iter().position(|s| {
                    let c = s.session.config();
                    s.conn.is_none()
                        && s.accept_port == Some(port)
                        && admits(&c.allowed_remote_addresses, ip)
                        && h.begin_string == c.begin_string.as_bytes()
                        && h.sender == c.target.as_bytes()
                        && h.target == c.sender.as_bytes()
                }))
            }
            Frame::Garbled { at, .. } => {
                // Skip the garbled bytes as the validator would: hunt for
                // the next `8=FIX` from the offending byte on.
                let from = at.max(1);
                let next = memchr::memmem::find(&p.buf[from..], b"8=FIX").map(|i| from + i);
                p.buf.drain(..next.unwrap_or(p.buf.len()));
                None
            }
            Frame::Incomplete => Some(None),
        }
    }
}

/// An empty list allows any peer; otherwise the peer's address must be in it.
fn admits(allowed: &[IpAddr], ip: Option<IpAddr>) -> bool {
    allowed.is_empty() || ip.is_some_and(|ip| allowed.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::admits;

    #[test]
    fn empty_allow_list_admits_anyone_and_a_list_only_its_members() {
        let one: IpAddrs = ["127.0.0.2".parse().unwrap()];
        assert!(admits(&[], None));
        assert!(admits(&one, Some("127.0.0.2".parse().unwrap())));
        assert!(!admits(&one, Some("127.0.0.1".parse().unwrap())));
        assert!(!admits(&one, None), "an unknown peer address is refused");
    }

    type IpAddrs = [std::net::IpAddr; 1];
}
