//! Confidence of judge verdicts: the hedging baseline, log-probabilities on a
//! handmade chat-completions fixture, and the position-swap check.

use prefkit::judge::confidence::{
    hedges_in, hedging_confidence, logprob_confidence, swap_check, PositionBias,
};
use prefkit::judge::response::{assess, judge_result, ChatResponse, ConfidenceSource};
use prefkit::judge::verdict::parse_verdict;
use prefkit::FromJson;
use prefkit::Label;
use serde_json::Value;

const LOGPROBS: &str = include_str!("fixtures/judge_logprobs.json");

fn case(name: &str) -> ChatResponse {
    let cases: Vec<Value> = serde_json::from_str(LOGPROBS).unwrap();
    let c = cases.iter().find(|c| c["name"] == name).unwrap();
    ChatResponse::from_json(&c["response"].to_string()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_single_token_verdict_gets_its_share_of_the_verdict_mass() {
    // Alternatives at the verdict token: A>B 0.60, A>>B 0.20, B>A 0.10,
    // A=B 0.05 and a newline 0.03 (not a verdict): 0.60 / 0.95.
    let lp = logprob_confidence(case("single_token_verdict").token_logprobs());
    assert_eq!(lp.label, Some(Label::ABetter));
    assert_eq!(lp.positions, 1);
    assert!(close(lp.confidence.unwrap(), 0.60 / 0.95), "{lp:?}");
}

#[test]
fn a_multi_token_verdict_multiplies_the_shares_along_its_path() {
    // " A" 0.70 against " B" 0.25 (" **" is no verdict): 0.70 / 0.95;
    // ">>" 0.50 against "=" 0.10 (">" could still lead to A>>B: left out):
    // 0.50 / 0.60; "B" after "A>>": the alternative "A" reaches no verdict: 1.
    let lp = logprob_confidence(case("multi_token_verdict").token_logprobs());
    assert_eq!(lp.label, Some(Label::AMuchBetter));
    assert_eq!(lp.positions, 3);
    assert!(
        close(lp.confidence.unwrap(), 0.70 / 0.95 * (0.50 / 0.60)),
        "{lp:?}"
    );
}

#[test]
fn a_verdict_inside_the_thinking_block_is_not_the_one_scored() {
    // " B" 0.90 against " A" 0.08; ">A" 0.60 against ">>" (B>>A) 0.30 and
    // "=A" (B=A) 0.10.
    let lp = logprob_confidence(case("verdict_in_think_block_is_skipped").token_logprobs());
    assert_eq!(lp.label, Some(Label::BBetter));
    assert!(close(lp.confidence.unwrap(), 0.90 / 0.98 * 0.60), "{lp:?}");
}

#[test]
fn a_sampled_token_missing_from_its_own_top_list_still_counts() {
    // Chosen "B>>A" at 0.10, alternatives B>A 0.70 and A>B 0.15.
    let lp = logprob_confidence(case("sampled_token_missing_from_its_top_list").token_logprobs());
    assert!(close(lp.confidence.unwrap(), 0.10 / 0.95), "{lp:?}");
}

#[test]
fn without_logprobs_the_confidence_falls_back_to_hedging() {
    let r = case("no_logprobs");
    let lp = logprob_confidence(r.token_logprobs());
    assert_eq!(lp.confidence, None);
    assert!(lp.reason.unwrap().contains("no token log-probabilities"));
    let j = assess(&r);
    assert_eq!(j.confidence_source, ConfidenceSource::Hedging);
    assert!(close(j.confidence, 0.95));
    let j = assess(&case("single_token_verdict"));
    assert_eq!(j.confidence_source, ConfidenceSource::Logprobs);
    assert!(close(j.confidence, 0.60 / 0.95));
}

#[test]
fn hedging_lowers_confidence_by_a_fifth_per_distinct_phrase() {
    let c = |t: &str| hedging_confidence(&parse_verdict(t));
    assert!(close(c("A is correct.\nVERDICT: A>B"), 0.95));
    assert!(close(c("A is slightly better.\nVERDICT: A>B"), 0.95 * 0.8));
    // "might" twice still counts once; "mighty" is not "might".
    assert!(close(
        c("It might be close call, might not.\nVERDICT: B>A"),
        0.95 * 0.8 * 0.8
    ));
    assert_eq!(hedges_in("A mighty answer."), Vec::<&str>::new());
    assert_eq!(c("no verdict here"), 0.0);
    // Conflicting verdicts halve it.
    assert!(close(c("VERDICT: A>B\nVERDICT: B>A"), 0.95 * 0.5));
}

#[test]
fn consistent_orders_keep_the_lower_confidence() {
    // A/B says A>B; B/A (A shown second) says B>A in its own terms = A>B.
    let s = swap_check(Some(Label::ABetter), 0.9, Some(Label::BBetter), 0.8);
    assert!(s.consistent);
    assert_eq!(s.label, Some(Label::ABetter));
    assert!(close(s.confidence, 0.8));
    assert_eq!((s.first_position_wins, s.decided), (1, 2));
}

#[test]
fn inconsistent_orders_halve_the_lower_confidence_and_show_position_bias() {
    // The judge prefers whatever is shown first: A>B, then A>B on B/A.
    let s = swap_check(Some(Label::ABetter), 0.9, Some(Label::ABetter), 0.95);
    assert!(!s.consistent);
    assert!(close(s.confidence, 0.45));
    assert_eq!(s.label, Some(Label::ABetter));
    assert_eq!((s.first_position_wins, s.decided), (2, 2));
    // Same side, different strength: the weaker label.
    let s = swap_check(Some(Label::AMuchBetter), 0.9, Some(Label::BBetter), 0.9);
    assert!(!s.consistent);
    assert_eq!(s.label, Some(Label::ABetter));
    // One order unparsed: confidence 0.
    let s = swap_check(None, 0.0, Some(Label::BBetter), 0.9);
    assert_eq!(s.label, Some(Label::ABetter));
    assert_eq!(s.confidence, 0.0);
}

#[test]
fn position_bias_is_the_share_of_first_position_wins() {
    let mut bias = PositionBias::default();
    assert!(bias.first_position_share().is_err());
    // First-position wins: 2 of 2, 1 of 2, 0 of 0.
    for (first, second) in [
        (Label::ABetter, Label::ABetter),
        (Label::BBetter, Label::ABetter),
        (Label::Tie, Label::Tie),
    ] {
        bias.add(&swap_check(Some(first), 0.9, Some(second), 0.9));
    }
    assert_eq!(bias.pairs, 3);
    assert_eq!(bias.inconsistent, 1);
    assert!(close(bias.first_position_share().unwrap(), 3.0 / 4.0));
}

#[test]
fn judge_result_flips_the_swapped_order_back() {
    let ab = assess(
        &ChatResponse::from_json(
            r#"{"choices":[{"message":{"content":"B is right.\nVERDICT: B>>A"}}]}"#,
        )
        .unwrap(),
    );
    let ba = assess(
        &ChatResponse::from_json(
            r#"{"choices":[{"message":{"content":"A is right.\nVERDICT: A>>B"}}]}"#,
        )
        .unwrap(),
    );
    let r = judge_result("x", &ab, Some(&ba));
    assert_eq!(r.label, Some(Label::BMuchBetter));
    assert!(r.swap.unwrap().consistent);
    assert!(close(r.confidence, 0.95));
}

#[test]
fn a_response_without_choices_is_refused_with_the_field() {
    let e = ChatResponse::from_json(r#"{"choices":[]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("choices"), "{e}");
    let e = ChatResponse::from_json("<html>").unwrap_err().to_string();
    assert!(
        e.starts_with("chat-completions response is not valid JSON: expected value at column 1"),
        "{e}"
    );
    let e = ChatResponse::from_json(r#"{"choices": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("not a valid chat-completions response: invalid type: integer `3`"),
        "{e}"
    );
}
