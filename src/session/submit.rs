//! Answers: the page's [`SubmitRequest`] (label as shown) and canonical
//! [`Annotation`]s (replay, collector), checked, un-flipped, gold-checked,
//! and answered with a [`Verdict`].

use super::request::SubmitRequest;
use super::verdict::{stored, GoldFeedback, Verdict};
use super::{Kind, Session, Slot};
use crate::annotation::line::{check_id, check_time_seconds};
use crate::annotation::Annotation;
use crate::error::{Error, Result};
use crate::label::Label;

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
        let who = &self.annotators[a as usize];
        let swapped = match who.slot(i, who.is_repeat(i, Some(&req.id))) {
            Some(Slot::Done(d)) => d.1.annotation.swapped,
            Some(slot) => match slot.handed_out() {
                Some((swapped, _)) => swapped,
                None => return Err(self.not_open(a, &req.item)),
            },
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
            simulated: req.simulated,
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
            self.check_cap(i, &annotation.item, true)?;
            self.assign(a, i, annotation.swapped)?;
        } else if assigning && self.may_repeat_on_the_spot(a, i, annotation.id.as_deref()) {
            self.check_cap(i, &annotation.item, true)?;
            self.assign_repeat(a, i, annotation.swapped)?;
        }
        self.finish(a, i, annotation)
    }

    /// The annotator and item indices, checking that the annotation id, if
    /// seen before, was for the same annotator and item.
    pub(super) fn locate(
        &self,
        annotator: &str,
        item: &str,
        id: Option<&str>,
    ) -> Result<(u32, u32)> {
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

    /// Hands item `i` to annotator `a` on the spot, in a batch that grows
    /// with each such item and has no lease (the replay and open-mode
    /// collector's way: the page assembled the batch itself).
    pub(super) fn assign(&mut self, a: u32, i: u32, swapped: bool) -> Result<()> {
        if matches!(self.items[i as usize].kind, Kind::External) {
            return Err(Error::invalid(
                "item",
                format!("item \"{}\" is not in the task", self.items[i as usize].id),
            ));
        }
        if (i as usize) < self.task.examples.len() {
            self.pool.bump(i);
        }
        let who = &mut self.annotators[a as usize];
        let b = who.on_demand_item(i);
        who.slots.insert(
            i,
            Slot::Open {
                swapped,
                batch: b,
                until: f64::INFINITY,
            },
        );
        Ok(())
    }

    /// Refuses an answer to regular item `i` that already has the most
    /// answers the task takes (`config.max_labels_per_item`).
    fn check_cap(&self, i: u32, item: &str, on_the_spot: bool) -> Result<()> {
        let answers = self.answers.get(i as usize).copied().unwrap_or(0);
        let regular = matches!(self.items[i as usize].kind, Kind::Regular(_));
        let cap = self.task.config.label_cap(on_the_spot);
        if regular && cap.is_some_and(|cap| answers >= cap) {
            return Err(Error::Rejected(format!(
                "item \"{item}\" is complete: it has {answers} labels, the most this task takes \
                 (config.max_labels_per_item)"
            )));
        }
        Ok(())
    }

    /// The A/B order in which item `item` was handed to `annotator`, while
    /// it is handed out (open or lapsed) or answered: for the answer with
    /// annotation id `id`, which may be to the item's repeat (see
    /// "Repeats" in the module docs of [`crate::session`]).
    pub fn handed_out(&self, annotator: &str, item: &str, id: Option<&str>) -> Option<bool> {
        let &a = self.annotator_index.get(annotator)?;
        let &i = self.index.get(item)?;
        let who = self.annotators.get(a as usize)?;
        match who.slot(i, who.is_repeat(i, id))? {
            Slot::Done(d) => Some(d.1.annotation.swapped),
            slot => slot.handed_out().map(|h| h.0),
        }
    }

    /// The gold label of `item` (canonical order) when the session holds
    /// it as a gold item; `None` for a regular item, an item of a batch
    /// assembled elsewhere, or an unknown id.
    pub fn gold_label(&self, item: &str) -> Option<Label> {
        let &i = self.index.get(item)?;
        match self.items.get(i as usize)?.kind {
            Kind::Gold(g) => self.task.gold.get(g as usize).map(|g| g.label),
            _ => None,
        }
    }

    /// Checks `task_id` against the session's task, filling it in when absent.
    pub(super) fn own_task_id(&self, task_id: &mut Option<String>) -> Result<()> {
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

    pub(super) fn not_open(&self, a: u32, item: &str) -> Error {
        let who = &self.annotators[a as usize];
        let skipped = self
            .index
            .get(item)
            .and_then(|i| who.slots.get(i))
            .is_some_and(|s| matches!(s, Slot::Skipped(_)));
        if skipped {
            return Error::Rejected(format!(
                "annotator \"{}\" skipped item \"{item}\"; a skip cannot be followed by a label",
                who.name
            ));
        }
        Error::Rejected(format!(
            "item \"{item}\" is not in an open batch of annotator \"{}\"",
            who.name
        ))
    }

    /// Records an answer to item `i` held by annotator `a` (open or done),
    /// or to its repeat (see [`super::repeat`]).
    fn finish(&mut self, a: u32, i: u32, annotation: Annotation) -> Result<Verdict> {
        let regular = matches!(self.items[i as usize].kind, Kind::Regular(_));
        let who = &mut self.annotators[a as usize];
        let on_the_spot = who.on_demand.is_some();
        let repeat = who.is_repeat(i, annotation.id.as_deref());
        let (batch, late) = match who.slot(i, repeat) {
            Some(Slot::Open { batch, .. }) => (*batch, false),
            Some(Slot::Lapsed { batch, .. }) => (*batch, true),
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
            Some(Slot::Skipped(_)) | None => return Err(self.not_open(a, &annotation.item)),
        };
        let on_the_spot = on_the_spot && who.on_demand == Some(batch);
        self.check_cap(i, &annotation.item, on_the_spot)?;
        self.live.add(&annotation)?;
        if let Some(n) = self.answers.get_mut(i as usize) {
            *n += 1;
        }
        if repeat {
            if let Some(n) = self.repeated.get_mut(i as usize) {
                *n += 1;
            }
        } else if regular {
            let repeats_on = self.task.config.repeat_fraction > 0.0;
            self.annotators[a as usize].answered(i, repeats_on);
        }
        if late && regular && !repeat {
            // The lease ran out and the item went back to the pool: this
            // label is one more than the lease promised.
            self.pool.bump(i);
        }
        self.changes += 1;
        let config = &self.task.config;
        let who = &mut self.annotators[a as usize];
        let mut gold = None;
        if let Kind::Gold(g) = self.items[i as usize].kind {
            if let Some(answer) = self.task.gold.get(g as usize) {
                let correct = config.gold_match.matches(annotation.label, answer.label);
                who.gold_seen(correct, config);
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
        let progress = who.done_in(batch);
        let (status, flag) = who.standing();
        let verdict = Verdict {
            status,
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
        who.set_slot(
            i,
            repeat,
            Slot::Done(Box::new((verdict.annotation.label, stored(&verdict)))),
        );
        Ok(verdict)
    }
}
