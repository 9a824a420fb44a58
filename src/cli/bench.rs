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

/// Options of `prefkit bench report`.
pub struct ReportBench<'a> {
    /// Folder of `annotations.jsonl` and `gold.jsonl` (made if missing).
    pub dir: &'a Path,
    /// Python interpreter to time the Python path with, if any.
    pub python: Option<&'a Path>,
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Times every step of `prefkit report` on the 1M-annotation crowd, then
/// the whole command as a child process (wall time and peak memory), and,
/// with `--python`, the Python path on the same file.
pub fn report(o: &ReportBench) -> Result<(), String> {
    use prefkit::aggregate::{dawid_skene, majority, weighted};
    use prefkit::report::ReportConfig;
    use prefkit::{agreement, annotation, reliability, Dataset};

    let file = o.dir.join("annotations.jsonl");
    let gold_file = o.dir.join("gold.jsonl");
    if !file.exists() || !gold_file.exists() {
        data(o.dir, 250_000, 2_000, 7)?;
    }
    let mut rows: Vec<(String, f64)> = Vec::new();
    let t = Instant::now();
    let text = super::read_jsonl(&file)?;
    rows.push(("read the file".into(), secs(t)));
    let t = Instant::now();
    let mut d = Dataset::parse_jsonl(&text, false).map_err(|e| e.to_string())?;
    rows.push(("parse + check JSONL".into(), secs(t)));
    drop(text);
    let gold = annotation::parse_gold(super::read_jsonl(&gold_file)?).map_err(|e| e.to_string())?;
    d.set_gold(&gold);
    let config = ReportConfig::default();
    let t = Instant::now();
    let agreement = agreement::compute(&d, &config.agreement);
    rows.push(("every agreement figure".into(), secs(t)));
    let ci = agreement::bootstrap::CiConfig::default();
    let t = Instant::now();
    let with_ci = agreement::compute(
        &d,
        &agreement::AgreementConfig {
            ci: Some(ci.clone()),
            ..config.agreement.clone()
        },
    );
    rows.push((
        format!(
            "agreement + bootstrap intervals ({} resamples of {} items)",
            ci.resamples, with_ci.items_with_two_plus
        ),
        secs(t),
    ));
    let t = Instant::now();
    let stats = reliability::compute(&d, &config.reliability);
    rows.push(("annotator reliability".into(), secs(t)));
    let t = Instant::now();
    let _ = majority::fit(&d);
    rows.push(("majority vote".into(), secs(t)));
    let weights: Vec<f64> = stats.iter().map(|s| s.composite).collect();
    let t = Instant::now();
    let _ = weighted::fit(&d, &weights);
    rows.push(("reliability-weighted vote".into(), secs(t)));
    let t = Instant::now();
    let fit = dawid_skene::fit(&config.aggregation.dawid_skene, &d).map_err(|e| e.to_string())?;
    rows.push((
        format!(
            "Dawid-Skene ({} iterations, {})",
            fit.iterations,
            if fit.converged {
                "converged"
            } else {
                "at the cap"
            }
        ),
        secs(t),
    ));
    let t = Instant::now();
    let _ = prefkit::report::run(&d, &config);
    rows.push((
        "report::run (all of the above but parsing and intervals)".into(),
        secs(t),
    ));
    let alpha = agreement.krippendorff_alpha.ordinal;
    drop(d);

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (wall, peak_kb) = run_measured(
        std::process::Command::new(exe)
            .arg("report")
            .arg(&file)
            .arg("--gold")
            .arg(&gold_file),
    )?;
    rows.push(("whole `prefkit report` (child process)".into(), wall));

    println!("| step | seconds |\n| --- | ---: |");
    for (name, s) in &rows {
        println!("| {name} | {s:.3} |");
    }
    println!(
        "\nwhole `prefkit report`: {wall:.2} s, peak memory {} MB (sampled every 5 ms)",
        peak_kb / 1024
    );
    println!("Krippendorff's alpha (ordinal): {alpha:?}");

    if let Some(python) = o.python {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/python_path.py");
        let t = Instant::now();
        let out = std::process::Command::new(python)
            .arg(&script)
            .arg(&file)
            .output()
            .map_err(|e| format!("{}: {e}", python.display()))?;
        let py_wall = secs(t);
        if !out.status.success() {
            return Err(format!(
                "the Python path failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("the Python path printed no JSON: {e}"))?;
        println!("\nPython path (pandas, krippendorff, statsmodels, crowd-kit):");
        if let Some(steps) = v["seconds"].as_object() {
            for (k, s) in steps {
                println!("  {k}: {s} s");
            }
        }
        println!("  Dawid-Skene iterations: {}", v["dawid_skene_iterations"]);
        println!("  peak memory: {} MB", v["peak_mb"]);
        println!("  whole run (wall, with interpreter start): {py_wall:.1} s");
        println!("speed-up of `prefkit report`: {:.1}x", py_wall / wall);
        if let (Some(ours), Some(theirs)) = (alpha, v["krippendorff_alpha_ordinal"].as_f64()) {
            println!(
                "alpha ordinal: prefkit {ours:.15}, krippendorff package {theirs:.15}, difference {:.1e}",
                (ours - theirs).abs()
            );
        }
    }
    Ok(())
}

/// Runs a command with its output discarded; returns its wall time and its
/// peak resident memory in KB, read from /proc while it runs.
fn run_measured(cmd: &mut std::process::Command) -> Result<(f64, u64), String> {
    let t = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            if !status.success() {
                return Err(format!("the child exited with {status}"));
            }
            return Ok((secs(t), peak));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
