//! The software validator: the production path on machines with no FPGA,
//! and the reference model the RTL is checked against.
//!
//! It works on the host's buffer (no copy): [`parse_frame`] examines a
//! frame in place and stops at the first byte it needs but does not have.

use super::{
    classify, Counters, GarbleReason, SeqFields, SeqValidator, Verdict, VerdictKind, FLAG_GAP_FILL,
    FLAG_LONG_MSG_TYPE, FLAG_POSS_DUP, MAX_BEGIN_STRING,
};

const SOH: u8 = 0x01;

/// What [`parse_frame`] found at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// More bytes are needed; nothing before them is wrong.
    Incomplete,
    /// A well-formed frame of `len` bytes.
    Complete {
        /// Frame length, `8=` to the final SOH.
        len: usize,
        /// Start of the body (the `3` of `35=`).
        body: usize,
        /// The sequencing fields the body carries.
        fields: SeqFields,
    },
    /// Not a frame: `at` is the offending byte's index.
    Garbled {
        /// Why.
        reason: GarbleReason,
        /// Index of the offending byte.
        at: usize,
    },
}

/// Parses the frame that starts at `buf[0]`, following the framing
/// contract in [`super`]. It never panics and never reads past `buf`.
///
/// ```
/// use gapless::validator::software::{parse_frame, Frame};
/// let msg = b"8=FIX.4.4\x019=5\x0135=0\x0110=163\x01";
/// assert!(matches!(parse_frame(msg, 4096), Frame::Complete { len: 26, .. }));
/// assert!(matches!(parse_frame(&msg[..10], 4096), Frame::Incomplete));
/// ```
pub fn parse_frame(buf: &[u8], max_body: u32) -> Frame {
    use GarbleReason::{BeginString, BodyLength, TooLong};
    let garbled = |reason, at| Frame::Garbled { reason, at };
    for (i, &want) in b"8=FIX".iter().enumerate() {
        match buf.get(i) {
            None => return Frame::Incomplete,
            Some(&b) if b != want => return garbled(BeginString, i),
            _ => {}
        }
    }
    let mut soh = 5;
    loop {
        match buf.get(soh) {
            None => return Frame::Incomplete,
            Some(&SOH) => break,
            Some(_) if soh == 2 + MAX_BEGIN_STRING => return garbled(BeginString, soh),
            _ => soh += 1,
        }
    }
    for (k, want) in [(soh + 1, b'9'), (soh + 2, b'=')] {
        match buf.get(k) {
            None => return Frame::Incomplete,
            Some(&b) if b != want => return garbled(BodyLength, k),
            _ => {}
        }
    }
    let (mut k, mut digits, mut body_len) = (soh + 3, 0u32, 0u32);
    loop {
        match buf.get(k) {
            None => return Frame::Incomplete,
            Some(&SOH) if digits == 0 || body_len < 5 => return garbled(BodyLength, k),
            Some(&SOH) if body_len > max_body => return garbled(TooLong, k),
            Some(&SOH) => break,
            Some(b) if b.is_ascii_digit() => {
                digits += 1;
                if digits > 7 {
                    return garbled(TooLong, k);
                }
                body_len = body_len * 10 + u32::from(b - b'0');
                k += 1;
            }
            Some(_) => return garbled(BodyLength, k),
        }
    }
    let body = k + 1;
    let body_end = body + body_len as usize;
    match check_body(buf, body, body_end) {
        Ok(()) => {}
        Err(None) => return Frame::Incomplete,
        Err(Some((reason, at))) => return garbled(reason, at),
    }
    if let Some(err) = check_trailer(buf, body_end) {
        return err;
    }
    let fields = read_seq_fields(&buf[body..body_end]);
    Frame::Complete {
        len: body_end + 7,
        body,
        fields,
    }
}

/// Rule 3: `35=` and a non-empty MsgType first, SOH last.
/// `Err(None)` means incomplete.
fn check_body(
    buf: &[u8],
    body: usize,
    body_end: usize,
) -> Result<(), Option<(GarbleReason, usize)>> {
    for (i, &want) in b"35=".iter().enumerate() {
        match buf.get(body + i) {
            None => return Err(None),
            Some(&b) if b != want => return Err(Some((GarbleReason::MsgType, body + i))),
            _ => {}
        }
    }
    match buf.get(body + 3) {
        None => return Err(None),
        Some(&SOH) => return Err(Some((GarbleReason::MsgType, body + 3))),
        _ => {}
    }
    match buf.get(body_end) {
        None => Err(None),
        Some(_) if buf[body_end - 1] != SOH => Err(Some((GarbleReason::Trailer, body_end))),
        _ => Ok(()),
    }
}

