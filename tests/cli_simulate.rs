//! `prefkit simulate --out`: the records of a crowd's local run, the same
//! bytes as `prefkit::simulate::run` (and so as the fixture that
//! `tests/simulate_crowd.rs` and the lab module's `simulateCrowd` in
//! `tests/wasm.rs` are checked against). Posting to a collector is tested
//! in `tests/serve_crowds.rs`.

mod support;

const TASK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/simulated_task.json"
);
const CROWD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/simulated_crowd.json"
);

/// `prefkit simulate --task TASK --crowd CROWD --start 1764000000` with
/// `extra` flags, writing to standard output, which must succeed.
fn simulate_out(extra: &[&str]) -> String {
    let mut args = vec![
        "simulate",
        "--task",
        TASK,
        "--crowd",
        CROWD,
        "--start",
        "1764000000",
    ];
    args.extend_from_slice(extra);
    args.extend(["--out", "-"]);
    let (code, out, err) = support::prefkit(&args);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn prefkit_simulate_out_writes_the_records_of_the_fixture() {
    let out = simulate_out(&[]);
    assert_eq!(out, include_str!("fixtures/simulated_crowd.jsonl"));
}

#[test]
fn another_seed_on_the_command_line_gives_other_records() {
    let out = simulate_out(&["--seed", "12"]);
    assert_ne!(out, include_str!("fixtures/simulated_crowd.jsonl"));
    assert!(out
        .lines()
        .all(|l| l.starts_with('{') && l.contains("\"sim12-")));
}

#[test]
fn a_crowd_file_with_a_wrong_field_stops_with_its_name() {
    let dir = support::scratch_dir("cli-simulate-bad-crowd");
    let crowd = dir.join("crowd.json");
    std::fs::write(&crowd, r#"{"annotators": [{"count": 2, "left_bias": 2}]}"#).unwrap();
    let (code, out, err) = support::prefkit(&[
        "simulate",
        "--task",
        TASK,
        "--crowd",
        crowd.to_str().unwrap(),
        "--out",
        "-",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("annotators[0].left_bias"), "{err}");
    assert!(out.is_empty(), "{out}");
}
