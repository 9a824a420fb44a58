//! The one reader of an annotation: [`Line`], a borrowed serde form of one
//! JSON object, and `Line::check`, which turns it into an [`Annotation`].
//!
//! serde reads only the shape: each field into a `Scalar` (whatever JSON
//! value it holds, strings borrowed from the input), so that a wrong type is
//! reported by `check` with the field's name and the value it got rather
//! than by serde. serde refuses a known field given twice (the message
//! names it) and ignores unknown fields, as prefkit always has: a record
//! may carry a client's own extra keys.
//!
//! The limits it applies, and the id and time rules, are in `rules`: they
//! are part of the input format (README, "Data formats").

use super::scalar::Scalar;
use super::Annotation;
use crate::error::{Error, Result};
use crate::json::quoted;
use crate::label::Label;
use crate::map::LiteMap;
use std::borrow::Cow;

pub(crate) use super::rules::is_invisible;
pub use super::rules::{
    check_id, check_time_seconds, check_timestamp, MAX_DIMENSIONS, MAX_ID_BYTES, MAX_TIMESTAMP,
    MAX_TIME_SECONDS,
};

/// The message for a key given twice in one object.
const TWICE: &str = "given twice; a field may appear only once";

/// One annotation as written, borrowing its strings from the input
/// (read by the visitor in `scalar.rs`).
#[derive(Debug, Default)]
pub struct Line<'a> {
    id: Scalar<'a>,
    task_id: Scalar<'a>,
    item: Scalar<'a>,
    annotator: Scalar<'a>,
    label: Scalar<'a>,
    time_seconds: Scalar<'a>,
    swapped: Scalar<'a>,
    dimensions: Scalar<'a>,
    timestamp: Scalar<'a>,
    client_version: Scalar<'a>,
    label_order: Scalar<'a>,
    simulated: Scalar<'a>,
    /// A skip's reason: a line with it is a skip record, not a label.
    skip: Scalar<'a>,
    /// The first field given twice, if any (an unknown one included, or a
    /// key given twice inside an unknown field's value).
    pub(super) twice: Option<Cow<'a, str>>,
    /// What the line is when it is not an object ("an array").
    pub(super) not_object: Option<&'static str>,
}

impl<'a> Line<'a> {
    /// A line that holds `kind` instead of an object.
    pub(super) fn not_an_object(kind: &'static str) -> Line<'a> {
        Line {
            not_object: Some(kind),
            ..Line::default()
        }
    }

    /// The field called `key`, with its bit (for keys given twice) and
    /// name, or `None` for a key that is not an annotation's.
    pub(super) fn field(&mut self, key: &str) -> Option<(u16, &'static str, &mut Scalar<'a>)> {
        let (bit, name, slot) = match key {
            "id" => (0, "id", &mut self.id),
            "task_id" => (1, "task_id", &mut self.task_id),
            "item" => (2, "item", &mut self.item),
            "annotator" => (3, "annotator", &mut self.annotator),
            "label" => (4, "label", &mut self.label),
            "time_seconds" => (5, "time_seconds", &mut self.time_seconds),
            "swapped" => (6, "swapped", &mut self.swapped),
            "dimensions" => (7, "dimensions", &mut self.dimensions),
            "timestamp" => (8, "timestamp", &mut self.timestamp),
            "client_version" => (9, "client_version", &mut self.client_version),
            "label_order" => (10, "label_order", &mut self.label_order),
            "simulated" => (11, "simulated", &mut self.simulated),
            "skip" => (12, "skip", &mut self.skip),
            _ => return None,
        };
        Some((1 << bit, name, slot))
    }
}

/// A string field, if given.
fn text<'a>(field: &str, v: Scalar<'a>) -> Result<Option<Cow<'a, str>>> {
    match v {
        Scalar::Absent => Ok(None),
        Scalar::Str(s) => Ok(Some(s)),
        other => Err(Error::invalid(
            field,
            format!("expected a string, got {}", other.shown()),
        )),
    }
}

