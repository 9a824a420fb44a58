//! The one JSONL reader of annotations, used by the command line, the
//! collector and the wasm modules ([`crate::Dataset::parse_jsonl`],
//! [`super::parse_annotations_jsonl`], `LiveAgreement.addJsonl`).
//!
//! The input is bytes: each line is decoded on its own, so a line that is
//! not UTF-8 is refused (or skipped) with its number like any other bad
//! line. Each line is parsed into a [`Line`] and checked on its own, into
//! a label or a skip record; then,
//! in file order, the one duplicate guard refuses a second annotation with
//! the same id, and (unless repeats are allowed) the same annotator
//! labelling the same item twice.
//! Natively, for big inputs, two more threads parse and check lines ahead
//! while this one guards and keeps them; the order, the first error and
//! `skip_invalid` work the same.

use super::line::{Checked, CheckedSkip, Line};
use super::{Skip, Skipped};
use crate::dataset::Interner;
use crate::error::{Error, Location, Result};
use crate::json::quoted;
use hashbrown::HashTable;
use std::borrow::{Borrow, Cow};
use std::hash::{BuildHasher, Hash};

/// Inputs at least this long are parsed on two more threads (natively).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Lines per chunk handed from a parsing thread to the checking one.
#[cfg(not(target_arch = "wasm32"))]
const CHUNK_LINES: usize = 2048;

/// The non-blank lines of JSONL bytes (a leading byte order mark is
/// ignored), with their 1-based numbers.
fn raw_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rest = Some(bytes);
    let mut n = 0;
    std::iter::from_fn(move || loop {
        let text = rest?;
        n += 1;
        let line = match memchr::memchr(b'\n', text) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                &text[..end]
            }
            None => {
                rest = None;
                text
            }
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(u8::is_ascii_whitespace) {
            return Some((n, line));
        }
    })
}

/// One line as text, or why it is not.
fn decode(line: &[u8]) -> Result<&str> {
    std::str::from_utf8(line).map_err(|e| Error::NotJson {
        message: format!(
            "not valid UTF-8 text (at byte {} of the line)",
            e.valid_up_to() + 1
        ),
        at: Location::default(),
    })
}

/// The non-blank lines of JSONL bytes: 1-based number and text, or why the
/// line is not text.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, Result<&str>)> {
    raw_lines(bytes).map(|(n, line)| (n, decode(line)))
}

/// One line read: a label or a skip record.
enum Record<'a> {
    Label(Checked<'a>),
    Skip(CheckedSkip<'a>),
}

/// One line parsed and checked on its own (not yet against the lines
/// before it), with its 1-based number.
type Parsed<'a> = (usize, Result<Record<'a>>);

fn parse(n: usize, line: &[u8]) -> Parsed<'_> {
    let parsed = decode(line)
        .and_then(|text| serde_json::from_str::<Line>(text).map_err(|e| crate::json::error(&e, "")))
        .and_then(|line| match line.is_skip() {
            true => line.check_skip().map(Record::Skip),
            false => line.check().map(Record::Label),
        });
    (n, parsed)
}

/// One skip record read: its line, interned item and annotator, and the record.
pub(crate) struct SkipAt {
    pub line: usize,
    pub item: u32,
    pub annotator: u32,
    pub skip: Skip,
}

/// How the reader treats bad lines and repeated labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Record a bad line as skipped and go on, instead of failing.
    pub skip_invalid: bool,
    /// Accept a second label by the same annotator on the same item (a
    /// repeated rating, as in a test-retest check). A second annotation
    /// with the same id is refused all the same.
    pub allow_repeats: bool,
}

impl ReadOptions {
    /// Bad lines skipped or not; repeats refused.
    pub fn skipping(skip_invalid: bool) -> Self {
        ReadOptions {
            skip_invalid,
            allow_repeats: false,
        }
    }
}

/// What [`read`] leaves besides the annotations it handed on.
pub(crate) struct Read {
    /// Item names, interned in order of first appearance.
    pub items: Interner,
    /// Annotator names, likewise.
    pub annotators: Interner,
    /// Lines skipped with `skip_invalid` (empty otherwise), each with why.
    pub skipped: Vec<Skipped>,
    /// Skip records, in file order.
    pub skips: Vec<SkipAt>,
}

