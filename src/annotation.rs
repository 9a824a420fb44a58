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

use crate::error::{Error, Location, Result};
use crate::label::Label;
use crate::map::FastMap;
use crate::map::LiteMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One preference judgement, with its label in canonical (task) A/B order.
///
/// It is written as prefkit writes every record: with
/// `"label_order": "canonical"` (first), so a reader never flips its label
/// again. (serde's `tag` on a struct writes that constant field.) It is
/// read with [`Annotation::from_json`] and [`Annotation::from_value`],
/// which check every field and un-flip swapped labels.
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

    /// Parses one JSON object (as text). See [`Annotation::from_value`].
    pub fn from_json(text: &str) -> Result<Annotation> {
        check_line(text).map(Checked::into_owned)
    }

    fn from_json_slow(text: &str) -> Result<Annotation> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::NotJson {
            message: format!("not valid JSON: {e}"),
            at: Location::default(),
        })?;
        Annotation::from_value(&value)
    }

    /// Checks one JSON value field by field and builds the annotation,
    /// naming the first field that is wrong.
    pub fn from_value(value: &serde_json::Value) -> Result<Annotation> {
        let f = crate::fields::Fields::new(value, "")?;
        let mut dimensions = f.labels("dimensions")?;
        let raw = RawAnnotation {
            id: f.optional_str("id")?.map(Cow::Owned),
            task_id: f.optional_str("task_id")?.map(Cow::Owned),
            item: Cow::Owned(f.required_str("item")?),
            annotator: Cow::Owned(f.required_str("annotator")?),
            label: Cow::Owned(f.required_str("label")?),
            time_seconds: f.optional_number("time_seconds")?,
            swapped: f.optional_bool("swapped")?,
            dimensions: None,
            timestamp: f.optional_number("timestamp")?,
            client_version: f.optional_str("client_version")?.map(Cow::Owned),
            label_order: f.optional_str("label_order")?.map(Cow::Owned),
        };
        let canonical = raw.label_order.as_deref() == Some("canonical");
        let mut a = raw.into_annotation()?;
        // Un-flip in place: collecting into a new map would add a sort
        // to the wasm module for each key and value type.
        let flip = a.swapped && !canonical;
        for (_, l) in dimensions.iter_mut() {
            *l = l.unflip(flip);
        }
        a.dimensions = dimensions;
        Ok(a)
    }
}

/// A short name for the JSON type of `v`, for messages.
pub fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A borrowing view of one line, before its checks. The tests derive
/// `Deserialize` to compare the hand-rolled reader with serde's.
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(test, derive(Deserialize))]
pub(crate) struct RawAnnotation<'a> {
    #[cfg_attr(test, serde(default, borrow))]
    pub(crate) id: Option<Cow<'a, str>>,
    #[cfg_attr(test, serde(default, borrow))]
    pub(crate) task_id: Option<Cow<'a, str>>,
    #[cfg_attr(test, serde(borrow))]
    pub(crate) item: Cow<'a, str>,
    #[cfg_attr(test, serde(borrow))]
    pub(crate) annotator: Cow<'a, str>,
    #[cfg_attr(test, serde(borrow))]
    pub(crate) label: Cow<'a, str>,
    #[cfg_attr(test, serde(default))]
    pub(crate) time_seconds: Option<f64>,
    #[cfg_attr(test, serde(default))]
    pub(crate) swapped: Option<bool>,
    #[cfg_attr(test, serde(default, borrow))]
    pub(crate) dimensions: Option<LiteMap<Cow<'a, str>, Cow<'a, str>>>,
    #[cfg_attr(test, serde(default))]
    pub(crate) timestamp: Option<f64>,
    #[cfg_attr(test, serde(default, borrow))]
    pub(crate) client_version: Option<Cow<'a, str>>,
    #[cfg_attr(test, serde(default, borrow))]
    pub(crate) label_order: Option<Cow<'a, str>>,
}

/// One line checked, still borrowing from the input text.
pub(crate) struct Checked<'a> {
    pub id: Option<Cow<'a, str>>,
    pub task_id: Option<Cow<'a, str>>,
    pub item: Cow<'a, str>,
    pub annotator: Cow<'a, str>,
    pub label: Label,
    pub time_seconds: Option<f64>,
    pub swapped: bool,
    pub dimensions: LiteMap<String, Label>,
    pub timestamp: Option<f64>,
    pub client_version: Option<Cow<'a, str>>,
}

