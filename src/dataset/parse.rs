//! [`Dataset::parse_jsonl`]: JSONL annotations straight into a dataset.
//!
//! Each line is checked on its own ([`check_line`]: the expensive part),
//! then interned and checked for duplicates in file order. Natively, for big
//! texts, a second thread checks lines ahead while this one interns; the
//! order of lines, the first error and `skip_invalid` work the same.

use super::Dataset;
use crate::annotation::{check_line, Checked, Skipped};
use crate::error::{Error, Location, Result};
use crate::map::FastMap;
use std::borrow::Cow;
use std::collections::hash_map::Entry;

/// Texts at least this long are checked on a second thread (natively).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Lines per chunk handed from the checking thread to the interning one.
#[cfg(not(target_arch = "wasm32"))]
const CHUNK_LINES: usize = 8192;

/// A checked line with its 1-based number.
type Line<'a> = (usize, Result<Checked<'a>>);

impl Dataset {
    /// Reads JSONL annotations straight into a dataset, with the same checks
    /// and messages as [`crate::annotation::parse_annotations_jsonl`], without
    /// building an owned [`crate::annotation::Annotation`] per line.
    pub fn parse_jsonl(text: &str, skip_invalid: bool) -> Result<Dataset> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        #[cfg(not(target_arch = "wasm32"))]
        if text.len() >= PARALLEL_MIN_BYTES {
            return read_parallel(text, skip_invalid, CHUNK_LINES);
        }
        read_checked(text, checked_lines(text), skip_invalid)
    }
}

/// The non-blank lines of `text`, checked.
fn checked_lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, check_line(line)))
}

/// Checks lines on a second thread, `chunk` at a time, while this thread
/// interns them in order. When this thread stops at an error, the channel
/// closes and the other stops too.
#[cfg(not(target_arch = "wasm32"))]
fn read_parallel(text: &str, skip_invalid: bool, chunk: usize) -> Result<Dataset> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Line>>(4);
        s.spawn(move || {
            let mut buf = Vec::with_capacity(chunk);
            for line in checked_lines(text) {
                buf.push(line);
                if buf.len() == chunk {
                    let full = std::mem::replace(&mut buf, Vec::with_capacity(chunk));
                    if tx.send(full).is_err() {
                        return;
                    }
                }
            }
            let _ = tx.send(buf);
        });
        read_checked(text, rx.into_iter().flatten(), skip_invalid)
    })
}

/// Interns checked lines in order, refusing duplicate ids and an annotator
/// labelling the same item twice.
fn read_checked<'a>(
    text: &'a str,
    lines: impl Iterator<Item = Line<'a>>,
    skip_invalid: bool,
) -> Result<Dataset> {
    // One line, one annotation at most: reserving up front saves the
    // rehashing of the big maps.
    let capacity = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut d = Dataset::new();
    d.rows.reserve(capacity);
    // Ids borrow from `text` (no allocation per line); pairs are
    // `item << 32 | annotator`.
    let mut ids: FastMap<Cow<str>, u32> =
        FastMap::with_capacity_and_hasher(capacity, Default::default());
    let mut seen: FastMap<u64, u32> =
        FastMap::with_capacity_and_hasher(capacity, Default::default());
    for (n, checked) in lines {
        let result = checked.and_then(|c| {
            // The id is recorded only once the whole line is accepted.
            let id = match c.id.clone() {
                Some(id) => match ids.entry(id) {
                    Entry::Occupied(first) => {
                        return Err(Error::DuplicateId {
                            id: first.key().to_string(),
                            first_line: *first.get() as usize,
                            at: Location {
                                line: None,
                                field: Some("id".into()),
                            },
                        })
                    }
                    Entry::Vacant(v) => Some(v),
                },
                None => None,
            };
            let it = d.items.get(&c.item);
            let an = d.annotators.get(&c.annotator);
            if let (Some(it), Some(an)) = (it, an) {
                if let Some(&first) = seen.get(&pair(it, an)) {
                    return Err(Error::DuplicateLabel {
                        annotator: c.annotator.to_string(),
                        item: c.item.to_string(),
                        first_line: first as usize,
                        at: Location::default(),
                    });
                }
            }
            let it = it.unwrap_or_else(|| d.items.add(&c.item));
            let an = an.unwrap_or_else(|| d.annotators.add(&c.annotator));
            d.push_ids(it, an, c.label, c.swapped, c.time_seconds, c.timestamp);
            seen.insert(pair(it, an), n as u32);
            if let Some(v) = id {
                v.insert(n as u32);
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(e) if skip_invalid => d.skipped.push(Skipped {
                line: n,
                error: e.at_line(n).to_string(),
            }),
            Err(e) => return Err(e.at_line(n)),
        }
    }
    if d.rows.is_empty() && d.skipped.is_empty() {
        return Err(Error::Empty {
            what: "the annotation file".into(),
            hint: "expected one JSON annotation per line".into(),
        });
    }
    Ok(d)
}

/// The key of an (item, annotator) pair.
fn pair(item: u32, annotator: u32) -> u64 {
    (u64::from(item) << 32) | u64::from(annotator)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Lines with blanks, a bad label, a duplicate id and a repeated
    /// (item, annotator) pair.
    fn text() -> String {
        let mut lines = Vec::new();
        for i in 0..40 {
            lines.push(format!(
                "{{\"id\":\"a{}\",\"item\":\"ex-{}\",\"annotator\":\"w{}\",\"label\":\"A>\",\"time_seconds\":{}.5}}",
                i % 37,
                i / 3,
                i % 5,
                i
            ));
            if i % 7 == 0 {
                lines.push(String::new());
            }
        }
        lines[11] = "{\"item\":\"ex-1\",\"annotator\":\"w9\",\"label\":\"A>>>\"}".into();
        lines.join("\n")
    }

    fn summary(r: Result<Dataset>) -> String {
        match r {
            Ok(d) => format!(
                "{:?} {:?} {:?} {:?}",
                d.rows,
                d.items.names(),
                d.annotators.names(),
                d.skipped
            ),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn checking_on_a_second_thread_gives_the_same_dataset_and_errors() {
        let text = text();
        for skip_invalid in [false, true] {
            let one = summary(read_checked(&text, checked_lines(&text), skip_invalid));
            for chunk in [1, 3, 64] {
                let two = summary(read_parallel(&text, skip_invalid, chunk));
                assert_eq!(one, two, "chunk {chunk}, skip_invalid {skip_invalid}");
            }
        }
        let e = summary(read_parallel(&text, false, 2));
        assert!(e.starts_with("line 12, field \"label\""), "{e}");
    }
}
