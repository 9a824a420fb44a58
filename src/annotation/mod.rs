//! Annotations and gold answers, and their JSON/JSONL forms.
//!
//! One annotation a line:
//!
//! ```text
//! {"id": "a-81", "item": "ex-17", "annotator": "w3", "label": "A>",
//!  "time_seconds": 12.4, "swapped": false, "dimensions": {"helpfulness": "A>>"},
//!  "timestamp": 1764000000}
//! ```
//!
//! `item`, `annotator` and `label` are required. With `"swapped": true` the
//! annotator saw the pair in B/A order and `label` is as they saw it: it is
//! un-flipped on reading. A record written by prefkit itself (the annotator
//! page, the collector's export) says `"label_order": "canonical"`: its label
//! is already in task order and is not flipped again.
//!
//! There is one reader: [`line::Line`] reads one object (from text, or
//! from a `serde_json::Value`) and its `check` makes the [`Annotation`],
//! with the limits of the input format ([`MAX_ID_BYTES`], ...); `jsonl`
//! reads a file of them, line by line, with the one duplicate guard, for
//! [`parse_annotations_jsonl`], [`crate::Dataset::parse_jsonl`] and the
//! wasm modules.

mod gold;
pub(crate) mod jsonl;
pub mod line;
mod rules;
mod scalar;
mod skip;

pub use gold::{parse_gold, Gold};
pub use jsonl::ReadOptions;
pub use line::{MAX_DIMENSIONS, MAX_ID_BYTES, MAX_TIMESTAMP, MAX_TIME_SECONDS};
pub use skip::Skip;

use crate::error::Result;
use crate::json::FromJson;
use crate::label::Label;
use crate::map::LiteMap;
use line::Line;
use serde::{Deserialize, Serialize};

/// One preference judgement, with its label in canonical (task) A/B order.
///
/// It is written as prefkit writes every record: with
/// `"label_order": "canonical"` (first), so a reader never flips its label
/// again. (serde's `tag` on a struct writes that constant field.) It is
/// read with [`FromJson::from_json`] and [`Annotation::from_value`],
/// which check every field ([`line`](mod@line)) and un-flip swapped labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "label_order", rename = "canonical")]
pub struct Annotation {
    /// Unique id of the annotation (a UUID from the page), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The task this annotation belongs to, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The item (pair) labelled.
    pub item: String,
    /// Who labelled it.
    pub annotator: String,
    /// The label in canonical A/B order (already un-flipped).
    pub label: Label,
    /// Seconds spent on the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_seconds: Option<f64>,
    /// Whether the pair was shown as B/A.
    #[serde(default)]
    pub swapped: bool,
    /// Per-dimension labels in canonical order (helpfulness, ...).
    #[serde(
        default,
        skip_serializing_if = "LiteMap::is_empty",
        serialize_with = "crate::map::as_object"
    )]
    pub dimensions: LiteMap<String, Label>,
    /// Unix time in seconds (may be fractional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
    /// Version of the client that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_version: Option<String>,
    /// Made by a simulated annotator (`prefkit simulate`, the element's
    /// `simulate` mode), never by a person. Written only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub simulated: bool,
}

impl Annotation {
    /// A minimal annotation: `item`, `annotator` and a canonical `label`.
    pub fn new(item: impl Into<String>, annotator: impl Into<String>, label: Label) -> Self {
        Annotation {
            id: None,
            task_id: None,
            item: item.into(),
            annotator: annotator.into(),
            label,
            time_seconds: None,
            swapped: false,
            dimensions: LiteMap::new(),
            timestamp: None,
            client_version: None,
            simulated: false,
        }
    }

    /// The label as the annotator saw it (left response = "A").
    pub fn shown_label(&self) -> Label {
        self.label.unflip(self.swapped)
    }

    /// The record as prefkit writes it, as a JSON value.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Checks one JSON value, as [`FromJson::from_json`] checks text.
    pub fn from_value(value: &serde_json::Value) -> Result<Annotation> {
        Line::deserialize(value)
            .map_err(|e| crate::json::error(&e, ""))?
            .check()
            .map(|c| Annotation::from(&c))
    }
}

