//! How far to trust one judge verdict.
//!
//! Three signals, from weakest to strongest:
//!
//! * [`hedging_confidence`]: a baseline from the words of the explanation;
//! * [`logprob_confidence`]: the probability the model itself put on the
//!   verdict it wrote, when the endpoint returns token log-probabilities;
//! * [`swap_check`]: the judge sees both orders (A/B and B/A); a verdict that
//!   changes with the order is not trusted, and counts toward the judge's
//!   position bias ([`PositionBias`]), as in Zheng et al. (2023), "Judging
//!   LLM-as-a-Judge with MT-Bench and Chatbot Arena", NeurIPS Datasets and
//!   Benchmarks, arXiv:2306.05685, section 3.3 (position bias, swap check).

use crate::judge::verdict::{find_verdicts, Verdict};
use crate::label::{Label, Side};
use serde::{Deserialize, Serialize};

/// Hedging phrases counted by [`hedging_confidence`] (matched in lower case,
/// on ASCII word boundaries; each phrase counts once however often it appears).
pub const HEDGES: [&str; 24] = [
    "slightly",
    "marginally",
    "somewhat",
    "arguably",
    "perhaps",
    "maybe",
    "possibly",
    "might",
    "unclear",
    "uncertain",
    "not sure",
    "hard to say",
    "difficult to say",
    "hard to tell",
    "close call",
    "tough call",
    "either way",
    "roughly equal",
    "roughly the same",
    "comparable",
    "on balance",
    "it depends",
    "debatable",
    "a bit",
];

/// Confidence of a verdict with no hedging phrase.
pub const HEDGING_BASE: f64 = 0.95;
/// Factor applied per distinct hedging phrase.
pub const HEDGING_FACTOR: f64 = 0.8;

