//! The file store: an append-only journal of checksummed records in
//! preallocated, memory-mapped segment files.
//!
//! A commit is a `memcpy` into a `MAP_SHARED` mapping followed by a
//! release-store of the committed length: the bytes are in the page cache
//! at once, so they survive `kill -9` with no system call on the hot path.
//! Durability against power loss is the [`Flusher`]'s job (`fdatasync` per
//! the FsyncPolicy), on its own thread.
//!
//! Record: `len u32 | crc32 u32 | payload` (little-endian; `len` counts the
//! payload; `len == 0` marks the end). Payload: `kind u8` (1 commit,
//! 2 reset, 3 skip: damage covered by OnStoreCorruption=gapfill),
//! `next_in u32`, `next_out u32`, `count u32`, then `count` messages as
//! `seq u32 | flags u8 | len u32 | bytes`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{CorruptionPolicy, MessageStore, SeqNums, StoreError, StoreReader};
use crate::config::FsyncPolicy;

const HEADER: usize = 8;
const KIND_COMMIT: u8 = 1;
const KIND_RESET: u8 = 2;
/// Covers damaged bytes after a gap-fill repair: no seqs, no messages.
const KIND_SKIP: u8 = 3;
/// Smallest record: header and the fixed payload.
const MIN_RECORD: usize = HEADER + 13;

/// Default segment size.
pub const SEGMENT_BYTES: usize = 64 << 20;

/// A shared, writable mapping of one whole file.
struct Map {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; the writer
// thread is its only writer, and readers use their own read-only mappings.
unsafe impl Send for Map {}

impl Map {
    fn new(file: &File, len: usize, writable: bool) -> std::io::Result<Map> {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a fresh mapping of `len` bytes of an open file; the kernel
        // picks the address. MAP_POPULATE pre-faults the pages so the hot
        // path takes no page faults.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                std::os::fd::AsRawFd::as_raw_fd(file),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Map {
            ptr: ptr.cast(),
            len,
        })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for the life of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: writable mappings are only made by the writer, which holds
        // `&mut self`; no other reference into this mapping exists.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the region `new` mapped, once.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// State shared by the writer, its readers and its flusher.
struct Shared {
    dir: PathBuf,
    id: String,
    segment_bytes: usize,
    /// `segment * segment_bytes + offset` of the end of the last commit.
    committed: AtomicU64,
    /// Up to where `fdatasync` has completed.
    durable: AtomicU64,
    closed: AtomicBool,
}

impl Shared {
    fn path(&self, segment: u64) -> PathBuf {
        self.dir.join(format!("{}.{segment:06}.journal", self.id))
    }

    /// `<id>.period`: the schedule period start, in decimal nanoseconds.
    fn period_path(&self) -> PathBuf {
        self.dir.join(format!("{}.period", self.id))
    }
}

/// The writer side: lives on the hot path.
pub struct FileStore {
    shared: Arc<Shared>,
    segment: u64,
    map: Map,
    offset: usize,
    seqs: SeqNums,
    txn: Vec<u8>,
    txn_count: u32,
    period: Option<u64>,
    /// What opening did about damage, if there was any.
    pub repaired: Option<Repair>,
    /// Segments created on the hot path (the slow path; every
    /// `segment_bytes` of journal).
    pub rolls: u64,
}

/// What a scan of the journal found.
struct Scan {
    seqs: SeqNums,
    segment: u64,
    offset: usize,
    repaired: Option<Repair>,
}

/// Damage a [`CorruptionPolicy`] other than `Refuse` dealt with on open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The policy applied.
    pub policy: CorruptionPolicy,
    /// The first damaged segment.
    pub path: PathBuf,
    /// Offset of the first damaged record in it.
    pub offset: u64,
    /// Damaged bytes covered or dropped (all segments; 0 for `Reset`).
    pub bytes_lost: u64,
}

impl FileStore {
    /// Opens (or creates) the journal of session `id` in `dir`, checks
    /// every record, truncates a torn tail and restores the seqs.
    pub fn open(
        dir: &Path,
        id: &str,
        segment_bytes: usize,
    ) -> Result<(FileStore, Flusher), StoreError> {
        Self::open_with(dir, id, segment_bytes, CorruptionPolicy::Refuse)
    }

