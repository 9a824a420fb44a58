//! The three ways of labelling pairs, priced from the user's numbers.
//!
//! With `c` the pay for one human label (`seconds_per_label x hourly_rate /
//! 3600`), `g` the share of human labels spent on gold questions, `o` the
//! overlap (labels per pair) and `j` the judge's cost per pair
//! (`judge_calls_per_pair x judge_price_per_call`):
//!
//! - **people only**: `o c / (1 - g)` a pair;
//! - **AI judge with human review**: the judge labels every pair and people
//!   label a share `r` (`human_review_rate`, the items the judge is unsure
//!   of) at full overlap: `j + r o c / (1 - g)`;
//! - **AI judge alone**: the judge labels every pair and one person checks a
//!   share `s` (`spot_check_rate`): `j + s c / (1 - g)`.
//!
//! The expected agreement of people only is this collection's measured
//! agreement (`human_agreement`, the dashboard's ordinal alpha); of the AI
//! judge alone, the judge's measured agreement with people
//! (`judge_agreement`, Cohen's kappa from the judge panel); of the hybrid,
//! `r` times the first plus `1 - r` times the second. A figure not measured
//! is replaced by a planning assumption (0.70, 0.50; 0.65 for the hybrid),
//! and `kappa_measured` says which.

use super::{finite_non_negative, MeasuredCost};
use serde::{Deserialize, Serialize};

/// The user's numbers. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApproachInputs {
    /// Seconds a person takes for one label; `None`: this collection's
    /// measured mean.
    pub seconds_per_label: Option<f64>,
    /// Share of human labels spent on gold questions, in [0, 1); `None`:
    /// this collection's measured share (of annotation time), else 0.
    pub gold_share: Option<f64>,
    /// Human labels per pair. Default 3.
    pub overlap: f64,
    /// US dollars per judge call. Default 0.01.
    pub judge_price_per_call: f64,
    /// Judge calls per pair. Default 2 (both orders, the swap check).
    pub judge_calls_per_pair: f64,
    /// Share of pairs a person checks when the judge labels alone. Default 0.05.
    pub spot_check_rate: f64,
    /// Share of pairs people label in the hybrid. Default 0.3.
    pub human_review_rate: f64,
    /// Measured agreement among people (e.g. ordinal alpha), if any.
    pub human_agreement: Option<f64>,
    /// Measured agreement of the judge with people (Cohen's kappa), if any.
    pub judge_agreement: Option<f64>,
}

impl Default for ApproachInputs {
    fn default() -> Self {
        ApproachInputs {
            seconds_per_label: None,
            gold_share: None,
            overlap: 3.0,
            judge_price_per_call: 0.01,
            judge_calls_per_pair: 2.0,
            spot_check_rate: 0.05,
            human_review_rate: 0.3,
            human_agreement: None,
            judge_agreement: None,
        }
    }
}

/// One way of labelling pairs, priced from the inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approach {
    /// `human_only`, `hybrid` or `ai_only`.
    pub name: String,
    /// US dollars per labelled pair.
    pub cost_per_pair: f64,
    /// The formula with the numbers put in.
    pub basis: String,
    /// The agreement to expect.
    pub expected_kappa: f64,
    /// Whether `expected_kappa` comes from measured figures only.
    pub kappa_measured: bool,
    /// Where `expected_kappa` comes from.
    pub kappa_source: String,
}

/// The seconds per label and gold share used, and where each came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Used {
    pub seconds_per_label: f64,
    /// `given` or `measured`.
    pub seconds_source: String,
    pub gold_share: f64,
    /// `given`, `measured` or `none`.
    pub gold_source: String,
}

const ASSUMED: &str = "planning assumption (not measured here)";

fn rate(name: &str, x: f64) -> Result<f64, String> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{name} must be between 0 and 1"))
    }
}

fn money(x: f64) -> String {
    format!("${x:.4}")
}

