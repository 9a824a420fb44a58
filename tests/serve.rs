//! `prefkit serve` end to end: a real server process on an ephemeral port,
//! a real SQLite file in a temporary directory, real HTTP.

mod collector;

use collector::*;
use prefkit::report::ReportConfig;
use prefkit::FromJson;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[test]
fn a_retry_of_the_same_annotation_is_answered_200_with_the_first_verdict_and_stored_once() {
    let (_dir, s) = with_task("retry", &task("t", 20, 0), &[]);
    let a = agent();
    let body = annotation("a-1", "ex-0001", "w1", "A>").to_string();
    let (status, first) = post(&a, &s, "/api/annotations", &body);
    assert_eq!(status, 201, "{first}");
    let first = json_of(&first);
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["verdict"]["status"], "accepted");
    // The same record with its fields in another order and as the page
    // shows it (swapped, label as seen) is the same content.
    let shown = json!({"label": "B>", "swapped": true, "annotator": "w1", "item": "ex-0001",
        "task_id": "t", "id": "a-1", "time_seconds": 9.5});
    let body2 = annotation("a-1", "ex-0001", "w1", "A>");
    for retry in [body2.clone(), body2] {
        let (status, again) = post_annotations(&a, &s, &retry);
        assert_eq!(status, 200, "{again}");
        let again = json_of(&again);
        assert_eq!(again["duplicate"], true);
        assert_eq!(
            again["verdict"], first["verdict"],
            "the first verdict is served again"
        );
    }
    let (status, _) = post_annotations(&a, &s, &shown);
    assert_eq!(status, 409, "swapped=true changes the canonical record");
    // In an array, a retry is reported per element.
    let arr = json!([
        annotation("a-1", "ex-0001", "w1", "A>"),
        annotation("a-2", "ex-0002", "w1", "=")
    ]);
    let (status, res) = post_annotations(&a, &s, &arr);
    assert_eq!(status, 200, "{res}");
    let res = json_of(&res);
    assert_eq!(
        (res["stored"].as_u64(), res["duplicates"].as_u64()),
        (Some(1), Some(1))
    );
    let stored = export(&a, &s, "t");
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["id"], "a-1");
    assert_eq!(stored[0]["label_order"], "canonical");
}

#[test]
fn the_same_id_with_different_content_is_refused_with_409_and_the_first_record_is_kept() {
    let (_dir, s) = with_task("conflict", &task("t", 20, 0), &[]);
    let a = agent();
    let (status, _) = post_annotations(&a, &s, &annotation("a-1", "ex-0001", "w1", "A>"));
    assert_eq!(status, 201);
    let (status, body) = post_annotations(&a, &s, &annotation("a-1", "ex-0001", "w1", "B>>"));
    assert_eq!(status, 409, "{body}");
    assert!(json_of(&body)["error"]
        .as_str()
        .unwrap()
        .contains("\"a-1\" is already stored with different content"));
    // A conflict anywhere in an array refuses the whole array.
    let arr = json!([
        annotation("a-2", "ex-0002", "w1", "A>"),
        annotation("a-1", "ex-0001", "w1", "=")
    ]);
    let (status, body) = post_annotations(&a, &s, &arr);
    assert_eq!(status, 409, "{body}");
    assert!(
        json_of(&body)["error"]
            .as_str()
            .unwrap()
            .starts_with("annotations[1]: "),
        "{body}"
    );
    // Twice in one array with different content.
    let arr = json!([
        annotation("a-3", "ex-0003", "w1", "A>"),
        annotation("a-3", "ex-0003", "w1", "B>")
    ]);
    assert_eq!(post_annotations(&a, &s, &arr).0, 409);
    let stored = export(&a, &s, "t");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["label"], "A>");
}

