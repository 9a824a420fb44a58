//! Storage behind the collector: a small [`Store`] trait (the one writer)
//! and [`Reader`] trait (any number of readers), implemented on SQLite
//! (one process, one file) and on PostgreSQL (any number of collector
//! processes on one database).
//!
//! Everything that changes a task's session is an event with a global
//! sequence number: an annotation, or a batch handed to an annotator (blind
//! mode). Replaying the events in order through fresh sessions rebuilds the
//! exact state the server had before a restart; replaying only the events
//! above the last one seen brings a process up to date with what other
//! processes on the same database stored.

mod postgres;
mod sqlite;
#[cfg(test)]
mod tests;

pub use self::postgres::{config as postgres_config, PostgresStore};
pub use sqlite::{Durability, SqliteStore};
use std::collections::HashMap;

/// A storage failure. Its text is for the server log only: clients are
/// told "storage unavailable", never the SQL or the file path.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A task as stored: its JSON text and how the collector runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTask {
    pub id: String,
    /// `open` or `blind`.
    pub gold_mode: String,
    pub seed: u64,
    /// The task JSON as uploaded (canonical form).
    pub task: String,
}

impl StoredTask {
    /// A row of `id, gold_mode, seed, task`.
    pub(crate) fn read<R: Column<String> + Column<i64>>(r: &R) -> Result<StoredTask> {
        let seed: i64 = r.column(2)?;
        Ok(StoredTask {
            id: r.column(0)?,
            gold_mode: r.column(1)?,
            seed: seed as u64,
            task: r.column(3)?,
        })
    }
}

/// What a stored record is: a label, or a skip ("I can't judge this").
/// Both share one table and one id space, so an id is a label or a skip,
/// never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Label,
    Skip,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Label => "label",
            Kind::Skip => "skip",
        }
    }

    fn parse(text: &str) -> Kind {
        match text {
            "skip" => Kind::Skip,
            _ => Kind::Label,
        }
    }
}

/// One stored event, in commit order.
#[derive(Debug, Clone)]
pub enum Event {
    /// A label or a skip.
    Annotation {
        task: String,
        kind: Kind,
        record: String,
        verdict: String,
    },
    /// A batch handed out at time `at` (Unix seconds; `None` in databases
    /// written before leases, replayed at time 0).
    Batch {
        task: String,
        annotator: String,
        at: Option<f64>,
        batch: String,
    },
}

/// One row of a store's replay query, which reads annotations and batches
/// as one list in sequence order: `seq, task, record or batch, verdict,
/// annotator, kind, at`, where only a batch has an annotator.
pub(crate) struct EventRow {
    pub seq: i64,
    pub task: String,
    pub text: String,
    pub verdict: Option<String>,
    pub annotator: Option<String>,
    pub kind: Option<String>,
    pub at: Option<f64>,
}

impl EventRow {
    pub fn read<R>(r: &R) -> Result<EventRow>
    where
        R: Column<i64> + Column<String> + Column<Option<String>> + Column<Option<f64>>,
    {
        Ok(EventRow {
            seq: r.column(0)?,
            task: r.column(1)?,
            text: r.column(2)?,
            verdict: r.column(3)?,
            annotator: r.column(4)?,
            kind: r.column(5)?,
            at: r.column(6)?,
        })
    }

    pub fn into_event(self) -> (i64, Event) {
        let event = match self.annotator {
            None => Event::Annotation {
                task: self.task,
                kind: Kind::parse(self.kind.as_deref().unwrap_or("label")),
                record: self.text,
                verdict: self.verdict.unwrap_or_default(),
            },
            Some(annotator) => Event::Batch {
                task: self.task,
                annotator,
                at: self.at,
                batch: self.text,
            },
        };
        (self.seq, event)
    }
}

/// A stored annotation's canonical record and the verdict it was given.
#[derive(Debug, Clone)]
pub struct Stored {
    pub record: String,
    pub verdict: String,
}

