//! The sequence validator: frames each session's inbound byte stream and
//! decides, per message, what its MsgSeqNum(34) means for the session.
//!
//! This is the seam between software and the FPGA (`fpga/seq_validator.v`).
//! Both implementations follow the contract below and emit the same
//! [`Verdict`] records, bit for bit; the differential tests in `hw-sim/`
//! hold them to it.
//!
//! # Framing contract
//!
//! Each session has its own byte stream (the in-order TCP payload) and its
//! own parser state, so a tag or value may straddle any read or segment.
//! A frame is `8=FIX<...>\x01 9=<len>\x01 <body of len bytes> 10=<ddd>\x01`:
//!
//! 1. The frame starts with the five bytes `8=FIX`; the BeginString value
//!    runs to the first SOH, at most [`MAX_BEGIN_STRING`] bytes after `8=`.
//! 2. `9=` follows at once, then 1..=7 digits and SOH; the value must be
//!    at most the configured maximum body length. The check happens on the
//!    SOH that ends the field, so `9=999999999` never buffers anything.
//! 3. The body is exactly BodyLength bytes. Its first field must be
//!    `35=`, and its last byte must be SOH.
//! 4. Then exactly `10=`, three digits and SOH. The checksum is the sum of
//!    every byte from `8` up to and including the SOH before `10=`, mod 256.
//!
//! Any mismatch is detected at a definite *offending byte*: the first byte
//! that differs from what rule 1–4 expects (for rule 2's value checks and
//! rule 3's MsgType check, the SOH or `=` at which it becomes known; for a
//! body not ending in SOH, the first trailer byte; for a wrong checksum, the
//! final SOH). The parser then emits one [`VerdictKind::Garbled`] record
//! with `offset` = the frame's first byte and `len` = the bytes up to and
//! including the offending byte, and *hunts*: it skips bytes, silently,
//! until it sees `8=FIX`, which starts the next frame. The offending byte
//! itself takes part in the hunt (a garbled frame whose offending byte is
//! the `8` of the next frame loses nothing). A stream that starts with
//! anything but `8` gets a one-byte Garbled record and hunts likewise.
//!
//! Inside a well-framed body the validator reads, first occurrence only:
//! MsgType(35) (first two bytes kept), MsgSeqNum(34), PossDupFlag(43) = `Y`,
//! GapFillFlag(123) = `Y` and NewSeqNo(36). Tags are matched as exact byte
//! strings (`034` is not 34). Sequence numbers are 1..=10 digits (leading
//! zeros allowed) with a value of at most `u32::MAX`. BodyLength must be at
//! least 5 (`35=x<SOH>`), and MsgType must not be empty (offending byte:
//! the SOH right after `35=`).
//!
//! DATA fields: a field whose tag is one of the built-in DATA tags
//! ([`crate::codec::message::builtin_length_tag`]: RawData(96),
//! SecureData(91), XmlData(213), Signature(89), EncodedText(355), …)
//! directly after a field with its LENGTH tag whose value is 1..=7 digits
//! `L` has a value of the next `L` bytes, SOH, `=` and digits included,
//! then whatever runs to the next SOH (nothing, in a well-formed message).
//! No tag is read inside it, so a value holding `\x0134=` is no MsgSeqNum.
//! A value reaching the body's end ends the body's fields. Anything else
//! (no LENGTH just before, a LENGTH that is not 1..=7 digits) leaves the
//! DATA field an ordinary field, cut at the first SOH; the session layer
//! rejects such messages ([`crate::codec::message::Fields`]). The
//! validator knows no dictionary: DATA fields a dictionary adds are read as
//! ordinary fields here.
//!
//! # Sequencing contract
//!
//! With `exp` the session's expected inbound seq, see [`classify`].
//!
//! # Record
//!
//! See [`Verdict`]; `docs/VALIDATOR.md` gives the RTL's bit layout.

pub mod software;
#[cfg(feature = "verilator")]
pub mod verilated;

pub use software::SoftwareValidator;

/// Longest BeginString value accepted (`FIXT.1.1` is 8).
pub const MAX_BEGIN_STRING: usize = 16;

