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

/// Options of `prefkit judge route`.
pub struct RouteArgs<'a> {
    pub results: &'a Path,
    pub human: Option<&'a Path>,
    pub expert: Option<&'a Path>,
    pub config: RoutingConfig,
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
    let mut router = Router::new(args.config.clone()).map_err(|e| e.to_string())?;
    let text = super::read(args.results)?;
    for (n, line) in lines(&text) {
        json(line)
            .and_then(|v| {
                serde_json::from_value::<JudgeResult>(v).map_err(|e| Error::NotJson {
                    message: format!("not a judge result ({{item, label, confidence}}): {e}"),
                    at: Default::default(),
                })
            })
            .and_then(|r| router.add_judgment(&r))
            .map_err(|e| at(args.results, e.at_line(n)))?;
    }
    for (path, expert) in [(args.human, false), (args.expert, true)] {
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
