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
    }
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
    fn bands_serialize_in_snake_case() {
        let json = serde_json::to_string(&interpret(0.9)).unwrap();
        assert_eq!(
            json,
            r#"{"band":"almost_perfect","range":"0.81-1.00","action":"ready for training"}"#
        );
    }
}
