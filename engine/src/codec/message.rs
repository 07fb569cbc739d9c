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

    /// SOH positions in `buf` from `start` on (`start <= buf.len()`).
    pub(crate) fn from(buf: &'a [u8], start: usize) -> Self {
        let start = start.min(buf.len());
        SohPositions {
            buf,
            base: start,
            mask: soh_mask(&buf[start..]),
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

/// The LENGTH tag that gives the size of DATA field `tag`, for the
/// standard pairs (the `LENGTH`/`DATA` fields of QuickFIX's FIX.4.0 to
/// FIX.5.0SP2 and FIXT.1.1 dictionaries up to tag 622), or `None` if `tag`
/// is not one of their DATA fields.
///
/// ```
/// use gapless::codec::message::builtin_length_tag;
/// assert_eq!(builtin_length_tag(96), Some(95));
/// assert_eq!(builtin_length_tag(89), Some(93));
/// assert_eq!(builtin_length_tag(95), None);
/// ```
pub const fn builtin_length_tag(tag: u32) -> Option<u32> {
    if !is_builtin_data(tag) {
        None
    } else if tag == 89 {
        // Signature(89) follows SignatureLength(93).
        Some(93)
    } else {
        Some(tag - 1)
    }
}

/// The built-in DATA tags.
const BUILTIN_DATA: [u32; 16] = [
    89, 91, 96, 213, 349, 351, 353, 355, 357, 359, 361, 363, 365, 446, 619, 622,
];

/// [`BUILTIN_DATA`] as a bitmap: one load and a predictable branch per
/// field on the hot path, where a `match` costs mispredicted compares.
const BUILTIN_BITS: [u64; 10] = {
    let mut bits = [0u64; 10];
    let mut i = 0;
    while i < BUILTIN_DATA.len() {
        let t = BUILTIN_DATA[i];
        bits[(t / 64) as usize] |= 1 << (t % 64);
        i += 1;
    }
    bits
};

#[inline(always)]
pub(crate) const fn is_builtin_data(tag: u32) -> bool {
    tag < 640 && (BUILTIN_BITS[(tag / 64) as usize] >> (tag % 64)) & 1 != 0
}

/// Whether some run of `buf` after SOH (or its start) begins with a
/// built-in DATA tag and `=`. Every field [`Fields`] reads starts so, so
/// `false` means it reads no DATA field: the cheap test that spares most
/// messages the full pass. It looks 64 bytes at a time for SOH, then a
/// digit a DATA tag can start with (8 or 9 for two digits, 2, 3, 4 or 6
/// for three), then `=`, and checks only those candidates' tags.
pub(crate) fn may_hold_builtin_data(buf: &[u8]) -> bool {
    if starts_builtin_data(buf, 0) {
        return true;
    }
    // Windows of 64 bytes every 60: each SOH and the `=` 3 or 4 bytes
    // after it share one.
    let mut base = 0;
    while base < buf.len() {
        let mut padded = [0u8; 64];
        let block: &[u8; 64] = match buf[base..].first_chunk::<64>() {
            Some(c) => c,
            None => {
                padded[..buf.len() - base].copy_from_slice(&buf[base..]);
                &padded
            }
        };
        let (soh, eq, lead2, lead3) = candidate_masks(block);
        // `=` 3 bytes after SOH (a two-digit tag) or 4 (three digits).
        for (mut cand, digits) in [
            (eq & (lead2 << 2) & (soh << 3), 2),
            (eq & (lead3 << 3) & (soh << 4), 3),
        ] {
            while cand != 0 {
                let q = cand.trailing_zeros() as usize;
                cand &= cand - 1;
                if starts_builtin_data(buf, base + q - digits) {
                    return true;
                }
            }
        }
        base += 60;
    }
    false
}

/// `buf[at..]` starts with a built-in DATA tag and `=`.
fn starts_builtin_data(buf: &[u8], at: usize) -> bool {
    let mut w = [0u8; 4];
    for (i, &x) in buf.iter().skip(at).take(4).enumerate() {
        w[i] = x;
    }
    let d = |b: u8| u32::from(b.wrapping_sub(b'0'));
    let digits = |n: usize| w[..n].iter().all(u8::is_ascii_digit);
    (w[2] == b'=' && digits(2) && is_builtin_data(d(w[0]) * 10 + d(w[1])))
        || (w[3] == b'=' && digits(3) && is_builtin_data(d(w[0]) * 100 + d(w[1]) * 10 + d(w[2])))
}

/// Bit `i` set where `block[i]` is SOH, `=`, a digit a two-digit built-in
/// DATA tag starts with (8, 9), and one a three-digit one does (2, 3, 4, 6).
#[cfg(target_arch = "x86_64")]
fn candidate_masks(c: &[u8; 64]) -> (u64, u64, u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut m = [0u64; 4];
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load
        // reads bytes 16k..16k+16 of the 64-byte array.
        let bits = unsafe {
            let v = _mm_loadu_si128(c.as_ptr().add(16 * k).cast::<__m128i>());
            let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let lead3 = _mm_or_si128(
                _mm_or_si128(is(b'2'), is(b'3')),
                _mm_or_si128(is(b'4'), is(b'6')),
            );
            [
                _mm_movemask_epi8(is(SOH)),
                _mm_movemask_epi8(is(b'=')),
                _mm_movemask_epi8(_mm_or_si128(is(b'8'), is(b'9'))),
                _mm_movemask_epi8(lead3),
            ]
        };
        for (m, b) in m.iter_mut().zip(bits) {
            *m |= u64::from(b as u16) << (16 * k);
        }
    }
    (m[0], m[1], m[2], m[3])
}

#[cfg(not(target_arch = "x86_64"))]
fn candidate_masks(c: &[u8; 64]) -> (u64, u64, u64, u64) {
    c.iter()
        .enumerate()
        .fold((0, 0, 0, 0), |(s, e, l2, l3), (i, &b)| {
            (
                s | (u64::from(b == SOH) << i),
                e | (u64::from(b == b'=') << i),
                l2 | (u64::from(matches!(b, b'8' | b'9')) << i),
                l3 | (u64::from(matches!(b, b'2' | b'3' | b'4' | b'6')) << i),
            )
        })
}

/// `(DATA tag, LENGTH tag)` pairs beyond the built-in ones (from a
/// dictionary), sorted by DATA tag.
pub type DataPairs = [(u32, u32)];

/// Why a DATA field could not be read. Iteration ends at it, so nothing
/// after it is misread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFieldError {
    /// The DATA field does not directly follow its LENGTH field.
    MissingLength {
        /// The DATA tag.
        data: u32,
        /// The LENGTH tag it needs.
        length: u32,
    },
    /// The LENGTH value is not an unsigned integer.
    BadLength {
        /// The DATA tag.
        data: u32,
        /// The LENGTH tag.
        length: u32,
    },
    /// The LENGTH runs past the end of the message (into its CheckSum), or
    /// the byte after the value it bounds is not SOH.
    Overrun {
        /// The DATA tag.
        data: u32,
        /// The LENGTH tag.
        length: u32,
    },
}

