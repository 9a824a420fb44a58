//! `prefkit batch`: the next batch (or N successive batches) an annotator
//! would get from a session over a task, one JSON object a line.

use prefkit::session::{Session, Task};
use prefkit::FromJson;
use std::io::Write;
use std::path::Path;

/// Prints `count` successive batches for `annotator`, or fewer. Nothing is
/// answered, so each batch is asked for one lease after the one before (at
/// time `k x lease_seconds`): its leases have run out and the next is new.
/// The
/// batch that says the task is exhausted for them (or that they are
/// flagged) is the last, since every one after it would be the same
/// empty batch. A note on stderr says so.
pub fn run(task: &Path, annotator: &str, seed: Option<u64>, count: usize) -> Result<(), String> {
    let task = load_task(task)?;
    let lease = task.config.lease_seconds;
    let mut session = Session::new(task, seed).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for printed in 1..=count {
        let at = (printed - 1) as f64 * lease;
        let batch = session
            .next_batch(annotator, at)
            .map_err(|e| e.to_string())?;
        let line = serde_json::to_string(&batch).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
        let why = if batch.flagged {
            "the annotator is flagged"
        } else if batch.exhausted {
            "the task has no more items for this annotator"
        } else {
            continue;
        };
        if printed < count {
            out.flush().map_err(|e| e.to_string())?;
            eprintln!("prefkit batch: stopped after {printed} of {count} batches: {why}");
        }
        break;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Reads and checks a task file, with the path in any message.
pub fn load_task(path: &Path) -> Result<Task, String> {
    let text = super::read(path)?;
    Task::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}