/// Rule 4: `10=ddd<SOH>` at `at`, with the right sum.
fn check_trailer(buf: &[u8], at: usize) -> Option<Frame> {
    let mut sum = 0u32;
    for i in 0..7 {
        let Some(&b) = buf.get(at + i) else {
            return Some(Frame::Incomplete);
        };
        let ok = match i {
            0 => b == b'1',
            1 => b == b'0',
            2 => b == b'=',
            3..=5 => b.is_ascii_digit(),
            _ => b == SOH,
        };
        if !ok {
            return Some(Frame::Garbled {
                reason: GarbleReason::Trailer,
                at: at + i,
            });
        }
        if (3..=5).contains(&i) {
            sum = sum * 10 + u32::from(b - b'0');
        }
    }
    if sum != u32::from(checksum(&buf[..at])) {
        return Some(Frame::Garbled {
            reason: GarbleReason::CheckSum,
            at: at + 6,
        });
    }
    None
}

/// The FIX CheckSum of `bytes`: their sum mod 256.
///
/// ```
/// assert_eq!(gapless::validator::software::checksum(b"\x01\x02"), 3);
/// ```
pub fn checksum(bytes: &[u8]) -> u8 {
    // Summing 32-bit lanes lets the compiler vectorize; 16 MiB cannot overflow.
    bytes
        .iter()
        .fold(0u32, |acc, &b| acc.wrapping_add(u32::from(b))) as u8
}

/// Reads 35, 34, 43, 123 and 36 (first occurrences) from a framed body,
/// reading the built-in DATA fields by their LENGTH (see [`super`]).
fn read_seq_fields(body: &[u8]) -> SeqFields {
    use crate::codec::message::{may_hold_builtin_data, SohPositions};
    let mut f = SeqFields::default();
    let mut seen = [false; 4];
    let mut start = 0;
    // The LENGTH field just read (its tag and value), for a DATA field.
    let mut length: Option<(u32, usize)> = None;
    // Most bodies hold no DATA field: they skip the tag parsing below.
    let data = may_hold_builtin_data(body);
    let mut sohs = SohPositions::new(body);
    while let Some(end) = sohs.next() {
        let field = &body[start..end];
        if start == 0 {
            // check_body guaranteed `35=` and a non-empty value.
            let value = &field[3..];
            f.msg_type = [value[0], value.get(1).copied().unwrap_or(0)];
            if value.len() > 2 {
                f.flags |= FLAG_LONG_MSG_TYPE;
            }
        } else if data {
            let (tag, value_at) = field_tag(field);
            if let Some(skip) = data_value(tag, length.take()) {
                // The value is the next `skip` bytes, SOH or not, then
                // whatever runs to the next SOH: look again from there.
                let value_end = start + value_at + skip;
                if value_end >= body.len() {
                    break;
                }
                sohs = SohPositions::from(body, value_end);
                continue;
            }
            length = length_field(tag, &field[value_at..]);
        }
        seq_field(field, &mut f, &mut seen);
        start = end + 1;
    }
    f
}

/// Records field `field` if it is the first 34, 36, 43 or 123. Tags are
/// matched as exact byte strings: no tag is parsed.
fn seq_field(field: &[u8], f: &mut SeqFields, seen: &mut [bool; 4]) {
    match field {
        [b'3', b'4', b'=', value @ ..] if !seen[0] => (seen[0], f.seq) = (true, parse_seq(value)),
        [b'3', b'6', b'=', value @ ..] if !seen[1] => {
            (seen[1], f.new_seq) = (true, parse_seq(value));
        }
        [b'4', b'3', b'=', value @ ..] if !seen[2] => {
            seen[2] = true;
            f.flags |= if value == b"Y" { FLAG_POSS_DUP } else { 0 };
        }
        [b'1', b'2', b'3', b'=', value @ ..] if !seen[3] => {
            seen[3] = true;
            f.flags |= if value == b"Y" { FLAG_GAP_FILL } else { 0 };
        }
        _ => {}
    }
}

