//! The simulated crowd over HTTP: the counts its threads share, each
//! annotator's turns against a blind-mode collector, and the posting (with
//! retries) of every record.

use crate::server::unix_now;
use prefkit::simulate::{Act, Record, Worker};
use prefkit::Label;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts shared by the threads.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) batches: AtomicU64,
    pub(super) labels: AtomicU64,
    pub(super) skips: AtomicU64,
    pub(super) acknowledged: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) refused: AtomicU64,
    pub(super) failed: AtomicU64,
    pub(super) walked_away: AtomicU64,
}

/// How an annotator's turn went.
enum Turn {
    /// Answered a batch; more may come.
    Answered,
    /// Nothing free now; items held by walked-away annotators may come back.
    Wait,
    /// Finished: nothing left, flagged, or walked away.
    Done,
}

pub(super) struct Run {
    pub(super) endpoint: String,
    pub(super) task_id: String,
    pub(super) lease: Duration,
    pub(super) gold: HashMap<String, Label>,
    pub(super) agent: ureq::Agent,
    pub(super) tally: Tally,
    /// Time of the last walk-away, as milliseconds since `start`.
    pub(super) last_walkaway_ms: AtomicU64,
    pub(super) start: Instant,
    /// The first few refusals, to print.
    pub(super) refusals: Mutex<Vec<String>>,
    /// Distinguishes this run's annotation ids from another run's.
    pub(super) run_id: String,
    pub(super) next_id: AtomicU64,
}

impl Run {
    /// The crowd against a blind-mode collector, which hands out the
    /// batches: `threads` threads, each with a share of the annotators, who
    /// take turns a batch each, as a crowd's do.
    pub(super) fn against_collector(
        self: &Arc<Self>,
        workers: Vec<Worker>,
        threads: usize,
    ) -> Result<(), String> {
        self.on_threads(workers, threads, |run, share| {
            // One who is done leaves the round.
            let mut active = share;
            while !active.is_empty() {
                let mut waiting = true;
                active.retain_mut(|w| match run.turn(w) {
                    Turn::Done => false,
                    Turn::Answered => {
                        waiting = false;
                        true
                    }
                    Turn::Wait => true,
                });
                if waiting && !active.is_empty() {
                    std::thread::sleep(Duration::from_millis(300));
                }
            }
        })
    }