/// One annotation from one line of JSON text: see [`line`](mod@line) for the checks.
impl FromJson for Annotation {
    const WHAT: &'static str = "";
    type Raw<'a> = Line<'a>;
    fn from_raw(raw: Line<'_>) -> Result<Annotation> {
        raw.check().map(|c| Annotation::from(&c))
    }
}

/// A line that could not be read, kept so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub error: String,
    /// The error itself, for [`Skipped::in_array`].
    #[serde(skip)]
    pub(crate) cause: crate::error::Error,
}

impl Skipped {
    /// The line `line` left out for `cause` (placed on that line).
    pub(crate) fn new(line: usize, cause: crate::error::Error) -> Skipped {
        let cause = cause.at_line(line);
        Skipped {
            line,
            error: cause.to_string(),
            cause,
        }
    }

    /// The same, for input that was an array of records: "annotation #N".
    pub(crate) fn in_array(self) -> Skipped {
        let cause = self.cause.in_array();
        Skipped {
            line: self.line,
            error: cause.to_string(),
            cause,
        }
    }
}

/// What [`parse_annotations_jsonl`] read.
#[derive(Debug, Clone, Default)]
pub struct Parsed<T> {
    /// The records, in file order.
    pub records: Vec<T>,
    /// The 1-based line of each record.
    pub lines: Vec<usize>,
    /// Lines skipped with `skip_invalid` (empty otherwise).
    pub skipped: Vec<Skipped>,
    /// Skip records ("I can't judge this": not labels), in file order,
    /// with their lines.
    pub skips: Vec<(usize, Skip)>,
}

/// Reads annotations from JSONL (text or bytes) with the one JSONL reader: on
/// the first bad line (fields, label, time, not UTF-8, duplicate id, the
/// same annotator labelling the same item twice) this fails with an error
/// that names the line and field, unless `skip_invalid` is set, in which
/// case the line is recorded in [`Parsed::skipped`] and reading goes on.
pub fn parse_annotations_jsonl(
    text: impl AsRef<[u8]>,
    skip_invalid: bool,
) -> Result<Parsed<Annotation>> {
    let (mut records, mut lines, mut skips) = (Vec::new(), Vec::new(), Vec::new());
    let read = jsonl::read(
        text.as_ref(),
        ReadOptions::skipping(skip_invalid),
        |n, kept| {
            match FileRecord::from(kept) {
                FileRecord::Label(a) => {
                    records.push(a);
                    lines.push(n);
                }
                FileRecord::Skip(s) => skips.push((n, s)),
            }
            Ok(())
        },
    )?;
    Ok(Parsed {
        records,
        lines,
        skipped: read.skipped,
        skips,
    })
}

/// One record of an annotation file: a label or a skip.
#[derive(Debug, Clone, PartialEq)]
pub enum FileRecord {
    Label(Annotation),
    Skip(Skip),
}

impl From<jsonl::Kept<'_, '_>> for FileRecord {
    fn from(kept: jsonl::Kept<'_, '_>) -> FileRecord {
        match kept {
            jsonl::Kept::Label(a, ..) => FileRecord::Label(Annotation::from(a)),
            jsonl::Kept::Skip(s, ..) => FileRecord::Skip(Skip::from(s)),
        }
    }
}

