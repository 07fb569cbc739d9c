//! Behaviours QuickFIX's acceptance scripts check, one test each, with
//! the peer CLIENT logged on to the acceptor ISLD (`logged_on_pair`).

use super::*;

fn kinds(wire: &[u8]) -> Vec<Vec<u8>> {
    frames(wire)
        .iter()
        .map(|f| Message::new(f).msg_type().to_vec())
        .collect()
}

/// A message of `begin` from `sender` to `target`, sent now.
fn msg_as(begin: &str, sender: &str, target: &str, t: &[u8], seq: u32, body: &[u8]) -> Vec<u8> {
    let enc = Encoder::new(begin, sender, target, crate::codec::time::Precision::Millis);
    let mut m = vec![];
    enc.encode(&mut m, t, seq, T0, body);
    m
}

fn acceptor() -> Side {
    let (_, ca) = cfgs();
    let mut b = Side::new(ca);
    b.connect(T0);
    b
}

#[test]
fn logon_reply_has_no_reset_flag_when_only_reset_on_logon_is_set() {
    let (_, mut ca) = cfgs();
    ca.reset_on_logon = true;
    let mut b = Side::new(ca);
    b.connect(T0);
    b.recv(T0, &peer_msg(b"A", 1, false, b"98=0\x01108=30\x01"));
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).msg_type(), b"A");
    assert_eq!(Message::new(&out[0]).get(141), None);
}

#[test]
fn logon_reply_echoes_the_peers_reset_flag() {
    let mut b = acceptor();
    b.recv(
        T0,
        &peer_msg(b"A", 1, false, b"98=0\x01108=30\x01141=Y\x01"),
    );
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(141), Some(&b"Y"[..]));
}

#[test]
fn too_high_logon_causes_exactly_one_resend_request() {
    let mut b = acceptor();
    b.recv(T0, &peer_msg(b"A", 5, false, b"98=0\x01108=30\x01"));
    for seq in 1..=4 {
        b.recv(T0, &peer_msg(b"0", seq, true, b""));
    }
    b.recv(T0, &peer_msg(b"0", 6, false, b""));
    let rrs = kinds(&b.take_wire()).iter().filter(|k| k == &b"2").count();
    assert_eq!(
        rrs, 1,
        "the queued Logon is skipped when the resends reach it"
    );
    assert_eq!(b.s().next_in(), 7);
    assert!(!b.s().recovering());
}

#[test]
fn logon_with_bad_sending_time_is_disconnected_unanswered() {
    let mut b = acceptor();
    b.recv(
        T0 + 200_000 * MS,
        &peer_msg(b"A", 1, false, b"98=0\x01108=30\x01"),
    );
    assert!(b.take_wire().is_empty());
    assert!(b.disconnected());
}

#[test]
fn fixt_logon_without_default_appl_ver_id_is_disconnected() {
    let mut b = Side::new(SessionConfig::new("FIXT.1.1", "ISLD", "CLIENT", false));
    b.connect(T0);
    b.recv(
        T0,
        &msg_as("FIXT.1.1", "CLIENT", "ISLD", b"A", 1, b"98=0\x01108=30\x01"),
    );
    assert!(b.take_wire().is_empty());
    assert!(b.disconnected());
}

#[test]
fn session_reset_logon_mid_session_is_answered_with_a_reset_logon() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"1", 2, false, b"112=X\x01"));
    b.take_wire();
    b.recv(
        T0,
        &peer_msg(b"A", 1, false, b"98=0\x01108=30\x01141=Y\x01"),
    );
    let out = frames(&b.take_wire());
    let reply = Message::new(&out[0]);
    assert_eq!(
        (reply.msg_type(), reply.get(34)),
        (&b"A"[..], Some(&b"1"[..]))
    );
    assert_eq!(reply.get(141), Some(&b"Y"[..]));
    assert_eq!((b.s().next_in(), b.s().next_out()), (2, 2));
    assert_eq!(b.s().state(), State::Active);
}

#[test]
fn logout_is_answered_whatever_its_seq() {
    for seq in [1, 9] {
        let (_, mut b) = logged_on_pair();
        b.recv(T0, &peer_msg(b"5", seq, false, b""));
        assert_eq!(kinds(&b.take_wire()), [b"5".to_vec()], "seq {seq}");
        assert!(b.disconnected());
    }
}

#[test]
fn resend_request_with_seq_too_low_is_served_not_logged_out() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &peer_msg(b"1", 2, false, b"112=A\x01"));
    b.take_wire();
    b.recv(T0, &peer_msg(b"2", 2, false, b"7=1\x0116=0\x01"));
    let out = frames(&b.take_wire());
    let fill = Message::new(&out[0]);
    assert_eq!(
        (fill.msg_type(), fill.get(123)),
        (&b"4"[..], Some(&b"Y"[..]))
    );
    assert!(!b.disconnected());
    assert_eq!(b.s().next_in(), 3);
}

#[test]
fn after_a_bad_checksum_the_next_message_and_the_logout_are_taken() {
    let (_, mut b) = logged_on_pair();
    let mut bad = peer_msg(b"0", 2, false, b"");
    let n = bad.len();
    bad[n - 2] = if bad[n - 2] == b'9' { b'8' } else { b'9' };
    b.recv(T0, &bad);
    b.recv(T0, &peer_msg(b"0", 2, false, b""));
    b.recv(T0, &peer_msg(b"5", 3, false, b""));
    assert_eq!(kinds(&b.take_wire()), [b"5".to_vec()]);
}

