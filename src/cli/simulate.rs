//! `prefkit simulate`: a seeded simulated crowd against any backend over
//! HTTP, so a requester's CI can prove that their backend and analysis work
//! before paying a crowd. It doubles as a load generator.
//!
//! Batches: when the endpoint is a `prefkit serve` running the task in
//! blind mode (its `GET /api/tasks` says so), each simulated annotator asks
//! it for batches, as the page does; otherwise one local session over the
//! task assembles them, as the page does in open mode. Every label and skip
//! is posted to `POST {endpoint}/api/annotations` as the page posts it
//! (`Content-Type: application/json`, the canonical record, marked
//! `"simulated": true` so it is never taken for a person's), one a request,
//! retried on network errors, 408, 429 and 5xx. Annotators who walk away
//! leave their batch's leases to run out; the others keep asking while
//! those items may still come back (until the task's `lease_seconds` past
//! the last walk-away), so against a blind-mode collector the run ends
//! with the task complete when the crowd is large enough.

use crate::server::unix_now;
use prefkit::session::{Session, Skip, SubmitRequest};
use prefkit::simulate::{Act, CrowdSpec, Worker};
use prefkit::{FromJson, Label};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What `prefkit simulate` is told.
pub struct Options<'a> {
    pub task: &'a Path,
    pub crowd: Option<&'a Path>,
    pub annotators: Option<u32>,
    pub endpoint: &'a str,
    pub seed: Option<u64>,
    pub concurrency: usize,
}

