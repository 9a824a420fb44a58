//! `prefkit check`: reads a JSONL annotation file and prints its records
//! (labels and skips) in file order, one canonical record a line.

use super::read_jsonl;

pub(super) fn run(file: &std::path::Path, skip_invalid: bool) -> Result<(), String> {
    let text = read_jsonl(file)?;
    let parsed = prefkit::annotation::parse_annotations_jsonl(&text, skip_invalid)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    for s in &parsed.skipped {
        eprintln!("prefkit: {}: skipped {}", file.display(), s.error);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    use std::io::Write;
    // Labels and skips, in file order.
    let mut skips = parsed.skips.iter().peekable();
    for (a, line) in parsed.records.iter().zip(&parsed.lines) {
        while let Some((_, s)) = skips.next_if(|(l, _)| l < line) {
            writeln!(out, "{}", serde_json::json!(s)).map_err(|e| e.to_string())?;
        }
        writeln!(out, "{}", a.to_json_value()).map_err(|e| e.to_string())?;
    }
    for (_, s) in skips {
        writeln!(out, "{}", serde_json::json!(s)).map_err(|e| e.to_string())?;
    }
    Ok(())
}
