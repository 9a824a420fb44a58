//! Answers: the page's [`SubmitRequest`] (label as shown) and canonical
//! [`Annotation`]s (replay, collector), checked, un-flipped, gold-checked,
//! and answered with a [`Verdict`].

use super::request::SubmitRequest;
use super::verdict::{stored, Flag, FlagReason, GoldFeedback, Progress, Status, Verdict};
use super::{BatchState, Kind, Session, Slot};
use crate::annotation::line::{check_id, check_time_seconds};
use crate::annotation::Annotation;
use crate::error::{Error, Result};

impl Session {
    /// Takes one answer from the page. Checks that the item is in an open
    /// batch of the annotator, the label parses, the time is finite and not
    /// negative; un-flips with the order the session assigned; checks gold;
    /// updates the statistics. The same answer again (same annotator, item
    /// and label) returns the first verdict with `duplicate: true` and
    /// changes nothing; a different label for an answered item is refused.
    pub fn submit(&mut self, req: SubmitRequest) -> Result<Verdict> {
        // The rules of the annotation this answer becomes.
        check_time_seconds(req.time_seconds)?;
        check_id("id", &req.id)?;
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
        let mut dimensions = req.dimensions;
        for (_, l) in dimensions.iter_mut() {
            *l = l.unflip(swapped);
        }
        let annotation = Annotation {
            id: Some(req.id),
            task_id: req.task_id,
            item: req.item,
            annotator: req.annotator,
            label: shown_label.unflip(swapped),
            time_seconds: Some(req.time_seconds),
            swapped,
            dimensions,
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
            check_time_seconds(t)?;
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
                v.annotation.item = annotation.item;
                v.annotation.annotator = annotation.annotator;
                v.annotation.task_id = annotation.task_id;
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
        self.live.add(&annotation)?;
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
            Slot::Done(Box::new((verdict.annotation.label, stored(&verdict)))),
        );
        Ok(verdict)
    }
}
