//! Typed against raw field access on the receive path: the application's
//! reads of a ~220-byte ExecutionReport — ExecType, OrdStatus and Side as
//! enums, LastPx, LastQty, CumQty and AvgPx as decimals, TransactTime as a
//! timestamp — through `gapless::fields` (generated enums, `Decimal`)
//! and by hand from raw `get` (byte compares, a digit loop). Alternating,
//! best of 5; prints ns per message for both and the ratio.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin fields [-- ROUNDS]
//! ```

use std::hint::black_box;
use std::time::Instant;

use gapless::codec::message::Message;
use gapless::codec::time;
use gapless::fields::fix44::{self as tag, ExecType, OrdStatus, Side};

fn typed(m: &Message) -> i64 {
    let e = m.get_enum::<ExecType>() == Some(ExecType::Trade);
    let o = m.get_enum::<OrdStatus>() == Some(OrdStatus::PartiallyFilled);
    let s = m.get_enum::<Side>() == Some(Side::Buy);
    let mut sum = i64::from(e) + i64::from(o) + i64::from(s);
    for t in [tag::LAST_PX, tag::LAST_QTY, tag::CUM_QTY, tag::AVG_PX] {
        sum += m.get_decimal(t).map_or(0, |d| d.mantissa);
    }
    sum + m
        .get_timestamp(tag::TRANSACT_TIME)
        .map_or(0, |t| (t % 1000) as i64)
}

/// What an application does without typed access: compares and a loop.
fn raw(m: &Message) -> i64 {
    let e = m.get(150) == Some(b"F");
    let o = m.get(39) == Some(b"1");
    let s = m.get(54) == Some(b"1");
    let mut sum = i64::from(e) + i64::from(o) + i64::from(s);
    for t in [31, 32, 14, 6] {
        let v = m.get(t).unwrap_or(b"");
        sum += v
            .iter()
            .filter(|b| b.is_ascii_digit())
            .fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
    }
    sum + m
        .get(60)
        .and_then(time::parse)
        .map_or(0, |t| (t % 1000) as i64)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let msgs: Vec<Vec<u8>> = (1..=1000)
        .map(|i| gapless_bench::fixture_with_seq("ISLD", "TW", i))
        .collect();
    assert_eq!(typed(&Message::new(&msgs[0])), raw(&Message::new(&msgs[0])));
    let run = |f: fn(&Message) -> i64| {
        let t0 = Instant::now();
        let mut sum = 0i64;
        for _ in 0..rounds {
            for m in &msgs {
                sum = sum.wrapping_add(f(&Message::new(black_box(m))));
            }
        }
        black_box(sum);
        t0.elapsed().as_nanos() as f64 / (rounds * msgs.len()) as f64
    };
    let (mut best_typed, mut best_raw) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        best_typed = best_typed.min(run(typed));
        best_raw = best_raw.min(run(raw));
    }
    println!(
        "{{\"bench\":\"field_access\",\"bytes\":{},\"typed_ns\":{best_typed:.1},\"raw_ns\":{best_raw:.1},\"typed_over_raw\":{:.2}}}",
        msgs[0].len(),
        best_typed / best_raw
    );
}
