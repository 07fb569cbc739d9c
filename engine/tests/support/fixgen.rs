//! Generated FIX streams for the validator differential tests: valid
//! frames, gaps, duplicates with and without PossDup, gap fills, resets,
//! bad sequence numbers and garbled frames, from a seeded generator.

/// xorshift64*: small, seedable, good enough for test generation.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// A frame with correct BodyLength and CheckSum around `body`.
pub fn frame(begin: &str, body: &[u8]) -> Vec<u8> {
    let mut f = format!("8={begin}\x019={}\x01", body.len()).into_bytes();
    f.extend_from_slice(body);
    let sum = f.iter().fold(0u32, |a, &b| a + u32::from(b)) % 256;
    f.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    f
}

/// One session's generator: it tracks the seq a well-behaved peer would
/// send next and deviates from it at random.
pub struct SessionGen {
    pub next: u32,
}

impl SessionGen {
    pub fn message(&mut self, rng: &mut Rng) -> Vec<u8> {
        let begin = ["FIX.4.4", "FIX.4.2", "FIXT.1.1"][rng.below(3) as usize];
        let roll = rng.below(100);
        let seq = self.next;
        let body: Vec<u8> = match roll {
            0..=59 => {
                self.next += 1;
                app_body(rng, &seq.to_string(), "")
            }
            60..=67 => {
                let s = seq + 1 + rng.below(5) as u32;
                self.next = s + 1;
                app_body(rng, &s.to_string(), "")
            }
            68..=72 => {
                let old = seq.saturating_sub(1 + rng.below(3) as u32);
                app_body(rng, &old.to_string(), "43=Y\x01122=20261124-12:00:00\x01")
            }
            73..=75 => app_body(rng, &seq.saturating_sub(1).to_string(), ""),
            76..=80 => {
                let to = seq + rng.below(6) as u32;
                self.next = to.max(seq);
                format!("35=4\x0134={seq}\x0143=Y\x01123=Y\x0136={to}\x01").into_bytes()
            }
            81..=82 => {
                let to = (seq + rng.below(20) as u32).saturating_sub(5);
                self.next = to.max(seq);
                format!("35=4\x0134={seq}\x0136={to}\x01").into_bytes()
            }
            83..=84 => {
                let bad = [
                    "34=\x01",
                    "34=12a\x01",
                    "34=99999999999\x01",
                    "034=5\x01",
                    "",
                ][rng.below(5) as usize];
                format!("35=0\x01{bad}49=A\x01").into_bytes()
            }
            _ => return garbled(rng, begin, seq),
        };
        frame(begin, &body)
    }
}

fn app_body(rng: &mut Rng, seq: &str, extra: &str) -> Vec<u8> {
    let mt = ["D", "8", "0", "AE", "BAD", "1"][rng.below(6) as usize];
    let pad = "X".repeat(rng.below(40) as usize);
    let seq_zero = if rng.pct(5) { "00" } else { "" };
    let order = rng.below(3);
    let dup34 = if rng.pct(5) { "34=1\x01" } else { "" };
    let noise = [
        "43=N\x01",
        "43=YY\x01",
        "123=Y\x01",
        "36=7\x01",
        "134=9\x01",
        "",
    ][rng.below(6) as usize];
    let fields = match order {
        0 => {
            format!("34={seq_zero}{seq}\x01{dup34}49=SNDR\x0156=TGT\x01{extra}{noise}58={pad}\x01")
        }
        1 => {
            format!("49=SNDR\x0156=TGT\x0134={seq_zero}{seq}\x01{extra}{noise}{dup34}58={pad}\x01")
        }
        _ => format!("{noise}49=SNDR\x01{extra}56=TGT\x0158={pad}\x0134={seq}\x01"),
    };
    format!("35={mt}\x01{fields}").into_bytes()
}

fn garbled(rng: &mut Rng, begin: &str, seq: u32) -> Vec<u8> {
    let good = frame(begin, format!("35=0\x0134={seq}\x01").as_bytes());
    match rng.below(6) {
        0 => {
            let mut f = good;
            let i = rng.below(f.len() as u64) as usize;
            f[i] = f[i].wrapping_add(1 + rng.below(200) as u8);
            f
        }
        1 => good[..rng.below(good.len() as u64) as usize].to_vec(),
        2 => (0..rng.below(30)).map(|_| rng.below(256) as u8).collect(),
        3 => b"8=FIX.4.4\x019=999999999\x01".to_vec(),
        4 => {
            let body = format!("35=0\x0134={seq}\x01");
            let len = body.len() as i64 + [-3i64, -1, 1, 4][rng.below(4) as usize];
            let mut f = format!("8={begin}\x019={len}\x01{body}").into_bytes();
            f.extend_from_slice(b"10=000\x01");
            f
        }
        _ => b"8=FIX.4.4\x019=5\x0134=1\x0110=000\x01".to_vec(),
    }
}