/// A true/false field, false when absent.
fn flag(field: &str, v: Scalar<'_>) -> Result<bool> {
    match v {
        Scalar::Absent => Ok(false),
        Scalar::Bool(b) => Ok(b),
        other => Err(Error::invalid(
            field,
            format!("expected true or false, got {}", other.shown()),
        )),
    }
}

/// A number field, if given.
fn number(field: &str, v: Scalar<'_>) -> Result<Option<f64>> {
    match v {
        Scalar::Absent => Ok(None),
        Scalar::Num(x) => Ok(Some(x)),
        other => Err(Error::invalid(
            field,
            format!("expected a number, got {}", other.shown()),
        )),
    }
}

/// A number field, if given, that obeys `rule`.
fn checked_number(field: &str, v: Scalar<'_>, rule: fn(f64) -> Result<()>) -> Result<Option<f64>> {
    let x = number(field, v)?;
    if let Some(t) = x {
        rule(t)?;
    }
    Ok(x)
}

/// An id (or name) field, if given: see [`check_id`].
fn optional_id<'a>(field: &str, v: Scalar<'a>) -> Result<Option<Cow<'a, str>>> {
    let s = text(field, v)?;
    if let Some(s) = &s {
        check_id(field, s)?;
    }
    Ok(s)
}

/// A required id field.
fn required_id<'a>(field: &str, v: Scalar<'a>) -> Result<Cow<'a, str>> {
    optional_id(field, v)?.ok_or_else(|| Error::missing(field))
}

/// One annotation checked, its strings still borrowed from the input:
/// what [`Line::check`] gives, and [`Annotation`] is made from it. (The
/// JSONL reader interns item and annotator names straight from here: a
/// copy of each line's strings cost a quarter of the time of reading a
/// million annotations.)
#[derive(Debug)]
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
    pub simulated: bool,
}

impl From<&Checked<'_>> for Annotation {
    fn from(c: &Checked<'_>) -> Annotation {
        Annotation {
            id: c.id.as_deref().map(str::to_string),
            task_id: c.task_id.as_deref().map(str::to_string),
            item: c.item.to_string(),
            annotator: c.annotator.to_string(),
            label: c.label,
            time_seconds: c.time_seconds,
            swapped: c.swapped,
            dimensions: c.dimensions.clone(),
            timestamp: c.timestamp,
            client_version: c.client_version.as_deref().map(str::to_string),
            simulated: c.simulated,
        }
    }
}

/// One skip record checked ("I can't judge this": never a label), its
/// strings still borrowed from the input: what [`Line::check_skip`] gives.
#[derive(Debug)]
pub(crate) struct CheckedSkip<'a> {
    pub id: Cow<'a, str>,
    pub task_id: Option<Cow<'a, str>>,
    pub item: Cow<'a, str>,
    pub annotator: Cow<'a, str>,
    /// The reason, as written.
    pub skip: Cow<'a, str>,
    pub time_seconds: Option<f64>,
    pub timestamp: Option<f64>,
    pub client_version: Option<Cow<'a, str>>,
    pub simulated: bool,
}

impl<'a> Line<'a> {
    /// Whether the line is a skip record (it has a `skip` key).
    pub(crate) fn is_skip(&self) -> bool {
        !matches!(self.skip, Scalar::Absent)
    }

    /// The checks of a line shared by labels and skips.
    fn check_shape(&self) -> Result<()> {
        if let Some(kind) = self.not_object {
            return Err(Error::NotJson {
                message: format!("expected a JSON object, got {kind}"),
                at: Default::default(),
            });
        }
        if let Some(name) = &self.twice {
            // An unknown key is named by at most 40 visible characters.
            let name: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
            return Err(Error::invalid(name, TWICE));
        }
        Ok(())
    }

