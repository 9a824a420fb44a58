//! Reliability kept up to date one annotation at a time.
//!
//! [`Live::add`] is O(1) amortized: it interns the names, stores the row
//! and updates the annotator's [`AnnotatorTally`]. [`Live::snapshot`] adds
//! what depends on everyone (agreement with each item's majority) in one
//! pass over the rows, and equals [`super::compute`] on the same
//! annotations in the same order.

use super::{finish, AnnotatorStats, AnnotatorTally, ReliabilityConfig};
use crate::annotation::{Annotation, Gold};
use crate::dataset::{Dataset, Row};
use crate::error::{Error, Result};
use crate::label::Label;
use crate::map::{FastMap, FastSet};

/// Live reliability state: the annotations so far and every annotator's tally.
#[derive(Debug, Clone, Default)]
pub struct Live {
    data: Dataset,
    seen: FastSet<(u32, u32)>,
    tallies: Vec<AnnotatorTally>,
    /// Gold answers by item name; an item's gold enters `data` when the
    /// item does, so item ids follow the annotations as in a batch read.
    gold: FastMap<String, Label>,
    /// Items (by id) whose gold has been looked up.
    gold_checked: usize,
    /// Whether repeated ratings are taken in (`allow_repeats`).
    allow_repeats: bool,
}

impl Live {
    /// An empty state that scores answers on `gold` items.
    pub fn new(gold: &[Gold]) -> Live {
        Live {
            gold: gold.iter().map(|g| (g.item.clone(), g.label)).collect(),
            ..Live::default()
        }
    }

    /// The same state taking in repeated ratings (a second label by the
    /// same annotator on the same item) when `allow_repeats` is set.
    pub fn with_repeats(mut self, allow_repeats: bool) -> Live {
        self.allow_repeats = allow_repeats;
        self
    }

    /// Adds one annotation (canonical label). Unless repeats are allowed,
    /// the same annotator labelling the same item twice is refused and
    /// changes nothing.
    pub fn add(&mut self, a: &Annotation) -> Result<()> {
        self.check_new(&a.item, &a.annotator)?;
        self.add_checked(a);
        Ok(())
    }

    /// [`Live::add`] of an annotation whose (item, annotator) pair the
    /// caller has just checked with [`Live::check_new`].
    pub(crate) fn add_checked(&mut self, a: &Annotation) {
        self.data.push(a);
        if let Some(&row) = self.data.rows.last() {
            self.count(row);
        }
    }

    /// Adds one skip of `item` by `annotator` (not a label: see
    /// [`AnnotatorTally::skip`]).
    pub fn add_skip(&mut self, item: &str, annotator: &str) {
        self.data.push_skip(item, annotator);
        self.gold_new_items();
        let Some(&s) = self.data.skips.last() else {
            return;
        };
        let a = s.annotator as usize;
        if self.tallies.len() <= a {
            self.tallies.resize(a + 1, AnnotatorTally::default());
        }
        let gold = self.data.gold.get(s.item as usize).copied().flatten();
        self.tallies[a].skip(gold);
    }

    /// Refuses an (item, annotator) pair already present, unless repeats
    /// are allowed.
    pub fn check_new(&self, item: &str, annotator: &str) -> Result<()> {
        if self.allow_repeats {
            return Ok(());
        }
        if let (Some(i), Some(a)) = (
            self.data.items.get(item),
            self.data.annotators.get(annotator),
        ) {
            if self.seen.contains(&(i, a)) {
                return Err(Error::Rejected(format!(
                    "annotator \"{annotator}\" already labelled item \"{item}\"; \
                     to accept repeated ratings, set allow_repeats"
                )));
            }
        }
        Ok(())
    }

    /// Gives items new to `data` their gold label, if any.
    fn gold_new_items(&mut self) {
        let n = self.data.items.len();
        self.data.gold.resize(n, None);
        for i in self.gold_checked..n {
            let name = self.data.items.name(i as u32);
            self.data.gold[i] = self.gold.get(name).copied();
        }
        self.gold_checked = n;
    }

    fn count(&mut self, row: Row) {
        self.gold_new_items();
        self.seen.insert((row.item, row.annotator));
        let a = row.annotator as usize;
        if self.tallies.len() <= a {
            self.tallies.resize(a + 1, AnnotatorTally::default());
        }
        let gold = self.data.gold.get(row.item as usize).copied().flatten();
        self.tallies[a].add(&row, gold);
    }

    /// Every annotator's figures now, by annotator id (order of first appearance).
    pub fn snapshot(&self, config: &ReliabilityConfig) -> Vec<AnnotatorStats> {
        finish(&self.data, &self.tallies, config)
    }

    /// The annotations so far.
    pub fn dataset(&self) -> &Dataset {
        &self.data
    }

    /// The tallies so far, by annotator id.
    pub fn tallies(&self) -> &[AnnotatorTally] {
        &self.tallies
    }

    /// Adds the annotations of `other` (a disjoint shard, taken to come
    /// after these in input order). Both states must have been made with
    /// the same gold answers; an (item, annotator) pair in both is refused.
    /// On error nothing changes.
    pub fn merge(&mut self, other: &Live) -> Result<()> {
        if self.gold != other.gold {
            return Err(Error::Rejected(
                "cannot merge live states made with different gold answers".into(),
            ));
        }
        let od = &other.data;
        for r in &od.rows {
            self.check_new(od.items.name(r.item), od.annotators.name(r.annotator))?;
        }
        // Annotator ids of `other` mapped to ours, tallies merged whole.
        for (a, t) in other.tallies.iter().enumerate() {
            let ours = self.data.annotators.intern(od.annotators.name(a as u32)) as usize;
            if self.tallies.len() <= ours {
                self.tallies.resize(ours + 1, AnnotatorTally::default());
            }
            self.tallies[ours].merge(t);
        }
        let stamped = !self.data.timestamps.is_empty() || !od.timestamps.is_empty();
        if stamped {
            self.data.timestamps.resize(self.data.rows.len(), f64::NAN);
        }
        for (n, r) in od.rows.iter().enumerate() {
            if stamped {
                let t = od.timestamps.get(n).copied().unwrap_or(f64::NAN);
                self.data.timestamps.push(t);
            }
            let item = self.data.items.intern(od.items.name(r.item));
            let annotator = self.data.annotators.intern(od.annotators.name(r.annotator));
            let row = Row {
                item,
                annotator,
                ..*r
            };
            self.data.rows.push(row);
            self.seen.insert((item, annotator));
        }
        for s in &od.skips {
            let item = self.data.items.intern(od.items.name(s.item));
            let annotator = self.data.annotators.intern(od.annotators.name(s.annotator));
            self.data
                .skips
                .push(crate::dataset::SkipRow { item, annotator });
        }
        self.gold_new_items();
        Ok(())
    }
}
