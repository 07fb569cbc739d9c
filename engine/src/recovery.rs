//! Recovery, sans-IO: serves the peer's ResendRequests from the store —
//! application messages resent with PossDupFlag=Y and OrigSendingTime,
//! everything else collapsed into as few SequenceReset-GapFills as
//! possible — in bounded steps. (Our own ResendRequests need no store:
//! the session sends them in the turn that sees the gap.)
//!
//! The runtime runs it on the recovery thread and passes its output to the
//! hot path over a ring; tests run it inline.

use crate::codec::encode::{Body, Encoder, Outgoing};
use crate::codec::time::{self, Nanos};
use crate::session::ResendRange;
use crate::store::{StoreError, StoreReader};

/// Store flag: the message is gap-filled, not resent.
const FLAG_ADMIN: u8 = 1;

/// One peer ResendRequest being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Replay {
    /// Next seq to account for.
    cursor: u32,
    /// Last seq to serve.
    end: u32,
    /// Start of an open run of seqs to gap-fill.
    gap_from: Option<u32>,
}

/// The recovery side of one session.
///
/// ```
/// use gapless::recovery::Recovery;
/// use gapless::session::ResendRange;
/// use gapless::store::{MemoryStore, MessageStore};
/// use gapless::codec::{encode::Encoder, time::Precision};
/// let store = MemoryStore::new();
/// let mut r = Recovery::new(store.reader(), Encoder::new("FIX.4.4", "A", "B", Precision::Millis));
/// // The peer asks for 1..=3 of ours; we sent none (the store is empty).
/// r.serve(ResendRange { begin: 1, end: 0, next_out: 4 });
/// let mut got = Vec::new();
/// r.poll(0, 100, &mut |bytes| got = bytes.to_vec()).unwrap();
/// assert!(got.windows(11).any(|w| w == b"\x0135=4\x0134=1\x01")); // one GapFill
/// assert!(got.windows(6).any(|w| w == b"\x0136=4\x01"));
/// ```
pub struct Recovery {
    reader: Box<dyn StoreReader>,
    encoder: Encoder,
    replay: Option<Replay>,
    queued: Option<Replay>,
    buf: Vec<u8>,
    batch: Vec<(u32, u8, std::ops::Range<usize>)>,
    store_buf: Vec<u8>,
    gap_fill_body: Vec<u8>,
    /// Messages resent so far.
    pub resent: u64,
    /// GapFills sent so far.
    pub gap_fills: u64,
}

impl Recovery {
    /// Recovery reading `reader`, encoding as `encoder` (the session's).
    pub fn new(reader: Box<dyn StoreReader>, encoder: Encoder) -> Self {
        Recovery {
            reader,
            encoder,
            replay: None,
            queued: None,
            buf: Vec::with_capacity(1 << 16),
            batch: Vec::with_capacity(1024),
            store_buf: Vec::with_capacity(1 << 16),
            gap_fill_body: Vec::with_capacity(32),
            resent: 0,
            gap_fills: 0,
        }
    }

    /// Takes a peer's ResendRequest. One arriving while another is served
    /// is trimmed to what the replay in flight will not cover, and waits
    /// for it (at most one replay in flight and one queued; a later one
    /// replaces the queued).
    pub fn serve(&mut self, range: ResendRange) {
        let ResendRange {
            begin,
            end,
            next_out,
        } = range;
        let last = if end == 0 || end >= next_out {
            next_out.saturating_sub(1)
        } else {
            end
        };
        let mut r = Replay {
            cursor: begin.max(1),
            end: last,
            gap_from: None,
        };
        if r.cursor > r.end {
            // Nothing we sent lies in the range (BeginSeqNo beyond our last
            // seq): nothing to replay.
            return;
        }
        match self.replay {
            None => self.replay = Some(r),
            Some(busy) => {
                // The replay in flight delivers up to its end: serve only
                // what lies beyond it.
                r.cursor = r.cursor.max(busy.end + 1);
                if r.cursor <= r.end {
                    self.queued = Some(r);
                }
            }
        }
    }

    /// Drops pending work (the connection it was for is gone).
    pub fn abandon(&mut self) {
        (self.replay, self.queued) = (None, None);
    }

    /// Work is waiting.
    pub fn busy(&self) -> bool {
        self.replay.is_some()
    }