impl<'a> RawAnnotation<'a> {
    pub(crate) fn check(self) -> Result<Checked<'a>> {
        if self.item.trim().is_empty() {
            return Err(Error::invalid("item", "must not be empty"));
        }
        if self.annotator.trim().is_empty() {
            return Err(Error::invalid("annotator", "must not be empty"));
        }
        let canonical = match self.label_order.as_deref() {
            None | Some("shown") => false,
            Some("canonical") => true,
            Some(other) => {
                return Err(Error::invalid(
                    "label_order",
                    format!("expected \"shown\" or \"canonical\", got \"{other}\""),
                ))
            }
        };
        let swapped = self.swapped.unwrap_or(false);
        let flip = swapped && !canonical;
        let label = Label::parse(&self.label)
            .map_err(|e| e.in_field("label"))?
            .unflip(flip);
        if let Some(t) = self.time_seconds {
            if !t.is_finite() || t < 0.0 {
                return Err(Error::invalid(
                    "time_seconds",
                    format!(
                        "must be a finite number of seconds, not negative; got {}",
                        crate::fields::num(t)
                    ),
                ));
            }
        }
        if let Some(t) = self.timestamp {
            if !t.is_finite() {
                return Err(Error::invalid("timestamp", "must be finite"));
            }
        }
        let mut dimensions: LiteMap<String, Label> = LiteMap::new();
        for (k, v) in self.dimensions.unwrap_or_default() {
            let l = Label::parse(&v).map_err(|e| e.in_field(&format!("dimensions.{k}")))?;
            dimensions.insert(k.into_owned(), l.unflip(flip));
        }
        Ok(Checked {
            id: self.id,
            task_id: self.task_id,
            item: self.item,
            annotator: self.annotator,
            label,
            time_seconds: self.time_seconds,
            swapped,
            dimensions,
            timestamp: self.timestamp,
            client_version: self.client_version,
        })
    }

    fn into_annotation(self) -> Result<Annotation> {
        Ok(self.check()?.into_owned())
    }
}

impl Checked<'_> {
    pub(crate) fn into_owned(self) -> Annotation {
        Annotation {
            id: self.id.map(Cow::into_owned),
            task_id: self.task_id.map(Cow::into_owned),
            item: self.item.into_owned(),
            annotator: self.annotator.into_owned(),
            label: self.label,
            time_seconds: self.time_seconds,
            swapped: self.swapped,
            dimensions: self.dimensions,
            timestamp: self.timestamp,
            client_version: self.client_version.map(Cow::into_owned),
        }
    }
}

/// Checks one line of JSON, borrowing from it where it can. Lines of the
/// flat shape prefkit writes are read by hand ([`crate::flat_line`]); the
/// others are parsed by serde_json into a value and read field by field,
/// so the error names the field at fault. Both end in the same checks, so
/// results and messages do not depend on the path.
pub(crate) fn check_line(line: &str) -> Result<Checked<'_>> {
    match crate::flat_line::read(line) {
        Some(raw) => raw.check(),
        None => check_line_serde(line),
    }
}

/// [`check_line`] without the hand-rolled shortcut: serde_json only. (A
/// typed serde parse of [`RawAnnotation`] would be faster here, but it
/// would add a second JSON reader to the wasm module.)
pub(crate) fn check_line_serde(line: &str) -> Result<Checked<'_>> {
    let a = Annotation::from_json_slow(line)?;
    Ok(Checked {
        id: a.id.map(Cow::Owned),
        task_id: a.task_id.map(Cow::Owned),
        item: Cow::Owned(a.item),
        annotator: Cow::Owned(a.annotator),
        label: a.label,
        time_seconds: a.time_seconds,
        swapped: a.swapped,
        dimensions: a.dimensions,
        timestamp: a.timestamp,
        client_version: a.client_version.map(Cow::Owned),
    })
}

/// A gold (known-answer) item: `{"item": "...", "label": "...", "explanation": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gold {
    /// The item id.
    pub item: String,
    /// The correct label, in canonical order.
    pub label: Label,
    /// Why, shown as feedback when the task allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// A line that could not be read, kept so nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub error: String,
}

/// What [`parse_jsonl`] read.
#[derive(Debug, Clone, Default)]
pub struct Parsed<T> {
    /// The records, in file order.
    pub records: Vec<T>,
    /// The 1-based line of each record.
    pub lines: Vec<usize>,
    /// Lines skipped with `skip_invalid` (empty otherwise).
    pub skipped: Vec<Skipped>,
}

