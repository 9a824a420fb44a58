//! Two `prefkit serve` processes on one PostgreSQL database, any request
//! to either: the same batches, verdicts and flags as one process, exact
//! overlap, retries found wherever they land, and one event stream.

mod collector;

use collector::pg::Cluster;
use collector::*;
use serde_json::Value;
use std::time::Duration;

fn task_file(dir: &Dir, t: &Value) -> String {
    let file = dir.join("task.json");
    std::fs::write(&file, t.to_string()).unwrap();
    file.to_str().unwrap().to_string()
}

/// What a careful worker answers: the gold answer on gold items (the test
/// task's pattern), `A>` elsewhere; `careless` answers `B>>` everywhere.
fn label_for(item: &str, careless: bool) -> &'static str {
    if careless {
        return "B>>";
    }
    match item
        .strip_prefix("ex-g")
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) if n % 2 == 0 => "A>>",
        Some(_) => "B>",
        None => "A>",
    }
}

/// A batch without its lease time (which follows the clock).
fn batch_shape(body: &str) -> Value {
    let mut b = json_of(body);
    b.as_object_mut().unwrap().remove("lease_until");
    b
}

/// Four workers take batches and answer them, request `n` going to
/// `servers[n % len]`; every answer is then retried on the next server.
/// Returns every batch and verdict, in order.
fn transcript(servers: &[&Server]) -> Vec<Value> {
    let a = agent();
    let mut out = Vec::new();
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        servers[n % servers.len()]
    };
    for _round in 0..12 {
        for w in 0..4 {
            let annotator = format!("w{w}");
            let (status, body) = get(
                &a,
                next(),
                &format!("/api/tasks/t/batch?annotator={annotator}"),
            );
            assert_eq!(status, 200, "{body}");
            let batch = batch_shape(&body);
            let items = batch["items"].as_array().unwrap().clone();
            out.push(batch);
            for it in items {
                let label = label_for(it["id"].as_str().unwrap(), w == 3);
                let rec = annotation_of(&it, &annotator, label);
                let (status, body) = post_annotations(&a, next(), &rec);
                assert_eq!(status, 201, "{body}");
                let verdict = json_of(&body)["verdict"].clone();
                let (status, again) = post_annotations(&a, next(), &rec);
                assert_eq!(
                    status, 200,
                    "a retry on the other process is a retry: {again}"
                );
                assert_eq!(json_of(&again)["verdict"], verdict);
                out.push(verdict);
            }
        }
    }
    out
}

