//! [`Dataset::parse_jsonl`]: JSONL annotations straight into a dataset.

use super::Dataset;
use crate::annotation::jsonl::{self, Kept};
use crate::annotation::ReadOptions;
use crate::error::Result;

impl Dataset {
    /// Reads JSONL annotations (text or bytes) straight into a dataset,
    /// with the one reader and its checks and messages
    /// (`annotation::jsonl`); skip records go to [`Dataset::skips`].
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
        d.rows.reserve(jsonl::most_annotations(bytes));
        let read = jsonl::read(bytes, options, |_, kept| d.keep(kept))?;
        Ok(d.with_read(read))
    }

    /// [`Dataset::parse_jsonl_with`] over a stream (a file), read a block
    /// of whole lines at a time: the input is never held whole, so a file
    /// costs memory for what is kept of it, not for its text. `len` is the
    /// input's length in bytes when known (a file's): it sizes the tables.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_jsonl(
        input: impl std::io::Read,
        len: Option<u64>,
        options: ReadOptions,
    ) -> Result<Dataset> {
        let mut d = Dataset::new();
        let read = jsonl::read_from(input, len, options, |_, kept| d.keep(kept))?;
        Ok(d.with_read(read))
    }

    /// Keeps one accepted label as a row, or a skip record as a skip.
    fn keep(&mut self, kept: Kept<'_, '_>) -> Result<()> {
        match kept {
            Kept::Label(a, item, annotator) => self.push_ids(
                item,
                annotator,
                a.label,
                a.swapped,
                a.time_seconds,
                a.timestamp,
            ),
            Kept::Skip(_, item, annotator) => self.skips.push(super::SkipRow { item, annotator }),
        }
        Ok(())
    }

    /// The dataset with the names, skipped lines and skips the reader left.
    fn with_read(self, read: jsonl::Read) -> Dataset {
        let mut d = self;
        d.items = read.items;
        d.annotators = read.annotators;
        d.skipped = read.skipped;
        if d.gold.len() < d.items.len() {
            d.gold.resize(d.items.len(), None);
        }
        d
    }

    /// [`Dataset::parse_jsonl_with`] of an array of records written one a line
    /// (as the wasm modules take them): errors and skipped lines say
    /// `annotation #N` (1-based) instead of `line N`.
    pub fn parse_elements(lines: impl AsRef<[u8]>, options: ReadOptions) -> Result<Dataset> {
        let mut d = Dataset::parse_jsonl_with(lines, options).map_err(|e| e.in_array())?;
        d.skipped = d.skipped.into_iter().map(|s| s.in_array()).collect();
        Ok(d)
    }
}
