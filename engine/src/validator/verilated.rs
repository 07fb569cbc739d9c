//! The RTL validator in the loop: [`VerilatedValidator`] streams each
//! session's new bytes through the Verilated `fpga/seq_validator.v`
//! (crate `gapless-hw-sim`) and turns its records into [`Verdict`]s.
//!
//! Built with `--features verilator`.

use hw_sim::{regs, Record, Sim, Stalls};

use super::{Counters, SeqValidator, Verdict, VerdictKind};

/// Why a [`VerilatedValidator`] cannot be built.
#[derive(Debug, PartialEq, Eq)]
pub enum VerilatedError {
    /// The RTL was built for fewer sessions than asked for.
    TooManySessions {
        /// Sessions asked for.
        asked: u16,
        /// Sessions the RTL has (`SESSIONS` parameter).
        built: u16,
    },
    /// BodyLength limit above the RTL's 7-digit maximum.
    MaxBodyTooLarge(u32),
}

impl std::fmt::Display for VerilatedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManySessions { asked, built } => write!(
                f,
                "{asked} sessions but the RTL has {built}: rebuild fpga/ with a larger SESSIONS"
            ),
            Self::MaxBodyTooLarge(n) => {
                write!(f, "maximum body {n} exceeds 9999999: lower MaxMessageSize")
            }
        }
    }
}

impl std::error::Error for VerilatedError {}

/// Per-session host bookkeeping: how far the stream was fed, and which
/// bytes the host must still keep.
#[derive(Clone, Copy, Default)]
struct Feed {
    fed: u64,
    retain: u64,
    /// After a Garbled record the RTL hunts for `8=FIX` from here.
    hunt_from: Option<u64>,
}

/// The Verilated RTL as a [`SeqValidator`].
///
/// ```
/// use gapless::validator::{SeqValidator, VerdictKind};
/// use gapless::validator::verilated::VerilatedValidator;
/// let mut v = VerilatedValidator::new(1, 4096).unwrap();
/// let mut out = Vec::new();
/// v.push(0, b"8=FIX.4.4\x019=10\x0135=0\x0134=2\x0110=166\x01", 0, &mut out);
/// assert_eq!(out[0].kind, VerdictKind::Gap);
/// ```
pub struct VerilatedValidator {
    sim: Sim,
    feeds: Vec<Feed>,
    enabled: Vec<bool>,
}

impl VerilatedValidator {
    /// A freshly reset RTL for `sessions` sessions with a BodyLength
    /// limit of `max_body`.
    pub fn new(sessions: u16, max_body: u32) -> Result<Self, VerilatedError> {
        if sessions > hw_sim::SESSIONS {
            return Err(VerilatedError::TooManySessions {
                asked: sessions,
                built: hw_sim::SESSIONS,
            });
        }
        if max_body > 9_999_999 {
            return Err(VerilatedError::MaxBodyTooLarge(max_body));
        }
        let mut sim = Sim::new();
        sim.write_reg(regs::MAX_BODY, max_body);
        Ok(VerilatedValidator {
            sim,
            feeds: vec![Feed::default(); usize::from(sessions)],
            enabled: vec![true; usize::from(sessions)],
        })
    }

    /// Makes the driver stall and split beats at random (tests).
    pub fn set_stalls(&mut self, stalls: Option<Stalls>) {
        self.sim.set_stalls(stalls);
    }

    /// Clock cycles simulated so far.
    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    fn control(&mut self, session: u16, reset_stream: bool) {
        let mut v = u32::from(self.enabled[usize::from(session)]) * regs::CTRL_ENABLE;
        if reset_stream {
            v |= regs::CTRL_RESET_STREAM;
        }
        self.sim.write_reg(regs::control(session), v);
    }

    fn counter(&mut self, lo: u16) -> u64 {
        let low = self.sim.read_reg(lo);
        u64::from(low) | u64::from(self.sim.read_reg(lo + 4)) << 32
    }
}

/// A record as a [`Verdict`].
pub fn verdict(r: &Record) -> Verdict {
    use VerdictKind::*;
    let kind = [
        InOrder,
        Gap,
        Duplicate,
        TooLow,
        SequenceReset,
        GapFill,
        Garbled,
        BadSeq,
        Disabled,
    ]
    .get(usize::from(r.kind()))
    .copied()
    .unwrap_or(Garbled);
    Verdict {
        session: r.session(),
        kind,
        flags: r.flags(),
        reason: r.reason(),
        msg_type: r.msg_type(),
        seq: r.seq(),
        expected: r.expected(),
        aux: r.aux(),
        offset: r.offset(),
        len: r.len(),
    }
}

