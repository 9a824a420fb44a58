//! `prefkit bench serve`: the collector under load. Starts `prefkit serve`
//! on a fresh database, has many clients post annotations over loopback
//! (keep-alive HTTP/1.1, one connection each), then prints throughput,
//! latency percentiles and a zero-loss check read from the database itself.
//! With `--postgres URL` the database is PostgreSQL (a fresh database per
//! phase), with `--instances N` that many collectors share it.

use super::bench_db::Db;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// Settings of one run.
#[derive(clap::Args)]
pub struct Options {
    /// Concurrent clients (one keep-alive connection each).
    #[arg(long, default_value_t = 200)]
    pub clients: usize,
    /// Annotations posted in each phase.
    #[arg(long, default_value_t = 200_000)]
    pub annotations: usize,
    /// Annotations per request in the batched phase (1: single posts only).
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Working folder (a fresh database per phase).
    #[arg(long, default_value = "bench-data/serve")]
    pub dir: PathBuf,
    /// SQLite durability of the server: full or normal.
    #[arg(long, default_value = "full", value_parser = ["normal", "full"])]
    pub sync: String,
    /// Run against PostgreSQL instead of SQLite: a postgres:// URL whose user may create
    /// databases (each phase creates a fresh one and drops it after).
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// Collector processes on the one database (more than 1 needs --postgres); client c
    /// posts to process c mod N.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub instances: u32,
}

/// Runs the single-post phase, then (with `batch > 1`) the batched phase.
pub fn run(o: &Options) -> Result<(), String> {
    if o.clients == 0 || o.annotations < o.clients {
        return Err("--annotations must be at least --clients, and --clients at least 1".into());
    }
    if o.instances > 1 && o.postgres.is_none() {
        return Err("--instances: more than one collector needs --postgres".into());
    }
    let per_client = o.annotations / o.clients;
    let total = per_client * o.clients;
    let store = match &o.postgres {
        Some(_) => format!("PostgreSQL, {} collector process(es)", o.instances),
        None => format!("SQLite, sync={}", o.sync),
    };
    println!(
        "prefkit bench serve: {} clients, {total} annotations, {store}",
        o.clients
    );
    let mut sizes = vec![1];
    if o.batch > 1 {
        sizes.push(o.batch);
    }
    for size in sizes {
        phase(o, per_client, size)?;
    }
    Ok(())
}

