//! The FIX Session Layer Test Cases, driven over TCP against a Gapless
//! acceptor running the conformance application. Each test names its case
//! and runs for FIX.4.2 and FIX.4.4 (and FIXT.1.1 where it applies).

#[path = "support/peer.rs"]
mod peer;

use std::time::Duration;

use gapless::app::AppKind;
use gapless::runtime::transport::KernelTransport;
use gapless::runtime::{Engine, EngineOptions, SessionSpec};
use gapless::session::SessionConfig;
use gapless::store::MemoryStore;
use peer::Peer;

const VERSIONS: [&str; 3] = ["FIX.4.2", "FIX.4.4", "FIXT.1.1"];

struct Acceptor {
    engine: Option<Engine>,
    port: u16,
    begin: &'static str,
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            e.stop();
        }
    }
}

/// QuickFIX's dictionary for `begin`, from the PyPI quickfix package.
fn dictionary(begin: &str) -> gapless::dict::Validator {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .expect("python3 (scripts/install-deps.sh)");
    let dir = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
        .join("share/quickfix");
    let (transport, app) = match begin {
        "FIX.4.2" => ("FIX42.xml", None),
        "FIX.4.4" => ("FIX44.xml", None),
        _ => ("FIXT11.xml", Some("FIX50SP2.xml")),
    };
    let load =
        |f: &str| gapless::dict::DataDictionary::load(&dir.join(f)).expect("quickfix dictionaries");
    gapless::dict::Validator::new(load(transport), app.map(load), Default::default())
}

fn acceptor_with(begin: &'static str, tune: impl FnOnce(&mut SessionConfig)) -> Acceptor {
    acceptor_checked(begin, tune, false)
}

fn acceptor_checked(
    begin: &'static str,
    tune: impl FnOnce(&mut SessionConfig),
    dict: bool,
) -> Acceptor {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = SessionConfig::new(begin, "ISLD", "TW", false);
    cfg.reset_on_logon = true;
    if begin == "FIXT.1.1" {
        cfg.default_appl_ver_id = Some("9".into());
    }
    tune(&mut cfg);
    let engine = Engine::start(
        vec![SessionSpec {
            cfg,
            store: Box::new(MemoryStore::new()),
            app: AppKind::Conformance.build(begin),
            check: dict
                .then(|| Box::new(dictionary(begin)) as Box<dyn gapless::session::MessageCheck>),
            connect: None,
            accept_port: Some(port),
            reconnect_secs: 1,
        }],
        KernelTransport::new("127.0.0.1".parse().unwrap()),
        EngineOptions::new(1),
    )
    .unwrap();
    Acceptor {
        engine: Some(engine),
        port,
        begin,
    }
}

fn acceptor(begin: &'static str) -> Acceptor {
    acceptor_with(begin, |_| {})
}

impl Acceptor {
    fn peer(&self) -> Peer {
        Peer::connect(self.port, self.begin, "TW", "ISLD")
    }

    fn logged_on(&self) -> Peer {
        let mut p = self.peer();
        p.logon(30);
        p
    }
}

const ORDER: &str = "11=ID1|21=1|55=GPLS|54=1|60=20231114-22:13:20|40=1|38=100|";

fn order(id: u32) -> String {
    ORDER.replace("ID1", &format!("ID{id}"))
}

#[test]
fn case_1a_valid_logon_is_answered_with_logon() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.peer();
        let reply = p.logon(30);
        assert_eq!(reply.get(108).as_deref(), Some("30"));
        assert_eq!(reply.seq(), 1);
    }
}

#[test]
fn case_1c_logon_with_seq_too_high_is_accepted_then_a_resend_is_requested() {
    let a = acceptor_with("FIX.4.4", |c| c.reset_on_logon = false);
    let mut p = a.peer();
    p.send_seq("A", 5, "98=0|108=30|");
    p.expect("A");
    let rr = p.expect("2");
    assert_eq!(
        (rr.get(7).as_deref(), rr.get(16).as_deref()),
        (Some("1"), Some("0"))
    );
}

