//! Taking over a batch assembled elsewhere ([`Session::adopt_batch`]): the
//! page's side of the "blind" collector mode.

use super::{Batch, BatchState, Item, Kind, Session, Slot};
use crate::error::{Error, Result};
use crate::map::FastMap;

impl Session {
    /// Takes over a batch assembled elsewhere (the "blind" collector mode:
    /// the server holds the gold and assembles batches; the page's session,
    /// built from the public task, only checks answers against the batch
    /// and un-flips them with the batch's `swapped`). Items unknown to this
    /// session's task are accepted as they come. Refused, with nothing
    /// changed: an item twice in the batch, or an item the annotator was
    /// already given, answered or skipped, unless the task shows items
    /// again (`repeat_fraction`) and it is the first showing of an item the
    /// annotator answered: that item is adopted as its repeat. In a
    /// `resumed` batch (the collector giving back a batch the annotator
    /// holds, after a reload) items already held here are left as they are
    /// and the others adopted.
    pub fn adopt_batch(&mut self, mut batch: Batch) -> Result<()> {
        let a = self.annotator_mut(&batch.annotator)?;
        let who = &self.annotators[a as usize];
        if batch.resumed {
            batch.items.retain(|it| {
                !self.index.get(&it.id).is_some_and(|i| {
                    who.repeats.contains_key(i)
                        || (who.slots.contains_key(i) && !self.may_repeat_on_the_spot(a, *i, None))
                })
            });
        }
        // Items answered before that come back as repeats.
        let repeats: Vec<bool> = batch
            .items
            .iter()
            .map(|it| {
                self.index
                    .get(&it.id)
                    .is_some_and(|&i| self.may_repeat_on_the_spot(a, i, None))
            })
            .collect();
        let mut seen: FastMap<&str, ()> = FastMap::default();
        for (k, it) in batch.items.iter().enumerate() {
            if seen.insert(it.id.as_str(), ()).is_some() {
                return Err(Error::invalid(
                    format!("items[{k}].id"),
                    format!("item \"{}\" is twice in the batch", it.id),
                ));
            }
            let held = self.index.get(&it.id).and_then(|i| who.slots.get(i));
            if let (Some(slot), false) = (held, repeats[k]) {
                let how = match slot {
                    Slot::Open { .. } | Slot::Lapsed { .. } => "was given it in an earlier batch",
                    Slot::Done(_) => "has answered it",
                    Slot::Skipped(_) => "has skipped it",
                };
                return Err(Error::Rejected(format!(
                    "cannot adopt the batch: annotator \"{}\" {how} (item \"{}\")",
                    batch.annotator, it.id
                )));
            }
        }
        let b = who.batches.len() as u32;
        let first_gold = self.task.examples.len() as u32;
        let mut opened = Vec::with_capacity(batch.items.len());
        for (it, &repeat) in batch.items.iter().zip(&repeats) {
            let i = match self.index.get(&it.id) {
                Some(&i) => i,
                None => {
                    let i = self.items.len() as u32;
                    self.items.push(Item {
                        id: it.id.clone(),
                        kind: Kind::External,
                    });
                    self.answers.push(0);
                    self.repeated.push(0);
                    self.index.insert(it.id.clone(), i);
                    i
                }
            };
            if i < first_gold && !repeat {
                self.pool.bump(i);
            }
            opened.push((i, it.swapped, repeat));
        }
        let who = &mut self.annotators[a as usize];
        who.flagged |= batch.flagged;
        self.changes += 1;
        if opened.is_empty() {
            return Ok(());
        }
        // The batch's lease, as the assembling side set it (a batch
        // journaled by the page and adopted again after a reload); without
        // one the items stay open until answered or skipped.
        let until = batch
            .lease_until
            .filter(|t| t.is_finite())
            .unwrap_or(f64::INFINITY);
        who.batches.push(BatchState {
            done: 0,
            total: opened.len() as u32,
            items: opened.iter().map(|&(i, _, _)| i).collect(),
            until,
        });
        for (i, swapped, repeat) in opened {
            let slot = Slot::Open {
                swapped,
                batch: b,
                until,
            };
            who.set_slot(i, repeat, slot);
            if repeat {
                who.repeatable.retain(|&r| r != i);
            } else if until.is_finite() {
                self.leases.add(a, i, until);
            }
        }
        Ok(())
    }
}
