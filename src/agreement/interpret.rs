//! Interpretation bands for kappa and alpha, with a recommended action.
//!
//! The bands are those of Landis, J. R. & Koch, G. G. (1977). The
//! measurement of observer agreement for categorical data. Biometrics
//! 33(1):159-174, doi:10.2307/2529310, with "poor" (below 0) folded into
//! "slight"; the actions are this project's advice for preference data.
//! A value is placed by its two-decimal rounding, so the band always agrees
//! with the printed range (0.805 shows as 0.81 and is "almost perfect";
//! 0.8049 shows as 0.80 and is "substantial").

use serde::{Deserialize, Serialize};

/// One of the five agreement bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 0.81-1.00.
    AlmostPerfect,
    /// 0.61-0.80.
    Substantial,
    /// 0.41-0.60.
    Moderate,
    /// 0.21-0.40.
    Fair,
    /// 0.20 and below.
    Slight,
}

impl Band {
    /// The band of `value` (kappa or alpha), by its two-decimal rounding.
    pub fn of(value: f64) -> Band {
        let hundredths = (value * 100.0).round();
        if hundredths >= 81.0 {
            Band::AlmostPerfect
        } else if hundredths >= 61.0 {
            Band::Substantial
        } else if hundredths >= 41.0 {
            Band::Moderate
        } else if hundredths >= 21.0 {
            Band::Fair
        } else {
            Band::Slight
        }
    }

    /// The range as printed in reports.
    pub fn range(self) -> &'static str {
        match self {
            Band::AlmostPerfect => "0.81-1.00",
            Band::Substantial => "0.61-0.80",
            Band::Moderate => "0.41-0.60",
            Band::Fair => "0.21-0.40",
            Band::Slight => "0.20 and below",
        }
    }

    /// The band's name in a sentence: `almost perfect`, `substantial`, ...
    pub fn name(self) -> &'static str {
        match self {
            Band::AlmostPerfect => "almost perfect",
            Band::Substantial => "substantial",
            Band::Moderate => "moderate",
            Band::Fair => "fair",
            Band::Slight => "slight",
        }
    }

    /// What to do about data in this band.
    pub fn action(self) -> &'static str {
        match self {
            Band::AlmostPerfect => "ready for training",
            Band::Substantial => "acceptable with majority voting",
            Band::Moderate => "revise the guidelines and add training examples",
            Band::Fair => "the task may be too subjective: simplify the rubric",
            Band::Slight => "the task is broken: redesign it",
        }
    }
}

/// The band, its range and the recommended action for one figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpretation {
    /// `almost_perfect`, `substantial`, `moderate`, `fair` or `slight`.
    pub band: Band,
    /// The band's range, e.g. `0.61-0.80`.
    pub range: String,
    /// The recommended action.
    pub action: String,
    /// When the figure's bootstrap interval reaches into other bands, a
    /// sentence that says so (see [`interval_note`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_note: Option<String>,
}

/// The interpretation of a kappa or alpha value.
///
/// ```
/// use prefkit::agreement::interpret::{interpret, Band};
/// let i = interpret(0.43);
/// assert_eq!(i.band, Band::Moderate);
/// assert_eq!(i.range, "0.41-0.60");
/// ```
pub fn interpret(value: f64) -> Interpretation {
    let band = Band::of(value);
    Interpretation {
        band,
        range: band.range().to_string(),
        action: band.action().to_string(),
        interval_note: None,
    }
}

/// The bands, from the lowest.
const ORDER: [Band; 5] = [
    Band::Slight,
    Band::Fair,
    Band::Moderate,
    Band::Substantial,
    Band::AlmostPerfect,
];

/// When the interval `[lo, hi]` of `value` at `level` reaches into bands
/// other than `value`'s (each end placed as [`Band::of`] places a value),
/// a sentence naming them; `None` when it stays in the band.
///
/// ```
/// use prefkit::agreement::interpret::interval_note;
/// assert_eq!(
///     interval_note(0.63, [0.55, 0.68], 0.95).as_deref(),
///     Some("substantial, but the 95% interval 0.55-0.68 reaches into moderate")
/// );
/// assert_eq!(interval_note(0.70, [0.65, 0.75], 0.95), None);
/// ```
pub fn interval_note(value: f64, [lo, hi]: [f64; 2], level: f64) -> Option<String> {
    let band = Band::of(value);
    let rank = |b: Band| ORDER.iter().position(|&o| o == b).unwrap_or(0);
    let (from, to) = (rank(Band::of(lo)), rank(Band::of(hi)));
    let others: Vec<&str> = (from.min(rank(band))..=to.max(rank(band)))
        .map(|r| ORDER[r])
        .filter(|&b| b != band)
        .map(Band::name)
        .collect();
    if others.is_empty() {
        return None;
    }
    let names = match others.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let dash = if lo < 0.0 || hi < 0.0 { " to " } else { "-" };
    Some(format!(
        "{}, but the {}% interval {lo:.2}{dash}{hi:.2} reaches into {}",
        band.name(),
        crate::fields::num((level * 1000.0).round() / 10.0),
        names
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges_follow_the_printed_two_decimal_ranges() {
        assert_eq!(Band::of(1.0), Band::AlmostPerfect);
        assert_eq!(Band::of(0.805), Band::AlmostPerfect);
        assert_eq!(Band::of(0.8049), Band::Substantial);
        assert_eq!(Band::of(0.61), Band::Substantial);
        assert_eq!(Band::of(0.6049), Band::Moderate);
        assert_eq!(Band::of(0.41), Band::Moderate);
        assert_eq!(Band::of(0.40), Band::Fair);
        assert_eq!(Band::of(0.21), Band::Fair);
        assert_eq!(Band::of(0.20), Band::Slight);
        assert_eq!(Band::of(-0.5), Band::Slight);
    }

    #[test]
    fn an_interval_across_two_boundaries_names_both_bands_from_the_lowest() {
        assert_eq!(
            interval_note(0.7, [0.38, 0.83], 0.9).as_deref(),
            Some("substantial, but the 90% interval 0.38-0.83 reaches into fair, moderate and almost perfect")
        );
        assert_eq!(interval_note(0.1, [-0.05, 0.15], 0.95).as_deref(), None);
        assert_eq!(
            interval_note(0.1, [-0.05, 0.25], 0.95).as_deref(),
            Some("slight, but the 95% interval -0.05 to 0.25 reaches into fair")
        );
    }

    #[test]
    fn bands_serialize_in_snake_case() {
        let json = serde_json::to_string(&interpret(0.9)).unwrap();
        assert_eq!(
            json,
            r#"{"band":"almost_perfect","range":"0.81-1.00","action":"ready for training"}"#
        );
    }
}
