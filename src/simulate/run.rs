//! A whole simulated crowd through one local session, in simulated time:
//! what `prefkit simulate` sends to a backend that assembles no batches
//! itself, and what the lab module's `simulateCrowd` returns. The same
//! task, crowd and start give the same records, byte for byte, natively
//! and in WebAssembly.
//!
//! The session is seeded with the crowd's seed. Annotators take turns, a
//! batch each, in crowd order, as a crowd working side by side would; each
//! has a clock of its own, starting at `start` (Unix seconds) and moved on
//! by the seconds of each item, so the crowd works in parallel and no real
//! time passes. A turn: the next batch at the annotator's time; at its
//! start the annotator may walk away (its leases run out `lease_seconds`
//! later); otherwise each item is answered or skipped ([`Worker::act_in`])
//! and submitted to the session, as the page does. An annotator stops when
//! flagged (as the page stops them), when the session refuses an answer,
//! or when nothing is left; one who finds nothing free while items of a
//! walked-away batch may come back waits, on its own clock, for the next
//! of those leases to run out.
//!
//! Records are what a page posts: ids `sim<seed>-<annotator>-<n>`,
//! `client_version` `prefkit-simulate/<version>`, the timestamp the
//! annotator's clock shows (whole seconds), `"simulated": true`.

use super::{Act, CrowdSpec, Worker};
use crate::annotation::line::check_timestamp;
use crate::annotation::Annotation;
use crate::error::{Error, Result};
use crate::map::LiteMap;
use crate::session::{Session, Skip, Status, SubmitRequest, Task};

/// One record, as posted: a label or a skip.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A canonical annotation (its label in task order).
    Label(Annotation),
    /// A skip.
    Skip(Skip),
}

impl Record {
    /// The record as one line of JSON.
    pub fn to_json(&self) -> String {
        let text = match self {
            Record::Label(a) => serde_json::to_string(a),
            Record::Skip(s) => serde_json::to_string(s),
        };
        text.unwrap_or_default()
    }
}

/// What a simulated crowd did.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Every label and skip, in the order made.
    pub records: Vec<Record>,
    /// Batches handed out (walked-away ones included).
    pub batches: u32,
    /// Annotators who walked away from a batch.
    pub walked_away: u32,
    /// Answers the session refused (their annotator stopped there).
    pub refused: u32,
}

impl Simulation {
    /// Every record as JSONL, in the order made.
    pub fn jsonl(&self) -> String {
        self.lines(|_| true)
    }

    /// The labels as JSONL (what `prefkit report` reads).
    pub fn annotations_jsonl(&self) -> String {
        self.lines(|r| matches!(r, Record::Label(_)))
    }

    /// The skips as JSONL.
    pub fn skips_jsonl(&self) -> String {
        self.lines(|r| matches!(r, Record::Skip(_)))
    }

    fn lines(&self, keep: impl Fn(&Record) -> bool) -> String {
        let mut out = String::new();
        for r in self.records.iter().filter(|r| keep(r)) {
            out.push_str(&r.to_json());
            out.push('\n');
        }
        out
    }
}

/// How one annotator's turn ended.
enum Turn {
    /// Answered a batch; more may come.
    Answered,
    /// Nothing free now; waits until its clock reaches a walked-away lease's end.
    Wait,
    /// Finished: nothing left, flagged, refused, or walked away.
    Done,
}

struct Annotator {
    worker: Worker,
    clock: f64,
    made: u32,
}

struct Crowd {
    session: Session,
    seed: u64,
    task_id: String,
    /// When the leases of walked-away batches run out.
    comebacks: Vec<f64>,
    out: Simulation,
}

