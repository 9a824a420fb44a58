//! Bringing the sessions in memory up to the store: all of it at start-up
//! and after a failed group ([`Writer::restore`]), and only what other
//! processes stored since the last event seen, before each group on a
//! shared store ([`Writer::catch_up`]). Both replay stored events through
//! the same sessions the requests go through, so a process that catches up
//! hands out the batches, verdicts and flags one process would have.

use super::{Live, Restored, Writer};
use crate::server::jobs::live_data;
use crate::server::store::{Event, StoreError};
use crate::server::tasks::{self, TaskSession};
use std::collections::HashMap;

/// Replays one stored event through `sessions`; false when its replayed
/// result differs from the stored one.
fn replay_one(sessions: &mut HashMap<String, TaskSession>, event: &Event) -> bool {
    match event {
        Event::Annotation {
            task,
            kind,
            record,
            verdict,
        } => {
            let again = tasks::stored_answer(*kind, record)
                .ok()
                .zip(sessions.get_mut(task))
                .and_then(|(a, s)| s.answer(&a).ok())
                .map(|v| v.json());
            again.as_deref() == Some(verdict.as_str())
        }
        Event::Batch {
            task,
            annotator,
            at,
            batch,
        } => {
            let again = sessions
                .get_mut(task)
                .and_then(|s| s.next_batch(annotator, at.unwrap_or(0.0)).ok());
            again.map(|b| b.0).as_deref() == Some(batch.as_str())
        }
    }
}

/// The event-stream message of a stored label or skip.
fn live_of(seq: i64, event: &Event) -> Option<Live> {
    let Event::Annotation {
        task,
        kind,
        record,
        verdict,
    } = event
    else {
        return None; // a batch handed out
    };
    Some(Live {
        seq,
        task: task.clone(),
        kind: *kind,
        data: live_data(seq, record, verdict),
    })
}

impl Writer {
    /// Rebuilds every task's session by replaying the stored events. The
    /// sessions are replaced only when the whole replay succeeded. Labels
    /// above `announce_after` are added to `live` (stored by others while
    /// this process was not looking).
    pub fn restore_announcing(
        &mut self,
        announce_after: i64,
        live: &mut Vec<Live>,
    ) -> Result<Restored, StoreError> {
        let mut restored = Restored::default();
        let mut sessions = HashMap::new();
        let mut infos = Vec::new();
        for stored in self.store.tasks()? {
            let (info, session) = tasks::load(&stored).map_err(|e| {
                StoreError(format!(
                    "stored task \"{}\" no longer loads: {e}",
                    stored.id
                ))
            })?;
            sessions.insert(info.id.clone(), session);
            infos.push(info);
            restored.tasks += 1;
        }
        let mut last = 0;
        self.store.replay(0, &mut |seq, event| {
            match event {
                Event::Annotation { .. } => restored.annotations += 1,
                Event::Batch { .. } => restored.batches += 1,
            }
            if !replay_one(&mut sessions, &event) {
                restored.mismatches += 1;
            }
            if seq > announce_after {
                live.extend(live_of(seq, &event));
            }
            last = seq;
        })?;
        self.sessions = sessions;
        for info in infos {
            self.registry.insert(info);
        }
        // The last event replayed, not the store's last: another process
        // may have stored more since, which the next catch-up applies.
        self.seq = last;
        self.stale = false;
        Ok(restored)
    }

    /// [`Writer::restore_announcing`] at start-up: nothing to announce.
    pub fn restore(&mut self) -> Result<Restored, StoreError> {
        self.restore_announcing(i64::MAX, &mut Vec::new())
    }

    /// Applies what other processes stored since the last event this one
    /// has seen: their new tasks, then their events in order (labels go to
    /// `live`). Called inside the group's transaction, after its lock, so
    /// nothing is stored in between. On failure the sessions are still as
    /// of some stored event (each event is applied whole), so there is
    /// nothing to undo.
    pub(super) fn catch_up(&mut self, live: &mut Vec<Live>) -> Result<(), StoreError> {
        if self.store.task_count()? > self.sessions.len() {
            for stored in self.store.tasks()? {
                if self.sessions.contains_key(&stored.id) {
                    continue;
                }
                let (info, session) = tasks::load(&stored).map_err(|e| {
                    StoreError(format!(
                        "stored task \"{}\" no longer loads: {e}",
                        stored.id
                    ))
                })?;
                self.sessions.insert(info.id.clone(), session);
                self.registry.insert(info);
            }
        }
        let sessions = &mut self.sessions;
        let seq = &mut self.seq;
        let mut mismatches = 0usize;
        self.store.replay(*seq, &mut |at, event| {
            if !replay_one(sessions, &event) {
                mismatches += 1;
            }
            live.extend(live_of(at, &event));
            *seq = at;
        })?;
        if mismatches > 0 {
            eprintln!(
                "prefkit serve: warning: {mismatches} events stored by another process differ \
                 when replayed here (are all processes the same version?)"
            );
        }
        Ok(())
    }
}
