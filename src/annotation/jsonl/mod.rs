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
//! `skip_invalid` work the same. Natively too, `read_from` reads a stream
//! (a file) a block of whole lines at a time, so the text is never held
//! whole (`stream.rs`); the guard is in `guard.rs`.

mod first;
mod guard;
#[cfg(not(target_arch = "wasm32"))]
mod stream;

use super::line::{Checked, CheckedSkip, Line};
use super::Skipped;
use crate::dataset::Interner;
use crate::error::{Error, Location, Result};
use guard::Guard;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use stream::read_from;

/// Inputs at least this long are parsed on two more threads (natively).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Lines per chunk handed from a parsing thread to the checking one.
#[cfg(not(target_arch = "wasm32"))]
const CHUNK_LINES: usize = 2048;

/// The non-blank lines of JSONL bytes (a leading byte order mark is
/// ignored), with their 1-based numbers.
fn raw_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    numbered_lines(without_bom(bytes))
}

/// The bytes after a leading byte order mark, if there is one.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The non-blank lines of JSONL bytes, with their 1-based numbers.
fn numbered_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
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

/// What the reader hands each accepted line to, in file order, with its
/// 1-based number (see [`Kept`]); it may refuse one, like a bad line.
pub(crate) trait Keep<'a>: FnMut(usize, Kept<'_, 'a>) -> Result<()> {}

impl<'a, F: FnMut(usize, Kept<'_, 'a>) -> Result<()>> Keep<'a> for F {}

/// One line accepted, as the reader hands it to `keep` in file order: a
/// label or a skip record, with the interned ids of its item and
/// annotator.
pub(crate) enum Kept<'r, 'a> {
    Label(&'r Checked<'a>, u32, u32),
    Skip(&'r CheckedSkip<'a>, u32, u32),
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
}

/// Reads JSONL annotations, handing each accepted label and skip record to
/// `keep` in file order with its line (see [`Kept`]).
/// `keep` may refuse it, like a bad line. On the first bad line this fails
/// with an error that names the line (and the field), unless `skip_invalid`
/// is set: then the line is recorded in [`Read::skipped`] and reading goes on.
pub(crate) fn read<'a>(
    bytes: &'a [u8],
    options: ReadOptions,
    mut keep: impl Keep<'a>,
) -> Result<Read> {
    // One line, one annotation at most: reserving up front saves the
    // rehashing of the big tables.
    let mut guard = Guard::new(options, most_annotations(bytes));
    take_lines(&mut guard, without_bom(bytes), 0, &mut keep)?;
    guard.finish()
}

/// No annotation line is shorter than this (`{"item":"i","annotator":"a",
/// "label":"="}` takes 40 bytes): tables sized from a length never hold
/// more entries than it allows, so blank or short lines cannot make them
/// cost more memory than the text.
const SHORTEST_LINE: usize = 32;

/// At most how many annotations `bytes` can hold: one a line, and one for
/// every [`SHORTEST_LINE`] bytes.
pub(crate) fn most_annotations(bytes: &[u8]) -> usize {
    let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    lines.min(bytes.len() / SHORTEST_LINE + 1)
}

/// Parses and checks the lines of `bytes` (numbered from `first_line` + 1)
/// and hands them to the guard in order; natively, for big inputs, on two
/// more threads.
fn take_lines<'a>(
    guard: &mut Guard,
    bytes: &'a [u8],
    first_line: usize,
    keep: &mut impl Keep<'a>,
) -> Result<()> {
    #[cfg(not(target_arch = "wasm32"))]
    if bytes.len() >= PARALLEL_MIN_BYTES {
        return take_parallel(guard, bytes, first_line, CHUNK_LINES, keep);
    }
    for (n, line) in numbered_lines(bytes) {
        guard.take(first_line + n, &parse(n, line).1, keep)?;
    }
    Ok(())
}

/// Two threads parse and check alternate chunks of `chunk` lines while
/// this one guards them in order. (Parsing is most of the work: with one
/// parsing thread, the guarding one would wait.) When this
/// thread stops at an error, the channels close and the others stop too.
#[cfg(not(target_arch = "wasm32"))]
fn take_parallel<'a>(
    guard: &mut Guard,
    bytes: &'a [u8],
    first_line: usize,
    chunk: usize,
    keep: &mut impl Keep<'a>,
) -> Result<()> {
    use std::sync::mpsc::sync_channel;
    std::thread::scope(|s| {
        let mut receivers = Vec::new();
        for parser in 0..2 {
            let (tx, rx) = sync_channel::<Vec<Parsed>>(2);
            receivers.push(rx);
            s.spawn(move || {
                let mut buf = Vec::with_capacity(chunk);
                for (i, (n, line)) in numbered_lines(bytes).enumerate() {
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
        let chunks = (0..).map_while(|k: usize| receivers[k % 2].recv().ok());
        // Each line is guarded where the parser left it: moving a
        // parsed line (200 bytes) out of its chunk cost more than the
        // guard's table lookups.
        for chunk in chunks {
            for (n, parsed) in &chunk {
                guard.take(first_line + n, parsed, keep)?;
            }
        }
        Ok(())
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