/// A field's tag (1 to 3 digits, no leading zero, then `=`; else 0) and
/// where its value starts.
fn field_tag(field: &[u8]) -> (u32, usize) {
    let Some(eq) = field.iter().take(4).position(|&b| b == b'=') else {
        return (0, 0);
    };
    let digits = &field[..eq];
    if digits.is_empty() || digits[0] == b'0' || !digits.iter().all(u8::is_ascii_digit) {
        return (0, eq + 1);
    }
    let tag = digits.iter().fold(0, |t, &b| t * 10 + u32::from(b - b'0'));
    (tag, eq + 1)
}

/// `(tag, L)` if `tag` is a built-in LENGTH tag and `value` 1 to 7
/// digits worth `L`.
fn length_field(tag: u32, value: &[u8]) -> Option<(u32, usize)> {
    let is_length = tag == 93 || (tag != 88 && crate::codec::message::is_builtin_data(tag + 1));
    if !is_length || value.is_empty() || value.len() > 7 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((
        tag,
        value.iter().fold(0, |n, &b| n * 10 + usize::from(b - b'0')),
    ))
}

/// The bytes DATA field `tag` skips: `L` when it directly follows its
/// LENGTH field `length`.
fn data_value(tag: u32, length: Option<(u32, usize)>) -> Option<usize> {
    let (length_tag, skip) = length?;
    (crate::codec::message::builtin_length_tag(tag) == Some(length_tag)).then_some(skip)
}

/// 1..=10 ASCII digits with a value of at most `u32::MAX`.
///
/// ```
/// use gapless::validator::software::parse_seq;
/// assert_eq!(parse_seq(b"0042"), Some(42));
/// assert_eq!(parse_seq(b"4294967296"), None);
/// assert_eq!(parse_seq(b""), None);
/// ```
pub fn parse_seq(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.len() > 10 {
        return None;
    }
    let mut n = 0u64;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

#[derive(Clone, Copy, Debug)]
struct SessionState {
    expected: u32,
    enabled: bool,
    /// Where the current frame (or the hunt) starts.
    frame_start: u64,
    hunting: bool,
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState {
            expected: 1,
            enabled: true,
            frame_start: 0,
            hunting: false,
        }
    }
}

/// The software [`SeqValidator`].
///
/// ```
/// use gapless::validator::{SeqValidator, SoftwareValidator, VerdictKind};
/// let mut v = SoftwareValidator::new(1, 4096);
/// let mut out = Vec::new();
/// let msg = b"8=FIX.4.4\x019=10\x0135=0\x0134=2\x0110=166\x01";
/// v.push(0, msg, 0, &mut out);
/// assert_eq!(out[0].kind, VerdictKind::Gap);
/// assert_eq!((out[0].expected, out[0].aux), (1, 1));
/// ```
#[derive(Clone, Debug)]
pub struct SoftwareValidator {
    sessions: Vec<SessionState>,
    max_body: u32,
    counters: Counters,
}

impl SoftwareValidator {
    /// A validator for `sessions` sessions, each expecting seq 1, with a
    /// maximum BodyLength of `max_body` bytes.
    pub fn new(sessions: u16, max_body: u32) -> Self {
        SoftwareValidator {
            sessions: vec![SessionState::default(); usize::from(sessions)],
            max_body,
            counters: Counters::default(),
        }
    }

    fn verdict(&mut self, session: u16, offset: u64, len: usize, fields: &SeqFields) -> Verdict {
        let st = &mut self.sessions[usize::from(session)];
        let exp = st.expected;
        let (kind, aux, flags, next) = if st.enabled {
            classify(fields, exp)
        } else {
            (VerdictKind::Disabled, 0, fields.flags, exp)
        };
        st.expected = next;
        self.counters.messages += 1;
        self.counters.gaps += u64::from(kind == VerdictKind::Gap);
        Verdict {
            session,
            kind,
            flags,
            reason: 0,
            msg_type: fields.msg_type,
            seq: fields.seq.unwrap_or(0),
            expected: exp,
            aux,
            offset,
            len: len as u32,
        }
    }
}

