//! A connection's receive buffer: a fixed buffer the transport reads into,
//! framed by the validator, compacted once the session has handled what
//! the validator released.

use crate::validator::{SeqValidator, Verdict};

/// The shortest well-formed frame (`8=FIX.\x019=5\x0135=0\x0110=000\x01`
/// is 26 bytes): the buffer holds at most this many frames per byte.
const MIN_FRAME: usize = 24;

/// Bytes one read may add.
pub(super) const READ_CHUNK: usize = 64 * 1024;

/// It never grows: the validator bounds a partial frame by the maximum
/// message size, so `max_message + READ_CHUNK` bytes always leave room
/// for the next read.
pub(super) struct Receiver {
    buf: Vec<u8>,
    len: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    verdicts: Vec<Verdict>,
    /// Verdicts handled so far.
    handled: usize,
}

impl Receiver {
    pub(super) fn new(max_message: usize) -> Self {
        let size = max_message + 64 + READ_CHUNK;
        Receiver {
            buf: vec![0; size],
            len: 0,
            base: 0,
            verdicts: Vec::with_capacity(size / MIN_FRAME + 1),
            handled: 0,
        }
    }

    pub(super) fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.len..]
    }

    pub(super) fn filled(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    pub(super) fn reset(&mut self) {
        (self.len, self.base) = (0, 0);
        self.verdicts.clear();
        self.handled = 0;
    }

    /// Frames what has arrived; take the verdicts with
    /// [`next_verdict`](Self::next_verdict).
    pub(super) fn frame(&mut self, index: u16, validator: &mut dyn SeqValidator) {
        self.verdicts.clear();
        self.handled = 0;
        validator.push(index, &self.buf[..self.len], self.base, &mut self.verdicts);
    }

    /// Every verdict of the last [`frame`](Self::frame) was taken.
    pub(super) fn all_handled(&self) -> bool {
        self.handled == self.verdicts.len()
    }

    pub(super) fn next_verdict(&mut self) -> Option<Verdict> {
        let v = self.verdicts.get(self.handled).copied();
        self.handled += usize::from(v.is_some());
        v
    }

    /// The bytes of verdict `v`.
    pub(super) fn frame_of(&self, v: &Verdict) -> &[u8] {
        let start = (v.offset - self.base) as usize;
        &self.buf[start..start + v.len as usize]
    }

    /// Drops the bytes before stream offset `keep` (the validator holds
    /// none of them any more).
    pub(super) fn release(&mut self, keep: u64) {
        let drop = (keep.saturating_sub(self.base) as usize).min(self.len);
        self.buf.copy_within(drop..self.len, 0);
        self.len -= drop;
        self.base += drop as u64;
    }
}
