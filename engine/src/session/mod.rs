//! The FIX session layer, sans-IO: framed messages (with their validator
//! verdicts) and time go in; bytes to send, application deliveries and
//! events come out. No sockets, threads or clocks inside.
//!
//! Split by concern:
//! - [`inbound`](self) — verdicts, sequencing, the hold queue, gap liveness;
//! - `logon` — Logon/Logout handshakes and resets;
//! - `heartbeat` — heartbeats, test requests and timeouts;
//! - `checks` — identity and SendingTime checks;
//! - `outbound` — stamping, storing and queueing what we send.

mod checks;
mod heartbeat;
mod hold_queue;
mod inbound;
mod logon;
mod outbound;
mod route;
mod window;

pub use hold_queue::HoldQueue;
pub use outbound::Sender;
pub use route::{reverse_route, tag_text};

use crate::codec::message::Message;
use crate::codec::time::{Nanos, Precision};
use crate::store::{MessageStore, StoreError};
use crate::validator::Verdict;

use outbound::Outbound;

/// The settings the session core needs (built from the config file).
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// BeginString(8): `FIX.4.2`, `FIX.4.4`, `FIXT.1.1`, …
    pub begin_string: String,
    /// Our SenderCompID(49).
    pub sender: String,
    /// Our TargetCompID(56).
    pub target: String,
    /// We connect and send the first Logon.
    pub initiator: bool,
    /// HeartBtInt(108) in seconds (an acceptor adopts the initiator's).
    pub heartbeat_secs: u32,
    /// Reset both seqs when a Logon is sent or received.
    pub reset_on_logon: bool,
    /// Reset both seqs after a Logout.
    pub reset_on_logout: bool,
    /// Reset both seqs (ResetSeqNumFlag) on the first Logon only: set when
    /// `OnStoreCorruption=reset` replaced a damaged journal, so the
    /// counterparty resets too.
    pub reset_on_first_logon: bool,
    /// Reset both seqs after a disconnect.
    pub reset_on_disconnect: bool,
    /// Send and honour NextExpectedMsgSeqNum(789) on Logon.
    pub enable_next_expected: bool,
    /// Check SendingTime against our clock.
    pub check_latency: bool,
    /// Largest SendingTime difference accepted, in seconds.
    pub max_latency_secs: u32,
    /// Check SenderCompID/TargetCompID on every message.
    pub check_comp_id: bool,
    /// Request a range again even if already requested.
    pub send_redundant_resend_requests: bool,
    /// Largest range one ResendRequest asks for (0: unbounded, `16=0`).
    pub resend_chunk_size: u32,
    /// Reject PossDup messages without OrigSendingTime(122).
    pub requires_orig_sending_time: bool,
    /// Name RefTagID(371) on every session Reject, also where QuickFIX
    /// names none (CompID, SendingTime, MsgType and NewSeqNo problems).
    /// Off by default: counterparties compare against QuickFIX.
    pub ref_tag_id_always: bool,
    /// Re-request a gap not filled within this time.
    pub resend_timeout: Nanos,
    /// Hold queue bound, in messages.
    pub hold_queue_messages: usize,
    /// Hold queue bound, in bytes.
    pub hold_queue_bytes: usize,
    /// SendingTime precision.
    pub precision: Precision,
    /// Username(553) we send (initiator) or require (acceptor).
    pub username: Option<String>,
    /// Password(554) we send (initiator) or require (acceptor).
    pub password: Option<String>,
    /// DefaultApplVerID(1137) for FIXT.1.1.
    pub default_appl_ver_id: Option<String>,
    /// Seconds to wait for the Logon reply.
    pub logon_timeout_secs: u32,
    /// Seconds to wait for the Logout reply.
    pub logout_timeout_secs: u32,
    /// When the session may be logged on (`None`: always); a new period
    /// resets both seqs.
    pub schedule: Option<crate::schedule::Schedule>,
    /// Acceptor: the peer addresses allowed to connect (empty: any).
    pub allowed_remote_addresses: Vec<std::net::IpAddr>,
}

