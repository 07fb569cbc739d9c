//! Cycle-accurate cosimulation of the FPGA sequence validator
//! (`fpga/seq_validator.v`), Verilated at build time.
//!
//! [`Sim`] clocks the model one cycle per call: it pushes AXI-Stream
//! beats of TCP payload, collects the verdict [`Record`]s the RTL emits,
//! and reads and writes the control registers ([`regs`]). [`Stalls`]
//! makes the driver insert random `tvalid` gaps, `tready` drops on the
//! verdict port and random beat fills, so tests cover what a real MAC
//! and consumer do.
//!
//! ```
//! let mut sim = hw_sim::Sim::new();
//! let hb = b"8=FIX.4.4\x019=10\x0135=0\x0134=1\x0110=165\x01";
//! sim.push_stream(0, hb);
//! sim.drain();
//! let records: Vec<_> = sim.records().collect();
//! assert_eq!(records[0].kind(), 0); // IN_ORDER
//! assert_eq!(sim.read_reg(hw_sim::regs::expected(0)), 2);
//! ```

mod ffi;
mod record;
pub mod regs;

pub use record::Record;

use std::ptr::NonNull;

/// Bytes per beat (`DATA_BYTES`).
pub const BEAT_BYTES: usize = 8;
/// Sessions in the default build (`SESSIONS`).
pub const SESSIONS: u16 = 64;
/// Cycles from the edge that accepts a beat to its record being valid.
pub const LATENCY_CYCLES: u64 = 3;

/// Random stalls and beat splits the driver inserts.
///
/// ```
/// let mut sim = hw_sim::Sim::new();
/// sim.set_stalls(Some(hw_sim::Stalls { seed: 7, valid_gap_pct: 20, ready_drop_pct: 30, random_fill: true }));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Stalls {
    /// Seed of the driver's generator.
    pub seed: u64,
    /// Percent of beats preceded by idle (`tvalid` low) cycles.
    pub valid_gap_pct: u8,
    /// Percent of cycles the verdict consumer holds `tready` low.
    pub ready_drop_pct: u8,
    /// Beats carry 1..=8 bytes at random lanes (sparse `tkeep`).
    pub random_fill: bool,
}

/// A Verilated `seq_validator` and its driver.
pub struct Sim {
    raw: NonNull<ffi::GvSim>,
    pins: ffi::Pins,
    last: ffi::Out,
    cycles: u64,
    records: Vec<Record>,
    stalls: Option<Stalls>,
    rng: u64,
}

// SAFETY: the model is built without --threads, keeps no thread-local
// state between calls, and `Sim` owns it exclusively; `&mut self` on
// every call means one thread uses it at a time.
unsafe impl Send for Sim {}

impl Default for Sim {
    fn default() -> Self {
        Self::new()
    }
}

impl Sim {
    /// A model after reset: every session enabled, expecting seq 1.
    ///
    /// ```
    /// assert_eq!(hw_sim::Sim::new().read_reg(hw_sim::regs::ID), 0x4750_4C53);
    /// ```
    pub fn new() -> Sim {
        Self::open(std::ptr::null())
    }

    /// Like [`Sim::new`], dumping every cycle to an FST file at `path`.
    ///
    /// ```no_run
    /// let sim = hw_sim::Sim::with_waves(std::path::Path::new("out/validator.fst"));
    /// ```
    #[cfg(feature = "waves")]
    pub fn with_waves(path: &std::path::Path) -> Sim {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path has no NUL");
        Self::open(c.as_ptr())
    }

    fn open(fst: *const std::os::raw::c_char) -> Sim {
        // SAFETY: gv_new takes a NUL-terminated path or null and returns
        // a fresh model (it aborts on allocation failure, never null).
        let raw = unsafe { ffi::gv_new(fst) };
        let mut sim = Sim {
            raw: NonNull::new(raw).expect("gv_new returned a model"),
            pins: ffi::Pins::default(),
            last: ffi::Out::default(),
            cycles: 0,
            records: Vec::new(),
            stalls: None,
            rng: 1,
        };
        sim.pins.rst = 1;
        for _ in 0..4 {
            sim.cycle();
        }
        sim.pins.rst = 0;
        sim.cycle();
        sim
    }

    /// Sets (or clears) the random stalls.
    pub fn set_stalls(&mut self, stalls: Option<Stalls>) {
        self.rng = stalls.map_or(1, |s| s.seed | 1);
        self.stalls = stalls;
    }

