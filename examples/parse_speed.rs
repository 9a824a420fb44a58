//! Times `Dataset::parse_jsonl` alone on a JSONL annotation file (by
//! default the 1,000,000-annotation file of `prefkit bench data`), the best
//! of a few runs, and prints the rate.
//!
//! Run: `cargo run --release -- bench data --dir bench-data`, then
//! `cargo run --release --example parse_speed [bench-data/annotations.jsonl]`

use prefkit::Dataset;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench-data/annotations.jsonl".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e} (make it with `prefkit bench data --dir bench-data`)");
            std::process::exit(2);
        }
    };
    // The best of a few runs: the machine may be shared.
    let mut best = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        match Dataset::parse_jsonl(&text, false) {
            Ok(d) => rows = d.rows.len(),
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "parse_jsonl: {rows} annotations, {mb:.0} MB in {best:.3} s (best of 3): {:.0} MB/s, {:.0} ns/line",
        mb / best,
        best * 1e9 / rows.max(1) as f64
    );
}
