//! IANA time zones (`America/New_York`) from the system's compiled tz
//! database (`/usr/share/zoneinfo`, or `$TZDIR`): the TZif files' UTC
//! offset transitions, read once at configuration time. No dependency.

use std::path::PathBuf;

/// One zone's UTC offsets over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneRules {
    /// The IANA name it was loaded from.
    pub name: String,
    /// Offset (seconds east of UTC) before the first transition.
    initial: i32,
    /// `(UTC seconds, offset from then on)`, ascending.
    transitions: Vec<(i64, i32)>,
}

impl ZoneRules {
    /// The offset in force at `utc` (seconds since the epoch). After the
    /// file's last transition (2037 in "fat" files) the last offset holds.
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self.transitions.partition_point(|&(t, _)| t <= utc) {
            0 => self.initial,
            i => self.transitions[i - 1].1,
        }
    }

    /// Loads `name` from the tz database directory (`$TZDIR`, else
    /// `/usr/share/zoneinfo`).
    pub fn load(name: &str) -> Result<ZoneRules, String> {
        let valid = |c: char| c.is_ascii_alphanumeric() || "/_-+".contains(c);
        if name.is_empty()
            || name.starts_with('/')
            || name.contains("..")
            || !name.chars().all(valid)
        {
            return Err(format!("{name:?} is not an IANA zone name"));
        }
        let dir = std::env::var_os("TZDIR")
            .map_or_else(|| PathBuf::from("/usr/share/zoneinfo"), PathBuf::from);
        let path = dir.join(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("zone {name:?} not found in {} ({e})", dir.display()))?;
        Self::from_tzif(name, &bytes)
            .ok_or_else(|| format!("{} is not a TZif file", path.display()))
    }

    /// Parses the bytes of a compiled TZif file (`None`: not one).
    ///
    /// ```
    /// assert!(gapless::schedule::ZoneRules::from_tzif("X", b"not TZif").is_none());
    /// ```
    pub fn from_tzif(name: &str, bytes: &[u8]) -> Option<ZoneRules> {
        parse_tzif(name, bytes)
    }
}

/// Big-endian reader over a byte slice; `None` past the end.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = b;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The counts of a TZif header, in file order.
struct Counts {
    isut: usize,
    isstd: usize,
    leap: usize,
    time: usize,
    types: usize,
    chars: usize,
}

fn header(c: &mut Cursor) -> Option<(u8, Counts)> {
    let head = c.take(20)?;
    if &head[..4] != b"TZif" {
        return None;
    }
    let mut n = || c.u32().map(|v| v as usize);
    let counts = Counts {
        isut: n()?,
        isstd: n()?,
        leap: n()?,
        time: n()?,
        types: n()?,
        chars: n()?,
    };
    Some((head[4], counts))
}

/// Parses a TZif file (version 1, or the 64-bit block of 2 and later).
fn parse_tzif(name: &str, bytes: &[u8]) -> Option<ZoneRules> {
    let mut c = Cursor(bytes);
    let (version, n) = header(&mut c)?;
    let (n, time_size) = if version >= b'2' {
        // Skip the 32-bit block; the 64-bit one follows with its own header.
        let v1 = n.time * 5 + n.types * 6 + n.chars + n.leap * 8 + n.isstd + n.isut;
        c.take(v1)?;
        (header(&mut c)?.1, 8)
    } else {
        (n, 4)
    };
    let times = c.take(n.time.checked_mul(time_size)?)?;
    let indices = c.take(n.time)?;
    let types = c.take(n.types.checked_mul(6)?)?;
    let offset = |i: usize| -> Option<i32> {
        let t = types.get(i * 6..i * 6 + 4)?;
        Some(i32::from_be_bytes([t[0], t[1], t[2], t[3]]))
    };
    let mut transitions = Vec::with_capacity(n.time);
    for (k, &idx) in indices.iter().enumerate() {
        let t = &times[k * time_size..(k + 1) * time_size];
        let at = match time_size {
            8 => i64::from_be_bytes(t.try_into().ok()?),
            _ => i64::from(i32::from_be_bytes(t.try_into().ok()?)),
        };
        transitions.push((at, offset(usize::from(idx))?));
    }
    Some(ZoneRules {
        name: name.to_string(),
        initial: offset(0)?,
        transitions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1 TZif with two types (+1 h, +2 h) and one transition.
    fn fixture() -> Vec<u8> {
        let mut b = b"TZif".to_vec();
        b.push(0);
        b.extend([0u8; 15]);
        for n in [0u32, 0, 0, 1, 2, 4] {
            b.extend(n.to_be_bytes());
        }
        b.extend(1_000_000i32.to_be_bytes());
        b.push(1);
        b.extend(3600i32.to_be_bytes());
        b.extend([0, 0]);
        b.extend(7200i32.to_be_bytes());
        b.extend([1, 0]);
        b.extend(b"AB\0\0");
        b
    }

    #[test]
    fn version_one_fixture_gives_offsets_around_its_transition() {
        let z = parse_tzif("Test/Zone", &fixture()).unwrap();
        assert_eq!(z.offset_at(999_999), 3600);
        assert_eq!(z.offset_at(1_000_000), 7200);
    }

    #[test]
    fn truncated_or_foreign_bytes_are_refused_without_panic() {
        let f = fixture();
        for n in 0..f.len() {
            let _ = parse_tzif("T", &f[..n]);
        }
        assert!(parse_tzif("T", b"not a tzif file at all, no sir").is_none());
    }

    #[test]
    fn names_that_escape_the_zone_directory_are_refused() {
        for bad in ["../etc/passwd", "/etc/localtime", "", "Europe/Lon don"] {
            assert!(ZoneRules::load(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn new_york_from_the_system_database_has_daylight_saving_time() {
        let Ok(z) = ZoneRules::load("America/New_York") else {
            eprintln!("no tz database on this machine: skipped");
            return;
        };
        assert_eq!(z.offset_at(1_705_320_000), -5 * 3600, "2024-01-15");
        assert_eq!(z.offset_at(1_721_044_800), -4 * 3600, "2024-07-15");
    }
}
