//! The live annotation session: what runs in the annotator's browser (and
//! in the collector, and in `prefkit replay`) between two clicks.
//!
//! A [`Session`] holds one [`Task`] and one seeded generator. It hands out
//! batches ([`Session::next_batch`]) with hidden gold at random positions
//! and a random A/B order per pair, takes answers as the page shows them
//! ([`Session::submit`]) or canonical records ([`Session::record`]), un-flips
//! them, checks gold, flags annotators whose gold accuracy falls too low,
//! marks answers that came too fast, takes skips ([`Session::skip`]), and
//! keeps live statistics.
//!
//! ## Leases: an open crowd
//!
//! The session has no clock: every call that depends on time takes `now`
//! (seconds, any fixed origin; the collector and the page use Unix time).
//! Handing out an item leases it to its annotator until `now +
//! config.lease_seconds`. A regular item counts toward `overlap` while it is
//! answered or its lease is live; a lease that runs out unanswered, or a
//! skip, gives the item back to the pool for others (never to the same
//! annotator again). So once every lease is answered or has run out, every
//! regular item that the crowd kept asking for has exactly `overlap`
//! answers, however many batches were abandoned or skipped.
//!
//! An answer that comes after its lease ran out is still taken (a label is
//! never lost): if the item was meanwhile leased to someone else who also
//! answers, it ends with one label more than `overlap`. That needs a worker
//! to keep a page open past `lease_seconds` (30 minutes by default) and
//! then answer, so it is rare; and no regular item ever takes more than
//! `config.max_labels_per_item` answers (default `2 x overlap`): later ones
//! are refused.
//!
//! An annotator holds at most one batch: asking again while any of its
//! leases is live gives back the unanswered items of that batch, in the
//! same order and A/B sides (`resumed: true`), so a reload resumes and a
//! loop of requests under one id holds one batch.
//!
//! [`Session::changes`] counts the calls that changed the session's state:
//! a caller that stores events (the collector) stores a call exactly when
//! it changed something, and replaying the stored calls with their `now`
//! rebuilds the same state.
//!
//! ```
//! use prefkit::session::{Session, SubmitRequest, Task};
//! use prefkit::FromJson;
//! let task = Task::from_json(r#"{"examples": [
//!     {"id": "e1", "prompt": "2+2?", "response_a": "4", "response_b": "5"}],
//!     "config": {"batch_size": 10, "seed": 7}}"#).unwrap();
//! let mut s = Session::new(task, None).unwrap();
//! let batch = s.next_batch("w1", 0.0).unwrap();
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
//! ## Repeats
//!
//! With `config.repeat_fraction` above 0, that share of the regular items
//! an annotator answered is shown to them once more, in a later batch, A/B
//! order drawn again (see `repeat.rs` for the rules): a repeat is no new
//! overlap slot, and the live statistics give each annotator's
//! `self_consistency`.
//!
//! Randomness: one `Pcg32` (PCG-XSH-RR 64/32 from `rand_pcg`: a small,
//! fast generator; shuffling batches needs no cryptographic stream) seeded
//! with the seed given to
//! [`Session::new`], else the task's `config.seed`, else 8 bytes from the
//! system (`getrandom`). Every draw uses 32-bit ranges and every structure
//! on the assembly path is a vector, so a seed gives the same batches
//! natively and in WebAssembly.

mod adopt;
mod batch;
mod gold;
mod lease;
mod pool;
mod public;
mod repeat;
mod request;
mod rubric;
mod skip;
mod speed;
mod stats;
mod submit;
mod task;
mod verdict;

pub use crate::annotation::Skip;
pub use batch::{Batch, BatchItem};
pub use gold::{GoldMatch, GoldTally};
pub use lease::Overview;
pub use public::{PublicConfig, PublicExample, PublicTask};
pub use request::SubmitRequest;
pub use rubric::{Dimension, Rubric};
pub use skip::SkipVerdict;
pub use speed::too_fast;
pub use stats::{gold_answers, report_config, SessionCounts, SessionStats, Skipper};
pub use task::{Example, GoldExample, Task, TaskConfig, MAX_SKIP_REASON};
pub use verdict::{Flag, FlagReason, GoldFeedback, Progress, Status, Verdict};