/// Iterates `(tag, value)` over `tag=value<SOH>` fields.
///
/// A field without `=` or with a non-numeric tag (or one with a leading
/// zero) yields tag 0, so callers can reject it; iteration never panics.
///
/// A DATA field (RawData(96), XmlData(213), EncodedText(355), …, see
/// [`builtin_length_tag`], plus any [`with_data`](Self::with_data) adds)
/// directly after its LENGTH field is exactly as many bytes as that says,
/// SOH or not. A DATA field without its LENGTH, after a non-numeric one,
/// or overrunning the buffer ends the iteration; [`error`](Self::error)
/// then says why.
///
/// ```
/// use gapless::codec::message::Fields;
/// let f: Vec<_> = Fields::new(b"35=D\x0111=abc\x01").collect();
/// assert_eq!(f, [(35, &b"D"[..]), (11, &b"abc"[..])]);
/// let f: Vec<_> = Fields::new(b"95=4\x0196=a\x01b=\x0111=x\x01").collect();
/// assert_eq!(f, [(95, &b"4"[..]), (96, &b"a\x01b="[..]), (11, &b"x"[..])]);
/// ```
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    buf: &'a [u8],
    at: usize,
    sohs: SohPositions<'a>,
    extra: &'a DataPairs,
    /// The previous field, for a DATA field's LENGTH.
    prev: (u32, &'a [u8]),
    /// A DATA value's SOH must come before this (a frame's CheckSum).
    data_limit: usize,
    error: Option<DataFieldError>,
}

