//! `prefkit serve`: the collector. It serves the annotator page and an
//! HTTP API, stores every annotation in SQLite (one process) or PostgreSQL
//! (any number of processes on one database) and re-checks each one with
//! the core's session. Native only. See `docs/collector.md`.

mod admin;
mod annotations;
mod api;
mod conn;
mod error;
mod exposure;
mod http;
mod jobs;
pub mod sign;
mod state;
pub mod store;
mod tasks;
mod writer;

pub use conn::Limits;
pub use store::Durability;
pub use tasks::GoldMode;
pub use writer::unix_now;

use std::path::PathBuf;
use std::sync::Arc;
use store::{PostgresStore, SqliteStore, Store};
use tokio::sync::{broadcast, mpsc};

/// Everything `prefkit serve` is told on its command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://...` (or `postgresql://...`), else a SQLite file
    /// (`sqlite:PATH` or a plain path).
    pub db: String,
    pub www: PathBuf,
    pub addr: String,
    pub tasks: Vec<PathBuf>,
    pub gold_mode: GoldMode,
    /// Seed of new tasks' sessions; else the task's own, else drawn and stored.
    pub seed: Option<u64>,
    pub admin_token: Option<String>,
    pub cors_origins: Vec<String>,
    pub max_body: usize,
    pub sync: Durability,
    /// With a secret, annotator ids need their signature (see [`sign`]).
    pub annotator_secret: Option<String>,
    /// Refuse records marked `"simulated": true` (production collectors).
    pub refuse_simulated: bool,
    /// Connection timeouts and cap.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: "prefkit.sqlite".to_string(),
            www: PathBuf::from("www"),
            addr: "127.0.0.1:8080".to_string(),
            tasks: Vec::new(),
            gold_mode: GoldMode::Open,
            seed: None,
            admin_token: None,
            cors_origins: Vec::new(),
            max_body: 1 << 20,
            sync: Durability::Full,
            annotator_secret: None,
            refuse_simulated: false,
            limits: Limits::default(),
        }
    }
}

/// Runs the collector until interrupted. The first line on stdout is
/// `listening on http://ADDR` with the bound address (useful with port 0).
pub fn run(config: Config) -> Result<(), String> {
    for warning in exposure::check(&config.tasks, &config.www, config.gold_mode)? {
        eprintln!("prefkit serve: warning: {warning}");
    }
    let (max_connections, lowered) = conn::fit_open_file_limit(config.limits.max_connections);
    if let Some(warning) = lowered {
        eprintln!("prefkit serve: warning: {warning}");
    }
    let limits = Limits {
        max_connections,
        ..config.limits
    };
    let (store, name) = open_store(&config.db, config.sync)?;
    let shared = store.shared();
    let readers = store.readers();
    let registry = Arc::new(tasks::Registry::default());
    let (live, _) = broadcast::channel(8192);
    let mut writer = writer::Writer::new(store, registry.clone(), live.clone());
    let restored = writer.restore().map_err(|e| format!("{name}: {e}"))?;
    eprintln!(
        "prefkit serve: {name}: {} tasks, {} annotations, {} batches restored",
        restored.tasks, restored.annotations, restored.batches
    );
    if restored.mismatches > 0 {
        eprintln!(
            "prefkit serve: warning: {} stored verdicts or batches differ when replayed \
             (the stored ones are kept and served)",
            restored.mismatches
        );
    }
    for path in &config.tasks {
        load_task_file(&mut writer, path, config.gold_mode, config.seed)?;
    }
    let admin_token = match &config.admin_token {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        Some(_) => return Err("--admin-token must not be empty".to_string()),
        None => new_token()?,
    };
    let (jobs, rx) = mpsc::channel(16 * 1024);
    std::thread::Builder::new()
        .name("prefkit-writer".into())
        .spawn(move || writer.run(rx))
        .map_err(|e| format!("cannot start the writer thread: {e}"))?;
    if shared {
        // Other processes store too: catch up with them while idle, so
        // their annotations reach this process's event streams.
        let sync = jobs.clone();
        std::thread::Builder::new()
            .name("prefkit-sync".into())
            .spawn(move || {
                while !sync.is_closed() {
                    std::thread::sleep(jobs::SYNC_EVERY);
                    // A full queue is busy catching up already.
                    let _ = sync.try_send(writer::Job::Sync(None));
                }
            })
            .map_err(|e| format!("cannot start the sync thread: {e}"))?;
    }
    if !config.www.is_dir() {
        eprintln!(
            "prefkit serve: warning: {} is not a directory; only the API is served",
            config.www.display()
        );
    }
    let shared = Arc::new(state::Shared {
        jobs,
        registry,
        readers,
        live,
        admin_token: admin_token.clone(),
        max_body: config.max_body,
        gold_mode: config.gold_mode,
        seed: config.seed,
        annotator_secret: config.annotator_secret.clone().map(String::into_bytes),
        refuse_simulated: config.refuse_simulated,
        shared,
    });
    let app = api::router(shared, &config.www, &config.cors_origins);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = conn::bind(&config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        if config.admin_token.is_none() {
            println!("admin token: {admin_token}");
        }
        // Ctrl-C stops at once, without waiting for open event streams:
        // every answered request is already committed, and one in flight
        // was not answered, so the client retries it.
        tokio::select! {
            _ = conn::serve(listener, app, limits) => Ok::<(), String>(()),
            _ = tokio::signal::ctrl_c() => {
                eprintln!("prefkit serve: stopped");
                Ok(())
            }
        }
    })?;
    // Do not wait for blocking tasks (a report being computed) to finish.
    runtime.shutdown_background();
    Ok(())
}

