//! IANA time zones (`America/New_York`) from the system's compiled tz
//! database (`/usr/share/zoneinfo`, or `$TZDIR`), read once at
//! configuration time. The TZif format — transitions, and the POSIX TZ
//! footer that slim files (zic's default since 2020b) and every instant
//! after the last transition depend on — is jiff's to parse.

use std::path::PathBuf;

/// One zone's UTC offsets over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneRules {
    /// The IANA name it was loaded from.
    pub name: String,
    tz: jiff::tz::TimeZone,
}

impl ZoneRules {
    /// The offset (seconds east of UTC) in force at `utc` (seconds since
    /// the epoch); instants beyond jiff's range take its limits'.
    pub fn offset_at(&self, utc: i64) -> i32 {
        use jiff::Timestamp;
        let t = Timestamp::from_second(utc).unwrap_or(match utc < 0 {
            true => Timestamp::MIN,
            false => Timestamp::MAX,
        });
        self.tz.to_offset(t).seconds()
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
        let tz = jiff::tz::TimeZone::tzif(name, bytes).ok()?;
        Some(ZoneRules {
            name: name.into(),
            tz,
        })
    }
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
        let z = ZoneRules::from_tzif("Test/Zone", &fixture()).unwrap();
        assert_eq!(z.offset_at(999_999), 3600);
        assert_eq!(z.offset_at(1_000_000), 7200);
    }

    #[test]
    fn truncated_or_foreign_bytes_are_refused_without_panic() {
        let f = fixture();
        for n in 0..f.len() {
            let _ = ZoneRules::from_tzif("T", &f[..n]);
        }
        assert!(ZoneRules::from_tzif("T", b"not a tzif file at all, no sir").is_none());
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

    /// A US-rules zone compiled by zic as a slim file: few or no
    /// transitions, the rules in the POSIX footer.
    fn slim_zone(dir: &std::path::Path) -> Vec<u8> {
        let src = dir.join("slim.zi");
        std::fs::write(
            &src,
            "Rule US 2007 max - Mar Sun>=8 2:00 1:00 D\n\
             Rule US 2007 max - Nov Sun>=1 2:00 0 S\n\
             Zone Test/Slim -5:00 US E%sT\n",
        )
        .unwrap();
        let ok = std::process::Command::new("zic")
            .args(["-b", "slim", "-d"])
            .arg(dir)
            .arg(&src)
            .status()
            .expect("zic (Debian libc-bin) compiles the test zone")
            .success();
        assert!(ok, "zic failed");
        std::fs::read(dir.join("Test/Slim")).unwrap()
    }

    #[test]
    fn a_slim_zone_file_follows_its_posix_footer_in_winter_summer_and_after_2037() {
        let dir = std::env::temp_dir().join(format!("gapless-slim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let z = ZoneRules::from_tzif("Test/Slim", &slim_zone(&dir)).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(z.offset_at(1_705_320_000), -5 * 3600, "2024-01-15");
        assert_eq!(z.offset_at(1_721_044_800), -4 * 3600, "2024-07-15");
        assert_eq!(z.offset_at(2_208_254_400), -5 * 3600, "2039-12-23");
        assert_eq!(z.offset_at(2_225_707_200), -4 * 3600, "2040-07-12");
    }
}
