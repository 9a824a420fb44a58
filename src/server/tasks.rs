//! Tasks as the collector runs them: the stored task, its public forms and
//! the core session that re-checks every annotation. This file is the only
//! place that talks to `prefkit::session`.

use super::store::StoredTask;
use prefkit::session::{Session, Task, Verdict};
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
}

/// The state that changes as annotations arrive: owned by the writer.
pub struct TaskSession {
    session: Session,
    gold_mode: GoldMode,
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
    let gold = task
        .gold
        .iter()
        .map(|g| Gold {
            item: g.id.clone(),
            label: g.label,
            explanation: g.explanation.clone(),
        })
        .collect();
    let info = TaskInfo {
        id: task.task_id.clone(),
        gold_mode,
        public,
        gold,
    };
    let session = Session::new(task, Some(stored.seed))?;
    Ok((info, TaskSession { session, gold_mode }))
}

impl TaskSession {
    /// Re-checks one annotation and returns the session's verdict. In open
    /// mode the page assembled the batch itself, so an item the server has
    /// not handed out is assigned on the spot; in blind mode only items of
    /// a batch the server gave this annotator are accepted. In blind mode
    /// the verdict never carries the gold answer.
    pub fn record(&mut self, a: &Annotation) -> Result<Verdict, Error> {
        let mut verdict = match self.gold_mode {
            GoldMode::Open => self.session.record_assigning(a.clone())?,
            GoldMode::Blind => self.session.record(a.clone())?,
        };
        if self.gold_mode == GoldMode::Blind {
            verdict.gold = None;
        }
        Ok(verdict)
    }

    /// The next batch for `annotator`, as JSON text.
    pub fn next_batch(&mut self, annotator: &str) -> Result<String, Error> {
        let batch = self.session.next_batch(annotator)?;
        serde_json::to_string(&batch)
            .map_err(|e| Error::Rejected(format!("cannot write the batch: {e}")))
    }
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

    pub fn clear(&self) {
        if let Ok(mut map) = self.tasks.write() {
            map.clear();
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
