//! The command line's grammar: the clap `Cli` and its subcommand enums,
//! with the help text of every flag. `super::main` dispatches on them.

use clap::{Parser, Subcommand};

use super::{bench_serve, bench_session, judge, report, serve, simulate};

#[derive(Parser)]
#[command(
    name = "prefkit",
    version,
    about = "Collect and check pairwise preference data for RLHF"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Active learning: what to label next, pairs to label, a model leaderboard (JSON in and out).
    #[command(subcommand)]
    Active(ActiveCommand),
    /// Check a JSONL annotation file and print its records (labels and skips), one canonical
    /// record a line.
    Check {
        /// JSONL file of annotations.
        file: std::path::PathBuf,
        /// Skip bad lines (they are counted and listed on stderr) instead of stopping.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Print an annotator's next batch (or COUNT successive batches) of a task, one JSON object a line.
    Batch {
        /// Task JSON file.
        #[arg(long)]
        task: std::path::PathBuf,
        /// Annotator id.
        #[arg(long)]
        annotator: String,
        /// Seed of the session (default: the task's config.seed, else random).
        #[arg(long)]
        seed: Option<u64>,
        /// Number of successive batches.
        #[arg(long, default_value_t = 1)]
        count: usize,
    },
    /// Feed annotations through one session in file order; print one verdict a line, then the stats.
    Replay {
        /// Task JSON file.
        #[arg(long)]
        task: std::path::PathBuf,
        /// JSONL file of annotations.
        file: std::path::PathBuf,
        /// Seed of the session (default 0).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Run the collector: serve the pages and an HTTP API that stores and re-checks annotations.
    Serve(serve::ServeArgs),
    /// Run a seeded simulated crowd against a backend over HTTP (or write its records
    /// with --out); exits non-zero when an annotation was not acknowledged.
    Simulate(simulate::Options),
    /// Print the signatures of annotator ids for signed links (`serve --annotator-secret`).
    Sign {
        /// The collector's --annotator-secret (or PREFKIT_ANNOTATOR_SECRET).
        #[arg(long, env = "PREFKIT_ANNOTATOR_SECRET", hide_env_values = true)]
        secret: String,
        /// Annotator ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Agreement, annotator reliability and final labels of a JSONL annotation file, as JSON.
    Report(report::Options),
    /// Benchmarks that print numbers.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// AI-assisted labeling.
    #[command(subcommand)]
    Judge(JudgeCommand),
}

#[derive(Subcommand)]
pub(super) enum JudgeCommand {
    /// Route judge results (JSONL {item, label, confidence}) to accepted, spot-check,
    /// human and expert queues; print counts, costs, queues, agreement and calibration as JSON.
    Route(judge::RouteArgs),
}

#[derive(Subcommand)]
pub(super) enum BenchCommand {
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
    Session(bench_session::Crowd),
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
    Serve(bench_serve::Options),
}

#[derive(Subcommand)]
pub(super) enum ActiveCommand {
    /// Choose what to label next: a select request (strategy, budget, examples, ...) in, the selection out.
    Select {
        /// JSON select request.
        request: std::path::PathBuf,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Build pairs to label (best_of_n, models, temperatures): a pair request in, {examples, skipped} out.
    Pairs {
        /// JSON pair request.
        request: std::path::PathBuf,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Bradley-Terry leaderboard of the models compared.
    Leaderboard {
        /// JSON leaderboard request ({comparisons, config}).
        request: Option<std::path::PathBuf>,
        /// Or: a task whose examples name model_a and model_b in their metadata...
        #[arg(long, requires = "annotations", conflicts_with = "request")]
        task: Option<std::path::PathBuf>,
        /// ...and the JSONL annotations of it.
        #[arg(long, requires = "task")]
        annotations: Option<std::path::PathBuf>,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
}
