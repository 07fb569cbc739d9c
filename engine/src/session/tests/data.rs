//! Data fields (RawData(96) and the other LENGTH/DATA pairs) through the
//! session: delivered, echoed and resent byte for byte; malformed lengths
//! rejected without misreading what follows.

use super::*;
use crate::app::{Conformance, Echo};

/// A RawData(96) value: SOH, a fake MsgSeqNum(34), a fake CheckSum(10)
/// and a stray `=`.
const RAW: &[u8] = b"\x0134=1\x0110=000\x01a=b\x01";

/// An XmlData(213) value (a header field) with SOH and a fake MsgSeqNum.
const XML: &[u8] = b"<x>\x0134=77\x01</x>";

/// An Email(C) body in tag order (as the conformance app writes it back):
/// LinesOfText, EmailType, RawData, Subject, EmailThreadID, and
/// EncodedSubject holding SOH.
fn email_body(raw: &[u8]) -> Vec<u8> {
    let mut body = b"33=1\x0158=line\x0194=0\x01".to_vec();
    Body::new(&mut body)
        .data(95, 96, raw)
        .str(147, b"Hi")
        .str(164, b"T1")
        .data(356, 357, b"\xe9t\xe9\x01");
    body
}

/// An Email whose RawDataLength(95) is `len` (`None`: left out).
fn email_with_raw_length(len: Option<&[u8]>) -> Vec<u8> {
    let mut body = b"33=1\x0158=line\x0194=0\x01".to_vec();
    if let Some(len) = len {
        Body::new(&mut body).str(95, len);
    }
    Body::new(&mut body).str(96, RAW).str(164, b"T1");
    body
}

/// Records every delivered message whole.
#[derive(Default)]
struct Keep {
    got: Vec<Vec<u8>>,
}

impl Application for Keep {
    fn on_message(&mut self, msg: &Message, _tx: &mut Sender) -> Result<(), AppReject> {
        self.got.push(msg.bytes().to_vec());
        Ok(())
    }
}

/// The acceptor ISLD, with application `app`, logged on by CLIENT.
struct Acceptor<A> {
    side: Side,
    app: A,
}

impl<A: Application> Acceptor<A> {
    fn connected(app: A) -> Self {
        let (_, ca) = cfgs();
        let mut me = Acceptor {
            side: Side::new(ca),
            app,
        };
        me.side.connect(T0);
        me
    }

    fn logged_on(app: A) -> Self {
        let mut me = Self::connected(app);
        me.recv(&peer_msg(b"A", 1, false, b"98=0\x01108=30\x01"));
        assert_eq!(me.side.s().state(), State::Active);
        me.take_wire();
        me
    }

    fn recv(&mut self, bytes: &[u8]) {
        self.side.read_with(T0, bytes, &mut self.app);
        self.side.after(T0);
    }

    fn take_wire(&mut self) -> Vec<Vec<u8>> {
        frames(&self.side.take_wire())
    }
}

#[test]
fn raw_data_with_soh_and_fake_tags_is_delivered_intact() {
    let mut b = Acceptor::logged_on(Keep::default());
    let sent = peer_msg(b"C", 2, false, &email_body(RAW));
    b.recv(&sent);
    assert_eq!(b.app.got, std::slice::from_ref(&sent));
    let m = Message::new(&b.app.got[0]);
    assert_eq!(m.get(96), Some(RAW));
    assert_eq!(m.get_uint(34), Some(2));
    assert_eq!(m.get(164), Some(&b"T1"[..]));
    assert_eq!(m.get(357), Some(&b"\xe9t\xe9\x01"[..]));
    assert_eq!(b.side.s().next_in(), 3);
    assert!(b.take_wire().is_empty(), "no Reject, no ResendRequest");
}

#[test]
fn echo_app_sends_raw_data_back_byte_for_byte() {
    let mut b = Acceptor::logged_on(Echo);
    let body = email_body(RAW);
    b.recv(&peer_msg(b"C", 2, false, &body));
    let out = b.take_wire();
    assert_eq!(out.len(), 1);
    assert_eq!(Message::new(&out[0]).body(), &body[..]);
}

#[test]
fn conformance_app_echoes_raw_and_xml_data_byte_for_byte() {
    let mut b = Acceptor::logged_on(Conformance::new("FIX.4.4"));
    let mut body = Vec::new();
    Body::new(&mut body)
        .data(212, 213, XML)
        .raw(&email_body(RAW));
    b.recv(&peer_msg(b"C", 2, false, &body));
    let out = b.take_wire();
    assert_eq!(out.len(), 1);
    let m = Message::new(&out[0]);
    assert_eq!(m.msg_type(), b"C");
    assert_eq!(m.body(), &email_body(RAW)[..]);
    assert_eq!(m.get(213), Some(XML));
    assert_eq!(m.get_uint(34), Some(2), "the echo's own seq, not XML's 77");
}

