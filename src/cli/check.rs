//! `prefkit check`: reads a JSONL annotation file and prints its records
//! (labels and skips) in file order, one canonical record a line.

use super::{in_file_order, read_jsonl, FileRecord};
use std::io::Write;

pub(super) fn run(file: &std::path::Path, skip_invalid: bool) -> Result<(), String> {
    let text = read_jsonl(file)?;
    let parsed = prefkit::annotation::parse_annotations_jsonl(&text, skip_invalid)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    for s in &parsed.skipped {
        eprintln!("prefkit: {}: skipped {}", file.display(), s.error);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (_, record) in in_file_order(parsed) {
        let json = match record {
            FileRecord::Label(a) => a.to_json_value(),
            FileRecord::Skip(s) => serde_json::json!(s),
        };
        writeln!(out, "{json}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
