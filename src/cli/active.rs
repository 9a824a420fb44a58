//! `prefkit active`: what to label next, pairs to label, and a leaderboard
//! of the models compared. JSON requests in, JSON answers out, the same
//! shapes as the JavaScript API.

use prefkit::active::pairs::{self, PairRequest};
use prefkit::active::{self as core, LeaderboardRequest, SelectRequest};
use prefkit::annotation::{read_annotations, FileRecord};
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
            // The annotations are read as a stream: only the comparisons
            // are held.
            let mut c = pairs::Comparisons::new(&task.examples);
            let mut skips = 0;
            let (file, len) = super::open_jsonl(a)?;
            read_annotations(file, len, false, |_, record| {
                match record {
                    FileRecord::Label(label) => c.add(&label),
                    FileRecord::Skip(_) => skips += 1,
                }
                Ok(())
            })
            .map_err(|e| format!("{}: {e}", a.display()))?;
            if skips > 0 {
                eprintln!("prefkit: {skips} skip records left out: a skip is no comparison");
            }
            if c.left_out > 0 {
                eprintln!(
                    "prefkit: {} annotations left out: their items are not task \
                     examples with metadata.model_a and metadata.model_b",
                    c.left_out
                );
            }
            LeaderboardRequest {
                comparisons: c.comparisons,
                config: Default::default(),
            }
        }
        _ => return Err("give either a request file, or --task and --annotations".into()),
    };
    let board = core::leaderboard(&req).map_err(|e| e.to_string())?;
    print(&board, pretty)
}
