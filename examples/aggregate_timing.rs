//! Times reliability, the three aggregations and the report (parsing
//! excluded) on 1,000,000 seeded annotations: 250,000 items x 4 labels
//! from 2,000 annotators of accuracy 0.4 to 0.95, 2% gold items.
//!
//! `cargo run --release --example aggregate_timing [items]`, or
//! `cargo run --release --example aggregate_timing FILE.jsonl [GOLD.jsonl]`
//! to read a file instead (parsing timed too), e.g. the one written by
//! `prefkit bench data`.

use prefkit::aggregate::{dawid_skene, majority, weighted};
use prefkit::dataset::{Dataset, Row};
use prefkit::report::{self, ReportConfig};
use prefkit::{reliability, Gold, Label};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn main() {
    let arg = std::env::args().nth(1);
    let d = match arg.as_deref().map(|a| (a, a.parse::<usize>())) {
        Some((path, Err(_))) => read(path, std::env::args().nth(2).as_deref()),
        Some((_, Ok(n))) => generate(n),
        None => generate(250_000),
    };
    run(&d);
}

fn read(path: &str, gold: Option<&str>) -> Dataset {
    let (t, c) = (Instant::now(), cpu_ms());
    let text = std::fs::read_to_string(path).expect("readable annotation file");
    let mut d = Dataset::parse_jsonl(&text, false).expect("valid annotation file");
    if let Some(g) = gold {
        let text = std::fs::read_to_string(g).expect("readable gold file");
        d.set_gold(&prefkit::annotation::parse_gold(&text).expect("valid gold file"));
    }
    let cpu = c.zip(cpu_ms()).map_or(f64::NAN, |(a, b)| b - a);
    let wall = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "{:<30} {wall:>8.1} ms wall {cpu:>6.0} ms cpu",
        "read and parse"
    );
    d
}

fn generate(n_items: usize) -> Dataset {
    let (n_annotators, per_item) = (2_000u32, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut d = Dataset::new();
    for a in 0..n_annotators {
        d.annotators.intern(&format!("w{a}"));
    }
    let accuracy: Vec<f64> = (0..n_annotators)
        .map(|a| 0.4 + 0.55 * a as f64 / n_annotators as f64)
        .collect();
    let mut gold = Vec::new();
    for i in 0..n_items {
        let item = d.items.intern(&format!("item-{i}"));
        let truth = Label::ALL[rng.random_range(0..5)];
        if i % 50 == 0 {
            gold.push(Gold {
                item: format!("item-{i}"),
                label: truth,
                explanation: None,
            });
        }
        let mut chosen = Vec::with_capacity(per_item);
        while chosen.len() < per_item {
            let a = rng.random_range(0..n_annotators);
            if !chosen.contains(&a) {
                chosen.push(a);
            }
        }
        for a in chosen {
            let label = if rng.random::<f64>() < accuracy[a as usize] {
                truth
            } else {
                Label::ALL[rng.random_range(0..5)]
            };
            d.rows.push(Row {
                item,
                annotator: a,
                time_seconds: rng.random_range(1.0..30.0),
                label,
                swapped: rng.random(),
            });
        }
    }
    d.gold = vec![None; d.items.len()];
    d.set_gold(&gold);
    d
}

fn run(d: &Dataset) {
    println!(
        "{} annotations, {} items, {} annotators",
        d.rows.len(),
        d.items.len(),
        d.annotators.len()
    );

    // Wall time, and on Linux the CPU time of this process (user + system,
    // 10 ms ticks), which stays honest when other jobs share the cores.
    let time = |name: &str, f: &mut dyn FnMut()| {
        let (t, c) = (Instant::now(), cpu_ms());
        f();
        let wall = t.elapsed().as_secs_f64() * 1e3;
        match (c, cpu_ms()) {
            (Some(a), Some(b)) => println!("{name:<30} {wall:>8.1} ms wall {:>6.0} ms cpu", b - a),
            _ => println!("{name:<30} {wall:>8.1} ms wall"),
        }
    };
    let config = ReportConfig::default();
    let mut stats = Vec::new();
    time("reliability", &mut || {
        stats = reliability::compute(d, &config.reliability)
    });
    time("majority vote", &mut || drop(majority::fit(d)));
    let w = reliability::composites(&stats);
    time("weighted vote", &mut || drop(weighted::fit(d, &w)));
    let ds = dawid_skene::Config {
        tolerance: f64::NEG_INFINITY,
        ..dawid_skene::Config::default()
    };
    let mut iterations = 0;
    time("dawid-skene (to the cap)", &mut || {
        iterations = dawid_skene::fit(&ds, d).map(|f| f.iterations).unwrap_or(0)
    });
    println!("  ({iterations} iterations run)");
    time("agreement::compute", &mut || {
        drop(prefkit::agreement::compute(d, &config.agreement))
    });
    let mut json = 0;
    time("report::run (default config)", &mut || {
        json = serde_json::to_string(&report::run(d, &config))
            .map(|s| s.len())
            .unwrap_or(0)
    });
    println!("  (report JSON: {:.1} MB)", json as f64 / 1e6);
}

/// CPU time of this process in ms, from /proc/self/stat (Linux), if readable.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3, utime 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10.0)
}
