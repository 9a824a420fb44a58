//! [`Dataset::parse_jsonl`]: JSONL annotations straight into a dataset.

use super::Dataset;
use crate::annotation::{jsonl, ReadOptions};
use crate::error::Result;

impl Dataset {
    /// Reads JSONL annotations (text or bytes) straight into a dataset,
    /// with the one reader and its checks and messages
    /// ([`crate::annotation::jsonl`]).
    pub fn parse_jsonl(text: impl AsRef<[u8]>, skip_invalid: bool) -> Result<Dataset> {
        Dataset::parse_jsonl_with(text, ReadOptions::skipping(skip_invalid))
    }

    /// [`Dataset::parse_jsonl`] with every reading option: with
    /// `allow_repeats`, a second label by the same annotator on the same
    /// item is kept as another row (see [`crate::agreement`] for how each
    /// figure counts it).
    pub fn parse_jsonl_with(text: impl AsRef<[u8]>, options: ReadOptions) -> Result<Dataset> {
        let bytes = text.as_ref();
        let mut d = Dataset::new();
        // One line, one row at most.
        d.rows
            .reserve(memchr::memchr_iter(b'\n', bytes).count() + 1);
        let read = jsonl::read(bytes, options, |_, a, item, annotator| {
            d.push_ids(
                item,
                annotator,
                a.label,
                a.swapped,
                a.time_seconds,
                a.timestamp,
            );
            Ok(())
        })?;
        d.items = read.items;
        d.annotators = read.annotators;
        d.skipped = read.skipped;
        if d.gold.len() < d.items.len() {
            d.gold.resize(d.items.len(), None);
        }
        Ok(d)
    }
}
