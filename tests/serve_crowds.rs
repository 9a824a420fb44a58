//! The collector under an open crowd: leases that run out, skips, reloads,
//! invented ids, signed links, progress, and blind mode revealing nothing
//! per item. A real `prefkit serve`, real SQLite, real HTTP.

mod collector;
mod support;

use collector::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A blind-mode task: `n` regular items `ex-NNNN`, `g` gold `ex-gNNN`
/// (gold `i` is `A>>` for even `i`, `B>` for odd), leases of `lease` s.
fn crowd_task(n: usize, g: usize, lease: f64, extra: Value) -> Value {
    let mut t = task("t", n, g);
    let mut config = json!({"batch_size": 10, "gold_fraction": 0.1, "overlap": 3,
        "lease_seconds": lease});
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    t["config"] = config;
    t
}

/// A server running `t` in blind mode, without an fsync per commit.
fn blind_crowd(name: &str, t: &Value) -> (Dir, Server) {
    with_task(name, t, &["--gold-mode", "blind", "--sync", "normal"])
}

fn batch(a: &ureq::Agent, s: &Server, who: &str) -> Value {
    let (status, body) = get(a, s, &format!("/api/tasks/t/batch?annotator={who}"));
    assert_eq!(status, 200, "{body}");
    json_of(&body)
}

fn ids(b: &Value) -> Vec<String> {
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The right label of an item as shown (gold: from the task; regular: `A>`).
fn right_shown(item: &Value) -> &'static str {
    let id = item["id"].as_str().unwrap();
    let canonical = match id.strip_prefix("ex-g") {
        Some(k) if k.parse::<usize>().unwrap() % 2 == 0 => ("A>>", "B>>"),
        Some(_) => ("B>", "A>"),
        None => ("A>", "B>"),
    };
    if item["swapped"].as_bool().unwrap() {
        canonical.1
    } else {
        canonical.0
    }
}

fn answer(id: &str, item: &Value, who: &str, label: &str) -> Value {
    json!({"id": id, "task_id": "t", "item": item["id"], "annotator": who, "label": label,
        "swapped": item["swapped"], "time_seconds": 12.0})
}

fn skip(id: &str, item: &str, who: &str, reason: &str) -> Value {
    json!({"id": id, "task_id": "t", "item": item, "annotator": who, "skip": reason})
}

fn progress(a: &ureq::Agent, s: &Server) -> Value {
    let (status, body) = admin_get(a, s, "/api/tasks/t/progress");
    assert_eq!(status, 200, "{body}");
    json_of(&body)
}

fn batch_rows(dir: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("db.sqlite")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM batches", [], |r| r.get(0))
        .unwrap()
}