#[test]
fn malformed_oversized_and_wrongly_typed_bodies_get_4xx_with_clear_messages_and_store_nothing() {
    let (dir, s) = with_task("bad", &task("t", 20, 0), &["--max-body", "4096"]);
    let a = agent();
    let good = annotation("g-1", "ex-0001", "w1", "A>");
    let mut wrong_type = good.clone();
    wrong_type["time_seconds"] = json!("slow");
    let mut bad_label = good.clone();
    bad_label["label"] = json!("A>>>");
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("id");
    let mut unknown_task = good.clone();
    unknown_task["task_id"] = json!("nope");
    let big = Value::Array(vec![good.clone(); 200]).to_string();
    let cases: Vec<(String, u16, &str)> = vec![
        ("{\"id\": \"x\",".into(), 400, "not valid JSON"),
        ("".into(), 400, "empty"),
        (
            "42".into(),
            400,
            "expected an annotation object or an array of them, got a number",
        ),
        ("[]".into(), 400, "empty"),
        (
            wrong_type.to_string(),
            422,
            "field \"time_seconds\": expected a number, got \"slow\"",
        ),
        (bad_label.to_string(), 422, "unknown label \"A>>>\""),
        (no_id.to_string(), 422, "missing required field \"id\""),
        (unknown_task.to_string(), 404, "unknown task \"nope\""),
        (
            json!([good, wrong_type]).to_string(),
            422,
            "annotations[1]: field \"time_seconds\"",
        ),
        (big.clone(), 413, "larger than the limit of 4096 bytes"),
    ];
    for (body, want, says) in cases {
        let (status, text) = post(&a, &s, "/api/annotations", &body);
        assert_eq!(status, want, "{body:.80} -> {text}");
        let msg = json_of(&text)["error"].as_str().unwrap().to_string();
        assert!(msg.contains(says), "{msg:?} should say {says:?}");
        let internal = msg.to_lowercase().contains("sql") || msg.contains(dir.to_str().unwrap());
        assert!(!internal, "no internals: {msg}");
    }
    // Unknown routes and methods are JSON errors too.
    let (status, text) = get(&a, &s, "/api/nothing");
    assert_eq!((status, json_of(&text)["error"].is_string()), (404, true));
    let (status, text) = call(
        &a,
        "DELETE",
        &format!("{}/api/annotations", s.url),
        None,
        false,
    );
    assert_eq!((status, json_of(&text)["error"].is_string()), (405, true));
    assert!(export(&a, &s, "t").is_empty(), "nothing was stored");
    // A task upload (admin only) may be larger than --max-body.
    let big_task = task("big", 200, 0).to_string();
    assert!(big_task.len() > 4096);
    let (status, body) = admin_post(&a, &s, "/api/tasks", &big_task);
    assert_eq!(status, 201, "{body}");
}

