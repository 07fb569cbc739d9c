//! The in-memory store, for tests and for sessions without FileStorePath.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{MessageStore, SeqNums, StoreError, StoreReader};

type Shared = Arc<Mutex<BTreeMap<u32, (u8, Vec<u8>)>>>;

/// An in-memory store. The reader shares the messages behind a mutex:
/// fine for tests and sessions without a FileStorePath, not for latency.
#[derive(Default)]
pub struct MemoryStore {
    seqs: Option<SeqNums>,
    pending: Vec<(u32, u8, Vec<u8>)>,
    msgs: Shared,
    period: Option<u64>,
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
    fn period(&self) -> Option<u64> {
        self.period
    }
    fn set_period(&mut self, start: u64) -> Result<(), StoreError> {
        self.period = Some(start);
        Ok(())
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
        // An empty range would make BTreeMap::range panic.
        let Some(range) = super::requested(begin, end) else {
            return Ok(0);
        };
        let mut n = 0;
        for (s, (fl, b)) in m.range(range) {
            f(*s, *fl, b);
            n += 1;
        }
        Ok(n)
    }
}