#[test]
fn case_1d_garbled_logon_is_ignored() {
    let a = acceptor("FIX.4.4");
    let mut p = a.peer();
    let mut bad = p.build("A", 1, false, "", "98=0|108=30|");
    let n = bad.len();
    bad[n - 2] = if bad[n - 2] == b'9' { b'8' } else { b'9' };
    p.send_raw(&bad);
    p.expect_silence(300);
    p.logon(30);
}

#[test]
fn case_1e_first_message_not_a_logon_disconnects() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.peer();
        p.send("D", &order(1));
        p.expect_disconnect();
    }
}

#[test]
fn case_2a_in_order_message_is_processed() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("D", &order(1));
        let echo = p.expect("D");
        assert_eq!(echo.get(11).as_deref(), Some("ID1"));
    }
}

#[test]
fn case_2b_seq_too_high_requests_resend_and_holds_the_message() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send_seq("D", 4, &order(4));
        let rr = p.expect("2");
        assert_eq!(
            (rr.get(7).as_deref(), rr.get(16).as_deref()),
            (Some("2"), Some("0"))
        );
        // Fill 2 and 3 with a GapFill: the held order 4 is released at once.
        let gf = p.build("4", 2, true, "20231114-22:13:20", "123=Y|36=4|");
        p.send_raw(&gf);
        let echo = p.expect("D");
        assert_eq!(echo.get(11).as_deref(), Some("ID4"));
    }
}

#[test]
fn case_2c_seq_too_low_without_poss_dup_logs_out_and_disconnects() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send_seq("D", 1, &order(1));
        let lo = p.expect("5");
        assert!(lo.get(58).unwrap().contains("MsgSeqNum too low"));
        p.expect_disconnect();
    }
}

#[test]
fn case_2d_garbled_message_is_ignored_without_consuming_a_seq() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let mut bad = p.build("D", 2, false, "", &order(1));
        let n = bad.len();
        bad[n - 3] = if bad[n - 3] == b'0' { b'1' } else { b'0' };
        p.send_raw(&bad);
        p.expect_silence(200);
        p.next_seq = 2;
        p.send("D", &order(2));
        assert_eq!(p.expect("D").get(11).as_deref(), Some("ID2"));
    }
}

#[test]
fn case_2e_poss_dup_already_received_is_ignored() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("D", &order(1));
        p.expect("D");
        let dup = p.build("D", 2, true, "20231114-22:13:20", &order(1));
        p.send_raw(&dup);
        p.expect_silence(300);
    }
}

#[test]
fn case_2f_orig_sending_time_after_sending_time_is_rejected_and_logged_out() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let mut later = [0u8; gapless::codec::time::MAX_LEN];
        let now = gapless::codec::time::now();
        let n = gapless::codec::time::format(
            now + 60_000_000_000,
            gapless::codec::time::Precision::Millis,
            &mut later,
        );
        let bad = p.build(
            "D",
            2,
            true,
            std::str::from_utf8(&later[..n]).unwrap(),
            &order(1),
        );
        p.send_raw(&bad);
        let rj = p.expect("3");
        assert_eq!(rj.get(45).as_deref(), Some("2"));
        assert_eq!(rj.get(373).as_deref(), Some("10"));
        p.expect("5");
    }
}

#[test]
fn case_2g_poss_dup_without_orig_sending_time_is_rejected() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let bad = p.build("D", 2, true, "", &order(1));
        p.send_raw(&bad);
        let rj = p.expect("3");
        assert_eq!(
            (rj.get(371).as_deref(), rj.get(373).as_deref()),
            (Some("122"), Some("1"))
        );
        p.next_seq = 3;
        p.send("D", &order(3));
        p.expect("D");
    }
}

