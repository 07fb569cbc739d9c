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
    // TotalCount is the running total up to each value (HdrHistogram's
    // `getTotalCountToThisValue`), not the count of one bucket.
    let mut total = 0u64;
    for v in h.iter_quantiles(5) {
        let q = v.quantile_iterated_to();
        let value = v.value_iterated_to() as f64 / 1000.0;
        total += v.count_since_last_iteration();
        if q < 1.0 {
            writeln!(
                out,
                "{value:12.3} {q:2.12} {total:10} {:14.2}",
                1.0 / (1.0 - q)
            )?;
        } else {
            writeln!(out, "{value:12.3} {q:2.12} {total:10}")?;
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

/// The column names of [`row`].
pub const ROW_HEADER: &str =
    "       n     min    mean     p50     p90     p99   p99.9  p99.99     max";

/// Sample count, min, mean and the [`SUMMARY`] percentiles in
/// microseconds, as aligned columns under [`ROW_HEADER`].
///
/// ```
/// let mut h = gapless::sim::histogram();
/// h.record(2_000).unwrap();
/// let row = gapless::sim::hgrm::row(&h);
/// assert!(row.trim_start().starts_with("1     2.0     2.0     2.0"), "{row}");
/// ```
pub fn row(h: &Histogram<u64>) -> String {
    if h.is_empty() {
        return format!("{:>8} no samples", 0);
    }
    let us = |ns: f64| format!("{:>7.1}", ns / 1000.0);
    let mut cols = vec![format!("{:>8}", h.len()), us(h.min() as f64), us(h.mean())];
    cols.extend(SUMMARY.iter().map(|&p| us(h.value_at_percentile(p) as f64)));
    cols.join(" ")
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
        + &format!(
            " µs  (n {}, min {:.1}, mean {:.1})",
            h.len(),
            h.min() as f64 / 1000.0,
            h.mean() / 1000.0
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(h: &Histogram<u64>) -> String {
        let mut out = Vec::new();
        write(h, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// `(value µs, quantile, TotalCount)` of every data line.
    fn lines(t: &str) -> Vec<(f64, f64, u64)> {
        t.lines()
            .filter_map(|l| {
                let mut c = l.split_whitespace();
                Some((
                    c.next()?.parse().ok()?,
                    c.next()?.parse().ok()?,
                    c.next()?.parse().ok()?,
                ))
            })
            .collect()
    }

    #[test]
    fn total_count_column_is_the_running_total_and_ends_at_the_sample_count() {
        let mut h = crate::sim::histogram();
        for v in 1..=1000u64 {
            h.record(v * 1000).unwrap();
        }
        let rows = lines(&text(&h));
        assert!(rows.len() > 20);
        assert!(rows.windows(2).all(|w| w[0].2 <= w[1].2), "non-decreasing");
        assert_eq!(rows.last().unwrap().2, 1000);
        // The running total at the median is about half the samples.
        let median = rows.iter().find(|r| r.1 >= 0.5).unwrap();
        assert!((495..=505).contains(&median.2), "{median:?}");
    }

    #[test]
    fn row_shows_count_min_mean_and_max() {
        let mut h = crate::sim::histogram();
        for v in [1_000u64, 2_000, 9_000] {
            h.record(v).unwrap();
        }
        let cols: Vec<f64> = row(&h)
            .split_whitespace()
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(cols.len(), ROW_HEADER.split_whitespace().count());
        assert_eq!((cols[0], cols[1], cols[2]), (3.0, 1.0, 4.0));
        assert_eq!(*cols.last().unwrap(), 9.0);
    }
}