#[test]
fn the_pages_are_served_from_www_and_a_missing_file_is_a_json_404() {
    let (dir, s) = with_task("static", &task("t", 3, 0), &[]);
    std::fs::create_dir_all(dir.join("www/pkg")).unwrap();
    std::fs::write(dir.join("www/pkg/prefkit_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let a = agent();
    let (status, body) = get(&a, &s, "/");
    assert_eq!(
        (status, body.contains("<title>prefkit</title>")),
        (200, true)
    );
    let res = a
        .get(format!("{}/pkg/prefkit_bg.wasm", s.url))
        .call()
        .unwrap();
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/wasm"
    );
    let (status, body) = get(&a, &s, "/nothing.html");
    assert_eq!(status, 404);
    assert_eq!(json_of(&body)["error"], "not found: /nothing.html");
    let (status, _) = get(&a, &s, "/../db.sqlite");
    assert!(
        status == 404 || status == 400,
        "no way out of www: {status}"
    );
}

#[test]
fn blind_mode_never_returns_a_gold_answer_in_any_response_over_many_batches() {
    let t = task_with("t", 60, 12, json!({"gold_feedback": true}));
    let (_dir, s) = with_task("blind", &t, &["--gold-mode", "blind"]);
    let a = agent();
    let mut responses = Vec::new();
    let (status, public) = get(&a, &s, "/api/tasks/t");
    assert_eq!(status, 200);
    let p = json_of(&public);
    assert!(
        p.get("gold").is_none() && p["config"].get("seed").is_none(),
        "{public}"
    );
    responses.push(public);
    let mut gold_seen = 0;
    for w in 0..12 {
        let annotator = format!("w{w}");
        for round in 0..8 {
            let (status, batch) = get(&a, &s, &format!("/api/tasks/t/batch?annotator={annotator}"));
            assert_eq!(status, 200, "{batch}");
            let b = json_of(&batch);
            responses.push(batch.clone());
            let items = b["items"].as_array().unwrap().clone();
            if items.is_empty() {
                break;
            }
            for (k, it) in items.iter().enumerate() {
                let item = it["id"].as_str().unwrap();
                gold_seen += usize::from(item.starts_with("ex-g"));
                let label = ["A>>", "A>", "=", "B>", "B>>"][(w + k + round) % 5];
                let rec = annotation_of(it, &annotator, label);
                let (status, body) = post_annotations(&a, &s, &rec);
                assert!(status == 201 || status == 422, "{status} {body}");
                let v = json_of(&body);
                if status == 201 {
                    assert!(v["verdict"]["gold"].is_null(), "{body}");
                }
                responses.push(body);
            }
        }
    }
    assert!(gold_seen > 20, "gold items were handed out ({gold_seen})");
    for r in &responses {
        assert!(
            !r.contains("SECRET-GOLD"),
            "a response carries a gold explanation: {r}"
        );
        assert!(!r.contains("\"label\":\"A>>\",\"explanation\""), "{r}");
        let v = json_of(r);
        for it in v["items"].as_array().into_iter().flatten() {
            assert!(it.get("label").is_none(), "batch item with a label: {it}");
        }
    }
    // An item never handed to this annotator is refused, and not stored.
    let before = export(&a, &s, "t").len();
    let (status, body) = post_annotations(&a, &s, &annotation("x-1", "ex-0001", "stranger", "A>"));
    assert_eq!(status, 422, "{body}");
    assert_eq!(export(&a, &s, "t").len(), before);
}

#[test]
fn a_server_killed_with_sigkill_under_concurrent_posts_keeps_every_acknowledged_annotation() {
    let (dir, mut s) = with_task("sigkill", &task("t", 400, 0), &[]);
    let url = s.url.clone();
    let clients = 8;
    let per_client = 400;
    let ids = |c: usize| -> Vec<(String, Value)> {
        (0..per_client)
            .map(|i| {
                let id = format!("c{c}-{i}");
                let rec = annotation(&id, &format!("ex-{i:04}"), &format!("w{c}"), "A>");
                (id, rec)
            })
            .collect()
    };
    let answered = AtomicUsize::new(0);
    let acked: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let url = url.clone();
                let answered = &answered;
                scope.spawn(move || {
                    let a = agent();
                    let mut acked = Vec::new();
                    for (id, rec) in ids(c) {
                        let (status, _) = call(
                            &a,
                            "POST",
                            &format!("{url}/api/annotations"),
                            Some(&rec.to_string()),
                            false,
                        );
                        if (200..300).contains(&status) {
                            acked.push(id);
                            answered.fetch_add(1, Ordering::SeqCst);
                        } else {
                            break; // the server is gone
                        }
                    }
                    acked
                })
            })
            .collect();
        // Kill once a few hundred posts were answered: clients are mid-stream.
        let started = std::time::Instant::now();
        while answered.load(Ordering::SeqCst) < 300 && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        s.kill();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let acked: Vec<String> = acked.into_iter().flatten().collect();
    assert!(
        !acked.is_empty(),
        "some posts were answered before the kill"
    );
    assert!(
        acked.len() < clients * per_client,
        "the kill came while clients were posting"
    );

    let s = Server::start(&dir, &[]);
    let a = agent();
    let stored: std::collections::HashSet<String> = export(&a, &s, "t")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged annotation {id} was lost");
    }
    // Clients retry everything; each annotation ends up stored exactly once.
    std::thread::scope(|scope| {
        for c in 0..clients {
            let s = &s;
            scope.spawn(move || {
                let a = agent();
                for (id, rec) in ids(c) {
                    let (status, body) = post_annotations(&a, s, &rec);
                    assert!(status == 200 || status == 201, "{id}: {status} {body}");
                }
            });
        }
    });
    let records = export(&a, &s, "t");
    let unique: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(records.len(), clients * per_client);
    assert_eq!(unique.len(), clients * per_client);
}

