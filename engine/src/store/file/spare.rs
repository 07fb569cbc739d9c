//! The store thread: keeps the next segment created, sized, mapped and
//! pre-faulted ahead of the writer (a double-buffered spare the writer
//! swaps in at a roll), releases the mappings the writer retires, and
//! runs the FsyncPolicy. The writer's side of a roll is two ring
//! operations: no system call, no lock, no allocation.
//!
//! Pre-faulting and unmapping go a slice of [`SLICE_PAGES`] pages per
//! round. Unpinned, the thread pauses between rounds, so on a box with no
//! spare core it never holds one of the busy-polling threads' cores for
//! more than one slice at a time.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::map::Map;
use super::{segment_file, Flusher, Shared};
use crate::config::FsyncPolicy;

/// A prepared segment.
pub(super) struct Spare {
    pub(super) segment: u64,
    pub(super) map: Map,
}

/// Mappings the writer may retire before the store thread releases them;
/// beyond that the writer unmaps inline (counted).
const RETIRED: usize = 16;

/// How long the store thread naps when idle (unless pinned and spinning).
const NAP: Duration = Duration::from_millis(1);

/// Pages pre-faulted or unmapped per round (128 KiB).
pub(super) const SLICE_PAGES: usize = 32;

/// Pause between the rounds of a preparation or release when unpinned.
const SLICE_PAUSE: Duration = Duration::from_micros(50);

/// After a failed preparation (disk full?), wait this long to retry.
const RETRY: Duration = Duration::from_millis(100);

/// The writer's ends: the spare to take, the retired mappings to hand back.
pub(super) struct SpareLink {
    pub(super) ready: rtrb::Consumer<Spare>,
    pub(super) retired: rtrb::Producer<Map>,
}

impl SpareLink {
    /// The spare for `segment`, if the store thread has it ready. A spare
    /// for another segment (never expected) is retired.
    pub(super) fn take(&mut self, segment: u64) -> Option<Map> {
        let spare = self.ready.pop().ok()?;
        if spare.segment == segment {
            return Some(spare.map);
        }
        self.retire(spare.map);
        None
    }

    /// Hands `map` to the store thread to unmap; false if its ring was full
    /// and the mapping was released here (a system call).
    pub(super) fn retire(&mut self, map: Map) -> bool {
        match self.retired.push(map) {
            Ok(()) => true,
            Err(rtrb::PushError::Full(map)) => {
                drop(map);
                false
            }
        }
    }
}

/// What the store thread does between naps.
pub(super) struct StoreThread {
    shared: Arc<Shared>,
    ready: rtrb::Producer<Spare>,
    retired: rtrb::Consumer<Map>,
    flusher: Flusher,
    policy: FsyncPolicy,
    /// Pinned: spin instead of napping.
    core: Option<usize>,
    /// Highest segment prepared so far.
    prepared: u64,
    /// The segment being pre-faulted, and its next page.
    preparing: Option<(u64, Map, usize)>,
    /// The retired mapping being unmapped.
    releasing: Option<Map>,
    last_sync: Instant,
    retry_at: Option<Instant>,
}

/// The writer's link and the thread's state, for a writer in `segment`.
pub(super) fn link(
    shared: Arc<Shared>,
    flusher: Flusher,
    policy: FsyncPolicy,
    core: Option<usize>,
) -> (SpareLink, StoreThread) {
    let (ready_tx, ready_rx) = rtrb::RingBuffer::new(1);
    let (retired_tx, retired_rx) = rtrb::RingBuffer::new(RETIRED);
    let prepared = shared.writer_segment.load(Ordering::Acquire);
    let thread = StoreThread {
        shared,
        ready: ready_tx,
        retired: retired_rx,
        flusher,
        policy,
        core,
        prepared,
        preparing: None,
        releasing: None,
        last_sync: Instant::now(),
        retry_at: None,
    };
    (
        SpareLink {
            ready: ready_rx,
            retired: retired_tx,
        },
        thread,
    )
}

