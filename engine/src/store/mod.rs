//! Message store (placeholder until the journal lands): sequence numbers
//! and outbound messages for resends.

use std::sync::{Arc, Mutex};

/// Sequence numbers as last committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqNums {
    /// Next inbound seq expected.
    pub next_in: u32,
    /// Next outbound seq to send.
    pub next_out: u32,
}

/// A store failure.
#[derive(Debug)]
pub enum StoreError {
    /// An I/O error.
    Io(std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "store I/O error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The store the session writes on its hot path.
pub trait MessageStore: Send {
    /// Sequence numbers as last committed.
    fn seqs(&self) -> SeqNums;
    /// Adds an outbound message to the open transaction.
    fn append(&mut self, seq: u32, flags: u8, bytes: &[u8]) -> Result<(), StoreError>;
    /// Commits the open transaction with the new seqs.
    fn commit(&mut self, seqs: SeqNums) -> Result<(), StoreError>;
    /// Resets both seqs to 1 and forgets stored messages.
    fn reset(&mut self) -> Result<(), StoreError>;
    /// A reader for the recovery thread.
    fn reader(&self) -> Box<dyn StoreReader>;
}

/// Reads stored outbound messages.
pub trait StoreReader: Send {
    /// Calls `f(seq, flags, bytes)` for stored messages in `begin..=end`
    /// (`end == 0`: no upper bound), in seq order.
    fn for_each(
        &mut self,
        begin: u32,
        end: u32,
        f: &mut dyn FnMut(u32, u8, &[u8]),
    ) -> Result<usize, StoreError>;
}

type Shared = Arc<Mutex<std::collections::BTreeMap<u32, (u8, Vec<u8>)>>>;

/// An in-memory store for tests.
#[derive(Default)]
pub struct MemoryStore {
    seqs: Option<SeqNums>,
    pending: Vec<(u32, u8, Vec<u8>)>,
    msgs: Shared,
}

impl MemoryStore {
    /// An empty store at seqs 1/1.
    pub fn new() -> Self {
        Self::default()
    }
}

impl MessageStore for MemoryStore {
    fn seqs(&self) -> SeqNums {
        self.seqs.unwrap_or(SeqNums {
            next_in: 1,
            next_out: 1,
        })
    }
    fn append(&mut self, seq: u32, flags: u8, bytes: &[u8]) -> Result<(), StoreError> {
        self.pending.push((seq, flags, bytes.to_vec()));
        Ok(())
    }
    fn commit(&mut self, seqs: SeqNums) -> Result<(), StoreError> {
        let mut m = self.msgs.lock().unwrap();
        for (s, f, b) in self.pending.drain(..) {
            m.insert(s, (f, b));
        }
        self.seqs = Some(seqs);
        Ok(())
    }
    fn reset(&mut self) -> Result<(), StoreError> {
        self.msgs.lock().unwrap().clear();
        self.pending.clear();
        self.seqs = None;
        Ok(())
    }
    fn reader(&self) -> Box<dyn StoreReader> {
        Box::new(MemoryReader(self.msgs.clone()))
    }
}

struct MemoryReader(Shared);

impl StoreReader for MemoryReader {
    fn for_each(
        &mut self,
        begin: u32,
        end: u32,
        f: &mut dyn FnMut(u32, u8, &[u8]),
    ) -> Result<usize, StoreError> {
        let m = self.0.lock().unwrap();
        let end = if end == 0 { u32::MAX } else { end };
        let mut n = 0;
        for (s, (fl, b)) in m.range(begin..=end) {
            f(*s, *fl, b);
            n += 1;
        }
        Ok(n)
    }
}
