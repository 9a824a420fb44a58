//! Agreement that follows the data one label at a time.
//!
//! [`LiveAgreement`] keeps the labels of each item and the integer tallies
//! of `tally.rs` up to date as labels arrive (remove the item's old
//! contribution, add the new one). [`LiveAgreement::snapshot`] runs the same
//! final formulas as [`super::compute`] on the same integers, and the same
//! Cohen pair pass over the labels grouped by item, so it returns the very
//! same report, bit for bit, whatever the order the labels came in. Two
//! states built from disjoint shards merge into the state of their union
//! ([`LiveAgreement::merge`]).
//!
//! The Cohen pairs are counted at snapshot time rather than kept per pair:
//! in a large crowd most annotator pairs share one item or two, and a 5x5
//! table for each would cost far more memory (about 130 MB for a million
//! labels from 2,000 annotators) than the pass costs time.
//!
//! ```
//! use prefkit::agreement::{live::LiveAgreement, AgreementConfig};
//! use prefkit::Label;
//! let mut live = LiveAgreement::new();
//! live.add("x", "w1", Label::ABetter).unwrap();
//! live.add("x", "w2", Label::ABetter).unwrap();
//! assert!(live.add("x", "w2", Label::Tie).is_err()); // one label per annotator and item
//! assert_eq!(live.snapshot(&AgreementConfig::default()).pairwise, Some(1.0));
//! ```

use super::tally::Tallies;
use super::{cohen, report, AgreementConfig, AgreementReport, Headline};
use crate::dataset::{Dataset, Interner};
use crate::error::{Error, Result};
use crate::label::{Label, K};
use crate::map::FastSet;
use serde::{Deserialize, Serialize};

/// Running agreement state. Memory: one entry per label (its row and its
/// `(item, annotator)` key) and per item.
#[derive(Debug, Clone, Default)]
pub struct LiveAgreement {
    items: Interner,
    annotators: Interner,
    /// Every label in arrival order: `(item id, annotator id, label)`.
    rows: Vec<(u32, u32, Label)>,
    /// `(item id, annotator id)` of every row: the one-label check in O(1).
    seen: FastSet<(u32, u32)>,
    /// Label counts per item id.
    counts: Vec<[u32; K]>,
    tallies: Tallies,
    /// Whether a second label by the same annotator on an item is taken in
    /// (`allow_repeats`) rather than refused.
    allow_repeats: bool,
}

