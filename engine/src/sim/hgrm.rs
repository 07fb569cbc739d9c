//! HdrHistogram output: the percentile distribution text (`.hgrm`) that
//! HdrHistogram's plotter reads, and a one-line percentile summary.

use std::io::{self, Write};

use hdrhistogram::Histogram;

/// The percentiles a latency engineer reads first.
pub const SUMMARY: [f64; 6] = [50.0, 90.0, 99.0, 99.9, 99.99, 100.0];

/// Writes `h` (nanoseconds) as an `.hgrm` percentile distribution in
/// microseconds, 5 ticks per half distance, like HdrHistogram's
/// `outputPercentileDistribution(out, 5, 1000.0)`.
///
/// ```
/// let mut h = gapless::sim::histogram();
/// h.record(1500).unwrap();
/// let mut out = Vec::new();
/// gapless::sim::hgrm::write(&h, &mut out).unwrap();
/// assert!(String::from_utf8(out).unwrap().contains("#[Max     ="));
/// ```
pub fn write(h: &Histogram<u64>, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    )?;
    for v in h.iter_quantiles(5) {
        let q = v.quantile_iterated_to();
        let value = v.value_iterated_to() as f64 / 1000.0;
        if q < 1.0 {
            writeln!(
                out,
                "{value:12.3} {q:2.12} {:10} {:14.2}",
                v.count_since_last_iteration(),
                1.0 / (1.0 - q)
            )?;
        } else {
            writeln!(
                out,
                "{value:12.3} {q:2.12} {:10}",
                v.count_since_last_iteration()
            )?;
        }
    }
    let us = |x: f64| x / 1000.0;
    writeln!(
        out,
        "#[Mean    = {:12.3}, StdDeviation   = {:12.3}]",
        us(h.mean()),
        us(h.stdev())
    )?;
    writeln!(
        out,
        "#[Max     = {:12.3}, Total count    = {:12}]",
        us(h.max() as f64),
        h.len()
    )?;
    writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        h.buckets(),
        h.distinct_values()
    )
}

/// The [`SUMMARY`] percentiles in microseconds, as aligned columns.
///
/// ```
/// let mut h = gapless::sim::histogram();
/// h.record(2_000).unwrap();
/// assert!(gapless::sim::hgrm::row(&h).trim_start().starts_with("2.0"));
/// ```
pub fn row(h: &Histogram<u64>) -> String {
    if h.is_empty() {
        return "no samples".into();
    }
    SUMMARY
        .iter()
        .map(|&p| format!("{:>7.1}", h.value_at_percentile(p) as f64 / 1000.0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `p50 … max` in microseconds on one line.
///
/// ```
/// let mut h = gapless::sim::histogram();
/// h.record(2_000).unwrap();
/// assert!(gapless::sim::hgrm::summary(&h).starts_with("p50 2.0"));
/// ```
pub fn summary(h: &Histogram<u64>) -> String {
    if h.is_empty() {
        return "no samples".into();
    }
    SUMMARY
        .iter()
        .map(|&p| {
            let name = if p == 100.0 {
                "max".to_string()
            } else {
                format!("p{p}")
            };
            format!("{name} {:.1}", h.value_at_percentile(p) as f64 / 1000.0)
        })
        .collect::<Vec<_>>()
        .join("  ")
        + " µs"
}
