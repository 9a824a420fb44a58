//! `prefkit replay`: feeds a file of annotations through one session over a
//! task, in file order, assigning items as needed (skip records are taken
//! as skips); prints one verdict a line, then the session's statistics.

use prefkit::annotation::{read_annotations, FileRecord};
use prefkit::session::Session;
use prefkit::Error;
use std::io::Write;
use std::path::Path;

/// Replays `file` through a session over `task`.
pub fn run(task: &Path, file: &Path, seed: Option<u64>) -> Result<(), String> {
    let task = super::batch::load_task(task)?;
    // Replaying assigns items on demand and draws nothing at random; a
    // fixed default seed (0) only keeps the session itself reproducible.
    let seed = seed.or(task.config.seed).unwrap_or(0);
    let mut session = Session::new(task, Some(seed)).map_err(|e| e.to_string())?;
    let (input, len) = super::open_jsonl(file)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let w = |e: std::io::Error| e.to_string();
    // One record at a time, as read: a refused one stops the replay with
    // its line.
    read_annotations(input, len, false, |_, record| {
        let verdict = match record {
            FileRecord::Skip(skip) => session
                .skip_assigning(skip)
                .map(|v| serde_json::to_string(&v)),
            FileRecord::Label(a) => session
                .record_assigning(a)
                .map(|v| serde_json::to_string(&v)),
        };
        let json = verdict?.map_err(|e| Error::Rejected(e.to_string()))?;
        writeln!(out, "{json}").map_err(|e| Error::Rejected(format!("writing the verdicts: {e}")))
    })
    .map_err(|e| format!("{}: {e}", file.display()))?;
    let stats = serde_json::to_string(&session.stats()).map_err(|e| e.to_string())?;
    writeln!(out, "{stats}").map_err(w)?;
    out.flush().map_err(w)
}