impl VerilatedValidator {
    /// Like [`SeqValidator::push`] for several sessions at once: their new
    /// bytes go through the RTL beat by beat in turn (the session changes
    /// on every beat while two or more still have bytes), with no drain
    /// in between; then one drain. `out` gets each session's verdicts in
    /// stream order; verdicts of different sessions come in the order the
    /// RTL finished them. Each entry is `(session, window, window_offset)`
    /// as for `push`; the sessions must be distinct.
    ///
    /// ```
    /// use gapless::validator::{SeqValidator, VerdictKind};
    /// use gapless::validator::verilated::VerilatedValidator;
    /// let mut v = VerilatedValidator::new(2, 4096).unwrap();
    /// let hb = b"8=FIX.4.4\x019=10\x0135=0\x0134=1\x0110=165\x01";
    /// let mut out = Vec::new();
    /// v.push_interleaved(&[(0, &hb[..], 0), (1, &hb[..], 0)], &mut out);
    /// assert_eq!(out.len(), 2);
    /// assert!(out.iter().all(|v| v.kind == VerdictKind::InOrder));
    /// ```
    pub fn push_interleaved(&mut self, pushes: &[(u16, &[u8], u64)], out: &mut Vec<Verdict>) {
        let mut streams = Vec::with_capacity(pushes.len());
        for (i, &(session, window, window_offset)) in pushes.iter().enumerate() {
            assert!(
                pushes[..i].iter().all(|p| p.0 != session),
                "session {session} twice in one push_interleaved"
            );
            let fed = self.feeds[usize::from(session)].fed;
            streams.push((session, &window[(fed - window_offset) as usize..]));
        }
        let pattern: Vec<usize> = (0..pushes.len()).collect();
        self.sim.push_interleaved(&streams, &pattern);
        self.sim.drain();
        for &(session, window, window_offset) in pushes {
            self.feeds[usize::from(session)].fed = window_offset + window.len() as u64;
        }
        for r in self.sim.records() {
            let v = verdict(&r);
            let feed = &mut self.feeds[usize::from(v.session)];
            if v.kind == VerdictKind::Garbled {
                feed.hunt_from = Some(v.offset + u64::from(v.len) - 1);
            } else {
                (feed.retain, feed.hunt_from) = (v.offset + u64::from(v.len), None);
            }
            out.push(v);
        }
        // While the RTL hunts, the next frame starts at the first `8=FIX`
        // from the offending byte on, or within the last four bytes.
        for &(session, window, window_offset) in pushes {
            let feed = &mut self.feeds[usize::from(session)];
            if let Some(from) = feed.hunt_from {
                let tail = &window[(from - window_offset) as usize..];
                feed.retain = super::hunt(tail, from).unwrap_or_else(|keep| keep);
                feed.hunt_from = Some(feed.retain);
            }
        }
    }
}

impl SeqValidator for VerilatedValidator {
    fn push(&mut self, session: u16, window: &[u8], window_offset: u64, out: &mut Vec<Verdict>) {
        self.push_interleaved(&[(session, window, window_offset)], out);
    }

    fn retain_from(&self, session: u16) -> u64 {
        self.feeds[usize::from(session)].retain
    }

    fn set_expected(&mut self, session: u16, seq: u32) {
        self.sim.write_reg(regs::expected(session), seq);
    }

    fn expected(&mut self, session: u16) -> u32 {
        self.sim.read_reg(regs::expected(session))
    }

    fn set_enabled(&mut self, session: u16, enabled: bool) {
        self.enabled[usize::from(session)] = enabled;
        self.control(session, false);
    }

    fn reset_stream(&mut self, session: u16) {
        self.feeds[usize::from(session)] = Feed::default();
        self.control(session, true);
    }

    fn counters(&mut self) -> Counters {
        Counters {
            messages: self.counter(regs::MSGS),
            gaps: self.counter(regs::GAPS),
            garbled: self.counter(regs::GARBLED),
        }
    }
}
