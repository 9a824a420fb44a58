//! `prefkit simulate`: a seeded simulated crowd against any backend over
//! HTTP, so a requester's CI can prove that their backend and analysis work
//! before paying a crowd. It doubles as a load generator.
//!
//! Batches: when the endpoint is a `prefkit serve` running the task in
//! blind mode (its `GET /api/tasks` says so), each simulated annotator asks
//! it for batches, as the page does, in real time. Otherwise the whole crowd
//! runs first through one local session in simulated time
//! ([`prefkit::simulate::run`]: the same records as the lab module's
//! `simulateCrowd` for the same task, crowd and `--start`), and those
//! records are posted; `--out FILE` writes them instead of posting.
//! Every label and skip is posted to `POST {endpoint}/api/annotations` as
//! the page posts it (`Content-Type: application/json`, the canonical
//! record, marked `"simulated": true` so it is never taken for a person's),
//! one a request, retried on network errors, 408, 429 and 5xx; an
//! annotator whose record is refused stops there. Against a blind-mode
//! collector, annotators who walk away leave their batch's leases to run
//! out; the others keep asking while those items may still come back
//! (until the task's `lease_seconds` past the last walk-away), so the run
//! ends with the task complete when the crowd is large enough.

use crate::server::unix_now;
use prefkit::simulate::{Act, CrowdSpec, Record, Worker};
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
    pub endpoint: Option<&'a str>,
    pub out: Option<&'a Path>,
    pub start: Option<f64>,
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

struct Run {
    endpoint: String,
    task_id: String,
    lease: Duration,
    gold: HashMap<String, Label>,
    agent: ureq::Agent,
    tally: Tally,
    /// Time of the last walk-away, as milliseconds since `start`.
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
    let crowd = match (o.crowd, o.annotators) {
        (Some(path), _) => {
            let mut c = CrowdSpec::from_json(&super::read(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(s) = o.seed {
                c.seed = s;
            }
            c
        }
        (None, Some(n)) => CrowdSpec::uniform(n, o.seed.or(task.config.seed).unwrap_or(0)),
        (None, None) => return Err("give --crowd FILE or --annotators N".to_string()),
    };
    let start = o.start.unwrap_or_else(|| unix_now().floor());
    let local = || prefkit::simulate::run(&task, &crowd, start).map_err(|e| e.to_string());
    let endpoint = match (o.endpoint, o.out) {
        (_, Some(out)) => {
            let text = local()?.jsonl();
            return if out == Path::new("-") {
                print!("{text}");
                Ok(())
            } else {
                std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))
            };
        }
        (Some(e), None) => e.trim_end_matches('/').to_string(),
        (None, None) => return Err("give --endpoint URL or --out FILE".to_string()),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let blind = blind_collector(&agent, &endpoint, &task.task_id);
    let run = Arc::new(Run {
        endpoint,
        task_id: task.task_id.clone(),
        lease: Duration::from_secs_f64(task.config.lease_seconds.min(86_400.0)),
        gold: task.gold.iter().map(|g| (g.id.clone(), g.label)).collect(),
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
    let total = if blind {
        run.against_collector(workers, threads)?;
        let t = &run.tally;
        t.labels.load(Ordering::Relaxed) + t.skips.load(Ordering::Relaxed)
    } else {
        let sim = local()?;
        let t = &run.tally;
        t.batches.store(u64::from(sim.batches), Ordering::Relaxed);
        t.walked_away
            .store(u64::from(sim.walked_away), Ordering::Relaxed);
        let total = sim.records.len() as u64;
        run.post_all(sim.records, threads)?;
        total
    };
    let t = &run.tally;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "prefkit simulate: {n} annotators ({} walked away) against {} ({} batches), {} batches taken; \
         {} labels and {} skips sent, {} acknowledged, {} refused, {} failed, {} retries, {:.1} s",
        get(&t.walked_away),
        run.endpoint,
        if blind { "the collector's" } else { "local" },
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
    if get(&t.acknowledged) != total {
        return Err(format!(
            "{} of {total} annotations were not acknowledged",
            total - get(&t.acknowledged)
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
    /// The crowd against a blind-mode collector, which hands out the
    /// batches: `threads` threads, each with a share of the annotators, who
    /// take turns a batch each, as a crowd's do.
    fn against_collector(
        self: &Arc<Self>,
        workers: Vec<Worker>,
        threads: usize,
    ) -> Result<(), String> {
        let mut shares: Vec<Vec<Worker>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, w) in workers.into_iter().enumerate() {
            shares[k % threads].push(w);
        }
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                let run = self.clone();
                std::thread::spawn(move || {
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
            })
            .collect();
        join(handles)
    }

    /// Posts the records of a local run: each annotator's in the order
    /// made, on one of `threads` threads; an annotator whose record is not
    /// taken stops there.
    fn post_all(self: &Arc<Self>, records: Vec<Record>, threads: usize) -> Result<(), String> {
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
        let mut shares: Vec<Vec<Vec<Record>>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, (_, list)) in by_annotator.into_iter().enumerate() {
            shares[k % threads].push(list);
        }
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                let run = self.clone();
                std::thread::spawn(move || {
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
