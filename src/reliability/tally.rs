//! Per-annotator running tallies: updated in O(1) per annotation and
//! mergeable, so the live session can keep them after every click and
//! shards of a big file can be counted apart and combined.
//!
//! Everything that depends on other annotators (agreement with the item's
//! majority) is left out: it is computed when a snapshot is taken.

use crate::dataset::Row;
use crate::label::{Label, Side, K};

/// Runs of identical consecutive labels, kept as a monoid so that two
/// sequences can be joined: the run at the start, the run at the end and
/// the longest run anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Runs {
    /// Labels seen.
    pub n: u32,
    /// First label and the length of the run it starts.
    pub first: Option<Label>,
    /// Length of the run at the start.
    pub prefix: u32,
    /// Last label.
    pub last: Option<Label>,
    /// Length of the run at the end.
    pub suffix: u32,
    /// Longest run of one label anywhere.
    pub longest: u32,
}

impl Runs {
    /// Appends one label.
    pub fn push(&mut self, l: Label) {
        if self.n == 0 {
            self.first = Some(l);
        }
        if self.prefix == self.n && self.first == Some(l) {
            self.prefix += 1;
        }
        if self.last == Some(l) {
            self.suffix += 1;
        } else {
            self.last = Some(l);
            self.suffix = 1;
        }
        self.n += 1;
        self.longest = self.longest.max(self.suffix);
    }

    /// The runs of `self` followed by `next`.
    pub fn then(&self, next: &Runs) -> Runs {
        if next.n == 0 {
            return *self;
        }
        if self.n == 0 {
            return *next;
        }
        let joins = self.last == next.first;
        let across = if joins { self.suffix + next.prefix } else { 0 };
        Runs {
            n: self.n + next.n,
            first: self.first,
            prefix: if self.prefix == self.n && joins {
                self.n + next.prefix
            } else {
                self.prefix
            },
            last: next.last,
            suffix: if next.suffix == next.n && joins {
                next.n + self.suffix
            } else {
                next.suffix
            },
            longest: self.longest.max(next.longest).max(across),
        }
    }
}

/// What one annotator has done so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnotatorTally {
    /// Annotations.
    pub total: u32,
    /// Gold items labelled or skipped (a skipped gold counts as seen and
    /// not correct, so skipping cannot dodge the gold checks).
    pub gold_total: u32,
    /// Gold annotations equal to the gold label.
    pub gold_exact: u32,
    /// Gold annotations on the same side as the gold label (A, tie, B).
    pub gold_directional: u32,
    /// Sum of the times given, in seconds.
    pub time_sum: f64,
    /// Annotations with a time.
    pub timed: u32,
    /// Counts of the labels as shown (left response = A), by code.
    pub shown: [u32; K],
    /// Runs of identical shown labels, in input order.
    pub runs: Runs,
    /// Items skipped.
    pub skips: u32,
}

impl AnnotatorTally {
    /// Counts one annotation; `gold` is its item's gold label, if any.
    pub fn add(&mut self, row: &Row, gold: Option<Label>) {
        self.total += 1;
        if let Some(g) = gold {
            self.gold_total += 1;
            self.gold_exact += u32::from(row.label == g);
            self.gold_directional += u32::from(row.label.side() == g.side());
        }
        if let Some(t) = row.time() {
            self.time_sum += t;
            self.timed += 1;
        }
        let shown = row.label.unflip(row.swapped);
        self.shown[shown.index()] += 1;
        self.runs.push(shown);
    }

    /// Counts one skip; `gold` is its item's gold label, if any.
    pub fn skip(&mut self, gold: Option<Label>) {
        self.skips += 1;
        self.gold_total += u32::from(gold.is_some());
    }

    /// Adds the counts of `other`, whose annotations come after these in
    /// input order (only the runs depend on the order).
    pub fn merge(&mut self, other: &AnnotatorTally) {
        self.total += other.total;
        self.gold_total += other.gold_total;
        self.gold_exact += other.gold_exact;
        self.gold_directional += other.gold_directional;
        self.time_sum += other.time_sum;
        self.timed += other.timed;
        for l in 0..K {
            self.shown[l] += other.shown[l];
        }
        self.runs = self.runs.then(&other.runs);
        self.skips += other.skips;
    }

    /// Non-tie choices of the response shown on the left, and all non-tie choices.
    pub fn left_of_decided(&self) -> (u32, u32) {
        let mut left = 0;
        let mut right = 0;
        for l in Label::ALL {
            match l.side() {
                Side::A => left += self.shown[l.index()],
                Side::B => right += self.shown[l.index()],
                Side::Tie => {}
            }
        }
        (left, left + right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    fn runs(ls: &[Label]) -> Runs {
        let mut r = Runs::default();
        for &l in ls {
            r.push(l);
        }
        r
    }

    #[test]
    fn runs_count_the_longest_stretch_of_one_label() {
        let r = runs(&[ABetter, ABetter, Tie, Tie, Tie, ABetter]);
        assert_eq!((r.prefix, r.suffix, r.longest), (2, 1, 3));
        assert_eq!(runs(&[]).longest, 0);
        assert_eq!(runs(&[Tie; 4]).prefix, 4);
    }

    #[test]
    fn joining_runs_equals_running_over_the_joined_sequence() {
        let seqs: [&[Label]; 6] = [
            &[],
            &[Tie],
            &[Tie, Tie],
            &[ABetter, Tie, Tie],
            &[Tie, Tie, ABetter, ABetter],
            &[BBetter, Tie],
        ];
        for a in seqs {
            for b in seqs {
                let joined: Vec<Label> = a.iter().chain(b.iter()).copied().collect();
                assert_eq!(runs(a).then(&runs(b)), runs(&joined), "{a:?} + {b:?}");
            }
        }
    }
}
