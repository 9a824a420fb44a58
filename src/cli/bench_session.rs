//! `prefkit bench session`: times the live session on a big task.
//!
//! A task of `items` regular items (and 2% as many gold items), `annotators`
//! annotators; each round every annotator takes a batch and answers all of
//! it through `submit` (gold answered right, other items at random). Prints
//! the mean, median and p99 `next_batch` time and the mean `submit` time (a gold
//! check, the live report's update, the verdict). Also the part of a
//! submit spent in `report::LiveReport::add`, timed apart on the same
//! answers, and one `stats()`.
//!
//! `cargo run --release -- bench session [--items N] [--annotators N]
//! [--batch-size N] [--rounds N] [--seed N]`

use prefkit::session::{Example, GoldExample, Session, SubmitRequest, Task, TaskConfig};
use prefkit::Label;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// Runs the benchmark and prints its numbers.
pub fn run(
    items: usize,
    annotators: usize,
    batch_size: u32,
    rounds: usize,
    seed: u64,
) -> Result<(), String> {
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
            ..TaskConfig::default()
        },
    };
    let t = Instant::now();
    let mut session = Session::new(task, None).map_err(|e| e.to_string())?;
    let setup = t.elapsed().as_secs_f64();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let names: Vec<String> = (0..annotators).map(|a| format!("w{a}")).collect();
    let mut answers = Vec::with_capacity(annotators * rounds * batch_size as usize);
    let mut batch_times: Vec<f64> = Vec::with_capacity(annotators * rounds);
    let (mut batch_clock, mut submit_clock) = (Clock::default(), Clock::default());
    for round in 0..rounds {
        let mut batches = Vec::with_capacity(names.len());
        let c = Clock::start();
        for name in &names {
            let t = Instant::now();
            let batch = session
                .next_batch(name, round as f64)
                .map_err(|e| e.to_string())?;
            batch_times.push(t.elapsed().as_secs_f64());
            batches.push(batch);
        }
        batch_clock.add(&c, names.len());
        let mut requests: Vec<SubmitRequest> = Vec::new();
        for (name, batch) in names.iter().zip(&batches) {
            for it in &batch.items {
                let choice = match it.id.strip_prefix('g').and_then(|j| j.parse().ok()) {
                    Some(j) => gold_label(j).unflip(it.swapped),
                    None => Label::from_index(rng.random_range(0..5)).unwrap_or(Label::Tie),
                };
                requests.push(SubmitRequest {
                    id: format!("{name}/{}", it.id),
                    item: it.id.clone(),
                    annotator: name.clone(),
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
    }
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
