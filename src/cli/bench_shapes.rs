//! `prefkit bench shapes`: the report on data of extreme shapes, each
//! generated seeded and in memory, with its wall time and peak memory.
//!
//! Shapes (a label is the item's own "true" label with probability 0.6,
//! else uniform, so that every figure is defined):
//!
//! - `one-item`: 50,000 annotators on one item;
//! - `full-overlap`: 1,000 annotators each labelling the same 1,000 items;
//! - `crowd-overlap`: 1,000 items with 1,000 labels each, from 2,000
//!   annotators (each pair shares about 250 items);
//! - `one-annotator`: one annotator labelling 1,000,000 items.
//!
//! Each shape and path runs in a child process of its own (`prefkit bench
//! shapes --only SHAPE --path PATH`), so that its peak memory (`VmHWM` of
//! `/proc/self/status`, read by the child at its end) is its own and a crash
//! shows as a crash. Paths: `report` is `report::run` plus writing the
//! JSON (what `prefkit report` does after parsing), on a `Dataset` built
//! before the clock starts; `live` feeds the annotations one at a time, as
//! they are generated, to a `LiveReport` (the session and the dashboard's
//! module) and takes one snapshot, all timed.
//!
//! `cargo run --release -- bench shapes [--only SHAPE] [--path PATH]`

use prefkit::report::{LiveReport, ReportConfig};
use prefkit::{Annotation, Dataset, Label};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// The shapes, in the order they run.
pub const SHAPES: [&str; 4] = ["one-item", "full-overlap", "crowd-overlap", "one-annotator"];
/// The paths, in the order they run.
pub const PATHS: [&str; 2] = ["report", "live"];

/// Generates the annotations of a shape in a seeded order, handing each
/// to `out` as it is made (none is kept here); returns how many.
fn annotations(shape: &str, seed: u64, out: &mut dyn FnMut(Annotation)) -> Result<usize, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut n = 0;
    let mut out = |a: Annotation| {
        n += 1;
        out(a)
    };
    let label = |rng: &mut ChaCha8Rng, truth: usize| {
        let l = if rng.random_bool(0.6) {
            truth
        } else {
            rng.random_range(0..5)
        };
        Label::from_index(l).unwrap_or(Label::Tie)
    };
    match shape {
        "one-item" => {
            let truth = rng.random_range(0..5);
            for a in 0..50_000 {
                let l = label(&mut rng, truth);
                out(Annotation::new("item-0", format!("w{a}"), l));
            }
        }
        "full-overlap" => {
            let truths: Vec<usize> = (0..1_000).map(|_| rng.random_range(0..5)).collect();
            for a in 0..1_000 {
                for (i, &t) in truths.iter().enumerate() {
                    let l = label(&mut rng, t);
                    out(Annotation::new(format!("item-{i}"), format!("w{a}"), l));
                }
            }
        }
        "crowd-overlap" => {
            let mut pool: Vec<u32> = (0..2_000).collect();
            for i in 0..1_000 {
                let truth = rng.random_range(0..5);
                // 1,000 distinct annotators of 2,000: a partial shuffle.
                for k in 0..1_000 {
                    let j = rng.random_range(k..pool.len());
                    pool.swap(k, j);
                    let l = label(&mut rng, truth);
                    let a = pool[k];
                    out(Annotation::new(format!("item-{i}"), format!("w{a}"), l));
                }
            }
        }
        "one-annotator" => {
            for i in 0..1_000_000 {
                let truth = rng.random_range(0..5);
                let l = label(&mut rng, truth);
                out(Annotation::new(format!("item-{i}"), "w0", l));
            }
        }
        other => {
            return Err(format!(
                "unknown shape \"{other}\"; expected one of {}",
                SHAPES.join(", ")
            ))
        }
    }
    Ok(n)
}

/// Peak resident memory of this process so far, in MB (Linux only).
fn peak_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds (user + system) used by this process so far (Linux only;
/// `/proc/self/stat` counts in ticks of 1/100 s). Less sensitive than wall
/// time to other work on the machine.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesized command name; utime and stime are
    // fields 14 and 15 of the whole line.
    let rest = s.get(s.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Counts the bytes written, keeps none.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One shape on one path, in this process: prints one tab-separated line
/// (shape, path, annotations, wall seconds, CPU seconds, peak MB before the timed part (the
/// `Dataset` for `report`, nothing for `live`), peak MB, JSON bytes, Cohen
/// pairs listed, Krippendorff's ordinal alpha).
pub fn one(shape: &str, path: &str) -> Result<(), String> {
    let config = ReportConfig::default();
    let cpu0: f64;
    let (n, secs, base, report) = match path {
        "report" => {
            let mut d = Dataset::new();
            let n = annotations(shape, 7, &mut |a| d.push(&a))?;
            let base = peak_mb().unwrap_or(f64::NAN);
            cpu0 = cpu_secs().unwrap_or(f64::NAN);
            let t = Instant::now();
            let r = prefkit::report::run(&d, &config);
            (n, t, base, r)
        }
        "live" => {
            // Annotations arrive one at a time, as in a session: their
            // generation is in the time (it is small next to the report's).
            let base = peak_mb().unwrap_or(f64::NAN);
            cpu0 = cpu_secs().unwrap_or(f64::NAN);
            let t = Instant::now();
            let mut live = LiveReport::new(config, &[]).map_err(|e| e.to_string())?;
            let mut failed = None;
            let n = annotations(shape, 7, &mut |a| {
                if let Err(e) = live.add(&a) {
                    failed.get_or_insert(e.to_string());
                }
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
            (n, t, base, live.snapshot())
        }
        other => {
            return Err(format!(
                "unknown path \"{other}\"; expected one of {}",
                PATHS.join(", ")
            ))
        }
    };
    let mut out = Count(0);
    serde_json::to_writer(&mut out, &report).map_err(|e| e.to_string())?;
    let secs = secs.elapsed().as_secs_f64();
    let cpu = cpu_secs().unwrap_or(f64::NAN) - cpu0;
    println!(
        "{shape}\t{path}\t{n}\t{secs:.3}\t{cpu:.2}\t{base:.0}\t{:.0}\t{}\t{}\t{:?}",
        peak_mb().unwrap_or(f64::NAN),
        out.0,
        report.agreement.cohen_kappa.len(),
        report.agreement.krippendorff_alpha.ordinal,
    );
    Ok(())
}

/// Runs every shape and path (or the ones asked for) in child processes
/// and prints a table.
pub fn run(only: Option<&str>, path: Option<&str>) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!(
        "| shape | path | annotations | seconds | CPU seconds | peak MB before (the Dataset) | peak MB | JSON bytes | Cohen pairs listed | alpha ordinal |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for shape in SHAPES.iter().filter(|s| only.is_none_or(|o| o == **s)) {
        for p in PATHS.iter().filter(|p| path.is_none_or(|o| o == **p)) {
            let out = std::process::Command::new(&exe)
                .args(["bench", "shapes", "--child", "--only", shape, "--path", p])
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                let last = err.lines().last().unwrap_or("");
                println!(
                    "| {shape} | {p} | | failed: {} {last} | | | | | |",
                    out.status
                );
                continue;
            }
            let line = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = line.trim().split('\t').collect();
            println!("| {} |", f.join(" | "));
        }
    }
    Ok(())
}