    fn random(&mut self) -> u64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn chance(&mut self, pct: u8) -> bool {
        pct > 0 && self.random() % 100 < u64::from(pct)
    }

    /// One clock cycle with the current pins; returns whether a beat
    /// presented on `s_axis` was accepted at this edge.
    fn cycle(&mut self) -> bool {
        let drop = self.stalls.map_or(0, |s| s.ready_drop_pct);
        self.pins.v_ready = u8::from(!self.chance(drop));
        if self.last.v_valid != 0 && self.pins.v_ready != 0 {
            self.records.push(Record(self.last.v_data));
        }
        let accepted = self.pins.tvalid != 0 && self.last.tready != 0;
        // SAFETY: `raw` is a live model owned by `self`; the pin and
        // output structs match the C layout (#[repr(C)]).
        unsafe { ffi::gv_cycle(self.raw.as_ptr(), &self.pins, &mut self.last) };
        self.cycles += 1;
        accepted
    }

    /// Presents one beat until the RTL accepts it. `keep` selects the
    /// valid lanes of `data` (lane `i` = byte `i`).
    ///
    /// ```
    /// let mut sim = hw_sim::Sim::new();
    /// sim.push_beat(0, *b"8=FIX.4.", 0xff, false);
    /// ```
    pub fn push_beat(&mut self, session: u16, data: [u8; BEAT_BYTES], keep: u8, last: bool) {
        let gap = self.stalls.map_or(0, |s| s.valid_gap_pct);
        while self.chance(gap) {
            self.pins.tvalid = 0;
            self.cycle();
        }
        self.pins.tdata = u64::from_le_bytes(data);
        self.pins.tkeep = keep;
        self.pins.tuser = session;
        self.pins.tlast = u8::from(last);
        self.pins.tvalid = 1;
        for _ in 0..1_000_000 {
            if self.cycle() {
                self.pins.tvalid = 0;
                return;
            }
        }
        panic!("seq_validator held s_axis_tready low for a million cycles");
    }

    /// Takes the next beat off `rest`: a full beat, or a random fill
    /// under [`Stalls::random_fill`].
    fn next_beat(&mut self, rest: &mut &[u8]) -> ([u8; BEAT_BYTES], u8) {
        let (mut data, mut keep) = ([0u8; BEAT_BYTES], 0u8);
        if self.stalls.is_some_and(|s| s.random_fill) {
            let mask = (self.random() as u8) | 1 << (self.random() % 8);
            for (lane, byte) in data.iter_mut().enumerate() {
                if mask & (1 << lane) != 0 && !rest.is_empty() {
                    (*byte, keep, *rest) = (rest[0], keep | 1 << lane, &rest[1..]);
                }
            }
        } else {
            let n = rest.len().min(BEAT_BYTES);
            data[..n].copy_from_slice(&rest[..n]);
            keep = ((1u16 << n) - 1) as u8;
            *rest = &rest[n..];
        }
        (data, keep)
    }

