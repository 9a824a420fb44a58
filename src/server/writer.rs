//! The single writer: one thread owns the store and every task's session.
//! It takes all requests waiting in its queue, applies them in one
//! transaction, commits once, and only then answers each request (group
//! commit). One fsync (or one WAL append) is shared by every request in
//! the group, which is what makes thousands of single posts a second cheap.

use super::error::ApiError;
pub use super::jobs::{live_data, Incoming, Job, Live, Outcome, Reply};
use super::store::{Event, Store, StoreError, Stored, StoredTask};
use super::tasks::{self, Registry, TaskSession};
use prefkit::{Annotation, FromJson};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};

/// Most requests applied in one transaction.
const MAX_GROUP: usize = 2048;

/// A verdict as stored and served.
fn verdict_json(v: &prefkit::session::Verdict) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// What a restore found, for the start-up message.
#[derive(Debug, Default)]
pub struct Restored {
    pub tasks: usize,
    pub annotations: usize,
    pub batches: usize,
    /// Events whose replayed result differs from the stored one.
    pub mismatches: usize,
}

pub struct Writer {
    store: Box<dyn Store>,
    sessions: HashMap<String, TaskSession>,
    registry: Arc<Registry>,
    live: broadcast::Sender<Arc<Live>>,
    seq: i64,
}

enum Pending {
    Annotate(Reply<Vec<Outcome>>, Result<Vec<Outcome>, ApiError>),
    Batch(Reply<String>, Result<String, ApiError>),
    AddTask(
        Reply<Option<StoredTask>>,
        Result<Option<StoredTask>, ApiError>,
        Option<StoredTask>,
    ),
}

impl Writer {
    pub fn new(
        store: Box<dyn Store>,
        registry: Arc<Registry>,
        live: broadcast::Sender<Arc<Live>>,
    ) -> Writer {
        Writer {
            store,
            sessions: HashMap::new(),
            registry,
            live,
            seq: 0,
        }
    }

    /// Rebuilds every task's session by replaying the stored events.
    pub fn restore(&mut self) -> Result<Restored, StoreError> {
        self.sessions.clear();
        self.registry.clear();
        let mut restored = Restored::default();
        for stored in self.store.tasks()? {
            let (info, session) = tasks::load(&stored).map_err(|e| {
                StoreError(format!(
                    "stored task \"{}\" no longer loads: {e}",
                    stored.id
                ))
            })?;
            self.sessions.insert(info.id.clone(), session);
            self.registry.insert(info);
            restored.tasks += 1;
        }
        let sessions = &mut self.sessions;
        self.store.replay(&mut |event| match event {
            Event::Annotation {
                task,
                record,
                verdict,
                ..
            } => {
                restored.annotations += 1;
                let again = Annotation::from_json(&record)
                    .ok()
                    .zip(sessions.get_mut(&task))
                    .and_then(|(a, s)| s.record(&a).ok())
                    .map(|v| verdict_json(&v));
                if again.as_deref() != Some(verdict.as_str()) {
                    restored.mismatches += 1;
                }
            }
            Event::Batch {
                task,
                annotator,
                batch,
                ..
            } => {
                restored.batches += 1;
                let again = sessions
                    .get_mut(&task)
                    .and_then(|s| s.next_batch(&annotator).ok());
                if again.as_deref() != Some(batch.as_str()) {
                    restored.mismatches += 1;
                }
            }
        })?;
        self.seq = self.store.last_seq()?;
        Ok(restored)
    }

    /// Applies one job in its own transaction (used at start-up).
    pub fn apply_now(&mut self, job: Job) {
        self.group(vec![job]);
    }

