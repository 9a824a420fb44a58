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

//!
//! This file reads the options and reports the counts; `crowd` holds the
//! HTTP side: the threads, the batches asked for and the posting.

mod crowd;

use crate::server::unix_now;
use crowd::{Run, Tally};
use prefkit::simulate::CrowdSpec;
use prefkit::FromJson;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What `prefkit simulate` is told (its command-line flags).
#[derive(clap::Args)]
pub struct Options {
    /// Task JSON file (with its gold, which simulated annotators answer against).
    #[arg(long)]
    pub task: std::path::PathBuf,
    /// Crowd JSON: {"annotators": [{"id_prefix", "count", "accuracy", "left_bias",
    /// "straight_line", "seconds": {"mean", "sd"}, "abandon", "skip"}], "seed"}.
    #[arg(
        long,
        conflicts_with = "annotators",
        required_unless_present = "annotators"
    )]
    pub crowd: Option<std::path::PathBuf>,
    /// Instead of a crowd file: N annotators of the default profile (accuracy 0.8).
    #[arg(long)]
    pub annotators: Option<u32>,
    /// The backend: its POST /api/annotations takes the records (a `prefkit serve`
    /// in blind mode also hands out the batches).
    #[arg(long, conflicts_with = "out", required_unless_present = "out")]
    pub endpoint: Option<String>,
    /// Write the records of the crowd's run through one local session to FILE
    /// (`-`: standard output), one JSON object a line, instead of posting them.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Unix seconds at which the simulated clocks of a local run start (default now):
    /// the same task, crowd, seed and start give the same records.
    #[arg(long)]
    pub start: Option<f64>,
    /// Seed of the crowd, which also seeds the local session; default the crowd's,
    /// else (with --annotators) the task's, else 0.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Annotators simulated at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

pub fn run(o: &Options) -> Result<(), String> {
    let task = super::batch::load_task(&o.task)?;
    let crowd = match (o.crowd.as_deref(), o.annotators) {
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
    let endpoint = match (o.endpoint.as_deref(), o.out.as_deref()) {
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