    /// [`open`](Self::open), dealing with damage per `policy`; what was
    /// done is in [`FileStore::repaired`].
    pub fn open_with(
        dir: &Path,
        id: &str,
        segment_bytes: usize,
        policy: CorruptionPolicy,
    ) -> Result<(FileStore, Flusher), StoreError> {
        std::fs::create_dir_all(dir)?;
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            id: id.to_string(),
            segment_bytes,
            committed: AtomicU64::new(0),
            durable: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        });
        let scan = match scan(&shared, policy) {
            Err(StoreError::Corrupt { path, offset }) if policy == CorruptionPolicy::Reset => {
                move_aside(&shared)?;
                let mut fresh = scan(&shared, policy)?;
                fresh.repaired = Some(Repair {
                    policy,
                    path,
                    offset,
                    bytes_lost: 0,
                });
                fresh
            }
            other => other?,
        };
        let map = Map::new(&segment_file(&shared, scan.segment)?, segment_bytes, true)?;
        let pos = scan.segment * segment_bytes as u64 + scan.offset as u64;
        shared.committed.store(pos, Ordering::Release);
        shared.durable.store(pos, Ordering::Release);
        let store = FileStore {
            shared: shared.clone(),
            segment: scan.segment,
            map,
            offset: scan.offset,
            seqs: scan.seqs,
            txn: Vec::with_capacity(1 << 16),
            txn_count: 0,
            repaired: scan.repaired,
            period: std::fs::read_to_string(shared.period_path())
                .ok()
                .and_then(|t| t.trim().parse().ok()),
            rolls: 0,
        };
        Ok((
            store,
            Flusher {
                shared,
                synced: pos,
            },
        ))
    }

    fn write_record(&mut self, kind: u8, seqs: SeqNums) -> Result<(), StoreError> {
        let payload = 13 + self.txn.len();
        let total = HEADER + payload;
        if total + HEADER > self.shared.segment_bytes {
            return Err(StoreError::TooLarge(total));
        }
        if self.offset + total + HEADER > self.shared.segment_bytes {
            self.roll()?;
        }
        let mut head = [0u8; 13];
        head[0] = kind;
        head[1..5].copy_from_slice(&seqs.next_in.to_le_bytes());
        head[5..9].copy_from_slice(&seqs.next_out.to_le_bytes());
        head[9..13].copy_from_slice(&self.txn_count.to_le_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(&head);
        crc.update(&self.txn);
        let at = self.offset;
        let buf = self.map.bytes_mut();
        buf[at + HEADER..at + HEADER + 13].copy_from_slice(&head);
        buf[at + HEADER + 13..at + total].copy_from_slice(&self.txn);
        buf[at + 4..at + 8].copy_from_slice(&crc.finalize().to_le_bytes());
        // The length goes last: a record is visible only once whole.
        buf[at..at + 4].copy_from_slice(&(payload as u32).to_le_bytes());
        self.offset += total;
        self.txn.clear();
        self.txn_count = 0;
        self.seqs = seqs;
        let pos = self.segment * self.shared.segment_bytes as u64 + self.offset as u64;
        self.shared.committed.store(pos, Ordering::Release);
        Ok(())
    }

    /// Moves to the next segment (a system call: the counted slow path).
    fn roll(&mut self) -> Result<(), StoreError> {
        let next = self.segment + 1;
        self.map = Map::new(
            &segment_file(&self.shared, next)?,
            self.shared.segment_bytes,
            true,
        )?;
        self.segment = next;
        self.offset = 0;
        self.rolls += 1;
        Ok(())
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
    }
}

impl MessageStore for FileStore {
    fn seqs(&self) -> SeqNums {
        self.seqs
    }

    fn append(&mut self, seq: u32, flags: u8, bytes: &[u8]) -> Result<(), StoreError> {
        self.txn.extend_from_slice(&seq.to_le_bytes());
        self.txn.push(flags);
        self.txn
            .extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        self.txn.extend_from_slice(bytes);
        self.txn_count += 1;
        Ok(())
    }

    fn commit(&mut self, seqs: SeqNums) -> Result<(), StoreError> {
        self.write_record(KIND_COMMIT, seqs)
    }

    fn reset(&mut self) -> Result<(), StoreError> {
        self.txn.clear();
        self.txn_count = 0;
        self.write_record(
            KIND_RESET,
            SeqNums {
                next_in: 1,
                next_out: 1,
            },
        )
    }

