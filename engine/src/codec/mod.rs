//! The FIX wire format: timestamps, field access and the encoder.
//!
//! Framing lives in [`crate::validator::software`], because the framer is
//! the software twin of the FPGA validator.

pub mod encode;
pub mod message;
pub mod time;
