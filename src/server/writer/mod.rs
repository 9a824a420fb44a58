//! The single writer: one thread owns the store and every task's session.
//! It takes all requests waiting in its queue, applies them in one
//! transaction, commits once, and only then answers each request (group
//! commit). One fsync (or one WAL append) is shared by every request in
//! the group, which is what makes thousands of single posts a second cheap.
//!
//! On a shared store (PostgreSQL, several processes) each group's `begin`
//! takes the database's write lock, and the writer first catches up with
//! the events other processes stored (see `restore.rs`): its sessions are
//! then exactly what one process would hold, so any request may go to any
//! process.

mod annotate;
mod restore;

use super::error::ApiError;
pub use super::jobs::{live_data, raw, Answer, Incoming, Job, Live, Outcome, Reply};
use super::store::{NewBatch, Store, StoreError, StoredTask};
use super::tasks::{NewTask, Registry, TaskInfo, TaskSession};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};

/// Most requests applied in one transaction.
const MAX_GROUP: usize = 2048;

/// The server's clock: Unix time in seconds. Leases run on it; it is
/// stored with each batch, so a restart neither releases nor extends them.
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
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
    /// The sessions may hold changes of a group that was rolled back: they
    /// are rebuilt from the store before the next group.
    stale: bool,
}

/// Why a job did not go through.
enum Failure {
    /// Refused, with nothing changed; the client is told why.
    Refused(ApiError),
    /// Storage failed: the whole group rolls back and every request in it
    /// is answered 503.
    Storage(StoreError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Refused(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Storage(e)
    }
}

/// What applying one job inside the group's transaction gives.
type Applied<T> = Result<T, Failure>;

/// The client's answer and, for a storage failure, the error that rolls
/// the group back.
fn split<T>(applied: Applied<T>) -> (Result<T, ApiError>, Option<StoreError>) {
    match applied {
        Ok(t) => (Ok(t), None),
        Err(Failure::Refused(e)) => (Err(e), None),
        Err(Failure::Storage(e)) => (Err(ApiError::unavailable()), Some(e)),
    }
}

enum Pending {
    Annotate(Reply<Vec<Outcome>>, Result<Vec<Outcome>, ApiError>),
    Batch(Reply<String>, Result<String, ApiError>),
    Progress(Reply<String>, Result<String, ApiError>),
    AddTask(
        Reply<Option<StoredTask>>,
        Result<Option<StoredTask>, ApiError>,
        Option<Box<TaskInfo>>,
    ),
    /// A catch-up, which a request may wait for.
    Synced(Option<Reply<()>>),
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
            stale: false,
        }
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
        // Labels stored by other processes, announced even if this group
        // fails: they are committed.
        let mut theirs = Vec::new();
        let mut live = Vec::new();
        let mut pending = Vec::with_capacity(jobs.len());
        let mut failure = None;
        if self.stale {
            let before = self.seq;
            failure = self.restore_announcing(before, &mut theirs).err();
        }
        if failure.is_none() {
            failure = self.store.begin().err();
        }
        if failure.is_none() && self.store.shared() {
            failure = self.catch_up(&mut theirs).err();
        }
        let mut applied = false;
        for job in jobs {
            if failure.is_some() {
                pending.push(Pending::failed(job));
                continue;
            }
            applied |= !matches!(job, Job::Sync(_) | Job::Progress { .. });
            let (p, e) = self.apply(job, &mut live);
            pending.push(p);
            failure = e;
        }
        let committed = match failure {
            None => self.store.commit(),
            Some(e) => Err(e),
        };
        let ok = committed.is_ok();
        if let Err(e) = committed {
            // An idle catch-up that fails says nothing new while the
            // database is down; a request that fails is logged.
            if pending.iter().any(|p| !matches!(p, Pending::Synced(None))) {
                eprintln!("prefkit serve: storage error, group rolled back: {e}");
            }
            self.store.rollback();
            if applied {
                // Undo in memory what the database undid.
                self.stale = true;
                let before = self.seq;
                if let Err(e) = self.restore_announcing(before, &mut theirs) {
                    eprintln!("prefkit serve: could not restore sessions (will retry): {e}");
                }
            }
        }
        for l in theirs {
            // No subscriber is not an error.
            let _ = self.live.send(Arc::new(l));
        }
        if ok {
            for p in pending {
                p.send(&self.registry);
            }
            for l in live {
                let _ = self.live.send(Arc::new(l));
            }
        } else {
            for p in pending {
                p.fail(ApiError::unavailable());
            }
        }
    }

    /// Applies one job inside the open transaction. A storage error comes
    /// back with the job's reply so it can be told.
    fn apply(&mut self, job: Job, live: &mut Vec<Live>) -> (Pending, Option<StoreError>) {
        match job {
            Job::Annotate { items, reply } => {
                let (answer, failed) = split(self.annotate(items, live));
                (Pending::Annotate(reply, answer), failed)
            }
            Job::Batch {
                task,
                annotator,
                reply,
            } => {
                let (answer, failed) = split(self.batch(&task, &annotator));
                (Pending::Batch(reply, answer), failed)
            }
            Job::Progress { task, reply } => {
                let answer = match self.sessions.get(&task) {
                    Some(s) => Ok(serde_json::to_string(&s.overview(unix_now()))
                        .unwrap_or_else(|_| "null".to_string())),
                    None => Err(ApiError::unknown_task(&task)),
                };
                (Pending::Progress(reply, answer), None)
            }
            Job::AddTask {
                task,
                seed_given,
                reply,
            } => {
                let (answer, failed) = split(self.add_task(*task, seed_given));
                let (answer, info) = match answer {
                    Ok((before, info)) => (Ok(before), info.map(Box::new)),
                    Err(e) => (Err(e), None),
                };
                (Pending::AddTask(reply, answer, info), failed)
            }
            Job::Sync(reply) => (Pending::Synced(reply), None),
        }
    }

    fn batch(&mut self, task: &str, annotator: &str) -> Applied<String> {
        let Some(session) = self.sessions.get_mut(task) else {
            return Err(ApiError::unknown_task(task).into());
        };
        let now = unix_now();
        match session.next_batch(annotator, now) {
            // A batch given again (the annotator holds it), an empty batch
            // and a flagged annotator's change nothing: nothing is stored.
            Ok((batch, false)) => Ok(batch),
            Ok((batch, true)) => {
                self.seq += 1;
                let handed = NewBatch {
                    task,
                    annotator,
                    at: now,
                    batch: &batch,
                };
                self.store.put_batch(self.seq, &handed)?;
                Ok(batch)
            }
            Err(e) => Err(ApiError::invalid(e.to_string()).into()),
        }
    }

    /// Stores a new task and starts its session; a task already stored
    /// under the same id must be the same (its seed compared only if
    /// `seed_given`), and is answered with the stored one. The new task's
    /// info comes back for the registry, which learns of it after commit.
    fn add_task(
        &mut self,
        task: NewTask,
        seed_given: bool,
    ) -> Applied<(Option<StoredTask>, Option<TaskInfo>)> {
        let NewTask {
            stored,
            info,
            session,
        } = task;
        if self.sessions.contains_key(&stored.id) {
            let same = self.store.tasks()?.into_iter().find(|t| {
                t.id == stored.id
                    && t.task == stored.task
                    && t.gold_mode == stored.gold_mode
                    && (!seed_given || t.seed == stored.seed)
            });
            return match same {
                Some(same) => Ok((Some(same), None)),
                None => Err(ApiError::conflict(format!(
                    "task \"{}\" is already stored with different content, gold mode or seed; \
                     a task cannot change once stored: upload it under a new id",
                    stored.id
                ))
                .into()),
            };
        }
        self.store.put_task(&stored)?;
        self.sessions.insert(stored.id, session);
        Ok((None, Some(info)))
    }
}

