//! The hot path: one busy-polling thread that reads, frames, validates,
//! runs every session and its application, and writes. It drives each
//! session through its [`Connection`] and talks to the recovery thread
//! only through rings, never blocking on it. Admission (routing accepted
//! connections to sessions) lives in `runtime/admission.rs`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use super::admission::{Admission, Routed};
use super::probe::Probe;
use super::ring::{RecordConsumer, RecordProducer};
use super::transport::{ConnId, Transport};
use super::Cmd;
use crate::codec::time::{self, Nanos};
use crate::connection::{Action, Connection};
use crate::session::{Application, Event, State, Stats};
use crate::validator::SeqValidator;

const MS: Nanos = 1_000_000;

/// Unsent bytes above which a session takes no more recovery output.
const WIRE_HIGH: usize = 64 << 10;

/// One session as the hot path holds it.
pub(super) struct Slot {
    pub(super) fix: Connection,
    pub(super) app: Box<dyn Application + Send>,
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
    /// The application's own sending threads.
    pub(super) senders: Vec<RecordConsumer>,
    /// The gauges the control thread serves, if it runs.
    pub(super) live: Option<std::sync::Arc<super::control::Live>>,
    /// The operator's commands, if the control thread runs.
    pub(super) admin: Option<rtrb::Consumer<super::control::AdminCmd>>,
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
    senders: Vec<RecordConsumer>,
    live: Option<std::sync::Arc<super::control::Live>>,
    admin: Option<rtrb::Consumer<super::control::AdminCmd>>,
    /// Messages from the sending threads for sessions not logged on.
    pub(super) sends_dropped: u64,
    /// Log chunks the ring refused (it was full).
    pub(super) log_dropped: u64,
    pub(super) admission: Admission,
    last_tick: Nanos,
    pub(super) probe: Option<Probe>,
    /// Commands the recovery ring refused (it was full).
    pub(super) cmds_dropped: u64,
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
            senders: links.senders,
            live: links.live,
            admin: links.admin,
            sends_dropped: 0,
            log_dropped: 0,
            admission: Admission::new(max_message),
            last_tick: 0,
            probe: None,
            cmds_dropped: 0,
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
                let s = s.fix.session();
                let c = s.config();
                SessionReport {
                    id: format!("{}:{}->{}", c.begin_string, c.sender, c.target),
                    stats: s.stats(),
                    next_in: s.next_in(),
                    next_out: s.next_out(),
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
            .map(|s| u64::from(s.fix.session().config().logout_timeout_secs))
            .max()
            .unwrap_or(0);
        for slot in &mut self.slots {
            slot.fix.logout(now, &mut *slot.app, "Engine stopping");
        }
        // A margin past the longest timeout, so the timer's disconnect
        // (checked once a millisecond) happens inside the loop.
        let deadline = now + longest * 1_000 * MS + 100 * MS;
        while time::now() < deadline
            && self
                .slots
                .iter()
                .any(|s| s.conn.is_some() && s.fix.session().state() == State::LoggingOut)
        {
            self.turn(time::now());
        }
    }

