//! Times hybrid selection natively on the synthetic workload that the
//! WebAssembly benchmark also runs: 100,000 candidates, 384 dimensions,
//! budget 1,000 (override with `N DIM BUDGET` arguments), uniform and
//! clustered; then diversity (k-means) on 10,000 clustered candidates with
//! a budget of 100.
//!
//! `cargo run --release --example bench_active [N DIM BUDGET]`

use prefkit::active::bench::{synthetic, synthetic_clustered};
use prefkit::active::{select, Strategy};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let dim = args.get(1).copied().unwrap_or(384);
    let budget = args.get(2).copied().unwrap_or(1_000);
    let mut diversity = synthetic_clustered(10_000, dim, 50, 100, 42);
    diversity.strategy = Strategy::Diversity;
    for (name, req) in [
        ("hybrid, uniform", synthetic(n, dim, budget, 42)),
        (
            "hybrid, clustered (50 topics)",
            synthetic_clustered(n, dim, 50, budget, 42),
        ),
        ("diversity, clustered (50 topics)", diversity),
    ] {
        let (n, budget) = (req.examples.len(), req.budget);
        let (start, cpu0) = (Instant::now(), cpu_seconds());
        let sel = match select(&req) {
            Ok(sel) => sel,
            Err(e) => {
                eprintln!("bench_active: {e}");
                std::process::exit(2);
            }
        };
        let secs = start.elapsed().as_secs_f64();
        let cpu = match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => format!(", {:.2} s of CPU", b - a),
            _ => String::new(),
        };
        println!(
            "{name}: {n} candidates x {dim} dims, budget {budget}: \
             {} picked in {secs:.3} s wall{cpu} (native)",
            sel.selected.len()
        );
    }
}

/// User + system CPU time of this process, where the system tells it
/// (Linux `/proc/self/stat`, in clock ticks of 1/100 s): on a busy machine
/// it is a fairer figure than wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit(')').next()?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
