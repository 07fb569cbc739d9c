//! Overlays `.hgrm` percentile files in one SVG and prints each one's
//! p50/p99/p99.9 and its ratio to the first file's.
//!
//! ```sh
//! cargo run --release -p gapless-bench --bin plot -- out/bench/echo.svg \
//!     out/bench/echo_raw.hgrm out/bench/echo_gapless.hgrm out/bench/echo_quickfix.hgrm
//! ```

use std::path::Path;

fn at(points: &[(f64, f64)], pct: f64) -> f64 {
    let x = 1.0 / (1.0 - pct / 100.0);
    points
        .iter()
        .find(|p| p.0 >= x)
        .or(points.last())
        .map_or(0.0, |p| p.1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, files) = args
        .split_first()
        .ok_or("usage: plot OUT.svg A.hgrm [B.hgrm …]")?;
    let mut series = vec![];
    for f in files {
        let name = Path::new(f)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(f)
            .to_string();
        series.push((
            name,
            gapless::sim::plot::read_hgrm(&std::fs::read_to_string(f)?),
        ));
    }
    let base = series.first().map(|s| s.1.clone()).unwrap_or_default();
    println!(
        "{:<24} {:>9} {:>9} {:>9}   ratio to {}",
        "µs", "p50", "p99", "p99.9", series[0].0
    );
    for (name, pts) in &series {
        let v = [50.0, 99.0, 99.9].map(|p| at(pts, p));
        let r = [50.0, 99.0, 99.9].map(|p| at(pts, p) / at(&base, p).max(1e-9));
        println!(
            "{name:<24} {:>9.1} {:>9.1} {:>9.1}   {:.2} {:.2} {:.2}",
            v[0], v[1], v[2], r[0], r[1], r[2]
        );
    }
    let named: Vec<(&str, Vec<(f64, f64)>)> = series
        .iter()
        .map(|(n, p)| (n.as_str(), p.clone()))
        .collect();
    gapless::sim::plot::plot_points(Path::new(out), "echo round trip by percentile", &named)?;
    println!("wrote {out}");
    Ok(())
}