    fn period(&self) -> Option<u64> {
        self.period
    }

    fn set_period(&mut self, start: u64) -> Result<(), StoreError> {
        let path = self.shared.period_path();
        let tmp = path.with_extension("period.tmp");
        std::fs::write(&tmp, start.to_string())?;
        std::fs::rename(&tmp, &path)?;
        self.period = Some(start);
        Ok(())
    }

    fn reader(&self) -> Box<dyn StoreReader> {
        Box::new(FileReader {
            shared: self.shared.clone(),
            maps: vec![],
            scanned: 0,
            index: BTreeMap::new(),
        })
    }
}

/// Opens the segment file, preallocated to the segment size.
fn segment_file(shared: &Shared, segment: u64) -> Result<File, StoreError> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(shared.path(segment))?;
    if f.metadata()?.len() < shared.segment_bytes as u64 {
        f.set_len(shared.segment_bytes as u64)?;
    }
    Ok(f)
}

/// One record parsed from a segment.
struct Record<'a> {
    kind: u8,
    seqs: SeqNums,
    count: u32,
    body: &'a [u8],
    /// Offset of `body` within the segment.
    body_at: usize,
    len: usize,
}

/// Parses the record at `at`: `Ok(None)` at the end marker, `Err(())` for
/// a torn or damaged record. Never panics, never reads past `buf`.
fn record(buf: &[u8], at: usize) -> Result<Option<Record<'_>>, ()> {
    let Some(h) = buf.get(at..at + HEADER) else {
        return Ok(None);
    };
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    if len == 0 {
        return Ok(None);
    }
    let crc = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    let payload = buf.get(at + HEADER..at + HEADER + len).ok_or(())?;
    if len < 13 || crc32fast::hash(payload) != crc {
        return Err(());
    }
    let u =
        |i: usize| u32::from_le_bytes([payload[i], payload[i + 1], payload[i + 2], payload[i + 3]]);
    Ok(Some(Record {
        kind: payload[0],
        seqs: SeqNums {
            next_in: u(1),
            next_out: u(5),
        },
        count: u(9),
        body: &payload[13..],
        body_at: at + HEADER + 13,
        len: HEADER + len,
    }))
}

/// Calls `f(seq, flags, offset_in_body, len)` for each message of a body.
fn messages(body: &[u8], count: u32, mut f: impl FnMut(u32, u8, usize, usize)) {
    let mut at = 0;
    for _ in 0..count {
        let Some(h) = body.get(at..at + 9) else {
            return;
        };
        let seq = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let len = u32::from_le_bytes([h[5], h[6], h[7], h[8]]) as usize;
        if at + 9 + len > body.len() {
            return;
        }
        f(seq, h[4], at + 9, len);
        at += 9 + len;
    }
}

/// Scans every segment: restores the seqs, finds where to append, zeroes
/// a torn tail, and refuses damage before it (or repairs it, with
/// [`CorruptionPolicy::GapFill`]).
fn scan(shared: &Shared, policy: CorruptionPolicy) -> Result<Scan, StoreError> {
    let mut seqs = SeqNums {
        next_in: 1,
        next_out: 1,
    };
    let (mut last, mut segment) = ((0, 0), 0);
    let mut repaired: Option<Repair> = None;
    while shared.path(segment).exists() {
        let file = segment_file(shared, segment)?;
        let mut map = Map::new(&file, shared.segment_bytes, true)?;
        let mut at = 0;
        let mut backed_up = false;
        loop {
            match record(map.bytes(), at) {
                Ok(Some(r)) => {
                    if r.kind == KIND_COMMIT || r.kind == KIND_RESET {
                        seqs = r.seqs;
                    }
                    at += r.len;
                }
                // An end marker with records after it is a damaged length.
                Ok(None) if torn_only(map.bytes(), at) => break,
                Ok(None) | Err(()) => {
                    let torn = torn_only(map.bytes(), at) && !shared.path(segment + 1).exists();
                    let corrupt = StoreError::Corrupt {
                        path: shared.path(segment),
                        offset: at as u64,
                    };
                    if !torn && policy != CorruptionPolicy::GapFill {
                        return Err(corrupt);
                    }
                    if !torn && !backed_up {
                        let path = shared.path(segment);
                        std::fs::copy(&path, path.with_extension("journal.damaged"))?;
                        backed_up = true;
                    }
                    let (lost, more) = cover_damage(map.bytes_mut(), at).ok_or(corrupt)?;
                    file.sync_data()?;
                    if !torn {
                        let r = repaired.get_or_insert(Repair {
                            policy,
                            path: shared.path(segment),
                            offset: at as u64,
                            bytes_lost: 0,
                        });
                        r.bytes_lost += lost as u64;
                    }
                    if !more {
                        break;
                    }
                }
            }
        }
        last = (segment, at);
        segment += 1;
    }
    Ok(Scan {
        seqs,
        segment: last.0,
        offset: last.1,
        repaired,
    })
}

