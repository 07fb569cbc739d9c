//! Session behaviour, driven sans-IO: two engines wired back to back, or
//! one engine and hand-made peer messages.

use super::*;
use crate::codec::encode::{Body, Encoder, Outgoing};
use crate::connection::{Action, Connection};
use crate::recovery::Recovery;
use crate::store::MemoryStore;
use crate::validator::SoftwareValidator;

const T0: Nanos = 1_700_000_000_000_000_000;
const MS: Nanos = 1_000_000;

/// Records application messages by ClOrdID(11) and echoes nothing;
/// optionally adds Username(553) to its Logon and vetoes one admin type.
#[derive(Default)]
struct Recorder {
    got: Vec<u32>,
    /// `logon <id>` / `logout <id>`, in order.
    life: Vec<String>,
    /// The admin message types `to_admin` was shown, in order.
    admin_out: Vec<Vec<u8>>,
    username: Option<&'static [u8]>,
    veto: Option<&'static [u8]>,
}

impl Application for Recorder {
    fn to_admin(&mut self, msg_type: &[u8], body: &mut Body) {
        self.admin_out.push(msg_type.to_vec());
        if let (b"A", Some(u)) = (msg_type, self.username) {
            body.str(553, u);
        }
    }

    fn on_logon(&mut self, id: &SessionId, _: &mut Sender) {
        self.life.push(format!("logon {id}"));
    }

    fn on_logout(&mut self, id: &SessionId) {
        self.life.push(format!("logout {id}"));
    }

    fn on_admin(&mut self, msg: &Message) -> Result<(), SessionReject> {
        match self.veto {
            Some(t) if msg.msg_type() == t => Err(SessionReject {
                reason: 99,
                ref_tag: None,
                text: "vetoed by the application",
            }),
            _ => Ok(()),
        }
    }

    fn on_message(&mut self, msg: &Message, _tx: &mut Sender) -> Result<(), AppReject> {
        let id = msg
            .get(11)
            .and_then(crate::validator::software::parse_seq)
            .unwrap_or(0);
        self.got.push(id);
        Ok(())
    }
}

/// One engine: a connection, its validator and app, and inline recovery.
struct Side {
    c: Connection,
    v: SoftwareValidator,
    app: Recorder,
    rec: Recovery,
    events: Vec<Event>,
}

impl Side {
    fn new(cfg: SessionConfig) -> Side {
        Side::with_store(cfg, Box::new(MemoryStore::new()))
    }

    fn with_store(cfg: SessionConfig, store: Box<dyn crate::store::MessageStore>) -> Side {
        let reader = store.reader();
        let c = Connection::new(cfg, 0, store, 65536).unwrap();
        let rec = Recovery::new(reader, c.session().encoder().clone());
        Side {
            c,
            v: SoftwareValidator::new(1, 65536),
            app: Recorder::default(),
            rec,
            events: vec![],
        }
    }

    fn s(&self) -> &Session {
        self.c.session()
    }

    fn connect(&mut self, now: Nanos) {
        self.c.handle_connect(now, &mut self.app);
        self.after(now);
    }

    fn disconnect(&mut self, now: Nanos) {
        self.c.handle_disconnect(now, &mut self.app);
        self.after(now);
    }

    fn timeout(&mut self, now: Nanos) {
        self.c.handle_timeout(now, &mut self.app);
        self.after(now);
    }

    fn logout(&mut self, now: Nanos, text: &str) {
        self.c.logout(now, &mut self.app, text);
        self.after(now);
    }

    /// `bytes` read, handled by `app`; the recovery side not run.
    fn read_with(&mut self, now: Nanos, bytes: &[u8], app: &mut dyn Application) {
        for chunk in bytes.chunks(65536) {
            self.c.recv_buf()[..chunk.len()].copy_from_slice(chunk);
            let mut n = chunk.len();
            while self.c.handle_read(now, n, &mut self.v, app) {
                n = 0;
            }
        }
    }

    fn recv(&mut self, now: Nanos, bytes: &[u8]) {
        let mut app = std::mem::take(&mut self.app);
        self.read_with(now, bytes, &mut app);
        self.app = app;
        self.after(now);
    }

