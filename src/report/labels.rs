//! Final labels by item name, written as one JSON object in input order
//! (order of the items' first annotation), without a string copy per entry.

use crate::label::Label;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::sync::Arc;

/// Labels by item id, with the item names shared between the report's maps.
#[derive(Debug, Clone)]
pub struct LabelMap {
    names: Arc<[String]>,
    labels: Vec<Option<Label>>,
}

impl LabelMap {
    /// `labels[i]` is the label of the item named `names[i]` (`None`: no label).
    pub fn new(names: Arc<[String]>, labels: Vec<Option<Label>>) -> LabelMap {
        LabelMap { names, labels }
    }

    /// `(item, label)` of every labelled item, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Label)> + '_ {
        self.names
            .iter()
            .zip(&self.labels)
            .filter_map(|(n, l)| l.map(|l| (n.as_str(), l)))
    }

    /// The label of `item` (a linear search; use [`LabelMap::iter`] for many).
    pub fn get(&self, item: &str) -> Option<Label> {
        self.iter().find(|(n, _)| *n == item).map(|(_, l)| l)
    }

    /// Number of labelled items.
    pub fn len(&self) -> usize {
        self.labels.iter().filter(|l| l.is_some()).count()
    }

    /// Whether no item has a label.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for LabelMap {
    /// The same labelled items with the same labels, in the same order.
    fn eq(&self, other: &LabelMap) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for LabelMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, label) in self.iter() {
            map.serialize_entry(name, &label)?;
        }
        map.end()
    }
}