#[test]
fn raw_data_is_resent_byte_for_byte_from_the_store() {
    let (mut a, mut b) = logged_on_pair();
    let mut body = Vec::new();
    Body::new(&mut body)
        .data(212, 213, XML)
        .raw(&email_body(RAW));
    let seq = a.c.send(T0, b"C", &body).unwrap();
    let original = frames(&a.take_wire());
    assert_eq!(original.len(), 1, "sent, then lost");
    // CLIENT's next message reveals the gap; ISLD asks for it again.
    b.recv(T0, &peer_msg(b"0", seq + 1, false, b""));
    let rr = b.take_wire();
    a.recv(T0, &rr);
    let resent = frames(&a.take_wire());
    let m = Message::new(&resent[0]);
    assert_eq!(
        (m.msg_type(), m.get_uint(34)),
        (&b"C"[..], Some(u64::from(seq)))
    );
    assert!(m.flag(43));
    assert_eq!(m.body(), Message::new(&original[0]).body());
    assert_eq!(m.get(96), Some(RAW));
    assert_eq!(m.get(213), Some(XML));
    b.recv(T0, &resent[0]);
    assert_eq!(b.s().next_in(), seq + 2, "the resend and the held message");
}

#[test]
fn malformed_data_lengths_are_rejected_and_the_next_message_is_read() {
    let cases: [(Option<&[u8]>, u32); 4] = [
        (None, 1),
        (Some(b"x"), 6),
        (Some(b"500"), 5),
        (Some(b"3"), 5),
    ];
    for (len, reason) in cases {
        let mut b = Acceptor::logged_on(Keep::default());
        b.recv(&peer_msg(b"C", 2, false, &email_with_raw_length(len)));
        let out = b.take_wire();
        assert_eq!(out.len(), 1, "{len:?}");
        let r = Message::new(&out[0]);
        assert_eq!(r.msg_type(), b"3");
        assert_eq!(r.get_uint(373), Some(u64::from(reason)), "{len:?}");
        assert_eq!(r.get_uint(371), Some(95));
        assert_eq!((r.get_uint(45), r.get(372)), (Some(2), Some(&b"C"[..])));
        assert!(b.app.got.is_empty());
        // It took its seq; the next message is read as it is.
        let next = peer_msg(b"C", 3, false, &email_body(RAW));
        b.recv(&next);
        assert_eq!(b.app.got, [next], "{len:?}");
        assert_eq!(b.side.s().next_in(), 4);
        assert!(b.take_wire().is_empty());
    }
}

#[test]
fn malformed_data_length_held_beyond_a_gap_is_rejected_on_release() {
    let mut b = Acceptor::logged_on(Keep::default());
    b.recv(&peer_msg(
        b"C",
        3,
        false,
        &email_with_raw_length(Some(b"x")),
    ));
    assert_eq!(b.take_wire().len(), 1, "the ResendRequest");
    b.recv(&peer_msg(b"C", 2, false, &email_body(RAW)));
    let out = b.take_wire();
    let r = Message::new(&out[0]);
    assert_eq!(r.msg_type(), b"3");
    assert_eq!((r.get_uint(373), r.get_uint(45)), (Some(6), Some(3)));
    assert_eq!(b.app.got.len(), 1);
    assert_eq!(b.side.s().next_in(), 4);
}

#[test]
fn logon_whose_raw_data_cannot_be_read_is_refused() {
    let mut b = Acceptor::connected(Keep::default());
    b.recv(&peer_msg(
        b"A",
        1,
        false,
        b"98=0\x01108=30\x0195=9\x0196=ab\x01",
    ));
    assert!(b.take_wire().is_empty());
    assert!(b
        .side
        .events
        .contains(&Event::Disconnect(DisconnectReason::LogonRefused)));
}

#[test]
fn logon_with_raw_data_is_accepted() {
    let mut b = Acceptor::connected(Keep::default());
    let mut body = b"98=0\x01108=30\x01".to_vec();
    Body::new(&mut body).data(95, 96, RAW);
    b.recv(&peer_msg(b"A", 1, false, &body));
    assert_eq!(b.side.s().state(), State::Active);
}

/// A dictionary declaring its own data field Blob(9001)/BlobLen(9100).
fn blob_dictionary() -> crate::dict::DataDictionary {
    crate::dict::tests::small_dictionary(
        r#"<message name="Blob" msgtype="X" msgcat="app">
  <field name="BlobLen" required="Y"/><field name="Blob" required="Y"/><field name="Tail" required="Y"/>
 </message>"#,
        r#"<field number="9001" name="Blob" type="DATA"/><field number="9100" name="BlobLen" type="LENGTH"/>
  <field number="9002" name="Tail" type="STRING"/>"#,
    )
}

#[test]
fn a_dictionary_s_own_data_field_is_delivered_intact() {
    use crate::dict::{Options, Validator};
    let mut b = Acceptor::logged_on(Keep::default());
    let d = blob_dictionary();
    b.side
        .c
        .set_check(Box::new(Validator::new(d, None, Options::default())));
    let mut body = Vec::new();
    Body::new(&mut body)
        .data(9100, 9001, b"a\x019002=z\x01")
        .str(9002, b"t");
    b.recv(&peer_msg(b"X", 2, false, &body));
    assert!(b.take_wire().is_empty(), "valid: no Reject");
    assert_eq!(b.app.got.len(), 1);
    let pairs = [(9001, 9100)];
    let m = Message::with_data(&b.app.got[0], &pairs);
    assert_eq!(m.get(9001), Some(&b"a\x019002=z\x01"[..]));
    assert_eq!(m.get(9002), Some(&b"t"[..]));
}