impl SessionConfig {
    /// Defaults as in QuickFIX for a session from `sender` to `target`.
    ///
    /// ```
    /// let c = gapless::session::SessionConfig::new("FIX.4.4", "ISLD", "TW", false);
    /// assert_eq!(c.heartbeat_secs, 30);
    /// ```
    pub fn new(begin_string: &str, sender: &str, target: &str, initiator: bool) -> Self {
        SessionConfig {
            begin_string: begin_string.into(),
            sender: sender.into(),
            target: target.into(),
            initiator,
            heartbeat_secs: 30,
            reset_on_logon: false,
            reset_on_logout: false,
            reset_on_first_logon: false,
            reset_on_disconnect: false,
            enable_next_expected: false,
            check_latency: true,
            max_latency_secs: 120,
            check_comp_id: true,
            send_redundant_resend_requests: false,
            resend_chunk_size: 0,
            requires_orig_sending_time: true,
            ref_tag_id_always: false,
            resend_timeout: 5_000_000_000,
            hold_queue_messages: 10_000,
            hold_queue_bytes: 16 << 20,
            precision: Precision::Millis,
            username: None,
            password: None,
            default_appl_ver_id: None,
            logon_timeout_secs: 10,
            logout_timeout_secs: 2,
            schedule: None,
            allowed_remote_addresses: vec![],
        }
    }
}

/// Where the session is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No connection.
    Disconnected,
    /// Connected; Logon not yet exchanged (`sent`: ours is out).
    AwaitingLogon {
        /// We have sent our Logon.
        sent: bool,
    },
    /// Logged on.
    Active,
    /// We sent a Logout and wait for the reply.
    LoggingOut,
}

/// Why the session asks the transport to close the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The Logout handshake completed.
    LoggedOut,
    /// The first message was not a Logon, or the Logon was refused.
    LogonRefused,
    /// MsgSeqNum too low without PossDupFlag, or missing.
    SequenceError,
    /// Wrong BeginString, CompID or SendingTime.
    IdentityError,
    /// No Logon reply, TestRequest unanswered or no Logout reply in time.
    Timeout,
    /// The message store failed; the session cannot continue safely.
    StoreFailed,
    /// The schedule's window closed, or a new period began.
    OutsideSchedule,
}

/// What the session tells the runtime (and, through it, the recovery
/// thread and the logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Logon completed; `reset` if sequence numbers were reset.
    LoggedOn {
        /// Seqs were reset by this Logon.
        reset: bool,
    },
    /// Close the connection now.
    Disconnect(DisconnectReason),
    /// A gap: the recovery side issues ResendRequest(7=begin, 16=end).
    Gap {
        /// BeginSeqNo(7).
        begin: u32,
        /// EndSeqNo(16) (0: all after begin).
        end: u32,
    },
    /// The peer asked for `begin..=end`; `next_out` is our next seq now.
    ResendRequested {
        /// BeginSeqNo(7).
        begin: u32,
        /// EndSeqNo(16) as received (0: all after begin).
        end: u32,
        /// Our next outbound seq when the request was processed.
        next_out: u32,
    },
    /// Every gap is filled; held messages up to `next_in - 1` were released.
    GapFilled {
        /// The next inbound seq expected now.
        next_in: u32,
    },
    /// A frame was skipped as garbled.
    Garbled {
        /// Stream offset of the bytes skipped.
        offset: u64,
        /// How many.
        len: u32,
    },
    /// An out-of-order message was dropped because the hold queue was
    /// full; the open ResendRequest still covers it.
    HoldQueueFull {
        /// Its MsgSeqNum.
        seq: u32,
    },
    /// A new schedule period began at `start`: both seqs were reset to 1
    /// and the store emptied.
    NewPeriod {
        /// When the period began (UTC nanoseconds).
        start: Nanos,
    },
    /// We sent a session Reject(3) for inbound `seq`.
    Rejected {
        /// RefSeqNum(45).
        seq: u32,
        /// SessionRejectReason(373).
        reason: u32,
    },
}

/// A peer's ResendRequest for the recovery side to serve from the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResendRange {
    /// BeginSeqNo(7).
    pub begin: u32,
    /// EndSeqNo(16) as received (0: all after begin).
    pub end: u32,
    /// Our next outbound seq when the request was processed.
    pub next_out: u32,
}

/// What the session needs the runtime to do (see
/// [`Connection::poll_action`](crate::connection::Connection::poll_action)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write what is queued, then close the connection.
    Disconnect(DisconnectReason),
    /// Serve the peer's ResendRequest from the store (PossDup resends and
    /// GapFills), off the hot path; hand the bytes to
    /// [`Connection::handle_replay`](crate::connection::Connection::handle_replay).
    Serve(ResendRange),
}

