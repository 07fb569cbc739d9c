//! The control port's register map (byte addresses, 32-bit registers).
//!
//! ```
//! assert_eq!(hw_sim::regs::expected(2), 0x1010);
//! ```

/// `"GPLS"`, read-only.
pub const ID: u16 = 0x0000;
/// `{SESSIONS[15:0], DATA_BYTES[7:0], version[7:0]}`, read-only.
pub const PARAMS: u16 = 0x0004;
/// Largest BodyLength accepted (24 bits), read-write.
pub const MAX_BODY: u16 = 0x0008;
/// Well-formed frames; reading the low word latches the high word
/// (`+4`), as for the two counters below.
pub const MSGS: u16 = 0x0010;
/// GAP verdicts.
pub const GAPS: u16 = 0x0018;
/// GARBLED records.
pub const GARBLED: u16 = 0x0020;
/// Session `s`'s expected inbound seq, read-write.
pub const fn expected(s: u16) -> u16 {
    0x1000 + 8 * s
}
/// Session `s`'s control: [`CTRL_ENABLE`] (read-write) and
/// [`CTRL_RESET_STREAM`] (write 1: the next beat starts a new stream).
pub const fn control(s: u16) -> u16 {
    0x1004 + 8 * s
}
/// Control bit: the session's frames are sequence-checked.
pub const CTRL_ENABLE: u32 = 1;
/// Control bit: restart the session's parser at stream offset 0.
pub const CTRL_RESET_STREAM: u32 = 2;
