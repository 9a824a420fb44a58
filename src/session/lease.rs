//! Leases: how long a handed-out item stays reserved for its annotator,
//! and what happens when that time runs out (see the module docs of
//! [`super`]).

use super::{Kind, Session, Slot};
use crate::error::{Error, Result};
use crate::fields::num;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One lease: annotator `annotator` holds item `item` until `until`.
/// `seq` orders leases that run out at the same time, so the order in
/// which they are released is the same on every platform.
#[derive(Debug, Clone, Copy)]
struct Lease {
    until: f64,
    seq: u64,
    annotator: u32,
    item: u32,
}

impl PartialEq for Lease {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Lease {}

impl PartialOrd for Lease {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Lease {
    /// Reversed, so that the max-heap pops the soonest lease first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .until
            .total_cmp(&self.until)
            .then(other.seq.cmp(&self.seq))
    }
}

/// Every lease given, soonest to run out first. A lease whose item was
/// answered or skipped stays in the heap until its time and is then
/// dropped, so the heap holds at most one entry per item handed out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Leases {
    heap: BinaryHeap<Lease>,
    next_seq: u64,
}

impl Leases {
    pub fn add(&mut self, annotator: u32, item: u32, until: f64) {
        self.heap.push(Lease {
            until,
            seq: self.next_seq,
            annotator,
            item,
        });
        self.next_seq += 1;
    }
}

/// How far the regular items of a session are (`GET .../progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Overview {
    /// Regular items in the task.
    pub items: u64,
    /// Items with at least `overlap` answers.
    pub complete: u64,
    /// Items not complete that someone holds a live, unanswered lease on.
    pub leased: u64,
    /// Items neither complete nor leased: waiting for an annotator.
    pub open: u64,
    /// Answers to regular items.
    pub labels: u64,
    /// Skips, of regular and gold items.
    pub skips: u64,
}

/// Checks that `now` is a usable time.
pub(crate) fn check_now(now: f64) -> Result<()> {
    if now.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            "now",
            format!("expected a finite time in seconds, got {}", num(now)),
        ))
    }
}

impl Session {
    /// Releases every lease that ran out by `now`: its item goes back to
    /// the pool (regular items) and a late answer to it counts as one more
    /// label. Returns whether anything was released.
    pub(super) fn expire(&mut self, now: f64) -> bool {
        let mut released = false;
        while let Some(&lease) = self.leases.heap.peek() {
            if lease.until > now {
                break;
            }
            self.leases.heap.pop();
            let Some(who) = self.annotators.get_mut(lease.annotator as usize) else {
                continue;
            };
            let Some(slot) = who.slots.get_mut(&lease.item) else {
                continue;
            };
            if let Slot::Open {
                swapped,
                batch,
                until,
            } = *slot
            {
                if until.to_bits() != lease.until.to_bits() {
                    continue;
                }
                *slot = Slot::Lapsed { swapped, batch };
                if let Some(Kind::Regular(_)) = self.items.get(lease.item as usize).map(|i| i.kind)
                {
                    self.pool.release(lease.item);
                }
                released = true;
            }
        }
        if released {
            self.changes += 1;
        }
        released
    }

    /// Where the regular items stand at `now`. Changes nothing: a lease
    /// past its time counts as run out here even before a call releases it.
    /// Time linear in the leases given.
    pub fn overview(&self, now: f64) -> Overview {
        let overlap = self.task.config.overlap;
        let n = self.task.examples.len();
        let mut leased = vec![false; n];
        for lease in self.leases.heap.iter() {
            if lease.until <= now || lease.item as usize >= n {
                continue;
            }
            let live = self
                .annotators
                .get(lease.annotator as usize)
                .and_then(|a| a.slots.get(&lease.item))
                .is_some_and(|s| matches!(s, Slot::Open { until, .. } if until.to_bits() == lease.until.to_bits()));
            if live {
                leased[lease.item as usize] = true;
            }
        }
        let mut o = Overview {
            items: n as u64,
            complete: 0,
            leased: 0,
            open: 0,
            labels: 0,
            skips: self.annotators.iter().map(|a| u64::from(a.skips)).sum(),
        };
        for (i, &answers) in self.answers.iter().take(n).enumerate() {
            o.labels += u64::from(answers);
            // Answers to repeats fill no overlap slot.
            let first = answers.saturating_sub(self.repeated.get(i).copied().unwrap_or(0));
            if first >= overlap {
                o.complete += 1;
            } else if leased[i] {
                o.leased += 1;
            } else {
                o.open += 1;
            }
        }
        o
    }
}
