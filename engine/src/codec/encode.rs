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

    /// Fields already encoded (`tag=value<SOH>`…), appended as they are.
    pub fn raw(&mut self, fields: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(fields);
        self
    }
}

/// Appends `v` in decimal.
pub fn put_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
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
///     b"8=FIX.4.4\x019=49\x0135=0\x0149=ISLD\x0156=TW\x0134=1\x0152=20231114-22:13:20.000\x0110=152\x01"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Encoder {
    begin_string: Vec<u8>,
    sender: Vec<u8>,
    target: Vec<u8>,
    precision: Precision,
}

impl Encoder {
    /// An encoder for messages from `sender` to `target`.
    pub fn new(begin_string: &str, sender: &str, target: &str, precision: Precision) -> Self {
        Encoder {
            begin_string: begin_string.as_bytes().to_vec(),
            sender: sender.as_bytes().to_vec(),
            target: target.as_bytes().to_vec(),
            precision,
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
    pub fn encode_with(&self, out: &mut Vec<u8>, m: &Outgoing, now: Nanos) -> Range<usize> {
        let mut ts = [0u8; time::MAX_LEN];
        let ts_len = time::format(now, self.precision, &mut ts);
        let body_len = 4
            + m.msg_type.len()
            + 4
            + self.sender.len()
            + 4
            + self.target.len()
            + 4
            + digits(u64::from(m.seq))
            + if m.poss_dup { 5 } else { 0 }
            + 4
            + ts_len
            + if m.orig_sending_time.is_empty() {
                0
            } else {
                5 + m.orig_sending_time.len()
            }
            + m.body.len();
        let start = out.len();
        let field = |out: &mut Vec<u8>, tag: &[u8], v: &[u8]| {
            out.extend_from_slice(tag);
            out.extend_from_slice(v);
            out.push(0x01);
        };
        field(out, b"8=", &self.begin_string);
        out.extend_from_slice(b"9=");
        put_uint(out, body_len as u64);
        out.push(0x01);
        field(out, b"35=", m.msg_type);
        field(out, b"49=", &self.sender);
        field(out, b"56=", &self.target);
        out.extend_from_slice(b"34=");
        put_uint(out, u64::from(m.seq));
        out.push(0x01);
        if m.poss_dup {
            field(out, b"43=", b"Y");
        }
        field(out, b"52=", &ts[..ts_len]);
        if !m.orig_sending_time.is_empty() {
            field(out, b"122=", m.orig_sending_time);
        }
        out.extend_from_slice(m.body);
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
    /// new SendingTime. Returns `None` if `stored` is not a frame this
    /// encoder could have written (no MsgType, seq or SendingTime).
    pub fn resend(&self, out: &mut Vec<u8>, stored: &[u8], now: Nanos) -> Option<Range<usize>> {
        let parts = split_stored(stored)?;
        let m = Outgoing {
            msg_type: parts.msg_type,
            seq: parts.seq,
            poss_dup: true,
            orig_sending_time: parts.sending_time,
            body: parts.body,
        };
        Some(self.encode_with(out, &m, now))
    }
}

/// The parts of a stored outbound message that a resend keeps.
struct Stored<'a> {
    msg_type: &'a [u8],
    seq: u32,
    sending_time: &'a [u8],
    body: &'a [u8],
}

fn split_stored(stored: &[u8]) -> Option<Stored<'_>> {
    let trailer = stored.len().checked_sub(7)?;
    let (mut msg_type, mut seq, mut sending_time, mut orig) = (None, None, None, None);
    let mut pos = 0;
    for (tag, v) in Fields::new(&stored[..trailer]) {
        let next = pos + field_len(tag, v);
        match tag {
            8 | 9 | 49 | 56 | 43 | 97 => {}
            122 => orig = Some(v),
            35 => msg_type = Some(v),
            34 => seq = crate::validator::software::parse_seq(v),
            52 => sending_time = Some(v),
            _ => break,
        }
        pos = next;
    }
    Some(Stored {
        msg_type: msg_type?,
        seq: seq?,
        sending_time: orig.or(sending_time)?,
        body: &stored[pos..trailer],
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
    fn garbage_is_not_resent() {
        assert!(enc().resend(&mut Vec::new(), b"junk", T0).is_none());
    }
}