/// Why the application refused a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppReject {
    /// BusinessMessageReject(380=3) (Reject before FIX.4.2).
    UnsupportedMessageType,
    /// BusinessMessageReject with this BusinessRejectReason(380).
    Business {
        /// BusinessRejectReason(380).
        reason: u32,
        /// RefTagID(371), if any.
        ref_tag: Option<u32>,
        /// Text(58).
        text: &'static str,
    },
}

/// A session's identity: `BeginString:SenderCompID->TargetCompID`, ours
/// first.
///
/// ```
/// let id = gapless::session::SessionId::new("FIX.4.4", "CLIENT", "VENUE");
/// assert_eq!(id.to_string(), "FIX.4.4:CLIENT->VENUE");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionId {
    /// BeginString(8).
    pub begin_string: String,
    /// Our SenderCompID(49).
    pub sender: String,
    /// Our TargetCompID(56).
    pub target: String,
}

impl SessionId {
    /// The id of a session from `sender` to `target`.
    pub fn new(begin_string: &str, sender: &str, target: &str) -> Self {
        SessionId {
            begin_string: begin_string.into(),
            sender: sender.into(),
            target: target.into(),
        }
    }

    /// The id of the session `cfg` describes.
    ///
    /// ```
    /// use gapless::session::{SessionConfig, SessionId};
    /// let cfg = SessionConfig::new("FIX.4.4", "A", "B", true);
    /// assert_eq!(SessionId::of(&cfg), SessionId::new("FIX.4.4", "A", "B"));
    /// ```
    pub fn of(cfg: &SessionConfig) -> Self {
        SessionId::new(&cfg.begin_string, &cfg.sender, &cfg.target)
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}->{}", self.begin_string, self.sender, self.target)
    }
}

/// The application on top of a session. One instance per session (the
/// engine's factory gets the [`SessionId`]).
pub trait Application {
    /// An application message, delivered exactly once and in order.
    /// Reply (or send anything) through `tx`.
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject>;
    /// An admin message of type `msg_type` (Logon `A`, Logout `5`,
    /// Heartbeat `0`, TestRequest `1`, ResendRequest `2`, Reject `3`,
    /// BusinessMessageReject `j`) is being built: add fields to its body
    /// after the session's own (a venue's Username/Password on the Logon,
    /// custom tags). Resends and GapFills the recovery thread serves from
    /// the store are not shown: they replay what was sent.
    fn to_admin(&mut self, _msg_type: &[u8], _body: &mut crate::codec::encode::Body) {}
    /// An inbound admin message the session accepted, before it acts on
    /// it. `Err` vetoes it: a Logon is refused (Logout with the text, then
    /// disconnect, as QuickFIX's `RejectLogon`); any other admin message
    /// gets a session Reject(3) with the reason and is not acted on.
    fn on_admin(&mut self, _msg: &Message) -> Result<(), SessionReject> {
        Ok(())
    }
    /// Session `id` logged on (before any message after the Logon).
    fn on_logon(&mut self, _id: &SessionId, _tx: &mut Sender) {}
    /// Session `id` logged out or lost its connection.
    fn on_logout(&mut self, _id: &SessionId) {}
    /// Called on every turn of the hot path while logged on, to send
    /// messages of the application's own (a feed, a load generator).
    fn poll(&mut self, _tx: &mut Sender) {}
}

/// A session-level check run on every in-order message before delivery
/// (data-dictionary validation).
pub trait MessageCheck: Send {
    /// `Err` rejects the message with a session Reject(3); an `Err` with
    /// reason [`crate::dict::reason::GARBLED`] (a field that does not
    /// parse) makes the session ignore the message as garbled.
    fn check(&self, msg: &Message) -> Result<(), SessionReject>;

    /// `(DATA tag, LENGTH tag)` pairs, sorted by DATA tag, the session
    /// reads by length besides the built-in ones (a dictionary's).
    fn data_pairs(&self) -> Option<std::sync::Arc<crate::codec::message::DataPairs>> {
        None
    }
}