#[test]
fn case_2h_wrong_begin_string_logs_out_and_disconnects() {
    let a = acceptor("FIX.4.4");
    let mut p = a.logged_on();
    let wrong = gapless::codec::encode::Encoder::new(
        "FIX.4.2",
        "TW",
        "ISLD",
        gapless::codec::time::Precision::Millis,
    );
    let mut bytes = vec![];
    wrong.encode(
        &mut bytes,
        b"D",
        2,
        gapless::codec::time::now(),
        order(1).replace('|', "\x01").as_bytes(),
    );
    p.send_raw(&bytes);
    p.expect("5");
    p.expect_disconnect();
}

#[test]
fn case_2i_wrong_comp_id_is_rejected_then_logged_out() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let wrong = gapless::codec::encode::Encoder::new(
            v,
            "XX",
            "ISLD",
            gapless::codec::time::Precision::Millis,
        );
        let mut bytes = vec![];
        wrong.encode(
            &mut bytes,
            b"D",
            2,
            gapless::codec::time::now(),
            order(1).replace('|', "\x01").as_bytes(),
        );
        p.send_raw(&bytes);
        assert_eq!(p.expect("3").get(373).as_deref(), Some("9"));
        p.expect("5");
    }
}

#[test]
fn case_2j_wrong_body_length_is_garbled_and_ignored() {
    let a = acceptor("FIX.4.4");
    let mut p = a.logged_on();
    let good = p.build("D", 2, false, "", &order(1));
    let text = String::from_utf8(good.clone()).unwrap();
    let len: usize = text.split('\x01').nth(1).unwrap()[2..].parse().unwrap();
    let bad = text.replacen(&format!("9={len}"), &format!("9={}", len + 3), 1);
    p.send_raw(bad.as_bytes());
    p.send_raw(&good);
    // The bad frame fails where its trailer should be (inside its own
    // CheckSum field); the hunt finds the good frame right after it.
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID1"));
    p.expect_silence(200);
}

#[test]
fn case_2k_sending_time_out_of_range_is_rejected_then_logged_out() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let body = order(1).replace('|', "\x01");
        let m = gapless::codec::encode::Outgoing {
            msg_type: b"D",
            seq: 2,
            poss_dup: false,
            orig_sending_time: b"",
            body: body.as_bytes(),
        };
        let mut bytes = vec![];
        p.enc.encode_with(
            &mut bytes,
            &m,
            gapless::codec::time::now() - 600_000_000_000,
        );
        p.send_raw(&bytes);
        assert_eq!(p.expect("3").get(373).as_deref(), Some("10"));
        p.expect("5");
    }
}

#[test]
fn case_2m_unsupported_message_type_gets_business_message_reject() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("8", "37=1|17=1|150=0|39=0|55=X|54=1|151=0|14=0|6=0|");
        let r = p.expect("j");
        assert_eq!(
            (r.get(45).as_deref(), r.get(380).as_deref()),
            (Some("2"), Some("3"))
        );
    }
}

#[test]
fn case_4a_test_request_is_answered_with_its_test_req_id() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("1", "112=HELLO|");
        assert_eq!(p.expect("0").get(112).as_deref(), Some("HELLO"));
    }
}

#[test]
fn case_3a_4b_silence_gets_heartbeat_then_test_request_then_disconnect() {
    let a = acceptor("FIX.4.4");
    let mut p = a.peer();
    p.logon(1);
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    let mut seen = vec![];
    while let Some(m) = p.recv(deadline.saturating_duration_since(std::time::Instant::now())) {
        seen.push(m.msg_type());
    }
    assert!(seen.contains(&"0".to_string()), "{seen:?}");
    assert!(seen.contains(&"1".to_string()), "{seen:?}");
    // QuickFIX disconnects on the unanswered TestRequest without a Logout.
    assert_eq!(seen.last().map(String::as_str), Some("1"));
}

