//! `prefkit serve`: command-line flags of the collector.

use crate::server::{Config, Durability, GoldMode, Limits};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where annotations are stored: a SQLite file (created if missing; WAL mode; also
    /// `sqlite:PATH`) for one process, or `postgres://user:password@host:port/database`
    /// for any number of processes on one database. Also read from PREFKIT_DB.
    #[arg(
        long,
        env = "PREFKIT_DB",
        hide_env_values = true,
        default_value = "prefkit.sqlite"
    )]
    db: String,
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
    /// Origin allowed to call from another site (repeatable). By default any origin may use the
    /// annotator's side (its endpoints and the static files); naming origins narrows it to them
    /// and opens the requester's endpoints to them. `*` opens only the annotator's side.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Largest accepted request body, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// SQLite durability (PostgreSQL commits are as durable as the server's settings make them). `full`: a 2xx survives a killed process, an OS crash and a power loss;
    /// `normal`: a killed process only (faster: no fsync per commit).
    #[arg(long, default_value = "full", value_parser = ["normal", "full"])]
    sync: String,
    /// Take an annotator id only with its signature (`sig` query parameter or
    /// X-Prefkit-Sig header: hex HMAC-SHA256 of the id under this secret; see
    /// `prefkit sign`). Also read from PREFKIT_ANNOTATOR_SECRET.
    #[arg(long, env = "PREFKIT_ANNOTATOR_SECRET", hide_env_values = true)]
    annotator_secret: Option<String>,
    /// Refuse records marked `"simulated": true` (from `prefkit simulate` or the element's
    /// simulate mode) with 422: for collectors of real crowds.
    #[arg(long)]
    refuse_simulated: bool,
    /// Time a client has to send a request's header, from connecting (or from the first byte
    /// after an idle spell); a slower connection is closed. `10s`, `500ms`, `2m`; a bare number is seconds.
    #[arg(long, default_value = "10s", value_parser = duration, value_name = "TIME")]
    header_timeout: Duration,
    /// Time a client has to send a request's body, after its header (larger task uploads
    /// over slow links may need more); a slower body is answered 408.
    #[arg(long, default_value = "30s", value_parser = duration, value_name = "TIME")]
    body_timeout: Duration,
    /// Time a kept-alive connection may sit between requests before it is closed. Event
    /// streams are never cut: a request being answered is not idle.
    #[arg(long, default_value = "60s", value_parser = duration, value_name = "TIME")]
    idle_timeout: Duration,
    /// Connections open at once; further ones wait to be accepted until one closes.
    /// Lowered, with a warning, if the open-file limit cannot fit it.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
}

/// A duration flag: `10s`, `500ms`, `2m`, or a bare number of seconds;
/// more than zero, at most a day.
fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let scale = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "expected a time like 10s, 500ms or 2m, got \"{text}\""
            ))
        }
    };
    let seconds = number
        .parse::<f64>()
        .map_err(|_| format!("expected a time like 10s, 500ms or 2m, got \"{text}\""))?
        * scale;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "must be more than zero and at most a day, got \"{text}\""
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
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
            Durability::Full
        } else {
            Durability::Normal
        },
        annotator_secret: args.annotator_secret,
        refuse_simulated: args.refuse_simulated,
        limits: Limits {
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            idle_timeout: args.idle_timeout,
            max_connections: args.max_connections as usize,
        },
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
