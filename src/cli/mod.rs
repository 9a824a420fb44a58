//! Subcommands of the `prefkit` command. Each lives in its own file; this
//! one only parses arguments and dispatches.

mod batch;
mod bench;
mod bench_serve;
mod bench_session;
mod replay;
mod report;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "prefkit",
    version,
    about = "Collect and check pairwise preference data for RLHF"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a JSONL annotation file and print its labels, one canonical record a line.
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
    /// Agreement, annotator reliability and final labels of a JSONL annotation file, as JSON.
    Report {
        /// JSONL file of annotations.
        file: std::path::PathBuf,
        /// Gold answers: JSONL of {"item", "label"} (or a JSON array of them).
        #[arg(long)]
        gold: Option<std::path::PathBuf>,
        /// JSON settings (agreement, reliability, aggregation, min_reliability); unknown fields are refused.
        #[arg(long)]
        config: Option<std::path::PathBuf>,
        /// Least composite reliability for an annotator's labels to be aggregated (default 0.6).
        #[arg(long)]
        min_reliability: Option<f64>,
        /// Skip bad lines (they are counted in counts.skipped and listed on stderr) instead of stopping.
        #[arg(long)]
        skip_invalid: bool,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Benchmarks that print numbers.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
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
    /// Time the live session: next_batch and submit for many annotators on a big task.
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
    },
}

/// Exit code for bad input (a usage or data error).
pub const EXIT_BAD_INPUT: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { file, skip_invalid } => check(&file, skip_invalid),
        Command::Serve(args) => serve::serve(args),
        Command::Report {
            file,
            gold,
            config,
            min_reliability,
            skip_invalid,
            pretty,
        } => report::run(&report::Options {
            file: &file,
            gold: gold.as_deref(),
            config: config.as_deref(),
            min_reliability,
            skip_invalid,
            pretty,
        }),
        Command::Bench(BenchCommand::Data {
            dir,
            items,
            annotators,
            seed,
        }) => bench::data(&dir, items, annotators, seed),
        Command::Bench(BenchCommand::Session {
            items,
            annotators,
            batch_size,
            rounds,
            seed,
        }) => bench_session::run(items, annotators, batch_size, rounds, seed),
        Command::Batch {
            task,
            annotator,
            seed,
            count,
        } => batch::run(&task, &annotator, seed, count),
        Command::Replay { task, file, seed } => replay::run(&task, &file, seed),
        Command::Bench(BenchCommand::Serve {
            clients,
            annotations,
            batch,
            dir,
            sync,
        }) => bench_serve::run(&bench_serve::Options {
            clients,
            annotations,
            batch,
            dir,
            sync,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("prefkit: {message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Reads a whole file, with the path in the message on failure.
pub fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn check(file: &std::path::Path, skip_invalid: bool) -> Result<(), String> {
    let text = read(file)?;
    let parsed = prefkit::annotation::parse_annotations_jsonl(&text, skip_invalid)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    for s in &parsed.skipped {
        eprintln!("prefkit: {}: skipped {}", file.display(), s.error);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    use std::io::Write;
    for a in &parsed.records {
        writeln!(out, "{}", a.to_json_value()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
