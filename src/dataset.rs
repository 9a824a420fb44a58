//! A compact, interned view of a set of annotations: the input of every
//! batch computation (agreement, reliability, aggregation).
//!
//! Items and annotators become dense `u32` ids; each annotation becomes a
//! 16-byte [`Row`]. A million annotations take about 16 MB plus the names.

use crate::annotation::{Annotation, Gold, Skipped};
use crate::label::Label;

mod parse;

/// Names to dense ids, in order of first appearance. Each name is stored
/// once: the index holds ids, hashed by their names (a million distinct
/// item names would otherwise be kept twice).
#[derive(Clone, Default)]
pub struct Interner {
    names: Vec<String>,
    index: hashbrown::HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Interner").field(&self.names).finish()
    }
}

fn hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(name)
}

impl Interner {
    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        let names = &self.names;
        let entry = self.index.entry(
            hash(name),
            |&j| names[j as usize] == name,
            |&j| hash(&names[j as usize]),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = names.len() as u32;
                v.insert(i);
                self.names.push(name.to_string());
                i
            }
        }
    }
    /// Adds `name`, known to be new.
    pub(crate) fn add(&mut self, name: &str) -> u32 {
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        let names = &self.names;
        self.index
            .insert_unique(hash(name), i, |&j| hash(&names[j as usize]));
        i
    }
    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index
            .find(hash(name), |&j| self.names[j as usize] == name)
            .copied()
    }
    /// The name of id `i`.
    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
    /// All names, by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One annotation, interned. `label` is canonical (un-flipped).
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Item id in [`Dataset::items`].
    pub item: u32,
    /// Annotator id in [`Dataset::annotators`].
    pub annotator: u32,
    /// Seconds spent, `NaN` when not given.
    pub time_seconds: f32,
    /// Canonical label.
    pub label: Label,
    /// Whether the pair was shown as B/A.
    pub swapped: bool,
}

impl PartialEq for Row {
    /// Field-wise, with two missing times (`NaN`) equal.
    fn eq(&self, o: &Row) -> bool {
        self.item == o.item
            && self.annotator == o.annotator
            && self.label == o.label
            && self.swapped == o.swapped
            && self.time_seconds.to_bits() == o.time_seconds.to_bits()
    }
}

impl Row {
    /// Time spent, if given.
    pub fn time(&self) -> Option<f64> {
        (!self.time_seconds.is_nan()).then_some(self.time_seconds as f64)
    }
}

/// Interned annotations plus gold answers.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Item names.
    pub items: Interner,
    /// Annotator names.
    pub annotators: Interner,
    /// Annotations in input order.
    pub rows: Vec<Row>,
    /// Gold label by item id (`None` for regular items). Same length as `items`.
    pub gold: Vec<Option<Label>>,
    /// Lines skipped while reading (only with `skip_invalid`).
    pub skipped: Vec<Skipped>,
    /// Timestamps by row, when any annotation had one (`NaN` where absent).
    pub timestamps: Vec<f64>,
    /// Skips ("I can't judge this"), in input order: never labels, they
    /// enter no agreement or aggregation; they count in each annotator's
    /// `skips` and, on a gold item, as a gold item seen and not correct.
    pub skips: Vec<SkipRow>,
}

