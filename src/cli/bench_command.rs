//! `prefkit bench ...`: the benchmark subcommands and what each runs.

use super::{bench, bench_serve, bench_session, bench_shapes};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time every step of `prefkit report` on the 1M-annotation crowd (and, with --python, the Python path).
    Report {
        /// Folder of annotations.jsonl and gold.jsonl (written by `bench data` if missing).
        #[arg(long, default_value = "bench-data")]
        dir: std::path::PathBuf,
        /// A Python with pandas, krippendorff, statsmodels and crowd-kit, to time bench/python_path.py.
        #[arg(long)]
        python: Option<std::path::PathBuf>,
    },
    /// Write a seeded simulated crowd: DIR/annotations.jsonl and DIR/gold.jsonl.
    Data {
        /// Output folder.
        #[arg(long, default_value = "bench-data")]
        dir: std::path::PathBuf,
        /// Number of items (4 labels each).
        #[arg(long, default_value_t = 250_000)]
        items: usize,
        /// Number of annotators.
        #[arg(long, default_value_t = 2_000)]
        annotators: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Time the live session: next_batch, submit, skip and leases for many annotators on a big
    /// task (with --abandon and --skip, an open crowd whose leases expire).
    Session {
        /// Regular items in the task.
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// Annotators, each taking one batch per round.
        #[arg(long, default_value_t = 1_000)]
        annotators: usize,
        /// Items per batch.
        #[arg(long, default_value_t = 50)]
        batch_size: u32,
        /// Rounds (each annotator takes and answers one batch per round).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Share of annotators who walk away with their first batch (their leases expire).
        #[arg(long, default_value_t = 0.0)]
        abandon: f64,
        /// Share of items the others skip instead of labelling.
        #[arg(long, default_value_t = 0.0)]
        skip: f64,
        /// Lease length in seconds; a round is one second.
        #[arg(long, default_value_t = 1800.0)]
        lease_seconds: f64,
    },
    /// The report on extreme shapes (50,000 annotators on one item, 1,000 x 1,000, one annotator
    /// on 1,000,000 items), generated in memory: wall time and peak memory of each.
    Shapes {
        /// Run one shape only (one-item, full-overlap, crowd-overlap, one-annotator).
        #[arg(long)]
        only: Option<String>,
        /// Run one path only (report, live).
        #[arg(long)]
        path: Option<String>,
        /// Run in this process and print one line (what the parent runs per shape and path).
        #[arg(long, hide = true, requires_all = ["only", "path"])]
        child: bool,
    },
    /// Load the collector: many clients post over loopback; throughput, latency, zero loss.
    Serve {
        /// Concurrent clients (one keep-alive connection each).
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Annotations posted in each phase.
        #[arg(long, default_value_t = 200_000)]
        annotations: usize,
        /// Annotations per request in the batched phase (1: single posts only).
        #[arg(long, default_value_t = 50)]
        batch: usize,
        /// Working folder (a fresh database per phase).
        #[arg(long, default_value = "bench-data/serve")]
        dir: std::path::PathBuf,
        /// SQLite durability of the server: full or normal.
        #[arg(long, default_value = "full", value_parser = ["normal", "full"])]
        sync: String,
        /// Run against PostgreSQL instead of SQLite: a postgres:// URL whose user may create
        /// databases (each phase creates a fresh one and drops it after).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// Collector processes on the one database (more than 1 needs --postgres); client c
        /// posts to process c mod N.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
        instances: u32,
    },
}

/// Runs one benchmark; the error is the message for stderr.
pub fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Report { dir, python } => bench::report(&bench::ReportBench {
            dir: &dir,
            python: python.as_deref(),
        }),
        BenchCommand::Data {
            dir,
            items,
            annotators,
            seed,
        } => bench::data(&dir, items, annotators, seed),
        BenchCommand::Session {
            items,
            annotators,
            batch_size,
            rounds,
            seed,
            abandon,
            skip,
            lease_seconds,
        } => bench_session::run(&bench_session::Crowd {
            items,
            annotators,
            batch_size,
            rounds,
            seed,
            abandon,
            skip,
            lease_seconds,
        }),
        BenchCommand::Shapes { only, path, child } => match (child, &only, &path) {
            (true, Some(o), Some(p)) => bench_shapes::one(o, p),
            _ => bench_shapes::run(only.as_deref(), path.as_deref()),
        },
        BenchCommand::Serve {
            clients,
            annotations,
            batch,
            dir,
            sync,
            postgres,
            instances,
        } => bench_serve::run(&bench_serve::Options {
            clients,
            annotations,
            batch,
            dir,
            sync,
            postgres,
            instances: instances as usize,
        }),
    }
}
