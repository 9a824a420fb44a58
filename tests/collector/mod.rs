//! What the end-to-end tests of `prefkit serve` share: a real server
//! process on an ephemeral port, a real SQLite file in a temporary
//! directory (or a real PostgreSQL cluster, see [`pg`]), real HTTP.
#![allow(dead_code)]

pub mod pg;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TOKEN: &str = "test-admin-token";

/// A temporary directory, removed when dropped.
pub struct Dir(pub PathBuf);

impl std::ops::Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> Dir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "prefkit-serve-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(
        dir.join("www/index.html"),
        "<!doctype html><title>prefkit</title>",
    )
    .unwrap();
    Dir(dir)
}

/// A task of `n` regular pairs and `g` gold pairs (gold explanations carry
/// a marker that must never appear in a blind-mode response).
pub fn task(id: &str, n: usize, g: usize) -> Value {
    let examples: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("ex-{i:04}"), "prompt": format!("q{i}"), "response_a": "a", "response_b": "b"}))
        .collect();
    let gold: Vec<Value> = (0..g)
        .map(|i| {
            json!({"id": format!("ex-g{i:03}"), "prompt": format!("gq{i}"), "response_a": "right",
            "response_b": "wrong", "label": if i % 2 == 0 { "A>>" } else { "B>" },
            "explanation": format!("SECRET-GOLD-{i}")})
        })
        .collect();
    json!({"task_id": id, "guidelines": "Pick the better response.", "examples": examples, "gold": gold,
        "config": {"batch_size": 10, "gold_fraction": 0.2, "overlap": 3}})
}

/// [`task`] with the keys of `config` set over its config.
pub fn task_with(id: &str, n: usize, g: usize, config: Value) -> Value {
    let mut t = task(id, n, g);
    if let (Some(c), Value::Object(over)) = (t["config"].as_object_mut(), config) {
        c.extend(over);
    }
    t
}

pub struct Server {
    pub child: Child,
    pub url: String,
    /// Everything the server wrote on stderr so far.
    pub stderr: Arc<Mutex<String>>,
    /// The thread that drains stderr, done once the server is gone.
    drained: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `prefkit serve` on the database in `dir` with `args`.
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        Server::try_start(dir, args)
            .unwrap_or_else(|(code, err)| panic!("prefkit serve exited with {code:?}: {err}"))
    }

    /// Starts `prefkit serve`, or returns its exit code and stderr if it
    /// stops before listening.
    pub fn try_start(dir: &Path, args: &[&str]) -> Result<Server, (Option<i32>, String)> {
        Server::try_start_on(dir.join("db.sqlite").as_os_str(), dir, args)
    }

    /// Starts `prefkit serve` on the database `db` (a file or a URL),
    /// serving `dir/www`.
    pub fn start_on(db: &str, dir: &Path, args: &[&str]) -> Server {
        Server::try_start_on(db.as_ref(), dir, args)
            .unwrap_or_else(|(code, err)| panic!("prefkit serve exited with {code:?}: {err}"))
    }

    pub fn try_start_on(
        db: &std::ffi::OsStr,
        dir: &Path,
        args: &[&str],
    ) -> Result<Server, (Option<i32>, String)> {
        Server::try_start_as(prefkit_command(), TOKEN, db, dir, args)
    }

    /// Starts `prefkit serve` through `command` (see [`prefkit_command`]) with
    /// `token` as the admin token, on the database `db`, serving `dir/www`.
    pub fn try_start_as(
        mut command: Command,
        token: &str,
        db: &std::ffi::OsStr,
        dir: &Path,
        args: &[&str],
    ) -> Result<Server, (Option<i32>, String)> {
        let mut child = command
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--www")
            .arg(dir.join("www"))
            .args(["--addr", "127.0.0.1:0", "--admin-token", token])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start prefkit serve");
        // Drained all along, so a chatty server never blocks on the pipe.
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        let drained = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let code = child.wait().ok().and_then(|s| s.code());
            let _ = drained.join();
            let err = stderr.lock().unwrap().clone();
            return Err((code, format!("first line {line:?}; stderr: {err}")));
        };
        Ok(Server {
            url: url.to_string(),
            child,
            stderr,
            drained: Some(drained),
        })
    }

    /// The host and port the server listens on.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL on Unix
        let _ = self.child.wait();
    }

    /// Kills the server and returns all it wrote on stderr.
    pub fn stop(&mut self) -> String {
        self.kill();
        if let Some(drained) = self.drained.take() {
            let _ = drained.join();
        }
        self.stderr.lock().unwrap().clone()
    }
}

/// The `prefkit` binary, to start with [`Server::try_start_as`]; a wrapper
/// command that runs the program and arguments that follow it works too.
pub fn prefkit_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prefkit"))
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// `(status, body)` of a request; `auth` adds the admin token.
pub fn call(
    a: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&str>,
    auth: bool,
) -> (u16, String) {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if auth {
        req = req.header("authorization", format!("Bearer {TOKEN}"));
    }
    let req = req
        .header("content-type", "application/json")
        .body(body.unwrap_or("").to_string())
        .unwrap();
    match a.run(req) {
        Ok(mut res) => {
            let status = res.status().as_u16();
            (status, res.body_mut().read_to_string().unwrap_or_default())
        }
        Err(e) => (0, e.to_string()),
    }
}

