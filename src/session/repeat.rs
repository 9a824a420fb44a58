//! Repeated items: showing an annotator an item they answered once more,
//! later, to measure how well they agree with themselves
//! (`config.repeat_fraction`; the figures are each annotator's
//! `self_consistency` in [`Session::stats`]).
//!
//! The rules:
//!
//! - Only regular items the annotator *answered* (not skipped, not gold)
//!   are shown again, each at most once, and never in the batch they were
//!   first in: a repeat is drawn when a *new* batch is assembled, from the
//!   items answered before it.
//! - A new batch holds `due = floor(repeat_fraction x answered) - repeats
//!   given so far` repeats, in place of new regular items, at random
//!   positions, each with its A/B order drawn again. At most its regular
//!   share, less one when the task has gold (a batch of gold and items seen
//!   before would tell the gold apart); and like any batch, none when no
//!   new regular item is free for the annotator and a place is left for
//!   one. Which items: uniformly at random among those not yet repeated,
//!   drawn from the session's seeded generator, so a seed gives the same
//!   batches natively and in WebAssembly. With `repeat_fraction` 0 no draw
//!   is made and batches are as without this feature.
//! - A repeat is no new overlap slot: it takes no lease in the pool (the
//!   item is not counted again toward `overlap`, nor given back to others
//!   when it lapses), and [`super::Overview`] counts an item complete on
//!   its first answers. Its label does count toward
//!   `max_labels_per_item` (the cap bounds the labels an item takes): an
//!   item at the cap is not shown again.
//! - The annotator's answer to a repeat is a second annotation (another
//!   id) on the same item; the first answer's id sent again is still a
//!   duplicate of the first answer. The live report reads repeats
//!   (`allow_repeats`).

use super::{Annotator, BatchState, Kind, Session, Slot};
use crate::error::{Error, Result};
use rand::Rng;
use rand_pcg::Pcg32;

impl Annotator {
    /// Whether an answer or skip of item `i` with annotation id `id` is for
    /// the item's repeat: the item is shown again and `id` is not the id
    /// of the first answer.
    pub(super) fn is_repeat(&self, i: u32, id: Option<&str>) -> bool {
        if !self.repeats.contains_key(&i) {
            return false;
        }
        match self.slots.get(&i) {
            Some(Slot::Done(d)) => d.1.annotation.id.as_deref() != id || id.is_none(),
            _ => false,
        }
    }

    /// The slot of item `i`: its repeat or its first showing.
    pub(super) fn slot(&self, i: u32, repeat: bool) -> Option<&Slot> {
        if repeat {
            self.repeats.get(&i)
        } else {
            self.slots.get(&i)
        }
    }

    /// Sets the slot of item `i` (its repeat or its first showing).
    pub(super) fn set_slot(&mut self, i: u32, repeat: bool, slot: Slot) {
        if repeat {
            self.repeats.insert(i, slot);
        } else {
            self.slots.insert(i, slot);
        }
    }

    /// The slot of item `i` open in batch `b`, if any, and whether it is
    /// the repeat (an item is in at most two batches: first and repeat).
    pub(super) fn open_in(&self, i: u32, b: u32) -> Option<(&Slot, bool)> {
        [(self.repeats.get(&i), true), (self.slots.get(&i), false)]
            .into_iter()
            .find_map(|(slot, repeat)| match slot {
                Some(s @ Slot::Open { batch, .. }) if *batch == b => Some((s, repeat)),
                _ => None,
            })
    }

    /// Every slot, first showings and repeats.
    pub(super) fn all_slots(&self) -> impl Iterator<Item = &Slot> {
        self.slots.values().chain(self.repeats.values())
    }

    /// Repeats due in the next batch: `floor(fraction x answered) -
    /// repeats given`.
    fn repeats_due(&self, fraction: f64) -> usize {
        // A hair of tolerance, as for the gold share (0.1 x 30 = 3).
        let wanted = (fraction * f64::from(self.answered_regular) + 1e-9).floor() as usize;
        wanted.saturating_sub(self.repeats.len())
    }

    /// Counts a first answer to regular item `i`: it may be shown again.
    pub(super) fn answered(&mut self, i: u32, repeats_on: bool) {
        self.answered_regular += 1;
        if repeats_on {
            self.repeatable.push(i);
        }
    }
}

