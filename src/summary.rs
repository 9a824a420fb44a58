//! What a requester's dashboard shows beside the report, computed in the
//! same pass over the data: how many labels each label value got, which
//! items still lack the target overlap (labels per item), and the recorded
//! annotation time that the cost model ([`crate::cost`]) prices.
//!
//! Gold items (those with a gold label in the dataset) are not counted as
//! lacking overlap: they are checks, not data to be collected.

use crate::cost::MeasuredTime;
use crate::dataset::Dataset;
use crate::label::{Label, K};
use serde::{Deserialize, Serialize};

/// Settings of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryConfig {
    /// Labels an item should have (the task's `overlap`).
    pub overlap: u32,
    /// How many of the items lacking overlap to name (fewest labels first).
    pub sample: usize,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            overlap: 3,
            sample: 50,
        }
    }
}

/// An item and its number of labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemCount {
    pub item: String,
    pub labels: u32,
}

/// The dashboard's summary of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Annotations per label value, in the order `A>>, A>, =, B>, B>>`
    /// (canonical labels, after un-flipping).
    pub label_counts: [u64; K],
    /// The target overlap the next two fields are counted against.
    pub overlap: u32,
    /// Non-gold items with at least one label.
    pub items: u64,
    /// Non-gold items with fewer than `overlap` labels.
    pub items_below_overlap: u64,
    /// Labels still needed to bring every item to `overlap`.
    pub labels_needed: u64,
    /// Up to `sample` items below the overlap, fewest labels first, then by name.
    pub below_overlap: Vec<ItemCount>,
    /// Recorded annotation time, the input of the cost model.
    pub time: MeasuredTime,
}

/// The summary of `data` (gold as set with [`Dataset::set_gold`]).
pub fn summarize(data: &Dataset, config: &SummaryConfig) -> Summary {
    let mut label_counts = [0u64; K];
    let mut per_item = vec![0u32; data.items.len()];
    for row in &data.rows {
        label_counts[row.label.index()] += 1;
        if let Some(c) = per_item.get_mut(row.item as usize) {
            *c = c.saturating_add(1);
        }
    }
    let is_gold = |i: usize| matches!(data.gold.get(i), Some(Some(_)));
    let mut items = 0;
    let mut labels_needed = 0;
    let mut below = Vec::new();
    for (i, &n) in per_item.iter().enumerate() {
        if n == 0 || is_gold(i) {
            continue;
        }
        items += 1;
        if n < config.overlap {
            labels_needed += u64::from(config.overlap - n);
            below.push((n, i));
        }
    }
    let items_below_overlap = below.len() as u64;
    let name = |i: usize| data.items.names().get(i).map_or("", String::as_str);
    below.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| name(a.1).cmp(name(b.1))));
    below.truncate(config.sample);
    Summary {
        label_counts,
        overlap: config.overlap,
        items,
        items_below_overlap,
        labels_needed,
        below_overlap: below
            .into_iter()
            .map(|(labels, i)| ItemCount {
                item: name(i).to_string(),
                labels,
            })
            .collect(),
        time: MeasuredTime::from_dataset(data),
    }
}

/// The label names in the order of [`Summary::label_counts`].
pub fn label_order() -> [&'static str; K] {
    [
        Label::AMuchBetter.as_str(),
        Label::ABetter.as_str(),
        Label::Tie.as_str(),
        Label::BBetter.as_str(),
        Label::BMuchBetter.as_str(),
    ]
}