/// Reads JSONL annotations from a stream (a file) a block of whole lines at
/// a time, with the one JSONL reader and its checks, handing each accepted
/// record to `f` in file order with its 1-based line: neither the text nor
/// the records are held whole. `len` is the input's length in bytes when
/// known (it sizes the reader's tables). Fails on the first bad line, or on
/// an error of `f`, naming the line, unless `skip_invalid` is set: then
/// the line is skipped, and the skipped lines are returned.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_annotations(
    input: impl std::io::Read,
    len: Option<u64>,
    skip_invalid: bool,
    mut f: impl FnMut(usize, FileRecord) -> Result<()>,
) -> Result<Vec<Skipped>> {
    let options = ReadOptions::skipping(skip_invalid);
    let read = jsonl::read_from(input, len, options, |n, kept| f(n, FileRecord::from(kept)))?;
    Ok(read.skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why the JSONL `text` is refused (read without skipping bad lines).
    fn refusal(text: &str) -> String {
        parse_annotations_jsonl(text, false)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_swapped_label_is_unflipped_on_reading() {
        let a = Annotation::from_json(
            r#"{"item":"x","annotator":"w","label":"A>","swapped":true,"dimensions":{"helpfulness":"A>>"}}"#,
        )
        .unwrap();
        assert_eq!(a.label, Label::BBetter);
        assert_eq!(a.shown_label(), Label::ABetter);
        assert_eq!(
            a.dimensions.get("helpfulness").copied().unwrap(),
            Label::BMuchBetter
        );
    }

    #[test]
    fn a_canonical_record_round_trips_without_a_second_flip() {
        let a =
            Annotation::from_json(r#"{"item":"x","annotator":"w","label":"A>","swapped":true}"#)
                .unwrap();
        let back = Annotation::from_value(&a.to_json_value()).unwrap();
        assert_eq!(back, a);
        let text = a.to_json_value().to_string();
        assert_eq!(Annotation::from_json(&text).unwrap(), a);
    }

    #[test]
    fn bad_lines_name_their_line_and_field() {
        let text = "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"item\":\"y\",\"annotator\":\"w\",\"label\":\"A>>>\"}\n";
        let e = refusal(text);
        assert!(
            e.starts_with("line 2, field \"label\": unknown label"),
            "{e}"
        );
        let e = refusal("{\"item\":\"x\",\"label\":\"A>\"}");
        assert_eq!(e, "line 1: missing required field \"annotator\"");
        let e =
            refusal("{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\",\"time_seconds\":-1}");
        assert!(e.contains("field \"time_seconds\""), "{e}");
        let e = refusal("{\"item\":3,\"annotator\":\"w\",\"label\":\"A>\"}");
        assert_eq!(e, "line 1, field \"item\": expected a string, got 3");
        let e = refusal("not json");
        assert!(e.starts_with("line 1: not valid JSON"), "{e}");
        let e = refusal("  \n");
        assert!(e.contains("is empty"), "{e}");
    }

    #[test]
    fn duplicates_are_refused_or_skipped_and_counted() {
        let text = "{\"id\":\"1\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"1\",\"item\":\"y\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"2\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"B>\"}\n";
        let e = refusal(text);
        assert_eq!(
            e,
            "line 2, field \"id\": duplicate annotation id \"1\" (first seen on line 1)"
        );
        let p = parse_annotations_jsonl(text, true).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped.len(), 2);
        assert!(p.skipped[1]
            .error
            .contains("already labelled item \"x\" on line 1"));
    }

    #[test]
    fn records_from_an_array_are_named_by_element_in_errors_and_skipped_lines() {
        let lines = "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"item\":\"y\",\"annotator\":\"w\",\"label\":\"?\"}\n";
        let e = crate::Dataset::parse_elements(lines, ReadOptions::skipping(false))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("annotation #2, field \"label\": unknown label"),
            "{e}"
        );
        let d = crate::Dataset::parse_elements(lines, ReadOptions::skipping(true)).unwrap();
        assert_eq!(d.skipped[0].line, 2);
        assert!(d.skipped[0]
            .error
            .starts_with("annotation #2, field \"label\""));
        let d = crate::Dataset::parse_jsonl(lines, true).unwrap();
        assert!(d.skipped[0].error.starts_with("line 2, field \"label\""));
    }

    #[test]
    fn gold_reads_from_jsonl_or_an_array() {
        let g = parse_gold("{\"item\":\"g1\",\"label\":\"A>B\",\"explanation\":\"A is right\"}\n")
            .unwrap();
        assert_eq!(g[0].label, Label::ABetter);
        let g = parse_gold("[{\"item\":\"g1\",\"label\":\"=\"}]").unwrap();
        assert_eq!(g[0].label, Label::Tie);
        let e = parse_gold("{\"item\":\"g1\",\"label\":\"?\"}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 1, field \"label\""), "{e}");
    }
}
