//! `prefkit report FILE [--gold FILE] [--config FILE] [--min-reliability X]
//! [--skip-invalid] [--allow-repeats] [--ci LEVEL [--resamples B] [--seed S]] [--pretty]`:
//! agreement, reliability and final labels of a JSONL annotation file,
//! printed as one JSON object. `--ci` adds bootstrap intervals
//! (`agreement.ci`); the flags override `agreement.ci` of the config file.
//! `--allow-repeats` sets `allow_repeats`: a second label by the same
//! annotator on the same item is read as a repeated rating.

use prefkit::annotation::{parse_gold, ReadOptions};
use prefkit::report::{self, ReportConfig};
use prefkit::{Dataset, FromJson};
use std::io::Write;

/// Options of `prefkit report` (its command-line flags).
#[derive(clap::Args)]
pub struct Options {
    /// JSONL file of annotations.
    pub file: std::path::PathBuf,
    /// Gold answers: JSONL of {"item", "label"} (or a JSON array of them).
    #[arg(long)]
    pub gold: Option<std::path::PathBuf>,
    /// JSON settings (agreement, reliability, aggregation, min_reliability, allow_repeats); unknown fields are refused.
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Least composite reliability for an annotator's labels to be aggregated (default 0.6).
    #[arg(long)]
    pub min_reliability: Option<f64>,
    /// Skip bad lines (they are counted in counts.skipped and listed on stderr) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Accept repeated ratings: a second label by the same annotator on the same item (allow_repeats).
    #[arg(long)]
    pub allow_repeats: bool,
    /// Bootstrap intervals of the agreement figures at this level (e.g. 0.95), in agreement.ci.
    #[arg(long)]
    pub ci: Option<f64>,
    /// Bootstrap resamples (default 1000; with --ci).
    #[arg(long, requires = "ci")]
    pub resamples: Option<u32>,
    /// Seed of the bootstrap draws (default 0; with --ci).
    #[arg(long, requires = "ci")]
    pub seed: Option<u64>,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}

/// Runs the report; the error is the message for stderr (exit code 2).
pub fn run(o: &Options) -> Result<(), String> {
    let mut config = match &o.config {
        Some(path) => ReportConfig::from_json(&super::read(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => ReportConfig::default(),
    };
    if let Some(x) = o.min_reliability {
        config.min_reliability = x;
        config
            .check()
            .map_err(|e| format!("--min-reliability: {e}"))?;
    }
    if let Some(level) = o.ci {
        let ci = config.agreement.ci.get_or_insert_with(Default::default);
        ci.level = level;
        if let Some(b) = o.resamples {
            ci.resamples = b;
        }
        if let Some(s) = o.seed {
            ci.seed = s;
        }
        ci.check().map_err(|e| format!("--ci: {e}"))?;
    }
    config.allow_repeats |= o.allow_repeats;
    let (file, len) = super::open_jsonl(&o.file)?;
    let options = ReadOptions {
        skip_invalid: o.skip_invalid,
        allow_repeats: config.allow_repeats,
    };
    let mut data = Dataset::read_jsonl(file, len, options)
        .map_err(|e| format!("{}: {e}", o.file.display()))?;
    for s in &data.skipped {
        eprintln!("prefkit: {}: skipped {}", o.file.display(), s.error);
    }
    if let Some(path) = &o.gold {
        let gold =
            parse_gold(super::read_jsonl(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        data.set_gold(&gold);
    }
    let report = report::run(&data, &config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if o.pretty {
        serde_json::to_writer_pretty(&mut out, &report)
    } else {
        serde_json::to_writer(&mut out, &report)
    };
    written.map_err(|e| e.to_string())?;
    writeln!(out)
        .and_then(|_| out.flush())
        .map_err(|e| e.to_string())
}