    /// One turn of the loop: each session reads, runs its application
    /// and timers, acts and writes (a gap's ResendRequest leaves here, in
    /// the turn that saw the gap); then recovery output is queued and
    /// written.
    pub(super) fn turn(&mut self, now: Nanos) {
        self.transport.poll();
        let tick = now.saturating_sub(self.last_tick) >= MS;
        if tick {
            self.last_tick = now;
            self.connect_initiators(now);
            self.admit(now);
            self.operate(now);
        }
        self.take_sends(now);
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
            if room {
                slot.fix.poll_app(now, &mut *slot.app);
            }
            if tick && slot.fix.poll_timeout().is_some_and(|t| t <= now) {
                slot.fix.handle_timeout(now, &mut *slot.app);
            }
            self.events(i, now);
            self.act(i, now);
            self.flush(i, now);
        }
        self.drain_recovery(now);
        for i in 0..self.slots.len() {
            self.flush(i, now);
        }
    }

    fn receive(&mut self, i: usize, now: Nanos) {
        let slot = &mut self.slots[i];
        let Some(c) = slot.conn else { return };
        let buf = slot.fix.recv_buf();
        match self.transport.recv(c, buf) {
            Ok(0) => {}
            Ok(n) => {
                if let Some(log) = &mut self.log {
                    let pushed = log.push(i as u16, crate::log::INCOMING, b"", &buf[..n]);
                    self.log_dropped += u64::from(!pushed);
                }
                self.handle_read(i, now, n);
            }
            Err(_) => self.drop_conn(i, now),
        }
    }

    /// Runs session `i` on `n` new bytes, writing at once what it marks
    /// urgent (a gap's ResendRequest) before handling the rest.
    fn handle_read(&mut self, i: usize, now: Nanos, n: usize) {
        let slot = &mut self.slots[i];
        let mut more = slot
            .fix
            .handle_read(now, n, &mut *self.validator, &mut *slot.app);
        while more {
            self.events(i, now);
            self.flush(i, now);
            let slot = &mut self.slots[i];
            more = slot
                .fix
                .handle_read(now, 0, &mut *self.validator, &mut *slot.app);
        }
    }

    fn flush(&mut self, i: usize, now: Nanos) {
        let slot = &mut self.slots[i];
        let wire = slot.fix.poll_transmit();
        if wire.is_empty() {
            return;
        }
        let Some(c) = slot.conn else {
            let n = wire.len();
            slot.fix.transmitted(n);
            return;
        };
        match self.transport.send(c, wire) {
            Ok(n) => {
                if let Some(log) = &mut self.log {
                    let pushed = log.push(i as u16, crate::log::OUTGOING, b"", &wire[..n]);
                    self.log_dropped += u64::from(!pushed);
                }
                slot.fix.transmitted(n);
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
            slot.fix.handle_disconnect(now, &mut *slot.app);
            slot.next_connect = now + slot.reconnect;
            self.command(Cmd::Disconnected(i as u16));
        }
    }

    /// A command to the recovery thread, which is woken for it (a syscall
    /// only if it is parked: on a peer's ResendRequest or a disconnect,
    /// never per message).
    fn command(&mut self, cmd: Cmd) {
        if self.cmds.push(cmd).is_err() {
            self.cmds_dropped += 1;
        }
        self.recovery.unpark();
    }

    /// Events go to the event log; the probe times gaps.
    fn events(&mut self, i: usize, now: Nanos) {
        while let Some(ev) = self.slots[i].fix.poll_event() {
            if let (Event::Gap { .. }, Some(p)) = (ev, &mut self.probe) {
                p.gap(i, now);
            }
            if let Some(log) = &mut self.events {
                let _ = log.push((i as u16, now, ev));
            }
        }
    }

    fn act(&mut self, i: usize, now: Nanos) {
        while let Some(action) = self.slots[i].fix.poll_action() {
            match action {
                Action::Serve(range) => self.command(Cmd::Serve(i as u16, range)),
                Action::Disconnect(_) => {
                    self.flush(i, now);
                    self.drop_conn(i, now);
                }
            }
        }
    }

    /// Once a millisecond: applies the operator's commands and publishes
    /// every session's gauges (relaxed stores).
    fn operate(&mut self, now: Nanos) {
        use super::control::AdminCmd;
        while let Some(cmd) = self.admin.as_mut().and_then(|a| a.pop().ok()) {
            let s = match cmd {
                AdminCmd::SetSeqs { session, .. }
                | AdminCmd::Resend { session, .. }
                | AdminCmd::Logout { session } => usize::from(session),
            };
            let Some(slot) = self.slots.get_mut(s) else {
                continue;
            };
            match cmd {
                AdminCmd::SetSeqs {
                    next_in, next_out, ..
                } => slot.fix.set_seqs(next_in, next_out),
                AdminCmd::Resend { begin, end, .. } => {
                    slot.fix.request_resend(now, &mut *slot.app, begin, end);
                }
                AdminCmd::Logout { .. } => slot.fix.logout(now, &mut *slot.app, "Operator logout"),
            }
        }
        if let Some(live) = &self.live {
            for (i, slot) in self.slots.iter().enumerate() {
                live.publish(i, slot.fix.session());
            }
        }
    }

    /// Sends what the application's threads queued: at most 64 messages
    /// per thread per turn, so reading keeps its turn.
    fn take_sends(&mut self, now: Nanos) {
        for ring in &mut self.senders {
            for _ in 0..64 {
                let slots = &mut self.slots;
                let sent = ring.pop(|s, _, msg_type, body| {
                    slots
                        .get_mut(usize::from(s))
                        .and_then(|slot| slot.fix.send(now, msg_type, body))
                        .is_some()
                });
                match sent {
                    None => break,
                    Some(sent) => self.sends_dropped += u64::from(!sent),
                }
            }
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
                        .is_some_and(|x| x.fix.poll_transmit().len() > WIRE_HIGH) =>
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
                    Some(slot) if slot.conn.is_some() => slot.fix.handle_replay(now, bytes),
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
            if slot.conn.is_some()
                || now < slot.next_connect
                || !slot.fix.session().in_schedule(now)
            {
                continue;
            }
            slot.next_connect = now + slot.reconnect;
            if let Ok(c) = self.transport.connect(addr) {
                self.attach(i, c, now, &[]);
            }
        }
    }

    /// Routes accepted connections to their sessions.
    fn admit(&mut self, now: Nanos) {
        while let Some(r) = self.admission.poll(&mut self.transport, &self.slots, now) {
            let Routed {
                slot,
                conn,
                first_bytes,
            } = r;
            self.attach(slot, conn, now, &first_bytes);
        }
    }

    fn attach(&mut self, i: usize, c: ConnId, now: Nanos, first_bytes: &[u8]) {
        let slot = &mut self.slots[i];
        slot.conn = Some(c);
        slot.fix.handle_connect(now, &mut *slot.app);
        if !first_bytes.is_empty() {
            if let Some(log) = &mut self.log {
                let pushed = log.push(i as u16, crate::log::INCOMING, b"", first_bytes);
                self.log_dropped += u64::from(!pushed);
            }
            let buf = slot.fix.recv_buf();
            let n = first_bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&first_bytes[..n]);
            self.handle_read(i, now, n);
        }
        self.events(i, now);
        self.act(i, now);
        self.flush(i, now);
    }
}