/// Runs `crowd` through a session over `task`, its clocks starting at
/// `start` (Unix seconds). See the module docs.
///
/// ```
/// use prefkit::session::Task;
/// use prefkit::simulate::{run, CrowdSpec};
/// use prefkit::FromJson;
/// let task = Task::from_json(r#"{"examples": [
///     {"id": "e1", "prompt": "?", "response_a": "a", "response_b": "b"}],
///     "config": {"overlap": 2}}"#)?;
/// let crowd = CrowdSpec::from_json(r#"{"seed": 3, "annotators": [{"count": 3}]}"#)?;
/// let sim = run(&task, &crowd, 1_764_000_000.0)?;
/// assert_eq!(sim.records.len(), 2); // the item's overlap
/// assert_eq!(sim, run(&task, &crowd, 1_764_000_000.0)?);
/// # Ok::<(), prefkit::Error>(())
/// ```
pub fn run(task: &Task, crowd: &CrowdSpec, start: f64) -> Result<Simulation> {
    check_timestamp(start).map_err(|_| {
        Error::invalid(
            "start",
            format!(
                "expected Unix seconds from 0 to 253402300799, got {}",
                crate::fields::num(start)
            ),
        )
    })?;
    let mut state = Crowd {
        session: Session::new(task.clone(), Some(crowd.seed))?,
        seed: crowd.seed,
        task_id: task.task_id.clone(),
        comebacks: Vec::new(),
        out: Simulation {
            records: Vec::new(),
            batches: 0,
            walked_away: 0,
            refused: 0,
        },
    };
    let mut active: Vec<Annotator> = crowd
        .workers()
        .into_iter()
        .map(|worker| Annotator {
            worker,
            clock: start,
            made: 0,
        })
        .collect();
    while !active.is_empty() {
        let mut error = None;
        active.retain_mut(|a| match state.turn(a) {
            Ok(Turn::Done) => false,
            Ok(_) => true,
            Err(e) => {
                error.get_or_insert(e);
                false
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
    }
    Ok(state.out)
}

impl Crowd {
    /// One annotator's turn: one batch, answered or walked away from.
    fn turn(&mut self, a: &mut Annotator) -> Result<Turn> {
        let batch = self.session.next_batch(&a.worker.name, a.clock)?;
        if batch.flagged {
            return Ok(Turn::Done);
        }
        if batch.items.is_empty() {
            let clock = a.clock;
            let next = self
                .comebacks
                .iter()
                .copied()
                .filter(|&t| t > clock)
                .min_by(f64::total_cmp);
            return Ok(match next {
                Some(t) => {
                    a.clock = t;
                    Turn::Wait
                }
                None => Turn::Done,
            });
        }
        self.out.batches += 1;
        if a.worker.abandons() {
            self.out.walked_away += 1;
            self.comebacks.push(batch.lease_until.unwrap_or(a.clock));
            return Ok(Turn::Done);
        }
        for item in &batch.items {
            let act = a.worker.act_in(&self.session, &item.id)?;
            let seconds = match act {
                Act::Answer { seconds, .. } | Act::Skip { seconds } => seconds,
            };
            a.clock += seconds;
            a.made += 1;
            let id = format!("sim{}-{}-{}", self.seed, a.worker.name, a.made);
            let client_version = Some(format!("prefkit-simulate/{}", crate::VERSION));
            let timestamp = Some(libm::floor(a.clock));
            // The record the session keeps, or a refusal.
            let done = match act {
                Act::Answer { choice, seconds } => {
                    let req = SubmitRequest {
                        id,
                        item: item.id.clone(),
                        annotator: a.worker.name.clone(),
                        choice: Some(choice),
                        time_seconds: seconds,
                        dimensions: LiteMap::new(),
                        timestamp,
                        client_version,
                        task_id: Some(self.task_id.clone()),
                        simulated: true,
                        swapped: None,
                    };
                    self.session
                        .submit(req)
                        .map(|v| (Record::Label(v.annotation), v.status))
                }
                Act::Skip { seconds } => {
                    let skip = Skip {
                        id,
                        task_id: Some(self.task_id.clone()),
                        item: item.id.clone(),
                        annotator: a.worker.name.clone(),
                        skip: super::skip_reason(self.session.task()).to_string(),
                        time_seconds: Some(seconds),
                        timestamp,
                        client_version,
                        simulated: true,
                    };
                    self.session
                        .skip(skip)
                        .map(|v| (Record::Skip(v.skip), v.status))
                }
            };
            let Ok((record, status)) = done else {
                return Ok(self.refused());
            };
            self.out.records.push(record);
            if status == Status::Flagged {
                return Ok(Turn::Done);
            }
        }
        Ok(Turn::Answered)
    }

    fn refused(&mut self) -> Turn {
        self.out.refused += 1;
        Turn::Done
    }
}