    /// Takes events and actions; serves the peer's ResendRequests inline.
    fn after(&mut self, now: Nanos) {
        while let Some(ev) = self.c.poll_event() {
            self.events.push(ev);
        }
        while let Some(action) = self.c.poll_action() {
            if let Action::Serve(range) = action {
                self.rec.serve(range);
            }
        }
        let (rec, c) = (&mut self.rec, &mut self.c);
        while rec.busy() {
            rec.poll(now, 1000, &mut |bytes| c.handle_replay(now, bytes))
                .unwrap();
        }
    }

    fn take_wire(&mut self) -> Vec<u8> {
        let w = self.c.poll_transmit().to_vec();
        self.c.transmitted(w.len());
        w
    }

    fn send_orders(&mut self, now: Nanos, ids: std::ops::RangeInclusive<u32>) {
        for id in ids {
            let mut body = Vec::new();
            Body::new(&mut body).uint(11, u64::from(id)).char(54, b'1');
            self.c.send(now, b"D", &body).unwrap();
        }
    }

    fn disconnected(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::Disconnect(_)))
    }
}

fn cfgs() -> (SessionConfig, SessionConfig) {
    (
        SessionConfig::new("FIX.4.4", "CLIENT", "ISLD", true),
        SessionConfig::new("FIX.4.4", "ISLD", "CLIENT", false),
    )
}

/// Splits a byte stream into whole frames.
fn frames(bytes: &[u8]) -> Vec<Vec<u8>> {
    use crate::validator::software::{parse_frame, Frame};
    let mut out = vec![];
    let mut rest = bytes;
    while let Frame::Complete { len, .. } = parse_frame(rest, 65536) {
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

/// Moves bytes both ways until both sides are quiet.
fn pump(a: &mut Side, b: &mut Side, now: Nanos) {
    for _ in 0..100 {
        let (wa, wb) = (a.take_wire(), b.take_wire());
        if wa.is_empty() && wb.is_empty() {
            return;
        }
        b.recv(now, &wa);
        a.recv(now, &wb);
    }
    panic!("sessions did not go quiet");
}

fn logged_on_pair() -> (Side, Side) {
    let (ci, ca) = cfgs();
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    (a, b)
}

/// A hand-made message from the peer CLIENT to ISLD.
fn peer_msg(msg_type: &[u8], seq: u32, poss_dup: bool, body: &[u8]) -> Vec<u8> {
    let enc = Encoder::new(
        "FIX.4.4",
        "CLIENT",
        "ISLD",
        crate::codec::time::Precision::Millis,
    );
    let orig = b"20231114-22:13:19.000";
    let m = Outgoing {
        msg_type,
        seq,
        poss_dup,
        orig_sending_time: if poss_dup { orig } else { b"" },
        body,
    };
    let mut out = vec![];
    enc.encode_with(&mut out, &m, T0);
    out
}

fn order(id: u32) -> Vec<u8> {
    let mut body = Vec::new();
    Body::new(&mut body).uint(11, u64::from(id));
    body
}

#[test]
fn logon_handshake_makes_both_sides_active() {
    let (a, b) = logged_on_pair();
    assert_eq!(
        (a.s().state(), b.s().state()),
        (State::Active, State::Active)
    );
    assert_eq!((a.s().next_out(), b.s().next_in()), (2, 2));
}

#[test]
fn application_messages_are_delivered_once_in_order() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=50);
    pump(&mut a, &mut b, T0);
    assert_eq!(b.app.got, (1..=50).collect::<Vec<_>>());
}

#[test]
fn dropped_messages_are_recovered_and_held_ones_released_in_order() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=10);
    let wire = frames(&a.take_wire());
    for (i, f) in wire.iter().enumerate() {
        if i != 2 && i != 3 && i != 7 {
            b.recv(T0, f);
        }
    }
    assert!(b.s().recovering());
    assert_eq!(b.app.got, [1, 2]);
    pump(&mut a, &mut b, T0);
    assert_eq!(b.app.got, (1..=10).collect::<Vec<_>>());
    assert!(!b.s().recovering());
    assert!(b.events.contains(&Event::GapFilled { next_in: 12 }));
    assert_eq!(
        b.s().stats().gaps,
        2,
        "as in QuickFIX, a request covers up to the seq before the message that revealed it"
    );
}

