//! `prefkit active`: what to label next, pairs to label, and a leaderboard
//! of the models compared. JSON requests in, JSON answers out, the same
//! shapes as the JavaScript API.

use prefkit::active::pairs::{self, PairRequest};
use prefkit::active::{self as core, LeaderboardRequest, SelectRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;

fn load<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = super::read(path)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn print<T: Serialize>(value: &T, pretty: bool) -> Result<(), String> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    println!("{}", text.map_err(|e| e.to_string())?);
    Ok(())
}

/// `prefkit active select REQUEST`.
pub fn select(request: &Path, pretty: bool) -> Result<(), String> {
    let req: SelectRequest = load(request)?;
    let sel = core::select(&req).map_err(|e| format!("{}: {e}", request.display()))?;
    print(&sel, pretty)
}

/// `prefkit active pairs REQUEST`.
pub fn pairs(request: &Path, pretty: bool) -> Result<(), String> {
    let req: PairRequest = load(request)?;
    let out = pairs::build(&req).map_err(|e| format!("{}: {e}", request.display()))?;
    print(&out, pretty)
}

/// `prefkit active leaderboard`: from a request file, or from a task whose
/// examples name `model_a` and `model_b` in their metadata plus its
/// annotations.
pub fn leaderboard(
    request: Option<&Path>,
    task: Option<&Path>,
    annotations: Option<&Path>,
    pretty: bool,
) -> Result<(), String> {
    let req = match (request, task, annotations) {
        (Some(r), None, None) => load::<LeaderboardRequest>(r)?,
        (None, Some(t), Some(a)) => {
            let task = super::batch::load_task(t)?;
            let text = super::read_jsonl(a)?;
            let parsed = prefkit::annotation::parse_annotations_jsonl(&text, false)
                .map_err(|e| format!("{}: {e}", a.display()))?;
            if !parsed.skips.is_empty() {
                eprintln!(
                    "prefkit: {} skip records left out: a skip is no comparison",
                    parsed.skips.len()
                );
            }
            let (comparisons, left_out) = pairs::comparisons_from(&task.examples, &parsed.records);
            if left_out > 0 {
                eprintln!(
                    "prefkit: {left_out} annotations left out: their items are not task \
                     examples with metadata.model_a and metadata.model_b"
                );
            }
            LeaderboardRequest {
                comparisons,
                config: Default::default(),
            }
        }
        _ => return Err("give either a request file, or --task and --annotations".into()),
    };
    let board = core::leaderboard(&req).map_err(|e| e.to_string())?;
    print(&board, pretty)
}
