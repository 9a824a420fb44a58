//! What request handlers ask of the writer, and what it answers.

use super::error::ApiError;
use super::store::{Kind, StoredTask};
use super::tasks::NewTask;
use prefkit::session::Skip;
use prefkit::Annotation;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

/// A label or a skip.
#[derive(Debug, Clone)]
pub enum Answer {
    Label(Annotation),
    Skip(Skip),
}

impl Answer {
    pub fn kind(&self) -> Kind {
        match self {
            Answer::Label(_) => Kind::Label,
            Answer::Skip(_) => Kind::Skip,
        }
    }
}

/// One label or skip from a request, checked and in canonical form.
pub struct Incoming {
    pub id: String,
    pub task: String,
    pub answer: Answer,
    /// The record said `"label_order": "canonical"` (else its label is as
    /// shown and was un-flipped with its own `swapped`).
    pub canonical: bool,
    /// The canonical record (JSON text): what is stored and compared.
    pub record: String,
}

impl Incoming {
    /// Whether a simulated annotator made it.
    pub fn simulated(&self) -> bool {
        match &self.answer {
            Answer::Label(a) => a.simulated,
            Answer::Skip(k) => k.simulated,
        }
    }

    /// Who sent it.
    pub fn annotator(&self) -> &str {
        match &self.answer {
            Answer::Label(a) => &a.annotator,
            Answer::Skip(k) => &k.annotator,
        }
    }
}

/// What happened to one annotation of a request.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Stored now (`duplicate: false`) or earlier under the same id with
    /// the same content (`duplicate: true`), with its first verdict.
    Stored {
        id: String,
        duplicate: bool,
        verdict: Box<RawValue>,
    },
    /// The session refused it (not stored).
    Refused { id: String, error: String },
}

pub type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// A request to the writer.
pub enum Job {
    Annotate {
        items: Vec<Incoming>,
        reply: Reply<Vec<Outcome>>,
    },
    Batch {
        task: String,
        annotator: String,
        reply: Reply<String>,
    },
    /// `GET /api/tasks/{task}/progress`: the task's overview, as JSON text.
    Progress { task: String, reply: Reply<String> },
    /// Answers `None` when the task is new, the stored task when the same
    /// task was already stored (its seed is compared only if `seed_given`).
    AddTask {
        task: Box<NewTask>,
        seed_given: bool,
        reply: Reply<Option<StoredTask>>,
    },
    /// Catch up with what other processes stored (a shared store only):
    /// sent every [`SYNC_EVERY`] so their annotations reach this process's
    /// event streams and their tasks its task list, and by a request that
    /// names a task this process does not know yet (answered once caught up).
    Sync(Option<Reply<()>>),
}

/// How often a process on a shared store catches up while idle.
pub const SYNC_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// A new label or skip, sent to event-stream subscribers after its commit.
pub struct Live {
    pub seq: i64,
    pub task: String,
    /// A label (an `annotation` event) or a skip (a `skip` event).
    pub kind: Kind,
    /// `{"seq": .., "annotation": {..}, "verdict": {..}}`
    pub data: String,
}

/// Stored JSON text (a record or a verdict the server wrote) as a JSON
/// value to embed; text that is not JSON, which only a damaged database
/// could hold, becomes `null`.
pub fn raw(text: String) -> Box<RawValue> {
    RawValue::from_string(text)
        .unwrap_or_else(|_| RawValue::from_string("null".to_string()).expect("null is JSON"))
}

/// The JSON of one event-stream message.
pub fn live_data(seq: i64, record: &str, verdict: &str) -> String {
    #[derive(serde::Serialize)]
    struct Message<'a> {
        seq: i64,
        annotation: &'a RawValue,
        verdict: &'a RawValue,
    }
    let (record, verdict) = (raw(record.to_string()), raw(verdict.to_string()));
    serde_json::to_string(&Message {
        seq,
        annotation: &record,
        verdict: &verdict,
    })
    .unwrap_or_default()
}
