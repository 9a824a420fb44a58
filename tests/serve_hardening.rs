//! `prefkit serve` against what a hostile or careless network does: gold
//! files in the served folder, posts from other sites, CORS, slow and
//! idle sockets, a flood of connections, odd token spellings. A real
//! server process on 127.0.0.1, real sockets; every loop is bounded.

mod collector;

use collector::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// `(status, headers, body)` of a request with extra headers.
fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, ureq::http::HeaderMap, String) {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut res = agent().run(req.body(body.to_string()).unwrap()).unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (
        status,
        headers,
        res.body_mut().read_to_string().unwrap_or_default(),
    )
}

fn allowed_origin(h: &ureq::http::HeaderMap) -> Option<String> {
    h.get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

/// A preflight for `method path` from `origin` asking for `headers`.
fn preflight(
    s: &Server,
    path: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> ureq::http::HeaderMap {
    request(
        "OPTIONS",
        &format!("{}{path}", s.url),
        &[
            ("origin", origin),
            ("access-control-request-method", method),
            ("access-control-request-headers", headers),
        ],
        "",
    )
    .1
}

/// A raw socket to the server, with a read timeout as a bound.
fn socket(s: &Server) -> TcpStream {
    let c = TcpStream::connect(s.addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    c
}

/// Blocks until the server closes `c`; returns false if it is still open
/// when the read timeout runs out.
fn closed_by_server(c: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // an answer first, then the close
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

fn stored(s: &Server) -> usize {
    export(&agent(), s, "t").len()
}

#[test]
fn a_blind_task_file_inside_www_stops_the_server_with_a_message_naming_file_and_folder() {
    let dir = temp_dir("gold-in-www");
    let sample = dir.join("www/sample");
    std::fs::create_dir_all(&sample).unwrap();
    let file = sample.join("task.json");
    std::fs::write(&file, task("t", 5, 2).to_string()).unwrap();
    std::fs::write(
        sample.join("gold.jsonl"),
        "{\"item\":\"ex-g000\",\"label\":\"A>>\"}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (code, err) = Server::try_start(&dir, &["--gold-mode", "blind", "--task", path])
        .err()
        .expect("blind mode must refuse a served task file");
    assert_eq!(code, Some(2), "{err}");
    for part in [
        path,
        "--www",
        "/sample/task.json",
        "/sample/gold.jsonl",
        "Move the task file",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    assert!(!dir.join("db.sqlite").exists(), "nothing was started");

    // Behind a symbolic link in www, it is served all the same.
    let outside = dir.join("private");
    std::fs::create_dir_all(&outside).unwrap();
    let hidden = outside.join("task.json");
    std::fs::write(&hidden, task("t", 5, 2).to_string()).unwrap();
    std::fs::remove_dir_all(&sample).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, dir.join("www/linked")).unwrap();
        let (code, err) = Server::try_start(
            &dir,
            &["--gold-mode", "blind", "--task", hidden.to_str().unwrap()],
        )
        .err()
        .expect("a task behind a link in www is refused too");
        assert_eq!(code, Some(2));
        assert!(err.contains("/linked/task.json"), "{err}");
        std::fs::remove_file(dir.join("www/linked")).unwrap();
    }
    // Outside www, blind mode starts.
    let s = Server::start(
        &dir,
        &["--gold-mode", "blind", "--task", hidden.to_str().unwrap()],
    );
    assert_eq!(get(&agent(), &s, "/api/tasks/t").0, 200);
}

#[test]
fn an_open_task_file_inside_www_starts_with_a_warning_on_stderr() {
    let dir = temp_dir("gold-in-www-open");
    let file = dir.join("www/task.json");
    std::fs::write(&file, task("t", 5, 2).to_string()).unwrap();
    let s = Server::start(&dir, &["--task", file.to_str().unwrap()]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.stderr.lock().unwrap().contains("warning") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = s.stderr.lock().unwrap().clone();
    assert!(
        err.contains("warning") && err.contains("/task.json"),
        "{err}"
    );
    assert_eq!(get(&agent(), &s, "/task.json").0, 200);
}

#[test]
fn a_text_plain_post_from_another_site_is_refused_with_415_and_nothing_is_stored() {
    let (_dir, s) = with_task("content-type", &task("t", 5, 0), &[]);
    let record = annotation("a-1", "ex-0000", "w1", "A>").to_string();
    let url = format!("{}/api/annotations", s.url);
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut headers = vec![("origin", "https://evil.example")];
        if let Some(t) = content_type {
            headers.push(("content-type", t));
        }
        let (status, h, body) = request("POST", &url, &headers, &record);
        assert_eq!(status, 415, "{content_type:?}: {body}");
        assert_eq!(
            h.get("content-type").unwrap(),
            "application/json",
            "{content_type:?}"
        );
        let error = json_of(&body)["error"].as_str().unwrap().to_string();
        assert!(error.contains("application/json"), "{error}");
    }
    assert_eq!(stored(&s), 0, "no refused post was stored");
    // The task upload too, with the admin token.
    let auth = format!("Bearer {TOKEN}");
    let (status, _, body) = request(
        "POST",
        &format!("{}/api/tasks", s.url),
        &[("authorization", &auth), ("content-type", "text/plain")],
        &task("t2", 3, 0).to_string(),
    );
    assert_eq!(status, 415, "{body}");
    assert_eq!(get(&agent(), &s, "/api/tasks/t2").0, 404);
    // JSON with parameters, in any case, is fine.
    let (status, _, body) = request(
        "POST",
        &url,
        &[("content-type", "Application/JSON; charset=utf-8")],
        &record,
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(stored(&s), 1);
}

#[test]
fn public_endpoints_and_static_files_answer_any_origin_and_admin_endpoints_none_by_default() {
    let (dir, s) = with_task("cors-default", &task("t", 5, 0), &[]);
    std::fs::create_dir_all(dir.join("www/pkg")).unwrap();
    std::fs::write(dir.join("www/pkg/prefkit_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("www/pkg/prefkit.js"), "export default 1;\n").unwrap();
    let site = "https://host.example";
    for path in [
        "/api/health",
        "/api/tasks",
        "/api/tasks/t",
        "/api/tasks/t/batch?annotator=w1",
        "/pkg/prefkit.js",
        "/pkg/prefkit_bg.wasm",
        "/index.html",
    ] {
        let (status, h, _) = request("GET", &format!("{}{path}", s.url), &[("origin", site)], "");
        assert_eq!(status, 200, "{path}");
        assert_eq!(allowed_origin(&h).as_deref(), Some("*"), "{path}");
    }
    let h = preflight(
        &s,
        "/api/annotations",
        site,
        "POST",
        "content-type, x-prefkit-sig",
    );
    assert_eq!(allowed_origin(&h).as_deref(), Some("*"));
    let allowed = header(&h, "access-control-allow-headers");
    assert!(
        allowed.contains("content-type") && allowed.contains("x-prefkit-sig"),
        "{allowed}"
    );
    assert!(header(&h, "access-control-allow-methods").contains("POST"));
    let record = annotation("c-1", "ex-0000", "w1", "A>").to_string();
    let (status, h, _) = request(
        "POST",
        &format!("{}/api/annotations", s.url),
        &[("origin", site), ("content-type", "application/json")],
        &record,
    );
    assert_eq!((status, allowed_origin(&h).as_deref()), (201, Some("*")));
    // The requester's side: no grant, with or without the token.
    let auth = format!("Bearer {TOKEN}");
    for path in ["/api/tasks/t/report", "/api/tasks/t/annotations.jsonl"] {
        let (status, h, _) = request(
            "GET",
            &format!("{}{path}", s.url),
            &[("origin", site), ("authorization", &auth)],
            "",
        );
        assert_eq!(status, 200, "{path}");
        assert_eq!(allowed_origin(&h), None, "{path}");
        let h = preflight(&s, path, site, "GET", "authorization");
        assert_eq!(allowed_origin(&h), None, "{path}");
    }
    let h = preflight(
        &s,
        "/api/tasks",
        site,
        "POST",
        "authorization, content-type",
    );
    assert_eq!(allowed_origin(&h), None);
}

#[test]
fn a_star_does_not_open_the_admin_endpoints_but_a_named_origin_does() {
    let lab = "https://lab.example";
    let (_dir, s) = with_task(
        "cors-star",
        &task("t", 5, 0),
        &["--cors-origin", "*", "--cors-origin", lab],
    );
    let h = preflight(
        &s,
        "/api/tasks",
        "https://evil.example",
        "POST",
        "authorization",
    );
    assert_eq!(allowed_origin(&h), None, "a star opens no admin endpoint");
    let h = preflight(&s, "/api/tasks", lab, "POST", "authorization, content-type");
    assert_eq!(allowed_origin(&h).as_deref(), Some(lab));
    let allowed = h
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(allowed.contains("authorization"), "{allowed}");
    let (status, h, _) = request(
        "GET",
        &format!("{}/api/tasks/t/report", s.url),
        &[
            ("origin", lab),
            ("authorization", &format!("Bearer {TOKEN}")),
        ],
        "",
    );
    assert_eq!((status, allowed_origin(&h).as_deref()), (200, Some(lab)));
    assert!(h.get("vary").unwrap().to_str().unwrap().contains("origin"));
    let (_, h, _) = request(
        "GET",
        &format!("{}/api/health", s.url),
        &[("origin", "https://evil.example")],
        "",
    );
    assert_eq!(allowed_origin(&h).as_deref(), Some("*"));
}

#[test]
fn named_origins_narrow_the_public_endpoints_and_static_files_too() {
    let crowd = "https://crowd.example";
    let (_dir, s) = with_task("cors-named", &task("t", 5, 0), &["--cors-origin", crowd]);
    for path in ["/api/health", "/index.html"] {
        let url = format!("{}{path}", s.url);
        let (_, h, _) = request("GET", &url, &[("origin", crowd)], "");
        assert_eq!(allowed_origin(&h).as_deref(), Some(crowd), "{path}");
        let (_, h, _) = request("GET", &url, &[("origin", "https://evil.example")], "");
        assert_eq!(allowed_origin(&h), None, "{path}");
    }
}

#[test]
fn the_bearer_scheme_is_read_in_any_case_and_the_query_token_is_percent_decoded() {
    let token = "a+b/c=d%e f";
    let (_dir, s) = with_task_as("tokens", &task("t", 5, 0), prefkit_command(), token, &[]);
    let url = &s.url;
    let report = format!("{url}/api/tasks/t/report");
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} {token}");
        let (status, _, body) = request("GET", &report, &[("authorization", &auth)], "");
        assert_eq!(status, 200, "{scheme}: {body}");
    }
    let (status, _, _) = request(
        "GET",
        &report,
        &[("authorization", &format!("Basic {token}"))],
        "",
    );
    assert_eq!(status, 401);
    // EventSource cannot send headers: the token comes encoded in the query.
    let encoded = "a%2Bb%2Fc%3Dd%25e%20f";
    let req = ureq::http::Request::builder()
        .uri(format!("{url}/api/tasks/t/events?token={encoded}"))
        .body(())
        .unwrap();
    let res = agent().run(req).unwrap();
    assert_eq!(res.status().as_u16(), 200);
    drop(res);
    let req = ureq::http::Request::builder()
        .uri(format!("{url}/api/tasks/t/events?token=a%2Bb"))
        .body(())
        .unwrap();
    assert_eq!(agent().run(req).unwrap().status().as_u16(), 401);
}

#[test]
fn the_report_endpoint_refuses_a_min_reliability_outside_0_to_1() {
    let (_dir, s) = with_task("minrel", &task("t", 5, 0), &[]);
    let a = agent();
    for bad in ["2", "-0.5", "NaN"] {
        let (status, body) = admin_get(
            &a,
            &s,
            &format!("/api/tasks/t/report?min_reliability={bad}"),
        );
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.contains("min_reliability"), "{body}");
    }
    assert_eq!(
        admin_get(&a, &s, "/api/tasks/t/report?min_reliability=1").0,
        200
    );
}

/// The slowloris run: 300 sockets that send half a header and stall, 50
/// that send nothing, then normal requests. Every normal request must be
/// answered while the stalled sockets are open, and the server must
/// close each stalled socket once the header timeout (1 s) has passed.
#[test]
fn stalled_and_silent_sockets_are_closed_after_the_header_timeout_while_normal_requests_are_answered(
) {
    const STALLED: usize = 300;
    const SILENT: usize = 50;
    const NORMAL: usize = 200;
    let (_dir, s) = with_task("slowloris", &task("t", 5, 0), &["--header-timeout", "1"]);
    let opened = Instant::now();
    let mut sockets: Vec<TcpStream> = (0..STALLED + SILENT)
        .map(|i| {
            let mut c = socket(&s);
            if i < STALLED {
                c.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    .unwrap();
            }
            c
        })
        .collect();
    let all_open = opened.elapsed();
    // Normal requests, each on a fresh connection, while the others stall.
    let mut latencies = Vec::with_capacity(NORMAL);
    let mut failures = Vec::new();
    for i in 0..NORMAL {
        if opened.elapsed() > Duration::from_millis(900) && i >= 50 {
            break; // stay inside the stalled sockets' lifetime
        }
        let started = Instant::now();
        let (status, body) = get(&agent(), &s, "/api/health");
        latencies.push(started.elapsed());
        if status != 200 {
            failures.push(format!("{status}: {body}"));
        }
    }
    assert!(failures.is_empty(), "normal requests failed: {failures:?}");
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "slowloris: {STALLED} stalled + {SILENT} silent sockets open in {all_open:?}; \
         {} normal requests: p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        p(0.5),
        p(0.99),
        latencies.last().unwrap()
    );
    // Every stalled or silent socket is closed by the server, not before
    // the timeout and well before the test's own read timeout.
    for (i, c) in sockets.iter_mut().enumerate() {
        assert!(closed_by_server(c), "socket {i} is still open");
    }
    let all_closed = opened.elapsed();
    println!(
        "slowloris: all {} sockets closed by the server {all_closed:?} after opening",
        STALLED + SILENT
    );
    assert!(
        all_closed >= Duration::from_millis(900),
        "closed before the timeout: {all_closed:?}"
    );
    assert!(all_closed < Duration::from_secs(12), "{all_closed:?}");
    // And the server is as good as new.
    assert_eq!(get(&agent(), &s, "/api/health").0, 200);
}

#[test]
fn over_the_connection_cap_a_request_waits_for_a_slot_and_is_then_answered() {
    let (_dir, s) = with_task(
        "cap",
        &task("t", 5, 0),
        &["--max-connections", "4", "--header-timeout", "1"],
    );
    let started = Instant::now();
    let mut stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = socket(&s);
            c.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let asked = Instant::now();
    let (status, _) = get(&agent(), &s, "/api/health");
    let waited = asked.elapsed();
    println!(
        "cap: answered after {waited:?} (slots free about 1 s after {:?})",
        asked - started
    );
    assert_eq!(status, 200);
    assert!(
        waited >= Duration::from_millis(500),
        "it did not wait: {waited:?}"
    );
    for c in &mut stalled {
        assert!(closed_by_server(c));
    }
}

#[test]
fn a_body_that_stalls_is_answered_408_after_the_body_timeout_and_nothing_is_stored() {
    let (_dir, s) = with_task("body-timeout", &task("t", 5, 0), &["--body-timeout", "1"]);
    let mut c = socket(&s);
    let started = Instant::now();
    c.write_all(
        b"POST /api/annotations HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n\
          content-length: 200\r\n\r\n{\"id\": \"slow\",",
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer);
    let took = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value = json_of(answer.split("\r\n\r\n").nth(1).unwrap());
    assert!(body["error"].as_str().unwrap().contains("in time"));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(stored(&s), 0);
}

#[test]
fn an_idle_kept_alive_connection_is_closed_but_an_event_stream_outlives_every_timeout() {
    let (_dir, s) = with_task(
        "idle",
        &task("t", 5, 0),
        &[
            "--idle-timeout",
            "1",
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
        ],
    );
    let mut c = socket(&s);
    c.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = c.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let answered = Instant::now();
    assert!(closed_by_server(&mut c));
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_secs(10),
        "{idle:?}"
    );

    // An event stream sends nothing for longer than every timeout, then
    // still delivers the next annotation.
    let mut events = socket(&s);
    write!(
        events,
        "GET /api/tasks/t/events?token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let n = events.read(&mut buf).unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    std::thread::sleep(Duration::from_millis(2500));
    let record = annotation("late-1", "ex-0000", "w1", "A>").to_string();
    assert_eq!(post(&agent(), &s, "/api/annotations", &record).0, 201);
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.contains("late-1") && Instant::now() < deadline {
        let n = events.read(&mut buf).unwrap();
        assert!(n > 0, "the event stream was closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("late-1"), "{seen}");
}

#[test]
fn the_timeout_and_connection_flags_refuse_zero_and_malformed_values() {
    for (flag, value) in [
        ("--header-timeout", "0"),
        ("--body-timeout", "soon"),
        ("--idle-timeout", "1 day"),
        ("--max-connections", "0"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefkit"))
            .args(["serve", "--addr", "127.0.0.1:0", &format!("{flag}={value}")])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
    }
}

/// The reported case: 512 file descriptors and 600 idle connections made
/// normal requests time out. The cap now fits the limit (with a warning)
/// and the extra connections wait in the listen queue until the header
/// timeout frees slots, so every normal request is answered.
#[cfg(unix)]
#[test]
fn with_512_file_descriptors_600_idle_sockets_do_not_starve_normal_requests() {
    let mut limited = std::process::Command::new("sh");
    limited
        .arg("-c")
        .arg("ulimit -n 512 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_prefkit"));
    let (_dir, mut s) = with_task_as(
        "fd-limit",
        &task("t", 5, 0),
        limited,
        TOKEN,
        &["--header-timeout", "1"],
    );
    let url = s.url.clone();
    let addr = s.addr();
    // The idle sockets connect from another thread: over the cap, a
    // connect itself may wait in the kernel until a slot frees.
    let (done, wait_done) = std::sync::mpsc::channel::<()>();
    let (slowest, idle_connected, failures) = std::thread::scope(|scope| {
        let addr = &addr;
        let idle = scope.spawn(move || {
            let sockets: Vec<TcpStream> = (0..600)
                .filter_map(|_| {
                    TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(10)).ok()
                })
                .collect();
            let connected = sockets.len();
            // Held open until the normal requests are done.
            let _ = wait_done.recv_timeout(Duration::from_secs(60));
            drop(sockets);
            connected
        });
        std::thread::sleep(Duration::from_millis(300));
        let mut slowest = Duration::ZERO;
        let mut failures = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            match agent().get(format!("{url}/api/health")).call() {
                Ok(res) if res.status() == 200 => {}
                other => failures.push(format!("{other:?}")),
            }
            slowest = slowest.max(started.elapsed());
        }
        let _ = done.send(());
        (slowest, idle.join().unwrap(), failures)
    });
    println!(
        "fd limit 512, {idle_connected} of 600 idle sockets connected: 20 normal requests, \
         the slowest took {slowest:?}"
    );
    let err = s.stop();
    assert!(failures.is_empty(), "{failures:?}; server: {err}");
    assert!(err.contains("--max-connections is lowered to 448"), "{err}");
}

#[test]
fn a_key_given_twice_is_refused_in_posted_arrays_skips_and_task_uploads_and_nothing_is_stored() {
    let (_dir, s) = with_task("twice", &task("t", 5, 0), &[]);
    let json = [("content-type", "application/json")];
    let url = format!("{}/api/annotations", s.url);
    let twice_label =
        r#"{"id":"a-1","item":"ex-0000","annotator":"w1","label":"A>","label":"B>>"}"#;
    let twice_skip = r#"{"id":"k-1","item":"ex-0001","annotator":"w1","skip":"no","skip":"yes"}"#;
    for body in [
        format!("[{twice_label}]"),
        twice_label.to_string(),
        twice_skip.to_string(),
        format!("[{twice_skip}]"),
    ] {
        let (status, _, text) = request("POST", &url, &json, &body);
        assert!(status == 400 || status == 422, "{body}: {status} {text}");
        let error = json_of(&text)["error"].as_str().unwrap().to_string();
        assert!(
            error.contains("given twice") && (error.contains("label") || error.contains("skip")),
            "{body}: {error}"
        );
    }
    assert_eq!(stored(&s), 0);
    let auth = format!("Bearer {TOKEN}");
    let upload = task("t2", 3, 0).to_string().replacen(
        "\"task_id\":\"t2\"",
        "\"task_id\":\"t2\",\"task_id\":\"t3\"",
        1,
    );
    assert!(
        upload.contains("\"t3\""),
        "the task JSON has its task_id first: {upload}"
    );
    let (status, _, text) = request(
        "POST",
        &format!("{}/api/tasks", s.url),
        &[("authorization", &auth), json[0]],
        &upload,
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("\\\"task_id\\\" given twice"), "{text}");
    assert_eq!(get(&agent(), &s, "/api/tasks/t3").0, 404);
}
