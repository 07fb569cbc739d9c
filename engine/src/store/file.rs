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

use crossbeam_utils::CachePadded;

use super::{CorruptionPolicy, MessageStore, Room, SeqNums, StoreError, StoreReader};
use crate::config::FsyncPolicy;

mod map;
mod spare;

use map::Map;
use spare::SpareLink;

const HEADER: usize = 8;
const KIND_COMMIT: u8 = 1;
const KIND_RESET: u8 = 2;
/// Covers damaged bytes after a gap-fill repair: no seqs, no messages.
const KIND_SKIP: u8 = 3;
/// Smallest record: header and the fixed payload.
const MIN_RECORD: usize = HEADER + 13;

/// Default segment size (`SegmentBytes=`).
pub const SEGMENT_BYTES: usize = 64 << 20;

/// How a file store is opened and run by [`FileStore::open_with_thread`].
///
/// ```
/// let o = gapless::store::StoreOptions::default();
/// assert_eq!(o.segment_bytes, gapless::store::SEGMENT_BYTES);
/// assert!(o.core.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// Bytes of each segment file (`SegmentBytes=`).
    pub segment_bytes: usize,
    /// When the store thread syncs to disk (`FsyncPolicy=`).
    pub fsync: FsyncPolicy,
    /// What opening a damaged journal does (`OnStoreCorruption=`).
    pub on_corruption: CorruptionPolicy,
    /// Pin the store thread to this core and let it spin instead of
    /// napping (`StoreCore=`).
    pub core: Option<usize>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            segment_bytes: SEGMENT_BYTES,
            fsync: FsyncPolicy::Never,
            on_corruption: CorruptionPolicy::Refuse,
            core: None,
        }
    }
}

/// State shared by the writer, its readers and its flusher. What the hot
/// path writes and what the store thread writes sit on cache lines of
/// their own (no false sharing between the two cores).
struct Shared {
    dir: PathBuf,
    id: String,
    segment_bytes: usize,
    /// `segment * segment_bytes + offset` of the end of the last commit.
    committed: CachePadded<AtomicU64>,
    /// Up to where `fdatasync` has completed.
    durable: CachePadded<AtomicU64>,
    closed: AtomicBool,
    /// The segment the writer appends to.
    writer_segment: CachePadded<AtomicU64>,
    /// The highest segment the store thread has made ready (a spare is
    /// waiting while it is above `writer_segment`).
    spare_segment: CachePadded<AtomicU64>,
    /// With a store thread: below this many free bytes in the current
    /// segment and no spare ready, [`Room::has_room`] says no.
    reserve: usize,
}

impl Room for Shared {
    fn has_room(&self) -> bool {
        let writer = self.writer_segment.load(Ordering::Acquire);
        if self.spare_segment.load(Ordering::Acquire) > writer {
            return true;
        }
        let used = (self.committed.load(Ordering::Acquire) % self.segment_bytes as u64) as usize;
        self.segment_bytes - used >= self.reserve
    }
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
    /// Moves to a new segment, every `segment_bytes` of journal.
    pub rolls: u64,
    /// Rolls that created and mapped the segment on the writer's thread
    /// (a store opened without a store thread: [`FileStore::open`]).
    pub inline_rolls: u64,
    /// Commits refused because the next segment was not ready
    /// ([`StoreError::NoSpareSegment`]).
    pub spare_misses: u64,
    /// Old mappings the writer had to release itself (the store thread's
    /// ring of retired mappings was full).
    pub unmaps_inline: u64,
    /// The store thread's spares, if one runs.
    spares: Option<SpareLink>,
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
            committed: CachePadded::new(AtomicU64::new(0)),
            durable: CachePadded::new(AtomicU64::new(0)),
            closed: AtomicBool::new(false),
            writer_segment: CachePadded::new(AtomicU64::new(0)),
            spare_segment: CachePadded::new(AtomicU64::new(0)),
            reserve: segment_bytes / 4,
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
        let mut map = Map::new(&segment_file(&shared, scan.segment)?, segment_bytes, true)?;
        // The writer's first segment is faulted in here, not on the hot path.
        map.prefault_writable(0, usize::MAX);
        let pos = scan.segment * segment_bytes as u64 + scan.offset as u64;
        shared.committed.store(pos, Ordering::Release);
        shared.durable.store(pos, Ordering::Release);
        shared.writer_segment.store(scan.segment, Ordering::Release);
        shared.spare_segment.store(scan.segment, Ordering::Release);
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
            inline_rolls: 0,
            spare_misses: 0,
            unmaps_inline: 0,
            spares: None,
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