#[test]
fn resend_request_is_sent_with_expected_begin_and_zero_end() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"D", 5, false, &order(5)));
    let out = frames(&b.take_wire());
    let rr = Message::new(&out[0]);
    assert_eq!(rr.msg_type(), b"2");
    assert_eq!((rr.get(7), rr.get(16)), (Some(&b"2"[..]), Some(&b"0"[..])));
}

#[test]
fn resend_request_leaves_in_the_call_that_sees_the_gap_without_the_recovery_side() {
    let (_, mut b) = logged_on_pair();
    let mut app = Recorder::default();
    b.read_with(T0, &peer_msg(b"D", 5, false, &order(5)), &mut app);
    // Not through `after`: no action reached recovery, yet it is queued.
    let out = frames(b.c.poll_transmit());
    assert_eq!(out.len(), 1);
    assert_eq!(Message::new(&out[0]).msg_type(), b"2");
    assert!(!b.rec.busy());
}

#[test]
fn admin_messages_are_gap_filled_and_app_messages_resent_with_poss_dup() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=2);
    a.timeout(T0 + 31_000 * MS); // a heartbeat, seq 4
    a.send_orders(T0 + 31_000 * MS, 3..=3);
    let _lost = a.take_wire();
    b.recv(T0 + 31_000 * MS, &peer_msg(b"0", 6, false, b""));
    let resent = {
        let w = b.take_wire();
        a.recv(T0 + 31_000 * MS, &w);
        frames(&a.take_wire())
    };
    let kinds: Vec<(Vec<u8>, bool)> = resent
        .iter()
        .map(|f| {
            (
                Message::new(f).msg_type().to_vec(),
                Message::new(f).flag(43),
            )
        })
        .collect();
    assert_eq!(kinds[0], (b"D".to_vec(), true));
    assert_eq!(kinds[1], (b"D".to_vec(), true));
    assert_eq!(
        kinds[2],
        (b"4".to_vec(), true),
        "the heartbeat became a GapFill"
    );
    assert!(Message::new(&resent[0]).get(122).is_some());
}

#[test]
fn seq_too_low_without_poss_dup_logs_out_and_disconnects() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"D", 1, false, &order(1)));
    let out = frames(&b.take_wire());
    let logout = Message::new(out.last().unwrap());
    assert_eq!(logout.msg_type(), b"5");
    assert_eq!(
        logout.get(58),
        Some(&b"MsgSeqNum too low, expecting 2 but received 1"[..])
    );
    assert!(b.disconnected());
}

#[test]
fn poss_dup_duplicate_is_discarded() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"D", 2, false, &order(7)));
    b.recv(T0, &peer_msg(b"D", 2, true, &order(7)));
    assert_eq!(b.app.got, [7]);
    assert_eq!(b.s().stats().duplicates, 1);
    assert!(!b.disconnected());
}

#[test]
fn orig_sending_time_after_sending_time_is_rejected_and_logged_out() {
    let (_, mut b) = logged_on_pair();
    let enc = Encoder::new(
        "FIX.4.4",
        "CLIENT",
        "ISLD",
        crate::codec::time::Precision::Millis,
    );
    let m = Outgoing {
        msg_type: b"D",
        seq: 2,
        poss_dup: true,
        orig_sending_time: b"20231114-22:13:21.000",
        body: &order(1),
    };
    let mut bytes = vec![];
    enc.encode_with(&mut bytes, &m, T0);
    b.recv(T0, &bytes);
    let out = frames(&b.take_wire());
    let reject = Message::new(&out[0]);
    assert_eq!(
        (reject.msg_type(), reject.get(373)),
        (&b"3"[..], Some(&b"10"[..]))
    );
    assert_eq!(Message::new(&out[1]).msg_type(), b"5");
    assert!(b.app.got.is_empty());
}

#[test]
fn gap_fill_moves_expected_and_releases_the_queue() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"D", 5, false, &order(5)));
    b.recv(T0, &peer_msg(b"4", 2, true, b"123=Y\x0136=5\x01"));
    assert_eq!(b.app.got, [5]);
    assert_eq!(b.s().next_in(), 6);
    assert!(!b.s().recovering());
}

#[test]
fn sequence_reset_is_honoured_without_seq_check() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"4", 999, false, b"36=20\x01"));
    assert_eq!(b.s().next_in(), 20);
    b.recv(T0, &peer_msg(b"D", 20, false, &order(20)));
    assert_eq!(b.app.got, [20]);
}

