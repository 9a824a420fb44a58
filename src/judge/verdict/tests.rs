//! Unit tests of reading and checking judge verdicts.

use super::*;

fn label(text: &str) -> Option<Label> {
    parse_verdict(text).label()
}

#[test]
fn every_canonical_verdict_parses_to_its_label() {
    for l in Label::ALL {
        assert_eq!(label(&format!("VERDICT: {}", l.judge_form())), Some(l));
    }
}

#[test]
fn reversed_operators_and_spaces_are_read() {
    assert_eq!(label("verdict: a < b"), Some(Label::BBetter));
    assert_eq!(label("Verdict: B << A"), Some(Label::AMuchBetter));
    assert_eq!(label("VERDICT: B = A"), Some(Label::Tie));
    assert_eq!(label("VERDICT: Ａ≫Ｂ"), Some(Label::AMuchBetter));
    assert_eq!(label("VERDICT: Tie."), Some(Label::Tie));
}

#[test]
fn malformed_labels_are_not_read() {
    assert_eq!(label("VERDICT: A>A"), None);
    assert_eq!(label("VERDICT: A>>>B"), None);
    assert_eq!(label("VERDICT: A>Bx"), None);
    assert_eq!(label("VERDICT: A is better"), None);
    assert_eq!(label("verdicts: A>B"), None);
    assert_eq!(label("VERDICT: tiebreak"), None);
}

#[test]
fn the_label_offsets_cover_the_label_only() {
    let text = "ok\n**Verdict:** `A > B`.";
    let m = find_verdicts(text);
    assert_eq!(m.len(), 1);
    assert_eq!(&text[m[0].label_start..m[0].label_end], "A > B");
    assert_eq!(m[0].explanation_end, 3);
}

#[test]
fn unparsed_answers_say_why() {
    let reason = |t: &str| match parse_verdict(t) {
        Verdict::Unparsed { reason, .. } => reason,
        v => panic!("parsed {v:?}"),
    };
    assert!(reason("").contains("empty"));
    assert!(reason("VERDICT: undecided").contains("not followed by"));
    assert!(reason("<think>VERDICT: A>B</think>Hmm.").contains("only inside"));
    assert!(reason("<think>Let me compare").contains("cut off"));
    assert!(reason("A is better.").contains("no \"VERDICT"));
}
