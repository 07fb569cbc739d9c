//! The encoder: writes BodyLength(9) and CheckSum(10) itself, stamps the
//! session header, and rewrites stored messages for a PossDup resend.
//!
//! Output goes into a caller-owned `Vec<u8>`; once its capacity has grown
//! to the largest message, encoding does not allocate.

use std::ops::Range;

use crate::codec::message::Fields;
use crate::codec::time::{self, Nanos, Precision};
use crate::validator::software::checksum;

/// Writes body fields (`tag=value<SOH>`) into a buffer.
///
/// ```
/// use gapless::codec::encode::Body;
/// let mut buf = Vec::new();
/// Body::new(&mut buf).str(11, b"ord-1").uint(38, 100).char(54, b'1');
/// assert_eq!(buf, b"11=ord-1\x0138=100\x0154=1\x01");
/// ```
pub struct Body<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> Body<'a> {
    /// Appends to `buf`.
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        Body { buf }
    }

    /// A field with a byte-string value.
    pub fn str(&mut self, tag: u32, value: &[u8]) -> &mut Self {
        put_uint(self.buf, u64::from(tag));
        self.buf.push(b'=');
        self.buf.extend_from_slice(value);
        self.buf.push(0x01);
        self
    }

    /// A field with an unsigned integer value.
    pub fn uint(&mut self, tag: u32, value: u64) -> &mut Self {
        put_uint(self.buf, u64::from(tag));
        self.buf.push(b'=');
        put_uint(self.buf, value);
        self.buf.push(0x01);
        self
    }

    /// A field with a one-byte value.
    pub fn char(&mut self, tag: u32, value: u8) -> &mut Self {
        self.str(tag, &[value])
    }

    /// A field with a signed integer value.
    ///
    /// ```
    /// let mut buf = Vec::new();
    /// gapless::codec::encode::Body::new(&mut buf).int(371, -1);
    /// assert_eq!(buf, b"371=-1\x01");
    /// ```
    pub fn int(&mut self, tag: u32, value: i64) -> &mut Self {
        put_uint(self.buf, u64::from(tag));
        self.buf.push(b'=');
        if value < 0 {
            self.buf.push(b'-');
        }
        put_uint(self.buf, value.unsigned_abs());
        self.buf.push(0x01);
        self
    }

    /// A data field: its LENGTH field `length_tag` with `value.len()`,
    /// then DATA field `data_tag` with `value` as it is (SOH included).
    ///
    /// ```
    /// let mut buf = Vec::new();
    /// gapless::codec::encode::Body::new(&mut buf).data(95, 96, b"a\x01b");
    /// assert_eq!(buf, b"95=3\x0196=a\x01b\x01");
    /// ```
    pub fn data(&mut self, length_tag: u32, data_tag: u32, value: &[u8]) -> &mut Self {
        self.uint(length_tag, value.len() as u64)
            .str(data_tag, value)
    }

    /// Fields already encoded (`tag=value<SOH>`…), appended as they are.
    pub fn raw(&mut self, fields: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(fields);
        self
    }
}

/// Appends `v` in decimal.
pub fn put_uint(out: &mut Vec<u8>, v: u64) {
    let mut tmp = [0u8; 20];
    out.extend_from_slice(decimal(v, &mut tmp));
}

/// `v` in decimal, written at the end of `tmp`.
fn decimal(mut v: u64, tmp: &mut [u8; 20]) -> &[u8] {
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &tmp[i..]
}

fn digits(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

/// One message to encode: the header fields that vary, and the body.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing<'a> {
    /// MsgType(35).
    pub msg_type: &'a [u8],
    /// MsgSeqNum(34).
    pub seq: u32,
    /// Adds PossDupFlag(43)=Y.
    pub poss_dup: bool,
    /// OrigSendingTime(122) (empty: absent).
    pub orig_sending_time: &'a [u8],
    /// Body fields, already encoded.
    pub body: &'a [u8],
}

/// Stamps one session's header on outgoing messages.
///
/// ```
/// use gapless::codec::encode::Encoder;
/// use gapless::codec::time::Precision;
/// let enc = Encoder::new("FIX.4.4", "ISLD", "TW", Precision::Millis);
/// let mut out = Vec::new();
/// let r = enc.encode(&mut out, b"0", 1, 1_700_000_000_000_000_000, b"");
/// assert_eq!(
///     &out[r],
///     b"8=FIX.4.4\x019=49\x0135=0\x0134=1\x0149=ISLD\x0152=20231114-22:13:20.000\x0156=TW\x0110=152\x01"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Encoder {
    begin_string: Vec<u8>,
    sender: Vec<u8>,
    target: Vec<u8>,
    precision: Precision,
    /// SendingTime's date and time of day, per second.
    clock: std::cell::Cell<time::SecondCache>,
}

