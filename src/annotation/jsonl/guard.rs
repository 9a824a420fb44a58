//! The duplicate guard of the JSONL reader: in file order, it refuses a
//! second annotation with the same id and (unless repeats are allowed) an
//! annotator labelling or skipping the same item twice, naming the first
//! line; it interns names and keeps the accepted lines.

use super::first::{pair, FirstIds, FirstPairs};
use super::{Keep, Kept, Read, ReadOptions, Record};
use crate::annotation::line::{Checked, CheckedSkip};
use crate::annotation::Skipped;
use crate::dataset::Interner;
use crate::error::{Error, Location, Result};
use crate::json::quoted;
use crate::map::FastMap;

/// The guard's state over the lines it has taken.
pub(super) struct Guard {
    options: ReadOptions,
    out: Read,
    ids: FirstIds,
    /// The first line of each (item, annotator) pair labelled.
    seen: FirstPairs,
    /// Likewise of each pair `item << 32 | annotator` that skipped, kept
    /// apart: a skip and a label of one item by one annotator are refused
    /// either way round. (Skips are few: a map, not a slot an item.)
    skipped: FastMap<u64, u32>,
    /// The item and annotator of the last label taken: lines often come
    /// grouped by item or by annotator, and a name equal to the last one
    /// needs no lookup.
    last: (Option<u32>, Option<u32>),
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
            },
            ids: FirstIds::with_capacity(lines),
            seen: FirstPairs::default(),
            skipped: FastMap::default(),
            last: (None, None),
            accepted: false,
        }
    }

    /// Room for `lines` more lines without growing the tables (for the
    /// stream reader).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn reserve(&mut self, lines: usize) {
        self.ids.reserve(lines);
    }

    /// Takes line `n`, checked on its own (the next line in file order):
    /// guards it and hands it to `keep`, or records it as skipped with
    /// `skip_invalid`. Fails, naming the line, on a bad line without
    /// `skip_invalid`.
    pub(super) fn take<'a>(
        &mut self,
        n: usize,
        parsed: &Result<Record<'a>>,
        keep: &mut impl Keep<'a>,
    ) -> Result<()> {
        let result = match parsed {
            Ok(Record::Label(a)) => self.label(n, a, keep),
            Ok(Record::Skip(s)) => self.skip(n, s, keep),
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

    fn label<'a>(&mut self, n: usize, a: &Checked<'a>, keep: &mut impl Keep<'a>) -> Result<()> {
        // The id is recorded only once the whole line is accepted.
        let id = claim(&self.ids, a.id.as_deref())?;
        let it = recent(&self.out.items, self.last.0, &a.item);
        let an = recent(&self.out.annotators, self.last.1, &a.annotator);
        if let (Some(it), Some(an)) = (it, an) {
            let repeat = self
                .seen
                .get(it, an)
                .filter(|_| !self.options.allow_repeats);
            if let Some(first) = repeat {
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
        self.last = (Some(it), Some(an));
        keep(n, Kept::Label(a, it, an))?;
        if !self.options.allow_repeats {
            self.seen.insert(it, an, n as u32);
        }
        if let Some(id) = id {
            self.ids.insert(id, n as u32);
        }
        Ok(())
    }

    /// A skip record: refused when its annotator already skipped or
    /// labelled its item.
    fn skip<'a>(&mut self, n: usize, s: &CheckedSkip<'a>, keep: &mut impl Keep<'a>) -> Result<()> {
        let id = claim(&self.ids, Some(&s.id))?;
        let (it, an) = (
            self.out.items.intern(&s.item),
            self.out.annotators.intern(&s.annotator),
        );
        let before = self.skipped.get(&pair(it, an)).map(|&l| ("skipped", l));
        let before = before.or_else(|| self.seen.get(it, an).map(|l| ("labelled", l)));
        if let Some((did, first)) = before {
            return Err(twice(s, did, first));
        }
        keep(n, Kept::Skip(s, it, an))?;
        self.skipped.insert(pair(it, an), n as u32);
        if let Some(id) = id {
            self.ids.insert(id, n as u32);
        }
        Ok(())
    }
}

/// The interned id of `name`, trying the `last` one first.
fn recent(names: &Interner, last: Option<u32>, name: &str) -> Option<u32> {
    match last {
        Some(i) if names.name(i) == name => Some(i),
        _ => names.get(name),
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