    /// Pushes `bytes` as beats: full beats, or random fills under
    /// [`Stalls::random_fill`]. Does not drain: records of earlier pushes
    /// may still be in the pipeline, and a following push's first beat
    /// is offered the cycle after this one's last.
    pub fn push_stream(&mut self, session: u16, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let (data, keep) = self.next_beat(&mut rest);
            self.push_beat(session, data, keep, rest.is_empty());
        }
    }

    /// Pushes several sessions' bytes beat by beat, without draining:
    /// beat `n` belongs to `streams[pattern[n % pattern.len()]]`, skipping
    /// streams already sent, so the session can change on every beat
    /// (`pattern` `[0, 1]`: A-B-A-B…; `[0, 0, 1]`: A-A-B…). Without
    /// [`Stalls`] each beat is offered the cycle after the previous one.
    ///
    /// ```
    /// let mut sim = hw_sim::Sim::new();
    /// let hb = b"8=FIX.4.4\x019=10\x0135=0\x0134=1\x0110=165\x01";
    /// let before = sim.cycles();
    /// sim.push_interleaved(&[(0, &hb[..]), (1, &hb[..])], &[0, 1]);
    /// assert_eq!(sim.cycles() - before, 8); // 2 x 4 beats, one per cycle
    /// sim.drain();
    /// assert_eq!(sim.records().count(), 2);
    /// ```
    pub fn push_interleaved(&mut self, streams: &[(u16, &[u8])], pattern: &[usize]) {
        assert!(
            pattern.iter().all(|&i| i < streams.len()),
            "pattern indexes streams"
        );
        let mut rests: Vec<&[u8]> = streams.iter().map(|&(_, b)| b).collect();
        let mut left = rests.iter().filter(|r| !r.is_empty()).count();
        let mut n = 0;
        while left > 0 {
            let k = pattern[n % pattern.len()];
            n += 1;
            if rests[k].is_empty() {
                continue;
            }
            let (data, keep) = self.next_beat(&mut rests[k]);
            let last = rests[k].is_empty();
            self.push_beat(streams[k].0, data, keep, last);
            left -= usize::from(last);
        }
    }

    /// Clocks until every accepted beat's records have come out.
    pub fn drain(&mut self) {
        self.pins.tvalid = 0;
        for _ in 0..LATENCY_CYCLES + 1 {
            self.cycle();
        }
        for _ in 0..1_000_000 {
            if self.last.v_valid == 0 {
                return;
            }
            self.cycle();
        }
        panic!("seq_validator kept m_axis_verdict_tvalid high for a million cycles");
    }

    /// The records collected so far, oldest first.
    pub fn records(&mut self) -> std::vec::Drain<'_, Record> {
        self.records.drain(..)
    }

    /// Reads a control register (two cycles).
    pub fn read_reg(&mut self, addr: u16) -> u32 {
        self.pins.tvalid = 0;
        (self.pins.ctl_addr, self.pins.ctl_rd) = (addr, 1);
        self.cycle();
        self.pins.ctl_rd = 0;
        self.last.ctl_rdata
    }

    /// Writes a control register (one cycle).
    pub fn write_reg(&mut self, addr: u16, value: u32) {
        self.pins.tvalid = 0;
        (self.pins.ctl_addr, self.pins.ctl_wdata, self.pins.ctl_wr) = (addr, value, 1);
        self.cycle();
        self.pins.ctl_wr = 0;
    }

    /// Clock cycles simulated since construction.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // SAFETY: `raw` came from gv_new and is freed exactly once here.
        unsafe { ffi::gv_free(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HB1: &[u8] = b"8=FIX.4.4\x019=10\x0135=0\x0134=1\x0110=165\x01";
    const HB3: &[u8] = b"8=FIX.4.4\x019=10\x0135=0\x0134=3\x0110=167\x01";

    #[test]
    fn a_gap_is_flagged_with_its_range() {
        let mut sim = Sim::new();
        sim.push_stream(4, &[HB1, HB3].concat());
        sim.drain();
        let r: Vec<_> = sim.records().collect();
        assert_eq!(r.len(), 2);
        assert_eq!((r[1].session(), r[1].kind()), (4, 1));
        assert_eq!((r[1].expected(), r[1].aux(), r[1].offset()), (2, 2, 32));
    }

    #[test]
    fn stalls_and_random_fills_do_not_change_verdicts() {
        let stream = [HB1, b"junk", HB3, HB1].concat();
        let mut plain = Sim::new();
        plain.push_stream(0, &stream);
        plain.drain();
        let want: Vec<_> = plain.records().collect();
        for seed in 1..20 {
            let mut sim = Sim::new();
            sim.set_stalls(Some(Stalls {
                seed,
                valid_gap_pct: 30,
                ready_drop_pct: 50,
                random_fill: true,
            }));
            sim.push_stream(0, &stream);
            sim.drain();
            assert_eq!(sim.records().collect::<Vec<_>>(), want, "seed {seed}");
        }
    }

    /// Each stream alone on session `base + i`, drained: the reference.
    fn alone(streams: &[&[u8]], base: u16) -> Vec<Vec<Record>> {
        let mut sim = Sim::new();
        for (i, s) in streams.iter().enumerate() {
            sim.push_stream(base + i as u16, s);
        }
        sim.drain();
        by_session(sim.records(), base, streams.len())
    }

    /// Records split by session, with the session field cleared.
    fn by_session(records: impl Iterator<Item = Record>, base: u16, n: usize) -> Vec<Vec<Record>> {
        let mut out = vec![Vec::new(); n];
        for mut r in records {
            let i = usize::from(r.session() - base);
            r.0[0] &= !0xffff;
            out[i].push(r);
        }
        out
    }

    #[test]
    fn sessions_switching_on_consecutive_beats_take_one_cycle_per_beat_and_keep_their_verdicts() {
        // Frames of 32, 37 and 34 bytes, so frames and fields straddle
        // beats and each switch leaves a session mid-field.
        let dup2 = b"8=FIX.4.4\x019=15\x0135=D\x0134=2\x0143=Y\x0110=189\x01";
        let hb100 = b"8=FIX.4.4\x019=12\x0135=0\x0134=100\x0110=007\x01";
        let streams: [Vec<u8>; 4] = [
            [HB1, &dup2[..], HB3, HB1].concat(),
            [HB3, HB1, b"x", &dup2[..], HB3].concat(),
            [HB1, HB1, HB3, &hb100[..]].concat(),
            [b"yy", HB1, HB1].concat(),
        ];
        let refs: Vec<&[u8]> = streams.iter().map(|s| &s[..]).collect();
        let want = alone(&refs, 0);
        let kinds: Vec<Vec<u8>> = want
            .iter()
            .map(|rs| rs.iter().map(|r| r.kind()).collect())
            .collect();
        assert_eq!(
            kinds,
            [
                vec![0, 0, 0, 3],
                vec![1, 0, 6, 0, 0],
                vec![0, 3, 1, 1],
                vec![6, 0, 3]
            ]
        );
        let patterns: [(&str, &[usize], usize); 5] = [
            ("A-B-A", &[0, 1], 2),
            ("A-A-B", &[0, 0, 1], 2),
            ("A-B-B", &[0, 1, 1], 2),
            ("every beat", &[0, 1, 2, 3], 4),
            ("irregular", &[0, 1, 0, 2, 3, 3, 1, 2, 0, 0, 3], 4),
        ];
        for (name, pattern, n) in patterns {
            let mut sim = Sim::new();
            let base = 20;
            let input: Vec<(u16, &[u8])> = (0..n).map(|i| (base + i as u16, refs[i])).collect();
            let beats: usize = refs[..n].iter().map(|s| s.len().div_ceil(BEAT_BYTES)).sum();
            let before = sim.cycles();
            sim.push_interleaved(&input, pattern);
            assert_eq!(
                sim.cycles() - before,
                beats as u64,
                "{name}: one beat accepted per cycle"
            );
            sim.drain();
            assert_eq!(by_session(sim.records(), base, n), want[..n], "{name}");
            for seed in 1..6 {
                let mut sim = Sim::new();
                sim.set_stalls(Some(Stalls {
                    seed,
                    valid_gap_pct: 20,
                    ready_drop_pct: 40,
                    random_fill: true,
                }));
                sim.push_interleaved(&input, pattern);
                sim.drain();
                let got = by_session(sim.records(), base, n);
                assert_eq!(got, want[..n], "{name} with stalls, seed {seed}");
            }
        }
    }

    #[test]
    fn pushes_without_drain_run_back_to_back() {
        let mut sim = Sim::new();
        let before = sim.cycles();
        for _ in 0..10 {
            sim.push_stream(7, HB1);
        }
        assert_eq!(sim.cycles() - before, 40, "40 beats in 40 cycles");
        sim.drain();
        let kinds: Vec<u8> = sim.records().map(|r| r.kind()).collect();
        assert_eq!(kinds, [0, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    }

    #[cfg(feature = "waves")]
    #[test]
    fn waves_are_written_to_an_fst_file() {
        let path = std::env::temp_dir().join(format!("hw-sim-{}.fst", std::process::id()));
        {
            let mut sim = Sim::with_waves(&path);
            sim.push_stream(0, HB1);
            sim.drain();
        }
        let bytes = std::fs::read(&path).expect("FST written");
        assert!(bytes.len() > 100, "FST has content");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn control_port_sets_expected_and_resets_the_stream() {
        let mut sim = Sim::new();
        sim.write_reg(regs::expected(1), 3);
        sim.push_stream(1, &HB3[..20]);
        sim.write_reg(
            regs::control(1),
            regs::CTRL_ENABLE | regs::CTRL_RESET_STREAM,
        );
        sim.push_stream(1, HB3);
        sim.drain();
        let r: Vec<_> = sim.records().collect();
        assert_eq!((r.len(), r[0].kind(), r[0].offset()), (1, 0, 0));
        assert_eq!(sim.read_reg(regs::expected(1)), 4);
        assert_eq!(sim.read_reg(regs::MSGS), 1);
    }
}