/// An annotation to store.
#[derive(Debug, Clone, Copy)]
pub struct NewAnnotation<'a> {
    /// The idempotency key: a second annotation under it is refused.
    pub id: &'a str,
    pub task: &'a str,
    pub kind: Kind,
    pub stored: &'a Stored,
}

/// A batch handed to an annotator, to store.
#[derive(Debug, Clone, Copy)]
pub struct NewBatch<'a> {
    pub task: &'a str,
    pub annotator: &'a str,
    /// When it was handed out (Unix seconds): its lease runs from then.
    pub at: f64,
    /// The batch as handed out (JSON).
    pub batch: &'a str,
}

impl Stored {
    /// A row of `record, verdict`.
    pub(crate) fn read<R: Column<String>>(r: &R) -> Result<Stored> {
        Ok(Stored {
            record: r.column(0)?,
            verdict: r.column(1)?,
        })
    }
}

/// Column `i` of a result row, as a `T`. Both drivers' rows have it, so
/// the stores' rows, laid out alike, are read into tasks, records and
/// events once, here.
pub(crate) trait Column<T> {
    fn column(&self, i: usize) -> Result<T>;
}

/// The writing side. One value of it lives in the writer thread; every
/// change happens between [`Store::begin`] and [`Store::commit`], and
/// reads made in between see the changes not yet committed.
///
/// A shared store ([`Store::shared`]) may be written by other processes
/// too: its [`Store::begin`] waits until no other process is between
/// `begin` and `commit`, so sequence numbers are handed out and committed
/// in order, and the writer catches up with the events above the last it
/// has seen before it applies its own.
pub trait Store: Send {
    /// Every task, in the order stored.
    fn tasks(&mut self) -> Result<Vec<StoredTask>>;
    /// How many tasks are stored (tasks are only ever added).
    fn task_count(&mut self) -> Result<usize>;
    /// Calls `f` with every event whose sequence number is above `after`,
    /// in commit order.
    fn replay(&mut self, after: i64, f: &mut dyn FnMut(i64, Event)) -> Result<()>;
    fn begin(&mut self) -> Result<()>;
    /// The stored annotations among `ids` (those put since [`Store::begin`]
    /// included), by id: one query for a whole request.
    fn find(&mut self, ids: &[&str]) -> Result<HashMap<String, Stored>>;
    fn put_annotation(&mut self, seq: i64, annotation: &NewAnnotation<'_>) -> Result<()>;
    fn put_batch(&mut self, seq: i64, batch: &NewBatch<'_>) -> Result<()>;
    fn put_task(&mut self, task: &StoredTask) -> Result<()>;
    /// Makes everything since [`Store::begin`] durable; returns only after it is.
    fn commit(&mut self) -> Result<()>;
    fn rollback(&mut self);
    /// A way to open independent readers (each with its own connection).
    fn readers(&self) -> Readers;
    /// Whether other processes may write to the same store.
    fn shared(&self) -> bool {
        false
    }
}

/// Opens a [`Reader`]; shared by the request handlers.
pub type Readers = std::sync::Arc<dyn Fn() -> Result<Box<dyn Reader>> + Send + std::marker::Sync>;

/// Which stored records [`Reader::annotations`] reads: those of `kind`
/// (labels and skips alike when `None`) of `task` with a sequence number
/// above `after`.
#[derive(Debug, Clone, Copy)]
pub struct RecordQuery<'a> {
    pub task: &'a str,
    pub kind: Option<Kind>,
    pub after: i64,
}

/// The reading side, for exports, reports and the event stream.
pub trait Reader: Send {
    /// Calls `f(seq, kind, record, verdict)` for each record the query
    /// selects, in order, read in one snapshot.
    fn annotations(&mut self, q: RecordQuery, f: &mut RecordFn) -> Result<()>;
}

/// What [`Reader::annotations`] hands each record to: `(seq, kind,
/// record, verdict)`.
pub type RecordFn<'f> = dyn FnMut(i64, Kind, &str, &str) + 'f;
