//! Tasks as the collector runs them: the stored task, its public forms and
//! the core session that re-checks every annotation. This file is the only
//! place that talks to `prefkit::session`.

use super::jobs::{Answer, Incoming};
use super::store::StoredTask;
use prefkit::report::ReportConfig;
use prefkit::session::{Overview, Session, Skip, SkipVerdict, Status, Task, Verdict};
use prefkit::{Annotation, Error, FromJson, Gold};

/// Whether gold answers leave the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GoldMode {
    /// The task JSON with its gold answers is served to the page.
    Open,
    /// Gold answers never leave the server; it assembles the batches.
    Blind,
}

impl GoldMode {
    pub fn parse(text: &str) -> Option<GoldMode> {
        match text {
            "open" => Some(GoldMode::Open),
            "blind" => Some(GoldMode::Blind),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GoldMode::Open => "open",
            GoldMode::Blind => "blind",
        }
    }
}

/// The read-only facts about a task that request handlers need.
#[derive(Debug)]
pub struct TaskInfo {
    pub id: String,
    pub gold_mode: GoldMode,
    /// The JSON served by `GET /api/tasks/{task}`: the whole task in open
    /// mode, [`Task::public`] (no gold answers, no seed) in blind mode.
    pub public: String,
    /// The gold answers, for the report.
    pub gold: Vec<Gold>,
    /// The report settings the task implies (its gold match, flag
    /// thresholds and `fast_seconds`; repeated ratings read as such when
    /// it shows items again), as its live session uses them.
    pub report: ReportConfig,
}

/// The state that changes as annotations arrive: owned by the writer.
pub struct TaskSession {
    session: Session,
    gold_mode: GoldMode,
}

/// A task checked and loaded once: what is stored, what handlers read, and
/// its session, ready for the writer.
pub struct NewTask {
    pub stored: StoredTask,
    pub info: TaskInfo,
    pub session: TaskSession,
}

/// Parses a stored task and builds its info and a fresh session.
pub fn load(stored: &StoredTask) -> Result<(TaskInfo, TaskSession), Error> {
    let task = Task::from_json(&stored.task)?;
    let gold_mode = GoldMode::parse(&stored.gold_mode)
        .ok_or_else(|| Error::invalid("gold_mode", "expected \"open\" or \"blind\""))?;
    let public = match gold_mode {
        GoldMode::Open => stored.task.clone(),
        GoldMode::Blind => serde_json::to_string(&task.public())
            .map_err(|e| Error::Rejected(format!("cannot write the public task: {e}")))?,
    };
    let info = TaskInfo {
        id: task.task_id.clone(),
        gold_mode,
        public,
        gold: prefkit::session::gold_answers(&task),
        report: prefkit::session::report_config(&task),
    };
    let session = Session::new(task, Some(stored.seed))?;
    Ok((info, TaskSession { session, gold_mode }))
}

/// What the session answered to a label or a skip.
pub enum Given {
    Label(Verdict),
    Skip(SkipVerdict),
}

impl Given {
    /// A resubmission: nothing new to store.
    pub fn duplicate(&self) -> bool {
        match self {
            Given::Label(v) => v.duplicate,
            Given::Skip(v) => v.duplicate,
        }
    }

    /// The verdict as stored and served.
    pub fn json(&self) -> String {
        let text = match self {
            Given::Label(v) => serde_json::to_string(v),
            Given::Skip(v) => serde_json::to_string(v),
        };
        text.unwrap_or_else(|_| "null".to_string())
    }
}

