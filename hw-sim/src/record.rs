//! The 256-bit verdict record (`m_axis_verdict_tdata`).

/// One verdict record as the RTL emits it; field layout in
/// `docs/VALIDATOR.md`.
///
/// ```
/// let mut words = [0u32; 8];
/// words[0] = 3 | (1 << 16); // session 3, kind GAP
/// let r = hw_sim::Record(words);
/// assert_eq!((r.session(), r.kind()), (3, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Record(pub [u32; 8]);

impl Record {
    /// `width` (<= 64) bits starting at bit `lo`.
    fn bits(&self, lo: u32, width: u32) -> u64 {
        let mut v = 0u64;
        for i in 0..width {
            let b = lo + i;
            let bit = (self.0[(b / 32) as usize] >> (b % 32)) & 1;
            v |= u64::from(bit) << i;
        }
        v
    }

    /// Session index (`[15:0]`).
    pub fn session(&self) -> u16 {
        self.bits(0, 16) as u16
    }
    /// Verdict kind (`[23:16]`): 0 IN_ORDER … 8 DISABLED.
    pub fn kind(&self) -> u8 {
        self.bits(16, 8) as u8
    }
    /// Flags (`[31:24]`).
    pub fn flags(&self) -> u8 {
        self.bits(24, 8) as u8
    }
    /// Garble reason (`[39:32]`).
    pub fn reason(&self) -> u8 {
        self.bits(32, 8) as u8
    }
    /// First two MsgType bytes (`[55:40]`), zero-padded.
    pub fn msg_type(&self) -> [u8; 2] {
        [self.bits(40, 8) as u8, self.bits(48, 8) as u8]
    }
    /// MsgSeqNum (`[87:56]`).
    pub fn seq(&self) -> u32 {
        self.bits(56, 32) as u32
    }
    /// Expected seq before the frame (`[119:88]`).
    pub fn expected(&self) -> u32 {
        self.bits(88, 32) as u32
    }
    /// Gap end or NewSeqNo (`[151:120]`).
    pub fn aux(&self) -> u32 {
        self.bits(120, 32) as u32
    }
    /// Stream offset of the frame's first byte (`[215:152]`).
    pub fn offset(&self) -> u64 {
        self.bits(152, 64)
    }
    /// Frame length (`[247:216]`).
    pub fn len(&self) -> u32 {
        self.bits(216, 32) as u32
    }
    /// A zero-length frame (never emitted by the RTL).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