#[test]
fn sequence_reset_backwards_is_rejected() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"4", 2, false, b"36=1\x01"));
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(373), Some(&b"5"[..]));
    assert_eq!(b.s().next_in(), 2);
}

#[test]
fn garbled_frames_are_skipped_counted_and_do_not_consume_a_seq() {
    let (_, mut b) = logged_on_pair();
    let mut bad = peer_msg(b"D", 2, false, &order(1));
    let n = bad.len();
    bad[n - 3] = if bad[n - 3] == b'0' { b'1' } else { b'0' };
    b.recv(T0, &bad);
    b.recv(T0, b"garbage bytes");
    b.recv(T0, &peer_msg(b"D", 2, false, &order(2)));
    assert_eq!(b.app.got, [2]);
    assert_eq!(
        b.s().stats().garbled,
        1,
        "the junk is skipped by the hunt for 8=FIX"
    );
}

#[test]
fn wrong_comp_id_is_rejected_then_logged_out() {
    let (_, mut b) = logged_on_pair();
    let enc = Encoder::new(
        "FIX.4.4",
        "INTRUDER",
        "ISLD",
        crate::codec::time::Precision::Millis,
    );
    let mut bytes = vec![];
    enc.encode(&mut bytes, b"D", 2, T0, &order(1));
    b.recv(T0, &bytes);
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(373), Some(&b"9"[..]));
    assert_eq!(Message::new(&out[1]).msg_type(), b"5");
    assert_eq!(b.s().state(), State::LoggingOut);
}

#[test]
fn sending_time_far_off_is_rejected() {
    let (_, mut b) = logged_on_pair();
    let late = T0 + 121_000 * MS;
    b.recv(late, &peer_msg(b"D", 2, false, &order(1)));
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(373), Some(&b"10"[..]));
}

#[test]
fn first_message_must_be_a_logon() {
    let (_, ca) = cfgs();
    let mut b = Side::new(ca);
    b.connect(T0);
    b.recv(T0, &peer_msg(b"D", 1, false, &order(1)));
    assert!(b.disconnected());
}

#[test]
fn test_request_after_silence_then_disconnect_when_unanswered() {
    let (_, mut b) = logged_on_pair();
    b.timeout(T0 + 37_000 * MS);
    let out = frames(&b.take_wire());
    assert!(out.iter().any(|f| Message::new(f).msg_type() == b"1"));
    b.timeout(T0 + 73_000 * MS);
    assert!(b.disconnected());
}

#[test]
fn test_request_is_answered_with_its_id() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"1", 2, false, b"112=abc\x01"));
    let out = frames(&b.take_wire());
    let hb = Message::new(&out[0]);
    assert_eq!((hb.msg_type(), hb.get(112)), (&b"0"[..], Some(&b"abc"[..])));
}

#[test]
fn hold_queue_stays_bounded_under_a_flood_of_seq_too_high() {
    let (_, mut ca) = cfgs();
    ca.hold_queue_messages = 100;
    ca.hold_queue_bytes = 64 * 1024;
    let (ci, _) = cfgs();
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    for seq in 3..100_003 {
        b.recv(T0, &peer_msg(b"D", seq, false, &order(seq)));
    }
    assert!(b.s().hold.len() <= 100);
    assert_eq!(b.s().stats().hold_dropped, 100_000 - 100);
    assert_eq!(
        b.s().stats().gaps,
        1,
        "one open ResendRequest covers the flood"
    );
}

#[test]
fn unsupported_message_type_gets_business_message_reject() {
    struct Refuse;
    impl Application for Refuse {
        fn on_message(&mut self, _: &Message, _: &mut Sender) -> Result<(), AppReject> {
            Err(AppReject::UnsupportedMessageType)
        }
    }
    let (_, mut b) = logged_on_pair();
    b.read_with(T0, &peer_msg(b"D", 2, false, &order(1)), &mut Refuse);
    let out = frames(&b.take_wire());
    let bmr = Message::new(&out[0]);
    assert_eq!((bmr.msg_type(), bmr.get(380)), (&b"j"[..], Some(&b"3"[..])));
}

#[test]
fn logout_handshake_disconnects_both_sides() {
    let (mut a, mut b) = logged_on_pair();
    a.logout(T0, "bye");
    pump(&mut a, &mut b, T0);
    assert!(a.disconnected() && b.disconnected());
}

