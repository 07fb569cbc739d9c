//! Session behaviour, driven sans-IO: two engines wired back to back, or
//! one engine and hand-made peer messages.

use super::*;
use crate::codec::encode::{Body, Encoder, Outgoing};
use crate::receive::Receiver;
use crate::recovery::Recovery;
use crate::store::MemoryStore;
use crate::validator::SoftwareValidator;

const T0: Nanos = 1_700_000_000_000_000_000;
const MS: Nanos = 1_000_000;

/// Records application messages by ClOrdID(11) and echoes nothing.
#[derive(Default)]
struct Recorder {
    got: Vec<u32>,
}

impl Application for Recorder {
    fn on_message(&mut self, msg: &Message, _tx: &mut Sender) -> Result<(), AppReject> {
        let id = msg
            .get(11)
            .and_then(crate::validator::software::parse_seq)
            .unwrap_or(0);
        self.got.push(id);
        Ok(())
    }
}

/// One engine: session, validator, receive buffer, app and inline recovery.
struct Side {
    s: Session,
    v: SoftwareValidator,
    rx: Receiver,
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
        let s = Session::new(cfg, 0, store).unwrap();
        let rec = Recovery::new(reader, s.encoder().clone());
        Side {
            s,
            v: SoftwareValidator::new(1, 65536),
            rx: Receiver::new(65536),
            app: Recorder::default(),
            rec,
            events: vec![],
        }
    }

    fn ctx_do(&mut self, now: Nanos, f: impl FnOnce(&mut Session, &mut Ctx)) {
        let mut ctx = Ctx {
            now,
            validator: &mut self.v,
            app: &mut self.app,
        };
        f(&mut self.s, &mut ctx);
        self.after(now);
    }

    fn connect(&mut self, now: Nanos) {
        self.rx.reset();
        self.ctx_do(now, |s, ctx| s.on_connect(ctx));
    }

    fn recv(&mut self, now: Nanos, bytes: &[u8]) {
        self.rx.extend(bytes);
        self.rx
            .process(now, &mut self.s, &mut self.v, &mut self.app);
        self.after(now);
    }

    fn after(&mut self, now: Nanos) {
        let evs: Vec<Event> = self.s.drain_events().collect();
        for ev in &evs {
            self.rec.on_event(ev);
        }
        self.events.extend(evs);
        let (rec, s) = (&mut self.rec, &mut self.s);
        while rec.busy() {
            rec.poll(now, 1000, &mut |bytes| s.send_raw(now, bytes))
                .unwrap();
        }
    }

    fn take_wire(&mut self) -> Vec<u8> {
        let w = self.s.wire().to_vec();
        self.s.consume_wire(w.len());
        w
    }

    fn send_orders(&mut self, now: Nanos, ids: std::ops::RangeInclusive<u32>) {
        for id in ids {
            let mut body = Vec::new();
            Body::new(&mut body).uint(11, u64::from(id)).char(54, b'1');
            let mut ctx = Ctx {
                now,
                validator: &mut self.v,
                app: &mut self.app,
            };
            self.s.send_app(&mut ctx, b"D", &body).unwrap();
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
    assert_eq!((a.s.state(), b.s.state()), (State::Active, State::Active));
    assert_eq!((a.s.next_out(), b.s.next_in()), (2, 2));
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
    assert!(b.s.recovering());
    assert_eq!(b.app.got, [1, 2]);
    pump(&mut a, &mut b, T0);
    assert_eq!(b.app.got, (1..=10).collect::<Vec<_>>());
    assert!(!b.s.recovering());
    assert!(b.events.contains(&Event::GapFilled { next_in: 12 }));
    assert_eq!(
        b.s.stats().gaps,
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
    b.rx.extend(&peer_msg(b"D", 5, false, &order(5)));
    b.rx.process(T0, &mut b.s, &mut b.v, &mut b.app);
    // Not through `after`: no event reached recovery, yet it is queued.
    let out = frames(b.s.wire());
    assert_eq!(out.len(), 1);
    assert_eq!(Message::new(&out[0]).msg_type(), b"2");
    assert!(!b.rec.busy());
}

#[test]
fn admin_messages_are_gap_filled_and_app_messages_resent_with_poss_dup() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=2);
    a.ctx_do(T0 + 31_000 * MS, |s, ctx| s.on_timer(ctx)); // a heartbeat, seq 4
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
    assert_eq!(b.s.stats().duplicates, 1);
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
    assert_eq!(b.s.next_in(), 6);
    assert!(!b.s.recovering());
}

