//! `prefkit judge route`: the hybrid routing of AI judge results, natively.
//!
//! Reads judge results (`{"item", "label", "confidence", "swap"?}` per line,
//! as the page exports them), optional human and expert labels (annotation
//! records, or `{"item", "label"}` lines), and prints one JSON object:
//! the routing summary (counts and costs per route), the human and expert
//! queues (item ids), judge-vs-human agreement and the calibration table.

use prefkit::judge::routing::{Router, RoutingConfig};
use prefkit::judge::JudgeResult;
use prefkit::{Annotation, Error, Label};
use std::path::Path;

/// Options of `prefkit judge route` (its command-line flags).
#[derive(clap::Args)]
pub struct RouteArgs {
    /// JSONL judge results, one item a line.
    pub results: std::path::PathBuf,
    /// JSONL human labels (annotation records or {item, label}), one per item.
    #[arg(long)]
    pub human: Option<std::path::PathBuf>,
    /// JSONL expert labels for escalated items.
    #[arg(long)]
    pub expert: Option<std::path::PathBuf>,
    /// Confidence at or above which an AI label is accepted.
    #[arg(long, default_value_t = 0.75)]
    pub threshold: f64,
    /// Share of accepted items also sent to people.
    #[arg(long, default_value_t = 0.05)]
    pub spot_check_share: f64,
    /// Seed of the spot-check draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Price of one AI judgment.
    #[arg(long, default_value_t = 0.02)]
    pub cost_ai: f64,
    /// Price of one human label.
    #[arg(long, default_value_t = 1.50)]
    pub cost_human: f64,
    /// Price of one expert label.
    #[arg(long, default_value_t = 5.00)]
    pub cost_expert: f64,
    /// Bins of the calibration table.
    #[arg(long, default_value_t = 10)]
    pub bins: usize,
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
}

fn json(line: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(line).map_err(|e| Error::NotJson {
        message: format!("not JSON: {e}"),
        at: Default::default(),
    })
}

/// `(item, canonical label)` from an annotation record (un-flipped by its
/// own rules) or a bare `{"item", "label"}` line.
fn item_label(value: &serde_json::Value) -> Result<(String, Label), Error> {
    if value.get("annotator").is_some() {
        let a = Annotation::from_value(value)?;
        return Ok((a.item, a.label));
    }
    let item = value
        .get("item")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::missing("item"))?;
    let label = value
        .get("label")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::missing("label"))?;
    Ok((
        item.to_string(),
        Label::parse(label).map_err(|e| e.in_field("label"))?,
    ))
}

pub fn route(args: &RouteArgs) -> Result<(), String> {
    let at = |p: &Path, e: Error| format!("{}: {e}", p.display());
    let config = RoutingConfig {
        threshold: args.threshold,
        spot_check_share: args.spot_check_share,
        seed: args.seed,
        cost_ai: args.cost_ai,
        cost_human: args.cost_human,
        cost_expert: args.cost_expert,
    };
    let mut router = Router::new(config).map_err(|e| e.to_string())?;
    let text = super::read(&args.results)?;
    for (n, line) in lines(&text) {
        json(line)
            .and_then(|v| {
                serde_json::from_value::<JudgeResult>(v).map_err(|e| Error::NotJson {
                    message: format!("not a judge result ({{item, label, confidence}}): {e}"),
                    at: Default::default(),
                })
            })
            .and_then(|r| router.add_judgment(&r))
            .map_err(|e| at(&args.results, e.at_line(n)))?;
    }
    for (path, expert) in [(&args.human, false), (&args.expert, true)] {
        let Some(path) = path else { continue };
        let text = super::read(path)?;
        for (n, line) in lines(&text) {
            json(line)
                .and_then(|v| item_label(&v))
                .and_then(|(item, label)| match expert {
                    true => router.add_expert(&item, label),
                    false => router.add_human(&item, label).map(drop),
                })
                .map_err(|e| format!("{}: line {n}: {e}", path.display()))?;
        }
    }
    let out = serde_json::json!({
        "summary": router.summary(),
        "human_queue": router.human_queue(),
        "expert_queue": router.expert_queue(),
        "agreement": router.agreement(),
        "calibration": router.calibration(args.bins),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}
