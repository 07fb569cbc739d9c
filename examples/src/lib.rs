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
//! Both build their messages with the typed builders and read them with
//! the typed views generated from FIX44.xml
//! ([`gapless::fields::fix44::messages`]). This library crate holds only
//! this page.
