//! Zero-copy access to the fields of a framed message.
//!
//! Nothing here allocates or panics: a [`Message`] borrows the frame and
//! hands out sub-slices of it.

use crate::codec::time::{self, Nanos};

const SOH: u8 = 0x01;

/// Positions of the SOH bytes of a buffer, in order, found 64 bytes at a
/// time with SIMD compares (SSE2 on x86_64).
///
/// ```
/// use gapless::codec::message::SohPositions;
/// let p: Vec<usize> = SohPositions::new(b"a\x01bc\x01").collect();
/// assert_eq!(p, [1, 4]);
/// ```
#[derive(Clone, Debug)]
pub struct SohPositions<'a> {
    buf: &'a [u8],
    /// Start of the block `mask` covers.
    base: usize,
    mask: u64,
}

impl<'a> SohPositions<'a> {
    /// SOH positions in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        SohPositions {
            buf,
            base: 0,
            mask: soh_mask(buf),
        }
    }
}

impl Iterator for SohPositions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 64;
            if self.base >= self.buf.len() {
                return None;
            }
            self.mask = soh_mask(&self.buf[self.base..]);
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// Bit `i` set where `block[i]` is SOH, for the first 64 bytes.
fn soh_mask(block: &[u8]) -> u64 {
    let mut padded = [0u8; 64];
    let chunk: &[u8; 64] = match block.first_chunk::<64>() {
        Some(c) => c,
        None => {
            padded[..block.len()].copy_from_slice(block);
            &padded
        }
    };
    mask64(chunk)
}

#[cfg(target_arch = "x86_64")]
fn mask64(c: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut m = 0u64;
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load
        // reads bytes 16k..16k+16 of the 64-byte array.
        let bits = unsafe {
            let v = _mm_loadu_si128(c.as_ptr().add(16 * k).cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(SOH as i8)))
        };
        m |= u64::from(bits as u16) << (16 * k);
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn mask64(c: &[u8; 64]) -> u64 {
    c.iter()
        .enumerate()
        .fold(0, |m, (i, &b)| m | (u64::from(b == SOH) << i))
}

/// Iterates `(tag, value)` over `tag=value<SOH>` fields.
///
/// A field without `=` or with a non-numeric tag (or one with a leading
/// zero) yields tag 0, so callers can reject it; iteration never stops
/// early and never panics.
///
/// ```
/// use gapless::codec::message::Fields;
/// let f: Vec<_> = Fields::new(b"35=D\x0111=abc\x01").collect();
/// assert_eq!(f, [(35, &b"D"[..]), (11, &b"abc"[..])]);
/// ```
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    buf: &'a [u8],
    at: usize,
    sohs: SohPositions<'a>,
}

impl<'a> Fields<'a> {
    /// Fields of `bytes` (a whole frame or any run of whole fields).
    pub fn new(bytes: &'a [u8]) -> Self {
        Fields {
            buf: bytes,
            at: 0,
            sohs: SohPositions::new(bytes),
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u32, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.buf.len() {
            return None;
        }
        let end = self.sohs.next().unwrap_or(self.buf.len());
        let field = &self.buf[self.at..end];
        self.at = end + 1;
        // Tags are short: a plain loop up to `=`.
        let (mut tag, mut valid) = (0u32, field.first().is_some_and(|&b| b != b'0'));
        for (i, &b) in field.iter().enumerate() {
            if b == b'=' {
                let tag = if valid && i > 0 { tag } else { 0 };
                return Some((tag, &field[i + 1..]));
            }
            valid &= b.is_ascii_digit() && i < 9;
            tag = tag
                .wrapping_mul(10)
                .wrapping_add(u32::from(b.wrapping_sub(b'0')));
        }
        Some((0, field))
    }
}

/// Parses an unsigned decimal FIX int (up to `u64`); `None` otherwise.
///
/// ```
/// assert_eq!(gapless::codec::message::parse_uint(b"30"), Some(30));
/// assert_eq!(gapless::codec::message::parse_uint(b"3x"), None);
/// ```
pub fn parse_uint(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

/// Tags of the standard header (FIX.4.2 to FIXT.1.1).
pub fn is_header_tag(tag: u32) -> bool {
    matches!(
        tag,
        8 | 9
            | 35
            | 49
            | 56
            | 34
            | 52
            | 122
            | 43
            | 97
            | 50
            | 57
            | 115
            | 128
            | 90
            | 91
            | 116
            | 129
            | 142
            | 143
            | 144
            | 145
            | 369
            | 627
            | 1128
            | 1129
            | 212
            | 213
            | 347
            | 1156
    )
}

/// Bytes `tag=value<SOH>` takes on the wire.
fn field_len(tag: u32, v: &[u8]) -> usize {
    let mut digits = 1;
    let mut t = tag;
    while t >= 10 {
        t /= 10;
        digits += 1;
    }
    digits + 1 + v.len() + 1
}

/// The standard header fields the session layer reads, from one pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header<'a> {
    /// BeginString(8).
    pub begin_string: &'a [u8],
    /// MsgType(35).
    pub msg_type: &'a [u8],
    /// SenderCompID(49).
    pub sender: &'a [u8],
    /// TargetCompID(56).
    pub target: &'a [u8],
    /// SendingTime(52), raw.
    pub sending_time: &'a [u8],
    /// OrigSendingTime(122), raw (empty when absent).
    pub orig_sending_time: &'a [u8],
    /// PossDupFlag(43)=Y.
    pub poss_dup: bool,
    /// PossResend(97)=Y.
    pub poss_resend: bool,
    /// An OnBehalfOf*/DeliverTo* routing field (115, 116, 128, 129, 144,
    /// 145) is present: a reply must reverse it.
    pub routed: bool,
}

/// A framed message, borrowed from the receive buffer.
///
/// ```
/// use gapless::codec::message::Message;
/// let m = Message::new(b"8=FIX.4.4\x019=5\x0135=0\x0110=163\x01");
/// assert_eq!(m.header().msg_type, b"0");
/// assert_eq!(m.get(10), Some(&b"163"[..]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    bytes: &'a [u8],
}

