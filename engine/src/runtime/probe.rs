//! Optional latency probes on the hot path: preallocated histograms, so
//! recording allocates nothing. Off unless `EngineOptions::probe` is set.

use hdrhistogram::Histogram;

use crate::codec::time::{self, Nanos};

/// Latencies measured inside the hot path, in nanoseconds.
#[derive(Clone, Debug)]
pub struct Probe {
    /// Start of the turn in which bytes were queued → `send` returned:
    /// application (or session) to wire.
    pub to_wire: Histogram<u64>,
    /// Start of the turn that detected a gap → our ResendRequest handed
    /// to the transport (the session queues it in that turn).
    pub gap_to_request: Histogram<u64>,
    gap_since: Vec<Option<Nanos>>,
}

impl Probe {
    /// Probes for `sessions` sessions.
    pub fn new(sessions: usize) -> Self {
        Probe {
            to_wire: crate::sim::histogram(),
            gap_to_request: crate::sim::histogram(),
            gap_since: vec![None; sessions],
        }
    }

    pub(super) fn gap(&mut self, s: usize, now: Nanos) {
        self.gap_since[s].get_or_insert(now);
    }

    /// `send` returned for session `s`; the turn started at `turn`.
    pub(super) fn sent(&mut self, s: usize, turn: Nanos) {
        let now = time::now();
        let _ = self.to_wire.record(now.saturating_sub(turn).max(1));
        if let Some(t) = self.gap_since[s].take() {
            let _ = self.gap_to_request.record(now.saturating_sub(t).max(1));
        }
    }
}
