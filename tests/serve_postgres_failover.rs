//! Two `prefkit serve` processes on one PostgreSQL database under load:
//! one is SIGKILLed and restarted, then PostgreSQL itself stops and
//! starts, while workers post round-robin with retries. Nothing answered
//! is lost, nothing is stored twice, overlap stays exact, and the
//! processes answer 503 while the database is down and recover alone.

mod collector;

use collector::pg::Cluster;
use collector::*;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

const WORKERS: usize = 4;
const ITEMS: usize = 120;
const OVERLAP: usize = 3;

/// The workers' view: the processes' addresses (one changes on restart),
/// what was acknowledged, and every status seen.
struct Load {
    urls: RwLock<Vec<String>>,
    acked: Mutex<HashSet<String>>,
    statuses: Mutex<BTreeMap<u16, usize>>,
    turn: AtomicUsize,
}

impl Load {
    /// Sends a request round-robin until it is answered 200 or 201; a
    /// refused connection (a killed process) or a 503 is tried again on
    /// the next process. Any other status fails the test.
    fn until_answered(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let a = agent();
        for _attempt in 0..2000 {
            let n = self.turn.fetch_add(1, Ordering::Relaxed);
            let url = {
                let urls = self.urls.read().unwrap();
                format!("{}{path}", urls[n % urls.len()])
            };
            let (status, text) = call(&a, method, &url, body, false);
            *self.statuses.lock().unwrap().entry(status).or_insert(0) += 1;
            match status {
                200 | 201 => return (status, text),
                0 | 503 => std::thread::sleep(Duration::from_millis(10)),
                _ => panic!("{method} {path}: {status} {text}"),
            }
        }
        panic!("{method} {path}: never answered");
    }

    /// One worker takes batches and answers them until it gets an empty one.
    fn work(&self, annotator: &str) {
        for _batch in 0..200 {
            let (_, body) = self.until_answered(
                "GET",
                &format!("/api/tasks/t/batch?annotator={annotator}"),
                None,
            );
            let items = json_of(&body)["items"].as_array().unwrap().clone();
            if items.is_empty() {
                return;
            }
            for it in items {
                let item = it["id"].as_str().unwrap();
                let label = match item
                    .strip_prefix("ex-g")
                    .and_then(|n| n.parse::<u32>().ok())
                {
                    Some(n) if n % 2 == 0 => "A>>",
                    Some(_) => "B>",
                    None => "A>",
                };
                let rec = annotation_of(&it, annotator, label);
                self.until_answered("POST", "/api/annotations", Some(&rec.to_string()));
                self.acked
                    .lock()
                    .unwrap()
                    .insert(format!("{annotator}-{item}"));
            }
        }
        panic!("{annotator}: more batches than items");
    }

    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }
}

/// Waits (bounded) until `ready` or every worker is done.
fn wait_for(ready: impl Fn() -> bool, done: &AtomicUsize) {
    for _ in 0..3000 {
        if ready() || done.load(Ordering::SeqCst) == WORKERS {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the load stalled");
}

#[test]
fn a_killed_process_and_a_restarted_database_lose_nothing_store_nothing_twice_and_keep_overlap_exact(
) {
    let pg = Cluster::start("failover");
    let db = pg.database("prefkit");
    let dir = temp_dir("failover");
    let t = task_with("t", ITEMS, 6, json!({ "overlap": OVERLAP }));
    let file = dir.join("task.json");
    std::fs::write(&file, t.to_string()).unwrap();
    let args = [
        "--task",
        file.to_str().unwrap(),
        "--gold-mode",
        "blind",
        "--seed",
        "3",
    ];
    let mut a = Server::start_on(&db, &dir, &args);
    let b = Server::start_on(&db, &dir, &args);
    let load = Load {
        urls: RwLock::new(vec![a.url.clone(), b.url.clone()]),
        acked: Mutex::new(HashSet::new()),
        statuses: Mutex::new(BTreeMap::new()),
        turn: AtomicUsize::new(0),
    };
    let done = AtomicUsize::new(0);
    let total = ITEMS * OVERLAP;
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (load, done) = (&load, &done);
            scope.spawn(move || {
                load.work(&format!("w{w}"));
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        wait_for(|| load.acked() >= total / 5, &done);
        a.kill();
        a = Server::start_on(&db, &dir, &args);
        load.urls.write().unwrap()[0] = a.url.clone();

        wait_for(|| load.acked() >= total / 2, &done);
        pg.stop();
        let http = agent();
        let probe = annotation("probe", "ex-0000", "probe", "A>").to_string();
        for s in [&a, &b] {
            let (status, body) = post(&http, s, "/api/annotations", &probe);
            assert_eq!(status, 503, "while the database is down: {body}");
            assert!(
                !body.contains("postgres") && !body.contains("SQL"),
                "{body}"
            );
            let (status, _) = admin_get(&http, s, "/api/tasks/t/annotations.jsonl");
            assert_eq!(status, 503, "an export while the database is down");
        }
        std::thread::sleep(Duration::from_millis(300));
        pg.resume();
    });
    // Workers that stopped on an empty batch while others held leases
    // take what is left, until no worker gets anything.
    for _round in 0..20 {
        let before = load.acked();
        for w in 0..WORKERS {
            load.work(&format!("w{w}"));
        }
        if load.acked() == before {
            break;
        }
    }
    let statuses = load.statuses.lock().unwrap().clone();
    assert!(
        statuses.keys().all(|s| [0, 200, 201, 503].contains(s)),
        "{statuses:?}"
    );
    let http = agent();
    let records = export(&http, &b, "t");
    let ids: Vec<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let stored: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(stored.len(), ids.len(), "an annotation stored twice");
    assert_eq!(stored, *load.acked.lock().unwrap(), "acknowledged = stored");
    let mut per_item: BTreeMap<String, usize> = BTreeMap::new();
    for r in &records {
        *per_item
            .entry(r["item"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    let regular: Vec<(&String, &usize)> = per_item
        .iter()
        .filter(|(i, _)| !i.starts_with("ex-g"))
        .collect();
    assert_eq!(regular.len(), ITEMS);
    assert!(regular.iter().all(|(_, n)| **n == OVERLAP), "{regular:?}");
    // Both processes report the same, equal to `prefkit report` on the export.
    let (_, labels) = admin_get(&http, &a, "/api/tasks/t/annotations.jsonl");
    let (_, gold) = admin_get(&http, &a, "/api/tasks/t/gold.jsonl");
    let offline = offline_report(&dir, &labels, &gold);
    for s in [&a, &b] {
        let (status, report) = admin_get(&http, s, "/api/tasks/t/report");
        assert_eq!(status, 200, "{report}");
        assert_eq!(json_of(&report), offline);
    }
    eprintln!("statuses seen: {statuses:?}");
}