impl<'a> Message<'a> {
    /// Wraps a whole frame (`8=` … `10=ddd<SOH>`).
    pub fn new(bytes: &'a [u8]) -> Self {
        Message { bytes }
    }

    /// The frame's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// All fields in wire order.
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.bytes)
    }

    /// The first value of `tag`.
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        self.fields().find(|&(t, _)| t == tag).map(|(_, v)| v)
    }

    /// The first value of `tag` as an unsigned int.
    pub fn get_uint(&self, tag: u32) -> Option<u64> {
        self.get(tag).and_then(parse_uint)
    }

    /// `tag` is present with value `Y`.
    pub fn flag(&self, tag: u32) -> bool {
        self.get(tag) == Some(b"Y")
    }

    /// MsgType(35) (the third field of a well-formed frame).
    pub fn msg_type(&self) -> &'a [u8] {
        self.fields().nth(2).map_or(&[], |(_, v)| v)
    }

    /// SendingTime(52) parsed, if valid.
    pub fn sending_time(&self) -> Option<Nanos> {
        time::parse(self.header().sending_time)
    }

    /// The body: the fields after the standard header, before CheckSum.
    ///
    /// ```
    /// use gapless::codec::message::Message;
    /// let m = Message::new(b"8=FIX.4.4\x019=17\x0135=D\x0134=2\x0111=x\x0110=000\x01");
    /// assert_eq!(m.body(), b"11=x\x01");
    /// ```
    pub fn body(&self) -> &'a [u8] {
        let end = self.bytes.len().saturating_sub(7);
        let mut pos = 0;
        for (tag, v) in Fields::new(&self.bytes[..end]) {
            if !is_header_tag(tag) {
                break;
            }
            pos += field_len(tag, v);
        }
        &self.bytes[pos.min(end)..end]
    }

    /// Reads the standard header in one pass. It stops at the first body
    /// field after MsgSeqNum-era header tags, so it costs only the header.
    pub fn header(&self) -> Header<'a> {
        let mut h = Header::default();
        for (tag, v) in self.fields() {
            match tag {
                8 => h.begin_string = v,
                35 => h.msg_type = v,
                49 => h.sender = v,
                56 => h.target = v,
                52 => h.sending_time = v,
                122 => h.orig_sending_time = v,
                43 => h.poss_dup = v == b"Y",
                97 => h.poss_resend = v == b"Y",
                115 | 116 | 128 | 129 | 144 | 145 => h.routed = true,
                t if is_header_tag(t) => {}
                _ => break,
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ER: &[u8] = b"8=FIX.4.4\x019=70\x0135=8\x0149=ISLD\x0156=TW\x0134=3\x0143=Y\x0152=20231114-22:13:20.123\x01122=20231114-22:13:19\x0117=x\x0110=000\x01";

    #[test]
    fn header_is_read_in_one_pass_and_stops_at_the_body() {
        let h = Message::new(ER).header();
        assert_eq!(h.begin_string, b"FIX.4.4");
        assert_eq!((h.sender, h.target), (&b"ISLD"[..], &b"TW"[..]));
        assert!(h.poss_dup && !h.poss_resend);
        assert_eq!(h.orig_sending_time, b"20231114-22:13:19");
    }

    #[test]
    fn malformed_fields_yield_tag_zero_without_panicking() {
        let f: Vec<_> = Fields::new(b"abc\x01=\x0107=x\x01x=1")
            .map(|(t, _)| t)
            .collect();
        assert_eq!(f, [0, 0, 0, 0]);
    }

    #[test]
    fn values_are_looked_up_by_tag() {
        let m = Message::new(ER);
        assert_eq!(m.get_uint(34), Some(3));
        assert!(m.flag(43));
        assert_eq!(m.msg_type(), b"8");
        assert_eq!(m.sending_time(), Some(1_700_000_000_123_000_000));
    }
}
