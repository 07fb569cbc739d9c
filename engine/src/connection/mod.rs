//! [`Connection`]: one session's whole sans-IO surface. Bytes and time go
//! in; bytes to send, application deliveries, actions for the runtime and
//! events for the logs come out. Sockets, DPDK, threads and clocks live in
//! the caller, so the runtime, the tests and the fuzz targets drive the
//! same type on every transport.

mod receive;

use crate::codec::time::Nanos;
use crate::session::{Application, Ctx, Event, MessageCheck, Session, SessionConfig};
use crate::store::{MessageStore, StoreError};
use crate::validator::SeqValidator;

pub use crate::session::{Action, ResendRange};

use receive::Receiver;

/// One FIX session and its receive buffer, driven sans-IO.
///
/// Call order, for each turn of the caller's loop:
/// 1. [`handle_connect`](Self::handle_connect) when the transport
///    connection comes up (an initiator's Logon is then queued);
/// 2. read into [`recv_buf`](Self::recv_buf), then
///    [`handle_read`](Self::handle_read) with the byte count: it frames
///    and validates, runs the session on every complete message, delivers
///    to the application, and queues replies. When a message reveals a
///    gap it returns `true` at once, its ResendRequest queued: write
///    [`poll_transmit`](Self::poll_transmit), then call `handle_read`
///    again with 0 for the rest of what was read (until `false`);
/// 3. [`poll_app`](Self::poll_app): the application's turn to send;
/// 4. [`handle_timeout`](Self::handle_timeout) once `now` reaches
///    [`poll_timeout`](Self::poll_timeout);
/// 5. [`poll_action`](Self::poll_action) until `None`: close the
///    connection ([`Action::Disconnect`], after writing what is queued) or
///    hand a peer's ResendRequest to the recovery side
///    ([`Action::Serve`]), whose bytes come back through
///    [`handle_replay`](Self::handle_replay);
/// 6. write [`poll_transmit`](Self::poll_transmit) and report what was
///    written with [`transmitted`](Self::transmitted);
/// 7. [`poll_event`](Self::poll_event) until `None`, for logs and
///    statistics only;
/// 8. [`handle_disconnect`](Self::handle_disconnect) when the transport
///    connection is gone.
///
/// ```
/// use gapless::app::AppKind;
/// use gapless::connection::Connection;
/// use gapless::session::{SessionConfig, State};
/// use gapless::store::MemoryStore;
/// use gapless::validator::SoftwareValidator;
///
/// let now = 1_700_000_000_000_000_000;
/// let (mut v, mut app) = (SoftwareValidator::new(2, 4096), AppKind::Null.build("FIX.4.4"));
/// let cfg = |s, t, i| SessionConfig::new("FIX.4.4", s, t, i);
/// let mut a = Connection::new(cfg("A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
/// let mut b = Connection::new(cfg("B", "A", false), 1, Box::new(MemoryStore::new()), 4096).unwrap();
/// // A stand-in for a transport: what `from` transmits, `to` reads.
/// let mut wire = |from: &mut Connection, to: &mut Connection| {
///     let n = from.poll_transmit().len();
///     to.recv_buf()[..n].copy_from_slice(from.poll_transmit());
///     from.transmitted(n);
///     to.handle_read(now, n, &mut v, &mut *app);
/// };
/// b.handle_connect(now, &mut *AppKind::Null.build("FIX.4.4"));
/// a.handle_connect(now, &mut *AppKind::Null.build("FIX.4.4")); // queues A's Logon
/// wire(&mut a, &mut b); // B answers with its Logon
/// wire(&mut b, &mut a);
/// assert_eq!(a.session().state(), State::Active);
/// assert_eq!(b.session().next_in(), 2);
/// ```
pub struct Connection {
    session: Session,
    rx: Receiver,
    /// When the timers last ran (the schedule is checked once a second).
    last_timer: Nanos,
}

impl Connection {
    /// Session `index` (its stream's number in the validator) with `cfg`,
    /// resuming the seqs persisted in `store`, taking messages of up to
    /// `max_message` bytes.
    pub fn new(
        cfg: SessionConfig,
        index: u16,
        store: Box<dyn MessageStore>,
        max_message: usize,
    ) -> Result<Self, StoreError> {
        Ok(Connection {
            session: Session::new(cfg, index, store)?,
            rx: Receiver::new(max_message),
            last_timer: 0,
        })
    }

