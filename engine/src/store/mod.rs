//! The message store: both sequence numbers and every outbound message,
//! for resends. [`MemoryStore`] for tests; [`FileStore`], a crash-safe
//! journal of checksummed records in memory-mapped segment files, for
//! production (see `docs/STORE.md`).

mod file;
mod memory;

pub use file::{open_file_store, open_file_store_with, FileStore, Flusher, Repair, SEGMENT_BYTES};
pub use memory::MemoryStore;

/// Sequence numbers as last committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqNums {
    /// Next inbound seq expected.
    pub next_in: u32,
    /// Next outbound seq to send.
    pub next_out: u32,
}

/// What opening a damaged journal does (`OnStoreCorruption=`). Damage is
/// a bad record followed by good ones; a torn tail is always truncated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CorruptionPolicy {
    /// Refuse to open: [`StoreError::Corrupt`] (the default).
    #[default]
    Refuse,
    /// Move the damaged journal aside (`*.journal.damaged-<unix secs>`)
    /// and start a new one at seqs 1/1; `gapless run` then sends
    /// ResetSeqNumFlag on the first Logon.
    Reset,
    /// Keep every record that passes its checksum (the damaged segment is
    /// copied to `*.journal.damaged` first, then the bad bytes are covered
    /// by a skip record): the seqs are the last good ones recovered, and
    /// ResendRequests for messages lost in the damage get a
    /// SequenceReset-GapFill.
    GapFill,
}

/// A store failure.
#[derive(Debug)]
pub enum StoreError {
    /// An I/O error.
    Io(std::io::Error),
    /// A record before the journal's tail fails its checksum: not a torn
    /// write but damage.
    Corrupt {
        /// The segment file.
        path: std::path::PathBuf,
        /// Byte offset of the bad record.
        offset: u64,
    },
    /// One transaction is larger than a journal segment.
    TooLarge(usize),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "store I/O error: {e}"),
            StoreError::Corrupt { path, offset } => write!(
                f,
                "journal {} is corrupt at byte {offset} (a damaged record before the end, not a torn write): \
                 set OnStoreCorruption=reset (new journal at seqs 1/1; the first Logon asks the counterparty to reset too) \
                 or OnStoreCorruption=gapfill (keep the good records, gap-fill lost messages), \
                 or move the store directory away",
                path.display()
            ),
            StoreError::TooLarge(n) => write!(f, "a {n}-byte transaction does not fit a journal segment: raise the segment size"),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e)
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
    /// The start (UTC nanoseconds) of the schedule period the seqs belong
    /// to, as last recorded (`None`: never recorded).
    fn period(&self) -> Option<u64> {
        None
    }
    /// Records the period start: a slow call (the file store writes a
    /// small file), made once per schedule period, never per message.
    fn set_period(&mut self, _start: u64) -> Result<(), StoreError> {
        Ok(())
    }
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

/// The seqs a [`StoreReader::for_each`] call asks for (`end == 0`: no
/// upper bound), or `None` for an empty range.
///
/// ```
/// use gapless::store::requested;
/// assert_eq!(requested(3, 0), Some(3..=u32::MAX));
/// assert_eq!(requested(5, 3), None);
/// ```
pub fn requested(begin: u32, end: u32) -> Option<std::ops::RangeInclusive<u32>> {
    let end = if end == 0 { u32::MAX } else { end };
    (begin <= end).then_some(begin..=end)
}
