//! Small programs to copy when you put your own code on Gapless:
//!
//! - `order_client`: an initiator whose strategy thread sends
//!   NewOrderSingles through a [`gapless::runtime::send::SendHandle`]
//!   while its [`gapless::session::Application`] counts the replies;
//! - `venue`: an acceptor that answers every NewOrderSingle with an
//!   ExecutionReport.
//!
//! Both read a QuickFIX-style settings file and run on whatever transport
//! and validator it names:
//!
//! ```sh
//! cargo run --release -p gapless-examples --bin venue -- venue.cfg
//! cargo run --release -p gapless-examples --bin order_client -- client.cfg 1000
//! ```
//!
//! This library holds what both share.

use gapless::codec::encode::Body;
use gapless::codec::time::{self, Precision};

/// Appends a UTCTimestamp(ms) field for now.
///
/// ```
/// let mut body = Vec::new();
/// gapless_examples::timestamp(&mut gapless::codec::encode::Body::new(&mut body), 60);
/// assert!(body.starts_with(b"60=20"));
/// ```
pub fn timestamp(b: &mut Body, tag: u32) {
    let mut ts = [0u8; time::MAX_LEN];
    let n = time::format(time::now(), Precision::Millis, &mut ts);
    b.str(tag, &ts[..n]);
}