#[test]
fn case_6_resend_request_resends_application_messages_and_gap_fills_admin() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        for id in 1..=3 {
            p.send("D", &order(id));
            p.expect("D");
        }
        p.send("2", "7=1|16=0|");
        let gf = p.expect("4");
        assert_eq!(
            (gf.seq(), gf.get(123).as_deref(), gf.get(36).as_deref()),
            (1, Some("Y"), Some("2"))
        );
        for id in 1..=3 {
            let r = p.expect("D");
            assert_eq!(
                (r.get(43).as_deref(), r.get(11)),
                (Some("Y"), Some(format!("ID{id}")))
            );
            assert!(r.get(122).is_some());
        }
    }
}

#[test]
fn case_7_gap_fill_moves_expected_seq() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        let gf = p.build("4", 2, true, "20231114-22:13:20", "123=Y|36=10|");
        p.send_raw(&gf);
        p.next_seq = 10;
        p.send("D", &order(10));
        assert_eq!(p.expect("D").get(11).as_deref(), Some("ID10"));
    }
}

#[test]
fn case_8_sequence_reset_sets_expected_and_refuses_to_go_back() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send_seq("4", 2, "36=20|");
        p.next_seq = 20;
        p.send("D", &order(20));
        p.expect("D");
        p.send_seq("4", 21, "36=5|");
        assert_eq!(p.expect("3").get(373).as_deref(), Some("5"));
    }
}

#[test]
fn case_11_logout_is_answered_and_disconnects() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("5", "");
        p.expect("5");
        p.expect_disconnect();
    }
}

#[test]
fn case_19_poss_resend_of_a_seen_order_is_dropped() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("D", &order(1));
        p.expect("D");
        p.send("D", &format!("97=Y|{}", order(1)));
        p.expect_silence(300);
        p.send("D", &format!("97=Y|{}", order(2)));
        p.expect("D");
    }
}

#[test]
fn case_20_simultaneous_resend_requests_are_both_served() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("D", &order(1));
        p.expect("D");
        // Our ResendRequest arrives with a seq gap: the engine serves it and
        // asks for its own gap.
        p.send_seq("2", 5, "7=1|16=0|");
        let mut types = vec![];
        while let Some(m) = p.recv(Duration::from_millis(500)) {
            types.push(m.msg_type());
        }
        assert!(types.contains(&"2".to_string()), "{types:?}");
        assert!(types.contains(&"D".to_string()), "{types:?}");
    }
}

#[test]
fn case_14_field_level_problems_get_the_quickfix_reject_reason() {
    let cases: [(&str, String, &str, &str); 9] = [
        (
            "14a invalid tag number",
            format!("{}9999=x|", order(1)),
            "0",
            "9999",
        ),
        (
            "14b required tag missing",
            order(1).replace("54=1|", ""),
            "1",
            "54",
        ),
        (
            "14c tag not defined for message",
            format!("{}150=0|", order(1)),
            "2",
            "150",
        ),
        (
            "14d tag without value",
            order(1).replace("38=100", "38="),
            "4",
            "38",
        ),
        (
            "14e value out of range",
            order(1).replace("54=1", "54=X"),
            "5",
            "54",
        ),
        (
            "14f incorrect data format",
            order(1).replace("38=100", "38=abc"),
            "6",
            "38",
        ),
        (
            "14g header field in the body",
            format!("{}115=ONB|", order(1)),
            "14",
            "115",
        ),
        (
            "14h repeated tag",
            format!("{}58=a|58=b|", order(1)),
            "13",
            "58",
        ),
        (
            "14i wrong NumInGroup",
            format!("{}453=2|448=P1|447=D|452=1|", order(1)),
            "16",
            "453",
        ),
    ];
    for v in ["FIX.4.2", "FIX.4.4"] {
        let a = acceptor_checked(v, |_| {}, true);
        let mut p = a.logged_on();
        for (case, body, reason, tag) in &cases {
            if v == "FIX.4.2" && *reason == "16" {
                continue; // NoPartyIDs does not exist in FIX.4.2.
            }
            let seq = p.send("D", body);
            let r = p.expect("3");
            let got = (r.get(45), r.get(373), r.get(371));
            // FIX.4.2 has SessionRejectReason codes up to 11 only.
            let fix42_code = v != "FIX.4.2" || reason.parse::<u32>().unwrap() <= 11;
            let want = (
                Some(seq.to_string()),
                fix42_code.then(|| reason.to_string()),
                Some(tag.to_string()),
            );
            assert_eq!(got, want, "{v} {case}");
        }
        // The rejected messages took their seqs: the next order is echoed.
        p.send("D", &order(2));
        assert_eq!(p.expect("D").get(11).as_deref(), Some("ID2"));
    }
}

