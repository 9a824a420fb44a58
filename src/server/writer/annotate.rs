//! Storing labels and skips: a retry of a stored id is answered with its
//! first verdict, a conflicting one is refused, a new one goes through the
//! task's session and is stored.

use super::{raw, Applied, Failure, Incoming, Live, Outcome, Writer};
use crate::server::error::ApiError;
use crate::server::jobs::live_data;
use crate::server::store::{NewAnnotation, Stored};
use std::collections::HashMap;

impl Writer {
    pub(super) fn annotate(
        &mut self,
        mut items: Vec<Incoming>,
        live: &mut Vec<Live>,
    ) -> Applied<Vec<Outcome>> {
        for inc in &mut items {
            if let Some(session) = self.sessions.get(&inc.task) {
                session.fix_order(inc);
            }
        }
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
        let ids: Vec<&str> = items.iter().map(|inc| inc.id.as_str()).collect();
        let mut found = self.store.find(&ids)?;
        for (i, inc) in items.iter().enumerate() {
            if !self.sessions.contains_key(&inc.task) {
                return Err(ApiError::unknown_task(&inc.task).into());
            }
            if let Some(&j) = first.get(inc.id.as_str()) {
                if items[j].record != inc.record {
                    return Err(Failure::Refused(ApiError::conflict(format!(
                        "{}id \"{}\" appears twice in this request with different content",
                        at(i),
                        inc.id
                    ))));
                }
                plan.push(Plan::Repeat(j));
                continue;
            }
            first.insert(&inc.id, i);
            match found.remove(inc.id.as_str()) {
                None => plan.push(Plan::New),
                Some(s) if s.record == inc.record => plan.push(Plan::Stored(s.verdict)),
                Some(_) => {
                    return Err(Failure::Refused(ApiError::conflict(format!(
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
                    verdict: raw(verdict),
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
                        return Err(ApiError::unknown_task(&inc.task).into());
                    };
                    match session.answer(&inc.answer) {
                        // The same annotator, item and label under a new id
                        // (a page that lost its id): nothing new to store.
                        Ok(given) if given.duplicate() => Outcome::Stored {
                            id: inc.id,
                            duplicate: true,
                            verdict: raw(given.json()),
                        },
                        Ok(given) => {
                            self.seq += 1;
                            let stored = Stored {
                                record: inc.record,
                                verdict: given.json(),
                            };
                            let kind = inc.answer.kind();
                            let new = NewAnnotation {
                                id: &inc.id,
                                task: &inc.task,
                                kind,
                                stored: &stored,
                            };
                            self.store.put_annotation(self.seq, &new)?;
                            // Built even without subscribers: one may
                            // subscribe before this group commits.
                            live.push(Live {
                                seq: self.seq,
                                task: inc.task,
                                kind,
                                data: live_data(self.seq, &stored.record, &stored.verdict),
                            });
                            Outcome::Stored {
                                id: inc.id,
                                duplicate: false,
                                verdict: raw(stored.verdict),
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
        Ok(out)
    }
}
