//! `prefkit bench session`: times the live session on a big task.
//!
//! A task of `items` regular items (and 2% as many gold items), `annotators`
//! annotators; each round (one second of session time) every annotator
//! takes a batch and answers all of it through `submit` (gold answered
//! right, other items at random). Prints the mean, median and p99
//! `next_batch` time and the mean `submit` time (a gold check, the live
//! report's update, the verdict). Also the part of a submit spent in
//! `report::LiveReport::add`, timed apart on the same answers, and one
//! `stats()`.
//!
//! With `--abandon A --skip S --lease-seconds L` it is an open crowd: a
//! share A of the annotators walk away with their first batch (its leases
//! expire after L seconds and the items go back to the pool), the others
//! skip a share S of their items. It then times `skip` and `overview`, and
//! checks the bound on overlap: once every lease is answered or expired, no
//! item has more than `overlap` labels, and a drain by fresh annotators
//! brings every item to exactly `overlap`.
//!
//! `cargo run --release -- bench session [--items N] [--annotators N]
//! [--batch-size N] [--rounds N] [--seed N] [--abandon A] [--skip S]
//! [--lease-seconds L]`

use prefkit::session::{Example, GoldExample, Session, Skip, SubmitRequest, Task, TaskConfig};
use prefkit::Label;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// The benchmark's settings (its command-line flags).
#[derive(clap::Args)]
pub struct Crowd {
    /// Regular items in the task.
    #[arg(long, default_value_t = 100_000)]
    pub items: usize,
    /// Annotators, each taking one batch per round.
    #[arg(long, default_value_t = 1_000)]
    pub annotators: usize,
    /// Items per batch.
    #[arg(long, default_value_t = 50)]
    pub batch_size: u32,
    /// Rounds (each annotator takes and answers one batch per round).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Share of annotators who walk away with their first batch (their leases expire).
    #[arg(long, default_value_t = 0.0)]
    pub abandon: f64,
    /// Share of items the others skip instead of labelling.
    #[arg(long, default_value_t = 0.0)]
    pub skip: f64,
    /// Lease length in seconds; a round is one second.
    #[arg(long, default_value_t = 1800.0)]
    pub lease_seconds: f64,
}