impl SeqValidator for SoftwareValidator {
    fn push(&mut self, session: u16, window: &[u8], window_offset: u64, out: &mut Vec<Verdict>) {
        loop {
            let st = self.sessions[usize::from(session)];
            let start = (st.frame_start - window_offset) as usize;
            let buf = &window[start..];
            if st.hunting {
                let st = &mut self.sessions[usize::from(session)];
                match super::hunt(buf, st.frame_start) {
                    Ok(start) => (st.frame_start, st.hunting) = (start, false),
                    Err(keep) => {
                        st.frame_start = keep;
                        return;
                    }
                }
                continue;
            }
            match parse_frame(buf, self.max_body) {
                Frame::Incomplete => return,
                Frame::Complete { len, fields, .. } => {
                    let v = self.verdict(session, st.frame_start, len, &fields);
                    out.push(v);
                    self.sessions[usize::from(session)].frame_start += len as u64;
                }
                Frame::Garbled { reason, at } => {
                    self.counters.garbled += 1;
                    out.push(Verdict {
                        session,
                        kind: VerdictKind::Garbled,
                        reason: reason as u8,
                        expected: st.expected,
                        offset: st.frame_start,
                        len: at as u32 + 1,
                        ..Verdict::default()
                    });
                    let st = &mut self.sessions[usize::from(session)];
                    (st.frame_start, st.hunting) = (st.frame_start + at as u64, true);
                }
            }
        }
    }

    fn retain_from(&self, session: u16) -> u64 {
        self.sessions[usize::from(session)].frame_start
    }

    fn set_expected(&mut self, session: u16, seq: u32) {
        self.sessions[usize::from(session)].expected = seq;
    }

    fn expected(&mut self, session: u16) -> u32 {
        self.sessions[usize::from(session)].expected
    }

    fn set_enabled(&mut self, session: u16, enabled: bool) {
        self.sessions[usize::from(session)].enabled = enabled;
    }

    fn reset_stream(&mut self, session: u16) {
        let st = &mut self.sessions[usize::from(session)];
        (st.frame_start, st.hunting) = (0, false);
    }