/// The simulated open crowd: 300 items, overlap 3, 60 workers of
/// whom a third abandon their first batch, a third skip 20% of items and
/// the rest answer everything, plus 200 requests under invented ids.
#[test]
fn a_simulated_open_crowd_ends_with_every_item_at_exactly_overlap_labels() {
    let t = crowd_task(300, 30, 2.0, json!({"min_gold_for_flag": 1000}));
    let (dir, s) = blind_crowd("crowd", &t);
    let a = agent();
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let mut invented_held = 0;
    for k in 0..200 {
        invented_held += ids(&batch(
            &a,
            &s,
            &format!("probe-{k}-{}", rng.random::<u32>()),
        ))
        .len();
    }
    let (mut posted, mut skips, mut batches, mut empty) = (0usize, 0usize, 0usize, 0usize);
    let mut done = [false; 60];
    while started.elapsed() < Duration::from_secs(120) {
        let mut asked = false;
        for (w, finished) in done.iter_mut().enumerate() {
            if *finished {
                continue;
            }
            let who = format!("worker-{w}");
            let b = batch(&a, &s, &who);
            let items = b["items"].as_array().unwrap().clone();
            if items.is_empty() {
                empty += 1;
                continue;
            }
            asked = true;
            batches += 1;
            if w % 3 == 0 {
                // Walks away: the leases run out unanswered.
                *finished = true;
                continue;
            }
            for it in &items {
                posted += 1;
                let id = format!("{who}-{posted}");
                let body = if w % 3 == 1 && rng.random_bool(0.2) {
                    skips += 1;
                    skip(&id, it["id"].as_str().unwrap(), &who, "I can't judge this")
                } else {
                    answer(&id, it, &who, right_shown(it))
                };
                let (status, text) = post_annotations(&a, &s, &body);
                assert_eq!(status, 201, "{text}");
            }
        }
        let p = progress(&a, &s);
        if p["complete"] == 300 {
            break;
        }
        if !asked {
            // Everything free is held by someone: wait for leases to run out.
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let p = progress(&a, &s);
    assert_eq!(p["complete"], 300, "the task did not finish: {p}");
    let labels = export(&a, &s, "t");
    let mut per_item: BTreeMap<String, u32> = BTreeMap::new();
    for r in &labels {
        assert!(r.get("skip").is_none(), "a skip among the labels: {r}");
        let item = r["item"].as_str().unwrap();
        if !item.starts_with("ex-g") {
            *per_item.entry(item.to_string()).or_default() += 1;
        }
    }
    assert_eq!(per_item.len(), 300);
    assert!(per_item.values().all(|&n| n == 3), "{per_item:?}");
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/skips.jsonl");
    assert_eq!(status, 200);
    assert_eq!(body.lines().count(), skips);
    assert_eq!(p["skips"], skips);
    // Once their leases ran out, the invented ids hold nothing.
    std::thread::sleep(Duration::from_millis(2100));
    let p = progress(&a, &s);
    assert_eq!(
        (p["leased"].as_u64(), p["open"].as_u64()),
        (Some(0), Some(0)),
        "{p}"
    );
    println!(
        "simulated crowd: 300 items x 3 in {:.1} s; {batches} batches to 60 workers (20 abandoned), \
         {empty} empty answers while others held the items, {skips} skips, {} labels; \
         200 invented ids held {invented_held} items until their leases ran out; {} batch rows stored",
        started.elapsed().as_secs_f64(),
        labels.len(),
        batch_rows(&dir)
    );
}

#[test]
fn asking_again_under_the_same_id_gives_the_same_batch_and_stores_nothing() {
    let t = crowd_task(30, 5, 600.0, json!({}));
    let (dir, s) = blind_crowd("again", &t);
    let a = agent();
    let first = batch(&a, &s, "w1");
    let rows = batch_rows(&dir);
    assert_eq!(rows, 1);
    for _ in 0..50 {
        let again = batch(&a, &s, "w1");
        assert_eq!(again["resumed"], true);
        assert_eq!(again["items"], first["items"]);
        assert_eq!(again["batch_id"], first["batch_id"]);
    }
    // After one answer the rest comes back, in the same order and sides.
    let it = &first["items"][0];
    let (status, _) = post_annotations(&a, &s, &answer("a1", it, "w1", "A>"));
    assert_eq!(status, 201);
    let rest = batch(&a, &s, "w1");
    assert_eq!(
        rest["items"].as_array().unwrap()[..],
        first["items"].as_array().unwrap()[1..]
    );
    // An empty batch (everything held or done) stores nothing either.
    let t = crowd_task(9, 1, 600.0, json!({"overlap": 1}));
    let (dir2, s2) = blind_crowd("empty", &t);
    assert_eq!(ids(&batch(&a, &s2, "w1")).len(), 10);
    for k in 0..20 {
        assert!(ids(&batch(&a, &s2, &format!("other-{k}"))).is_empty());
    }
    assert_eq!(batch_rows(&dir2), 1);
    assert_eq!(batch_rows(&dir), 1);
}

#[test]
fn a_restart_neither_releases_nor_extends_a_lease() {
    let t = crowd_task(9, 1, 3.0, json!({"overlap": 1}));
    let (dir, mut s) = with_task("restart", &t, &["--gold-mode", "blind"]);
    let a = agent();
    let held = batch(&a, &s, "w1");
    s.kill();
    let s = Server::start(&dir, &["--gold-mode", "blind"]);
    // Still held: the same batch for w1, nothing for anyone else.
    assert_eq!(batch(&a, &s, "w1")["items"], held["items"]);
    assert!(ids(&batch(&a, &s, "w2")).is_empty());
    std::thread::sleep(Duration::from_millis(3100));
    // Run out: the regular items are w2's, never w1's again.
    let regular: Vec<String> = ids(&batch(&a, &s, "w2"))
        .into_iter()
        .filter(|i| !i.starts_with("ex-g"))
        .collect();
    assert_eq!(regular.len(), 9);
    assert!(ids(&batch(&a, &s, "w1")).is_empty());
}

#[test]
fn skips_are_stored_apart_from_labels_and_bad_skips_are_refused_naming_the_field() {
    let t = crowd_task(20, 2, 600.0, json!({}));
    let (_dir, s) = blind_crowd("skips", &t);
    let a = agent();
    let b = batch(&a, &s, "w1");
    let item = b["items"][0]["id"].as_str().unwrap();
    let (status, body) = post_annotations(&a, &s, &skip("k1", item, "w1", "The text is broken"));
    assert_eq!(status, 201, "{body}");
    let (status, _) = post_annotations(&a, &s, &skip("k1", item, "w1", "The text is broken"));
    assert_eq!(status, 200, "a retry is answered as a retry");
    let mut with_label = skip("k2", item, "w1", "no");
    with_label["label"] = json!("A>");
    let long = skip("k3", item, "w1", &"x".repeat(201));
    let not_leased = skip("k4", "ex-0019", "w1", "no");
    for (body, expect) in [
        (with_label, "label"),
        (long, "skip"),
        (not_leased, "not in an open batch"),
    ] {
        let (status, text) = post_annotations(&a, &s, &body);
        assert_eq!(status, 422, "{text}");
        assert!(text.contains(expect), "{text}");
    }
    assert!(export(&a, &s, "t").is_empty(), "a skip is not a label");
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/skips.jsonl");
    assert_eq!(status, 200);
    let rows: Vec<Value> = body.lines().map(json_of).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["skip"], "The text is broken");
    assert_eq!(progress(&a, &s)["skips"], 1);
    // The event stream sends it as a skip event, for the live dashboard.
    let (name, data) = events(&s, "0").next().expect("the stored skip");
    assert_eq!(name, "skip");
    assert_eq!(data["annotation"]["skip"], "The text is broken", "{data}");
    // The requester's report counts it in the annotator's row, as a skip.
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{body}");
    let report = json_of(&body);
    assert_eq!(report["counts"]["annotations"], 0);
    assert_eq!(report["counts"]["skips"], 1);
    let w1 = &report["annotators"][0];
    assert_eq!(
        (&w1["id"], &w1["total"], &w1["skips"]),
        (&json!("w1"), &json!(0), &json!(1))
    );
    assert_eq!(w1["skip_rate"], 1.0);
    let (status, _) = get(&a, &s, "/api/tasks/t/progress");
    assert_eq!(status, 401, "progress is the requester's");
}

#[test]
fn in_blind_mode_a_gold_verdict_and_a_regular_one_are_the_same_before_and_after_a_flag() {
    let t = crowd_task(
        40,
        10,
        600.0,
        json!({"batch_size": 10, "gold_fraction": 0.5,
        "min_gold_for_flag": 2, "min_gold_accuracy": 0.9}),
    );
    let (_dir, s) = blind_crowd("blind-flag", &t);
    let a = agent();
    let b = batch(&a, &s, "w1");
    let mut shapes = Vec::new();
    for (k, it) in b["items"].as_array().unwrap().iter().enumerate() {
        // Always "=": wrong on every gold item, so the flag is raised.
        let (status, body) = post_annotations(&a, &s, &answer(&format!("a{k}"), it, "w1", "="));
        assert_eq!(status, 201, "{body}");
        let mut v = json_of(&body);
        for key in ["id", "item"] {
            v["verdict"]["annotation"]
                .as_object_mut()
                .unwrap()
                .remove(key);
        }
        v["verdict"]["annotation"]
            .as_object_mut()
            .unwrap()
            .remove("swapped");
        v["verdict"]["progress"]
            .as_object_mut()
            .unwrap()
            .remove("done");
        v.as_object_mut().unwrap().remove("id");
        shapes.push(v);
    }
    assert!(
        shapes.windows(2).all(|w| w[0] == w[1]),
        "verdicts differ: {shapes:?}"
    );
    assert_eq!(shapes[0]["verdict"]["flag"], Value::Null);
    // The flag shows in the next batch, with no items and no gold counts.
    let next = batch(&a, &s, "w1");
    assert_eq!(
        (next["flagged"].clone(), ids(&next).len()),
        (json!(true), 0)
    );
}

#[test]
fn in_blind_mode_the_server_keeps_the_order_it_handed_out_whatever_swapped_the_client_sends() {
    let t = crowd_task(20, 2, 600.0, json!({"batch_size": 10}));
    let (_dir, s) = blind_crowd("swapped", &t);
    let a = agent();
    let b = batch(&a, &s, "w1");
    let items = b["items"].as_array().unwrap();
    let straight: Vec<&Value> = items.iter().filter(|i| i["swapped"] == false).collect();
    assert!(straight.len() >= 2, "seeded: some items shown unswapped");
    // A record in the order shown (no label_order) that claims swapped: true.
    let mut lie = answer("s1", straight[0], "w1", "A>>");
    lie["swapped"] = json!(true);
    let (status, body) = post_annotations(&a, &s, &lie);
    assert_eq!(status, 201, "{body}");
    // A canonical record with the wrong swapped keeps its label.
    let mut canon = answer("s2", straight[1], "w1", "B>");
    canon["swapped"] = json!(true);
    canon["label_order"] = json!("canonical");
    let (status, body) = post_annotations(&a, &s, &canon);
    assert_eq!(status, 201, "{body}");
    let stored: BTreeMap<String, Value> = export(&a, &s, "t")
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    assert_eq!(
        (
            stored["s1"]["label"].clone(),
            stored["s1"]["swapped"].clone()
        ),
        (json!("A>>"), json!(false))
    );
    assert_eq!(
        (
            stored["s2"]["label"].clone(),
            stored["s2"]["swapped"].clone()
        ),
        (json!("B>"), json!(false))
    );
    // A retry of the same content is a retry, not a conflict.
    let (status, _) = post_annotations(&a, &s, &lie);
    assert_eq!(status, 200);
}

#[test]
fn with_an_annotator_secret_only_signed_ids_get_batches_and_post() {
    let secret = "a-long-enough-secret";
    let (code, text, _) = support::prefkit(&["sign", "--secret", secret, "w1", "w2"]);
    assert_eq!(code, 0);
    let sigs: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    assert_eq!(sigs.len(), 2);
    let t = crowd_task(20, 2, 600.0, json!({}));
    let (_dir, s) = with_task(
        "signed",
        &t,
        &["--gold-mode", "blind", "--annotator-secret", secret],
    );
    let a = agent();
    let (status, body) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("sig"), "{body}");
    let (status, _) = get(
        &a,
        &s,
        &format!("/api/tasks/t/batch?annotator=w1&sig={}", sigs["w2"]),
    );
    assert_eq!(status, 403, "w2's signature is not w1's");
    let (status, body) = get(
        &a,
        &s,
        &format!("/api/tasks/t/batch?annotator=w1&sig={}", sigs["w1"]),
    );
    assert_eq!(status, 200, "{body}");
    let it = json_of(&body)["items"][0].clone();
    let rec = answer("p1", &it, "w1", "A>").to_string();
    let (status, _) = post(&a, &s, "/api/annotations", &rec);
    assert_eq!(status, 403);
    let (status, body) = post(
        &a,
        &s,
        &format!("/api/annotations?sig={}", sigs["w1"]),
        &rec,
    );
    assert_eq!(status, 201, "{body}");
}

