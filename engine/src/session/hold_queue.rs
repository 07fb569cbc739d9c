//! The hold queue: messages that arrived after a gap, kept in seq order
//! until the gap fills. Bounded in messages and in bytes; all memory is
//! allocated up front, so holding and releasing never allocate.

/// A slot: where a held message's bytes are in the arena.
#[derive(Clone, Copy, Debug)]
struct Slot {
    seq: u32,
    start: u32,
    len: u32,
}

/// Messages held by seq, in a window of `capacity` seqs after `base`.
///
/// ```
/// use gapless::session::HoldQueue;
/// let mut q = HoldQueue::new(4, 1024);
/// assert!(q.insert(1, 5, b"five"));
/// assert!(q.insert(1, 3, b"three"));
/// assert_eq!(q.take(3), Some(&b"three"[..]));
/// assert_eq!(q.take(4), None);
/// ```
#[derive(Debug)]
pub struct HoldQueue {
    slots: Vec<Option<Slot>>,
    arena: Vec<u8>,
    used: usize,
    count: usize,
    bytes: usize,
    live: Vec<Slot>,
}

impl HoldQueue {
    /// A queue of at most `messages` messages and `bytes` bytes.
    pub fn new(messages: usize, bytes: usize) -> Self {
        HoldQueue {
            slots: vec![None; messages.max(1)],
            arena: vec![0; bytes],
            used: 0,
            count: 0,
            bytes: 0,
            live: Vec::with_capacity(messages.max(1)),
        }
    }

    /// Messages held.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Nothing is held.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The highest seq held, if any.
    pub fn highest(&self) -> Option<u32> {
        self.slots.iter().flatten().map(|s| s.seq).max()
    }

    /// Holds `msg` (seq `seq`, with `next_in` expected now). Returns false
    /// — the message is dropped — when `seq` is outside the window, the
    /// byte bound would be exceeded, or `seq` is already held.
    pub fn insert(&mut self, next_in: u32, seq: u32, msg: &[u8]) -> bool {
        let cap = self.slots.len();
        if seq <= next_in
            || (seq - next_in) as usize > cap
            || self.bytes + msg.len() > self.arena.len()
        {
            return false;
        }
        let i = seq as usize % cap;
        if self.slots[i].is_some_and(|s| s.seq == seq) {
            return false;
        }
        if self.slots[i].is_some() || self.used + msg.len() > self.arena.len() {
            self.compact(next_in);
            if self.slots[i].is_some() || self.used + msg.len() > self.arena.len() {
                return false;
            }
        }
        self.arena[self.used..self.used + msg.len()].copy_from_slice(msg);
        self.slots[i] = Some(Slot {
            seq,
            start: self.used as u32,
            len: msg.len() as u32,
        });
        self.used += msg.len();
        self.count += 1;
        self.bytes += msg.len();
        true
    }

    /// Removes and returns the message with `seq`, if held. The bytes stay
    /// valid until the next `insert`.
    pub fn take(&mut self, seq: u32) -> Option<&[u8]> {
        let i = seq as usize % self.slots.len();
        let s = self.slots[i].filter(|s| s.seq == seq)?;
        self.slots[i] = None;
        self.count -= 1;
        self.bytes -= s.len as usize;
        if self.count == 0 {
            self.used = 0;
        }
        Some(&self.arena[s.start as usize..(s.start + s.len) as usize])
    }

    /// Drops everything held at or below `seq` (after a GapFill or reset
    /// moved expected past them).
    pub fn drop_through(&mut self, seq: u32) {
        for slot in self.slots.iter_mut() {
            if let Some(s) = slot.filter(|s| s.seq <= seq) {
                *slot = None;
                self.count -= 1;
                self.bytes -= s.len as usize;
            }
        }
        if self.count == 0 {
            self.used = 0;
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
        (self.used, self.count, self.bytes) = (0, 0, 0);
    }

    /// Moves live bytes to the front of the arena, evicting slots that sit
    /// where a newer seq of the window must go (they are stale).
    fn compact(&mut self, next_in: u32) {
        let cap = self.slots.len() as u32;
        let mut live = std::mem::take(&mut self.live);
        live.clear();
        for slot in self.slots.iter_mut() {
            match *slot {
                Some(s) if s.seq > next_in && s.seq - next_in <= cap => live.push(s),
                Some(_) => *slot = None,
                None => {}
            }
        }
        live.sort_unstable_by_key(|s| s.start);
        let mut to = 0usize;
        for s in &live {
            self.arena
                .copy_within(s.start as usize..(s.start + s.len) as usize, to);
            let i = s.seq as usize % self.slots.len();
            self.slots[i] = Some(Slot {
                start: to as u32,
                ..*s
            });
            to += s.len as usize;
        }
        self.used = to;
        self.count = live.len();
        self.bytes = to;
        self.live = live;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_released_in_seq_order_whatever_the_arrival_order() {
        let mut q = HoldQueue::new(8, 1024);
        for seq in [7, 5, 6, 3] {
            assert!(q.insert(2, seq, &[seq as u8; 3]));
        }
        let released: Vec<u32> = (3..=7).filter(|&s| q.take(s).is_some()).collect();
        assert_eq!(released, [3, 5, 6, 7]);
        assert!(q.is_empty());
    }

    #[test]
    fn message_bound_drops_seqs_beyond_the_window() {
        let mut q = HoldQueue::new(4, 1024);
        assert!(q.insert(1, 5, b"x"));
        assert!(!q.insert(1, 6, b"x"));
    }

    #[test]
    fn byte_bound_drops_messages_that_do_not_fit() {
        let mut q = HoldQueue::new(100, 10);
        assert!(q.insert(1, 2, &[0; 6]));
        assert!(!q.insert(1, 3, &[0; 6]));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn duplicates_of_a_held_seq_are_refused() {
        let mut q = HoldQueue::new(4, 100);
        assert!(q.insert(1, 3, b"a"));
        assert!(!q.insert(1, 3, b"b"));
        assert_eq!(q.take(3), Some(&b"a"[..]));
    }

    #[test]
    fn arena_is_compacted_when_fragmented() {
        let mut q = HoldQueue::new(4, 8);
        assert!(q.insert(1, 2, b"aaaa"));
        assert!(q.insert(1, 3, b"bbbb"));
        assert_eq!(q.take(2), Some(&b"aaaa"[..]));
        assert!(q.insert(2, 4, b"cccc"));
        assert_eq!(q.take(3), Some(&b"bbbb"[..]));
        assert_eq!(q.take(4), Some(&b"cccc"[..]));
    }

    #[test]
    fn drop_through_forgets_covered_seqs() {
        let mut q = HoldQueue::new(8, 100);
        q.insert(1, 3, b"a");
        q.insert(1, 6, b"b");
        q.drop_through(4);
        assert_eq!(q.len(), 1);
        assert_eq!(q.highest(), Some(6));
    }
}