#[test]
fn a_worker_whose_requests_alternate_between_two_processes_gets_the_batches_verdicts_and_flags_of_one(
) {
    let pg = Cluster::start("alternate");
    let dir = temp_dir("alternate");
    let file = task_file(&dir, &task("t", 40, 8));
    let args = [
        "--task",
        file.as_str(),
        "--gold-mode",
        "blind",
        "--seed",
        "5",
    ];
    let one = Server::start_on(&pg.database("one"), &dir, &args);
    let expected = transcript(&[&one, &one]);
    let two = pg.database("two");
    let a = Server::start_on(&two, &dir, &args);
    let b = Server::start_on(&two, &dir, &args);
    let got = transcript(&[&a, &b]);
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "step {i} differs");
    }
    assert!(
        got.iter().any(|v| v["flagged"] == true),
        "the careless worker is flagged on both"
    );
    // Overlap is exact: no regular item has more labels than `overlap`,
    // and each has as many as with one process.
    let count = |s: &Server| {
        let mut per_item = std::collections::BTreeMap::new();
        for r in export(&agent(), s, "t") {
            *per_item
                .entry(r["item"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        per_item
    };
    let (on_one, on_two) = (count(&one), count(&b));
    assert_eq!(on_one, on_two);
    assert!(on_two
        .iter()
        .all(|(item, n)| item.starts_with("ex-g") || *n <= 3));
}

#[test]
fn an_annotation_stored_through_one_process_reaches_the_other_processes_event_stream_in_order_once()
{
    let pg = Cluster::start("events");
    let db = pg.database("prefkit");
    let dir = temp_dir("events");
    let file = task_file(&dir, &task("t", 10, 0));
    let a = Server::start_on(&db, &dir, &["--task", &file]);
    let b = Server::start_on(&db, &dir, &["--task", &file]);
    let http = agent();
    let post_one = |s: &Server, i: usize| {
        let rec = annotation(&format!("e-{i}"), &format!("ex-{i:04}"), "w1", "A>");
        assert_eq!(post_annotations(&http, s, &rec).0, 201);
    };
    let next = |rx: &std::sync::mpsc::Receiver<Value>| {
        rx.recv_timeout(Duration::from_secs(15)).expect("an event")
    };
    post_one(&a, 0);
    let (tx, rx) = std::sync::mpsc::channel();
    let got = std::thread::scope(|scope| {
        scope.spawn(|| read_events(&b, "0", 5, tx));
        let mut got = vec![next(&rx)];
        post_one(&a, 1);
        post_one(&b, 2);
        post_one(&a, 3);
        post_one(&a, 4);
        for _ in 0..4 {
            got.push(next(&rx));
        }
        got
    });
    assert_eq!(event_ids(&got), ["e-0", "e-1", "e-2", "e-3", "e-4"]);
    let seqs: Vec<i64> = got.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // Reconnecting to either process after e-2 gives e-3 and e-4 only.
    for s in [&a, &b] {
        let (tx, rx) = std::sync::mpsc::channel();
        read_events(s, &seqs[2].to_string(), 2, tx);
        let again: Vec<Value> = rx.try_iter().collect();
        assert_eq!(event_ids(&again), ["e-3", "e-4"]);
    }
}

#[test]
fn two_processes_started_at_once_on_an_empty_database_migrate_once_and_store_the_task_once() {
    let pg = Cluster::start("at-once");
    let db = pg.database("prefkit");
    let dir = temp_dir("at-once");
    let file = task_file(&dir, &task("t", 10, 0));
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| Server::start_on(&db, &dir, &["--task", &file]));
        let b = scope.spawn(|| Server::start_on(&db, &dir, &["--task", &file]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let http = agent();
    for s in [&a, &b] {
        let (status, body) = get(&http, s, "/api/tasks");
        assert_eq!(status, 200, "{body}");
        assert_eq!(json_of(&body)["tasks"][0]["id"], "t");
    }
    let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    let count =
        |c: &mut postgres::Client, sql: &str| c.query_one(sql, &[]).unwrap().get::<_, i64>(0);
    assert_eq!(count(&mut c, "SELECT COUNT(*) FROM prefkit_migrations"), 1);
    assert_eq!(count(&mut c, "SELECT COUNT(*) FROM tasks"), 1);
}

#[test]
fn a_task_uploaded_through_one_process_is_served_by_the_other_at_once() {
    let pg = Cluster::start("upload");
    let db = pg.database("prefkit");
    let dir = temp_dir("upload");
    let a = Server::start_on(&db, &dir, &[]);
    let b = Server::start_on(&db, &dir, &[]);
    let http = agent();
    let (status, body) = admin_post(
        &http,
        &a,
        "/api/tasks?gold_mode=blind&seed=4",
        &task("t", 12, 2).to_string(),
    );
    assert_eq!(status, 201, "{body}");
    // No waiting: the other process catches up when it meets the new id.
    let (status, batch) = get(&http, &b, "/api/tasks/t/batch?annotator=w1");
    assert_eq!(status, 200, "{batch}");
    let item = json_of(&batch)["items"][0].clone();
    let id = item["id"].as_str().unwrap();
    let mut rec = annotation("x-1", id, "w1", "A>");
    rec["swapped"] = item["swapped"].clone();
    assert_eq!(post_annotations(&http, &a, &rec).0, 201);
    assert_eq!(
        get(&http, &b, "/api/tasks/nope").0,
        404,
        "an unknown task is still 404"
    );
}