/// The three approaches, or the reason they cannot be priced.
pub fn approaches(
    inputs: &ApproachInputs,
    hourly_rate: f64,
    measured: Option<&MeasuredCost>,
) -> Result<(Vec<Approach>, Used), String> {
    if !finite_non_negative(hourly_rate) {
        return Err("the hourly rate must be a finite number of dollars, 0 or more".into());
    }
    let (seconds, seconds_source) = match (inputs.seconds_per_label, measured) {
        (Some(s), _) => (s, "given"),
        (None, Some(m)) => (m.seconds_per_annotation, "measured"),
        (None, None) => return Err(
            "give the seconds per label: this collection has no recorded time to measure it from"
                .into(),
        ),
    };
    if !finite_non_negative(seconds) {
        return Err("the seconds per label must be a number, 0 or more".into());
    }
    let (gold, gold_source) = match (inputs.gold_share, measured) {
        (Some(g), _) => (g, "given"),
        (None, Some(m)) => (m.gold_share, "measured"),
        (None, None) => (0.0, "none"),
    };
    if !(gold.is_finite() && (0.0..1.0).contains(&gold)) {
        return Err("the gold share must be at least 0 and below 1".into());
    }
    let overlap = inputs.overlap;
    if !(overlap.is_finite() && overlap >= 1.0) {
        return Err("the overlap must be at least 1".into());
    }
    let review = rate("the human-review rate", inputs.human_review_rate)?;
    let spot = rate("the spot-check rate", inputs.spot_check_rate)?;
    if !finite_non_negative(inputs.judge_price_per_call)
        || !finite_non_negative(inputs.judge_calls_per_pair)
    {
        return Err("the judge's price and calls per pair must be numbers, 0 or more".into());
    }
    let label = seconds * hourly_rate / 3600.0 / (1.0 - gold);
    let judge = inputs.judge_calls_per_pair * inputs.judge_price_per_call;
    let people = overlap * label;
    let measured_or = |value: Option<f64>, assumed: f64, source: &str| match value {
        Some(v) if v.is_finite() => (v, true, source.to_string()),
        _ => (assumed, false, ASSUMED.to_string()),
    };
    let (human_k, human_m, human_src) = measured_or(
        inputs.human_agreement,
        0.70,
        "measured: this collection's agreement among people",
    );
    let (judge_k, judge_m, judge_src) = measured_or(
        inputs.judge_agreement,
        0.50,
        "measured: the judge against people (judge panel)",
    );
    let (hybrid_k, hybrid_src) = if human_m && judge_m {
        (
            review * human_k + (1.0 - review) * judge_k,
            format!(
                "from the measured figures: {review} x people + {} x judge",
                1.0 - review
            ),
        )
    } else {
        (0.65, ASSUMED.to_string())
    };
    let list = vec![
        Approach {
            name: "human_only".into(),
            cost_per_pair: people,
            basis: format!(
                "{overlap} labels x {seconds:.1} s at ${hourly_rate}/h, plus {:.1}% gold",
                100.0 * gold
            ),
            expected_kappa: human_k,
            kappa_measured: human_m,
            kappa_source: human_src,
        },
        Approach {
            name: "hybrid".into(),
            cost_per_pair: judge + review * people,
            basis: format!(
                "judge {} + {:.0}% of pairs labelled by people ({} each)",
                money(judge),
                100.0 * review,
                money(people)
            ),
            expected_kappa: hybrid_k,
            kappa_measured: human_m && judge_m,
            kappa_source: hybrid_src,
        },
        Approach {
            name: "ai_only".into(),
            cost_per_pair: judge + spot * label,
            basis: format!(
                "judge {} + {:.0}% spot-checked by one person ({} a label)",
                money(judge),
                100.0 * spot,
                money(label)
            ),
            expected_kappa: judge_k,
            kappa_measured: judge_m,
            kappa_source: judge_src,
        },
    ];
    let used = Used {
        seconds_per_label: seconds,
        seconds_source: seconds_source.into(),
        gold_share: gold,
        gold_source: gold_source.into(),
    };
    Ok((list, used))
}

/// A published planning figure: the cost of a collection of a given size
/// by a given approach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRow {
    pub pairs: u64,
    pub approach: String,
    pub cost: f64,
    pub cost_per_pair: f64,
    /// The agreement stated with it, where one is.
    pub expected_kappa: Option<f64>,
}

/// The published planning table for RLHF preference data, and its source.
/// Not computed: shown beside the approaches so a plan can be checked
/// against it.
pub fn reference() -> (Vec<ReferenceRow>, &'static str) {
    let row = |pairs: u64, approach: &str, per_pair: f64, kappa: Option<f64>| ReferenceRow {
        pairs,
        approach: approach.into(),
        cost: pairs as f64 * per_pair,
        cost_per_pair: per_pair,
        expected_kappa: kappa,
    };
    (
        vec![
            row(10_000, "people only", 2.00, Some(0.72)),
            row(100_000, "people only, gold-question QA", 1.50, None),
            row(500_000, "AI labels, human review", 0.40, None),
            row(
                1_000_000,
                "AI primary, human spot checks, active learning",
                0.25,
                Some(0.62),
            ),
        ],
        "published planning figures for RLHF preference data (the project's brief); not computed from your numbers",
    )
}