#[test]
fn logon_and_logout_callbacks_name_their_session() {
    let (mut a, mut b) = logged_on_pair();
    a.logout(T0, "bye");
    pump(&mut a, &mut b, T0);
    for side in [&a, &b] {
        let id = SessionId::of(side.s().config());
        assert_eq!(
            side.app.life,
            [format!("logon {id}"), format!("logout {id}")]
        );
    }
    assert_ne!(a.s().id(), b.s().id());
}

#[test]
fn reconnect_resumes_persisted_sequence_numbers_and_recovers_the_gap() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=5);
    pump(&mut a, &mut b, T0);
    a.send_orders(T0, 6..=8);
    let _lost_in_disconnect = a.take_wire();
    for side in [&mut a, &mut b] {
        side.disconnect(T0);
    }
    b.connect(T0 + 1000 * MS);
    a.connect(T0 + 1000 * MS);
    pump(&mut a, &mut b, T0 + 1000 * MS);
    assert_eq!(b.app.got, (1..=8).collect::<Vec<_>>());
    assert_eq!(b.s().state(), State::Active);
}

#[test]
fn reset_seq_num_flag_on_logon_resets_both_sides() {
    let (mut ci, ca) = cfgs();
    ci.reset_on_logon = true;
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    a.send_orders(T0, 1..=3);
    pump(&mut a, &mut b, T0);
    for side in [&mut a, &mut b] {
        side.disconnect(T0);
    }
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    assert_eq!((a.s().next_out(), b.s().next_in()), (2, 2));
    assert!(b.events.contains(&Event::LoggedOn { reset: true }));
}

#[test]
fn chunked_resend_requests_cover_the_gap_piece_by_piece() {
    let (ci, mut ca) = cfgs();
    ca.resend_chunk_size = 3;
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    a.send_orders(T0, 1..=10);
    let wire = frames(&a.take_wire());
    b.recv(T0, wire.last().unwrap());
    pump(&mut a, &mut b, T0);
    assert_eq!(b.app.got, (1..=10).collect::<Vec<_>>());
    assert_eq!(b.s().stats().gaps, 3);
}

#[test]
fn messages_sent_by_timers_are_journaled_before_they_reach_the_wire() {
    let (ci, _) = cfgs();
    let store = MemoryStore::new();
    let mut reader = crate::store::MessageStore::reader(&store);
    let mut a = Side::with_store(ci, Box::new(store));
    a.connect(T0);
    let mut seqs = vec![];
    reader
        .for_each(1, 0, &mut |seq, _, _| seqs.push(seq))
        .unwrap();
    assert_eq!(seqs, [1], "the Logon is committed when on_connect returns");
    a.c.session_mut().state = State::Active;
    a.timeout(T0 + 31_000 * MS);
    assert!(!a.take_wire().is_empty());
    seqs.clear();
    reader
        .for_each(1, 0, &mut |seq, _, _| seqs.push(seq))
        .unwrap();
    assert_eq!(
        seqs,
        [1, 2],
        "the heartbeat is committed when on_timer returns"
    );
}

#[test]
fn messages_arriving_after_our_logout_are_still_delivered() {
    let (mut a, mut b) = logged_on_pair();
    b.logout(T0, "bye");
    a.send_orders(T0, 1..=3);
    pump(&mut a, &mut b, T0);
    assert_eq!(b.app.got, [1, 2, 3]);
}

/// Properties of a session pair under any schedule of faults.
mod property {
    use super::*;
    use crate::store::FileStore;
    use proptest::prelude::*;

    /// One step of a schedule.
    #[derive(Clone, Debug)]
    enum Step {
        /// A sends this many orders.
        SendA(u8),
        /// B sends this many orders.
        SendB(u8),
        /// Frames in flight, in order; each one `Fate`d.
        Deliver(Vec<Fate>),
        /// Both sides lose the connection and reconnect.
        Reconnect,
        /// A restarts from its journal (the process died).
        RestartA,
        /// B restarts from its journal.
        RestartB,
    }

    /// What happens to one frame in flight.
    #[derive(Clone, Copy, Debug)]
    enum Fate {
        Pass,
        Drop,
        PossDupCopy,
        SwapWithNext,
    }

