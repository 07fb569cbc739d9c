//! The settings parser on arbitrary text: an error or settings, never a
//! panic; accepted settings keep the invariants `gapless run` relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = gapless::config::Settings::parse(&text) {
        assert!(!s.sessions.is_empty());
        for session in &s.sessions {
            let _ = (session.id(), session.file_id());
        }
    }
});