pub fn post(a: &ureq::Agent, s: &Server, path: &str, body: &str) -> (u16, String) {
    call(a, "POST", &format!("{}{path}", s.url), Some(body), false)
}

pub fn get(a: &ureq::Agent, s: &Server, path: &str) -> (u16, String) {
    call(a, "GET", &format!("{}{path}", s.url), None, false)
}

pub fn admin_get(a: &ureq::Agent, s: &Server, path: &str) -> (u16, String) {
    call(a, "GET", &format!("{}{path}", s.url), None, true)
}

pub fn admin_post(a: &ureq::Agent, s: &Server, path: &str, body: &str) -> (u16, String) {
    call(a, "POST", &format!("{}{path}", s.url), Some(body), true)
}

/// Every stored record of `task`, from the export.
pub fn export(a: &ureq::Agent, s: &Server, task: &str) -> Vec<Value> {
    let (status, body) = admin_get(a, s, &format!("/api/tasks/{task}/annotations.jsonl"));
    assert_eq!(status, 200, "{body}");
    body.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Writes the task file and starts a server with it loaded.
pub fn with_task(name: &str, t: &Value, args: &[&str]) -> (Dir, Server) {
    with_task_as(name, t, prefkit_command(), TOKEN, args)
}

/// [`with_task`] through `command` with `token` as the admin token (see
/// [`Server::try_start_as`]).
pub fn with_task_as(
    name: &str,
    t: &Value,
    command: Command,
    token: &str,
    args: &[&str],
) -> (Dir, Server) {
    let dir = temp_dir(name);
    let file = dir.join("task.json");
    std::fs::write(&file, t.to_string()).unwrap();
    let mut all = vec!["--task", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let db = dir.join("db.sqlite");
    let s = Server::try_start_as(command, token, db.as_os_str(), &dir, &all)
        .unwrap_or_else(|(code, err)| panic!("prefkit serve exited with {code:?}: {err}"));
    (dir, s)
}

pub fn annotation(id: &str, item: &str, annotator: &str, label: &str) -> Value {
    json!({"id": id, "task_id": "t", "item": item, "annotator": annotator, "label": label,
        "time_seconds": 9.5, "swapped": false, "label_order": "canonical"})
}

/// `annotator`'s [`annotation`] of the batch item `it`, under the id
/// `{annotator}-{item}`, with the swap the batch showed.
pub fn annotation_of(it: &Value, annotator: &str, label: &str) -> Value {
    let item = it["id"].as_str().unwrap();
    let mut rec = annotation(&format!("{annotator}-{item}"), item, annotator, label);
    rec["swapped"] = it["swapped"].clone();
    rec
}

/// Posts a record, or an array of them, to `/api/annotations`.
pub fn post_annotations(a: &ureq::Agent, s: &Server, records: &Value) -> (u16, String) {
    post(a, s, "/api/annotations", &records.to_string())
}

/// Checks that `(status, body)` answers a retry of a record first answered
/// `first`: 200, with the first verdict again.
pub fn assert_retry((status, body): (u16, String), first: &str) {
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json_of(&body)["verdict"],
        json_of(first)["verdict"],
        "{body}"
    );
}

/// The text of the header `name`, which must be there.
pub fn header<'a>(h: &'a ureq::http::HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The annotation ids of events read by [`read_events`], in order.
pub fn event_ids(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["annotation"]["id"].as_str().unwrap())
        .collect()
}

/// Runs `prefkit report` on files, as a requester would on the export.
pub fn offline_report(dir: &std::path::Path, labels: &str, gold: &str) -> Value {
    let (file, gold_file) = (dir.join("export.jsonl"), dir.join("gold.jsonl"));
    std::fs::write(&file, labels).unwrap();
    std::fs::write(&gold_file, gold).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .arg("report")
        .arg(&file)
        .arg("--gold")
        .arg(&gold_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&String::from_utf8_lossy(&out.stdout))
}

/// The events of task `t` from `s` after `last`, as they come: each
/// event's name and data.
pub fn events(s: &Server, last: &str) -> impl Iterator<Item = (String, Value)> {
    let req = ureq::http::Request::builder()
        .uri(format!("{}/api/tasks/t/events?token={TOKEN}", s.url))
        .header("last-event-id", last)
        .body(())
        .unwrap();
    let res = agent().run(req).unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let mut lines = BufReader::new(res.into_body().into_reader()).lines();
    let mut name = String::from("message");
    std::iter::from_fn(move || loop {
        let line = lines.next()?.ok()?;
        if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            return Some((
                std::mem::replace(&mut name, "message".into()),
                json_of(data),
            ));
        }
    })
}

/// Reads `want` events of task `t` from `s` after `last`, sending each
/// one's data on `tx`.
pub fn read_events(s: &Server, last: &str, want: usize, tx: std::sync::mpsc::Sender<Value>) {
    for (_, data) in events(s, last).take(want) {
        tx.send(data).unwrap();
    }
}