#[test]
fn sequence_reset_is_honoured_without_seq_check() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"4", 999, false, b"36=20\x01"));
    assert_eq!(b.s.next_in(), 20);
    b.recv(T0, &peer_msg(b"D", 20, false, &order(20)));
    assert_eq!(b.app.got, [20]);
}

#[test]
fn sequence_reset_backwards_is_rejected() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"4", 2, false, b"36=1\x01"));
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(373), Some(&b"5"[..]));
    assert_eq!(b.s.next_in(), 2);
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
        b.s.stats().garbled,
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
    assert_eq!(b.s.state(), State::LoggingOut);
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
    b.ctx_do(T0 + 37_000 * MS, |s, ctx| s.on_timer(ctx));
    let out = frames(&b.take_wire());
    assert!(out.iter().any(|f| Message::new(f).msg_type() == b"1"));
    b.ctx_do(T0 + 73_000 * MS, |s, ctx| s.on_timer(ctx));
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
    assert!(b.s.hold.len() <= 100);
    assert_eq!(b.s.stats().hold_dropped, 100_000 - 100);
    assert_eq!(
        b.s.stats().gaps,
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
    b.rx.extend(&peer_msg(b"D", 2, false, &order(1)));
    b.rx.process(T0, &mut b.s, &mut b.v, &mut Refuse);
    let out = frames(&b.take_wire());
    let bmr = Message::new(&out[0]);
    assert_eq!((bmr.msg_type(), bmr.get(380)), (&b"j"[..], Some(&b"3"[..])));
}

#[test]
fn logout_handshake_disconnects_both_sides() {
    let (mut a, mut b) = logged_on_pair();
    a.ctx_do(T0, |s, ctx| s.logout(ctx, "bye"));
    pump(&mut a, &mut b, T0);
    assert!(a.disconnected() && b.disconnected());
}

#[test]
fn reconnect_resumes_persisted_sequence_numbers_and_recovers_the_gap() {
    let (mut a, mut b) = logged_on_pair();
    a.send_orders(T0, 1..=5);
    pump(&mut a, &mut b, T0);
    a.send_orders(T0, 6..=8);
    let _lost_in_disconnect = a.take_wire();
    for side in [&mut a, &mut b] {
        side.ctx_do(T0, |s, ctx| s.on_disconnect(ctx));
    }
    b.connect(T0 + 1000 * MS);
    a.connect(T0 + 1000 * MS);
    pump(&mut a, &mut b, T0 + 1000 * MS);
    assert_eq!(b.app.got, (1..=8).collect::<Vec<_>>());
    assert_eq!(b.s.state(), State::Active);
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
        side.ctx_do(T0, |s, ctx| s.on_disconnect(ctx));
    }
    b.connect(T0);
    a.connect(T0);
    pump(&mut a, &mut b, T0);
    assert_eq!((a.s.next_out(), b.s.next_in()), (2, 2));
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
    assert_eq!(b.s.stats().gaps, 3);
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
    a.s.state = State::Active;
    a.ctx_do(T0 + 31_000 * MS, |s, ctx| s.on_timer(ctx));
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
    b.ctx_do(T0, |s, ctx| s.logout(ctx, "bye"));
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
            s.ctx_do(now, |s, ctx| s.on_disconnect(ctx));
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
                    Step::SendA(n) if a.s.state() == State::Active => {
                        a.send_orders(now, sent_a + 1..=sent_a + u32::from(*n));
                        sent_a += u32::from(*n);
                    }
                    Step::SendB(n) if b.s.state() == State::Active => {
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
                    s.ctx_do(now, |s, ctx| s.on_timer(ctx));
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
    assert_eq!(b.s.config().default_appl_ver_id.as_deref(), Some("7"));
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
    assert_eq!(a.s.state(), State::Active);
    a.ctx_do(T0, |s, ctx| s.on_disconnect(ctx));
    a.connect(T0);
    assert!(
        !logon_has_reset(&a.take_wire()),
        "only the first Logon resets"
    );
}

mod data;
mod quickfix;
mod schedule;