/// Reads JSONL annotations, handing each accepted one to `keep` in file
/// order with its line and the interned ids of its item and annotator.
/// `keep` may refuse it, like a bad line. On the first bad line this fails
/// with an error that names the line (and the field), unless `skip_invalid`
/// is set: then the line is recorded in [`Read::skipped`] and reading goes on.
pub(crate) fn read<'a>(
    bytes: &'a [u8],
    options: ReadOptions,
    keep: impl FnMut(usize, Checked<'a>, u32, u32) -> Result<()>,
) -> Result<Read> {
    #[cfg(not(target_arch = "wasm32"))]
    if bytes.len() >= PARALLEL_MIN_BYTES {
        return read_parallel(bytes, options, CHUNK_LINES, keep);
    }
    let parsed = raw_lines(bytes).map(|(n, line)| parse(n, line));
    guard(bytes, parsed, options, keep)
}

/// Two threads parse and check alternate chunks of `chunk` lines while
/// this one guards them in order. (Parsing is most of the work: with one
/// parsing thread, the guarding one would wait.) When this
/// thread stops at an error, the channels close and the others stop too.
#[cfg(not(target_arch = "wasm32"))]
fn read_parallel<'a>(
    bytes: &'a [u8],
    options: ReadOptions,
    chunk: usize,
    keep: impl FnMut(usize, Checked<'a>, u32, u32) -> Result<()>,
) -> Result<Read> {
    use std::sync::mpsc::sync_channel;
    std::thread::scope(|s| {
        let mut receivers = Vec::new();
        for parser in 0..2 {
            let (tx, rx) = sync_channel::<Vec<Parsed>>(2);
            receivers.push(rx);
            s.spawn(move || {
                let mut buf = Vec::with_capacity(chunk);
                for (i, (n, line)) in raw_lines(bytes).enumerate() {
                    if (i / chunk) % 2 != parser {
                        continue;
                    }
                    buf.push(parse(n, line));
                    if buf.len() == chunk {
                        let full = std::mem::replace(&mut buf, Vec::with_capacity(chunk));
                        if tx.send(full).is_err() {
                            return;
                        }
                    }
                }
                let _ = tx.send(buf);
            });
        }
        // Chunk k comes from parser k % 2; the first one missing is the end.
        let chunks = (0..)
            .map_while(|k: usize| receivers[k % 2].recv().ok())
            .flatten();
        guard(bytes, chunks, options, keep)
    })
}