    /// Installs a check (data dictionary) run on every in-order message.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore, codec::message::Message};
    /// struct AcceptAll;
    /// impl MessageCheck for AcceptAll {
    ///     fn check(&self, _: &Message) -> Result<(), SessionReject> { Ok(()) }
    /// }
    /// let cfg = SessionConfig::new("FIX.4.4", "A", "B", true);
    /// let mut c = Connection::new(cfg, 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.set_check(Box::new(AcceptAll));
    /// ```
    pub fn set_check(&mut self, check: Box<dyn MessageCheck>) {
        self.session.set_check(check);
    }

    /// The session's state, seqs, settings and counters.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// assert_eq!(c.session().state(), State::Disconnected);
    /// ```
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session itself, for tests that set up a state directly.
    #[cfg(test)]
    pub(crate) fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The transport connection is up: forgets buffered bytes and starts
    /// the session (an initiator queues its Logon).
    ///
    /// ```
    /// # use gapless::{app::AppKind, connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.handle_connect(1_700_000_000_000_000_000, &mut *AppKind::Null.build("FIX.4.4"));
    /// assert!(c.poll_transmit().windows(6).any(|w| w == b"\x0135=A\x01"));
    /// ```
    pub fn handle_connect(&mut self, now: Nanos, app: &mut dyn Application) {
        self.rx.reset();
        self.session.on_connect(&mut Ctx { now, app });
    }

    /// The transport connection is gone: unsent bytes are dropped, the
    /// application told it is logged out.
    ///
    /// ```
    /// # use gapless::{app::AppKind, connection::Connection, session::*, store::MemoryStore};
    /// # let mut app = AppKind::Null.build("FIX.4.4");
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.handle_connect(0, &mut *app);
    /// c.handle_disconnect(0, &mut *app);
    /// assert!(c.poll_transmit().is_empty());
    /// ```
    pub fn handle_disconnect(&mut self, now: Nanos, app: &mut dyn Application) {
        self.session.on_disconnect(&mut Ctx { now, app });
    }

    /// Free space for the transport to read into; pass the count to
    /// [`handle_read`](Self::handle_read). Never empty.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// assert!(c.recv_buf().len() >= 4096);
    /// ```
    pub fn recv_buf(&mut self) -> &mut [u8] {
        self.rx.spare()
    }

    /// `n` bytes were read into [`recv_buf`](Self::recv_buf) (0 is fine):
    /// frames and validates them with `validator`, runs the session on
    /// every complete message and delivers to `app`.
    ///
    /// Returns `true` when it stopped early, after the message that
    /// revealed a gap, so that the ResendRequest it queued can be written
    /// before the rest of the read is handled: write
    /// [`poll_transmit`](Self::poll_transmit) and call again with `n = 0`
    /// until it returns `false` (if not, the rest is handled at the next
    /// call). See the type's example.
    pub fn handle_read(
        &mut self,
        now: Nanos,
        n: usize,
        validator: &mut dyn SeqValidator,
        app: &mut dyn Application,
    ) -> bool {
        self.rx.filled(n);
        let index = self.session.index();
        if self.rx.all_handled() {
            self.session.sync_validator(validator);
            self.rx.frame(index, validator);
        }
        self.session.take_urgent();
        let mut ctx = Ctx { now, app };
        while let Some(v) = self.rx.next_verdict() {
            self.session.on_frame(&mut ctx, &v, self.rx.frame_of(&v));
            if self.session.take_urgent() && !self.rx.all_handled() {
                return true;
            }
        }
        self.session.sync_validator(validator);
        self.rx.release(validator.retain_from(index));
        false
    }

    /// The application's turn to send (while logged on).
    ///
    /// ```
    /// # use gapless::{app::AppKind, connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.poll_app(0, &mut *AppKind::Null.build("FIX.4.4")); // not logged on: nothing
    /// assert!(c.poll_transmit().is_empty());
    /// ```
    pub fn poll_app(&mut self, now: Nanos, app: &mut dyn Application) {
        self.session.poll_app(&mut Ctx { now, app });
    }