#[test]
fn case_1b_second_connection_with_a_logged_on_identity_is_refused() {
    let a = acceptor("FIX.4.4");
    let mut first = a.logged_on();
    let mut second = a.peer();
    second.send("A", "98=0|108=30|");
    second.expect_disconnect();
    first.send("D", &order(1));
    first.expect("D");
}

#[test]
fn case_2l_invalid_msg_type_is_rejected_with_reason_11() {
    for v in ["FIX.4.2", "FIX.4.4"] {
        let a = acceptor_checked(v, |_| {}, true);
        let mut p = a.logged_on();
        let seq = p.send("ZZ", "58=x|");
        let r = p.expect("3");
        assert_eq!(
            (r.get(45), r.get(373)),
            (Some(seq.to_string()), Some("11".to_string())),
            "{v}"
        );
    }
}

#[test]
fn case_5_a_received_reject_takes_its_seq_and_gets_no_reply() {
    for v in VERSIONS {
        let a = acceptor(v);
        let mut p = a.logged_on();
        p.send("3", "45=1|58=test|");
        p.expect_silence(300);
        p.send("D", &order(1));
        p.expect("D");
    }
}

#[test]
fn case_10_logout_reply_is_awaited_then_disconnected_on_timeout() {
    let a = acceptor_with("FIX.4.4", |c| c.logout_timeout_secs = 1);
    let mut p = a.logged_on();
    // A message with a bad CompID makes the engine start the logout.
    let wrong = gapless::codec::encode::Encoder::new(
        "FIX.4.4",
        "XX",
        "ISLD",
        gapless::codec::time::Precision::Millis,
    );
    let mut bytes = vec![];
    wrong.encode(&mut bytes, b"0", 2, gapless::codec::time::now(), b"");
    p.send_raw(&bytes);
    p.expect("3");
    p.expect("5");
    // We never answer: the engine gives up after LogoutTimeout.
    let t0 = std::time::Instant::now();
    p.expect_disconnect();
    assert!(t0.elapsed() >= Duration::from_millis(500));
}

#[test]
fn case_21_next_expected_msg_seq_num_on_logon_triggers_a_resend() {
    let a = acceptor_with("FIX.4.4", |c| {
        c.enable_next_expected = true;
        c.reset_on_logon = false;
    });
    let mut p = a.logged_on();
    for i in 1..=3 {
        p.send("D", &order(i));
        p.expect("D");
    }
    // Reconnect claiming we only got the engine's seq 1 (its Logon).
    p.send("5", "");
    p.expect("5");
    p.expect_disconnect();
    let next = p.next_seq;
    let mut p = a.peer();
    p.next_seq = next;
    p.send("A", "98=0|108=30|789=2|");
    p.expect("A");
    let mut resent = vec![];
    while let Some(m) = p.recv(Duration::from_millis(500)) {
        resent.push((m.msg_type(), m.get(43)));
    }
    let dups = resent
        .iter()
        .filter(|(t, pd)| t == "D" && pd.as_deref() == Some("Y"))
        .count();
    assert_eq!(dups, 3, "{resent:?}");
}

// Cases named after QuickFIX's acceptance-test definitions.

#[test]
fn case_1c_logon_with_an_unknown_target_comp_id_is_disconnected_silently() {
    let a = acceptor("FIX.4.4");
    let mut p = Peer::connect(a.port, "FIX.4.4", "TW", "NOT_ISLD");
    p.send("A", "98=0|108=30|");
    assert!(p.recv(Duration::from_millis(300)).is_none());
    p.expect_disconnect();
}