    fn counters(&mut self) -> Counters {
        self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HB: &[u8] = b"8=FIX.4.4\x019=10\x0135=0\x0134=1\x0110=165\x01";

    fn run(v: &mut SoftwareValidator, stream: &[u8], chunk: usize) -> Vec<Verdict> {
        let mut out = Vec::new();
        let mut have = 0;
        while have < stream.len() {
            have = (have + chunk).min(stream.len());
            let from = v.retain_from(0) as usize;
            v.push(0, &stream[from..have], from as u64, &mut out);
        }
        out
    }

    #[test]
    fn checksum_of_fixture_matches_trailer() {
        assert_eq!(checksum(&HB[..HB.len() - 7]), 165);
    }

    #[test]
    fn verdicts_do_not_depend_on_read_boundaries() {
        let stream = [HB, HB, b"junk", HB].concat();
        let whole = run(&mut SoftwareValidator::new(1, 4096), &stream, stream.len());
        for chunk in 1..stream.len() {
            assert_eq!(
                run(&mut SoftwareValidator::new(1, 4096), &stream, chunk),
                whole
            );
        }
        let kinds: Vec<_> = whole.iter().map(|v| v.kind).collect();
        use VerdictKind::*;
        assert_eq!(kinds, [InOrder, TooLow, Garbled, TooLow]);
        assert_eq!((whole[2].offset, whole[2].len), (2 * HB.len() as u64, 1));
    }

    #[test]
    fn huge_body_length_is_garbled_at_its_eighth_digit() {
        let f = parse_frame(b"8=FIX.4.4\x019=999999999\x01", 65536);
        assert_eq!(
            f,
            Frame::Garbled {
                reason: GarbleReason::TooLong,
                at: 19
            }
        );
    }

    #[test]
    fn body_length_over_maximum_is_garbled_at_its_soh() {
        let f = parse_frame(b"8=FIX.4.4\x019=70000\x01", 65536);
        assert_eq!(
            f,
            Frame::Garbled {
                reason: GarbleReason::TooLong,
                at: 17
            }
        );
    }

    #[test]
    fn wrong_checksum_is_garbled_at_final_soh_and_next_frame_survives() {
        let mut bad = HB.to_vec();
        bad[HB.len() - 2] = b'9';
        let out = run(
            &mut SoftwareValidator::new(1, 4096),
            &[&bad[..], HB].concat(),
            7,
        );
        assert_eq!(out[0].kind, VerdictKind::Garbled);
        assert_eq!(out[0].reason, GarbleReason::CheckSum as u8);
        assert_eq!(out[0].len as usize, HB.len());
        assert_eq!(out[1].kind, VerdictKind::InOrder);
    }

    #[test]
    fn short_body_length_swallows_bytes_then_resyncs() {
        let bad = b"8=FIX.4.4\x019=8\x0135=0\x0134=1\x0110=167\x01";
        let out = run(
            &mut SoftwareValidator::new(1, 4096),
            &[&bad[..], HB].concat(),
            3,
        );
        assert_eq!(out[0].reason, GarbleReason::Trailer as u8);
        assert_eq!(out[1].kind, VerdictKind::InOrder);
    }

    #[test]
    fn missing_msg_type_first_is_garbled() {
        let f = parse_frame(b"8=FIX.4.4\x019=10\x0134=1\x0135=0\x0110=165\x01", 4096);
        assert_eq!(
            f,
            Frame::Garbled {
                reason: GarbleReason::MsgType,
                at: 16
            }
        );
    }

    #[test]
    fn sequence_fields_are_read() {
        let body = b"35=4\x0134=5\x0143=Y\x01123=Y\x0136=9\x0134=7\x01";
        let f = read_seq_fields(body);
        assert_eq!(f.seq, Some(5));
        assert_eq!(f.new_seq, Some(9));
        assert_eq!(f.flags, FLAG_POSS_DUP | FLAG_GAP_FILL);
        assert_eq!(f.msg_type, *b"4\0");
    }

    #[test]
    fn a_data_value_holding_fake_tags_is_skipped_by_its_length() {
        // SecureData(91) in the header, before 34, hides a fake 34 and 43.
        let body = b"35=D\x0190=12\x0191=a\x0134=999\x0143=Y\x0134=5\x01";
        let f = read_seq_fields(body);
        assert_eq!((f.seq, f.flags), (Some(5), 0));
        // Signature(89) after SignatureLength(93), holding 36 and 123.
        let body = b"35=4\x0134=3\x0193=10\x0189=\x0136=1\x01123=Y\x0136=8\x01";
        let f = read_seq_fields(body);
        assert_eq!((f.new_seq, f.flags), (Some(8), 0));
    }

    #[test]
    fn a_data_field_without_a_usable_length_is_an_ordinary_field() {
        for body in [
            // No LENGTH just before.
            &b"35=D\x0190=6\x0149=X\x0191=a\x0134=9\x0134=5\x01"[..],
            // A LENGTH that is not 1..=7 digits.
            b"35=D\x0190=1x\x0191=a\x0134=9\x0134=5\x01",
            b"35=D\x0190=00000006\x0191=a\x0134=9\x0134=5\x01",
            // The wrong LENGTH for this DATA tag.
            b"35=D\x0195=6\x0191=a\x0134=9\x0134=5\x01",
        ] {
            assert_eq!(read_seq_fields(body).seq, Some(9), "{body:?}");
        }
    }

    #[test]
    fn a_data_value_ends_at_its_length_then_at_the_next_soh() {
        // RawData(96) of 2 bytes followed by junk up to the SOH: 34 after it counts.
        let f = read_seq_fields(b"35=D\x0195=2\x0196=abcd\x0134=4\x01");
        assert_eq!(f.seq, Some(4));
        // A length reaching past the body ends the fields.
        let f = read_seq_fields(b"35=D\x0195=40\x0196=a\x0134=4\x01");
        assert_eq!(f.seq, None);
    }

    #[test]
    fn a_frame_with_raw_data_holding_soh_and_a_fake_seq_is_judged_by_its_real_seq() {
        let body = "35=D\x0134=2\x0195=7\x0196=\x0134=99\x01\x01";
        let head = format!("8=FIX.4.4\x019={}\x01{body}", body.len());
        let msg = format!("{head}10={:03}\x01", checksum(head.as_bytes()));
        let out = run(&mut SoftwareValidator::new(1, 4096), msg.as_bytes(), 5);
        assert_eq!(
            (out[0].kind, out[0].expected, out[0].aux),
            (VerdictKind::Gap, 1, 1)
        );
    }

    #[test]
    fn gap_fill_moves_expected_and_reset_backward_is_flagged() {
        let f = SeqFields {
            seq: Some(3),
            new_seq: Some(10),
            flags: FLAG_GAP_FILL,
            msg_type: *b"4\0",
        };
        assert_eq!(
            classify(&f, 3),
            (VerdictKind::GapFill, 10, FLAG_GAP_FILL, 10)
        );
        let reset = SeqFields {
            flags: 0,
            new_seq: Some(2),
            ..f
        };
        assert_eq!(
            classify(&reset, 5),
            (
                VerdictKind::SequenceReset,
                2,
                super::super::FLAG_BACKWARD,
                5
            )
        );
    }
}