    /// [`open_with`](Self::open_with), then starts the store thread
    /// (`gapless-store`): it keeps the next segment ready, so that a roll
    /// is a pointer swap, releases old mappings, and syncs per
    /// `opts.fsync`. It stops when the store is dropped.
    ///
    /// ```
    /// use gapless::store::{FileStore, MessageStore, StoreOptions};
    /// let dir = std::env::temp_dir().join(format!("gapless-doc-thread-{}", std::process::id()));
    /// let opts = StoreOptions { segment_bytes: 1 << 16, ..StoreOptions::default() };
    /// let s = FileStore::open_with_thread(&dir, "FIX.4.4-A-B", &opts).unwrap();
    /// assert!(s.room().is_some_and(|r| r.has_room()));
    /// # drop(s);
    /// # std::fs::remove_dir_all(dir).ok();
    /// ```
    pub fn open_with_thread(
        dir: &Path,
        id: &str,
        opts: &StoreOptions,
    ) -> Result<FileStore, StoreError> {
        let (mut store, flusher) =
            Self::open_with(dir, id, opts.segment_bytes, opts.on_corruption)?;
        let (link, thread) = spare::link(store.shared.clone(), flusher, opts.fsync, opts.core);
        store.spares = Some(link);
        std::thread::Builder::new()
            .name("gapless-store".into())
            .spawn(move || thread.run())?;
        Ok(store)
    }

