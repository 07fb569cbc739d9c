//! The framer and parser on arbitrary bytes:
//! - `parse_frame` never panics and its answers stay inside the input;
//! - the SoftwareValidator gives the same verdicts whether the stream
//!   arrives whole or split at arbitrary points (the framing contract);
//! - every field accessor works on every complete frame, DATA fields
//!   (RawData(96) and the other LENGTH/DATA pairs) included, and every
//!   value lies inside the frame.
#![no_main]

use gapless::codec::message::Message;
use gapless::validator::software::{parse_frame, Frame};
use gapless::validator::{SeqValidator, SoftwareValidator, Verdict, VerdictKind};
use libfuzzer_sys::fuzz_target;

const MAX_BODY: u32 = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    check_parse_frame(stream);
    let whole = verdicts_whole(stream);
    let split = verdicts_split(stream, seed);
    assert_eq!(whole, split, "verdicts depend on how the stream is split");
    for v in &whole {
        if v.kind != VerdictKind::Garbled {
            let start = v.offset as usize;
            read_fields(&stream[start..start + v.len as usize]);
        }
    }
});

fn check_parse_frame(stream: &[u8]) {
    match parse_frame(stream, MAX_BODY) {
        Frame::Incomplete => {}
        Frame::Complete { len, body, .. } => assert!(body < len && len <= stream.len()),
        Frame::Garbled { at, .. } => assert!(at < stream.len()),
    }
}

fn verdicts_whole(stream: &[u8]) -> Vec<Verdict> {
    let mut v = SoftwareValidator::new(1, MAX_BODY);
    let mut out = vec![];
    v.push(0, stream, 0, &mut out);
    out
}

/// Feeds the stream in chunks whose sizes come from `seed`, keeping only
/// the bytes the validator asks to retain, as the receive buffer does.
fn verdicts_split(stream: &[u8], seed: u8) -> Vec<Verdict> {
    let mut v = SoftwareValidator::new(1, MAX_BODY);
    let (mut out, mut buf, mut base, mut at) = (vec![], Vec::new(), 0u64, 0usize);
    let mut x = u32::from(seed) | 1;
    while at < stream.len() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = (x as usize % 37 + 1).min(stream.len() - at);
        buf.extend_from_slice(&stream[at..at + n]);
        at += n;
        v.push(0, &buf, base, &mut out);
        let keep = v.retain_from(0);
        let drop = ((keep - base) as usize).min(buf.len());
        buf.drain(..drop);
        base += drop as u64;
    }
    out
}

fn read_fields(frame: &[u8]) {
    let m = Message::new(frame);
    let _ = (m.msg_type(), m.get(34), m.get_uint(34), m.flag(43));
    let _ = (m.sending_time(), m.body(), m.get(10));
    let h = m.header();
    let _ = (h.begin_string, h.sender, h.target);
    let _ = m.data_error();
    for (_, v) in m.fields().take(10_000).chain(m.body_fields().take(10_000)) {
        let at = (v.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
        assert!(at <= frame.len() && v.len() <= frame.len() - at);
    }
}