impl Session {
    /// How many of a new batch's `regular_share` places go to repeats for
    /// annotator `a` (no draw is made). When the task has gold, one place
    /// at least is left to a new item: a batch of gold and items seen
    /// before would tell the gold apart.
    pub(super) fn repeat_places(&self, a: u32, regular_share: usize) -> usize {
        let fraction = self.task.config.repeat_fraction;
        if fraction <= 0.0 {
            return 0;
        }
        let room = if self.task.gold.is_empty() {
            regular_share
        } else {
            regular_share.saturating_sub(1)
        };
        let who = &self.annotators[a as usize];
        who.repeats_due(fraction)
            .min(who.repeatable.len())
            .min(room)
    }

    /// Draws up to `want` items of annotator `a` to show again, leaving out
    /// items that reached the label cap.
    pub(super) fn draw_repeats(&mut self, a: u32, want: usize) -> Vec<u32> {
        let cap = self.task.config.label_cap(false);
        let answers = &self.answers;
        let who = &mut self.annotators[a as usize];
        draw(&mut self.rng, &mut who.repeatable, want, |i| {
            cap.is_none_or(|c| answers.get(i as usize).copied().unwrap_or(0) < c)
        })
    }

    /// Shows item `i`, answered before by annotator `a`, again on the spot
    /// (the open-mode collector and replay, where the page assembled the
    /// batch), in the annotator's on-demand batch.
    pub(super) fn assign_repeat(&mut self, a: u32, i: u32, swapped: bool) -> Result<()> {
        if !matches!(self.items[i as usize].kind, Kind::Regular(_)) {
            return Err(Error::Rejected(format!(
                "item \"{}\" is not a regular item; only regular items are shown again",
                self.items[i as usize].id
            )));
        }
        let who = &mut self.annotators[a as usize];
        let b = who.on_demand_item(i);
        who.repeatable.retain(|&r| r != i);
        who.repeats.insert(
            i,
            Slot::Open {
                swapped,
                batch: b,
                until: f64::INFINITY,
            },
        );
        Ok(())
    }

    /// Whether the repeat of item `i` may be assigned on the spot to
    /// annotator `a` for an answer with id `id`: the task shows items
    /// again, `i` is a regular item the annotator answered under another
    /// id, and it has no repeat yet.
    pub(super) fn may_repeat_on_the_spot(&self, a: u32, i: u32, id: Option<&str>) -> bool {
        let who = &self.annotators[a as usize];
        let regular = matches!(
            self.items.get(i as usize).map(|it| it.kind),
            Some(Kind::Regular(_))
        );
        self.task.config.repeat_fraction > 0.0
            && regular
            && !who.repeats.contains_key(&i)
            && matches!(who.slots.get(&i), Some(Slot::Done(d)) if d.1.annotation.id.as_deref() != id)
    }
}

impl Annotator {
    /// Adds item `i` to the batch that collects items assigned on demand
    /// (made when needed) and returns that batch.
    pub(super) fn on_demand_item(&mut self, i: u32) -> u32 {
        let b = match self.on_demand {
            Some(b) => b,
            None => {
                self.batches.push(BatchState {
                    done: 0,
                    total: 0,
                    items: Vec::new(),
                    until: f64::INFINITY,
                });
                let b = self.batches.len() as u32 - 1;
                self.on_demand = Some(b);
                b
            }
        };
        if let Some(state) = self.batches.get_mut(b as usize) {
            state.total += 1;
            state.items.push(i);
        }
        b
    }
}

/// Up to `want` entries drawn uniformly at random (without replacement)
/// from `from` that pass `keep`, removing each drawn entry; an entry that
/// fails `keep` is dropped too (the cap never goes down).
fn draw(rng: &mut Pcg32, from: &mut Vec<u32>, want: usize, keep: impl Fn(u32) -> bool) -> Vec<u32> {
    let mut out = Vec::with_capacity(want);
    while out.len() < want && !from.is_empty() {
        let k = rng.random_range(0..from.len() as u32) as usize;
        let i = from.swap_remove(k);
        if keep(i) {
            out.push(i);
        }
    }
    out
}