/// One phase on its own fresh server and database.
fn phase(o: &Options, per_client: usize, size: usize) -> Result<(), String> {
    let dir = o.dir.join(format!("batch-{size}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let task = dir.join("task.json");
    std::fs::write(&task, task_json(per_client)).map_err(|e| e.to_string())?;
    let db = match &o.postgres {
        Some(url) => Db::postgres(url, &format!("prefkit_bench_{}_{size}", std::process::id()))?,
        None => Db::Sqlite(dir.join("db.sqlite")),
    };
    let mut servers = Vec::with_capacity(o.instances as usize);
    for _ in 0..o.instances {
        servers.push(Server::start(db.arg(), &task, &o.sync)?);
    }
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
    let clients = o.clients;
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let results = runtime.block_on(async move {
        let mut handles = Vec::with_capacity(clients);
        for c in 0..clients {
            let addr = addrs[c % addrs.len()].clone();
            handles.push(tokio::spawn(async move {
                client(&addr, c, per_client, size).await
            }));
        }
        let mut all = Vec::with_capacity(clients);
        for h in handles {
            all.push(h.await.map_err(|e| e.to_string())?);
        }
        Ok::<_, String>(all)
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = servers
        .iter()
        .map(|s| cpu_seconds(&format!("/proc/{}/stat", s.child.id())))
        .sum::<Option<f64>>();
    let client_cpu = cpu_seconds("/proc/self/stat");
    for s in &mut servers {
        s.stop();
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for r in results {
        let r = r?;
        latencies.extend(r.latencies_us);
        failures += r.failures;
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i] as f64 / 1000.0
    };
    let total = per_client * clients;
    println!(
        "  {} posts: {total} annotations in {} requests, {elapsed:.2} s: {:.0} annotations/s; \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; non-2xx answers: {failures}",
        if size == 1 {
            "single".to_string()
        } else {
            format!("batched ({size} a request)")
        },
        latencies.len(),
        total as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
    if let (Some(s), Some(c)) = (server_cpu, client_cpu) {
        println!(
            "  CPU: server {:.1} s ({:.0} us an annotation), this client {:.1} s in total; \
             on 2 idle cores the server alone would take at most {:.0} annotations/s",
            s,
            s * 1e6 / total as f64,
            c,
            2.0 * total as f64 / s
        );
    }
    let checked = zero_loss(&db, clients, per_client);
    db.drop_database();
    checked
}

/// User + system CPU seconds of a process, from `/proc/PID/stat` (Linux).
fn cpu_seconds(stat: &str) -> Option<f64> {
    let text = std::fs::read_to_string(stat).ok()?;
    // Fields after the command name (which is in parentheses).
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A task with `n` pairs: every client labels each once.
fn task_json(n: usize) -> String {
    let examples: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"id": format!("ex-{i}"), "prompt": "p", "response_a": "a", "response_b": "b"}))
        .collect();
    serde_json::json!({"task_id": "bench", "examples": examples, "config": {"seed": 1}}).to_string()
}

fn record(c: usize, i: usize) -> String {
    const LABELS: [&str; 5] = ["A>>", "A>", "=", "B>", "B>>"];
    format!(
        "{{\"id\":\"c{c}-{i}\",\"task_id\":\"bench\",\"item\":\"ex-{i}\",\"annotator\":\"w{c}\",\
         \"label\":\"{}\",\"time_seconds\":12.5,\"swapped\":false,\"label_order\":\"canonical\"}}",
        LABELS[(c + i) % 5]
    )
}

struct ClientResult {
    latencies_us: Vec<u32>,
    failures: usize,
}

/// One client: posts its annotations in requests of `size`, one at a time.
async fn client(addr: &str, c: usize, n: usize, size: usize) -> Result<ClientResult, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut stream = BufStream::new(stream);
    let mut out = ClientResult {
        latencies_us: Vec::with_capacity(n / size + 1),
        failures: 0,
    };
    let mut i = 0;
    while i < n {
        let end = (i + size).min(n);
        let body = if size == 1 {
            record(c, i)
        } else {
            let recs: Vec<String> = (i..end).map(|k| record(c, k)).collect();
            format!("[{}]", recs.join(","))
        };
        let t = Instant::now();
        let status = post(&mut stream, addr, &body)
            .await
            .map_err(|e| format!("client {c}: {e}"))?;
        out.latencies_us
            .push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if !(200..300).contains(&status) {
            out.failures += 1;
        }
        i = end;
    }
    Ok(out)
}

/// A minimal keep-alive HTTP/1.1 POST; returns the status (body read and dropped).
async fn post(s: &mut BufStream<TcpStream>, host: &str, body: &str) -> std::io::Result<u16> {
    let head = format!(
        "POST /api/annotations HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    s.write_all(body.as_bytes()).await?;
    s.flush().await?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    s.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|t| t.parse::<u16>().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut length = 0usize;
    loop {
        line.clear();
        if s.read_line(&mut line).await? == 0 {
            return Err(bad("connection closed in the headers"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| bad("bad content-length"))?;
            }
        }
    }
    let mut buf = vec![0u8; length];
    s.read_exact(&mut buf).await?;
    Ok(status)
}

/// Counts rows and distinct ids in the database and looks for every id.
fn zero_loss(db: &Db, clients: usize, per_client: usize) -> Result<(), String> {
    let (rows, distinct, ids) = db.annotations()?;
    let expected = clients * per_client;
    let missing = (0..clients)
        .flat_map(|c| (0..per_client).map(move |i| (c, i)))
        .filter(|(c, i)| !ids.contains(&format!("c{c}-{i}")))
        .count();
    let ok = rows as usize == expected && distinct as usize == expected && missing == 0;
    println!(
        "  zero loss: {} (rows {rows}, distinct ids {distinct}, expected {expected}, missing {missing})",
        if ok { "yes" } else { "NO" }
    );
    if ok {
        Ok(())
    } else {
        Err("annotations were lost or duplicated".into())
    }
}

/// The server under test, a child process of this one.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &std::ffi::OsStr, task: &Path, sync: &str) -> Result<Server, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--task")
            .arg(task)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--admin-token",
                "bench",
                "--sync",
                sync,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start prefkit serve: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("prefkit serve did not start: {line:?}"))?
            .to_string();
        Ok(Server { child, addr })
    }

    /// Stops the server the hard way: what was answered must be on disk.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