use crate::error::{Error, Result};
use crate::label::Label;
use crate::map::{ClientMap, FastMap};
use lease::Leases;
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
    /// Handed out in batch `batch` (index into the annotator's batches),
    /// shown swapped or not, leased until `until`.
    Open {
        swapped: bool,
        batch: u32,
        until: f64,
    },
    /// Handed out, and the lease ran out unanswered: the item went back to
    /// the pool. A late answer is still taken.
    Lapsed { swapped: bool, batch: u32 },
    /// Answered: the canonical label and the verdict given.
    Done(Box<(Label, Verdict)>),
    /// Skipped: the verdict given.
    Skipped(Box<SkipVerdict>),
}

impl Slot {
    /// The A/B order and batch of an item handed out (open or lapsed).
    fn handed_out(&self) -> Option<(bool, u32)> {
        match *self {
            Slot::Open { swapped, batch, .. } | Slot::Lapsed { swapped, batch } => {
                Some((swapped, batch))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct BatchState {
    done: u32,
    total: u32,
    /// The items in the order shown.
    items: Vec<u32>,
    /// When its leases run out (infinite for items assigned on demand).
    until: f64,
}

#[derive(Debug, Clone, Default)]
struct Annotator {
    name: String,
    /// Items handed out to or answered by this annotator (lookups only).
    slots: FastMap<u32, Slot>,
    /// Items shown to this annotator a second time (`repeat_fraction`;
    /// see `repeat.rs`), by item.
    repeats: FastMap<u32, Slot>,
    /// Regular items answered and not yet shown again, in answer order
    /// (kept only when the task shows items again).
    repeatable: Vec<u32>,
    /// Regular items answered (first showings).
    answered_regular: u32,
    batches: Vec<BatchState>,
    /// The batch that collects items assigned on demand by `record_assigning`.
    on_demand: Option<u32>,
    gold: GoldTally,
    flagged: bool,
    /// Items skipped.
    skips: u32,
}

impl Annotator {
    /// Counts one gold item seen, right or not, and raises the flag once
    /// the gold accuracy falls under the task's threshold.
    fn gold_seen(&mut self, correct: bool, config: &TaskConfig) {
        self.gold.add(correct);
        if self
            .gold
            .below(config.min_gold_for_flag, config.min_gold_accuracy)
        {
            self.flagged = true;
        }
    }

    /// Counts one more item done (answered or skipped) in batch `b`.
    fn done_in(&mut self, b: u32) -> Progress {
        match self.batches.get_mut(b as usize) {
            Some(state) => {
                state.done += 1;
                Progress {
                    done: state.done,
                    total: state.total,
                }
            }
            None => Progress { done: 1, total: 1 },
        }
    }

    /// `flagged` or `accepted`, with the flag once raised.
    fn standing(&self) -> (Status, Option<Flag>) {
        if !self.flagged {
            return (Status::Accepted, None);
        }
        let flag = Flag {
            reason: FlagReason::LowGoldAccuracy,
            gold_accuracy: self.gold.accuracy().unwrap_or(0.0),
            gold_total: self.gold.total,
            gold_correct: self.gold.correct,
        };
        (Status::Flagged, Some(flag))
    }
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
    /// Live leases, soonest to run out first.
    leases: Leases,
    /// Answers taken per item (indices into `items`; gold and external
    /// items are counted too), repeats included.
    answers: Vec<u32>,
    /// Of those, answers to repeats (not counted toward `overlap`).
    repeated: Vec<u32>,
    /// Calls that changed the state so far.
    changes: u64,
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
        let n_items = items.len();
        Ok(Session {
            live: stats::live_report(&task)?,
            leases: Leases::default(),
            answers: vec![0; n_items],
            repeated: vec![0; n_items],
            changes: 0,
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

    /// The number of calls so far that changed the session's state (a new
    /// batch, a lease run out, an answer, a skip). A call that leaves it
    /// unchanged needs not be stored to replay the session.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Answers plus live leases of a regular item (as of the last call
    /// that took `now`); `None` for a gold item or an unknown id.
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
