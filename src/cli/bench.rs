//! `prefkit bench`: benchmark programs that print numbers.

use prefkit::simulate::{crowd, CrowdConfig};
use std::path::Path;
use std::time::Instant;

/// Writes a seeded simulated crowd (`annotations.jsonl`, `gold.jsonl`) to `dir`.
pub fn data(dir: &Path, items: usize, annotators: usize, seed: u64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let t = Instant::now();
    let c = crowd(&CrowdConfig {
        items,
        annotators,
        seed,
        ..CrowdConfig::default()
    });
    let a = dir.join("annotations.jsonl");
    let g = dir.join("gold.jsonl");
    std::fs::write(&a, &c.annotations_jsonl).map_err(|e| format!("{}: {e}", a.display()))?;
    std::fs::write(&g, &c.gold_jsonl).map_err(|e| format!("{}: {e}", g.display()))?;
    println!(
        "wrote {} annotations ({} MB) and {} gold items to {} in {:.2} s",
        c.annotations,
        c.annotations_jsonl.len() / 1_000_000,
        c.gold_jsonl.lines().count(),
        dir.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