/// Reads annotations from JSONL text. Blank lines are ignored. Each line is
/// checked (fields, label, time, duplicate id, the same annotator labelling
/// the same item twice). On the first bad line this fails with an error that
/// names the line and field, unless `skip_invalid` is set, in which case the
/// line is recorded in [`Parsed::skipped`] and reading goes on.
pub fn parse_annotations_jsonl(text: &str, skip_invalid: bool) -> Result<Parsed<Annotation>> {
    let mut out = Parsed {
        records: Vec::new(),
        lines: Vec::new(),
        skipped: Vec::new(),
    };
    let mut ids: FastMap<String, usize> = FastMap::default();
    let mut pairs: FastMap<(String, String), usize> = FastMap::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let checked = Annotation::from_json(line).and_then(|a| {
            if let Some(id) = &a.id {
                if let Some(&first) = ids.get(id) {
                    return Err(Error::DuplicateId {
                        id: id.clone(),
                        first_line: first,
                        at: Location {
                            line: None,
                            field: Some("id".into()),
                        },
                    });
                }
            }
            if let Some(&first) = pairs.get(&(a.annotator.clone(), a.item.clone())) {
                return Err(Error::DuplicateLabel {
                    annotator: a.annotator.clone(),
                    item: a.item.clone(),
                    first_line: first,
                    at: Location::default(),
                });
            }
            Ok(a)
        });
        match checked {
            Ok(a) => {
                if let Some(id) = &a.id {
                    ids.insert(id.clone(), n);
                }
                pairs.insert((a.annotator.clone(), a.item.clone()), n);
                out.records.push(a);
                out.lines.push(n);
            }
            Err(e) if skip_invalid => out.skipped.push(Skipped {
                line: n,
                error: e.at_line(n).to_string(),
            }),
            Err(e) => return Err(e.at_line(n)),
        }
    }
    if out.records.is_empty() && out.skipped.is_empty() {
        return Err(Error::Empty {
            what: "the annotation file".into(),
            hint: "expected one JSON annotation per line".into(),
        });
    }
    Ok(out)
}

/// Reads gold answers from JSONL text (`{"item", "label", "explanation"?}`
/// a line), or from a JSON array of such objects.
pub fn parse_gold(text: &str) -> Result<Vec<Gold>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| Error::NotJson {
                message: format!("gold file is not a valid JSON array: {e}"),
                at: Location::default(),
            })?;
        let values = value.as_array().map(Vec::as_slice).unwrap_or_default();
        return values
            .iter()
            .enumerate()
            .map(|(i, v)| gold_from_value(v).map_err(|e| e.in_field(&format!("[{i}]"))))
            .collect();
    }
    let mut out = Vec::new();
    let mut seen: FastMap<String, usize> = FastMap::default();
    for (i, line) in trimmed.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            Error::NotJson {
                message: format!("not valid JSON: {e}"),
                at: Location::default(),
            }
            .at_line(n)
        })?;
        let g = gold_from_value(&v).map_err(|e| e.at_line(n))?;
        if let Some(first) = seen.insert(g.item.clone(), n) {
            return Err(Error::invalid(
                "item",
                format!("gold item \"{}\" already given on line {first}", g.item),
            )
            .at_line(n));
        }
        out.push(g);
    }
    Ok(out)
}

/// Checks one gold object field by field.
pub fn gold_from_value(v: &serde_json::Value) -> Result<Gold> {
    let map = v.as_object().ok_or_else(|| Error::NotJson {
        message: format!("expected a JSON object, got {}", kind(v)),
        at: Location::default(),
    })?;
    let item = match map.get("item").or_else(|| map.get("id")) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(serde_json::Value::String(_)) => {
            return Err(Error::invalid("item", "must not be empty"))
        }
        Some(other) => {
            return Err(Error::invalid(
                "item",
                format!("expected a string, got {}", kind(other)),
            ))
        }
        None => return Err(Error::missing("item")),
    };
    let label = match map.get("label") {
        Some(serde_json::Value::String(s)) => Label::parse(s).map_err(|e| e.in_field("label"))?,
        Some(other) => {
            return Err(Error::invalid(
                "label",
                format!("expected a label string, got {}", kind(other)),
            ))
        }
        None => return Err(Error::missing("label")),
    };
    let explanation = match map.get("explanation") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(Error::invalid(
                "explanation",
                format!("expected a string, got {}", kind(other)),
            ))
        }
    };
    Ok(Gold {
        item,
        label,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e = parse_annotations_jsonl(text, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("line 2, field \"label\": unknown label"),
            "{e}"
        );
        let e = parse_annotations_jsonl("{\"item\":\"x\",\"label\":\"A>\"}", false)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "line 1: missing required field \"annotator\"");
        let e = parse_annotations_jsonl(
            "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\",\"time_seconds\":-1}",
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("field \"time_seconds\""), "{e}");
        let e = parse_annotations_jsonl("{\"item\":3,\"annotator\":\"w\",\"label\":\"A>\"}", false)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "line 1, field \"item\": expected a string, got 3");
        let e = parse_annotations_jsonl("not json", false)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 1: not valid JSON"), "{e}");
        let e = parse_annotations_jsonl("  \n", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is empty"), "{e}");
    }

    #[test]
    fn duplicates_are_refused_or_skipped_and_counted() {
        let text = "{\"id\":\"1\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"1\",\"item\":\"y\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"2\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"B>\"}\n";
        let e = parse_annotations_jsonl(text, false)
            .unwrap_err()
            .to_string();
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
