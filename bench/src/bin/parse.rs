//! Benchmark (a), Gapless's side: frame, validate (BodyLength, CheckSum,
//! header order, BeginString, CompIDs, SendingTime) and sequence-check a
//! ~220-byte ExecutionReport, and read its data fields (the session's pass
//! that finds a RawData/XmlData/… LENGTH that cannot be read); with a
//! dictionary path, also validate it against that QuickFIX data
//! dictionary as the session would. Prints ns per message as a JSON line,
//! with the data-field pass alone as `ns_per_msg_data_fields`.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin parse [-- ROUNDS [FIX44.xml]]
//! ```

use std::time::Instant;

use gapless::codec::message::Message;
use gapless::codec::time;
use gapless::validator::{SeqValidator, SoftwareValidator, Verdict, VerdictKind};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let dict = std::env::args().nth(2).map(|p| {
        let d = gapless::dict::DataDictionary::load(std::path::Path::new(&p)).expect("dictionary");
        gapless::dict::Validator::new(d, None, Default::default())
    });
    let msgs: Vec<Vec<u8>> = (1..=1000)
        .map(|i| gapless_bench::fixture_with_seq("ISLD", "TW", i))
        .collect();
    let size = msgs[0].len();
    let mut v = SoftwareValidator::new(1, 65536);
    let mut out: Vec<Verdict> = Vec::with_capacity(4);
    let now = time::now();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut checked = 0u64;
        for _ in 0..rounds {
            v.set_expected(0, 1);
            for m in &msgs {
                v.reset_stream(0);
                out.clear();
                v.push(0, m, 0, &mut out);
                let verdict = out[0];
                assert_eq!(verdict.kind, VerdictKind::InOrder);
                let h = Message::new(&m[..verdict.len as usize]).header();
                let ok = h.begin_string == b"FIX.4.4"
                    && h.sender == b"ISLD"
                    && h.target == b"TW"
                    && time::parse(h.sending_time)
                        .is_some_and(|t| t.abs_diff(now) < 120_000_000_000);
                assert!(ok);
                assert!(Message::new(&m[..verdict.len as usize])
                    .data_error()
                    .is_none());
                if let Some(d) = &dict {
                    assert!(d
                        .validate(&Message::new(&m[..verdict.len as usize]))
                        .is_ok());
                }
                checked += 1;
            }
        }
        best = best.min(t0.elapsed().as_nanos() as f64 / checked as f64);
    }
    let mut data_pass = f64::MAX;
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut errors = 0usize;
        for _ in 0..rounds {
            for m in &msgs {
                errors += usize::from(std::hint::black_box(Message::new(m)).data_error().is_some());
            }
        }
        assert_eq!(errors, 0);
        data_pass = data_pass.min(t0.elapsed().as_nanos() as f64 / (rounds * msgs.len()) as f64);
    }
    let key = if dict.is_some() {
        "ns_per_msg_dictionary"
    } else {
        "ns_per_msg_no_dictionary"
    };
    println!(
        "{{\"engine\":\"gapless\",\"bytes\":{size},\"{key}\":{best:.1},\"ns_per_msg_data_fields\":{data_pass:.1}}}"
    );
}