    /// Runs the timers: Heartbeat, TestRequest, the Logon/Logout and
    /// silence timeouts, re-requesting an unfilled gap, the schedule.
    /// Harmless before [`poll_timeout`](Self::poll_timeout).
    ///
    /// ```
    /// # use gapless::{app::AppKind, connection::{Action, Connection}, session::*, store::MemoryStore};
    /// # let mut app = AppKind::Null.build("FIX.4.4");
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.handle_connect(0, &mut *app);
    /// let t = c.poll_timeout().unwrap(); // the Logon reply is due by then
    /// c.handle_timeout(t, &mut *app);
    /// assert_eq!(c.poll_action(), Some(Action::Disconnect(DisconnectReason::Timeout)));
    /// ```
    pub fn handle_timeout(&mut self, now: Nanos, app: &mut dyn Application) {
        self.last_timer = now;
        self.session.on_timer(&mut Ctx { now, app });
    }

    /// When [`handle_timeout`](Self::handle_timeout) next has work (`None`:
    /// nothing until more input). See `handle_timeout`'s example.
    pub fn poll_timeout(&self) -> Option<Nanos> {
        self.session.next_timeout(self.last_timer)
    }

    /// Bytes to write, in order. See the type's example.
    pub fn poll_transmit(&self) -> &[u8] {
        self.session.wire()
    }

    /// The transport wrote the first `n` bytes of
    /// [`poll_transmit`](Self::poll_transmit). See the type's example.
    pub fn transmitted(&mut self, n: usize) {
        self.session.consume_wire(n);
    }

    /// The next thing the runtime must do. See `handle_timeout`'s example.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.session.pop_action()
    }

    /// The next event, for logs and statistics (the runtime needs none of
    /// them to drive the session).
    ///
    /// ```
    /// # use gapless::{app::AppKind, connection::Connection, session::*, store::MemoryStore};
    /// # let mut app = AppKind::Null.build("FIX.4.4");
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.handle_connect(0, &mut *app);
    /// c.handle_timeout(c.poll_timeout().unwrap(), &mut *app);
    /// assert_eq!(c.poll_event(), Some(Event::Disconnect(DisconnectReason::Timeout)));
    /// ```
    pub fn poll_event(&mut self) -> Option<Event> {
        self.session.pop_event()
    }

    /// Queues a complete message the recovery side produced for an
    /// [`Action::Serve`] (a PossDup resend or a GapFill, with its own
    /// earlier seq); dropped if the connection is gone.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.handle_replay(0, b"8=FIX.4.4\x01..."); // not connected: dropped
    /// assert!(c.poll_transmit().is_empty());
    /// ```
    pub fn handle_replay(&mut self, now: Nanos, bytes: &[u8]) {
        if self.session.state() != crate::session::State::Disconnected {
            self.session.send_raw(now, bytes);
        }
    }

    /// Sends an application message from outside any inbound message;
    /// returns its seq, or `None` when not logged on.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// assert_eq!(c.send(0, b"D", b"11=1\x01"), None);
    /// ```
    pub fn send(&mut self, now: Nanos, msg_type: &[u8], body: &[u8]) -> Option<u32> {
        self.session.send_app(now, msg_type, body)
    }

    /// An operator sets both seqs (held messages and an open gap are
    /// dropped); committed to the store at once.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.set_seqs(10, 20);
    /// assert_eq!((c.session().next_in(), c.session().next_out()), (10, 20));
    /// ```
    pub fn set_seqs(&mut self, next_in: u32, next_out: u32) {
        self.session.set_seqs(next_in, next_out);
    }

    /// An operator asks the peer for `begin..=end` (0: all after) again;
    /// `false` when not logged on.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// assert!(!c.request_resend(0, &mut gapless::app::Null, 1, 0));
    /// ```
    pub fn request_resend(
        &mut self,
        now: Nanos,
        app: &mut dyn Application,
        begin: u32,
        end: u32,
    ) -> bool {
        self.session
            .request_resend(&mut Ctx { now, app }, begin, end)
    }

    /// Starts the Logout handshake (when logged on); the LogoutTimeout
    /// then closes the connection if the peer does not answer.
    ///
    /// ```
    /// # use gapless::{connection::Connection, session::*, store::MemoryStore};
    /// let mut c = Connection::new(SessionConfig::new("FIX.4.4", "A", "B", true), 0, Box::new(MemoryStore::new()), 4096).unwrap();
    /// c.logout(0, &mut gapless::app::Null, "bye"); // not logged on: nothing to do
    /// assert_eq!(c.session().state(), State::Disconnected);
    /// ```
    pub fn logout(&mut self, now: Nanos, app: &mut dyn Application, text: &str) {
        self.session.logout(&mut Ctx { now, app }, text);
    }
}