/// Runs the benchmark and prints its numbers.
pub fn run(crowd: &Crowd) -> Result<(), String> {
    let &Crowd {
        items,
        annotators,
        batch_size,
        rounds,
        seed,
        abandon,
        skip,
        lease_seconds,
    } = crowd;
    for (name, x) in [("--abandon", abandon), ("--skip", skip)] {
        if !(0.0..=1.0).contains(&x) {
            return Err(format!("{name}: expected a share from 0 to 1, got {x}"));
        }
    }
    let gold_n = (items / 50).max(1);
    let gold_label = |j: usize| Label::from_index(j % 5).unwrap_or(Label::Tie);
    let task = Task {
        task_id: "bench".into(),
        guidelines: String::new(),
        rubric: Default::default(),
        examples: (0..items)
            .map(|i| Example {
                id: format!("e{i}"),
                prompt: format!("prompt {i}"),
                response_a: format!("response a {i}"),
                response_b: format!("response b {i}"),
                metadata: Default::default(),
            })
            .collect(),
        gold: (0..gold_n)
            .map(|j| GoldExample {
                id: format!("g{j}"),
                prompt: format!("gold prompt {j}"),
                response_a: format!("gold a {j}"),
                response_b: format!("gold b {j}"),
                label: gold_label(j),
                explanation: None,
            })
            .collect(),
        config: TaskConfig {
            batch_size,
            seed: Some(seed),
            lease_seconds,
            ..TaskConfig::default()
        },
    };
    let overlap = u64::from(task.config.overlap);
    let t = Instant::now();
    let mut session = Session::new(task, None).map_err(|e| e.to_string())?;
    let setup = t.elapsed().as_secs_f64();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let names: Vec<String> = (0..annotators).map(|a| format!("w{a}")).collect();
    let mut answers = Vec::with_capacity(annotators * rounds * batch_size as usize);
    let mut batch_times: Vec<f64> = Vec::with_capacity(annotators * rounds);
    let (mut batch_clock, mut submit_clock) = (Clock::default(), Clock::default());
    let mut skip_clock = Clock::default();
    // Who walks away with their first batch.
    let gone: Vec<bool> = names.iter().map(|_| rng.random_bool(abandon)).collect();
    let mut walked_away_with = 0usize;
    for round in 0..rounds {
        let now = round as f64;
        let mut batches = Vec::with_capacity(names.len());
        let c = Clock::start();
        let mut asked = 0;
        for (a, name) in names.iter().enumerate() {
            if gone[a] && round > 0 {
                continue;
            }
            let t = Instant::now();
            let batch = session.next_batch(name, now).map_err(|e| e.to_string())?;
            batch_times.push(t.elapsed().as_secs_f64());
            asked += 1;
            if gone[a] {
                walked_away_with += batch.items.len();
            } else {
                batches.push((name, batch));
            }
        }
        batch_clock.add(&c, asked);
        let mut requests: Vec<SubmitRequest> = Vec::new();
        let mut skips: Vec<Skip> = Vec::new();
        for (name, batch) in &batches {
            for it in &batch.items {
                let id = format!("{name}/{}", it.id);
                if rng.random_bool(skip) {
                    skips.push(Skip {
                        id,
                        task_id: None,
                        item: it.id.clone(),
                        annotator: name.to_string(),
                        skip: "I can't judge this".into(),
                        time_seconds: None,
                        timestamp: None,
                        client_version: None,
                        simulated: true,
                    });
                    continue;
                }
                let choice = match it.id.strip_prefix('g').and_then(|j| j.parse().ok()) {
                    Some(j) => gold_label(j).unflip(it.swapped),
                    None => Label::from_index(rng.random_range(0..5)).unwrap_or(Label::Tie),
                };
                requests.push(SubmitRequest {
                    id,
                    item: it.id.clone(),
                    annotator: name.to_string(),
                    choice: Some(choice),
                    time_seconds: rng.random_range(3.0..30.0),
                    dimensions: Default::default(),
                    timestamp: None,
                    client_version: None,
                    task_id: None,
                    swapped: None,
                    simulated: true,
                });
            }
        }
        let n = requests.len();
        let c = Clock::start();
        for r in requests {
            let v = session.submit(r).map_err(|e| e.to_string())?;
            answers.push(v.annotation);
        }
        submit_clock.add(&c, n);
        let n = skips.len();
        let c = Clock::start();
        for k in skips {
            session.skip(k).map_err(|e| e.to_string())?;
        }
        skip_clock.add(&c, n);
    }
    // Every lease answered or expired.
    let after = rounds as f64 + lease_seconds;
    let t = Instant::now();
    let settled = session.overview(after);
    let overview_time = t.elapsed().as_secs_f64();
    // The part of a submit spent in the report's live states, fed the same
    // answers on their own.
    let gold = prefkit::session::gold_answers(session.task());
    let config = prefkit::session::report_config(session.task());
    let mut live = prefkit::report::LiveReport::new(config, &gold).map_err(|e| e.to_string())?;
    let mut live_clock = Clock::default();
    let c = Clock::start();
    for a in &answers {
        live.add(a).map_err(|e| e.to_string())?;
    }
    live_clock.add(&c, answers.len());
    let t = Instant::now();
    let stats = session.stats();
    let stats_time = t.elapsed().as_secs_f64();
    println!("session benchmark: {items} items + {gold_n} gold, {annotators} annotators x {rounds} rounds of {batch_size}-item batches");
    println!("  (wall = elapsed time; cpu = time this thread ran, from the kernel's schedstat: on a busy machine wall includes waiting for a core)");
    println!("  setup (task into session)   {:>10.1} ms", setup * 1e3);
    let batches = batch_times.len();
    batch_times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        batch_times
            .get(((batches as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
            * 1e6
    };
    println!(
        "  next_batch  {}   median wall {:.1} us   p99 wall {:.1} us   ({batches} batches; target < 1000 us)",
        batch_clock.per_op(),
        at(0.5),
        at(0.99)
    );
    println!(
        "  submit      {}   ({} submits; target < 5 us)",
        submit_clock.per_op(),
        submit_clock.ops
    );
    println!(
        "    of which the report's live state alone (report::LiveReport::add): {}",
        live_clock.per_op()
    );
    println!(
        "  stats()     once {:>8.1} ms wall   ({} annotations, {} annotators)",
        stats_time * 1e3,
        stats.report.counts.annotations,
        stats.report.counts.annotators
    );
    if abandon == 0.0 && skip == 0.0 {
        return Ok(());
    }
    println!(
        "  skip        {}   ({} skips)",
        skip_clock.per_op(),
        skip_clock.ops
    );
    println!(
        "  overview()  once {:>8.1} ms wall   after every lease ran out: {} items, {} complete, {} leased, {} open, {} labels, {} skips",
        overview_time * 1e3,
        settled.items,
        settled.complete,
        settled.leased,
        settled.open,
        settled.labels,
        settled.skips
    );
    println!(
        "  {} annotators walked away holding {walked_away_with} items; their leases expired and the items went back to the pool",
        gone.iter().filter(|&&g| g).count()
    );
    // Fresh annotators drain what is left, answering everything.
    let (mut fresh, t) = (0usize, Instant::now());
    loop {
        let name = format!("fresh{fresh}");
        let batch = session
            .next_batch(&name, after)
            .map_err(|e| e.to_string())?;
        if batch.items.is_empty() {
            break;
        }
        for it in &batch.items {
            let v = session.submit(SubmitRequest {
                id: format!("{name}/{}", it.id),
                item: it.id.clone(),
                annotator: name.clone(),
                choice: Some(Label::Tie),
                time_seconds: 10.0,
                dimensions: Default::default(),
                timestamp: None,
                client_version: None,
                task_id: None,
                swapped: None,
                simulated: true,
            });
            v.map_err(|e| e.to_string())?;
        }
        fresh += 1;
    }
    let done = session.overview(after);
    let exact = done.complete == done.items && done.labels == overlap * done.items;
    println!(
        "  drain: {fresh} fresh annotators in {:.1} ms wall; {} of {} items complete, {} labels = {} x overlap {overlap}: {}",
        t.elapsed().as_secs_f64() * 1e3,
        done.complete,
        done.items,
        done.labels,
        done.items,
        if exact { "exact" } else { "NOT EXACT" }
    );
    if !exact {
        return Err("an item did not end with exactly overlap labels".into());
    }
    Ok(())
}

/// Nanoseconds this thread has run on a CPU (Linux), if known.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Wall and on-CPU time summed over phases, with the number of operations.
#[derive(Default)]
struct Clock {
    wall: f64,
    cpu: Option<f64>,
    ops: usize,
    started: Option<(Instant, Option<u64>)>,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            started: Some((Instant::now(), cpu_ns())),
            ..Clock::default()
        }
    }

    /// Adds the time since `start` was made, for `ops` operations.
    fn add(&mut self, start: &Clock, ops: usize) {
        let Some((t, c0)) = start.started else { return };
        self.wall += t.elapsed().as_secs_f64();
        let cpu = c0
            .zip(cpu_ns())
            .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9);
        self.cpu = match (self.cpu, cpu, self.ops) {
            (_, None, _) => None,
            (None, Some(c), 0) => Some(c),
            (Some(s), Some(c), _) => Some(s + c),
            (None, Some(_), _) => None,
        };
        self.ops += ops;
    }

    fn per_op(&self) -> String {
        let n = self.ops.max(1) as f64;
        let cpu = self
            .cpu
            .map_or("n/a".to_string(), |c| format!("{:.2} us", c / n * 1e6));
        format!("mean wall {:.2} us, cpu {cpu}", self.wall / n * 1e6)
    }
}