impl TaskSession {
    /// Re-checks one label or skip and returns the session's verdict. In
    /// open mode the page assembled the batch itself, so an item the server
    /// has not handed out is assigned on the spot; in blind mode only items
    /// of a batch the server gave this annotator are accepted.
    ///
    /// In blind mode a verdict says nothing that depends on whether the
    /// item was gold: no gold answer, no gold counts, no flag, status
    /// `accepted`. A flag raised by an answer shows in the annotator's next
    /// batch (`flagged: true`, no items), so the verdict of a gold item and
    /// of a regular one are the same apart from their ids.
    pub fn answer(&mut self, answer: &Answer) -> Result<Given, Error> {
        let blind = self.gold_mode == GoldMode::Blind;
        Ok(match answer {
            Answer::Label(a) => {
                let mut v = if blind {
                    self.session.record(a.clone())?
                } else {
                    self.session.record_assigning(a.clone())?
                };
                if blind {
                    v.gold = None;
                    v.flag = None;
                    v.status = Status::Accepted;
                }
                Given::Label(v)
            }
            Answer::Skip(s) => {
                let mut v = if blind {
                    self.session.skip(s.clone())?
                } else {
                    self.session.skip_assigning(s.clone())?
                };
                if blind {
                    v.flag = None;
                    v.status = Status::Accepted;
                }
                Given::Skip(v)
            }
        })
    }

    /// In blind mode the server decides the A/B order, not the client: a
    /// label whose `swapped` differs from the order the item was handed out
    /// in is put in that order. A canonical record keeps its label (it
    /// names responses A and B, whatever the sides); a record in the order
    /// shown is un-flipped with the server's order. Then the stored record
    /// is written anew. Nothing changes in open mode or for skips.
    pub fn fix_order(&self, inc: &mut Incoming) {
        let Answer::Label(a) = &mut inc.answer else {
            return;
        };
        if self.gold_mode != GoldMode::Blind {
            return;
        }
        let Some(swapped) = self
            .session
            .handed_out(&a.annotator, &a.item, a.id.as_deref())
        else {
            return;
        };
        if swapped == a.swapped {
            return;
        }
        if !inc.canonical {
            // Back to the label as shown, then un-flipped the server's way.
            a.label = a.label.unflip(a.swapped).unflip(swapped);
            for (_, l) in a.dimensions.iter_mut() {
                *l = l.unflip(a.swapped).unflip(swapped);
            }
        }
        a.swapped = swapped;
        inc.record = a.to_json_value().to_string();
    }

    /// The next batch for `annotator` at `now`, as JSON text, and whether
    /// the call changed the session (and so must be stored to replay it).
    pub fn next_batch(&mut self, annotator: &str, now: f64) -> Result<(String, bool), Error> {
        let before = self.session.changes();
        let batch = self.session.next_batch(annotator, now)?;
        let text = serde_json::to_string(&batch)
            .map_err(|e| Error::Rejected(format!("cannot write the batch: {e}")))?;
        Ok((text, self.session.changes() != before))
    }

    /// Where the task's regular items stand at `now`.
    pub fn overview(&self, now: f64) -> Overview {
        self.session.overview(now)
    }
}

/// Parses a stored record of `kind` back into what the session takes.
pub fn stored_answer(kind: super::store::Kind, record: &str) -> Result<Answer, Error> {
    Ok(match kind {
        super::store::Kind::Label => Answer::Label(Annotation::from_json(record)?),
        super::store::Kind::Skip => Answer::Skip(Skip::from_json(record)?),
    })
}

/// The tasks the server knows, for request handlers. Only the writer adds
/// to it, after the task is committed.
#[derive(Default)]
pub struct Registry {
    tasks: std::sync::RwLock<std::collections::HashMap<String, std::sync::Arc<TaskInfo>>>,
}

impl Registry {
    pub fn get(&self, id: &str) -> Option<std::sync::Arc<TaskInfo>> {
        self.tasks.read().ok()?.get(id).cloned()
    }

    pub fn insert(&self, info: TaskInfo) {
        if let Ok(mut map) = self.tasks.write() {
            map.insert(info.id.clone(), std::sync::Arc::new(info));
        }
    }

    /// The id of the one task, when exactly one is loaded.
    pub fn only(&self) -> Option<String> {
        let map = self.tasks.read().ok()?;
        match map.len() {
            1 => map.keys().next().cloned(),
            _ => None,
        }
    }

    /// `(id, gold mode)` of every task, sorted by id.
    pub fn list(&self) -> Vec<(String, GoldMode)> {
        let mut v: Vec<_> = match self.tasks.read() {
            Ok(map) => map.values().map(|t| (t.id.clone(), t.gold_mode)).collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }
}