/// A session Reject(3) to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionReject {
    /// SessionRejectReason(373), QuickFIX's codes.
    pub reason: u32,
    /// RefTagID(371): the tag as the peer wrote it, so possibly negative
    /// (QuickFIX answers `-1=x` with `371=-1`).
    pub ref_tag: Option<i64>,
    /// Text(58).
    pub text: &'static str,
}

/// Everything a call needs from outside the session (built only by
/// [`Connection`](crate::connection::Connection)).
pub(crate) struct Ctx<'a> {
    /// Now, in nanoseconds since the epoch.
    pub(crate) now: Nanos,
    /// The application.
    pub(crate) app: &'a mut dyn Application,
}

/// Counters a latency engineer reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Application messages delivered.
    pub delivered: u64,
    /// Duplicates discarded.
    pub duplicates: u64,
    /// Garbled frames skipped.
    pub garbled: u64,
    /// Gaps detected (ResendRequests asked for).
    pub gaps: u64,
    /// Messages held while a gap was open.
    pub held: u64,
    /// Messages dropped because the hold queue was full.
    pub hold_dropped: u64,
    /// Session Rejects sent.
    pub rejects: u64,
}

/// One FIX session's state, read through
/// [`Connection::session`](crate::connection::Connection::session); only a
/// [`Connection`](crate::connection::Connection) drives it.
///
/// ```
/// use gapless::connection::Connection;
/// use gapless::session::SessionConfig;
/// use gapless::store::MemoryStore;
/// let cfg = SessionConfig::new("FIX.4.4", "A", "B", true);
/// let c = Connection::new(cfg, 0, Box::new(MemoryStore::new()), 4096).unwrap();
/// assert_eq!(c.session().next_in(), 1);
/// ```
pub struct Session {
    cfg: SessionConfig,
    /// `SessionId::of(&cfg)`, made once for the callbacks.
    id: SessionId,
    index: u16,
    state: State,
    next_in: u32,
    out: Outbound,
    hold: HoldQueue,
    gap: inbound::GapState,
    timers: heartbeat::Timers,
    check: Option<Box<dyn MessageCheck>>,
    events: std::collections::VecDeque<Event>,
    actions: std::collections::VecDeque<Action>,
    stats: Stats,
    scratch: Vec<u8>,
    /// Held ResendRequests already served on arrival (seqs).
    served_early: Vec<u32>,
    /// The session moved `next_in` itself; the validator must follow.
    resync_validator: bool,
    /// A new connection: the validator must forget the old stream.
    reset_stream: bool,
    /// Something was queued that must leave before more input is handled
    /// (our ResendRequest).
    urgent: bool,
    release_buf: Vec<u8>,
    /// Start of the schedule period the seqs belong to.
    period: Option<Nanos>,
    /// Reset on the next Logon (`reset_on_first_logon`, until one succeeds).
    reset_pending: bool,
    /// The inbound message's routing fields reversed, for a Reject of it
    /// (QuickFIX's `Message::reverseRoute`).
    route: Vec<u8>,
}

impl Session {
    /// A session with validator index `index`, resuming the store's seqs.
    pub(crate) fn new(
        cfg: SessionConfig,
        index: u16,
        store: Box<dyn MessageStore>,
    ) -> Result<Self, StoreError> {
        let seqs = store.seqs();
        let period = store.period();
        Ok(Session {
            period,
            reset_pending: cfg.reset_on_first_logon,
            hold: HoldQueue::new(cfg.hold_queue_messages, cfg.hold_queue_bytes),
            timers: heartbeat::Timers::new(cfg.heartbeat_secs),
            out: Outbound::new(&cfg, store, seqs.next_out),
            next_in: seqs.next_in,
            id: SessionId::of(&cfg),
            cfg,
            index,
            state: State::Disconnected,
            gap: inbound::GapState::default(),
            check: None,
            events: std::collections::VecDeque::with_capacity(64),
            actions: std::collections::VecDeque::with_capacity(16),
            stats: Stats::default(),
            scratch: Vec::with_capacity(4096),
            served_early: Vec::with_capacity(16),
            resync_validator: true,
            reset_stream: true,
            urgent: false,
            release_buf: Vec::with_capacity(4096),
            route: Vec::with_capacity(256),
        })
    }

    /// Installs a check (data dictionary) run on every in-order message.
    pub(crate) fn set_check(&mut self, check: Box<dyn MessageCheck>) {
        self.check = Some(check);
    }