impl<'a> Fields<'a> {
    /// Fields of `bytes` (a whole frame or any run of whole fields).
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::with_data(bytes, &[])
    }

    /// Fields of `bytes`, also reading the DATA fields of `extra` by their
    /// LENGTH.
    pub fn with_data(bytes: &'a [u8], extra: &'a DataPairs) -> Self {
        Fields {
            buf: bytes,
            at: 0,
            sohs: SohPositions::new(bytes),
            extra,
            prev: (0, &[]),
            error: None,
            data_limit: bytes.len(),
        }
    }

    /// Fields of a whole frame: a DATA value may not run into its
    /// trailing `10=ddd<SOH>`.
    fn of_frame(frame: &'a [u8], extra: &'a DataPairs) -> Self {
        let mut f = Self::with_data(frame, extra);
        if let Some(at) = frame.len().checked_sub(7) {
            if frame[at..].starts_with(b"10=") {
                f.data_limit = at;
            }
        }
        f
    }

    /// Why iteration ended early at a DATA field, if it did.
    pub fn error(&self) -> Option<DataFieldError> {
        self.error
    }

    /// Where the next field starts (the end of the bytes once done).
    pub(crate) fn offset(&self) -> usize {
        self.at.min(self.buf.len())
    }

    /// The LENGTH tag of DATA field `tag`, if it is one.
    fn length_tag(&self, tag: u32) -> Option<u32> {
        builtin_length_tag(tag).or_else(|| extra_length_tag(self.extra, tag))
    }

    /// Whether `tag` is a DATA field: the per-field test of the hot path.
    #[inline(always)]
    fn is_data(&self, tag: u32) -> bool {
        is_builtin_data(tag)
            || (!self.extra.is_empty() && extra_length_tag(self.extra, tag).is_some())
    }
}

/// The LENGTH tag of DATA field `tag` in `extra`.
#[cold]
#[inline(never)]
fn extra_length_tag(extra: &DataPairs, tag: u32) -> Option<u32> {
    extra
        .binary_search_by_key(&tag, |&(d, _)| d)
        .ok()
        .map(|i| extra[i].1)
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u32, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.buf.len() {
            return None;
        }
        let end = self.sohs.next().unwrap_or(self.buf.len());
        let field = &self.buf[self.at..end];
        // Tags are short: a plain loop up to `=`.
        let (mut tag, mut valid) = (0u32, field.first().is_some_and(|&b| b != b'0'));
        for (i, &b) in field.iter().enumerate() {
            if b == b'=' {
                let tag = if valid && i > 0 { tag } else { 0 };
                let mut value = &field[i + 1..];
                self.at = end + 1;
                if self.is_data(tag) {
                    // Out of line and without `&mut self`, so the
                    // iterator stays in registers on the hot path.
                    let start = end - value.len();
                    let length = self.length_tag(tag).unwrap_or(0);
                    match data_span(self.buf, start, self.data_limit, tag, length, self.prev) {
                        Ok(v_end) => {
                            value = &self.buf[start..v_end];
                            if v_end != end {
                                self.sohs = SohPositions::from(self.buf, v_end + 1);
                            }
                            self.at = v_end + 1;
                        }
                        Err(e) => {
                            self.error = Some(e);
                            self.at = self.buf.len();
                            return None;
                        }
                    }
                }
                self.prev = (tag, value);
                return Some((tag, value));
            }
            valid &= b.is_ascii_digit() && i < 9;
            tag = tag
                .wrapping_mul(10)
                .wrapping_add(u32::from(b.wrapping_sub(b'0')));
        }
        self.at = end + 1;
        self.prev = (0, field);
        Some((0, field))
    }
}