impl Pending {
    fn failed(job: Job) -> Pending {
        let e = ApiError::unavailable;
        match job {
            Job::Annotate { reply, .. } => Pending::Annotate(reply, Err(e())),
            Job::Batch { reply, .. } => Pending::Batch(reply, Err(e())),
            Job::Progress { reply, .. } => Pending::Progress(reply, Err(e())),
            Job::AddTask { reply, .. } => Pending::AddTask(reply, Err(e()), None),
            Job::Sync(reply) => Pending::Synced(reply),
        }
    }

    /// Answers after a commit; a request whose client went away is fine.
    fn send(self, registry: &Registry) {
        match self {
            Pending::Annotate(reply, r) => drop(reply.send(r)),
            Pending::Batch(reply, r) => drop(reply.send(r)),
            Pending::Progress(reply, r) => drop(reply.send(r)),
            Pending::Synced(reply) => drop(reply.map(|r| r.send(Ok(())))),
            Pending::AddTask(reply, r, added) => {
                if let Some(info) = added {
                    registry.insert(*info);
                }
                drop(reply.send(r))
            }
        }
    }

    fn fail(self, e: ApiError) {
        match self {
            Pending::Annotate(reply, _) => drop(reply.send(Err(e))),
            Pending::Batch(reply, _) => drop(reply.send(Err(e))),
            Pending::Progress(reply, _) => drop(reply.send(Err(e))),
            Pending::AddTask(reply, _, _) => drop(reply.send(Err(e))),
            Pending::Synced(reply) => drop(reply.map(|r| r.send(Err(e)))),
        }
    }
}

#[cfg(test)]
mod tests;
