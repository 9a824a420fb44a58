//! The verdict parser against a corpus of judge answers in the formats real
//! models produce (tests/fixtures/judge_outputs.jsonl, written for this
//! project), each with its expected parse.

use prefkit::judge::verdict::{parse_verdict, Verdict};
use prefkit::Label;
use serde_json::Value;

const CORPUS: &str = include_str!("fixtures/judge_outputs.jsonl");

fn cases() -> Vec<Value> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect()
}

#[test]
fn the_corpus_has_at_least_forty_cases_in_every_style() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for style in ["gpt", "sectioned", "llama", "reasoning"] {
        let n = cases.iter().filter(|c| c["style"] == style).count();
        assert!(n >= 5, "style {style}: {n} cases");
    }
    let unparsed = cases.iter().filter(|c| c["expected"].is_null()).count();
    assert!(unparsed >= 8, "{unparsed} cases expect no verdict");
}

#[test]
fn every_corpus_answer_parses_as_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case["name"].as_str().unwrap_or("?");
        let text = case["text"].as_str().unwrap_or("");
        let v = parse_verdict(text);
        let expected = case["expected"].as_str().map(|s| Label::parse(s).unwrap());
        if v.label() != expected {
            failures.push(format!("{name}: expected {expected:?}, got {v:?}"));
            continue;
        }
        let explanation = v.explanation();
        if let Some(e) = case["explanation"].as_str() {
            if explanation != e {
                failures.push(format!(
                    "{name}: explanation {explanation:?}, expected {e:?}"
                ));
            }
        }
        if let Some(p) = case["explanation_prefix"].as_str() {
            if !explanation.starts_with(p) {
                failures.push(format!(
                    "{name}: explanation {explanation:?} should start with {p:?}"
                ));
            }
        }
        if let Some(s) = case["explanation_suffix"].as_str() {
            if !explanation.ends_with(s) {
                failures.push(format!(
                    "{name}: explanation {explanation:?} should end with {s:?}"
                ));
            }
        }
        match &v {
            Verdict::Parsed {
                verdicts_found,
                conflicting,
                ..
            } => {
                if let Some(n) = case["verdicts_found"].as_u64() {
                    if *verdicts_found as u64 != n {
                        failures.push(format!(
                            "{name}: {verdicts_found} verdicts found, expected {n}"
                        ));
                    }
                }
                if let Some(c) = case["conflicting"].as_bool() {
                    if *conflicting != c {
                        failures.push(format!("{name}: conflicting {conflicting}, expected {c}"));
                    }
                }
            }
            Verdict::Unparsed { reason, .. } => {
                let want = case["reason_contains"].as_str().unwrap_or("");
                if !reason.contains(want) {
                    failures.push(format!("{name}: reason {reason:?} should contain {want:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_missing_verdict_is_never_read_as_a_tie() {
    for case in cases().iter().filter(|c| c["expected"].is_null()) {
        let v = parse_verdict(case["text"].as_str().unwrap_or(""));
        assert_eq!(v.label(), None, "{}", case["name"]);
        assert!(matches!(v, Verdict::Unparsed { .. }));
    }
}

#[test]
fn the_parse_serialises_with_a_status_tag_and_snake_case_fields() {
    let v = serde_json::to_value(parse_verdict("A wins.\nVERDICT: A>>B")).unwrap();
    assert_eq!(v["status"], "parsed");
    assert_eq!(v["label"], "A>>");
    assert_eq!(v["verdicts_found"], 1);
    let u = serde_json::to_value(parse_verdict("no idea")).unwrap();
    assert_eq!(u["status"], "unparsed");
    assert!(u["reason"].as_str().unwrap().contains("VERDICT"));
}

mod properties {
    use prefkit::judge::confidence::{logprob_confidence, TokenLogprob, TopLogprob};
    use prefkit::judge::verdict::parse_verdict;
    use prefkit::Label;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "VERDICT", ":", " ", " A", "A", " B", "B", ">", ">>", ">B", ">A", "=", "=B", " A>B",
            " B>>A", "≫", "*", "\n", "<think>", "</think>", "tie", " Tie",
        ])
    }

    fn label() -> impl Strategy<Value = Label> {
        (0usize..5).prop_map(|i| Label::from_index(i).unwrap_or(Label::Tie))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,200}") {
            let _ = parse_verdict(&text);
        }

        #[test]
        fn texts_made_of_verdict_pieces_parse_without_panicking(
            pieces in prop::collection::vec(
                prop::sample::select(vec!["VERDICT", "verdict:", " ", "A", "B", ">", ">>", "=", "≫", "＞", "*", "`", "\n", "<think>", "</think>", "tie", "Ｂ", ":"]),
                0..30,
            )
        ) {
            let _ = parse_verdict(&pieces.concat());
        }

        #[test]
        fn a_verdict_line_after_any_prose_is_read_back(
            prose in "[a-zA-Z ,.]{0,80}",
            l in label(),
            bold in any::<bool>(),
            lower in any::<bool>(),
        ) {
            let mut line = format!("VERDICT: {}", l.judge_form());
            if lower { line = line.to_lowercase(); }
            if bold { line = format!("**{line}**"); }
            let v = parse_verdict(&format!("{prose}\n\n{line}"));
            prop_assert_eq!(v.label(), Some(l));
        }

        #[test]
        fn any_tokens_score_without_panicking(
            tokens in prop::collection::vec(
                ("\\PC{0,6}", -20.0f64..0.0, prop::collection::vec(("\\PC{0,6}", -20.0f64..0.0), 0..5)),
                0..20,
            )
        ) {
            let tokens: Vec<TokenLogprob> = tokens
                .into_iter()
                .map(|(token, logprob, tops)| TokenLogprob {
                    token,
                    logprob,
                    top_logprobs: tops
                        .into_iter()
                        .map(|(token, logprob)| TopLogprob { token, logprob })
                        .collect(),
                })
                .collect();
            let lp = logprob_confidence(&tokens);
            if let Some(c) = lp.confidence {
                prop_assert!((0.0..=1.0).contains(&c));
            }
        }

        #[test]
        fn tokens_made_of_verdict_pieces_score_between_zero_and_one(
            tokens in prop::collection::vec(
                (piece(), -5.0f64..0.0, prop::collection::vec((piece(), -5.0f64..0.0), 0..5)),
                0..16,
            )
        ) {
            let tokens: Vec<TokenLogprob> = tokens
                .into_iter()
                .map(|(token, logprob, tops)| TokenLogprob {
                    token: token.to_string(),
                    logprob,
                    top_logprobs: tops
                        .into_iter()
                        .map(|(token, logprob)| TopLogprob { token: token.to_string(), logprob })
                        .collect(),
                })
                .collect();
            let lp = logprob_confidence(&tokens);
            if let Some(c) = lp.confidence {
                prop_assert!((0.0..=1.0).contains(&c), "{}", c);
                prop_assert!(lp.positions >= 1);
            }
        }
    }
}