/// One skip, interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkipRow {
    /// Item id in [`Dataset::items`].
    pub item: u32,
    /// Annotator id in [`Dataset::annotators`].
    pub annotator: u32,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one annotation (canonical label). Does not check duplicates.
    pub fn push(&mut self, a: &Annotation) {
        self.push_parts(
            &a.item,
            &a.annotator,
            a.label,
            a.swapped,
            a.time_seconds,
            a.timestamp,
        );
    }

    fn push_parts(
        &mut self,
        item: &str,
        annotator: &str,
        label: Label,
        swapped: bool,
        time: Option<f64>,
        timestamp: Option<f64>,
    ) {
        let item = self.items.intern(item);
        let annotator = self.annotators.intern(annotator);
        self.push_ids(item, annotator, label, swapped, time, timestamp);
    }

    /// Adds one row of interned ids.
    fn push_ids(
        &mut self,
        item: u32,
        annotator: u32,
        label: Label,
        swapped: bool,
        time: Option<f64>,
        timestamp: Option<f64>,
    ) {
        if self.gold.len() < self.items.len() {
            self.gold.resize(self.items.len(), None);
        }
        if timestamp.is_some() && self.timestamps.len() < self.rows.len() {
            self.timestamps.resize(self.rows.len(), f64::NAN);
        }
        if !self.timestamps.is_empty() || timestamp.is_some() {
            self.timestamps.push(timestamp.unwrap_or(f64::NAN));
        }
        self.rows.push(Row {
            item,
            annotator,
            time_seconds: time.map(|t| t as f32).unwrap_or(f32::NAN),
            label,
            swapped,
        });
    }

    /// Adds one skip of `item` by `annotator`. Does not check duplicates.
    pub fn push_skip(&mut self, item: &str, annotator: &str) {
        let item = self.items.intern(item);
        let annotator = self.annotators.intern(annotator);
        if self.gold.len() < self.items.len() {
            self.gold.resize(self.items.len(), None);
        }
        self.skips.push(SkipRow { item, annotator });
    }

    /// Builds a dataset from `(item, annotator, canonical label)` triples,
    /// with no gold: the shortest way to write small examples and tests.
    pub fn from_labels(rows: &[(&str, &str, Label)]) -> Self {
        let mut d = Dataset::new();
        for &(item, annotator, label) in rows {
            d.push_parts(item, annotator, label, false, None, None);
        }
        d
    }

    /// Builds a dataset from annotations and gold answers.
    pub fn from_annotations(annotations: &[Annotation], gold: &[Gold]) -> Self {
        let mut d = Dataset::new();
        for a in annotations {
            d.push(a);
        }
        d.set_gold(gold);
        d
    }

    /// Records gold answers. Gold for items with no annotation is kept too
    /// (the item is interned), so gold counts stay honest.
    pub fn set_gold(&mut self, gold: &[Gold]) {
        for g in gold {
            let i = self.items.intern(&g.item) as usize;
            if self.gold.len() <= i {
                self.gold.resize(i + 1, None);
            }
            self.gold[i] = Some(g.label);
        }
    }

    /// Row indices grouped by item: `(offsets, order)` where the rows of
    /// item `i` are `order[offsets[i]..offsets[i + 1]]`, in input order.
    pub fn rows_by_item(&self) -> (Vec<u32>, Vec<u32>) {
        group(self.items.len(), self.rows.iter().map(|r| r.item))
    }

    /// Row indices grouped by annotator, like [`Dataset::rows_by_item`].
    pub fn rows_by_annotator(&self) -> (Vec<u32>, Vec<u32>) {
        group(self.annotators.len(), self.rows.iter().map(|r| r.annotator))
    }

    /// Label counts per item: `counts[item][label]`.
    pub fn item_counts(&self) -> Vec<[u32; 5]> {
        let mut c = vec![[0u32; 5]; self.items.len()];
        for r in &self.rows {
            c[r.item as usize][r.label.index()] += 1;
        }
        c
    }
}

/// Counting sort of `keys` (each below `n`) into CSR form: `(offsets, order)`.
pub(crate) fn group(n: usize, keys: impl Iterator<Item = u32> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; n + 1];
    for k in keys.clone() {
        offsets[k as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; offsets[n] as usize];
    for (row, k) in keys.enumerate() {
        order[next[k as usize] as usize] = row as u32;
        next[k as usize] += 1;
    }
    (offsets, order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::parse_annotations_jsonl;

    const TEXT: &str = "{\"item\":\"x\",\"annotator\":\"w1\",\"label\":\"A>\",\"swapped\":true,\"time_seconds\":3}\n\n{\"item\":\"x\",\"annotator\":\"w2\",\"label\":\"B>>\"}\n{\"item\":\"y\",\"annotator\":\"w1\",\"label\":\"=\"}\n";

    #[test]
    fn the_fast_reader_agrees_with_the_owned_reader() {
        let d = Dataset::parse_jsonl(TEXT, false).unwrap();
        let owned = parse_annotations_jsonl(TEXT, false).unwrap();
        let d2 = Dataset::from_annotations(&owned.records, &[]);
        assert_eq!(d.rows, d2.rows);
        assert_eq!(d.rows[0].label, Label::BBetter);
        assert_eq!(d.rows[0].time(), Some(3.0));
        assert_eq!(d.rows[1].time(), None);
    }

    #[test]
    fn rows_group_by_item_in_input_order() {
        let d = Dataset::parse_jsonl(TEXT, false).unwrap();
        let (off, order) = d.rows_by_item();
        assert_eq!(off, vec![0, 2, 3]);
        assert_eq!(order, vec![0, 1, 2]);
        assert_eq!(d.item_counts()[0], [0, 0, 0, 1, 1]);
    }

    #[test]
    fn the_fast_reader_gives_the_same_messages() {
        for bad in [
            "{\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>>>\"}",
            "{\"item\":\"x\",\"label\":\"A>\"}",
            "[1,2]",
            "{\"id\":\"a\",\"item\":\"x\",\"annotator\":\"w\",\"label\":\"A>\"}\n{\"id\":\"a\",\"item\":\"y\",\"annotator\":\"w\",\"label\":\"A>\"}",
        ] {
            let a = Dataset::parse_jsonl(bad, false).unwrap_err().to_string();
            let b = parse_annotations_jsonl(bad, false).unwrap_err().to_string();
            assert_eq!(a, b);
        }
    }
}
