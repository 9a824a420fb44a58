//! `prefkit serve`: command-line flags of the collector.

use crate::server::{Config, GoldMode, Sync};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// SQLite database file (created if missing; WAL mode).
    #[arg(long, default_value = "prefkit.sqlite")]
    db: PathBuf,
    /// Directory of the pages to serve (with the built `pkg/`).
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Task JSON file to load (repeatable). A task stored before must be unchanged.
    #[arg(long = "task", value_name = "FILE")]
    tasks: Vec<PathBuf>,
    /// Gold mode of tasks loaded with --task or uploaded without `?gold_mode=`:
    /// `open` serves gold answers to the page, `blind` never lets them leave the server.
    #[arg(long, default_value = "open", value_parser = ["open", "blind"])]
    gold_mode: String,
    /// Seed of the sessions of new tasks; default: the task's `config.seed`, else
    /// drawn at random. Stored with the task, so a restart replays the same batches.
    #[arg(long)]
    seed: Option<u64>,
    /// Bearer token of the requester endpoints; generated and printed if not given.
    #[arg(long)]
    admin_token: Option<String>,
    /// Origin allowed to call the API from another site (repeatable; `*` for any).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Largest accepted request body, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// SQLite durability. `full`: a 2xx survives a killed process, an OS crash and a power loss;
    /// `normal`: a killed process only (faster: no fsync per commit).
    #[arg(long, default_value = "full", value_parser = ["normal", "full"])]
    sync: String,
    /// Take an annotator id only with its signature (`sig` query parameter or
    /// X-Prefkit-Sig header: hex HMAC-SHA256 of the id under this secret; see
    /// `prefkit sign`). Also read from PREFKIT_ANNOTATOR_SECRET.
    #[arg(long, env = "PREFKIT_ANNOTATOR_SECRET", hide_env_values = true)]
    annotator_secret: Option<String>,
}

pub fn serve(args: ServeArgs) -> Result<(), String> {
    if args
        .annotator_secret
        .as_deref()
        .is_some_and(|s| s.len() < 16)
    {
        return Err("--annotator-secret: use at least 16 characters".to_string());
    }
    crate::server::run(Config {
        db: args.db,
        www: args.www,
        addr: args.addr,
        tasks: args.tasks,
        gold_mode: GoldMode::parse(&args.gold_mode).unwrap_or(GoldMode::Open),
        seed: args.seed,
        admin_token: args.admin_token,
        cors_origins: args.cors_origins,
        max_body: args.max_body,
        sync: if args.sync == "full" {
            Sync::Full
        } else {
            Sync::Normal
        },
        annotator_secret: args.annotator_secret,
    })
}

/// `prefkit sign`: one line per id, `ID<TAB>SIGNATURE`, for signed links
/// (`...?annotator=ID&sig=SIGNATURE`).
pub fn sign(secret: &str, ids: &[String]) -> Result<(), String> {
    if secret.len() < 16 {
        return Err("--secret: use at least 16 characters".to_string());
    }
    for id in ids {
        println!("{id}\t{}", crate::server::sign::sign(secret.as_bytes(), id));
    }
    Ok(())
}
