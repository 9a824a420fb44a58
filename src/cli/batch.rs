//! `prefkit batch`: the next batch (or N successive batches) an annotator
//! would get from a session over a task, one JSON object a line.

use prefkit::session::{Session, Task};
use prefkit::FromJson;
use std::io::Write;
use std::path::Path;

/// Prints `count` successive batches for `annotator`.
pub fn run(task: &Path, annotator: &str, seed: Option<u64>, count: usize) -> Result<(), String> {
    let task = load_task(task)?;
    let mut session = Session::new(task, seed).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for _ in 0..count {
        let batch = session.next_batch(annotator).map_err(|e| e.to_string())?;
        let line = serde_json::to_string(&batch).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Reads and checks a task file, with the path in any message.
pub fn load_task(path: &Path) -> Result<Task, String> {
    let text = super::read(path)?;
    Task::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}