fn contains_word(haystack: &str, phrase: &str) -> bool {
    haystack.match_indices(phrase).any(|(p, _)| {
        let before = haystack[..p].chars().next_back();
        let after = haystack[p + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The distinct [`HEDGES`] present in `text`.
pub fn hedges_in(text: &str) -> Vec<&'static str> {
    // The phrases are ASCII: ASCII lower-casing keeps byte offsets.
    let lower = text.to_ascii_lowercase();
    HEDGES
        .iter()
        .copied()
        .filter(|h| contains_word(&lower, h))
        .collect()
}

/// The hedging-words baseline:
///
/// `c = 0.95 × 0.8^d`, with `d` the number of distinct [`HEDGES`] in the
/// explanation, halved when the answer gives several verdicts that disagree,
/// and 0 when no verdict was read. No hedge gives 0.95, one 0.76 (still at
/// or above the default threshold 0.75), two 0.61, three 0.49.
pub fn hedging_confidence(verdict: &Verdict) -> f64 {
    match verdict {
        Verdict::Unparsed { .. } => 0.0,
        Verdict::Parsed {
            explanation,
            conflicting,
            ..
        } => {
            let d = hedges_in(explanation).len() as i32;
            let c = HEDGING_BASE * HEDGING_FACTOR.powi(d);
            if *conflicting {
                c * 0.5
            } else {
                c
            }
        }
    }
}

/// One alternative token at a position (OpenAI `top_logprobs[k]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopLogprob {
    /// The token text.
    pub token: String,
    /// Its natural-log probability.
    pub logprob: f64,
}

/// One generated token (OpenAI `choices[0].logprobs.content[i]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    /// The token text.
    pub token: String,
    /// Its natural-log probability.
    pub logprob: f64,
    /// The most likely tokens at this position (5 when asked for).
    #[serde(default)]
    pub top_logprobs: Vec<TopLogprob>,
}

/// The model's own probability for its verdict, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogprobConfidence {
    /// Probability of the verdict written, renormalised over verdicts; `None`
    /// when it cannot be computed.
    pub confidence: Option<f64>,
    /// The verdict read from the tokens.
    pub label: Option<Label>,
    /// Number of token positions inside the verdict that were used.
    pub positions: usize,
    /// Why `confidence` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The verdict forms, without spaces, upper case, ASCII (the written form of
/// the judge's own verdict is added when it is another, such as `A<B`).
const FORMS: [&str; 7] = ["A>>B", "A>B", "A=B", "B>A", "B>>A", "B=A", "TIE"];

/// A token's text as label characters: markup and punctuation trimmed at
/// both ends, spaces removed, full-width and `≫`/`≪` mapped to ASCII, upper
/// case. `None` when anything else remains (the token is not part of a label).
fn label_chars(token: &str) -> Option<String> {
    let trimmed = token.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(c, '*' | '_' | '`' | '"' | '\'' | '[' | ']' | '(' | ')')
            || matches!(c, ':' | '.' | '!' | ',' | ';' | '：')
    });
    let mut out = String::new();
    for c in trimmed.chars() {
        match c {
            ' ' | '\t' => {}
            '≫' => out.push_str(">>"),
            '≪' => out.push_str("<<"),
            '＞' => out.push('>'),
            '＜' => out.push('<'),
            '＝' => out.push('='),
            'Ａ' | 'ａ' => out.push('A'),
            'Ｂ' | 'ｂ' => out.push('B'),
            c if "abtieABTIE<>=".contains(c) => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    Some(out)
}

/// The model's probability for the verdict it wrote.
///
/// Definition. Concatenate the tokens, find the last verdict (as
/// [`crate::judge::verdict::parse_verdict`] does) and let `F` be its label as
/// written, normalised (`A > B` is `A>B`). The verdict positions are the
/// tokens that overlap the label's characters and contribute at least one of
/// them. At position `j`, with `w_j` the label characters written before it,
/// each alternative `t` in `top_logprobs` reaches the set `S(t)` of verdict
/// forms (`A>>B`, `A>B`, `A=B`, `B>A`, `B>>A`, `B=A`, `TIE`, and `F`) of
/// which `w_j + chars(t)` is a prefix; `C` is the chosen token's set. Then
///
/// * `t` is *on the path* if `F ∈ S(t) ⊆ C` (the same choice as the chosen
///   token, or a more specific one that still leads to `F`);
/// * `t` is *off the path* if `S(t)` is not empty and `F ∉ S(t)`;
/// * otherwise (no verdict reached, or a less specific choice such as `>`
///   where the model wrote `>>`, which may still lead to `F`) it is left out;
///
/// `r_j = Σ_on e^{logprob} / (Σ_on e^{logprob} + Σ_off e^{logprob})`, the
/// chosen token always counting as on the path, and the confidence is
/// `Π_j r_j`: the chain-rule probability of the written verdict among the
/// verdicts, renormalised over the verdict tokens present in the top
/// alternatives. When the verdict is one token this is `P(chosen) / Σ
/// P(verdict tokens in top_logprobs)`. Mass outside the top alternatives is
/// unknown and ignored.
pub fn logprob_confidence(tokens: &[TokenLogprob]) -> LogprobConfidence {
    let none = |reason: &str, label| LogprobConfidence {
        confidence: None,
        label,
        positions: 0,
        reason: Some(reason.to_string()),
    };
    if tokens.is_empty() {
        return none("no token log-probabilities in the response", None);
    }
    let mut text = String::new();
    let mut spans = Vec::with_capacity(tokens.len());
    for t in tokens {
        let start = text.len();
        text.push_str(&t.token);
        spans.push((start, text.len()));
    }
    let Some(m) = find_verdicts(&text).last().copied() else {
        return none("no verdict in the tokens", None);
    };
    let Some(form) = label_chars(&text[m.label_start..m.label_end]) else {
        return none(
            "the verdict's characters could not be normalised",
            Some(m.label),
        );
    };
    let mut forms: Vec<&str> = FORMS.to_vec();
    if !forms.contains(&form.as_str()) {
        forms.push(&form);
    }
    let reach = |candidate: &str| -> u32 {
        forms
            .iter()
            .enumerate()
            .filter(|(_, f)| f.starts_with(candidate))
            .fold(0, |set, (i, _)| set | (1 << i))
    };
    let f_bit: u32 = forms.iter().position(|f| *f == form).map_or(0, |i| 1 << i);
    let mut written = String::new();
    let mut confidence = 1.0;
    let mut positions = 0;
    for (t, &(s, e)) in tokens.iter().zip(&spans) {
        if e <= m.label_start || s >= m.label_end {
            continue;
        }
        let clipped = &text[s.max(m.label_start)..e.min(m.label_end)];
        let chosen = label_chars(clipped).unwrap_or_default();
        if chosen.is_empty() {
            continue;
        }
        if !t.logprob.is_finite() {
            return none(
                "a verdict token has a non-finite log-probability",
                Some(m.label),
            );
        }
        let chosen_set = reach(&format!("{written}{chosen}"));
        // A log-probability above 0 (a probability above 1) is read as 0:
        // exp() of a large one is infinite, and inf / inf is NaN.
        let mut on_path = t.logprob.min(0.0).exp();
        let mut off_path = 0.0;
        for alt in t.top_logprobs.iter().filter(|a| a.token != t.token) {
            let Some(chars) = label_chars(&alt.token).filter(|c| !c.is_empty()) else {
                continue;
            };
            let set = reach(&format!("{written}{chars}"));
            if set == 0 || !alt.logprob.is_finite() {
                continue;
            }
            let p = alt.logprob.min(0.0).exp();
            if set & f_bit == 0 {
                off_path += p;
            } else if set & !chosen_set == 0 {
                on_path += p;
            }
        }
        if on_path + off_path > 0.0 {
            confidence *= on_path / (on_path + off_path);
        }
        written.push_str(&chosen);
        positions += 1;
    }
    if positions == 0 {
        return none("no token overlaps the verdict", Some(m.label));
    }
    LogprobConfidence {
        confidence: Some(confidence.clamp(0.0, 1.0)),
        label: Some(m.label),
        positions,
        reason: None,
    }
}

/// The two orders of one comparison, reconciled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwapCheck {
    /// The label in the canonical order, `None` if neither order gave one.
    pub label: Option<Label>,
    /// Whether verdict(A/B) == flip(verdict(B/A)).
    pub consistent: bool,
    /// The reconciled confidence.
    pub confidence: f64,
    /// Judgments (0 to 2) whose verdict favoured the response shown first.
    pub first_position_wins: u8,
    /// Judgments (0 to 2) with a non-tie verdict.
    pub decided: u8,
}