    /// Posts the records of a local run: each annotator's in the order
    /// made, on one of `threads` threads; an annotator whose record is not
    /// taken stops there.
    pub(super) fn post_all(
        self: &Arc<Self>,
        records: Vec<Record>,
        threads: usize,
    ) -> Result<(), String> {
        let mut by_annotator: Vec<(String, Vec<Record>)> = Vec::new();
        for r in records {
            let who = match &r {
                Record::Label(a) => &a.annotator,
                Record::Skip(s) => &s.annotator,
            };
            match by_annotator.iter_mut().find(|(name, _)| name == who) {
                Some((_, list)) => list.push(r),
                None => by_annotator.push((who.clone(), vec![r])),
            }
        }
        let lists = by_annotator.into_iter().map(|(_, list)| list).collect();
        self.on_threads(lists, threads, |run, share| {
            for list in share {
                for r in list {
                    let (counter, body) = match &r {
                        Record::Label(_) => (&run.tally.labels, r.to_json()),
                        Record::Skip(_) => (&run.tally.skips, r.to_json()),
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    if !run.post_text(body) {
                        break;
                    }
                }
            }
        })
    }

    /// Deals `parts` round-robin to `threads` threads, runs `work` on each
    /// thread's share and waits for all of them.
    fn on_threads<T: Send + 'static>(
        self: &Arc<Self>,
        parts: Vec<T>,
        threads: usize,
        work: fn(&Run, Vec<T>),
    ) -> Result<(), String> {
        let mut shares: Vec<Vec<T>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, part) in parts.into_iter().enumerate() {
            shares[k % threads].push(part);
        }
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                let run = self.clone();
                std::thread::spawn(move || work(&run, share))
            })
            .collect();
        join(handles)
    }

    /// One annotator's turn: one batch, answered (or walked away from).
    fn turn(&self, w: &mut Worker) -> Turn {
        let Some(items) = self.batch(&w.name) else {
            return Turn::Done;
        };
        if items.is_empty() {
            // Items walked away from come back when their lease runs out.
            let walked = self.last_walkaway_ms.load(Ordering::Relaxed);
            let back = Duration::from_millis(walked) + self.lease + Duration::from_millis(500);
            return if walked == 0 || self.start.elapsed() > back {
                Turn::Done
            } else {
                Turn::Wait
            };
        }
        self.tally.batches.fetch_add(1, Ordering::Relaxed);
        if w.abandons() {
            self.tally.walked_away.fetch_add(1, Ordering::Relaxed);
            let now = self.start.elapsed().as_millis() as u64;
            self.last_walkaway_ms
                .fetch_max(now.max(1), Ordering::Relaxed);
            return Turn::Done;
        }
        let mut all_taken = true;
        for (item, swapped) in items {
            let act = w.act(&item, swapped, self.gold.get(&item).copied());
            if let Some(record) = self.record(w, &item, swapped, act) {
                all_taken &= self.post(&record);
            }
        }
        // An answer not taken leaves its item held: asking again would get
        // the same batch back forever. The annotator stops instead.
        if all_taken {
            Turn::Answered
        } else {
            Turn::Done
        }
    }

    /// The next batch's items from the collector as `(id, swapped)`;
    /// `None` when the annotator should stop (flagged, or the endpoint
    /// failed).
    fn batch(&self, who: &str) -> Option<Vec<(String, bool)>> {
        let url = format!(
            "{}/api/tasks/{}/batch?annotator={}",
            self.endpoint,
            encode(&self.task_id),
            encode(who)
        );
        let mut res = self.agent.get(&url).call().ok()?;
        if res.status() != 200 {
            return None;
        }
        let batch: Value = res.body_mut().read_json().ok()?;
        if batch["flagged"] == true {
            return None;
        }
        let items = batch["items"].as_array()?;
        Some(
            items
                .iter()
                .filter_map(|i| Some((i["id"].as_str()?.to_string(), i["swapped"].as_bool()?)))
                .collect(),
        )
    }

    /// The record to post for an act, as the page writes it.
    fn record(&self, w: &Worker, item: &str, swapped: bool, act: Act) -> Option<Value> {
        let id = format!(
            "{}-{}-{}",
            self.run_id,
            w.name,
            self.next_id.fetch_add(1, Ordering::Relaxed)
        );
        let timestamp = unix_now().floor();
        let client = format!("prefkit-simulate/{}", prefkit::VERSION);
        match act {
            Act::Answer { choice, seconds } => {
                self.tally.labels.fetch_add(1, Ordering::Relaxed);
                Some(
                    json!({"id": id, "task_id": self.task_id, "item": item, "annotator": w.name,
                    "label": choice.unflip(swapped).as_str(), "swapped": swapped,
                    "label_order": "canonical", "time_seconds": seconds, "timestamp": timestamp,
                    "client_version": client, "simulated": true}),
                )
            }
            Act::Skip { seconds } => {
                self.tally.skips.fetch_add(1, Ordering::Relaxed);
                Some(json!({"id": id, "task_id": self.task_id, "item": item,
                    "annotator": w.name, "skip": "I can't judge this", "time_seconds": seconds,
                    "timestamp": timestamp, "client_version": client, "simulated": true}))
            }
        }
    }

    /// Posts one record, retrying what a retry can fix; whether it was
    /// acknowledged.
    fn post(&self, record: &Value) -> bool {
        self.post_text(record.to_string())
    }

    /// Posts one record's JSON text; see [`Run::post`].
    fn post_text(&self, body: String) -> bool {
        let url = format!("{}/api/annotations", self.endpoint);
        for attempt in 0..6u32 {
            if attempt > 0 {
                self.tally.retries.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100 << attempt.min(5)));
            }
            let res = self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(&body);
            let mut res = match res {
                Ok(res) => res,
                Err(_) => continue,
            };
            let status = res.status().as_u16();
            match status {
                200 | 201 => {
                    self.tally.acknowledged.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
                408 | 429 | 500..=599 => continue,
                _ => {
                    self.tally.refused.fetch_add(1, Ordering::Relaxed);
                    let text = res.body_mut().read_to_string().unwrap_or_default();
                    if let Ok(mut r) = self.refusals.lock() {
                        if r.len() < 5 {
                            r.push(format!(
                                "{status} {}",
                                text.chars().take(200).collect::<String>()
                            ));
                        }
                    }
                    return false;
                }
            }
        }
        self.tally.failed.fetch_add(1, Ordering::Relaxed);
        false
    }
}

/// Waits for every thread.
fn join(handles: Vec<std::thread::JoinHandle<()>>) -> Result<(), String> {
    for h in handles {
        h.join()
            .map_err(|_| "a simulation thread failed".to_string())?;
    }
    Ok(())
}

/// Percent-encodes a query or path value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
