//! Gapless: a FIX session engine for colocated trading servers.
//!
//! # Running your own application
//!
//! Write an [`session::Application`] (one instance per session), point an
//! [`launch::EngineBuilder`] at a QuickFIX-style settings file, and start
//! it. The hot path calls your application in place for every message,
//! in order, exactly once; reply through the [`session::Sender`] it hands
//! you. To send from a thread of your own (a strategy), take a
//! [`runtime::send::SendHandle`] per thread before starting: each is a
//! lock-free ring into the hot path.
//!
//! ```no_run
//! use gapless::codec::message::Message;
//! use gapless::launch::EngineBuilder;
//! use gapless::session::{AppReject, Application, Sender};
//!
//! struct Acks;
//! impl Application for Acks {
//!     fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
//!         let id = msg.get(11).unwrap_or(b"");
//!         tx.send(b"8", |b| {
//!             b.str(11, id).str(37, id).str(17, id).char(150, b'0').char(39, b'0');
//!         });
//!         Ok(())
//!     }
//! }
//!
//! let mut builder = EngineBuilder::from_file("venue.cfg")?;
//! let mut orders = builder.sender();
//! let engine = builder.start(|_session_id| Box::new(Acks))?;
//! std::thread::spawn(move || {
//!     // session 0 of the file; the hot path stamps seq, time and CompIDs
//!     let _ = orders.send(0, b"D", b"11=1\x0155=GPLS\x0154=1\x0138=100\x0140=1\x01");
//! });
//! # engine.stop();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `Application` also has `on_logon`/`on_logout` (with the `SessionId`),
//! `poll` (a turn to send on every hot-path turn), `to_admin` (fields
//! for each admin message we send: a password on our Logon) and
//! `on_admin` (see, or veto, each inbound admin message). The `examples/`
//! crate has a complete order client and venue, tested against QuickFIX.
//!
//! # Layers
//!
//! Bottom up:
//! - [`codec`]: the FIX wire format;
//! - [`fields`]: typed access generated from QuickFIX's FIX44.xml: tag
//!   constants, enums, `Decimal`s, repeating groups (`fix44::groups`) and
//!   builders and views of the common messages (`fix44::messages`:
//!   `NewOrderSingle(&mut body).side(Side::Buy)`,
//!   `ExecutionReportView(&msg).last_px()`);
//! - [`validator`]: frames each inbound stream and checks MsgSeqNum (the
//!   software twin of the FPGA validator);
//! - [`session`]: the FIX session protocol, sans-IO, driven only through
//!   [`connection::Connection`] (bytes and time in; bytes, deliveries,
//!   actions and events out);
//! - [`recovery`]: serving the peer's ResendRequests from the [`store`];
//! - [`runtime`]: the hot-path, recovery, store and log threads, the
//!   rings between them, and the transports (kernel TCP, TLS, DPDK);
//! - [`config`], [`dict`], [`schedule`]: settings files, data
//!   dictionaries and session windows, as QuickFIX reads them;
//! - [`launch`], [`app`], [`sim`], [`log`], [`signals`]: what the
//!   `gapless` binary is made of.
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod app;
pub mod codec;
pub mod config;
pub mod connection;
pub mod dict;
pub mod fields;
pub mod launch;
pub mod log;
pub mod recovery;
pub mod runtime;
pub mod schedule;
pub mod session;
pub mod signals;
pub mod sim;
pub mod store;
pub mod validator;