impl LiveAgreement {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty state that takes in repeated ratings (a second label by
    /// the same annotator on the same item) when `allow_repeats` is set, as
    /// the report's `allow_repeats` does; [`LiveAgreement::new`] refuses them.
    pub fn with_repeats(allow_repeats: bool) -> Self {
        LiveAgreement {
            allow_repeats,
            ..Self::default()
        }
    }

    /// The state of every annotation in `data`, in row order, taking
    /// repeated ratings in (a dataset holds them only when read with
    /// `allow_repeats`).
    pub fn from_dataset(data: &Dataset) -> Result<Self> {
        let mut live = LiveAgreement::with_repeats(true);
        for r in &data.rows {
            live.add(
                data.items.name(r.item),
                data.annotators.name(r.annotator),
                r.label,
            )?;
        }
        Ok(live)
    }

    /// Number of labels taken in.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no label was taken in.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows grouped by item id, in arrival order within an item:
    /// `(offsets, order)` as [`crate::dataset::group`] gives them.
    fn by_item(&self) -> (Vec<u32>, Vec<u32>) {
        crate::dataset::group(self.items.len(), self.rows.iter().map(|r| r.0))
    }

    /// Takes in the canonical (un-flipped) `label` that `annotator` gave
    /// `item`. Time `O(1)` amortized.
    ///
    /// Unless the state allows repeats ([`LiveAgreement::with_repeats`]), a
    /// second label from the same annotator on the same item is refused
    /// with [`Error::Rejected`] and leaves the state unchanged: a correction
    /// must replace the first label upstream, not add to it. Repeats, when
    /// allowed, count as the batch report counts them ([`super`]).
    pub fn add(&mut self, item: &str, annotator: &str, label: Label) -> Result<()> {
        let known_item = self.items.get(item);
        let known_annotator = self.annotators.get(annotator);
        if let (Some(it), Some(an), false) = (known_item, known_annotator, self.allow_repeats) {
            if self.seen.contains(&(it, an)) {
                return Err(Error::Rejected(format!(
                    "annotator \"{annotator}\" already labelled item \"{item}\"; \
                     only one label per annotator and item counts towards agreement \
                     unless allow_repeats is set"
                )));
            }
        }
        let it = known_item.unwrap_or_else(|| self.items.intern(item));
        let an = known_annotator.unwrap_or_else(|| self.annotators.intern(annotator));
        if self.counts.len() <= it as usize {
            self.counts.resize(it as usize + 1, [0; K]);
        }
        self.rows.push((it, an, label));
        if !self.allow_repeats {
            self.seen.insert((it, an));
        }
        let n = &mut self.counts[it as usize];
        self.tallies.remove_unit(n);
        n[label.index()] += 1;
        self.tallies.add_unit(n);
        Ok(())
    }

    /// Every figure now; equal to [`super::compute`] on the same labels.
    /// Time and memory linear in the labels, like the batch path.
    pub fn snapshot(&self, config: &AgreementConfig) -> AgreementReport {
        let names = self.annotators.names();
        let (by_name, rank) = cohen::name_order(names);
        let (item_off, order) = self.by_item();
        let labels: Vec<(u32, u8)> = order
            .iter()
            .map(|&r| {
                let (_, a, l) = self.rows[r as usize];
                (rank[a as usize], l.index() as u8)
            })
            .collect();
        let (item_off, labels) = cohen::first_ratings(&item_off, labels, names.len());
        let limits = cohen::Limits::of(config, labels.len());
        let cohen = cohen::pairs_from_groups(names, &by_name, &item_off, &labels, &limits);
        report(&self.tallies, cohen)
    }

    /// The headline figure ([`AgreementReport::headline`]) without the
    /// Cohen pass: time independent of the number of labels, for a display
    /// refreshed after every label.
    pub fn headline(&self) -> std::result::Result<Headline, String> {
        report(&self.tallies, Default::default()).headline()
    }

    /// Adds the labels of `other` (a state built from another shard of the
    /// data) so that `self` becomes the state of the union. Items and
    /// annotators are matched by name. Unless `self` allows repeats, the
    /// shards must not both hold a label by the same annotator on the same
    /// item; if they do, nothing changes and the error names the first such
    /// label. With repeats, the labels of `other` come after those of
    /// `self`, which decides whose rating is first for Cohen's kappa.
    ///
    /// The labels of `other` are replayed through [`LiveAgreement::add`]
    /// item by item (time `O(labels of other)`), because an item may hold
    /// labels in both shards: its contribution to the tallies is then not
    /// the sum of its two partial contributions.
    pub fn merge(&mut self, other: &LiveAgreement) -> Result<()> {
        let (_, order) = other.by_item();
        for &r in &order {
            let (it, b, _) = other.rows[r as usize];
            let (item, annotator) = (other.items.name(it), other.annotators.name(b));
            if let (Some(i), Some(a), false) = (
                self.items.get(item),
                self.annotators.get(annotator),
                self.allow_repeats,
            ) {
                if self.seen.contains(&(i, a)) {
                    return Err(Error::Rejected(format!(
                        "cannot merge: both shards hold a label by annotator \"{annotator}\" on item \"{item}\""
                    )));
                }
            }
        }
        for &r in &order {
            let (it, b, label) = other.rows[r as usize];
            self.add(other.items.name(it), other.annotators.name(b), label)?;
        }
        Ok(())
    }
}

/// The stored form of a [`LiveAgreement`]: names and one `[item, annotator,
/// label]` triple per label. Loading replays the labels, so a stored state
/// can never disagree with itself.
#[derive(Serialize, Deserialize)]
struct Stored {
    items: Vec<String>,
    annotators: Vec<String>,
    labels: Vec<(u32, u32, Label)>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    allow_repeats: bool,
}

impl Serialize for LiveAgreement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        // Grouped by item, arrival order within an item.
        let (_, order) = self.by_item();
        let labels: Vec<(u32, u32, Label)> = order.iter().map(|&r| self.rows[r as usize]).collect();
        Stored {
            items: self.items.names().to_vec(),
            annotators: self.annotators.names().to_vec(),
            labels,
            allow_repeats: self.allow_repeats,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for LiveAgreement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let stored = Stored::deserialize(d)?;
        let mut live = LiveAgreement::with_repeats(stored.allow_repeats);
        for name in &stored.items {
            live.items.intern(name);
        }
        for name in &stored.annotators {
            live.annotators.intern(name);
        }
        for (i, &(it, an, label)) in stored.labels.iter().enumerate() {
            let (Some(item), Some(annotator)) = (
                stored.items.get(it as usize),
                stored.annotators.get(an as usize),
            ) else {
                return Err(D::Error::custom(format!(
                    "labels[{i}]: item {it} or annotator {an} is out of range"
                )));
            };
            live.add(item, annotator, label)
                .map_err(|e| D::Error::custom(format!("labels[{i}]: {e}")))?;
        }
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_label_by_the_same_annotator_is_refused_and_changes_nothing() {
        let mut live = LiveAgreement::new();
        live.add("x", "w1", Label::ABetter).unwrap();
        live.add("x", "w2", Label::BBetter).unwrap();
        let before = live.snapshot(&AgreementConfig::default());
        let e = live.add("x", "w1", Label::Tie).unwrap_err();
        assert!(
            e.to_string().contains("\"w1\" already labelled item \"x\""),
            "{e}"
        );
        assert_eq!(live.len(), 2);
        assert_eq!(live.snapshot(&AgreementConfig::default()), before);
    }

    #[test]
    fn the_quick_headline_equals_the_snapshot_headline() {
        let mut live = LiveAgreement::new();
        assert!(live.headline().is_err());
        for (i, a, l) in [
            ("x", "w1", 1),
            ("x", "w2", 1),
            ("y", "w1", 3),
            ("y", "w2", 4),
        ] {
            live.add(i, a, Label::ALL[l]).unwrap();
            let full = live.snapshot(&AgreementConfig::default()).headline();
            assert_eq!(live.headline(), full);
        }
        assert!(live.headline().is_ok());
    }

    #[test]
    fn a_stored_state_loads_back_to_the_same_figures() {
        let mut live = LiveAgreement::new();
        for (i, a, l) in [
            ("x", "w1", 0),
            ("x", "w2", 1),
            ("y", "w2", 4),
            ("y", "w3", 4),
        ] {
            live.add(i, a, Label::ALL[l]).unwrap();
        }
        let json = serde_json::to_string(&live).unwrap();
        let back: LiveAgreement = serde_json::from_str(&json).unwrap();
        let config = AgreementConfig {
            min_shared: 1,
            ci: None,
        };
        assert_eq!(back.snapshot(&config), live.snapshot(&config));
        let bad = r#"{"items":["x"],"annotators":["w"],"labels":[[0,0,"A>"],[0,0,"="]]}"#;
        let e = serde_json::from_str::<LiveAgreement>(bad).unwrap_err();
        assert!(e.to_string().contains("labels[1]"), "{e}");
    }

    #[test]
    fn merging_shards_that_share_a_label_is_refused() {
        let mut a = LiveAgreement::new();
        a.add("x", "w1", Label::Tie).unwrap();
        let mut b = LiveAgreement::new();
        b.add("y", "w2", Label::Tie).unwrap();
        b.add("x", "w1", Label::ABetter).unwrap();
        assert!(a.merge(&b).is_err());
        assert_eq!(a.len(), 1);
    }
}