fn simulate(args: &[&str]) -> (bool, String, String) {
    let (code, out, err) = support::prefkit(&[&["simulate"], args].concat());
    (code == 0, out, err)
}

#[test]
fn prefkit_simulate_against_a_blind_collector_with_leases_ends_with_the_task_complete() {
    let t = crowd_task(120, 12, 2.0, json!({"min_gold_for_flag": 1000}));
    let (dir, s) = blind_crowd("simulate", &t);
    let crowd = dir.join("crowd.json");
    std::fs::write(
        &crowd,
        json!({"seed": 5, "annotators": [
            {"id_prefix": "steady", "count": 12, "accuracy": 0.9},
            {"id_prefix": "gone", "count": 6, "abandon": 1.0},
            {"id_prefix": "unsure", "count": 6, "skip": 0.25}]})
        .to_string(),
    )
    .unwrap();
    let task_file = dir.join("task.json");
    let (ok, out, err) = simulate(&[
        "--task",
        task_file.to_str().unwrap(),
        "--crowd",
        crowd.to_str().unwrap(),
        "--endpoint",
        &s.url,
        "--concurrency",
        "4",
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("the collector's"), "{out}");
    assert!(out.contains("6 walked away"), "{out}");
    let a = agent();
    let p = progress(&a, &s);
    assert_eq!(p["complete"], 120, "{p} after {out}");
    let mut per_item: BTreeMap<String, u32> = BTreeMap::new();
    for r in export(&a, &s, "t") {
        let item = r["item"].as_str().unwrap().to_string();
        if !item.starts_with("ex-g") {
            *per_item.entry(item).or_default() += 1;
        }
    }
    assert!(per_item.values().all(|&n| n == 3), "{per_item:?}");
    // Every record says it was simulated.
    let labels = export(&a, &s, "t");
    assert!(
        labels.iter().all(|r| r["simulated"] == true),
        "{:?}",
        labels[0]
    );
    println!("{out}");
}

#[test]
fn a_collector_that_refuses_simulated_records_stores_none_of_them() {
    let t = crowd_task(20, 2, 600.0, json!({}));
    let (dir, s) = with_task(
        "refuse-simulated",
        &t,
        &[
            "--gold-mode",
            "blind",
            "--sync",
            "normal",
            "--refuse-simulated",
        ],
    );
    let task_file = dir.join("task.json");
    let (ok, out, err) = simulate(&[
        "--task",
        task_file.to_str().unwrap(),
        "--annotators",
        "3",
        "--endpoint",
        &s.url,
    ]);
    assert!(!ok, "{out}");
    assert!(err.contains("simulated"), "{err}");
    let a = agent();
    assert!(export(&a, &s, "t").is_empty());
    let (_, body) = admin_get(&a, &s, "/api/tasks/t/skips.jsonl");
    assert!(body.is_empty());
    // A person's record still goes in.
    let b = batch(&a, &s, "person");
    let (status, text) = post_annotations(&a, &s, &answer("p1", &b["items"][0], "person", "A>"));
    assert_eq!(status, 201, "{text}");
}

#[test]
fn prefkit_simulate_in_open_mode_assembles_batches_itself_and_fails_when_posts_are_refused() {
    let t = crowd_task(30, 3, 600.0, json!({}));
    let (dir, s) = with_task("simulate-open", &t, &["--sync", "normal"]);
    let task_file = dir.join("task.json");
    let task_file = task_file.to_str().unwrap();
    let (ok, out, err) = simulate(&[
        "--task",
        task_file,
        "--annotators",
        "4",
        "--endpoint",
        &s.url,
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("(local batches)"), "{out}");
    let a = agent();
    // One local session coordinates the 4: every regular item gets overlap 3.
    let mut per_item: BTreeMap<String, u32> = BTreeMap::new();
    for r in export(&a, &s, "t") {
        let item = r["item"].as_str().unwrap().to_string();
        if !item.starts_with("ex-g") {
            *per_item.entry(item).or_default() += 1;
        }
    }
    assert_eq!(per_item.len(), 30, "{out}");
    assert!(per_item.values().all(|&n| n == 3), "{per_item:?}");
    // A collector that takes signed links only refuses every post: exit 1.
    let (dir2, s2) = with_task(
        "simulate-refused",
        &t,
        &[
            "--sync",
            "normal",
            "--annotator-secret",
            "a-long-enough-secret",
        ],
    );
    let _ = dir2;
    let (ok, out, err) = simulate(&[
        "--task",
        task_file,
        "--annotators",
        "2",
        "--endpoint",
        &s2.url,
    ]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("were not acknowledged") && err.contains("403"),
        "{err}"
    );
}