impl Encoder {
    /// An encoder for messages from `sender` to `target`.
    pub fn new(begin_string: &str, sender: &str, target: &str, precision: Precision) -> Self {
        Encoder {
            begin_string: begin_string.as_bytes().to_vec(),
            sender: sender.as_bytes().to_vec(),
            target: target.as_bytes().to_vec(),
            precision,
            clock: Default::default(),
        }
    }

    /// The SendingTime precision.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Appends a message with a fresh header to `out`; returns its range.
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        msg_type: &[u8],
        seq: u32,
        now: Nanos,
        body: &[u8],
    ) -> Range<usize> {
        let m = Outgoing {
            msg_type,
            seq,
            poss_dup: false,
            orig_sending_time: &[],
            body,
        };
        self.encode_with(out, &m, now)
    }

    /// Appends `m` to `out` with SendingTime `now`; returns its range.
    ///
    /// The header is written as QuickFIX writes it: BeginString,
    /// BodyLength, MsgType, then every other header field in tag order.
    /// Header fields leading `m.body` (routing, PossResend, ApplVerID) are
    /// moved into place; ones this encoder writes itself (seq, CompIDs,
    /// times, PossDup) are replaced, and so is PossResend(97) on a resend.
    pub fn encode_with(&self, out: &mut Vec<u8>, m: &Outgoing, now: Nanos) -> Range<usize> {
        let mut ts = [0u8; time::MAX_LEN];
        let mut clock = self.clock.get();
        let ts_len = clock.format(now, self.precision, &mut ts);
        self.clock.set(clock);
        let mut seq = [0u8; 20];
        let seq = decimal(u64::from(m.seq), &mut seq);
        let poss_dup: &[u8] = if m.poss_dup { b"Y" } else { b"" };
        let own: [(u32, &[u8]); 6] = [
            (34, seq),
            (43, poss_dup),
            (49, &self.sender),
            (52, &ts[..ts_len]),
            (56, &self.target),
            (122, m.orig_sending_time),
        ];
        let (head, body) = split_head(m.body);
        let replaced = |tag: u32| own_tag(tag) || (m.poss_dup && tag == 97);
        let extra = |lo: u32, hi: u32| {
            Fields::new(head).filter(move |&(t, _)| t > lo && t <= hi && !replaced(t))
        };
        let body_len = 4
            + m.msg_type.len()
            + own
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|&(t, v)| field_len(t, v))
                .sum::<usize>()
            + extra(0, u32::MAX)
                .map(|(t, v)| field_len(t, v))
                .sum::<usize>()
            + body.len();
        let start = out.len();
        put_field(out, 8, &self.begin_string);
        out.extend_from_slice(b"9=");
        put_uint(out, body_len as u64);
        out.push(0x01);
        put_field(out, 35, m.msg_type);
        let mut lo = 0;
        for &(tag, v) in own.iter().chain([(u32::MAX, &b""[..])].iter()) {
            for (t, ev) in extra(lo, tag.saturating_sub(1)) {
                put_field(out, t, ev);
            }
            if !v.is_empty() {
                put_field(out, tag, v);
            }
            lo = tag;
        }
        out.extend_from_slice(body);
        let sum = checksum(&out[start..]);
        out.extend_from_slice(b"10=");
        out.extend_from_slice(&[
            b'0' + sum / 100,
            b'0' + sum / 10 % 10,
            b'0' + sum % 10,
            0x01,
        ]);
        start..out.len()
    }

    /// Appends `stored` (a message this session sent earlier) rewritten for
    /// a resend: PossDupFlag=Y, OrigSendingTime = its SendingTime, and a
    /// new SendingTime; its other header fields and its body are kept.
    /// Returns `None` if `stored` is not a frame this encoder could have
    /// written (no MsgType, seq or SendingTime).
    pub fn resend(&self, out: &mut Vec<u8>, stored: &[u8], now: Nanos) -> Option<Range<usize>> {
        let parts = split_stored(stored)?;
        let m = Outgoing {
            msg_type: parts.msg_type,
            seq: parts.seq,
            poss_dup: true,
            orig_sending_time: parts.sending_time,
            body: parts.rest,
        };
        Some(self.encode_with(out, &m, now))
    }
}

/// Header fields the encoder writes itself.
fn own_tag(tag: u32) -> bool {
    matches!(tag, 8 | 9 | 35 | 34 | 43 | 49 | 52 | 56 | 122)
}

fn put_field(out: &mut Vec<u8>, tag: u32, v: &[u8]) {
    put_uint(out, u64::from(tag));
    out.push(b'=');
    out.extend_from_slice(v);
    out.push(0x01);
}

/// Splits `body` into its leading header fields and the rest.
fn split_head(body: &[u8]) -> (&[u8], &[u8]) {
    let mut pos = 0;
    for (tag, v) in Fields::new(body) {
        if !crate::codec::message::is_header_tag(tag) {
            break;
        }
        pos += field_len(tag, v);
    }
    body.split_at(pos)
}

