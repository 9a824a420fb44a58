//! Skips: "I can't judge this". A skip is never a label: it enters no
//! agreement, gold tally as correct or aggregation. It gives the item's
//! lease back (the item returns to the pool for others, never to the same
//! annotator), and a skipped gold item counts as a gold item seen and not
//! answered correctly, so skipping cannot dodge the gold checks.

use super::task::MAX_SKIP_REASON;
use super::verdict::{Flag, Progress, Status};
use super::{Kind, Session, Slot};
use crate::annotation::line::{check_time_seconds, check_timestamp};
use crate::annotation::Skip;
use crate::error::{Error, Result};
use serde::Serialize;

/// The session's answer to a skip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkipVerdict {
    /// `accepted` or `flagged`.
    pub status: Status,
    /// The skip as recorded (task id filled in).
    pub skip: Skip,
    /// Present once the annotator is flagged.
    pub flag: Option<Flag>,
    /// Progress through the item's batch (a skip counts as done).
    pub progress: Progress,
    /// This is a resubmission: the verdict is the first one, nothing changed.
    pub duplicate: bool,
}

/// A skip reason trimmed, or why it is refused: empty, or longer than
/// [`MAX_SKIP_REASON`] characters. The one rule for reasons posted and
/// reasons a task suggests.
pub(crate) fn check_reason(reason: &str, field: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(field, "the reason must not be empty"));
    }
    if reason.char_indices().nth(MAX_SKIP_REASON).is_some() {
        return Err(Error::invalid(
            field,
            format!("the reason is longer than {MAX_SKIP_REASON} characters"),
        ));
    }
    Ok(reason.to_string())
}

impl Session {
    /// Takes a skip of an item the annotator holds (open, or with its
    /// lease run out). The item goes back to the pool for others; a gold
    /// item counts as seen and not correct. The same skip again (same id)
    /// returns the first verdict with `duplicate: true`. Refused: a skip of
    /// an item not handed to the annotator, or already answered.
    pub fn skip(&mut self, skip: Skip) -> Result<SkipVerdict> {
        self.skip_inner(skip, false)
    }

    /// Like [`Session::skip`], but an item of the task that the annotator
    /// does not hold is assigned on the spot first, as
    /// [`Session::record_assigning`] does for labels.
    pub fn skip_assigning(&mut self, skip: Skip) -> Result<SkipVerdict> {
        self.skip_inner(skip, true)
    }

    fn skip_inner(&mut self, mut skip: Skip, assigning: bool) -> Result<SkipVerdict> {
        self.own_task_id(&mut skip.task_id)?;
        // The rules of a label's times, for a skip built in code rather
        // than read (a read one was checked already).
        if let Some(t) = skip.time_seconds {
            check_time_seconds(t)?;
        }
        if let Some(t) = skip.timestamp {
            check_timestamp(t)?;
        }
        skip.skip = check_reason(&skip.skip, "skip")?;
        if assigning && self.index.contains_key(&skip.item) {
            self.annotator_mut(&skip.annotator)?;
        }
        let (a, i) = self.locate(&skip.annotator, &skip.item, Some(&skip.id))?;
        if assigning && !self.annotators[a as usize].slots.contains_key(&i) {
            self.assign(a, i, false)?;
        } else if assigning && self.may_repeat_on_the_spot(a, i, Some(&skip.id)) {
            self.assign_repeat(a, i, false)?;
        }
        let who = &self.annotators[a as usize];
        let repeat = who.is_repeat(i, Some(&skip.id));
        let (open, batch) = match who.slot(i, repeat) {
            Some(Slot::Skipped(v)) => {
                let mut v = (**v).clone();
                v.duplicate = true;
                return Ok(v);
            }
            Some(Slot::Done(_)) => {
                return Err(Error::Rejected(format!(
                    "annotator \"{}\" already labelled item \"{}\"; a label cannot be skipped",
                    who.name, skip.item
                )))
            }
            Some(slot @ Slot::Open { .. }) => (true, slot.handed_out().map_or(0, |h| h.1)),
            Some(slot @ Slot::Lapsed { .. }) => (false, slot.handed_out().map_or(0, |h| h.1)),
            None => return Err(self.not_open(a, &skip.item)),
        };
        let kind = self.items[i as usize].kind;
        // A repeat holds no overlap slot: nothing goes back to the pool.
        if open && !repeat && matches!(kind, Kind::Regular(_)) {
            self.pool.release(i);
        }
        let config = &self.task.config;
        let who = &mut self.annotators[a as usize];
        if let Kind::Gold(_) = kind {
            who.gold_seen(false, config);
        }
        who.skips += 1;
        self.live.add_skip(&skip.item, &who.name);
        let progress = who.done_in(batch);
        let (status, flag) = who.standing();
        let verdict = SkipVerdict {
            status,
            flag,
            skip,
            progress,
            duplicate: false,
        };
        self.ids.insert(verdict.skip.id.clone(), (a, i));
        who.set_slot(i, repeat, Slot::Skipped(Box::new(verdict.clone())));
        self.changes += 1;
        Ok(verdict)
    }
}
