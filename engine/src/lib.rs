//! Gapless: a FIX session engine for colocated trading servers.
//!
//! The crate is layered, bottom up:
//! - [`codec`]: the FIX wire format;
//! - [`validator`]: frames each inbound stream and checks MsgSeqNum (the
//!   software twin of the FPGA validator);
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod app;
pub mod codec;
pub mod config;
pub mod connection;
pub mod dict;
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