/// The parts of a stored outbound message that a resend keeps.
struct Stored<'a> {
    msg_type: &'a [u8],
    seq: u32,
    sending_time: &'a [u8],
    /// Everything after BodyLength up to CheckSum: the header (its own
    /// fields are replaced when encoding) and the body.
    rest: &'a [u8],
}

fn split_stored(stored: &[u8]) -> Option<Stored<'_>> {
    let trailer = stored.len().checked_sub(7)?;
    let (mut msg_type, mut seq, mut sending_time, mut orig) = (None, None, None, None);
    let mut pos = 0;
    let mut rest = 0;
    for (tag, v) in Fields::new(&stored[..trailer]) {
        if !crate::codec::message::is_header_tag(tag) {
            break;
        }
        pos += field_len(tag, v);
        match tag {
            9 => rest = pos,
            122 => orig = Some(v),
            35 => msg_type = Some(v),
            34 => seq = crate::validator::software::parse_seq(v),
            52 => sending_time = Some(v),
            _ => {}
        }
    }
    Some(Stored {
        msg_type: msg_type?,
        seq: seq?,
        sending_time: orig.or(sending_time)?,
        rest: &stored[rest..trailer],
    })
}

fn field_len(tag: u32, v: &[u8]) -> usize {
    digits(u64::from(tag)) + 1 + v.len() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::message::Message;
    use crate::validator::software::{parse_frame, Frame};

    const T0: Nanos = 1_700_000_000_000_000_000;

    fn enc() -> Encoder {
        Encoder::new("FIX.4.2", "ISLD", "TW42", Precision::Micros)
    }

    #[test]
    fn encoded_messages_pass_the_framer() {
        let mut out = Vec::new();
        let r = enc().encode(&mut out, b"D", 123_456, T0, b"11=abc\x0154=1\x01");
        assert!(matches!(
            parse_frame(&out[r], 65536),
            Frame::Complete { .. }
        ));
    }

    #[test]
    fn resend_keeps_seq_and_body_and_adds_poss_dup_and_orig_sending_time() {
        let mut out = Vec::new();
        let first = enc().encode(&mut out, b"D", 7, T0, b"11=abc\x01");
        let stored = out[first].to_vec();
        let mut re = Vec::new();
        let r = enc().resend(&mut re, &stored, T0 + 5_000_000_000).unwrap();
        assert!(matches!(
            parse_frame(&re[r.clone()], 65536),
            Frame::Complete { .. }
        ));
        let m = Message::new(&re[r]);
        assert_eq!(m.get_uint(34), Some(7));
        assert!(m.flag(43));
        assert_eq!(m.get(122), Some(&b"20231114-22:13:20.000000"[..]));
        assert_eq!(m.get(52), Some(&b"20231114-22:13:25.000000"[..]));
        assert_eq!(m.get(11), Some(&b"abc"[..]));
    }

    #[test]
    fn resend_of_a_resend_does_not_stack_poss_dup_fields() {
        let mut out = Vec::new();
        let first = enc().encode(&mut out, b"D", 7, T0, b"11=abc\x01");
        let mut once = Vec::new();
        let r1 = enc().resend(&mut once, &out[first], T0 + 1).unwrap();
        let mut twice = Vec::new();
        let r2 = enc().resend(&mut twice, &once[r1], T0 + 2).unwrap();
        let count = Message::new(&twice[r2])
            .fields()
            .filter(|&(t, _)| t == 43)
            .count();
        assert_eq!(count, 1);
    }

    #[test]
    fn header_fields_leading_the_body_go_in_tag_order_as_quickfix_writes_them() {
        let mut out = Vec::new();
        let r = enc().encode(
            &mut out,
            b"3",
            2,
            T0,
            b"128=JCD\x0150=DESK\x011137=9\x0145=1\x01",
        );
        let fields: Vec<u32> = Message::new(&out[r]).fields().map(|(t, _)| t).collect();
        assert_eq!(fields, [8, 9, 35, 34, 49, 50, 52, 56, 128, 1137, 45, 10]);
    }

    #[test]
    fn resend_keeps_every_header_field_once_in_tag_order() {
        let mut first = Vec::new();
        let r = enc().encode(&mut first, b"D", 7, T0, b"50=DESK\x01128=JCD\x0111=a\x01");
        let mut out = Vec::new();
        let r = enc()
            .resend(&mut out, &first[r], T0 + 5_000_000_000)
            .unwrap();
        let m = Message::new(&out[r.clone()]);
        let fields: Vec<u32> = m.fields().map(|(t, _)| t).collect();
        assert_eq!(fields, [8, 9, 35, 34, 43, 49, 50, 52, 56, 122, 128, 11, 10]);
        assert!(matches!(parse_frame(&out[r], 4096), Frame::Complete { .. }));
    }

    #[test]
    fn garbage_is_not_resent() {
        assert!(enc().resend(&mut Vec::new(), b"junk", T0).is_none());
    }
}