/// Takes each checked line in order: the duplicate guard refuses a second
/// annotation with the same id, and (unless `allow_repeats`) an annotator
/// labelling the same item twice, naming the first line.
fn guard<'a>(
    bytes: &'a [u8],
    lines: impl Iterator<Item = Parsed<'a>>,
    options: ReadOptions,
    mut keep: impl FnMut(usize, Checked<'a>, u32, u32) -> Result<()>,
) -> Result<Read> {
    // One line, one annotation at most: reserving up front saves the
    // rehashing of the big maps.
    let capacity = memchr::memchr_iter(b'\n', bytes).count() + 1;
    let mut out = Read {
        items: Interner::default(),
        annotators: Interner::default(),
        skipped: Vec::new(),
        skips: Vec::new(),
    };
    // Ids borrow from the input where they can; pairs are
    // `item << 32 | annotator`.
    let mut ids: FirstLines<Cow<str>> = FirstLines::with_capacity(capacity);
    let mut seen: FirstLines<u64> = FirstLines::with_capacity(capacity);
    let mut accepted = false;
    // Pairs that skipped, kept apart: a skip and a label of one item by
    // one annotator are refused either way round.
    let mut skipped: FirstLines<u64> = FirstLines::with_capacity(0);
    for (n, parsed) in lines {
        let result = parsed.and_then(|record| {
            let a = match record {
                Record::Label(a) => a,
                Record::Skip(s) => return keep_skip(&mut out, &mut ids, &mut skipped, &seen, n, s),
            };
            // The id is recorded only once the whole line is accepted.
            let id = claim(&ids, a.id.clone())?;
            let it = out.items.get(&a.item);
            let an = out.annotators.get(&a.annotator);
            if let (Some(it), Some(an)) = (it, an) {
                let repeat = seen.get(&pair(it, an)).filter(|_| !options.allow_repeats);
                if let Some(first) = repeat {
                    return Err(Error::DuplicateLabel {
                        annotator: a.annotator.into_owned(),
                        item: a.item.into_owned(),
                        first_line: first as usize,
                        at: Location::default(),
                    });
                }
                if let Some(first) = skipped.get(&pair(it, an)) {
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
            let it = it.unwrap_or_else(|| out.items.add(&a.item));
            let an = an.unwrap_or_else(|| out.annotators.add(&a.annotator));
            keep(n, a, it, an)?;
            if !options.allow_repeats {
                seen.insert(pair(it, an), n as u32);
            }
            if let Some(id) = id {
                ids.insert(id, n as u32);
            }
            Ok(())
        });
        match result {
            Ok(()) => accepted = true,
            Err(e) if options.skip_invalid => out.skipped.push(Skipped::new(n, e)),
            Err(e) => return Err(e.at_line(n)),
        }
    }
    if !accepted && out.skipped.is_empty() {
        return Err(Error::Empty {
            what: "the annotation file".into(),
            hint: "expected one JSON annotation per line".into(),
        });
    }
    Ok(out)
}

/// The first line of each key (an id, an item and annotator pair), for the
/// duplicate guard. The hash table holds only 4-byte indices into a list
/// of `(key, line)` kept in insertion order: with a million lines the
/// table that every line probes at random stays a few megabytes, where a
/// map of the keys themselves would spread over tens (the guard is the
/// reader's one sequential step, and its time went to cache misses).
struct FirstLines<K> {
    table: HashTable<u32>,
    entries: Vec<(K, u32)>,
}

impl<K: Hash + Eq> FirstLines<K> {
    fn with_capacity(n: usize) -> Self {
        FirstLines {
            table: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
        }
    }

    fn hash<Q: Hash + ?Sized>(key: &Q) -> u64 {
        foldhash::fast::FixedState::default().hash_one(key)
    }

    /// The line `key` was first recorded on.
    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
    {
        let entries = &self.entries;
        self.table
            .find(Self::hash(key), |&i| entries[i as usize].0.borrow() == key)
            .map(|&i| entries[i as usize].1)
    }

    /// Records `key` (not recorded yet) as first seen on `line`.
    fn insert(&mut self, key: K, line: u32) {
        let i = self.entries.len() as u32;
        let entries = &self.entries;
        self.table
            .insert_unique(Self::hash(&key), i, |&j| Self::hash(&entries[j as usize].0));
        self.entries.push((key, line));
    }
}

/// Refuses an id seen before, naming its first line; a new one is given
/// back, to be recorded once the whole line is accepted.
fn claim<'a>(
    ids: &FirstLines<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
) -> Result<Option<Cow<'a, str>>> {
    match id {
        Some(id) => match ids.get(&*id) {
            Some(first) => Err(Error::DuplicateId {
                id: id.into_owned(),
                first_line: first as usize,
                at: Location {
                    field: Some("id".into()),
                    ..Location::default()
                },
            }),
            None => Ok(Some(id)),
        },
        None => Ok(None),
    }
}

/// Guards and keeps one skip record: refused when its annotator already
/// skipped or labelled its item.
fn keep_skip<'a>(
    out: &mut Read,
    ids: &mut FirstLines<Cow<'a, str>>,
    skipped: &mut FirstLines<u64>,
    seen: &FirstLines<u64>,
    n: usize,
    s: CheckedSkip<'a>,
) -> Result<()> {
    let id = claim(ids, Some(s.id.clone()))?;
    let (it, an) = intern(out, &s.item, &s.annotator);
    let before = skipped.get(&pair(it, an)).map(|l| ("skipped", l));
    let before = before.or_else(|| seen.get(&pair(it, an)).map(|l| ("labelled", l)));
    if let Some((did, first)) = before {
        return Err(twice(&s, did, first));
    }
    skipped.insert(pair(it, an), n as u32);
    out.skips.push(SkipAt {
        line: n,
        item: it,
        annotator: an,
        skip: Skip::from(s),
    });
    if let Some(id) = id {
        ids.insert(id, n as u32);
    }
    Ok(())
}

/// The interned ids of an item and an annotator, added when new.
fn intern(out: &mut Read, item: &str, annotator: &str) -> (u32, u32) {
    (out.items.intern(item), out.annotators.intern(annotator))
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