/// Factor applied to an inconsistent pair's confidence.
pub const INCONSISTENT_FACTOR: f64 = 0.5;

/// Reconciles the verdict on the canonical order (`ab`, confidence `c_ab`)
/// with the verdict on the swapped order as the judge wrote it (`ba_shown`,
/// in the swapped order's own A/B terms, confidence `c_ba`).
///
/// * consistent (`ab == ba_shown.flip()`): the label `ab`, confidence
///   `min(c_ab, c_ba)`;
/// * inconsistent: confidence `min(c_ab, c_ba) × 0.5` (at most 0.5, so below
///   any sensible threshold); the label is the weaker of the two when they
///   prefer the same side (`A>>` and `A>` give `A>`), otherwise `ab`;
/// * an order with no verdict has confidence 0, so the pair gets 0.
pub fn swap_check(ab: Option<Label>, c_ab: f64, ba_shown: Option<Label>, c_ba: f64) -> SwapCheck {
    let ba = ba_shown.map(Label::flip);
    let decided = [ab, ba_shown]
        .iter()
        .flatten()
        .filter(|l| l.side() != Side::Tie)
        .count() as u8;
    let first_position_wins = [ab, ba_shown]
        .iter()
        .flatten()
        .filter(|l| l.side() == Side::A)
        .count() as u8;
    let c_ab = if ab.is_some() { c_ab } else { 0.0 };
    let c_ba = if ba.is_some() { c_ba } else { 0.0 };
    let min = c_ab.min(c_ba).clamp(0.0, 1.0);
    let (label, consistent) = match (ab, ba) {
        (Some(x), Some(y)) if x == y => (Some(x), true),
        (Some(x), Some(y)) if x.side() == y.side() => (
            Some(if x.strength() <= y.strength() { x } else { y }),
            false,
        ),
        (x, y) => (x.or(y), false),
    };
    SwapCheck {
        label,
        consistent,
        confidence: if consistent {
            min
        } else {
            min * INCONSISTENT_FACTOR
        },
        first_position_wins,
        decided,
    }
}

/// A judge's position bias over swapped pairs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PositionBias {
    /// Swapped pairs seen.
    pub pairs: usize,
    /// Of those, pairs whose two verdicts were inconsistent.
    pub inconsistent: usize,
    /// Non-tie judgments (two per pair at most).
    pub decided: usize,
    /// Non-tie judgments that favoured the response shown first.
    pub first_position_wins: usize,
}

impl PositionBias {
    /// Adds one swapped pair.
    pub fn add(&mut self, check: &SwapCheck) {
        self.pairs += 1;
        self.inconsistent += usize::from(!check.consistent);
        self.decided += usize::from(check.decided);
        self.first_position_wins += usize::from(check.first_position_wins);
    }

    /// Share of non-tie judgments won by the first position: 0.5 for an
    /// unbiased judge. `Err` with the reason when no judgment was decided.
    pub fn first_position_share(&self) -> Result<f64, &'static str> {
        if self.decided == 0 {
            Err("no swapped pair has a non-tie verdict")
        } else {
            Ok(self.first_position_wins as f64 / self.decided as f64)
        }
    }
}