    /// Does up to `budget` messages of work, passing each message's bytes
    /// (complete, to write as they are) to `sink`. Returns how many messages were produced.
    pub fn poll(
        &mut self,
        now: Nanos,
        budget: usize,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, StoreError> {
        let mut produced = 0;
        while produced < budget {
            let Some(mut r) = self.replay.take() else {
                break;
            };
            produced += self.step(&mut r, now, budget - produced, sink)?;
            if r.cursor <= r.end {
                self.replay = Some(r);
            } else {
                self.replay = self.queued.take();
            }
        }
        Ok(produced)
    }

    /// Serves up to `budget` seqs of `r`.
    fn step(
        &mut self,
        r: &mut Replay,
        now: Nanos,
        budget: usize,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, StoreError> {
        let last = r.end.min(r.cursor.saturating_add(budget.max(1) as u32 - 1));
        self.batch.clear();
        self.store_buf.clear();
        let (batch, store_buf) = (&mut self.batch, &mut self.store_buf);
        self.reader
            .for_each(r.cursor, last, &mut |seq, flags, bytes| {
                let start = store_buf.len();
                store_buf.extend_from_slice(bytes);
                batch.push((seq, flags, start..store_buf.len()));
            })?;
        let mut produced = 0;
        for i in 0..self.batch.len() {
            let (seq, flags, range) = self.batch[i].clone();
            if seq < r.cursor || seq > last {
                continue;
            }
            if seq > r.cursor {
                r.gap_from.get_or_insert(r.cursor);
            }
            if flags & FLAG_ADMIN != 0 {
                r.gap_from.get_or_insert(seq);
                r.cursor = seq + 1;
                continue;
            }
            if let Some(from) = r.gap_from.take() {
                produced += self.gap_fill(from, seq, now, sink);
            }
            self.buf.clear();
            if let Some(range) = self
                .encoder
                .resend(&mut self.buf, &self.store_buf[range], now)
            {
                sink(&self.buf[range]);
                self.resent += 1;
                produced += 1;
            } else {
                r.gap_from = Some(seq);
            }
            r.cursor = seq + 1;
        }
        if r.cursor <= last {
            r.gap_from.get_or_insert(r.cursor);
            r.cursor = last + 1;
        }
        if r.cursor > r.end {
            if let Some(from) = r.gap_from.take() {
                produced += self.gap_fill(from, r.end + 1, now, sink);
            }
        }
        Ok(produced)
    }

    /// SequenceReset-GapFill: seq `from`, NewSeqNo `to`.
    fn gap_fill(&mut self, from: u32, to: u32, now: Nanos, sink: &mut dyn FnMut(&[u8])) -> usize {
        let mut body = std::mem::take(&mut self.gap_fill_body);
        body.clear();
        Body::new(&mut body).uint(36, u64::from(to)).char(123, b'Y');
        let mut ts = [0u8; time::MAX_LEN];
        let ts_len = time::format(now, self.encoder.precision(), &mut ts);
        let m = Outgoing {
            msg_type: b"4",
            seq: from,
            poss_dup: true,
            orig_sending_time: &ts[..ts_len],
            body: &body,
        };
        self.buf.clear();
        let range = self.encoder.encode_with(&mut self.buf, &m, now);
        sink(&self.buf[range]);
        self.gap_fill_body = body;
        self.gap_fills += 1;
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::time::Precision;
    use crate::store::{MemoryStore, MessageStore};

    /// Found by `fuzz/` (session target): a ResendRequest whose BeginSeqNo
    /// lies beyond our last seq made the store reader panic on an
    /// inverted range (`7=4|16=6` after sending only seq 1).
    #[test]
    fn resend_request_beyond_our_last_seq_replays_nothing_and_does_not_panic() {
        let store = MemoryStore::new();
        let enc = Encoder::new("FIX.4.4", "A", "B", Precision::Millis);
        let mut r = Recovery::new(store.reader(), enc);
        r.serve(ResendRange {
            begin: 4,
            end: 6,
            next_out: 2,
        });
        assert!(!r.busy());
        let mut outputs = 0;
        assert_eq!(r.poll(0, 100, &mut |_| outputs += 1).unwrap(), 0);
        assert_eq!(outputs, 0);
    }

    #[test]
    fn store_readers_answer_an_inverted_range_with_nothing() {
        let store = MemoryStore::new();
        let mut reader = store.reader();
        assert_eq!(reader.for_each(5, 3, &mut |_, _, _| ()).unwrap(), 0);
    }
}
