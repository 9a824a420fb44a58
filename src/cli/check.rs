//! `prefkit check`: reads a JSONL annotation file and prints its records
//! (labels and skips) in file order, one canonical record a line, as it
//! reads them: a file of any size costs memory for the reader's tables
//! only. A bad line stops it there (the records before it are out), unless
//! `--skip-invalid`.

use prefkit::annotation::{read_annotations, FileRecord};
use std::io::Write;

pub(super) fn run(file: &std::path::Path, skip_invalid: bool) -> Result<(), String> {
    let (input, len) = super::open_jsonl(file)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A failed write is kept apart from the file's errors: with
    // `--skip-invalid` it would count as a bad line.
    let mut written = Ok(());
    let skipped = read_annotations(input, len, skip_invalid, |_, record| {
        let json = match record {
            FileRecord::Label(a) => a.to_json_value(),
            FileRecord::Skip(s) => serde_json::json!(s),
        };
        if written.is_ok() {
            written = writeln!(out, "{json}");
        }
        Ok(())
    })
    .map_err(|e| format!("{}: {e}", file.display()))?;
    written
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    for s in &skipped {
        eprintln!("prefkit: {}: skipped {}", file.display(), s.error);
    }
    Ok(())
}
