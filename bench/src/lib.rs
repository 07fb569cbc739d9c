//! Shared pieces of the Gapless benchmarks: the fixture, message building
//! and a blocking FIX client for round trips.

use gapless::codec::encode::{Encoder, Outgoing};
use gapless::codec::time::{self, Precision};

/// The ~220-byte FIX.4.4 ExecutionReport every engine is measured on.
pub const FIXTURE: &[u8] = include_bytes!("../fixtures/exec_report.fix");

/// The fixture's body (from `35=` up to, not including, `10=`), with the
/// header fields an encoder writes itself (35, 49, 56, 34, 52) removed.
///
/// ```
/// assert!(gapless_bench::fixture_body().starts_with(b"37="));
/// ```
pub fn fixture_body() -> Vec<u8> {
    let m = gapless::codec::message::Message::new(FIXTURE);
    m.body().to_vec()
}

/// The fixture re-encoded as `sender`→`target` with MsgSeqNum `seq`.
///
/// ```
/// let m = gapless_bench::fixture_with_seq("ISLD", "TW", 7);
/// assert_eq!(gapless::codec::message::Message::new(&m).get_uint(34), Some(7));
/// ```
pub fn fixture_with_seq(sender: &str, target: &str, seq: u32) -> Vec<u8> {
    let enc = Encoder::new("FIX.4.4", sender, target, Precision::Millis);
    let body = fixture_body();
    let m = Outgoing {
        msg_type: b"8",
        seq,
        poss_dup: false,
        orig_sending_time: b"",
        body: &body,
    };
    let mut out = Vec::with_capacity(256);
    enc.encode_with(&mut out, &m, time::now());
    out
}

pub mod client;

/// A NewOrderSingle body (ClOrdID `n`), as the benchmarks send it.
///
/// ```
/// assert!(gapless_bench::order_body(5).starts_with(b"11=5\x01"));
/// ```
pub fn order_body(n: u64) -> Vec<u8> {
    format!("11={n}\x0121=1\x0155=GPLS\x0154=1\x0160=20231114-22:13:20.000\x0140=1\x0138=100\x01")
        .into_bytes()
}