/// Makes the bad record at `at` readable past: covers the bytes up to the
/// next valid record with a skip record (`more`: records follow), or, when
/// no valid record follows, zeroes the rest of the segment. Returns the
/// bytes lost and `more`; `None` when the gap cannot hold a skip record.
fn cover_damage(buf: &mut [u8], at: usize) -> Option<(usize, bool)> {
    let end = buf.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let Some(next) = (at + 1..end).find(|&p| matches!(record(buf, p), Ok(Some(_)))) else {
        buf[at..].fill(0);
        return Some((end.saturating_sub(at), false));
    };
    if next - at < MIN_RECORD {
        return None;
    }
    let payload = &mut buf[at + HEADER..next];
    payload.fill(0);
    payload[0] = KIND_SKIP;
    let crc = crc32fast::hash(payload);
    let len = (next - at - HEADER) as u32;
    buf[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
    buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Some((next - at, true))
}

/// Renames every segment of a damaged journal to
/// `*.journal.damaged-<unix secs>`, so a new journal starts empty.
fn move_aside(shared: &Shared) -> Result<(), StoreError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut segment = 0;
    while shared.path(segment).exists() {
        let path = shared.path(segment);
        std::fs::rename(
            &path,
            path.with_extension(format!("journal.damaged-{secs}")),
        )?;
        segment += 1;
    }
    Ok(())
}

/// A bad record at `at` is a torn write when no valid record follows it
/// anywhere in the segment (a damaged length field could point anywhere, so
/// every later offset is tried; the CRC rules out chance matches). Anything
/// valid after it means damage in the middle.
fn torn_only(buf: &[u8], at: usize) -> bool {
    let end = buf.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    (at + 1..end).all(|p| !matches!(record(buf, p), Ok(Some(_))))
}

/// Where a stored message is.
#[derive(Clone, Copy, Debug)]
struct Loc {
    segment: u64,
    at: usize,
    len: usize,
    flags: u8,
}

/// A reader for the recovery thread: its own read-only mappings and an
/// index built incrementally up to the writer's committed length.
struct FileReader {
    shared: Arc<Shared>,
    maps: Vec<Map>,
    scanned: u64,
    index: BTreeMap<u32, Loc>,
}

impl FileReader {
    fn map(&mut self, segment: u64) -> Result<&Map, StoreError> {
        while self.maps.len() as u64 <= segment {
            let path = self.shared.path(self.maps.len() as u64);
            let file = OpenOptions::new().read(true).open(path)?;
            self.maps
                .push(Map::new(&file, self.shared.segment_bytes, false)?);
        }
        Ok(&self.maps[segment as usize])
    }

    /// Indexes records between what was scanned and the committed length.
    fn catch_up(&mut self) -> Result<(), StoreError> {
        let committed = self.shared.committed.load(Ordering::Acquire);
        let seg_bytes = self.shared.segment_bytes as u64;
        while self.scanned < committed {
            let (segment, at) = (
                self.scanned / seg_bytes,
                (self.scanned % seg_bytes) as usize,
            );
            let mut found = Vec::new();
            let mut reset = false;
            let scanned = self.scanned;
            let next = {
                let map = self.map(segment)?;
                match record(map.bytes(), at) {
                    Ok(Some(r)) => {
                        reset = r.kind == KIND_RESET;
                        messages(r.body, r.count, |seq, flags, off, len| {
                            found.push((
                                seq,
                                Loc {
                                    segment,
                                    at: r.body_at + off,
                                    len,
                                    flags,
                                },
                            ));
                        });
                        scanned + r.len as u64
                    }
                    // The end of a segment: the writer rolled over.
                    _ => (segment + 1) * seg_bytes,
                }
            };
            if reset {
                self.index.clear();
            }
            self.index.extend(found);
            self.scanned = next;
        }
        Ok(())
    }
}

