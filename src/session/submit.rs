//! Answers: the page's [`SubmitRequest`] (label as shown) and canonical
//! [`Annotation`]s (replay, collector), checked, un-flipped, gold-checked,
//! and answered with a [`Verdict`].

use super::fields::{shown, Fields};
use super::{BatchState, Kind, Session, Slot};
use crate::annotation::Annotation;
use crate::error::{Error, Result};
use crate::label::Label;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// One answer as the page sends it: `choice` and `dimensions` are as the
/// annotator saw the pair (left = "A").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitRequest {
    /// Unique id of the answer (a UUID from the page); resubmitting the
    /// same id returns the same verdict.
    pub id: String,
    /// The item answered.
    pub item: String,
    /// Who answered.
    pub annotator: String,
    /// The overall label as shown. When absent it is derived from
    /// `dimensions` with the rubric weights ([`super::Rubric::overall`]).
    #[serde(default)]
    pub choice: Option<Label>,
    /// Seconds spent on the item.
    pub time_seconds: f64,
    /// Per-dimension labels as shown.
    #[serde(default)]
    pub dimensions: BTreeMap<String, Label>,
    /// Unix time in seconds.
    #[serde(default)]
    pub timestamp: Option<f64>,
    /// Version of the page.
    #[serde(default)]
    pub client_version: Option<String>,
    /// The task, if the page says; must be this session's task.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The order the page believes it showed; if given it must be the
    /// session's, so a page out of step is caught rather than mis-flipped.
    #[serde(default)]
    pub swapped: Option<bool>,
}

impl SubmitRequest {
    /// Parses a request from JSON text. See [`SubmitRequest::from_value`].
    pub fn from_json(text: &str) -> Result<SubmitRequest> {
        let v: Value = serde_json::from_str(text).map_err(|e| Error::NotJson {
            message: format!("request is not valid JSON: {e}"),
            at: Default::default(),
        })?;
        SubmitRequest::from_value(&v)
    }

    /// Checks a request field by field, naming the first wrong field.
    pub fn from_value(v: &Value) -> Result<SubmitRequest> {
        let f = Fields::new(v, "")?;
        f.only(&[
            "id",
            "item",
            "annotator",
            "choice",
            "time_seconds",
            "dimensions",
            "timestamp",
            "client_version",
            "task_id",
            "swapped",
        ])?;
        let label = |v: &Value, field: &str| -> Result<Label> {
            match v {
                Value::String(s) => Label::parse(s).map_err(|e| e.in_field(field)),
                other => Err(Error::invalid(
                    field,
                    format!("expected a label string, got {}", shown(other)),
                )),
            }
        };
        let mut dimensions = BTreeMap::new();
        if let Some(d) = f.get("dimensions") {
            let d = Fields::new(d, "dimensions")?;
            for (k, v) in d.map {
                dimensions.insert(k.clone(), label(v, &d.path_of(k))?);
            }
        }
        let time_seconds = match f.get("time_seconds") {
            None => return Err(Error::missing("time_seconds")),
            Some(v) => match v.as_f64() {
                Some(t) if t.is_finite() && t >= 0.0 => t,
                _ => {
                    return Err(Error::invalid(
                        "time_seconds",
                        format!("expected a finite number of seconds >= 0, got {}", shown(v)),
                    ))
                }
            },
        };
        let timestamp = match f.get("timestamp") {
            None => None,
            Some(v) => Some(v.as_f64().filter(|t| t.is_finite()).ok_or_else(|| {
                Error::invalid("timestamp", format!("expected a number, got {}", shown(v)))
            })?),
        };
        let swapped = match f.get("swapped") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(Error::invalid(
                    "swapped",
                    format!("expected true or false, got {}", shown(other)),
                ))
            }
        };
        Ok(SubmitRequest {
            id: f.required_str("id")?,
            item: f.required_str("item")?,
            annotator: f.required_str("annotator")?,
            choice: f.get("choice").map(|v| label(v, "choice")).transpose()?,
            time_seconds,
            dimensions,
            timestamp,
            client_version: f.optional_str("client_version")?,
            task_id: f.optional_str("task_id")?,
            swapped,
        })
    }
}

/// Whether the annotator is still in good standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded; the annotator may go on.
    Accepted,
    /// Recorded; the annotator is flagged and gets no further batches.
    Flagged,
}

/// Right or wrong on a gold item; only with `gold_feedback`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldFeedback {
    /// Whether the answer matched (by `gold_match`).
    pub correct: bool,
    /// The gold label, canonical.
    pub label: Label,
    /// The gold label as the annotator saw the pair (left = "A").
    pub label_shown: Label,
    /// Why, if the task says.
    pub explanation: Option<String>,
}

/// Why an annotator is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// Gold accuracy under `min_gold_accuracy` after `min_gold_for_flag` gold answers.
    LowGoldAccuracy,
}

/// The flag, once raised (it stays).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Why.
    pub reason: FlagReason,
    /// `gold_correct / gold_total`.
    pub gold_accuracy: f64,
    /// Gold items answered.
    pub gold_total: u32,
    /// Of those, right.
    pub gold_correct: u32,
}

