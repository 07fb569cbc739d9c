//! Latency per interval of a run (HdrHistogram's interval logs, `.hlog`,
//! are written from these), recorded on the hot path without allocating:
//! every histogram is made before the run.

use hdrhistogram::Histogram;

use crate::codec::time::Nanos;

/// Intervals kept at most; a longer run gets longer intervals.
const MAX_INTERVALS: u64 = 300;

/// One interval's histogram.
#[derive(Clone, Debug)]
pub struct Interval {
    /// When its first value was recorded (ns since the epoch).
    pub start: Nanos,
    /// How long it lasted.
    pub len: Nanos,
    /// Its values.
    pub histogram: Histogram<u64>,
}

/// Histograms rolled every interval (1 s, or `seconds / 300` if longer).
///
/// ```
/// use gapless::sim::intervals::Intervals;
/// let mut iv = Intervals::new(2.0);
/// iv.record(1_000_000_000, 5_000);
/// iv.record(2_500_000_000, 7_000);
/// let done = iv.finish(3_000_000_000);
/// assert_eq!(done.len(), 2);
/// assert_eq!((done[0].start, done[0].len), (1_000_000_000, 1_500_000_000));
/// assert_eq!((done[1].start, done[1].histogram.len()), (2_500_000_000, 1));
/// ```
#[derive(Debug)]
pub struct Intervals {
    len: Nanos,
    current: Option<Interval>,
    spares: Vec<Histogram<u64>>,
    done: Vec<Interval>,
}

impl Intervals {
    /// For a run of about `seconds`.
    pub fn new(seconds: f64) -> Self {
        let len = (seconds.max(0.0) * 1e9 / MAX_INTERVALS as f64).max(1e9) as Nanos;
        let n = (seconds.max(0.0) * 1e9 / len as f64).ceil() as usize + 2;
        Intervals {
            len,
            current: None,
            spares: (0..n).map(|_| super::histogram()).collect(),
            done: Vec::with_capacity(n),
        }
    }

    /// Records `value` at time `now`, starting the next interval first if
    /// this one is over (while spare histograms last; then the last one
    /// grows).
    pub fn record(&mut self, now: Nanos, value: u64) {
        let roll = self
            .current
            .as_ref()
            .is_none_or(|c| now >= c.start + self.len);
        if roll {
            if let Some(histogram) = self.spares.pop() {
                let next = Interval {
                    start: now,
                    len: 0,
                    histogram,
                };
                if let Some(mut full) = self.current.replace(next) {
                    full.len = now - full.start;
                    self.done.push(full);
                }
            }
        }
        if let Some(c) = &mut self.current {
            let _ = c.histogram.record(value);
        }
    }

    /// The intervals, the last one ending at `now`.
    pub fn finish(&mut self, now: Nanos) -> Vec<Interval> {
        if let Some(mut last) = self.current.take() {
            last.len = now.saturating_sub(last.start);
            self.done.push(last);
        }
        std::mem::take(&mut self.done)
    }
}