/// Opens the store `--db` names, and the name to show for it (a
/// PostgreSQL URL without its password).
fn open_store(db: &str, sync: Durability) -> Result<(Box<dyn Store>, String), String> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        let config = store::postgres_config(db)?;
        let name = format!(
            "PostgreSQL database {:?} at {}",
            config.get_dbname().unwrap_or("(default)"),
            config
                .get_hosts()
                .iter()
                .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
                .map(|(h, p)| match h {
                    postgres::config::Host::Tcp(h) => format!("{h}:{p}"),
                    postgres::config::Host::Unix(path) => format!("{}:{p}", path.display()),
                })
                .collect::<Vec<_>>()
                .join(",")
        );
        let store = PostgresStore::open(config).map_err(|e| format!("{name}: {e}"))?;
        return Ok((Box::new(store), name));
    }
    let path = PathBuf::from(db.strip_prefix("sqlite:").unwrap_or(db));
    if path.as_os_str().is_empty() {
        return Err("--db: expected a SQLite file path or a postgres:// URL".to_string());
    }
    let name = path.display().to_string();
    let store = SqliteStore::open(&path, sync).map_err(|e| format!("{name}: {e}"))?;
    store
        .checkpoint_in_background(std::time::Duration::from_millis(500))
        .map_err(|e| format!("{name}: {e}"))?;
    Ok((Box::new(store), name))
}

/// Stores a task given with `--task` (or checks it equals the stored one).
fn load_task_file(
    writer: &mut writer::Writer,
    path: &std::path::Path,
    gold_mode: GoldMode,
    seed: Option<u64>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value = prefkit::json::Strict::parse(&text, "task")
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let task =
        admin::new_task(&value, gold_mode, seed).map_err(|e| format!("{}: {e}", path.display()))?;
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    writer.apply_now(writer::Job::AddTask {
        task: Box::new(task),
        seed_given: seed.is_some(),
        reply: tx,
    });
    match rx.try_recv() {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{}: {}", path.display(), e.message)),
        Err(_) => Err(format!("{}: the task was not stored", path.display())),
    }
}

/// A fresh random admin token (128 bits, hex).
fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot make an admin token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
