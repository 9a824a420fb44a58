//! `prefkit judge route` end to end: files in, JSON out, line-numbered errors.

use std::path::PathBuf;
use std::process::Command;

fn write(dir: &std::path::Path, name: &str, lines: &[&str]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("prefkit-judge-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn routing_files_prints_counts_costs_queues_and_agreement() {
    let dir = tempdir("ok");
    let results = write(
        &dir,
        "results.jsonl",
        &[
            r#"{"item":"a","label":"A>","confidence":0.9}"#,
            r#"{"item":"b","label":"B>>","confidence":0.4}"#,
            r#"{"item":"c","label":null,"confidence":0}"#,
            r#"{"item":"d","label":"=","confidence":0.8}"#,
        ],
    );
    // "d" is accepted as a tie; a person says A>: it goes to an expert.
    // The annotation record for "b" was shown swapped (label as shown).
    let human = write(
        &dir,
        "human.jsonl",
        &[
            r#"{"item":"b","annotator":"w1","label":"A>","swapped":true}"#,
            r#"{"item":"d","label":"A>"}"#,
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .args(["judge", "route", "--spot-check-share", "0"])
        .arg(&results)
        .arg("--human")
        .arg(&human)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["summary"]["counts"];
    assert_eq!(
        (
            c["accepted"].as_u64(),
            c["human"].as_u64(),
            c["expert"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(v["human_queue"], serde_json::json!(["c"]));
    assert_eq!(v["expert_queue"], serde_json::json!(["d"]));
    // 4 x 0.02 + 3 human labels x 1.50 (b, c, d) + 1 expert x 5.00.
    assert!((v["summary"]["cost"]["total"].as_f64().unwrap() - 9.58).abs() < 1e-9);
    // b: AI B>> vs human B> (un-flipped): same direction.
    assert_eq!(v["agreement"]["directional_agreement"], 0.5);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_result_line_is_named_with_exit_code_two() {
    let dir = tempdir("bad");
    let results = write(
        &dir,
        "results.jsonl",
        &[
            r#"{"item":"a","label":"A>","confidence":0.9}"#,
            r#"{"item":"b","label":"A>>>","confidence":0.9}"#,
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_prefkit"))
        .args(["judge", "route"])
        .arg(&results)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("unknown label \"A>>>\""),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