/// Answers done in the batch the item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Answered so far, this one included.
    pub done: u32,
    /// Items in the batch.
    pub total: u32,
}

/// The session's answer to one submit.
///
/// With `gold_feedback` off, nothing in it depends on whether the item was
/// gold, with one exception the issue accepts: `flag` first appears right
/// after the gold answer that raised it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `accepted` or `flagged`.
    pub status: Status,
    /// The canonical record to post (written with `"label_order": "canonical"`).
    #[serde(serialize_with = "canonical_record")]
    pub annotation: Annotation,
    /// The answer took less than `fast_seconds`.
    pub too_fast: bool,
    /// Gold right or wrong: only with `gold_feedback`, else always `null`.
    pub gold: Option<GoldFeedback>,
    /// Present once the annotator is flagged.
    pub flag: Option<Flag>,
    /// Progress through the item's batch.
    pub progress: Progress,
    /// This is a resubmission: the verdict is the first one, nothing changed.
    pub duplicate: bool,
}

fn canonical_record<S: Serializer>(a: &Annotation, s: S) -> std::result::Result<S::Ok, S::Error> {
    a.to_json_value().serialize(s)
}

impl Session {
    /// Takes one answer from the page. Checks that the item is in an open
    /// batch of the annotator, the label parses, the time is finite and not
    /// negative; un-flips with the order the session assigned; checks gold;
    /// updates the statistics. The same answer again (same annotator, item
    /// and label) returns the first verdict with `duplicate: true` and
    /// changes nothing; a different label for an answered item is refused.
    pub fn submit(&mut self, req: SubmitRequest) -> Result<Verdict> {
        if !req.time_seconds.is_finite() || req.time_seconds < 0.0 {
            return Err(Error::invalid(
                "time_seconds",
                format!(
                    "expected a finite number of seconds >= 0, got {}",
                    req.time_seconds
                ),
            ));
        }
        let mut req = req;
        self.own_task_id(&mut req.task_id)?;
        self.task.rubric.check_names(&req.dimensions)?;
        let shown_label = match req.choice {
            Some(l) => l,
            None if req.dimensions.is_empty() => return Err(Error::missing("choice")),
            None => self.task.rubric.overall(&req.dimensions)?,
        };
        let (a, i) = self.locate(&req.annotator, &req.item, Some(&req.id))?;
        let swapped = match self.annotators[a as usize].slots.get(&i) {
            Some(Slot::Open { swapped, .. }) => *swapped,
            Some(Slot::Done(d)) => d.1.annotation.swapped,
            None => return Err(self.not_open(a, &req.item)),
        };
        if let Some(s) = req.swapped.filter(|&s| s != swapped) {
            return Err(Error::invalid(
                "swapped",
                format!("the session showed item \"{}\" with swapped = {swapped}, the page says {s}; reload the batch", req.item),
            ));
        }
        let annotation = Annotation {
            id: Some(req.id),
            task_id: req.task_id,
            item: req.item,
            annotator: req.annotator,
            label: shown_label.unflip(swapped),
            time_seconds: Some(req.time_seconds),
            swapped,
            dimensions: req
                .dimensions
                .into_iter()
                .map(|(k, l)| (k, l.unflip(swapped)))
                .collect(),
            timestamp: req.timestamp,
            client_version: req.client_version,
        };
        self.finish(a, i, annotation)
    }

    /// Takes one canonical annotation (its `label` already un-flipped, its
    /// `swapped` trusted), for an item in an open batch of the annotator.
    /// Otherwise as [`Session::submit`].
    pub fn record(&mut self, annotation: Annotation) -> Result<Verdict> {
        self.record_inner(annotation, false)
    }

    /// Like [`Session::record`], but an item the annotator does not hold is
    /// assigned on the spot (into a batch that grows with each such item)
    /// instead of refused: the mode of `prefkit replay`, which feeds a file
    /// of past annotations through a session. The item must still be in the
    /// task, and the annotator must not have answered it with another label.
    pub fn record_assigning(&mut self, annotation: Annotation) -> Result<Verdict> {
        self.record_inner(annotation, true)
    }

    fn record_inner(&mut self, mut annotation: Annotation, assigning: bool) -> Result<Verdict> {
        self.own_task_id(&mut annotation.task_id)?;
        if let Some(t) = annotation.time_seconds {
            if !t.is_finite() || t < 0.0 {
                return Err(Error::invalid(
                    "time_seconds",
                    format!("expected a finite number of seconds >= 0, got {t}"),
                ));
            }
        }
        if assigning && self.index.contains_key(&annotation.item) {
            self.annotator_mut(&annotation.annotator)?;
        }
        let (a, i) = self.locate(
            &annotation.annotator,
            &annotation.item,
            annotation.id.as_deref(),
        )?;
        if !self.annotators[a as usize].slots.contains_key(&i) {
            if !assigning {
                return Err(self.not_open(a, &annotation.item));
            }
            if matches!(self.items[i as usize].kind, Kind::External) {
                return Err(Error::invalid(
                    "item",
                    format!("item \"{}\" is not in the task", annotation.item),
                ));
            }
            if (i as usize) < self.task.examples.len() {
                self.pool.bump(i);
            }
            let who = &mut self.annotators[a as usize];
            let b = match who.on_demand {
                Some(b) => b,
                None => {
                    who.batches.push(BatchState { done: 0, total: 0 });
                    let b = who.batches.len() as u32 - 1;
                    who.on_demand = Some(b);
                    b
                }
            };
            if let Some(state) = who.batches.get_mut(b as usize) {
                state.total += 1;
            }
            who.slots.insert(
                i,
                Slot::Open {
                    swapped: annotation.swapped,
                    batch: b,
                },
            );
        }
        self.finish(a, i, annotation)
    }