    fn fate() -> impl Strategy<Value = Fate> {
        prop_oneof![6 => Just(Fate::Pass), 1 => Just(Fate::Drop), 1 => Just(Fate::PossDupCopy), 1 => Just(Fate::SwapWithNext)]
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (1u8..20).prop_map(Step::SendA),
            2 => (1u8..20).prop_map(Step::SendB),
            4 => prop::collection::vec(fate(), 1..40).prop_map(Step::Deliver),
            1 => Just(Step::Reconnect),
            1 => Just(Step::RestartA),
            1 => Just(Step::RestartB),
        ]
    }

    /// Moves the frames each side has queued through `fates`.
    fn deliver(a: &mut Side, b: &mut Side, fates: &[Fate], now: Nanos) {
        for (from_a, fs) in [(true, fates), (false, fates)] {
            let wire = if from_a { a.take_wire() } else { b.take_wire() };
            let mut out: Vec<Vec<u8>> = vec![];
            let mut held: Option<Vec<u8>> = None;
            for (i, f) in frames(&wire).into_iter().enumerate() {
                let app = !matches!(
                    Message::new(&f).msg_type(),
                    b"0" | b"1" | b"2" | b"4" | b"5" | b"A"
                );
                match (fs.get(i).copied().unwrap_or(Fate::Pass), app) {
                    (Fate::Drop, true) => {}
                    (Fate::PossDupCopy, true) => {
                        let mut copy = vec![];
                        let h = Message::new(&f).header();
                        let s = |x: &[u8]| String::from_utf8_lossy(x).into_owned();
                        let enc = Encoder::new(
                            "FIX.4.4",
                            &s(h.sender),
                            &s(h.target),
                            crate::codec::time::Precision::Millis,
                        );
                        enc.resend(&mut copy, &f, now);
                        out.push(f);
                        out.push(copy);
                    }
                    (Fate::SwapWithNext, true) if held.is_none() => held = Some(f),
                    _ => out.push(f),
                }
                if let (Some(h), Some(last)) = (&held, out.last()) {
                    if !std::ptr::eq(h, last) && i > 0 {
                        out.push(held.take().unwrap());
                    }
                }
            }
            out.extend(held);
            let to = if from_a { &mut *b } else { &mut *a };
            for f in out {
                to.recv(now, &f);
            }
        }
    }

    fn open_a(dir: &std::path::Path, got: Vec<u32>) -> Side {
        let (store, _) = FileStore::open(dir, "A", 1 << 20).unwrap();
        let (ci, _) = cfgs();
        let mut a = Side::with_store(ci, Box::new(store));
        a.app.got = got;
        a
    }

    fn open_b(dir: &std::path::Path, got: Vec<u32>) -> Side {
        let (store, _) = FileStore::open(dir, "B", 1 << 20).unwrap();
        let (_, ca) = cfgs();
        let mut b = Side::with_store(ca, Box::new(store));
        b.app.got = got;
        b
    }

    fn reconnect(a: &mut Side, b: &mut Side, now: Nanos) {
        for s in [&mut *a, &mut *b] {
            s.disconnect(now);
            s.take_wire();
        }
        b.connect(now);
        a.connect(now);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn each_side_receives_exactly_what_the_other_sent_in_order(steps in prop::collection::vec(step(), 1..30)) {
            let dir = std::env::temp_dir().join(format!("gapless-prop-{}-{}", std::process::id(), rand_id()));
            let _ = std::fs::remove_dir_all(&dir);
            let mut a = open_a(&dir, vec![]);
            let mut b = open_b(&dir, vec![]);
            let (mut sent_a, mut sent_b) = (0u32, 0u32);
            let mut now = T0;
            b.connect(now);
            a.connect(now);
            pump(&mut a, &mut b, now);
            for s in &steps {
                now += 10 * MS;
                match s {
                    Step::SendA(n) if a.s().state() == State::Active => {
                        a.send_orders(now, sent_a + 1..=sent_a + u32::from(*n));
                        sent_a += u32::from(*n);
                    }
                    Step::SendB(n) if b.s().state() == State::Active => {
                        b.send_orders(now, sent_b + 1..=sent_b + u32::from(*n));
                        sent_b += u32::from(*n);
                    }
                    Step::Deliver(f) => deliver(&mut a, &mut b, f, now),
                    Step::Reconnect => reconnect(&mut a, &mut b, now),
                    Step::RestartA => {
                        let got = std::mem::take(&mut a.app.got);
                        drop(a);
                        a = open_a(&dir, got);
                        reconnect(&mut a, &mut b, now);
                    }
                    Step::RestartB => {
                        let got = std::mem::take(&mut b.app.got);
                        drop(b);
                        b = open_b(&dir, got);
                        reconnect(&mut a, &mut b, now);
                    }
                    _ => {}
                }
                if a.disconnected() || b.disconnected() {
                    a.events.clear();
                    b.events.clear();
                    reconnect(&mut a, &mut b, now);
                }
            }
            // Heal: a clean connection, time for resend timeouts, quiet.
            reconnect(&mut a, &mut b, now);
            for _ in 0..5 {
                now += 6_000 * MS;
                pump(&mut a, &mut b, now);
                for s in [&mut a, &mut b] {
                    s.timeout(now);
                }
                pump(&mut a, &mut b, now);
            }
            let _ = std::fs::remove_dir_all(&dir);
            prop_assert_eq!(&b.app.got, &(1..=sent_a).collect::<Vec<_>>());
            prop_assert_eq!(&a.app.got, &(1..=sent_b).collect::<Vec<_>>());
        }
    }

    fn rand_id() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }
}

