//! Subcommands of the `prefkit` command. Each lives in its own file;
//! `args` holds the grammar (the clap enums), this one dispatches on it and
//! holds the file readers the subcommands share.

mod active;
mod args;
mod batch;
mod bench;
mod bench_db;
mod bench_serve;
mod bench_session;
mod bench_shapes;
mod check;
mod judge;
mod replay;
mod report;
mod serve;
mod simulate;

use args::{ActiveCommand, BenchCommand, Cli, Command, JudgeCommand};
use clap::Parser;
use std::process::ExitCode;

/// Exit code for bad input (a usage or data error).
pub const EXIT_BAD_INPUT: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { file, skip_invalid } => check::run(&file, skip_invalid),
        Command::Active(ActiveCommand::Select { request, pretty }) => {
            active::select(&request, pretty)
        }
        Command::Active(ActiveCommand::Pairs { request, pretty }) => {
            active::pairs(&request, pretty)
        }
        Command::Active(ActiveCommand::Leaderboard {
            request,
            task,
            annotations,
            pretty,
        }) => active::leaderboard(
            request.as_deref(),
            task.as_deref(),
            annotations.as_deref(),
            pretty,
        ),
        Command::Serve(args) => serve::serve(args),
        Command::Sign { secret, ids } => serve::sign(&secret, &ids),
        Command::Simulate(options) => simulate::run(&options),
        Command::Report(options) => report::run(&options),
        Command::Bench(BenchCommand::Report { dir, python }) => {
            bench::report(&bench::ReportBench {
                dir: &dir,
                python: python.as_deref(),
            })
        }
        Command::Bench(BenchCommand::Data {
            dir,
            items,
            annotators,
            seed,
        }) => bench::data(&dir, items, annotators, seed),
        Command::Judge(JudgeCommand::Route(args)) => judge::route(&args),
        Command::Bench(BenchCommand::Session(crowd)) => bench_session::run(&crowd),
        Command::Bench(BenchCommand::Shapes { only, path, child }) => match (child, &only, &path) {
            (true, Some(o), Some(p)) => bench_shapes::one(o, p),
            _ => bench_shapes::run(only.as_deref(), path.as_deref()),
        },
        Command::Batch {
            task,
            annotator,
            seed,
            count,
        } => batch::run(&task, &annotator, seed, count),
        Command::Replay { task, file, seed } => replay::run(&task, &file, seed),
        Command::Bench(BenchCommand::Serve(options)) => bench_serve::run(&options),
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

/// Reads a whole JSONL file as bytes: its reader decodes each line on its
/// own, so a line that is not UTF-8 is reported (or skipped) by number.
pub fn read_jsonl(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// An annotation file opened to be read as a stream, with its length in
/// bytes when known.
pub fn open_jsonl(path: &std::path::Path) -> Result<(std::fs::File, Option<u64>), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((file, len))
}