/// What a message's MsgSeqNum means for its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum VerdictKind {
    /// `seq == expected`: process it; expected becomes `seq + 1`.
    #[default]
    InOrder = 0,
    /// `seq > expected`: messages `expected..=aux` are missing.
    Gap = 1,
    /// `seq < expected` with PossDupFlag=Y: already seen, discard.
    Duplicate = 2,
    /// `seq < expected` without PossDupFlag: a fatal session error.
    TooLow = 3,
    /// SequenceReset-Reset: expected becomes `aux` (unless flagged backward).
    SequenceReset = 4,
    /// SequenceReset-GapFill at the expected seq: expected becomes `aux`.
    GapFill = 5,
    /// The bytes at `offset..offset+len` are not a well-formed frame.
    Garbled = 6,
    /// A well-formed frame whose MsgSeqNum (or a SequenceReset's NewSeqNo)
    /// is missing or not a valid number.
    BadSeq = 7,
    /// A well-formed frame on a session that is disabled: nothing checked.
    Disabled = 8,
}

/// `flags` bit: PossDupFlag(43)=Y.
pub const FLAG_POSS_DUP: u8 = 1;
/// `flags` bit: GapFillFlag(123)=Y.
pub const FLAG_GAP_FILL: u8 = 2;
/// `flags` bit: a SequenceReset/GapFill whose NewSeqNo would move expected
/// backward (or not forward, for a GapFill); expected was left unchanged.
pub const FLAG_BACKWARD: u8 = 4;
/// `flags` bit: MsgType is longer than the two bytes kept in `msg_type`.
pub const FLAG_LONG_MSG_TYPE: u8 = 8;

/// Why a frame is [`VerdictKind::Garbled`] (the `reason` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum GarbleReason {
    /// Not a garbled record.
    None = 0,
    /// The frame does not start with `8=FIX`, or BeginString has no SOH.
    BeginString = 1,
    /// `9=` missing, not digits, or empty.
    BodyLength = 2,
    /// BodyLength exceeds the configured maximum (or has over 7 digits).
    TooLong = 3,
    /// The body does not start with `35=`.
    MsgType = 4,
    /// The body does not end in SOH, or `10=ddd<SOH>` is not where
    /// BodyLength says.
    Trailer = 5,
    /// The CheckSum value differs from the computed sum.
    CheckSum = 6,
}

/// One fixed-width verdict record, as the RTL emits it on `m_verdict_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Session (connection) index, from `s_axis_tuser`.
    pub session: u16,
    /// What the seq means.
    pub kind: VerdictKind,
    /// `FLAG_*` bits.
    pub flags: u8,
    /// [`GarbleReason`] as `u8` for Garbled records, else 0.
    pub reason: u8,
    /// The first two bytes of MsgType, zero-padded (`b"D\0"`, `b"AE"`).
    pub msg_type: [u8; 2],
    /// MsgSeqNum(34), or 0 when absent.
    pub seq: u32,
    /// The session's expected seq before this message.
    pub expected: u32,
    /// Gap: last missing seq (`seq - 1`). SequenceReset/GapFill: NewSeqNo.
    /// Otherwise 0.
    pub aux: u32,
    /// Stream offset of the frame's first byte (bytes since the stream
    /// was reset for this session).
    pub offset: u64,
    /// Frame length in bytes (for Garbled: up to the offending byte).
    pub len: u32,
}

/// What the framer read from a well-formed frame: the inputs of [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SeqFields {
    /// MsgSeqNum(34) if present and valid.
    pub seq: Option<u32>,
    /// NewSeqNo(36) if present and valid.
    pub new_seq: Option<u32>,
    /// `FLAG_POSS_DUP | FLAG_GAP_FILL | FLAG_LONG_MSG_TYPE` as read.
    pub flags: u8,
    /// First two MsgType bytes, zero-padded.
    pub msg_type: [u8; 2],
}