impl StoreReader for FileReader {
    fn for_each(
        &mut self,
        begin: u32,
        end: u32,
        f: &mut dyn FnMut(u32, u8, &[u8]),
    ) -> Result<usize, StoreError> {
        self.catch_up()?;
        let end = if end == 0 { u32::MAX } else { end };
        if begin > end {
            // An empty range (BTreeMap::range would panic on it).
            return Ok(0);
        }
        let locs: Vec<(u32, Loc)> = self
            .index
            .range(begin..=end)
            .map(|(s, l)| (*s, *l))
            .collect();
        for (seq, loc) in &locs {
            let map = self.map(loc.segment)?;
            f(*seq, loc.flags, &map.bytes()[loc.at..loc.at + loc.len]);
        }
        Ok(locs.len())
    }
}

/// Makes the journal durable per the FsyncPolicy; runs on the store thread.
pub struct Flusher {
    shared: Arc<Shared>,
    synced: u64,
}

impl Flusher {
    /// Syncs what was committed since the last call; returns the durable
    /// position.
    pub fn sync(&mut self) -> Result<u64, StoreError> {
        let committed = self.shared.committed.load(Ordering::Acquire);
        if committed > self.synced {
            let seg_bytes = self.shared.segment_bytes as u64;
            for segment in self.synced / seg_bytes..=committed / seg_bytes {
                if let Ok(f) = OpenOptions::new()
                    .write(true)
                    .open(self.shared.path(segment))
                {
                    f.sync_data()?;
                }
            }
            self.synced = committed;
            self.shared.durable.store(committed, Ordering::Release);
        }
        Ok(self.synced)
    }

    /// Runs `sync` per `policy` until the store is dropped.
    pub fn run(mut self, policy: FsyncPolicy) {
        let pause = match policy {
            FsyncPolicy::Never => return,
            FsyncPolicy::Commit => Duration::from_micros(200),
            FsyncPolicy::IntervalMs(ms) => Duration::from_millis(ms.max(1)),
        };
        while !self.shared.closed.load(Ordering::Acquire) {
            let _ = self.sync();
            std::thread::sleep(pause);
        }
        let _ = self.sync();
    }
}

/// Opens a session's file store and starts its flusher thread.
///
/// ```
/// use gapless::store::{open_file_store, MessageStore};
/// let dir = std::env::temp_dir().join(format!("gapless-doc-{}", std::process::id()));
/// let mut s = open_file_store(&dir, "FIX.4.4-A-B", gapless::config::FsyncPolicy::Never).unwrap();
/// assert_eq!(s.seqs().next_out, 1);
/// # std::fs::remove_dir_all(dir).ok();
/// ```
pub fn open_file_store(
    dir: &Path,
    id: &str,
    policy: FsyncPolicy,
) -> Result<Box<dyn MessageStore>, StoreError> {
    open_file_store_with(dir, id, policy, CorruptionPolicy::Refuse).map(|(s, _)| s)
}

/// [`open_file_store`] dealing with a damaged journal per `on_corruption`;
/// returns what was repaired, if anything.
///
/// ```
/// use gapless::store::{open_file_store_with, CorruptionPolicy};
/// let dir = std::env::temp_dir().join(format!("gapless-doc-gf-{}", std::process::id()));
/// let (_s, repaired) = open_file_store_with(
///     &dir, "FIX.4.4-A-B", gapless::config::FsyncPolicy::Never, CorruptionPolicy::GapFill,
/// ).unwrap();
/// assert!(repaired.is_none());
/// # std::fs::remove_dir_all(dir).ok();
/// ```
pub fn open_file_store_with(
    dir: &Path,
    id: &str,
    policy: FsyncPolicy,
    on_corruption: CorruptionPolicy,
) -> Result<(Box<dyn MessageStore>, Option<Repair>), StoreError> {
    let (store, flusher) = FileStore::open_with(dir, id, SEGMENT_BYTES, on_corruption)?;
    std::thread::Builder::new()
        .name("gapless-store".into())
        .spawn(move || flusher.run(policy))?;
    let repaired = store.repaired.clone();
    Ok((Box::new(store), repaired))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corruption_tests;
