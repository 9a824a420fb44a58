//! The duplicate guard of the JSONL reader: in file order, it refuses a
//! second annotation with the same id and (unless repeats are allowed) an
//! annotator labelling or skipping the same item twice, naming the first
//! line; it interns names and keeps the accepted lines.

use super::{Read, ReadOptions, Record, SkipAt};
use crate::annotation::line::{Checked, CheckedSkip};
use crate::annotation::{Skip, Skipped};
use crate::dataset::Interner;
use crate::error::{Error, Location, Result};
use crate::json::quoted;
use crate::map::FastMap;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};

/// The guard's state over the lines it has taken.
pub(super) struct Guard {
    options: ReadOptions,
    out: Read,
    ids: FirstIds,
    /// The first line of each pair `item << 32 | annotator` labelled.
    seen: FastMap<u64, u32>,
    /// Likewise of each pair that skipped, kept apart: a skip and a label
    /// of one item by one annotator are refused either way round.
    skipped: FastMap<u64, u32>,
    accepted: bool,
}

impl Guard {
    /// A guard with room for `lines` lines without growing.
    pub(super) fn new(options: ReadOptions, lines: usize) -> Self {
        Guard {
            options,
            out: Read {
                items: Interner::default(),
                annotators: Interner::default(),
                skipped: Vec::new(),
                skips: Vec::new(),
            },
            ids: FirstIds::with_capacity(lines),
            seen: FastMap::with_capacity_and_hasher(lines, Default::default()),
            skipped: FastMap::default(),
            accepted: false,
        }
    }

    /// Room for `lines` more lines without growing the tables (for the
    /// stream reader).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn reserve(&mut self, lines: usize) {
        self.ids.reserve(lines);
        self.seen.reserve(lines);
    }

    /// Takes line `n`, checked on its own (the next line in file order):
    /// guards it and hands it to `keep`, or records it as skipped with
    /// `skip_invalid`. Fails, naming the line, on a bad line without
    /// `skip_invalid`.
    pub(super) fn take<'a>(
        &mut self,
        n: usize,
        parsed: &Result<Record<'a>>,
        keep: &mut impl FnMut(usize, &Checked<'a>, u32, u32) -> Result<()>,
    ) -> Result<()> {
        let result = match parsed {
            Ok(Record::Label(a)) => self.label(n, a, keep),
            Ok(Record::Skip(s)) => self.skip(n, s),
            Err(e) => Err(e.clone()),
        };
        match result {
            Ok(()) => self.accepted = true,
            Err(e) if self.options.skip_invalid => self.out.skipped.push(Skipped::new(n, e)),
            Err(e) => return Err(e.at_line(n)),
        }
        Ok(())
    }

    /// What was read, once every line has been taken; an input without
    /// a line is refused.
    pub(super) fn finish(self) -> Result<Read> {
        if !self.accepted && self.out.skipped.is_empty() {
            return Err(Error::Empty {
                what: "the annotation file".into(),
                hint: "expected one JSON annotation per line".into(),
            });
        }
        Ok(self.out)
    }

    fn label<'a>(
        &mut self,
        n: usize,
        a: &Checked<'a>,
        keep: &mut impl FnMut(usize, &Checked<'a>, u32, u32) -> Result<()>,
    ) -> Result<()> {
        // The id is recorded only once the whole line is accepted.
        let id = claim(&self.ids, a.id.as_deref())?;
        let it = self.out.items.get(&a.item);
        let an = self.out.annotators.get(&a.annotator);
        if let (Some(it), Some(an)) = (it, an) {
            let repeat = self
                .seen
                .get(&pair(it, an))
                .filter(|_| !self.options.allow_repeats);
            if let Some(&first) = repeat {
                return Err(Error::DuplicateLabel {
                    annotator: a.annotator.to_string(),
                    item: a.item.to_string(),
                    first_line: first as usize,
                    at: Location::default(),
                });
            }
            if let Some(&first) = self.skipped.get(&pair(it, an)) {
                return Err(Error::invalid(
                    "label",
                    format!(
                        "annotator {} skipped item {} on line {first}; a skipped item cannot be labelled too",
                        quoted(&a.annotator),
                        quoted(&a.item)
                    ),
                ));
            }
        }
        let it = it.unwrap_or_else(|| self.out.items.add(&a.item));
        let an = an.unwrap_or_else(|| self.out.annotators.add(&a.annotator));
        keep(n, a, it, an)?;
        if !self.options.allow_repeats {
            self.seen.insert(pair(it, an), n as u32);
        }
        if let Some(id) = id {
            self.ids.insert(id, n as u32);
        }
        Ok(())
    }

    /// A skip record: refused when its annotator already skipped or
    /// labelled its item.
    fn skip(&mut self, n: usize, s: &CheckedSkip<'_>) -> Result<()> {
        let id = claim(&self.ids, Some(&s.id))?;
        let (it, an) = (
            self.out.items.intern(&s.item),
            self.out.annotators.intern(&s.annotator),
        );
        let before = self.skipped.get(&pair(it, an)).map(|&l| ("skipped", l));
        let before = before.or_else(|| self.seen.get(&pair(it, an)).map(|&l| ("labelled", l)));
        if let Some((did, first)) = before {
            return Err(twice(s, did, first));
        }
        self.skipped.insert(pair(it, an), n as u32);
        self.out.skips.push(SkipAt {
            line: n,
            item: it,
            annotator: an,
            skip: Skip::from(s),
        });
        if let Some(id) = id {
            self.ids.insert(id, n as u32);
        }
        Ok(())
    }
}

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
struct FirstIds {
    table: HashTable<u32>,
    entries: Vec<(usize, u32, u64)>,
    text: String,
}

impl FirstIds {
    fn with_capacity(n: usize) -> Self {
        FirstIds {
            table: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
            text: String::new(),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn reserve(&mut self, n: usize) {
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
    fn get(&self, id: &str) -> Option<u32> {
        let h = hash(id);
        self.table
            .find(h, |&i| self.entries[i as usize].2 == h && self.id(i) == id)
            .map(|&i| self.entries[i as usize].1)
    }

    /// Records `id` (not recorded yet) as first seen on `line`.
    fn insert(&mut self, id: &str, line: u32) {
        let h = hash(id);
        let i = self.entries.len() as u32;
        self.text.push_str(id);
        self.entries.push((self.text.len(), line, h));
        let entries = &self.entries;
        self.table.insert_unique(h, i, |&j| entries[j as usize].2);
    }
}

/// Refuses an id seen before, naming its first line; a new one is given
/// back, to be recorded once the whole line is accepted.
fn claim<'i>(ids: &FirstIds, id: Option<&'i str>) -> Result<Option<&'i str>> {
    match id.map(|id| (id, ids.get(id))) {
        Some((id, Some(first))) => Err(Error::DuplicateId {
            id: id.to_string(),
            first_line: first as usize,
            at: Location {
                field: Some("id".into()),
                ..Location::default()
            },
        }),
        Some((id, None)) => Ok(Some(id)),
        None => Ok(None),
    }
}

/// A skip of an item the annotator already skipped or labelled.
fn twice(s: &CheckedSkip<'_>, did: &str, first: u32) -> Error {
    Error::invalid(
        "skip",
        format!(
            "annotator {} already {did} item {} on line {first}",
            quoted(&s.annotator),
            quoted(&s.item)
        ),
    )
}

/// The key of an (item, annotator) pair.
fn pair(item: u32, annotator: u32) -> u64 {
    (u64::from(item) << 32) | u64::from(annotator)
}
