//! The live annotation session: what runs in the annotator's browser (and
//! in the collector, and in `prefkit replay`) between two clicks.
//!
//! A [`Session`] holds one [`Task`] and one seeded generator. It hands out
//! batches ([`Session::next_batch`]) with hidden gold at random positions
//! and a random A/B order per pair, takes answers as the page shows them
//! ([`Session::submit`]) or canonical records ([`Session::record`]), un-flips
//! them, checks gold, flags annotators whose gold accuracy falls too low,
//! marks answers that came too fast, and keeps live statistics.
//!
//! ```
//! use prefkit::session::{Session, SubmitRequest, Task};
//! use prefkit::FromJson;
//! let task = Task::from_json(r#"{"examples": [
//!     {"id": "e1", "prompt": "2+2?", "response_a": "4", "response_b": "5"}],
//!     "config": {"batch_size": 10, "seed": 7}}"#).unwrap();
//! let mut s = Session::new(task, None).unwrap();
//! let batch = s.next_batch("w1").unwrap();
//! let item = &batch.items[0];
//! // The annotator prefers "4"; the page reports the side it was shown on.
//! let choice = if item.swapped { "B>" } else { "A>" };
//! let req = SubmitRequest::from_json(&format!(
//!     r#"{{"id": "a1", "item": "e1", "annotator": "w1", "choice": "{choice}", "time_seconds": 8}}"#
//! )).unwrap();
//! let verdict = s.submit(req).unwrap();
//! assert_eq!(verdict.annotation.label, prefkit::Label::ABetter);
//! ```
//!
//! Randomness: one `Pcg32` (PCG-XSH-RR 64/32 from `rand_pcg`: a small,
//! fast generator; shuffling batches needs no cryptographic stream, and
//! the annotator's wasm module stays smaller) seeded with the seed given to
//! [`Session::new`], else the task's `config.seed`, else 8 bytes from the
//! system (`getrandom`). Every draw uses 32-bit ranges and every structure
//! on the assembly path is a vector, so a seed gives the same batches
//! natively and in WebAssembly.

mod batch;
mod gold;
mod pool;
mod public;
mod request;
mod rubric;
mod speed;
mod stats;
mod submit;
mod task;
mod verdict;

pub use batch::{Batch, BatchItem};
pub use gold::{GoldMatch, GoldTally};
pub use public::{PublicConfig, PublicExample, PublicTask};
pub use request::SubmitRequest;
pub use rubric::{Dimension, Rubric};
pub use speed::too_fast;
pub use stats::{gold_answers, report_config, SessionCounts, SessionStats};
pub use task::{Example, GoldExample, Task, TaskConfig};
pub use verdict::{Flag, FlagReason, GoldFeedback, Progress, Status, Verdict};

use crate::error::{Error, Result};
use crate::label::Label;
use crate::map::{ClientMap, FastMap};
use pool::Pool;
use rand::SeedableRng;
use rand_pcg::Pcg32;

/// What an item of the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `task.examples[i]`.
    Regular(u32),
    /// `task.gold[i]`.
    Gold(u32),
    /// Not in the task: came in a batch assembled elsewhere ([`Session::adopt_batch`]).
    External,
}

#[derive(Debug, Clone)]
struct Item {
    id: String,
    kind: Kind,
}

/// One annotator's hold on one item.
#[derive(Debug, Clone)]
enum Slot {
    /// Handed out in batch `batch` (index into the annotator's batches), shown swapped or not.
    Open { swapped: bool, batch: u32 },
    /// Answered: the canonical label and the verdict given.
    Done(Box<(Label, Verdict)>),
}

#[derive(Debug, Clone)]
struct BatchState {
    done: u32,
    total: u32,
}

#[derive(Debug, Clone, Default)]
struct Annotator {
    name: String,
    /// Items handed out to or answered by this annotator (lookups only).
    slots: FastMap<u32, Slot>,
    batches: Vec<BatchState>,
    /// The batch that collects items assigned on demand by `record_assigning`.
    on_demand: Option<u32>,
    gold: GoldTally,
    flagged: bool,
}

/// A live annotation session over one task. See the module docs.
#[derive(Debug, Clone)]
pub struct Session {
    task: Task,
    seed: u64,
    rng: Pcg32,
    items: Vec<Item>,
    /// Item id to index into `items` (lookups only).
    index: FastMap<String, u32>,
    pool: Pool,
    annotators: Vec<Annotator>,
    /// Annotator name to index into `annotators` (lookups only).
    annotator_index: ClientMap<String, u32>,
    /// Annotation id to (annotator, item).
    ids: ClientMap<String, (u32, u32)>,
    /// The report's live state, fed every accepted answer.
    live: crate::report::LiveReport,
}

impl Session {
    /// A session over `task`, seeded with `seed`, else `task.config.seed`,
    /// else entropy from the system.
    pub fn new(task: Task, seed: Option<u64>) -> Result<Session> {
        let seed = match seed.or(task.config.seed) {
            Some(s) => s,
            None => {
                let mut bytes = [0u8; 8];
                getrandom::fill(&mut bytes).map_err(|e| {
                    Error::Rejected(format!(
                        "no seed given and the system has no entropy source ({e}); pass a seed"
                    ))
                })?;
                u64::from_le_bytes(bytes)
            }
        };
        let regular = task.examples.iter().enumerate().map(|(i, e)| Item {
            id: e.id.clone(),
            kind: Kind::Regular(i as u32),
        });
        let gold = task.gold.iter().enumerate().map(|(i, g)| Item {
            id: g.id.clone(),
            kind: Kind::Gold(i as u32),
        });
        let items: Vec<Item> = regular.chain(gold).collect();
        let index = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), i as u32))
            .collect();
        Ok(Session {
            live: stats::live_report(&task)?,
            pool: Pool::new(task.examples.len() as u32, task.config.overlap),
            task,
            seed,
            rng: Pcg32::seed_from_u64(seed),
            items,
            index,
            annotators: Vec::new(),
            annotator_index: ClientMap::default(),
            ids: ClientMap::default(),
        })
    }

    /// The task.
    pub fn task(&self) -> &Task {
        &self.task
    }

    /// The seed in use (keep it to reproduce the session's batches).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// What the page may see of the task: see [`Task::public`].
    pub fn public_task(&self) -> PublicTask {
        self.task.public()
    }

    /// Whether `annotator` is flagged for low gold accuracy.
    pub fn is_flagged(&self, annotator: &str) -> bool {
        self.annotator_index
            .get(annotator)
            .and_then(|&a| self.annotators.get(a as usize))
            .is_some_and(|a| a.flagged)
    }

    /// Times a regular item was handed out (or assigned by a replay).
    pub fn times_handed_out(&self, item: &str) -> Option<u32> {
        let &i = self.index.get(item)?;
        match self.items.get(i as usize)?.kind {
            Kind::Regular(r) => Some(self.pool.count(r)),
            _ => None,
        }
    }

    /// The index of `name`, adding the annotator if new.
    fn annotator_mut(&mut self, name: &str) -> Result<u32> {
        if name.trim().is_empty() {
            return Err(Error::invalid("annotator", "must not be empty"));
        }
        if let Some(&a) = self.annotator_index.get(name) {
            return Ok(a);
        }
        let a = self.annotators.len() as u32;
        self.annotators.push(Annotator {
            name: name.to_string(),
            ..Annotator::default()
        });
        self.annotator_index.insert(name.to_string(), a);
        Ok(a)
    }
}
