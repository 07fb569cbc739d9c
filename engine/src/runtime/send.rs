//! Sending from the application's own threads (a strategy thread placing
//! orders): one SPSC byte ring (rtrb) per producer thread into the hot
//! path, which sends what it finds there in its next turn. Lock-free and
//! allocation-free on both sides.

use super::ring::{record_ring, RecordConsumer, RecordProducer};

/// Room per handle, in bytes.
const RING_BYTES: usize = 1 << 20;

/// One producer thread's way into a running engine.
///
/// ```
/// use gapless::runtime::send::send_pair;
/// let (mut orders, _queue) = send_pair(4096); // the queue goes to EngineOptions::senders
/// assert!(orders.send(0, b"D", b"11=1\x0154=1\x01").is_ok());
/// ```
pub struct SendHandle {
    ring: RecordProducer,
    max_body: usize,
}

/// The hot path's end of a [`SendHandle`] (put it in
/// [`EngineOptions::senders`](super::EngineOptions::senders)).
pub struct SendQueue(pub(super) RecordConsumer);

/// Why a message was not queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The ring is full (the hot path has not caught up): try again.
    Full,
    /// The body is longer than MaxMessageSize allows.
    TooLarge,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SendError::Full => "the send ring is full: the hot path has not caught up; retry",
            SendError::TooLarge => "the body exceeds MaxMessageSize: raise it or split the message",
        })
    }
}

impl std::error::Error for SendError {}

/// A handle and its queue, for messages of up to `max_message` bytes.
pub fn send_pair(max_message: usize) -> (SendHandle, SendQueue) {
    let (tx, rx) = record_ring(RING_BYTES.max(4 * max_message), max_message + 256);
    (
        SendHandle {
            ring: tx,
            max_body: max_message,
        },
        SendQueue(rx),
    )
}

impl SendHandle {
    /// Queues an application message for session `session` (its index in
    /// the configuration, from 0): the hot path stamps the header (seq,
    /// SendingTime, CompIDs), stores and sends it. A session that is not
    /// logged on when the hot path takes it drops it and counts it
    /// ([`EngineReport::sends_dropped`](super::EngineReport::sends_dropped)).
    pub fn send(&mut self, session: u16, msg_type: &[u8], body: &[u8]) -> Result<(), SendError> {
        if body.len() > self.max_body {
            return Err(SendError::TooLarge);
        }
        match self.ring.push(session, 0, msg_type, body) {
            true => Ok(()),
            false => Err(SendError::Full),
        }
    }
}