    /// Serves jobs until every sender is gone.
    pub fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(first) = jobs.blocking_recv() {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match jobs.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            self.group(group);
        }
    }

    fn group(&mut self, jobs: Vec<Job>) {
        let mut live = Vec::new();
        let mut pending = Vec::with_capacity(jobs.len());
        let mut failure = self.store.begin().err();
        for job in jobs {
            if failure.is_some() {
                pending.push(Pending::failed(job));
                continue;
            }
            let (p, e) = self.apply(job, &mut live);
            pending.push(p);
            failure = e;
        }
        let committed = match failure {
            None => self.store.commit(),
            Some(e) => Err(e),
        };
        match committed {
            Ok(()) => {
                for p in pending {
                    p.send(&self.registry);
                }
                for l in live {
                    // No subscriber is not an error.
                    let _ = self.live.send(Arc::new(l));
                }
            }
            Err(e) => {
                eprintln!("prefkit serve: storage error, group rolled back: {e}");
                self.store.rollback();
                if let Err(e) = self.restore() {
                    eprintln!("prefkit serve: could not restore sessions: {e}");
                }
                for p in pending {
                    p.fail(ApiError::unavailable());
                }
            }
        }
    }

    /// Applies one job inside the open transaction. A storage error comes
    /// back with the job's reply so it can be told.
    fn apply(&mut self, job: Job, live: &mut Vec<Live>) -> (Pending, Option<StoreError>) {
        match job {
            Job::Annotate { items, reply } => match self.annotate(items, live) {
                Ok(r) => (Pending::Annotate(reply, r), None),
                Err(e) => (
                    Pending::Annotate(reply, Err(ApiError::unavailable())),
                    Some(e),
                ),
            },
            Job::Batch {
                task,
                annotator,
                reply,
            } => match self.batch(&task, &annotator) {
                Ok(r) => (Pending::Batch(reply, r), None),
                Err(e) => (Pending::Batch(reply, Err(ApiError::unavailable())), Some(e)),
            },
            Job::AddTask {
                task,
                seed_given,
                reply,
            } => match self.add_task(&task, seed_given) {
                Ok(r) => {
                    let info = matches!(r, Ok(None)).then_some(task);
                    (Pending::AddTask(reply, r, info), None)
                }
                Err(e) => (
                    Pending::AddTask(reply, Err(ApiError::unavailable()), None),
                    Some(e),
                ),
            },
        }
    }

    fn annotate(
        &mut self,
        items: Vec<Incoming>,
        live: &mut Vec<Live>,
    ) -> Result<Result<Vec<Outcome>, ApiError>, StoreError> {
        enum Plan {
            New,
            Stored(String),
            Repeat(usize),
        }
        let many = items.len() > 1;
        let at = |i: usize| {
            if many {
                format!("annotations[{i}]: ")
            } else {
                String::new()
            }
        };
        // First pass, changing nothing: every id is new, or a retry of the
        // same content. A conflict refuses the whole request.
        let mut plan = Vec::with_capacity(items.len());
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, inc) in items.iter().enumerate() {
            if !self.sessions.contains_key(&inc.task) {
                return Ok(Err(ApiError::unknown_task(&inc.task)));
            }
            if let Some(&j) = first.get(inc.id.as_str()) {
                if items[j].record != inc.record {
                    return Ok(Err(ApiError::conflict(format!(
                        "{}id \"{}\" appears twice in this request with different content",
                        at(i),
                        inc.id
                    ))));
                }
                plan.push(Plan::Repeat(j));
                continue;
            }
            first.insert(&inc.id, i);
            match self.store.find(&inc.id)? {
                None => plan.push(Plan::New),
                Some(s) if s.record == inc.record => plan.push(Plan::Stored(s.verdict)),
                Some(_) => {
                    return Ok(Err(ApiError::conflict(format!(
                        "{}annotation \"{}\" is already stored with different content; \
                         a retry must send the same record, a new annotation needs a new id",
                        at(i),
                        inc.id
                    ))))
                }
            }
        }
        let mut out: Vec<Outcome> = Vec::with_capacity(items.len());
        for (inc, plan) in items.into_iter().zip(plan) {
            let outcome = match plan {
                Plan::Stored(verdict) => Outcome::Stored {
                    id: inc.id,
                    duplicate: true,
                    verdict,
                },
                Plan::Repeat(j) => match &out[j] {
                    Outcome::Stored { id, verdict, .. } => Outcome::Stored {
                        id: id.clone(),
                        duplicate: true,
                        verdict: verdict.clone(),
                    },
                    refused => refused.clone(),
                },
                Plan::New => {
                    let Some(session) = self.sessions.get_mut(&inc.task) else {
                        return Ok(Err(ApiError::unknown_task(&inc.task)));
                    };
                    match session.record(&inc.annotation) {
                        // The same annotator, item and label under a new id
                        // (a page that lost its id): nothing new to store.
                        Ok(verdict) if verdict.duplicate => Outcome::Stored {
                            id: inc.id,
                            duplicate: true,
                            verdict: verdict_json(&verdict),
                        },
                        Ok(verdict) => {
                            self.seq += 1;
                            let stored = Stored {
                                record: inc.record,
                                verdict: verdict_json(&verdict),
                            };
                            self.store
                                .put_annotation(self.seq, &inc.id, &inc.task, &stored)?;
                            // Built even without subscribers: one may
                            // subscribe before this group commits.
                            live.push(Live {
                                seq: self.seq,
                                task: inc.task,
                                data: live_data(self.seq, &stored.record, &stored.verdict),
                            });
                            Outcome::Stored {
                                id: inc.id,
                                duplicate: false,
                                verdict: stored.verdict,
                            }
                        }
                        Err(e) => Outcome::Refused {
                            id: inc.id,
                            error: e.to_string(),
                        },
                    }
                }
            };
            out.push(outcome);
        }
        Ok(Ok(out))
    }

    fn batch(
        &mut self,
        task: &str,
        annotator: &str,
    ) -> Result<Result<String, ApiError>, StoreError> {
        let Some(session) = self.sessions.get_mut(task) else {
            return Ok(Err(ApiError::unknown_task(task)));
        };
        match session.next_batch(annotator) {
            Ok(batch) => {
                self.seq += 1;
                self.store.put_batch(self.seq, task, annotator, &batch)?;
                Ok(Ok(batch))
            }
            Err(e) => Ok(Err(ApiError::invalid(e.to_string()))),
        }
    }

    fn add_task(
        &mut self,
        task: &StoredTask,
        seed_given: bool,
    ) -> Result<Result<Option<StoredTask>, ApiError>, StoreError> {
        if self.sessions.contains_key(&task.id) {
            let same = self.store.tasks()?.into_iter().find(|t| {
                t.id == task.id
                    && t.task == task.task
                    && t.gold_mode == task.gold_mode
                    && (!seed_given || t.seed == task.seed)
            });
            return Ok(if same.is_some() {
                Ok(same)
            } else {
                Err(ApiError::conflict(format!(
                    "task \"{}\" is already stored with different content, gold mode or seed; \
                     a task cannot change once stored: upload it under a new id",
                    task.id
                )))
            });
        }
        let session = match tasks::load(task) {
            Ok((_, session)) => session,
            Err(e) => return Ok(Err(ApiError::invalid(format!("task: {e}")))),
        };
        self.store.put_task(task)?;
        self.sessions.insert(task.id.clone(), session);
        Ok(Ok(None))
    }
}

impl Pending {
    fn failed(job: Job) -> Pending {
        let e = ApiError::unavailable;
        match job {
            Job::Annotate { reply, .. } => Pending::Annotate(reply, Err(e())),
            Job::Batch { reply, .. } => Pending::Batch(reply, Err(e())),
            Job::AddTask { reply, .. } => Pending::AddTask(reply, Err(e()), None),
        }
    }

    /// Answers after a commit; a request whose client went away is fine.
    fn send(self, registry: &Registry) {
        match self {
            Pending::Annotate(reply, r) => drop(reply.send(r)),
            Pending::Batch(reply, r) => drop(reply.send(r)),
            Pending::AddTask(reply, r, added) => {
                if let Some(info) = added.and_then(|t| tasks::load(&t).ok()) {
                    registry.insert(info.0);
                }
                drop(reply.send(r))
            }
        }
    }

    fn fail(self, e: ApiError) {
        match self {
            Pending::Annotate(reply, _) => drop(reply.send(Err(e))),
            Pending::Batch(reply, _) => drop(reply.send(Err(e))),
            Pending::AddTask(reply, _, _) => drop(reply.send(Err(e))),
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