    /// The settings.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// `BeginString:Sender->Target`.
    pub fn id(&self) -> &SessionId {
        &self.id
    }

    /// The validator index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The life-cycle state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The next inbound seq expected.
    pub fn next_in(&self) -> u32 {
        self.next_in
    }

    /// The next outbound seq.
    pub fn next_out(&self) -> u32 {
        self.out.next_out
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// A ResendRequest is open (a gap is being recovered).
    pub fn recovering(&self) -> bool {
        self.gap.requested.is_some()
    }

    /// Bytes to write to the transport, in order.
    pub(crate) fn wire(&self) -> &[u8] {
        &self.out.wire[self.out.wire_sent..]
    }

    /// The transport wrote the first `n` bytes of [`wire`](Self::wire).
    pub(crate) fn consume_wire(&mut self, n: usize) {
        let out = &mut self.out;
        out.wire_sent = (out.wire_sent + n).min(out.wire.len());
        if out.wire_sent == out.wire.len() {
            out.wire.clear();
            out.wire_sent = 0;
        } else if out.wire_sent >= 1 << 16 && out.wire_sent * 2 >= out.wire.len() {
            // Amortised: move the unsent tail only once half is sent.
            out.wire.drain(..out.wire_sent);
            out.wire_sent = 0;
        }
    }

    /// Whether something urgent was queued since the last call.
    pub(crate) fn take_urgent(&mut self) -> bool {
        std::mem::take(&mut self.urgent)
    }

    /// The oldest event not yet taken.
    pub(crate) fn pop_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The oldest action not yet taken.
    pub(crate) fn pop_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// A transport connection is up. An initiator sends its Logon.
    pub(crate) fn on_connect(&mut self, ctx: &mut Ctx) {
        self.enter(State::AwaitingLogon { sent: false });
        // A period that began while disconnected resets the seqs first.
        self.check_schedule(ctx);
        self.out.hold_app = false;
        self.hold.clear();
        self.gap = inbound::GapState::default();
        self.actions.clear();
        (self.reset_stream, self.resync_validator) = (true, true);
        self.timers.connected(ctx.now);
        self.out.last_sent = ctx.now;
        if self.cfg.initiator {
            self.send_logon(ctx, false);
        }
        self.commit();
    }

    /// The transport connection is gone.
    pub(crate) fn on_disconnect(&mut self, ctx: &mut Ctx) {
        if matches!(self.state, State::Active | State::LoggingOut) {
            ctx.app.on_logout(&self.id);
        }
        self.enter(State::Disconnected);
        self.out.wire.clear();
        self.out.wire_sent = 0;
        if self.cfg.reset_on_disconnect {
            self.reset_seqs();
        }
    }

    /// Sends an application message now (outside any inbound message).
    /// Returns its seq, or `None` when not logged on.
    pub(crate) fn send_app(&mut self, now: Nanos, msg_type: &[u8], body: &[u8]) -> Option<u32> {
        if self.state != State::Active {
            return None;
        }
        let seq = self.out.send(now, msg_type, body, 0);
        self.commit();
        Some(seq)
    }

    /// Queues bytes the recovery side built completely (resends and
    /// GapFills carry their own, earlier, seqs).
    pub(crate) fn send_raw(&mut self, now: Nanos, bytes: &[u8]) {
        self.out.wire.extend_from_slice(bytes);
        self.out.last_sent = now;
    }

    /// Messages held beyond a gap now.
    pub fn held_now(&self) -> usize {
        self.hold.len()
    }

    /// Sets the seqs by hand (an operator's `set-seqs`): the next inbound
    /// seq expected and the next we send. Held messages and the open gap
    /// are dropped; committed to the store at once.
    pub(crate) fn set_seqs(&mut self, next_in: u32, next_out: u32) {
        self.set_next_in(next_in.max(1), false);
        self.out.next_out = next_out.max(1);
        self.hold.clear();
        self.gap = inbound::GapState::default();
        self.commit();
    }

    /// Sends a ResendRequest for `begin..=end` (0: all after) by hand,
    /// while logged on; what comes back below `next_in` is discarded as
    /// duplicates, as QuickFIX does.
    pub(crate) fn request_resend(&mut self, ctx: &mut Ctx, begin: u32, end: u32) -> bool {
        if self.state != State::Active {
            return false;
        }
        self.send_admin_with(ctx, b"2", |b| {
            b.uint(7, u64::from(begin)).uint(16, u64::from(end));
        });
        self.commit();
        true
    }

    /// The encoder the recovery side must use for this session.
    pub fn encoder(&self) -> &crate::codec::encode::Encoder {
        &self.out.encoder
    }

    /// Sends a Logout (we start the handshake).
    pub(crate) fn logout(&mut self, ctx: &mut Ctx, text: &str) {
        if self.state == State::Active {
            self.send_logout(ctx, text.as_bytes());
            self.enter(State::LoggingOut);
            self.commit();
        }
    }

    /// The only place the state changes, with what entering it implies.
    fn enter(&mut self, state: State) {
        if state == State::LoggingOut {
            // No application messages after our Logout (whose sending
            // started the LogoutTimeout).
            self.out.hold_app = true;
        }
        self.state = state;
    }

    /// The only writer of `next_in`. `validator_followed`: the validator
    /// made the same move itself (it judged `next_in - 1` in order against
    /// the same expected); otherwise it is brought in line before it reads
    /// again.
    fn set_next_in(&mut self, next_in: u32, validator_followed: bool) {
        self.next_in = next_in;
        self.resync_validator |= !validator_followed;
    }

    /// Brings the validator in line with the session before it frames
    /// more of this session's bytes: a new stream after a connect, and the
    /// session's expected seq after the session moved it itself.
    pub(crate) fn sync_validator(&mut self, validator: &mut dyn crate::validator::SeqValidator) {
        if std::mem::take(&mut self.reset_stream) {
            validator.reset_stream(self.index);
        }
        if std::mem::take(&mut self.resync_validator) {
            validator.set_expected(self.index, self.next_in);
        }
    }

    fn commit(&mut self) {
        if let Err(_e) = self.out.commit(self.next_in) {
            self.disconnect(DisconnectReason::StoreFailed);
        }
    }

    fn disconnect(&mut self, reason: DisconnectReason) {
        if self.state != State::Disconnected {
            self.events.push_back(Event::Disconnect(reason));
            self.actions.push_back(Action::Disconnect(reason));
            self.enter(State::Disconnected);
        }
    }

    /// Asks the recovery side to serve the peer's ResendRequest.
    fn serve(&mut self, begin: u32, end: u32) {
        let next_out = self.out.next_out;
        self.events.push_back(Event::ResendRequested {
            begin,
            end,
            next_out,
        });
        self.actions.push_back(Action::Serve(ResendRange {
            begin,
            end,
            next_out,
        }));
    }

    fn reset_seqs(&mut self) {
        if self.out.reset().is_err() {
            self.disconnect(DisconnectReason::StoreFailed);
        }
        self.set_next_in(1, false);
        self.hold.clear();
        self.gap = inbound::GapState::default();
    }

    /// Handles one framed message (or garbled run) and its verdict.
    pub(crate) fn on_frame(&mut self, ctx: &mut Ctx, v: &Verdict, frame: &[u8]) {
        inbound::on_frame(self, ctx, v, frame);
        self.commit();
    }

    /// Gives the application its turn to send (while logged on).
    pub(crate) fn poll_app(&mut self, ctx: &mut Ctx) {
        if self.state == State::Active {
            ctx.app.poll(&mut self.sender(ctx.now));
            self.commit();
        }
    }

    /// Runs the timers: heartbeats, test requests, timeouts, resend
    /// liveness, the schedule.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx) {
        self.check_schedule(ctx);
        heartbeat::on_timer(self, ctx);
        inbound::on_timer(self, ctx);
        // Whatever the timers sent is journaled before it reaches the wire.
        self.commit();
    }

    /// When [`on_timer`](Self::on_timer) next has work (`None`: not before
    /// something else happens). A schedule is checked once a second, as
    /// QuickFIX does, from `last_timer`.
    pub(crate) fn next_timeout(&self, last_timer: Nanos) -> Option<Nanos> {
        let timers = heartbeat::deadline(self);
        let resend = inbound::deadline(self);
        let schedule = self
            .cfg
            .schedule
            .as_ref()
            .map(|_| last_timer + 1_000_000_000);
        [timers, resend, schedule].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests;