#[test]
fn requester_endpoints_need_the_admin_token() {
    let (_dir, s) = with_task("auth", &task("t", 5, 0), &[]);
    let a = agent();
    for path in [
        "/api/tasks/t/report",
        "/api/tasks/t/report_config",
        "/api/tasks/t/annotations.jsonl",
        "/api/tasks/t/gold.jsonl",
        "/api/tasks/t/events",
    ] {
        let (status, body) = get(&a, &s, path);
        assert_eq!(status, 401, "{path}: {body}");
        assert!(json_of(&body)["error"]
            .as_str()
            .unwrap()
            .contains("admin token"));
        let (status, _) = get(&a, &s, &format!("{path}?token=wrong"));
        assert_eq!(status, 401, "{path} with a wrong token");
    }
    let (status, _) = post(&a, &s, "/api/tasks", &task("t2", 5, 0).to_string());
    assert_eq!(status, 401);
    // Annotator endpoints are open.
    assert_eq!(get(&a, &s, "/api/tasks/t").0, 200);
    assert_eq!(get(&a, &s, "/api/tasks/t/batch?annotator=w1").0, 200);
    assert_eq!(admin_get(&a, &s, "/api/tasks/t/annotations.jsonl").0, 200);
}

#[test]
fn a_cors_preflight_from_an_allowed_origin_is_answered_and_other_origins_get_no_grant() {
    let (_dir, s) = with_task(
        "cors",
        &task("t", 5, 0),
        &["--cors-origin", "https://crowd.example"],
    );
    let a = agent();
    let preflight = |origin: &str| {
        let req = ureq::http::Request::builder()
            .method("OPTIONS")
            .uri(format!("{}/api/annotations", s.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(())
            .unwrap();
        a.run(req).unwrap()
    };
    let ok = preflight("https://crowd.example");
    assert!(ok.status().is_success());
    let h = ok.headers();
    assert_eq!(
        h.get("access-control-allow-origin").unwrap(),
        "https://crowd.example"
    );
    assert!(header(h, "access-control-allow-methods").contains("POST"));
    assert!(header(h, "access-control-allow-headers").contains("content-type"));
    let other = preflight("https://evil.example");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn a_task_uploaded_over_http_survives_a_restart_and_cannot_be_changed() {
    let dir = temp_dir("upload");
    let a = agent();
    let t = task("up", 10, 2);
    {
        let s = Server::start(&dir, &[]);
        let (status, body) =
            admin_post(&a, &s, "/api/tasks?gold_mode=blind&seed=5", &t.to_string());
        assert_eq!(status, 201, "{body}");
        assert_eq!(json_of(&body)["seed"], 5);
        let (status, body) = admin_post(&a, &s, "/api/tasks?gold_mode=blind", &t.to_string());
        assert_eq!(
            (status, json_of(&body)["created"].clone()),
            (200, json!(false)),
            "{body}"
        );
        let mut changed = t.clone();
        changed["guidelines"] = json!("other");
        let (status, _) = admin_post(&a, &s, "/api/tasks?gold_mode=blind", &changed.to_string());
        assert_eq!(status, 409);
        let (status, body) = admin_post(&a, &s, "/api/tasks", "{\"examples\": 3}");
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("examples"), "{body}");
    }
    let s = Server::start(&dir, &[]);
    let (status, body) = get(&a, &s, "/api/tasks/up");
    assert_eq!(status, 200);
    assert!(
        json_of(&body).get("gold").is_none(),
        "still blind after restart"
    );
}

#[test]
fn the_report_covers_the_stored_annotations_with_the_task_gold() {
    let (_dir, s) = with_task("report", &task("t", 6, 4), &[]);
    let a = agent();
    let (status, empty) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{empty}");
    assert_eq!(json_of(&empty)["counts"]["annotations"], 0);
    let items: Vec<String> = (0..6)
        .map(|i| format!("ex-{i:04}"))
        .chain((0..4).map(|i| format!("ex-g{i:03}")))
        .collect();
    let mut n = 0;
    for w in 0..3 {
        let batch: Vec<Value> = items
            .iter()
            .map(|item| {
                n += 1;
                annotation(
                    &format!("w{w}-{item}"),
                    item,
                    &format!("w{w}"),
                    if w == 2 { "B>>" } else { "A>>" },
                )
            })
            .collect();
        let (status, body) = post_annotations(&a, &s, &Value::Array(batch));
        assert_eq!(status, 200, "{body}");
        assert_eq!(json_of(&body)["stored"], 10);
    }
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{body}");
    let r = json_of(&body);
    assert_eq!(r["counts"]["annotations"], n);
    assert_eq!(r["counts"]["gold_items"], 4);
    assert_eq!(r["annotators"].as_array().unwrap().len(), 3);
    assert_eq!(
        admin_get(&a, &s, "/api/tasks/t/report?min_reliability=abc").0,
        400
    );
    assert_eq!(admin_get(&a, &s, "/api/tasks/zzz/report").0, 404);
    // The gold the report used, for the dashboard's live view: one line each.
    let (status, gold) = admin_get(&a, &s, "/api/tasks/t/gold.jsonl");
    assert_eq!(status, 200, "{gold}");
    let gold: Vec<Value> = gold.lines().map(json_of).collect();
    assert_eq!(gold.len(), 4);
    assert!(gold
        .iter()
        .all(|g| g["item"].as_str().unwrap().starts_with("ex-g") && g["label"].is_string()));
    assert_eq!(admin_get(&a, &s, "/api/tasks/zzz/gold.jsonl").0, 404);
}

#[test]
fn the_report_flags_annotators_with_the_task_thresholds_not_the_defaults() {
    // Everyone answers `A>>` on four gold pairs whose answers alternate
    // `A>>` and `B>`: a gold accuracy of 0.5. The report's default flag
    // needs five gold answers; this task flags after four, below 0.6.
    let t = task_with("t", 2, 4, json!({"min_gold_for_flag": 4}));
    let (_dir, s) = with_task("report-thresholds", &t, &[]);
    let a = agent();
    let items = [
        "ex-0000", "ex-0001", "ex-g000", "ex-g001", "ex-g002", "ex-g003",
    ];
    for w in 0..2 {
        let batch: Vec<Value> = items
            .iter()
            .map(|item| annotation(&format!("w{w}-{item}"), item, &format!("w{w}"), "A>>"))
            .collect();
        assert_eq!(post_annotations(&a, &s, &Value::Array(batch)).0, 200);
    }
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{body}");
    let r = json_of(&body);
    let annotators = r["annotators"].as_array().unwrap();
    assert_eq!(annotators.len(), 2);
    for row in annotators {
        assert_eq!(row["gold_total"], 4, "{row}");
        assert_eq!(row["gold_accuracy"], 0.5, "{row}");
        assert_eq!(row["flagged"], true, "{row}");
    }
    // The settings it used, for the dashboard: a report config file.
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/report_config");
    assert_eq!(status, 200, "{body}");
    let config = ReportConfig::from_json(&body).unwrap();
    assert_eq!(config.reliability.flag_min_gold, 4);
    assert_eq!(config.reliability.flag_gold_accuracy_below, 0.6);
    assert_eq!(admin_get(&a, &s, "/api/tasks/zzz/report_config").0, 404);
}

#[test]
fn the_event_stream_sends_each_new_annotation_and_replays_after_last_event_id() {
    let (_dir, s) = with_task("events", &task("t", 10, 0), &[]);
    let a = agent();
    let post_one = |i: usize| {
        let rec = annotation(&format!("e-{i}"), &format!("ex-{i:04}"), "w1", "A>");
        assert_eq!(post_annotations(&a, &s, &rec).0, 201);
    };
    let next = |rx: &std::sync::mpsc::Receiver<Value>| {
        rx.recv_timeout(Duration::from_secs(15)).expect("an event")
    };
    // e-0 is stored before the stream opens and comes from the backlog,
    // which is read after subscribing: e-1 and e-2, posted once e-0 has
    // arrived, can only come live.
    post_one(0);
    let (tx, rx) = std::sync::mpsc::channel();
    let posted = std::thread::scope(|scope| {
        scope.spawn(|| read_events(&s, "0", 3, tx));
        let mut got = vec![next(&rx)];
        post_one(1);
        post_one(2);
        got.push(next(&rx));
        got.push(next(&rx));
        got
    });
    assert_eq!(event_ids(&posted), ["e-0", "e-1", "e-2"]);
    assert_eq!(posted[0]["verdict"]["status"], "accepted");
    // Reconnecting after e-0 replays only what came after it.
    let first_seq = posted[0]["seq"].to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    read_events(&s, &first_seq, 2, tx);
    let again: Vec<Value> = rx.try_iter().collect();
    assert_eq!(
        event_ids(&again),
        ["e-1", "e-2"],
        "only what came after the last event id"
    );
}

#[test]
fn a_blind_batch_handed_out_before_a_restart_can_be_answered_after_it() {
    let (dir, mut s) = with_task(
        "replay",
        &task("t", 30, 6),
        &["--gold-mode", "blind", "--seed", "11"],
    );
    let a = agent();
    let (_, first) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    let items = json_of(&first)["items"].as_array().unwrap().clone();
    let answer = |s: &Server, it: &Value| post_annotations(&a, s, &annotation_of(it, "w1", "A>"));
    let (status, before) = answer(&s, &items[0]);
    assert_eq!(status, 201, "{before}");
    s.kill();
    let s = Server::start(&dir, &[]);
    assert_retry(answer(&s, &items[0]), &before);
    for it in &items[1..] {
        let (status, body) = answer(&s, it);
        assert_eq!(
            status, 201,
            "the restored session still holds the batch: {body}"
        );
    }
    // The next batch is new items, as if the server had never stopped.
    let (_, next) = get(&a, &s, "/api/tasks/t/batch?annotator=w1");
    let next = json_of(&next);
    let next: Vec<&Value> = next["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert!(!next.is_empty());
    for it in &items {
        assert!(!next.contains(&&it["id"]), "item handed out twice");
    }
}

#[test]
fn a_task_that_shows_items_again_takes_a_second_label_and_reports_self_consistency() {
    let t = task_with("t", 4, 0, json!({"repeat_fraction": 0.5}));
    let (_dir, s) = with_task("repeats", &t, &[]);
    let a = agent();
    let mut batch = Vec::new();
    for i in 0..4 {
        let item = format!("ex-{i:04}");
        batch.push(annotation(&format!("w1-{i}"), &item, "w1", "A>"));
        batch.push(annotation(&format!("w2-{i}"), &item, "w2", "A>"));
    }
    // w1 labels two items again: once the same, once not.
    batch.push(annotation("w1-0-again", "ex-0000", "w1", "A>"));
    batch.push(annotation("w1-1-again", "ex-0001", "w1", "B>"));
    let (status, body) = post_annotations(&a, &s, &Value::Array(batch));
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body)["stored"], 10, "{body}");
    let (status, body) = admin_get(&a, &s, "/api/tasks/t/report");
    assert_eq!(status, 200, "{body}");
    let r = json_of(&body);
    assert_eq!(r["counts"]["annotations"], 10);
    let w1 = &r["annotators"][0];
    assert_eq!(w1["id"], "w1");
    assert_eq!(
        w1["self_consistency"],
        json!({"exact": 0.5, "directional": 0.5, "count": 2})
    );
    assert!(r["annotators"][1]["self_consistency"].is_null());
    // The same report as `prefkit report --allow-repeats` of the export.
    let dir = temp_dir("repeats-export");
    let file = dir.join("export.jsonl");
    let lines: Vec<String> = export(&a, &s, "t").iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .args(["report", file.to_str().unwrap(), "--allow-repeats"])
        .output()
        .unwrap();
    let batch: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(batch["agreement"], r["agreement"]);
    assert_eq!(batch["annotators"], r["annotators"]);
}