impl StoreThread {
    /// Runs until the writer is dropped.
    pub(super) fn run(mut self) {
        if let Some(id) = self.core {
            core_affinity::set_for_current(core_affinity::CoreId { id });
        }
        let backoff = crossbeam_utils::Backoff::new();
        while !self.shared.closed.load(Ordering::Acquire) {
            let worked = self.tick();
            match (self.core, worked) {
                // Its own core: spin (exponentially longer, never
                // yielding to the kernel).
                (Some(_), true) => backoff.reset(),
                (Some(_), false) => backoff.spin(),
                // A shared core: hand it back between slices.
                (None, true) if self.in_progress() => std::thread::sleep(SLICE_PAUSE),
                (None, true) => {}
                (None, false) => std::thread::sleep(NAP),
            }
        }
        self.releasing = None;
        while self.retired.pop().is_ok() {}
        if self.policy != FsyncPolicy::Never {
            let _ = self.flusher.sync();
        }
    }

    /// One round of work (at most a slice of pages pre-faulted and one
    /// unmapped); false when there was nothing to do.
    pub(super) fn tick(&mut self) -> bool {
        let mut worked = self.release();
        worked |= self.prepare();
        worked |= self.sync();
        worked
    }

    /// A preparation or a release is under way.
    pub(super) fn in_progress(&self) -> bool {
        self.preparing.is_some() || self.releasing.is_some()
    }

    /// Unmaps a slice of a retired mapping.
    fn release(&mut self) -> bool {
        if self.releasing.is_none() {
            self.releasing = self.retired.pop().ok();
        }
        match &mut self.releasing {
            Some(map) => {
                if map.unmap_tail(SLICE_PAGES) {
                    self.releasing = None;
                }
                true
            }
            None => false,
        }
    }

    /// Pre-faults a slice of the segment after the writer's, starting it
    /// if it is not ready yet, and hands it over once whole.
    fn prepare(&mut self) -> bool {
        if self.preparing.is_none() && !self.start_next() {
            return false;
        }
        let Some((segment, mut map, page)) = self.preparing.take() else {
            return true; // a failed start: retried later
        };
        let page = map.prefault_writable(page, SLICE_PAGES);
        if page < map.pages() {
            self.preparing = Some((segment, map, page));
            return true;
        }
        let pushed = self.ready.push(Spare { segment, map });
        debug_assert!(pushed.is_ok(), "room was checked");
        self.prepared = segment;
        self.shared.spare_segment.store(segment, Ordering::Release);
        true
    }

    /// Creates, sizes and maps the segment after the writer's, if it is
    /// due; true if it tried.
    fn start_next(&mut self) -> bool {
        let next = self.shared.writer_segment.load(Ordering::Acquire) + 1;
        if next <= self.prepared || self.ready.slots() == 0 {
            return false;
        }
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        match segment_file(&self.shared, next)
            .and_then(|f| Ok(Map::reserve(&f, self.shared.segment_bytes)?))
        {
            Ok(map) => {
                self.preparing = Some((next, map, 0));
                self.retry_at = None;
            }
            Err(_) => self.retry_at = Some(Instant::now() + RETRY),
        }
        true
    }

    /// Syncs per the FsyncPolicy; true if it synced.
    fn sync(&mut self) -> bool {
        let due = match self.policy {
            FsyncPolicy::Never => return false,
            FsyncPolicy::Commit => true,
            FsyncPolicy::IntervalMs(ms) => {
                self.last_sync.elapsed() >= Duration::from_millis(ms.max(1))
            }
        };
        let committed = self.shared.committed.load(Ordering::Acquire);
        if !due || committed <= self.shared.durable.load(Ordering::Acquire) {
            return false;
        }
        self.last_sync = Instant::now();
        self.flusher.sync().is_ok()
    }
}
