//! The receive side of one connection: a fixed buffer the transport reads
//! into, the validator that frames it, and the loop that hands each
//! verdict and its frame to the session. Transport-agnostic (kernel
//! sockets, DPDK, in-memory tests).

use crate::codec::time::Nanos;
use crate::session::{Application, Ctx, Session};
use crate::validator::{SeqValidator, Verdict};

/// The shortest well-formed frame (`8=FIX.\x019=5\x0135=0\x0110=000\x01`
/// is 26 bytes): the buffer holds at most this many frames per byte.
const MIN_FRAME: usize = 24;

/// Bytes one read may add.
pub const READ_CHUNK: usize = 64 * 1024;

/// A connection's receive buffer. It never grows: the validator bounds a
/// partial frame by the maximum message size, so `max_message +
/// READ_CHUNK` bytes always leave room for the next read.
///
/// ```
/// use gapless::receive::Receiver;
/// let mut rx = Receiver::new(4096);
/// let n = rx.spare().len();
/// assert!(n >= 4096);
/// ```
pub struct Receiver {
    buf: Vec<u8>,
    len: usize,
    base: u64,
    verdicts: Vec<Verdict>,
}

impl Receiver {
    /// A buffer for frames of up to `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Receiver {
            buf: vec![0; max_message + 64 + READ_CHUNK],
            len: 0,
            base: 0,
            verdicts: Vec::with_capacity((max_message + 64 + READ_CHUNK) / MIN_FRAME + 1),
        }
    }

    /// Free space to read into; call [`filled`](Self::filled) after.
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.len..]
    }

    /// `n` bytes were read into [`spare`](Self::spare).
    pub fn filled(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    /// Copies `bytes` in (tests and in-memory transports); returns how
    /// many fitted.
    pub fn extend(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        n
    }

    /// Forgets buffered bytes (a new connection).
    pub fn reset(&mut self) {
        (self.len, self.base) = (0, 0);
    }

    /// Frames what has arrived and runs the session on every complete
    /// frame; returns how many frames were handled.
    pub fn process(
        &mut self,
        now: Nanos,
        session: &mut Session,
        validator: &mut dyn SeqValidator,
        app: &mut dyn Application,
    ) -> usize {
        let idx = session.index();
        self.verdicts.clear();
        validator.push(idx, &self.buf[..self.len], self.base, &mut self.verdicts);
        let n = self.verdicts.len();
        let mut ctx = Ctx {
            now,
            validator,
            app,
        };
        for v in &self.verdicts {
            let start = (v.offset - self.base) as usize;
            let frame = &self.buf[start..start + v.len as usize];
            session.on_frame(&mut ctx, v, frame);
        }
        session.sync_validator(ctx.validator);
        let keep = ctx.validator.retain_from(idx);
        let drop = ((keep - self.base) as usize).min(self.len);
        self.buf.copy_within(drop..self.len, 0);
        self.len -= drop;
        self.base += drop as u64;
        n
    }
}