    /// Every check of one skip record (`{"id", "item", "annotator",
    /// "skip": "<reason>"}`, optionally `task_id`, `time_seconds`,
    /// `timestamp`, `client_version`, `simulated`), with the same rules
    /// for ids and times as a label's. The `id` is required (the page and
    /// the collector always write one). A label or dimensions are refused:
    /// a record is either a label or a skip.
    pub(crate) fn check_skip(self) -> Result<CheckedSkip<'a>> {
        self.check_shape()?;
        for (key, v) in [("label", &self.label), ("dimensions", &self.dimensions)] {
            if !matches!(v, Scalar::Absent) {
                return Err(Error::invalid(
                    key,
                    "a skip carries no label: send either a label or a skip",
                ));
            }
        }
        let skip = match self.skip {
            Scalar::Str(s) => s,
            other => {
                return Err(Error::invalid(
                    "skip",
                    format!("expected the reason as text, got {}", other.shown()),
                ))
            }
        };
        let time_seconds = checked_number("time_seconds", self.time_seconds, check_time_seconds)?;
        let timestamp = checked_number("timestamp", self.timestamp, check_timestamp)?;
        Ok(CheckedSkip {
            id: required_id("id", self.id)?,
            task_id: optional_id("task_id", self.task_id)?,
            item: required_id("item", self.item)?,
            annotator: required_id("annotator", self.annotator)?,
            skip,
            time_seconds,
            timestamp,
            client_version: optional_id("client_version", self.client_version)?,
            simulated: flag("simulated", self.simulated)?,
        })
    }

    /// Every check of one annotation, naming the first field that is
    /// wrong; a swapped label (and its dimensions) is un-flipped unless the
    /// record says `"label_order": "canonical"`.
    pub(crate) fn check(self) -> Result<Checked<'a>> {
        self.check_shape()?;
        if self.is_skip() {
            return Err(Error::invalid(
                "skip",
                "a label carries no skip: send either a label or a skip",
            ));
        }
        let id = optional_id("id", self.id)?;
        let task_id = optional_id("task_id", self.task_id)?;
        let item = required_id("item", self.item)?;
        let annotator = required_id("annotator", self.annotator)?;
        let canonical = match text("label_order", self.label_order)?.as_deref() {
            None | Some("shown") => false,
            Some("canonical") => true,
            Some(other) => {
                return Err(Error::invalid(
                    "label_order",
                    format!("expected \"shown\" or \"canonical\", got {}", quoted(other)),
                ))
            }
        };
        let swapped = flag("swapped", self.swapped)?;
        let simulated = flag("simulated", self.simulated)?;
        let flip = swapped && !canonical;
        let label = match text("label", self.label)? {
            Some(l) => Label::parse(&l).map_err(|e| e.in_field("label"))?,
            None => return Err(Error::missing("label")),
        };
        let time_seconds = checked_number("time_seconds", self.time_seconds, check_time_seconds)?;
        let timestamp = checked_number("timestamp", self.timestamp, check_timestamp)?;
        let mut dimensions = LiteMap::new();
        match self.dimensions {
            Scalar::Absent => {}
            Scalar::Object(entries) if entries.len() > MAX_DIMENSIONS => {
                return Err(Error::invalid(
                    "dimensions",
                    format!("at most {MAX_DIMENSIONS} dimensions, got {}", entries.len()),
                ))
            }
            Scalar::Object(entries) => {
                for (name, v) in entries {
                    let name = optional_id("dimensions", name)?.unwrap_or_default();
                    let name = name.into_owned();
                    let path = format!("dimensions.{name}");
                    let l = match v {
                        Scalar::Str(l) => Label::parse(&l).map_err(|e| e.in_field(&path))?,
                        other => {
                            return Err(Error::invalid(
                                path,
                                format!("expected a label string, got {}", other.shown()),
                            ))
                        }
                    };
                    if dimensions.insert(name, l.unflip(flip)).is_some() {
                        return Err(Error::invalid(path, TWICE));
                    }
                }
            }
            other => {
                return Err(Error::invalid(
                    "dimensions",
                    format!("expected an object of labels, got {}", other.shown()),
                ))
            }
        }
        Ok(Checked {
            id,
            task_id,
            item,
            annotator,
            label: label.unflip(flip),
            time_seconds,
            swapped,
            dimensions,
            timestamp,
            client_version: optional_id("client_version", self.client_version)?,
            simulated,
        })
    }
}