    /// The annotator and item indices, checking that the annotation id, if
    /// seen before, was for the same annotator and item.
    fn locate(&self, annotator: &str, item: &str, id: Option<&str>) -> Result<(u32, u32)> {
        if annotator.trim().is_empty() {
            return Err(Error::invalid("annotator", "must not be empty"));
        }
        let i = *self
            .index
            .get(item)
            .ok_or_else(|| Error::invalid("item", format!("item \"{item}\" is not in the task")))?;
        let Some(&a) = self.annotator_index.get(annotator) else {
            return Err(Error::Rejected(format!(
                "annotator \"{annotator}\" has no open batch; ask for a batch first"
            )));
        };
        if let Some(&(pa, pi)) = id.and_then(|id| self.ids.get(id)) {
            if (pa, pi) != (a, i) {
                return Err(Error::invalid(
                    "id",
                    format!(
                        "annotation id \"{}\" was already used for item \"{}\" by annotator \"{}\"",
                        id.unwrap_or_default(),
                        self.items[pi as usize].id,
                        self.annotators[pa as usize].name
                    ),
                ));
            }
        }
        Ok((a, i))
    }

    /// Checks `task_id` against the session's task, filling it in when absent.
    fn own_task_id(&self, task_id: &mut Option<String>) -> Result<()> {
        match task_id {
            Some(t) if *t != self.task.task_id => Err(Error::invalid(
                "task_id",
                format!(
                    "this session runs task \"{}\", got \"{t}\"",
                    self.task.task_id
                ),
            )),
            Some(_) => Ok(()),
            None => {
                *task_id = Some(self.task.task_id.clone());
                Ok(())
            }
        }
    }

    fn not_open(&self, a: u32, item: &str) -> Error {
        Error::Rejected(format!(
            "item \"{item}\" is not in an open batch of annotator \"{}\"",
            self.annotators[a as usize].name
        ))
    }

    /// Records an answer to item `i` held by annotator `a` (open or done).
    fn finish(&mut self, a: u32, i: u32, annotation: Annotation) -> Result<Verdict> {
        let config = &self.task.config;
        let who = &mut self.annotators[a as usize];
        let batch = match who.slots.get(&i) {
            Some(Slot::Open { batch, .. }) => *batch,
            Some(Slot::Done(d)) if d.0 == annotation.label => {
                let mut v = d.1.clone();
                v.duplicate = true;
                return Ok(v);
            }
            Some(Slot::Done(d)) => {
                return Err(Error::Rejected(format!(
                    "annotator \"{}\" already labelled item \"{}\" as {}; a different label ({}) is refused",
                    who.name, self.items[i as usize].id, d.0, annotation.label
                )))
            }
            None => return Err(Error::Rejected("item not held".into())),
        };
        let mut gold = None;
        if let Kind::Gold(g) = self.items[i as usize].kind {
            if let Some(answer) = self.task.gold.get(g as usize) {
                let correct = config.gold_match.matches(annotation.label, answer.label);
                who.gold.add(correct);
                if who
                    .gold
                    .below(config.min_gold_for_flag, config.min_gold_accuracy)
                {
                    who.flagged = true;
                }
                if config.gold_feedback {
                    gold = Some(GoldFeedback {
                        correct,
                        label: answer.label,
                        label_shown: answer.label.unflip(annotation.swapped),
                        explanation: answer.explanation.clone(),
                    });
                }
            }
        }
        let progress = match who.batches.get_mut(batch as usize) {
            Some(b) => {
                b.done += 1;
                Progress {
                    done: b.done,
                    total: b.total,
                }
            }
            None => Progress { done: 1, total: 1 },
        };
        let flag = who.flagged.then(|| Flag {
            reason: FlagReason::LowGoldAccuracy,
            gold_accuracy: who.gold.accuracy().unwrap_or(0.0),
            gold_total: who.gold.total,
            gold_correct: who.gold.correct,
        });
        let verdict = Verdict {
            status: if who.flagged {
                Status::Flagged
            } else {
                Status::Accepted
            },
            too_fast: super::too_fast(annotation.time_seconds, config.fast_seconds),
            annotation,
            gold,
            flag,
            progress,
            duplicate: false,
        };
        if let Some(id) = &verdict.annotation.id {
            self.ids.insert(id.clone(), (a, i));
        }
        who.slots.insert(
            i,
            Slot::Done(Box::new((verdict.annotation.label, verdict.clone()))),
        );
        Ok(verdict)
    }
}
