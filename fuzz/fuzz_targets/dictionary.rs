//! The QuickFIX XML dictionary loader on arbitrary bytes: an error or a
//! dictionary, never a panic; a loaded one validates a message, and one
//! with data fields (the built-in RawData(96) and, read by the
//! dictionary's own pairs, tag 5001).
#![no_main]

use gapless::codec::message::Message;
use gapless::dict::{DataDictionary, Validator};
use libfuzzer_sys::fuzz_target;

const DATA: &[u8] = b"8=FIX.4.4\x019=63\x0135=C\x0134=2\x0149=A\x0156=B\x0152=20231114-22:13:20\x0195=3\x0196=\x01\x01\x015000=2\x015001=\x01=\x0110=000\x01";
const ORDER: &[u8] = b"8=FIX.4.4\x019=40\x0135=D\x0134=2\x0149=A\x0156=B\x0152=20231114-22:13:20\x0111=X\x0110=000\x01";

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = DataDictionary::parse(xml) {
        let v = Validator::new(d, None, Default::default());
        let _ = v.validate(&Message::new(ORDER));
        let _ = v.validate(&Message::new(DATA));
        let m = Message::with_data(DATA, v.data_pairs());
        let _ = (m.get(5001), m.data_error());
    }
});
