//! The message store: both sequence numbers and every outbound message,
//! for resends. [`MemoryStore`] for tests; [`FileStore`], a crash-safe
//! journal of checksummed records in memory-mapped segment files, for
//! production (see `docs/STORE.md`).

mod file;
mod memory;

pub use file::{
    open_file_store, open_file_store_with, FileStore, Flusher, Repair, StoreOptions, SEGMENT_BYTES,
};
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
    /// The segment is full and the store thread has not made the next one
    /// ready (it is starved of CPU, or cannot create files: disk full?).
    NoSpareSegment,
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
            StoreError::TooLarge(n) => write!(f, "a {n}-byte transaction does not fit a journal segment: raise SegmentBytes"),
            StoreError::NoSpareSegment => write!(
                f,
                "the journal segment is full and the store thread has not prepared the next one: \
                 check that the disk has room, raise SegmentBytes, or give the store thread a core (StoreCore=)"
            ),
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
    /// A gauge the hot path reads before taking more input (`None`: the
    /// store always has room, as the memory store does).
    fn room(&self) -> Option<std::sync::Arc<dyn Room>> {
        None
    }
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

/// Whether the store can take a turn's worth of writes without a slow
/// path. The file store says no when its segment is nearly full and the
/// store thread has not made the next one ready: the hot path then stops
/// reading that session's socket (TCP pushes back on the peer) until it
/// has, rather than block in the roll.
///
/// ```
/// use gapless::store::{FileStore, MessageStore, StoreOptions};
/// let dir = std::env::temp_dir().join(format!("gapless-doc-room-{}", std::process::id()));
/// let s = FileStore::open_with_thread(&dir, "S", &StoreOptions::default()).unwrap();
/// let room = s.room().expect("a store thread runs");
/// assert!(room.has_room());
/// # drop(s);
/// # std::fs::remove_dir_all(dir).ok();
/// ```
pub trait Room: Send + Sync {
    /// A turn's writes fit without waiting for the store thread.
    fn has_room(&self) -> bool;
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