/// Where the value of DATA field `data` starting at `start` ends (its
/// SOH), given its LENGTH tag `length` and the field before it.
#[cold]
#[inline(never)]
fn data_span(
    buf: &[u8],
    start: usize,
    limit: usize,
    data: u32,
    length: u32,
    prev: (u32, &[u8]),
) -> Result<usize, DataFieldError> {
    if prev.0 != length {
        return Err(DataFieldError::MissingLength { data, length });
    }
    let n = parse_uint(prev.1).ok_or(DataFieldError::BadLength { data, length })?;
    usize::try_from(n)
        .ok()
        .and_then(|n| start.checked_add(n))
        .filter(|&e| e < limit && buf.get(e) == Some(&SOH))
        .ok_or(DataFieldError::Overrun { data, length })
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
    extra: &'a DataPairs,
}

impl<'a> Message<'a> {
    /// Wraps a whole frame (`8=` … `10=ddd<SOH>`).
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::with_data(bytes, &[])
    }

    /// Wraps a whole frame whose DATA fields include `extra` besides the
    /// built-in ones (see [`Fields`]).
    pub fn with_data(bytes: &'a [u8], extra: &'a DataPairs) -> Self {
        Message { bytes, extra }
    }

    /// The DATA fields it reads beyond the built-in ones.
    pub fn data_pairs(&self) -> &'a DataPairs {
        self.extra
    }

    /// Why a DATA field cannot be read, if one cannot (a whole pass).
    ///
    /// ```
    /// use gapless::codec::message::{DataFieldError, Message};
    /// let m = Message::new(b"8=FIX.4.4\x019=9\x0135=D\x0196=x\x0110=000\x01");
    /// assert_eq!(m.data_error(), Some(DataFieldError::MissingLength { data: 96, length: 95 }));
    /// ```
    pub fn data_error(&self) -> Option<DataFieldError> {
        if self.extra.is_empty() && !may_hold_builtin_data(self.bytes) {
            return None;
        }
        let mut f = self.fields();
        f.by_ref().for_each(drop);
        f.error()
    }

    /// The fields of [`body`](Self::body), DATA fields read as in this
    /// message.
    pub fn body_fields(&self) -> Fields<'a> {
        Fields::with_data(self.body(), self.extra)
    }

    /// The frame's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// All fields in wire order.
    pub fn fields(&self) -> Fields<'a> {
        Fields::of_frame(self.bytes, self.extra)
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
        for (tag, v) in Fields::with_data(&self.bytes[..end], self.extra) {
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

    /// NewOrderSingle with RawData(96) holding SOH, a fake MsgSeqNum and a
    /// fake CheckSum: `95=20|96=<\x0134=999\x0110=000\x01 end!>`.
    const RAW: &[u8] = b"8=FIX.4.4\x019=66\x0135=D\x0134=7\x0111=ord1\x0195=20\x0196=\x0134=999\x0110=000\x01 end!\x0155=GPLS\x0110=000\x01";
    const RAW_DATA: &[u8] = b"\x0134=999\x0110=000\x01 end!";

    fn tags(m: &Message) -> Vec<u32> {
        m.fields().map(|(t, _)| t).collect()
    }

    #[test]
    fn raw_data_is_exactly_its_length_soh_and_fake_tags_included() {
        let m = Message::new(RAW);
        assert_eq!(RAW_DATA.len(), 20);
        assert_eq!(m.get(96), Some(RAW_DATA));
        assert_eq!(m.get_uint(34), Some(7));
        assert_eq!(m.get(55), Some(&b"GPLS"[..]));
        assert_eq!(tags(&m), [8, 9, 35, 34, 11, 95, 96, 55, 10]);
        assert_eq!(m.data_error(), None);
        let body: Vec<u32> = m.body_fields().map(|(t, _)| t).collect();
        assert_eq!(body, [11, 95, 96, 55]);
    }

    #[test]
    fn fields_after_a_data_field_longer_than_a_simd_block_are_read() {
        let data: Vec<u8> = (0..200u8)
            .map(|i| if i % 7 == 0 { SOH } else { b'=' })
            .collect();
        let mut buf = b"95=200\x0196=".to_vec();
        buf.extend_from_slice(&data);
        buf.extend_from_slice(b"\x0158=after\x0159=0\x01");
        let f: Vec<_> = Fields::new(&buf).collect();
        assert_eq!(
            f,
            [
                (95, &b"200"[..]),
                (96, &data[..]),
                (58, &b"after"[..]),
                (59, &b"0"[..])
            ]
        );
    }

    #[test]
    fn signature_follows_signature_length_and_empty_data_is_allowed() {
        let f: Vec<_> =
            Fields::new(b"93=3\x0189=\x01\x01\x01\x0195=0\x0196=\x0110=1\x01").collect();
        assert_eq!(
            f,
            [
                (93, &b"3"[..]),
                (89, &b"\x01\x01\x01"[..]),
                (95, &b"0"[..]),
                (96, &b""[..]),
                (10, &b"1"[..])
            ]
        );
    }

    #[test]
    fn data_field_without_its_length_ends_iteration_with_the_reason() {
        let mut f = Fields::new(b"35=D\x0196=a\x0134=9\x01");
        assert_eq!(f.by_ref().map(|(t, _)| t).collect::<Vec<_>>(), [35]);
        assert_eq!(
            f.error(),
            Some(DataFieldError::MissingLength {
                data: 96,
                length: 95
            })
        );
        // A LENGTH not directly before its DATA does not count.
        let m = Message::new(b"95=1\x0111=x\x0196=a\x01");
        assert!(matches!(
            m.data_error(),
            Some(DataFieldError::MissingLength { data: 96, .. })
        ));
    }

    #[test]
    fn non_numeric_length_ends_iteration_with_the_reason() {
        for len in [&b"x"[..], b"", b"-1", b"+1", b"1.0"] {
            let mut buf = b"354=".to_vec();
            buf.extend_from_slice(len);
            buf.extend_from_slice(b"\x01355=a\x0134=9\x01");
            let mut f = Fields::new(&buf);
            assert_eq!(f.by_ref().map(|(t, _)| t).collect::<Vec<_>>(), [354]);
            assert_eq!(
                f.error(),
                Some(DataFieldError::BadLength {
                    data: 355,
                    length: 354
                })
            );
        }
    }

    #[test]
    fn length_that_overruns_or_misses_the_soh_ends_iteration() {
        for len in ["2", "4", "5", "99", "9999999999999999999"] {
            let buf = format!("212={len}\x01213=abc\x0134=9\x01");
            let mut f = Fields::new(buf.as_bytes());
            assert_eq!(
                f.by_ref().map(|(t, _)| t).collect::<Vec<_>>(),
                [212],
                "{len}"
            );
            assert_eq!(
                f.error(),
                Some(DataFieldError::Overrun {
                    data: 213,
                    length: 212
                }),
                "{len}"
            );
        }
    }

    #[test]
    fn data_field_may_not_swallow_the_checksum() {
        // 96 would end exactly at the frame's last SOH.
        let m = Message::new(b"8=FIX.4.4\x019=12\x0135=D\x0195=9\x0196=ab\x0110=123\x01");
        assert_eq!(
            m.data_error(),
            Some(DataFieldError::Overrun {
                data: 96,
                length: 95
            })
        );
        let ok = Message::new(b"8=FIX.4.4\x019=12\x0135=D\x0195=2\x0196=ab\x0110=123\x01");
        assert_eq!((ok.data_error(), ok.get(10)), (None, Some(&b"123"[..])));
    }

    #[test]
    fn the_quick_test_finds_every_built_in_data_tag_and_only_those() {
        for &t in &BUILTIN_DATA {
            let field = format!("{t}=x\x01");
            assert!(may_hold_builtin_data(field.as_bytes()), "{t} first");
            assert!(
                may_hold_builtin_data(format!("35=D\x01{field}").as_bytes()),
                "{t}"
            );
        }
        for t in (1..700).filter(|t| !BUILTIN_DATA.contains(t)) {
            let m = format!("{t}=x\x01{t}=\x01{t}");
            assert!(!may_hold_builtin_data(m.as_bytes()), "{t}");
        }
        // At every offset, across the 64-byte windows.
        for pad in 0..200 {
            for (field, hit) in [
                ("96=x", true),
                ("355=x", true),
                ("97=x", false),
                ("356=x", false),
            ] {
                let m = format!("1={}\x01{field}\x01", "a".repeat(pad));
                assert_eq!(may_hold_builtin_data(m.as_bytes()), hit, "{pad} {field}");
            }
        }
        assert!(!may_hold_builtin_data(ER));
        assert!(!may_hold_builtin_data(b""));
    }

    #[test]
    fn dictionary_pairs_are_read_by_their_length_too() {
        let buf = b"5000=3\x015001=a\x01b\x0111=x\x01";
        let plain: Vec<u32> = Fields::new(buf).map(|(t, _)| t).collect();
        assert_eq!(plain, [5000, 5001, 0, 11]);
        let pairs = [(5001, 5000)];
        let f: Vec<_> = Fields::with_data(buf, &pairs).collect();
        assert_eq!(
            f,
            [(5000, &b"3"[..]), (5001, &b"a\x01b"[..]), (11, &b"x"[..])]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_data_value_round_trips_through_the_encoder_and_fields(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            tag in proptest::sample::select(&[96u32, 91, 213, 355, 622, 89][..]),
        ) {
            let len_tag = builtin_length_tag(tag).unwrap();
            let mut buf = Vec::new();
            crate::codec::encode::Body::new(&mut buf)
                .str(11, b"a")
                .data(len_tag, tag, &data)
                .str(58, b"z");
            let mut f = Fields::new(&buf);
            let got: Vec<_> = f.by_ref().collect();
            proptest::prop_assert_eq!(f.error(), None);
            let len = data.len().to_string();
            proptest::prop_assert_eq!(
                got,
                vec![(11, &b"a"[..]), (len_tag, len.as_bytes()), (tag, &data[..]), (58, &b"z"[..])]
            );
        }

        #[test]
        fn the_quick_test_never_hides_a_data_field_error(
            parts in proptest::collection::vec(
                proptest::sample::select(&["95=", "96=", "213=", "212=", "2", "0", "\x01", "a", "10=000\x01"][..]), 0..40),
        ) {
            let bytes = parts.concat().into_bytes();
            let mut full = Fields::of_frame(&bytes, &[]);
            full.by_ref().for_each(drop);
            proptest::prop_assert_eq!(Message::new(&bytes).data_error(), full.error());
        }

        #[test]
        fn fields_never_panic_and_values_stay_inside_the_buffer(
            bytes in proptest::collection::vec(
                proptest::sample::select(&b"0123456789=\x01a"[..]), 0..200),
        ) {
            let pairs = [(7u32, 6u32)];
            for (_, v) in Fields::with_data(&bytes, &pairs) {
                let at = v.as_ptr() as usize - bytes.as_ptr() as usize;
                proptest::prop_assert!(at + v.len() <= bytes.len());
            }
        }
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
