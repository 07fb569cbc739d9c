//! The machine's local time zone (QuickFIX's `UseLocalTime=Y`), found as
//! the C library finds it: `$TZ` (an IANA name, optionally after `:`, or
//! the path of a TZif file; empty means UTC), else `/etc/localtime`, else
//! UTC. Read once, when the settings are loaded.

use std::path::Path;
use std::sync::Arc;

use super::{TimeZone, ZoneRules};

impl TimeZone {
    /// The machine's local zone now: from `$TZ`, else `/etc/localtime`.
    ///
    /// ```
    /// let zone = gapless::schedule::TimeZone::local();
    /// assert!(zone.is_ok() || zone.unwrap_err().contains("TZ"));
    /// ```
    pub fn local() -> Result<TimeZone, String> {
        let tz = std::env::var("TZ").ok();
        Self::local_from(tz.as_deref(), Path::new("/etc/localtime"))
    }

    /// The local zone given the value of `$TZ` (if set) and the path of
    /// the system's localtime file.
    ///
    /// ```
    /// use gapless::schedule::TimeZone;
    /// let none = std::path::Path::new("/nonexistent/localtime");
    /// assert_eq!(TimeZone::local_from(None, none), Ok(TimeZone::Fixed(0)));
    /// assert_eq!(TimeZone::local_from(Some(""), none), Ok(TimeZone::Fixed(0)));
    /// ```
    pub fn local_from(tz: Option<&str>, localtime: &Path) -> Result<TimeZone, String> {
        match tz.map(|t| t.strip_prefix(':').unwrap_or(t).trim()) {
            Some("") => Ok(TimeZone::Fixed(0)),
            Some(path) if path.starts_with('/') => file(path, Path::new(path)),
            Some(name) => ZoneRules::load(name)
                .map(|z| TimeZone::Iana(Arc::new(z)))
                .map_err(|why| {
                    format!(
                        "TZ={name}: {why}; set TZ to an IANA zone name (such as \
                         Europe/London), unset it to use /etc/localtime, or use TimeZone \
                         instead of UseLocalTime (POSIX TZ rules are not read)"
                    )
                }),
            None if !localtime.exists() => Ok(TimeZone::Fixed(0)),
            None => file(&zone_name(localtime), localtime),
        }
    }
}

/// A zone read from a TZif file, named `name`.
fn file(name: &str, path: &Path) -> Result<TimeZone, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the local zone from {} ({e}): set TZ to an IANA zone name, or use \
             TimeZone",
            path.display()
        )
    })?;
    ZoneRules::from_tzif(name, &bytes)
        .map(|z| TimeZone::Iana(Arc::new(z)))
        .ok_or_else(|| {
            format!(
                "{} is not a TZif file: set TZ to an IANA zone name, or use TimeZone",
                path.display()
            )
        })
}

/// `Europe/London` for a link into `…/zoneinfo/Europe/London`, else the
/// path itself.
fn zone_name(localtime: &Path) -> String {
    let target = std::fs::read_link(localtime).unwrap_or_else(|_| localtime.to_owned());
    let text = target.to_string_lossy();
    match text.split_once("zoneinfo/") {
        Some((_, name)) => name.to_string(),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW_YORK: &str = "/usr/share/zoneinfo/America/New_York";

    #[test]
    fn tz_naming_an_iana_zone_is_that_zone() {
        if !Path::new(NEW_YORK).exists() {
            eprintln!("no tz database on this machine: skipped");
            return;
        }
        let none = Path::new("/nonexistent");
        let want = TimeZone::Iana(Arc::new(ZoneRules::load("America/New_York").unwrap()));
        assert_eq!(
            TimeZone::local_from(Some("America/New_York"), none),
            Ok(want.clone())
        );
        assert_eq!(
            TimeZone::local_from(Some(":America/New_York"), none),
            Ok(want)
        );
    }

    #[test]
    fn without_tz_the_localtime_file_gives_the_zone_and_its_name() {
        if !Path::new(NEW_YORK).exists() {
            eprintln!("no tz database on this machine: skipped");
            return;
        }
        let dir = std::env::temp_dir().join(format!("gapless-localtime-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("localtime");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(NEW_YORK, &link).unwrap();
        let zone = TimeZone::local_from(None, &link).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let TimeZone::Iana(z) = &zone else {
            panic!("{zone:?}")
        };
        assert_eq!(z.name, "America/New_York");
        assert_eq!(zone.offset_at(1_705_320_000), -5 * 3600, "2024-01-15");
        assert_eq!(zone.offset_at(1_721_044_800), -4 * 3600, "2024-07-15");
    }

    #[test]
    fn tz_that_is_no_zone_is_an_error_saying_what_to_set() {
        let e = TimeZone::local_from(Some("EST5EDT,M3.2.0,M11.1.0"), Path::new("/x")).unwrap_err();
        assert!(e.contains("IANA zone name"), "{e}");
        let not_tzif = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let e = TimeZone::local_from(Some(not_tzif), Path::new("/x")).unwrap_err();
        assert!(e.contains("not a TZif file"), "{e}");
    }
}
