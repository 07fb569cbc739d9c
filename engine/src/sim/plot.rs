//! Percentile-distribution plots (SVG), HdrHistogram style: latency
//! against `1/(1-percentile)` on a log axis, several series overlaid.

use std::path::Path;

use hdrhistogram::Histogram;
use plotters::prelude::*;

/// Colours for up to eight series.
const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Points `(1/(1-q), microseconds)` of `h`, ending at the max: the 100th
/// percentile cannot sit at `1/(1-1)`, so the max is placed at `x = n`,
/// the percentile `1 - 1/n` that one sample in `n` resolves.
///
/// ```
/// let mut h = gapless::sim::histogram();
/// for v in 1..=100 { h.record(v * 1000).unwrap(); }
/// let pts = gapless::sim::plot::points(&h);
/// let (x, max_us) = *pts.last().unwrap();
/// assert_eq!(x, 100.0);
/// assert!((100.0..100.1).contains(&max_us), "{max_us}"); // 3 significant digits
/// ```
pub fn points(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    if h.is_empty() {
        return Vec::new();
    }
    let pts = h.iter_quantiles(5).map(|v| {
        (
            v.quantile_iterated_to(),
            v.value_iterated_to() as f64 / 1000.0,
        )
    });
    with_max(pts, h.len() as f64, h.max() as f64 / 1000.0)
}

/// `(q, value)` pairs as `(1/(1-q), value)` below `x = n`, then the max
/// at `x = n`.
fn with_max(pts: impl Iterator<Item = (f64, f64)>, n: f64, max: f64) -> Vec<(f64, f64)> {
    let n = n.max(1.0);
    let mut out: Vec<(f64, f64)> = pts
        .filter(|&(q, _)| q < 1.0)
        .map(|(q, v)| (1.0 / (1.0 - q), v))
        .filter(|&(x, _)| x < n)
        .collect();
    out.push((n, max));
    out
}

/// Writes an SVG overlaying each `(name, histogram in ns)`.
///
/// ```
/// let mut h = gapless::sim::histogram();
/// for v in 1..1000 { h.record(v * 1000).unwrap(); }
/// let path = std::env::temp_dir().join("gapless-doc-plot.svg");
/// gapless::sim::plot::percentiles(&path, "demo", &[("h", &h)]).unwrap();
/// assert!(std::fs::read_to_string(&path).unwrap().contains("<svg"));
/// ```
pub fn percentiles(
    path: &Path,
    title: &str,
    series: &[(&str, &Histogram<u64>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let named: Vec<(&str, Vec<(f64, f64)>)> = series.iter().map(|(n, h)| (*n, points(h))).collect();
    plot_points(path, title, &named)
}

/// Points `(1/(1-q), value)` read back from an `.hgrm` percentile file
/// (as [`super::hgrm::write`] or HdrHistogram itself writes them).
///
/// ```
/// let mut h = gapless::sim::histogram();
/// for v in 1..100 { h.record(v * 1000).unwrap(); }
/// let mut text = Vec::new();
/// gapless::sim::hgrm::write(&h, &mut text).unwrap();
/// let pts = gapless::sim::plot::read_hgrm(&String::from_utf8(text).unwrap());
/// assert!(pts.len() > 10);
/// ```
pub fn read_hgrm(text: &str) -> Vec<(f64, f64)> {
    let rows: Vec<(f64, f64, f64)> = text
        .lines()
        .filter_map(|l| {
            let mut cols = l.split_whitespace();
            let value: f64 = cols.next()?.parse().ok()?;
            let q: f64 = cols.next()?.parse().ok()?;
            let total: f64 = cols.next()?.parse().ok()?;
            Some((q, value, total))
        })
        .collect();
    let Some(&(_, max, n)) = rows.last() else {
        return Vec::new();
    };
    with_max(rows.into_iter().map(|(q, v, _)| (q, v)), n, max)
}

/// Writes an SVG overlaying each `(name, points)` series.
pub fn plot_points(
    path: &Path,
    title: &str,
    series: &[(&str, Vec<(f64, f64)>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let all = || series.iter().flat_map(|(_, p)| p.iter());
    let max_x = all().map(|p| p.0).fold(10.0, f64::max);
    // The y axis spans the data (half a step each side), not a fixed floor:
    // a clamp at 1 ns left decades of empty axis below the lowest value.
    let max_y = all().map(|p| p.1).fold(f64::MIN_POSITIVE, f64::max) * 1.5;
    let min_y = all()
        .map(|p| p.1)
        .filter(|&v| v > 0.0)
        .fold(max_y, f64::min)
        / 1.5;
    let root = SVGBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((1.0..max_x).log_scale(), (min_y..max_y).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("percentile")
        .y_desc("latency (µs)")
        .x_label_formatter(&|x| format!("{:.4}%", 100.0 * (1.0 - 1.0 / x)))
        .draw()?;
    for (i, (name, pts)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}
