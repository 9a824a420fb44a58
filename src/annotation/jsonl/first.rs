//! The duplicate guard's tables: the first line of each annotation id,
//! and of each (item, annotator) pair. Every line probes them, in file
//! order, on the reader's one sequential thread: they are laid out so
//! that a million lines probe a few megabytes, not tens.

use crate::map::FastMap;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};

/// The foldhash of a key, as [`FastMap`] hashes (fixed seed).
fn hash<Q: Hash + ?Sized>(key: &Q) -> u64 {
    foldhash::fast::FixedState::default().hash_one(key)
}

/// The first line of each annotation id, for the duplicate guard: the
/// ids' text is copied into one buffer (the reader may be done with the
/// line, as the stream reader is with each block), and the hash table
/// holds 4-byte indices into a list of `(end of the id in the buffer,
/// line, hash)`. With a million lines the table that every line probes at
/// random stays a few megabytes, where a map of the ids would spread over
/// tens (the guard is the reader's one sequential step, and its time went
/// to cache misses).
pub(super) struct FirstIds {
    table: HashTable<u32>,
    entries: Vec<(usize, u32, u64)>,
    text: String,
}

impl FirstIds {
    pub(super) fn with_capacity(n: usize) -> Self {
        FirstIds {
            table: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
            text: String::new(),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn reserve(&mut self, n: usize) {
        let entries = &self.entries;
        self.table.reserve(n, |&j| entries[j as usize].2);
        self.entries.reserve(n);
    }

    fn id(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.entries[i - 1].0 };
        &self.text[start..self.entries[i].0]
    }

    /// The line `id` was first recorded on.
    pub(super) fn get(&self, id: &str) -> Option<u32> {
        let h = hash(id);
        self.table
            .find(h, |&i| self.entries[i as usize].2 == h && self.id(i) == id)
            .map(|&i| self.entries[i as usize].1)
    }

    /// Records `id` (not recorded yet) as first seen on `line`.
    pub(super) fn insert(&mut self, id: &str, line: u32) {
        let h = hash(id);
        let i = self.entries.len() as u32;
        self.text.push_str(id);
        self.entries.push((self.text.len(), line, h));
        let entries = &self.entries;
        self.table.insert_unique(h, i, |&j| entries[j as usize].2);
    }
}

/// Pairs kept inline per item; an item's later pairs go to a map.
const INLINE: usize = 4;

/// The first line of each (item, annotator) pair, by interned item: an
/// item's first [`INLINE`] pairs are kept in its own slot, the rest in a
/// map. Most items take a few labels, and lines often come grouped by
/// item, so a probe mostly reads one slot that was just read, where a
/// map of every pair (16 bytes a pair, at random) spread over tens of
/// megabytes; an item with many labels costs one map probe a line more,
/// never a scan.
#[derive(Default)]
pub(super) struct FirstPairs {
    by_item: Vec<Slot>,
    more: FastMap<u64, u32>,
}

/// One item's first pairs: how many pairs it has in all, and the first
/// [`INLINE`] annotators with their lines.
#[derive(Default, Clone, Copy)]
struct Slot {
    pairs: u32,
    annotators: [u32; INLINE],
    lines: [u32; INLINE],
}

impl FirstPairs {
    /// The line `annotator` was first recorded on for `item`.
    pub(super) fn get(&self, item: u32, annotator: u32) -> Option<u32> {
        let slot = self.by_item.get(item as usize)?;
        let inline = (slot.pairs as usize).min(INLINE);
        match slot.annotators[..inline]
            .iter()
            .position(|&a| a == annotator)
        {
            Some(k) => Some(slot.lines[k]),
            None if slot.pairs as usize > INLINE => self.more.get(&pair(item, annotator)).copied(),
            None => None,
        }
    }

    /// Records the pair (not recorded yet) as first seen on `line`.
    pub(super) fn insert(&mut self, item: u32, annotator: u32, line: u32) {
        let i = item as usize;
        if self.by_item.len() <= i {
            // Items are interned in order, so this adds one slot at a time
            // (the vector's capacity grows by doubling).
            self.by_item.resize(i + 1, Slot::default());
        }
        let slot = &mut self.by_item[i];
        let k = slot.pairs as usize;
        if k < INLINE {
            slot.annotators[k] = annotator;
            slot.lines[k] = line;
        } else {
            self.more.insert(pair(item, annotator), line);
        }
        slot.pairs += 1;
    }
}

/// The key of an (item, annotator) pair.
pub(super) fn pair(item: u32, annotator: u32) -> u64 {
    (u64::from(item) << 32) | u64::from(annotator)
}