/// Decides a well-formed frame's verdict against the session's expected
/// seq, returning `(kind, aux, flags, new expected)`.
///
/// This is the one definition of the sequencing rules; the RTL implements
/// the same table and the session re-applies it when it has moved
/// `expected` itself after a verdict was computed.
///
/// ```
/// use gapless::validator::{classify, SeqFields, VerdictKind};
/// let f = SeqFields { seq: Some(7), msg_type: *b"D\0", ..Default::default() };
/// assert_eq!(classify(&f, 5).0, VerdictKind::Gap);
/// assert_eq!(classify(&f, 7), (VerdictKind::InOrder, 0, 0, 8));
/// ```
pub fn classify(f: &SeqFields, exp: u32) -> (VerdictKind, u32, u8, u32) {
    let is_seq_reset = f.msg_type == *b"4\0";
    let gap_fill = f.flags & FLAG_GAP_FILL != 0;
    let (seq, new_seq) = match (f.seq, f.new_seq, is_seq_reset) {
        (Some(s), _, false) => (s, 0),
        (Some(s), Some(n), true) => (s, n),
        _ => return (VerdictKind::BadSeq, 0, f.flags, exp),
    };
    if is_seq_reset && !gap_fill {
        return if new_seq >= exp {
            (VerdictKind::SequenceReset, new_seq, f.flags, new_seq)
        } else {
            (
                VerdictKind::SequenceReset,
                new_seq,
                f.flags | FLAG_BACKWARD,
                exp,
            )
        };
    }
    if seq > exp {
        return (VerdictKind::Gap, seq - 1, f.flags, exp);
    }
    if seq < exp {
        let kind = if f.flags & FLAG_POSS_DUP != 0 {
            VerdictKind::Duplicate
        } else {
            VerdictKind::TooLow
        };
        return (kind, 0, f.flags, exp);
    }
    if is_seq_reset {
        return if new_seq > exp {
            (VerdictKind::GapFill, new_seq, f.flags, new_seq)
        } else {
            (VerdictKind::GapFill, new_seq, f.flags | FLAG_BACKWARD, exp)
        };
    }
    (VerdictKind::InOrder, 0, f.flags, exp.wrapping_add(1))
}

/// The hunt after a garbled frame: the stream offset of the first
/// `8=FIX` in `bytes` (which start at stream offset `from`), as `Ok`; or,
/// if there is none yet, as `Err` the offset from which a later `8=FIX`
/// could still start (the last four bytes may hold its beginning).
///
/// ```
/// use gapless::validator::hunt;
/// assert_eq!(hunt(b"xx8=FIX.4.4", 10), Ok(12));
/// assert_eq!(hunt(b"xxxxxx8=F", 10), Err(15));
/// ```
pub fn hunt(bytes: &[u8], from: u64) -> Result<u64, u64> {
    match memchr::memmem::find(bytes, b"8=FIX") {
        Some(p) => Ok(from + p as u64),
        None => Err(from.max((from + bytes.len() as u64).saturating_sub(4))),
    }
}

/// Counters the validator keeps (the RTL's counter registers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Counters {
    /// Well-formed frames seen (every kind but Garbled).
    pub messages: u64,
    /// Gap verdicts.
    pub gaps: u64,
    /// Garbled records.
    pub garbled: u64,
}

/// A sequence validator: software, Verilator-simulated RTL, or an FPGA.
///
/// The host owns each session's receive buffer. It calls [`push`] with a
/// *window*: the bytes from stream offset `window_offset` to the end of
/// what has arrived, where `window_offset` is at most
/// [`retain_from`]`(session)`. The validator examines only bytes it has not
/// seen yet (an RTL implementation streams exactly those) and appends one
/// record per completed frame to `out`, in stream order.
///
/// [`push`]: SeqValidator::push
/// [`retain_from`]: SeqValidator::retain_from
pub trait SeqValidator {
    /// Feeds `session`'s stream; appends verdicts for completed frames.
    fn push(&mut self, session: u16, window: &[u8], window_offset: u64, out: &mut Vec<Verdict>);
    /// The earliest stream offset whose bytes the validator may still read
    /// (the start of the frame it is in the middle of).
    fn retain_from(&self, session: u16) -> u64;
    /// Sets the expected inbound seq (Logon, reset, resumption, recovery).
    fn set_expected(&mut self, session: u16, seq: u32);
    /// The expected inbound seq (`&mut`: on hardware it is a register
    /// read).
    fn expected(&mut self, session: u16) -> u32;
    /// Enables or disables a session; a disabled session's frames are
    /// framed but not sequence-checked ([`VerdictKind::Disabled`]).
    fn set_enabled(&mut self, session: u16, enabled: bool);
    /// Starts a new stream for `session` (a new connection): parser state
    /// and offset go back to zero; expected and enable are kept.
    fn reset_stream(&mut self, session: u16);
    /// Counters since construction (`&mut`, as [`expected`]).
    ///
    /// [`expected`]: SeqValidator::expected
    fn counters(&mut self) -> Counters;
}
