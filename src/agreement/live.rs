//! Agreement that follows the data one label at a time.
//!
//! [`LiveAgreement`] keeps the integer tallies of `tally.rs` up to date as
//! labels arrive (remove the item's old contribution, add the new one) and
//! one 5x5 confusion table per annotator pair. [`LiveAgreement::snapshot`]
//! runs the same final formulas as [`super::compute`] on the same integers,
//! so it returns the very same report, bit for bit, whatever the order the
//! labels came in. Two states built from disjoint shards merge into the
//! state of their union ([`LiveAgreement::merge`]).
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
use super::{cohen, report, AgreementConfig, AgreementReport, CohenPair};
use crate::dataset::{Dataset, Interner};
use crate::error::{Error, Result};
use crate::label::{Label, K};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Running agreement state. Memory: one entry per label, per item and per
/// annotator pair that shares an item.
#[derive(Debug, Clone, Default)]
pub struct LiveAgreement {
    items: Interner,
    annotators: Interner,
    /// Labels per item id: `(annotator id, label)` in arrival order.
    labels: Vec<Vec<(u32, Label)>>,
    /// Label counts per item id.
    counts: Vec<[u32; K]>,
    tallies: Tallies,
    /// Confusion per annotator pair `(lo, hi)` by id: row = lo's label.
    pairs: HashMap<(u32, u32), [u32; K * K]>,
    total: usize,
}

impl LiveAgreement {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The state of every annotation in `data`, in row order. Fails like
    /// [`LiveAgreement::add`] on a second label by the same annotator.
    pub fn from_dataset(data: &Dataset) -> Result<Self> {
        let mut live = LiveAgreement::new();
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
        self.total
    }

    /// Whether no label was taken in.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Takes in the canonical (un-flipped) `label` that `annotator` gave
    /// `item`. Time `O(1)` amortized plus `O(labels already on the item)`.
    ///
    /// A second label from the same annotator on the same item is refused
    /// with [`Error::Rejected`] and leaves the state unchanged: agreement
    /// counts one judgement per annotator and item, and a correction must
    /// replace the first label upstream, not add to it.
    pub fn add(&mut self, item: &str, annotator: &str, label: Label) -> Result<()> {
        let it = self.items.get(item);
        let an = self.annotators.get(annotator);
        if let (Some(it), Some(an)) = (it, an) {
            let labels = self.labels.get(it as usize).map_or(&[][..], Vec::as_slice);
            if labels.iter().any(|&(a, _)| a == an) {
                return Err(Error::Rejected(format!(
                    "annotator \"{annotator}\" already labelled item \"{item}\"; \
                     only one label per annotator and item counts towards agreement"
                )));
            }
        }
        let it = self.items.intern(item) as usize;
        let an = self.annotators.intern(annotator);
        if self.labels.len() <= it {
            self.labels.resize_with(it + 1, Vec::new);
            self.counts.resize(it + 1, [0; K]);
        }
        for &(b, lb) in &self.labels[it] {
            let (key, cell) = if an < b {
                ((an, b), label.index() * K + lb.index())
            } else {
                ((b, an), lb.index() * K + label.index())
            };
            self.pairs.entry(key).or_insert([0; K * K])[cell] += 1;
        }
        self.labels[it].push((an, label));
        let n = &mut self.counts[it];
        self.tallies.remove_unit(n);
        n[label.index()] += 1;
        self.tallies.add_unit(n);
        self.total += 1;
        Ok(())
    }

    /// Every figure now; equal to [`super::compute`] on the same labels.
    /// Time linear in the number of annotator pairs that share an item.
    pub fn snapshot(&self, config: &AgreementConfig) -> AgreementReport {
        let min_shared = config.min_shared.max(1) as u64;
        let names = self.annotators.names();
        let mut oriented: Vec<(&str, &str, [u32; K * K])> = self
            .pairs
            .iter()
            .filter(|(_, c)| c.iter().map(|&x| x as u64).sum::<u64>() >= min_shared)
            .map(|(&(lo, hi), c)| {
                let (a, b) = (names[lo as usize].as_str(), names[hi as usize].as_str());
                if a < b {
                    (a, b, *c)
                } else {
                    (b, a, transpose(c))
                }
            })
            .collect();
        oriented.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        let cohen: Vec<CohenPair> = oriented
            .iter()
            .map(|(a, b, c)| cohen::pair(a, b, c))
            .collect();
        report(&self.tallies, cohen)
    }

    /// Adds the labels of `other` (a state built from another shard of the
    /// data) so that `self` becomes the state of the union. Items and
    /// annotators are matched by name. The shards must not both hold a label
    /// by the same annotator on the same item; if they do, nothing changes
    /// and the error names the first such label.
    pub fn merge(&mut self, other: &LiveAgreement) -> Result<()> {
        for (it, labels) in other.labels.iter().enumerate() {
            let item = other.items.name(it as u32);
            let Some(mine) = self.items.get(item) else {
                continue;
            };
            for &(b, _) in labels {
                let annotator = other.annotators.name(b);
                if let Some(a) = self.annotators.get(annotator) {
                    let labels = self
                        .labels
                        .get(mine as usize)
                        .map_or(&[][..], Vec::as_slice);
                    if labels.iter().any(|&(x, _)| x == a) {
                        return Err(Error::Rejected(format!(
                            "cannot merge: both shards hold a label by annotator \"{annotator}\" on item \"{item}\""
                        )));
                    }
                }
            }
        }
        for (it, labels) in other.labels.iter().enumerate() {
            let item = other.items.name(it as u32);
            for &(b, label) in labels {
                self.add(item, other.annotators.name(b), label)?;
            }
        }
        Ok(())
    }
}

fn transpose(c: &[u32; K * K]) -> [u32; K * K] {
    let mut t = [0; K * K];
    for i in 0..K {
        for j in 0..K {
            t[j * K + i] = c[i * K + j];
        }
    }
    t
}

/// The stored form of a [`LiveAgreement`]: names and one `[item, annotator,
/// label]` triple per label. Loading replays the labels, so a stored state
/// can never disagree with itself.
#[derive(Serialize, Deserialize)]
struct Stored {
    items: Vec<String>,
    annotators: Vec<String>,
    labels: Vec<(u32, u32, Label)>,
}

impl Serialize for LiveAgreement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut labels = Vec::with_capacity(self.total);
        for (it, ls) in self.labels.iter().enumerate() {
            labels.extend(ls.iter().map(|&(a, l)| (it as u32, a, l)));
        }
        Stored {
            items: self.items.names().to_vec(),
            annotators: self.annotators.names().to_vec(),
            labels,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for LiveAgreement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let stored = Stored::deserialize(d)?;
        let mut live = LiveAgreement::new();
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
        let config = AgreementConfig { min_shared: 1 };
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