/// Counts shared by the threads.
#[derive(Default)]
struct Tally {
    batches: AtomicU64,
    labels: AtomicU64,
    skips: AtomicU64,
    acknowledged: AtomicU64,
    retries: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    walked_away: AtomicU64,
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

/// Where batches come from.
enum Batches {
    /// The collector assembles them (blind mode).
    Server,
    /// One local session, shared by the threads.
    Local(Box<Mutex<Session>>),
}

struct Run {
    endpoint: String,
    task_id: String,
    lease: Duration,
    gold: HashMap<String, Label>,
    batches: Batches,
    agent: ureq::Agent,
    tally: Tally,
    /// Time of the last walk-away, as seconds since `start`.
    last_walkaway_ms: AtomicU64,
    start: Instant,
    /// The first few refusals, to print.
    refusals: Mutex<Vec<String>>,
    /// Distinguishes this run's annotation ids from another run's.
    run_id: String,
    next_id: AtomicU64,
}

pub fn run(o: &Options) -> Result<(), String> {
    let task = super::batch::load_task(o.task)?;
    let seed = o.seed.or(task.config.seed).unwrap_or(0);
    let crowd = match (o.crowd, o.annotators) {
        (Some(path), _) => {
            let mut c = CrowdSpec::from_json(&super::read(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(s) = o.seed {
                c.seed = s;
            }
            c
        }
        (None, Some(n)) => CrowdSpec::uniform(n, seed),
        (None, None) => return Err("give --crowd FILE or --annotators N".to_string()),
    };
    let endpoint = o.endpoint.trim_end_matches('/').to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let batches = if blind_collector(&agent, &endpoint, &task.task_id) {
        Batches::Server
    } else {
        let session = Session::new(task.clone(), Some(seed)).map_err(|e| e.to_string())?;
        Batches::Local(Box::new(Mutex::new(session)))
    };
    let run = Arc::new(Run {
        endpoint,
        task_id: task.task_id.clone(),
        lease: Duration::from_secs_f64(task.config.lease_seconds.min(86_400.0)),
        gold: task.gold.iter().map(|g| (g.id.clone(), g.label)).collect(),
        batches,
        agent,
        tally: Tally::default(),
        last_walkaway_ms: AtomicU64::new(0),
        start: Instant::now(),
        refusals: Mutex::new(Vec::new()),
        run_id: format!("sim{:x}", (unix_now() * 1000.0) as u64),
        next_id: AtomicU64::new(1),
    });
    let workers = crowd.workers();
    let n = workers.len();
    let threads = o.concurrency.clamp(1, n.max(1));
    let mut shares: Vec<Vec<Worker>> = (0..threads).map(|_| Vec::new()).collect();
    for (k, w) in workers.into_iter().enumerate() {
        shares[k % threads].push(w);
    }
    let handles: Vec<_> = shares
        .into_iter()
        .map(|share| {
            let run = run.clone();
            std::thread::spawn(move || {
                // The thread's annotators take turns, a batch each, as a
                // crowd's do; one who is done leaves the round.
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
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| "a simulation thread failed".to_string())?;
    }
    let t = &run.tally;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let sent = get(&t.labels) + get(&t.skips);
    println!(
        "prefkit simulate: {n} annotators ({} walked away) against {} ({} batches), {} batches taken; \
         {} labels and {} skips sent, {} acknowledged, {} refused, {} failed, {} retries, {:.1} s",
        get(&t.walked_away),
        run.endpoint,
        match run.batches {
            Batches::Server => "the collector's",
            Batches::Local(_) => "local",
        },
        get(&t.batches),
        get(&t.labels),
        get(&t.skips),
        get(&t.acknowledged),
        get(&t.refused),
        get(&t.failed),
        get(&t.retries),
        run.start.elapsed().as_secs_f64()
    );
    for r in run.refusals.lock().map(|r| r.clone()).unwrap_or_default() {
        eprintln!("prefkit simulate: refused: {r}");
    }
    if get(&t.acknowledged) != sent {
        return Err(format!(
            "{} of {sent} annotations were not acknowledged",
            sent - get(&t.acknowledged)
        ));
    }
    Ok(())
}

/// Whether `endpoint` is a `prefkit serve` running `task` in blind mode.
fn blind_collector(agent: &ureq::Agent, endpoint: &str, task: &str) -> bool {
    let Ok(mut res) = agent.get(format!("{endpoint}/api/tasks")).call() else {
        return false;
    };
    let Ok(v) = res.body_mut().read_json::<Value>() else {
        return false;
    };
    v["tasks"].as_array().is_some_and(|t| {
        t.iter()
            .any(|t| t["id"] == task && t["gold_mode"] == "blind")
    })
}

impl Run {
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

    /// The next batch's items as `(id, swapped)`; `None` when the annotator
    /// should stop (flagged, or the endpoint failed).
    fn batch(&self, who: &str) -> Option<Vec<(String, bool)>> {
        let batch: Value = match &self.batches {
            Batches::Server => {
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
                res.body_mut().read_json().ok()?
            }
            Batches::Local(session) => {
                let mut s = session.lock().ok()?;
                let b = s.next_batch(who, unix_now()).ok()?;
                serde_json::to_value(b).ok()?
            }
        };
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
                if let Batches::Local(session) = &self.batches {
                    let req = SubmitRequest::from_value(&json!({"id": id, "item": item,
                        "annotator": w.name, "choice": choice.as_str(), "time_seconds": seconds,
                        "timestamp": timestamp, "client_version": client, "task_id": self.task_id,
                        "simulated": true}))
                    .ok()?;
                    let v = session.lock().ok()?.submit(req).ok()?;
                    return serde_json::to_value(v.annotation).ok();
                }
                Some(
                    json!({"id": id, "task_id": self.task_id, "item": item, "annotator": w.name,
                    "label": choice.unflip(swapped).as_str(), "swapped": swapped,
                    "label_order": "canonical", "time_seconds": seconds, "timestamp": timestamp,
                    "client_version": client, "simulated": true}),
                )
            }
            Act::Skip { seconds } => {
                self.tally.skips.fetch_add(1, Ordering::Relaxed);
                let skip = json!({"id": id, "task_id": self.task_id, "item": item,
                    "annotator": w.name, "skip": "I can't judge this", "time_seconds": seconds,
                    "timestamp": timestamp, "client_version": client, "simulated": true});
                if let Batches::Local(session) = &self.batches {
                    let s = Skip::from_value(&skip).ok()?;
                    session.lock().ok()?.skip(s).ok()?;
                }
                Some(skip)
            }
        }
    }

    /// Posts one record, retrying what a retry can fix; whether it was
    /// acknowledged.
    fn post(&self, record: &Value) -> bool {
        let url = format!("{}/api/annotations", self.endpoint);
        let body = record.to_string();
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