#[test]
fn logon_default_appl_ver_id_becomes_the_session_default() {
    let mut ci = SessionConfig::new("FIXT.1.1", "CLIENT", "ISLD", true);
    ci.default_appl_ver_id = Some("7".into());
    let ca = SessionConfig::new("FIXT.1.1", "ISLD", "CLIENT", false);
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    assert_eq!(b.s().config().default_appl_ver_id.as_deref(), Some("7"));
}

#[test]
fn reset_on_first_logon_sends_reset_seq_num_flag_once() {
    let (mut ci, ca) = cfgs();
    ci.reset_on_first_logon = true;
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    let logon_has_reset = |wire: &[u8]| {
        frames(wire)
            .iter()
            .any(|f| Message::new(f).msg_type() == b"A" && Message::new(f).flag(141))
    };
    b.connect(T0);
    a.connect(T0);
    let first = a.take_wire();
    assert!(logon_has_reset(&first));
    b.recv(T0, &first);
    a.recv(T0, &b.take_wire());
    assert_eq!(a.s().state(), State::Active);
    a.disconnect(T0);
    a.connect(T0);
    assert!(
        !logon_has_reset(&a.take_wire()),
        "only the first Logon resets"
    );
}

mod data;
mod quickfix;
mod schedule;

/// What a side wrote, as message types.
fn types(wire: &[u8]) -> Vec<Vec<u8>> {
    frames(wire)
        .iter()
        .map(|f| Message::new(f).msg_type().to_vec())
        .collect()
}

#[test]
fn poll_timeout_is_the_heartbeat_deadline_and_nothing_is_due_before_it() {
    let (mut a, _b) = logged_on_pair();
    let due =
        a.c.poll_timeout()
            .expect("an active session has a heartbeat");
    assert_eq!(due, T0 + 30_000 * MS, "HeartBtInt 30 s after the Logon");
    a.timeout(due - 1);
    assert!(a.take_wire().is_empty(), "nothing before the deadline");
    a.timeout(due);
    assert_eq!(types(&a.take_wire()), [b"0".to_vec()]);
    assert_eq!(
        a.c.poll_timeout(),
        Some(T0 + 36_000 * MS),
        "TestRequest next"
    );
}

#[test]
fn poll_timeout_names_the_resend_deadline_of_an_open_gap() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=3);
    let wire = frames(&a.take_wire());
    b.recv(T0 + MS, &wire[2]); // 2 and 3 lost: a gap
    assert!(b.s().recovering());
    let resend = T0 + MS + b.s().config().resend_timeout;
    assert_eq!(b.c.poll_timeout(), Some(resend));
    b.take_wire();
    b.timeout(resend);
    assert_eq!(types(&b.take_wire()), [b"2".to_vec()], "asked again");
}