#[test]
fn case_1d_logon_with_a_bad_sending_time_is_refused() {
    let a = acceptor("FIX.4.4");
    let mut p = a.peer();
    let m = gapless::codec::encode::Outgoing {
        msg_type: b"A",
        seq: 1,
        poss_dup: false,
        orig_sending_time: b"",
        body: b"98=0\x01108=30\x01",
    };
    let mut bytes = vec![];
    p.enc.encode_with(
        &mut bytes,
        &m,
        gapless::codec::time::now() - 600_000_000_000,
    );
    p.send_raw(&bytes);
    let mut types = vec![];
    while let Some(m) = p.recv(Duration::from_millis(500)) {
        types.push(m.msg_type());
    }
    // As QuickFIX: a Reject needs a session, so nothing is sent at all.
    assert!(types.is_empty(), "{types:?}");
}

#[test]
fn case_2t_first_three_fields_out_of_order_is_garbled_and_ignored() {
    let a = acceptor("FIX.4.4");
    let mut p = a.logged_on();
    let good = String::from_utf8(p.build("D", 2, false, "", &order(1))).unwrap();
    // Swap BodyLength and MsgType: 8, 35, 9, … (the checksum is kept valid).
    let fields: Vec<&str> = good.split('\x01').collect();
    let mut swapped = format!("{}\x01{}\x01{}\x01", fields[0], fields[2], fields[1]);
    for f in &fields[3..fields.len() - 2] {
        swapped.push_str(f);
        swapped.push('\x01');
    }
    let sum: u32 = swapped.bytes().map(u32::from).sum::<u32>() % 256;
    swapped.push_str(&format!("10={sum:03}\x01"));
    p.send_raw(swapped.as_bytes());
    p.expect_silence(300);
    p.next_seq = 2;
    p.send("D", &order(2));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID2"));
}

#[test]
fn case_10_gap_fill_with_seq_too_high_requests_resend_and_too_low_logs_out() {
    let a = acceptor("FIX.4.4");
    let mut p = a.logged_on();
    let gf = p.build("4", 5, true, "20231114-22:13:20", "123=Y|36=8|");
    p.send_raw(&gf);
    let rr = p.expect("2");
    assert_eq!(rr.get(7).as_deref(), Some("2"));
    let gf = p.build("4", 2, true, "20231114-22:13:20", "123=Y|36=5|");
    p.send_raw(&gf);
    // The held GapFill at 5 is released: expected is now 8.
    p.send_seq("D", 8, &order(8));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID8"));
    let low = p.build("4", 3, false, "", "123=Y|36=9|");
    p.send_raw(&low);
    p.expect("5");
    p.expect_disconnect();
}

#[test]
fn case_11b_sequence_reset_to_the_expected_seq_is_accepted() {
    let a = acceptor("FIX.4.4");
    let mut p = a.logged_on();
    p.send_seq("4", 2, "36=2|");
    p.expect_silence(200);
    p.next_seq = 2;
    p.send("D", &order(2));
    p.expect("D");
}

#[test]
fn case_14j_repeating_group_members_out_of_order_are_rejected() {
    let a = acceptor_checked("FIX.4.4", |_| {}, true);
    let mut p = a.logged_on();
    let seq = p.send("D", &format!("{}453=1|447=D|448=P1|452=1|", order(1)));
    let r = p.expect("3");
    assert_eq!(
        (r.get(45), r.get(373)),
        (Some(seq.to_string()), Some("15".to_string()))
    );
}

#[test]
fn case_21_repeating_group_count_of_zero_is_accepted() {
    let a = acceptor_checked("FIX.4.4", |_| {}, true);
    let mut p = a.logged_on();
    p.send("D", &format!("{}453=0|", order(1)));
    assert_eq!(p.expect("D").get(11).as_deref(), Some("ID1"));
}
