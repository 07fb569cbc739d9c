//! Typed against raw field access on the receive path: the application's
//! reads of a ~220-byte ExecutionReport — ExecType, OrdStatus and Side as
//! enums, LastPx, LastQty, CumQty and AvgPx as decimals, TransactTime as a
//! timestamp — through `gapless::fields` (generated enums, `Decimal`)
//! and by hand from raw `get` (byte compares, a digit loop). Alternating,
//! best of 5; prints ns per message for both and the ratio. Then the same
//! for a Parties group of three entries (the generated `groups::PARTIES`
//! against a hand-written field loop; both parse PartyRole with the
//! generated enum).
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin fields [-- ROUNDS]
//! ```

use std::hint::black_box;
use std::time::Instant;

use gapless::codec::encode::Encoder;
use gapless::codec::message::{Fields, Message};
use gapless::codec::time::{self, Precision};
use gapless::fields::fix44::{self as tag, groups, ExecType, OrdStatus, PartyRole, Side};
use gapless::fields::FixEnum;

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

/// The Parties group through the generated definition: ids' lengths
/// plus each role's discriminant.
fn typed_group(m: &Message) -> i64 {
    let Some(entries) = m.repeating(&groups::PARTIES) else {
        return -1;
    };
    entries
        .map(|e| {
            let id = e.get(tag::PARTY_ID).map_or(0, <[u8]>::len) as i64;
            let role = e.get(tag::PARTY_ROLE).and_then(PartyRole::parse);
            id + role.map_or(0, |r| r as i64)
        })
        .sum()
}

/// The same by hand: walk the fields, after 453 take 448 and 452 (the
/// role parsed by the same generated enum, so only the group access
/// differs).
fn raw_group(m: &Message) -> i64 {
    let mut sum = 0;
    let mut seen = false;
    for (t, v) in Fields::new(m.bytes()) {
        match t {
            453 => seen = true,
            448 if seen => sum += v.len() as i64,
            452 if seen => sum += PartyRole::parse(v).map_or(0, |r| r as i64),
            _ => {}
        }
    }
    sum
}

/// An ExecutionReport with a three-entry Parties group.
fn with_parties(seq: u32) -> Vec<u8> {
    let mut body = gapless_bench::fixture_body();
    body.extend_from_slice(b"453=3\x01448=GPLS\x01447=D\x01452=1\x01448=CL-42\x01447=D\x01452=3\x01448=TRADER-7\x01447=D\x01452=12\x01");
    let mut out = Vec::with_capacity(320);
    Encoder::new("FIX.4.4", "ISLD", "TW", Precision::Millis).encode(
        &mut out,
        b"8",
        seq,
        time::now(),
        &body,
    );
    out
}

/// Best of 5, alternating: ns per message of `a` and of `b` over `msgs`.
fn compare(
    msgs: &[Vec<u8>],
    rounds: usize,
    a: fn(&Message) -> i64,
    b: fn(&Message) -> i64,
) -> (f64, f64) {
    assert_eq!(a(&Message::new(&msgs[0])), b(&Message::new(&msgs[0])));
    let run = |f: fn(&Message) -> i64| {
        let t0 = Instant::now();
        let mut sum = 0i64;
        for _ in 0..rounds {
            for m in msgs {
                sum = sum.wrapping_add(f(&Message::new(black_box(m))));
            }
        }
        black_box(sum);
        t0.elapsed().as_nanos() as f64 / (rounds * msgs.len()) as f64
    };
    let (mut best_a, mut best_b) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        best_a = best_a.min(run(a));
        best_b = best_b.min(run(b));
    }
    (best_a, best_b)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let msgs: Vec<Vec<u8>> = (1..=1000)
        .map(|i| gapless_bench::fixture_with_seq("ISLD", "TW", i))
        .collect();
    let (typed_ns, raw_ns) = compare(&msgs, rounds, typed, raw);
    println!(
        "{{\"bench\":\"field_access\",\"bytes\":{},\"typed_ns\":{typed_ns:.1},\"raw_ns\":{raw_ns:.1},\"typed_over_raw\":{:.2}}}",
        msgs[0].len(),
        typed_ns / raw_ns
    );
    let msgs: Vec<Vec<u8>> = (1..=1000).map(with_parties).collect();
    let (typed_ns, raw_ns) = compare(&msgs, rounds, typed_group, raw_group);
    println!(
        "{{\"bench\":\"group_access\",\"bytes\":{},\"typed_ns\":{typed_ns:.1},\"raw_ns\":{raw_ns:.1},\"typed_over_raw\":{:.2}}}",
        msgs[0].len(),
        typed_ns / raw_ns
    );
}
