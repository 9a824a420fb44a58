//! The JSONL reader over a stream (a file), a block at a time: the input
//! is never held whole (the guard keeps its own copy of the ids).

use super::guard::Guard;
use super::Keep;
use super::{most_annotations, take_lines, without_bom, Read, ReadOptions};
use crate::error::{Error, Result};
use std::io::Read as _;

/// Bytes read at a time (a block grows to hold a longer line).
const BLOCK_BYTES: usize = 16 << 20;

/// [`super::read`] over a stream: the same lines, numbers, checks, errors
/// and skips, with the input read in blocks of whole lines. `len`, the
/// input's length in bytes when known (a file's), sizes the guard's tables
/// from the first block's lines per byte (growing them costs a rehash).
pub(crate) fn read_from(
    input: impl std::io::Read,
    len: Option<u64>,
    options: ReadOptions,
    keep: impl for<'c> Keep<'c>,
) -> Result<Read> {
    read_blocks(input, len, options, BLOCK_BYTES, keep)
}

/// [`read_from`] with blocks of `block` bytes (the tests use small ones).
pub(super) fn read_blocks(
    mut input: impl std::io::Read,
    len: Option<u64>,
    options: ReadOptions,
    block: usize,
    mut keep: impl for<'c> Keep<'c>,
) -> Result<Read> {
    let mut guard = Guard::new(options, 0);
    let (mut buf, mut first_line, mut first) = (Vec::new(), 0, true);
    loop {
        // Fill the block, then cut it after its last newline; the rest
        // starts the next one. A line longer than a block grows it.
        let wanted = buf.len().max(block) as u64;
        let got = (&mut input)
            .take(wanted)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Rejected(format!("reading the annotations: {e}")))?;
        let end = got == 0;
        let cut = match memchr::memrchr(b'\n', &buf) {
            _ if end => buf.len(),
            Some(i) => i + 1,
            None => continue,
        };
        let bytes = &buf[..cut];
        if let (true, Some(len)) = (first && !end, len) {
            // As many annotations a byte as the first block holds, over the
            // whole length.
            let most = most_annotations(bytes) as u64;
            let estimate = most.saturating_mul(len) / (cut as u64).max(1);
            guard.reserve(usize::try_from(estimate).unwrap_or(0));
        }
        let bytes = if first { without_bom(bytes) } else { bytes };
        take_lines(&mut guard, bytes, first_line, &mut keep)?;
        first_line += memchr::memchr_iter(b'\n', bytes).count();
        first = false;
        buf.drain(..cut);
        if end {
            return guard.finish();
        }
    }
}