#[test]
fn message_with_a_tag_that_is_not_a_number_is_ignored() {
    let (_, mut b) = logged_on_pair();
    let mut garbled = peer_msg(b"0", 2, false, b"");
    let at = garbled.windows(4).position(|w| w == b"\x0149=").unwrap() + 2;
    garbled.splice(at..at, b"garbled".iter().copied());
    let frame = {
        // Re-frame with the right BodyLength and CheckSum.
        let body_start = garbled.windows(4).position(|w| w == b"\x0135=").unwrap() + 1;
        let body = &garbled[body_start..garbled.len() - 7];
        let mut f = format!("8=FIX.4.4\x019={}\x01", body.len()).into_bytes();
        f.extend_from_slice(body);
        let sum = crate::validator::software::checksum(&f);
        f.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        f
    };
    b.recv(T0, &frame);
    assert!(b.take_wire().is_empty(), "no Reject, no Logout");
    assert_eq!(b.s().next_in(), 2);
    b.recv(T0, &peer_msg(b"1", 2, false, b"112=OK\x01"));
    assert_eq!(kinds(&b.take_wire()), [b"0".to_vec()]);
}

#[test]
fn comp_id_problem_reject_names_no_ref_tag_unless_asked() {
    for always in [false, true] {
        let (_, mut ca) = cfgs();
        ca.ref_tag_id_always = always;
        let mut b = Side::new(ca);
        b.connect(T0);
        b.recv(T0, &peer_msg(b"A", 1, false, b"98=0\x01108=30\x01"));
        b.take_wire();
        b.recv(T0, &msg_as("FIX.4.4", "WT", "ISLD", b"0", 2, b""));
        let out = frames(&b.take_wire());
        let r = Message::new(&out[0]);
        assert_eq!(r.get(373), Some(&b"9"[..]));
        assert_eq!(r.get(371).is_some(), always);
    }
}

#[test]
fn missing_target_comp_id_is_rejected_as_required_tag_missing() {
    let (_, mut b) = logged_on_pair();
    b.recv(T0, &msg_as("FIX.4.4", "CLIENT", "", b"0", 2, b""));
    let out = frames(&b.take_wire());
    let r = Message::new(&out[0]);
    assert_eq!(
        (r.get(373), r.get(371)),
        (Some(&b"1"[..]), Some(&b"56"[..]))
    );
    assert_eq!(b.s().next_in(), 3);
}

#[test]
fn reject_reverses_on_behalf_of_into_deliver_to() {
    let (_, mut b) = logged_on_pair();
    b.recv(
        T0,
        &peer_msg(b"4", 2, false, b"115=JCD\x01116=CS\x0136=1\x01"),
    );
    let out = frames(&b.take_wire());
    let r = Message::new(&out[0]);
    assert_eq!(r.msg_type(), b"3");
    assert_eq!(
        (r.get(128), r.get(129), r.get(115)),
        (Some(&b"JCD"[..]), Some(&b"CS"[..]), None)
    );
    assert_eq!(r.get(371), None, "NewSeqNo too low: QuickFIX names no tag");
}

#[test]
fn unanswered_test_request_disconnects_without_heartbeat_or_logout() {
    let (_, mut b) = logged_on_pair();
    b.timeout(T0 + 36_000 * MS);
    assert_eq!(kinds(&b.take_wire()), [b"1".to_vec()]);
    b.timeout(T0 + 67_000 * MS);
    assert!(
        b.take_wire().is_empty(),
        "no Heartbeat while the TestRequest is open"
    );
    b.timeout(T0 + 72_000 * MS);
    assert!(b.take_wire().is_empty(), "no Logout");
    assert!(b.disconnected());
}

#[test]
fn fix42_reject_omits_373_for_reasons_above_11() {
    let mut cfg = SessionConfig::new("FIX.4.2", "ISLD", "CLIENT", false);
    cfg.check_latency = false;
    let mut b = Side::new(cfg);
    b.connect(T0);
    b.c.session_mut().state = State::Active;
    let mut ctx = Ctx {
        now: T0,
        app: &mut b.app,
    };
    let s = b.c.session_mut();
    s.send_reject(
        &mut ctx,
        2,
        b"D",
        13,
        Some(40),
        "Tag appears more than once",
    );
    s.send_reject(&mut ctx, 3, b"D", 5, Some(40), "Value is incorrect");
    let out = frames(&b.take_wire());
    assert_eq!(Message::new(&out[0]).get(373), None);
    assert_eq!(Message::new(&out[0]).get(371), Some(&b"40"[..]));
    assert_eq!(Message::new(&out[1]).get(373), Some(&b"5"[..]));
}

#[test]
fn fix41_resend_request_asks_up_to_999999_and_honours_it() {
    let mut b = Side::new(SessionConfig::new("FIX.4.1", "ISLD", "CLIENT", false));
    b.connect(T0);
    let msg = |t: &[u8], seq, body: &[u8]| msg_as("FIX.4.1", "CLIENT", "ISLD", t, seq, body);
    b.recv(T0, &msg(b"A", 1, b"98=0\x01108=30\x01"));
    b.recv(T0, &msg(b"0", 5, b""));
    let out = frames(&b.take_wire());
    let rr = Message::new(&out[1]);
    assert_eq!(
        (rr.msg_type(), rr.get(16)),
        (&b"2"[..], Some(&b"999999"[..]))
    );
    b.recv(T0, &msg(b"4", 2, b"123=Y\x0136=5\x01"));
    b.recv(T0, &msg(b"2", 6, b"7=1\x0116=999999\x01"));
    let fills = frames(&b.take_wire());
    let last = Message::new(fills.last().unwrap());
    assert_eq!(last.msg_type(), b"4");
    assert_eq!(
        last.get(36),
        Some(&b"3"[..]),
        "gap-filled up to our next seq"
    );
}
