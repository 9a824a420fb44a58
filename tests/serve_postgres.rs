//! `prefkit serve --db postgres://...` end to end: a real server process on
//! a real, throwaway PostgreSQL cluster (see `collector/pg.rs`), real HTTP.
//! The collector's key behaviours, as the SQLite tests check them.

mod collector;

use collector::pg::Cluster;
use collector::*;
use serde_json::Value;

/// A cluster, a database in it, and a server on it with `t` loaded.
fn on_postgres(name: &str, t: &Value, args: &[&str]) -> (Cluster, Dir, String, Server) {
    let pg = Cluster::start(name);
    let db = pg.database("prefkit");
    let dir = temp_dir(name);
    let file = dir.join("task.json");
    std::fs::write(&file, t.to_string()).unwrap();
    let mut all = vec!["--task", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let s = Server::start_on(&db, &dir, &all);
    (pg, dir, db, s)
}

#[test]
fn on_postgres_a_retry_is_answered_with_the_first_verdict_a_conflict_is_refused_and_the_export_and_report_match(
) {
    let (_pg, dir, _db, s) = on_postgres("basics", &task("t", 6, 4), &[]);
    let a = agent();
    let body = annotation("a-1", "ex-0001", "w1", "A>").to_string();
    let (status, first) = post(&a, &s, "/api/annotations", &body);
    assert_eq!(status, 201, "{first}");
    let (status, again) = post(&a, &s, "/api/annotations", &body);
    assert_eq!(status, 200, "{again}");
    assert_eq!(json_of(&again)["duplicate"], true);
    assert_eq!(json_of(&again)["verdict"], json_of(&first)["verdict"]);
    let other = annotation("a-1", "ex-0001", "w1", "B>").to_string();
    assert_eq!(post(&a, &s, "/api/annotations", &other).0, 409);
    let items: Vec<String> = (0..6)
        .map(|i| format!("ex-{i:04}"))
        .chain((0..4).map(|i| format!("ex-g{i:03}")))
        .collect();
    for w in 2..5 {
        let batch: Vec<Value> = items
            .iter()
            .map(|item| {
                let label = if w == 4 { "B>>" } else { "A>>" };
                annotation(&format!("w{w}-{item}"), item, &format!("w{w}"), label)
            })
            .collect();
        let (status, body) = post_annotations(&a, &s, &Value::Array(batch));
        assert_eq!(status, 200, "{body}");
        assert_eq!(json_of(&body)["stored"], 10);
    }
    let stored = export(&a, &s, "t");
    assert_eq!(stored.len(), 31);
    assert_eq!(stored[0]["id"], "a-1", "in the order stored");
    let (status, report) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{report}");
    let (_, labels) = admin_get(&a, &s, "/api/tasks/t/annotations.jsonl");
    let (_, gold) = admin_get(&a, &s, "/api/tasks/t/gold.jsonl");
    assert_eq!(json_of(&report), offline_report(&dir, &labels, &gold));
}

#[test]
fn on_postgres_a_blind_batch_and_its_lease_survive_a_restart_and_stored_annotations_are_retries_after_it(
) {
    let (_pg, dir, db, mut s) = on_postgres(
        "restart",
        &task("t", 30, 6),
        &["--gold-mode", "blind", "--seed", "11"],
    );
    let a = agent();
    let (_, first) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    let first = json_of(&first);
    let items = first["items"].as_array().unwrap().clone();
    let answer = |s: &Server, it: &Value| post_annotations(&a, s, &annotation_of(it, "w1", "A>"));
    let (status, before) = answer(&s, &items[0]);
    assert_eq!(status, 201, "{before}");
    s.kill();
    let s = Server::start_on(&db, &dir, &[]);
    // The lease holds: the same batch comes back, without the answered item.
    let (_, resumed) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    let resumed = json_of(&resumed);
    assert_eq!(resumed["resumed"], true, "{resumed}");
    assert_eq!(resumed["batch_id"], first["batch_id"]);
    assert_eq!(resumed["items"].as_array().unwrap()[..], items[1..]);
    assert_retry(answer(&s, &items[0]), &before);
    for it in &items[1..] {
        let (status, body) = answer(&s, it);
        assert_eq!(status, 201, "{body}");
    }
    let (_, next) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    let next = json_of(&next);
    for it in next["items"].as_array().unwrap() {
        assert!(!items.contains(it), "item handed out twice");
    }
    assert_eq!(export(&a, &s, "t").len(), items.len(), "each label once");
}

#[test]
fn a_malformed_postgres_url_is_refused_naming_the_db_flag() {
    for url in ["postgres://user@:what/db", "postgres://"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefkit"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db", url])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url}: {err}");
        assert!(err.contains("--db"), "{url}: {err}");
        assert!(!err.contains("panicked"), "{url}: {err}");
    }
}