#[test]
fn a_session_driven_only_at_its_poll_timeout_keeps_the_link_up_like_one_timed_every_millisecond() {
    // Two quiet sessions for 10 minutes, each woken only at its own
    // deadline: heartbeats flow, no TestRequest, no disconnect.
    let (mut a, mut b) = logged_on_pair();
    let end = T0 + 600_000 * MS;
    let mut heartbeats = 0;
    loop {
        let next = [a.c.poll_timeout(), b.c.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .unwrap();
        if next > end {
            break;
        }
        a.timeout(next);
        b.timeout(next);
        let (wa, wb) = (a.take_wire(), b.take_wire());
        heartbeats += types(&wa).len() + types(&wb).len();
        assert!(!types(&wa).contains(&b"1".to_vec()), "no TestRequest");
        b.recv(next, &wa);
        a.recv(next, &wb);
    }
    assert!(!a.disconnected() && !b.disconnected());
    assert!(
        (38..=42).contains(&heartbeats),
        "{heartbeats} heartbeats in 10 min"
    );
}

#[test]
fn handle_read_stops_after_the_gap_so_the_resend_request_leaves_before_the_rest_is_handled() {
    let (_, mut b) = logged_on_pair();
    let read: Vec<u8> = (3..=6)
        .flat_map(|seq| peer_msg(b"D", seq, false, &order(seq)))
        .collect();
    b.c.recv_buf()[..read.len()].copy_from_slice(&read);
    let mut app = Recorder::default();
    assert!(
        b.c.handle_read(T0, read.len(), &mut b.v, &mut app),
        "stopped early"
    );
    assert_eq!(types(b.c.poll_transmit()), [b"2".to_vec()]);
    assert_eq!(
        b.s().stats().held,
        1,
        "only the message that revealed the gap"
    );
    b.take_wire();
    assert!(
        !b.c.handle_read(T0, 0, &mut b.v, &mut app),
        "the rest, in one go"
    );
    assert_eq!(b.s().stats().held, 4);
    assert!(
        b.c.poll_transmit().is_empty(),
        "one ResendRequest covers them"
    );
}

#[test]
fn the_application_adds_fields_to_our_logon() {
    let (ci, _) = cfgs();
    let mut a = Side::new(ci);
    a.app.username = Some(b"alice");
    a.connect(T0);
    let logon = frames(&a.take_wire()).remove(0);
    assert_eq!(Message::new(&logon).get(553), Some(&b"alice"[..]));
}

#[test]
fn to_admin_sees_every_admin_message_the_session_builds() {
    let (a, mut b) = logged_on_pair();
    b.timeout(T0 + 37_000 * MS); // TestRequest
    b.recv(T0 + 37_000 * MS, &peer_msg(b"0", 9, false, b"")); // a gap: ResendRequest
    b.logout(T0 + 37_000 * MS, "bye");
    let sent: Vec<Vec<u8>> = frames(&b.take_wire())
        .iter()
        .map(|f| Message::new(f).msg_type().to_vec())
        .collect();
    let shown = &b.app.admin_out[1..]; // after our Logon
    assert_eq!(shown, &sent[..], "each in the order sent");
    for t in [&b"1"[..], b"2", b"5"] {
        assert!(sent.iter().any(|s| s == t), "{sent:?}");
    }
    assert_eq!(a.app.admin_out, [b"A".to_vec()]);
}

#[test]
fn an_application_veto_of_the_peers_logon_answers_with_logout_and_disconnects() {
    let (ci, ca) = cfgs();
    let (mut a, mut b) = (Side::new(ci), Side::new(ca));
    b.app.veto = Some(b"A");
    b.connect(T0);
    a.connect(T0);
    b.recv(T0, &a.take_wire());
    let out = frames(&b.take_wire());
    let m = Message::new(&out[0]);
    assert_eq!(
        (m.msg_type(), m.get(58)),
        (&b"5"[..], Some(&b"vetoed by the application"[..]))
    );
    assert!(b.disconnected());
    assert_ne!(b.s().state(), State::Active);
}

#[test]
fn an_application_veto_of_an_admin_message_is_a_session_reject_and_the_session_does_not_act() {
    let (_, mut b) = logged_on_pair();
    b.app.veto = Some(b"1");
    b.recv(T0, &peer_msg(b"1", 2, false, b"112=PING\x01"));
    let out = frames(&b.take_wire());
    assert_eq!(out.len(), 1, "no Heartbeat answers the vetoed TestRequest");
    let m = Message::new(&out[0]);
    assert_eq!((m.msg_type(), m.get(45)), (&b"3"[..], Some(&b"2"[..])));
    assert_eq!(b.s().next_in(), 3, "the vetoed message took its seq");
}
