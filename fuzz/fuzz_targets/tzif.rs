//! The TZif (compiled tz database) parser behind `TimeZone=<IANA name>`
//! on arbitrary bytes: `None` or rules, never a panic; offsets are
//! answered for any instant.
#![no_main]

use gapless::schedule::ZoneRules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(z) = ZoneRules::from_tzif("Fuzz/Zone", data) {
        for t in [i64::MIN, -1, 0, 1_700_000_000, i64::MAX] {
            let _ = z.offset_at(t);
        }
    }
});