    /// Moves to the next segment: the store thread's spare when it runs
    /// (no system call), else a segment created here.
    fn roll(&mut self) -> Result<(), StoreError> {
        let next = self.segment + 1;
        let map = match &mut self.spares {
            Some(link) => match link.take(next) {
                Some(map) => map,
                None => {
                    self.spare_misses += 1;
                    return Err(StoreError::NoSpareSegment);
                }
            },
            None => {
                self.inline_rolls += 1;
                let file = segment_file(&self.shared, next)?;
                let mut map = Map::new(&file, self.shared.segment_bytes, true)?;
                map.prefault_writable(0, usize::MAX);
                map
            }
        };
        let old = std::mem::replace(&mut self.map, map);
        match &mut self.spares {
            Some(link) => self.unmaps_inline += u64::from(!link.retire(old)),
            None => drop(old),
        }
        self.segment = next;
        self.offset = 0;
        self.rolls += 1;
        self.shared.writer_segment.store(next, Ordering::Release);
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

    fn room(&self) -> Option<Arc<dyn Room>> {
        let shared: Arc<dyn Room> = self.shared.clone();
        self.spares.as_ref().map(|_| shared)
    }

    fn reader(&self) -> Box<dyn StoreReader> {
        Box::new(FileReader::new(self.shared.clone()))
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
                    let torn = torn_only(map.bytes(), at) && !holds_records(shared, segment + 1)?;
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

/// Segment `segment` exists and holds anything but zeros (a spare the
/// store thread prepared and the writer never reached holds none).
fn holds_records(shared: &Shared, segment: u64) -> Result<bool, StoreError> {
    if !shared.path(segment).exists() {
        return Ok(false);
    }
    let file = OpenOptions::new().read(true).open(shared.path(segment))?;
    let len = file.metadata()?.len() as usize;
    if len == 0 {
        return Ok(false);
    }
    let map = Map::new(&file, len, false)?;
    Ok(map.bytes().iter().any(|&b| b != 0))
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

/// A reader for the recovery thread. Its memory stays flat as the
/// journal grows: it maps a segment only while it reads it, and keeps a
/// sparse index, one (seq, record position) checkpoint per
/// [`CHECKPOINT_BYTES`] of journal, to start a resend's scan near its
/// first message.
struct FileReader {
    shared: Arc<Shared>,
    /// Mappings held during one call; released when it returns.
    maps: Vec<Option<Map>>,
    /// Journal position up to which records are indexed.
    scanned: u64,
    /// Journal position of the last reset record: nothing before it counts.
    floor: u64,
    /// Sparse index since `floor`: the first seq of a record and where
    /// the record starts, in journal order.
    checkpoints: Vec<(u32, u64)>,
    /// Highest seq indexed since `floor`.
    max_seq: Option<u32>,
    /// Every record since `floor` held higher seqs than the ones before
    /// (true in practice); if not, resends scan from `floor`.
    ascending: bool,
}

/// Journal bytes between two checkpoints of the reader's sparse index.
const CHECKPOINT_BYTES: u64 = 64 << 10;

impl FileReader {
    fn new(shared: Arc<Shared>) -> Self {
        FileReader {
            shared,
            maps: vec![],
            scanned: 0,
            floor: 0,
            checkpoints: vec![],
            max_seq: None,
            ascending: true,
        }
    }

    fn map(&mut self, segment: u64) -> Result<&Map, StoreError> {
        let i = segment as usize;
        if self.maps.len() <= i {
            self.maps.resize_with(i + 1, || None);
        }
        if self.maps[i].is_none() {
            let file = OpenOptions::new()
                .read(true)
                .open(self.shared.path(segment))?;
            self.maps[i] = Some(Map::new(&file, self.shared.segment_bytes, false)?);
        }
        Ok(self.maps[i].as_ref().expect("mapped above"))
    }

    /// Walks records from journal position `from` up to `limit`, calling
    /// `f(record position, kind, seq, loc)` for each message; `f` returns
    /// false to stop. Returns where the walk stopped.
    fn walk(
        &mut self,
        mut from: u64,
        limit: u64,
        mut f: impl FnMut(u64, u8, u32, Loc) -> bool,
    ) -> Result<u64, StoreError> {
        let seg_bytes = self.shared.segment_bytes as u64;
        while from < limit {
            let (segment, at) = (from / seg_bytes, (from % seg_bytes) as usize);
            let map = self.map(segment)?;
            let Ok(Some(r)) = record(map.bytes(), at) else {
                // The end of a segment: the writer rolled over.
                from = (segment + 1) * seg_bytes;
                continue;
            };
            let mut go = true;
            if r.count == 0 {
                go = f(
                    from,
                    r.kind,
                    0,
                    Loc {
                        segment,
                        at,
                        len: 0,
                        flags: 0,
                    },
                );
            }
            messages(r.body, r.count, |seq, flags, off, len| {
                if go {
                    let at = r.body_at + off;
                    go = f(
                        from,
                        r.kind,
                        seq,
                        Loc {
                            segment,
                            at,
                            len,
                            flags,
                        },
                    );
                }
            });
            if !go {
                return Ok(from);
            }
            from += r.len as u64;
        }
        Ok(from)
    }

    /// Indexes records between what was scanned and the committed length.
    fn catch_up(&mut self) -> Result<(), StoreError> {
        let committed = self.shared.committed.load(Ordering::Acquire);
        let mut st = (
            self.floor,
            std::mem::take(&mut self.checkpoints),
            self.max_seq,
            self.ascending,
        );
        let mut last_record = u64::MAX;
        self.scanned = self.walk(self.scanned, committed, |pos, kind, seq, loc| {
            let (floor, checkpoints, max_seq, ascending) = &mut st;
            if kind == KIND_RESET && pos != last_record {
                (*floor, *max_seq, *ascending) = (pos, None, true);
                checkpoints.clear();
            }
            if loc.len > 0 {
                let far = checkpoints
                    .last()
                    .is_none_or(|c| pos >= c.1 + CHECKPOINT_BYTES);
                if pos != last_record && far {
                    checkpoints.push((seq, pos));
                }
                if max_seq.is_some_and(|m| seq <= m) {
                    *ascending = false;
                }
                *max_seq = Some(max_seq.map_or(seq, |m| m.max(seq)));
            }
            last_record = pos;
            true
        })?;
        (self.floor, self.checkpoints, self.max_seq, self.ascending) = st;
        Ok(())
    }

    fn serve(
        &mut self,
        begin: u32,
        end: u32,
        f: &mut dyn FnMut(u32, u8, &[u8]),
    ) -> Result<usize, StoreError> {
        self.catch_up()?;
        let Some(range) = super::requested(begin, end) else {
            return Ok(0);
        };
        let end = *range.end();
        let from = match self.ascending {
            true => {
                let i = self.checkpoints.partition_point(|c| c.0 <= begin);
                i.checked_sub(1)
                    .map_or(self.floor, |i| self.checkpoints[i].1)
            }
            false => self.floor,
        };
        // Later records win, as a rewrite of a seq replaces it.
        let mut found: BTreeMap<u32, Loc> = BTreeMap::new();
        let ascending = self.ascending;
        self.walk(from, self.scanned, |_, _, seq, loc| {
            if loc.len > 0 && range.contains(&seq) {
                found.insert(seq, loc);
            }
            !(ascending && seq > end)
        })?;
        for (seq, loc) in &found {
            let map = self.map(loc.segment)?;
            f(*seq, loc.flags, &map.bytes()[loc.at..loc.at + loc.len]);
        }
        Ok(found.len())
    }
}

impl StoreReader for FileReader {
    fn for_each(
        &mut self,
        begin: u32,
        end: u32,
        f: &mut dyn FnMut(u32, u8, &[u8]),
    ) -> Result<usize, StoreError> {
        let result = self.serve(begin, end, f);
        // Release every mapping: the reader's resident memory stays flat.
        self.maps.clear();
        result
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
}

/// Opens a session's file store and starts its store thread.
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
    let opts = StoreOptions {
        fsync: policy,
        ..StoreOptions::default()
    };
    open_file_store_with(dir, id, &opts).map(|(s, _)| s)
}

/// [`open_file_store`] with every option (segment size, damage policy,
/// store-thread core); returns what was repaired, if anything.
///
/// ```
/// use gapless::store::{open_file_store_with, CorruptionPolicy, StoreOptions};
/// let dir = std::env::temp_dir().join(format!("gapless-doc-gf-{}", std::process::id()));
/// let opts = StoreOptions { on_corruption: CorruptionPolicy::GapFill, ..StoreOptions::default() };
/// let (_s, repaired) = open_file_store_with(&dir, "FIX.4.4-A-B", &opts).unwrap();
/// assert!(repaired.is_none());
/// # std::fs::remove_dir_all(dir).ok();
/// ```
pub fn open_file_store_with(
    dir: &Path,
    id: &str,
    opts: &StoreOptions,
) -> Result<(Box<dyn MessageStore>, Option<Repair>), StoreError> {
    let store = FileStore::open_with_thread(dir, id, opts)?;
    let repaired = store.repaired.clone();
    Ok((Box::new(store), repaired))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corruption_tests;

#[cfg(test)]
mod roll_tests;
