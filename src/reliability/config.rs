//! Reliability settings: [`ReliabilityConfig`] (thresholds and weights of
//! the composite, with defaults), how a label matches gold ([`Match`]),
//! reading them from JSON and checking them.

use crate::error::{Error, Result};
use crate::fields::{num, shown, Fields};
use crate::label::Label;
use serde::Serialize;

/// How a label is compared with a reference label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Equal labels only.
    Exact,
    /// Same side: A (`A>>`, `A>`), tie (`=`) or B (`B>`, `B>>`).
    Directional,
}

impl Match {
    /// Reads `key` of `f` (`"exact"` or `"directional"`), `default` when absent.
    pub(crate) fn read(f: &Fields, key: &str, default: Match) -> Result<Match> {
        match f.get(key) {
            None => Ok(default),
            Some(serde_json::Value::String(s)) if s == "exact" => Ok(Match::Exact),
            Some(serde_json::Value::String(s)) if s == "directional" => Ok(Match::Directional),
            Some(other) => Err(Error::invalid(
                f.path_of(key),
                format!(
                    "expected \"directional\" or \"exact\", got {}",
                    shown(other)
                ),
            )),
        }
    }

    /// Whether `a` matches `b`.
    pub fn matches(self, a: Label, b: Label) -> bool {
        match self {
            Match::Exact => a == b,
            Match::Directional => a.side() == b.side(),
        }
    }
}

/// Every threshold and weight of the reliability figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityConfig {
    /// How gold answers are scored. Default directional.
    pub gold_match: Match,
    /// How labels are compared with the majority. Default exact.
    pub majority_match: Match,
    /// Leave the annotator's own label out of the item's majority. Default false.
    pub majority_leave_one_out: bool,
    /// Fewest labels on an item for it to count toward majority agreement. Default 2.
    pub min_labels_for_majority: u32,
    /// Mean time at and above which speed is not penalised. Default 5 s.
    pub speed_threshold_seconds: f64,
    /// Weight of gold accuracy in the composite. Default 0.4.
    pub weight_gold: f64,
    /// Weight of majority agreement in the composite. Default 0.3.
    pub weight_majority: f64,
    /// Weight of the speed score in the composite. Default 0.3.
    pub weight_speed: f64,
    /// Value used in the composite for an undefined part. Default 0.5.
    pub undefined_score: f64,
    /// Fewest gold answers before an annotator can be flagged. Default 5.
    pub flag_min_gold: u32,
    /// Gold accuracy below which an annotator is flagged. Default 0.60.
    pub flag_gold_accuracy_below: f64,
}

impl Default for ReliabilityConfig {
    fn default() -> Self {
        ReliabilityConfig {
            gold_match: Match::Directional,
            majority_match: Match::Exact,
            majority_leave_one_out: false,
            min_labels_for_majority: 2,
            speed_threshold_seconds: 5.0,
            weight_gold: 0.4,
            weight_majority: 0.3,
            weight_speed: 0.3,
            undefined_score: 0.5,
            flag_min_gold: 5,
            flag_gold_accuracy_below: 0.60,
        }
    }
}

impl ReliabilityConfig {
    /// Reads the `reliability` part of a config file: every field optional,
    /// unknown ones refused by name. Values are checked by [`Self::check`].
    pub(crate) fn read(f: &Fields) -> Result<Self> {
        f.only(&[
            "gold_match",
            "majority_match",
            "majority_leave_one_out",
            "min_labels_for_majority",
            "speed_threshold_seconds",
            "weight_gold",
            "weight_majority",
            "weight_speed",
            "undefined_score",
            "flag_min_gold",
            "flag_gold_accuracy_below",
        ])?;
        let d = Self::default();
        Ok(ReliabilityConfig {
            gold_match: Match::read(f, "gold_match", d.gold_match)?,
            majority_match: Match::read(f, "majority_match", d.majority_match)?,
            majority_leave_one_out: f
                .bool_or("majority_leave_one_out", d.majority_leave_one_out)?,
            min_labels_for_majority: f.u32_or(
                "min_labels_for_majority",
                d.min_labels_for_majority,
                0,
            )?,
            speed_threshold_seconds: f
                .number_or("speed_threshold_seconds", d.speed_threshold_seconds)?,
            weight_gold: f.number_or("weight_gold", d.weight_gold)?,
            weight_majority: f.number_or("weight_majority", d.weight_majority)?,
            weight_speed: f.number_or("weight_speed", d.weight_speed)?,
            undefined_score: f.number_or("undefined_score", d.undefined_score)?,
            flag_min_gold: f.u32_or("flag_min_gold", d.flag_min_gold, 0)?,
            flag_gold_accuracy_below: f
                .number_or("flag_gold_accuracy_below", d.flag_gold_accuracy_below)?,
        })
    }

    /// Largest weight, undefined score or accuracy threshold accepted.
    pub const MAX_SETTING: f64 = 1e6;

    /// Refuses values that would make the figures meaningless, naming the field.
    pub fn check(&self) -> Result<()> {
        let finite = [
            ("weight_gold", self.weight_gold),
            ("weight_majority", self.weight_majority),
            ("weight_speed", self.weight_speed),
            ("undefined_score", self.undefined_score),
            ("flag_gold_accuracy_below", self.flag_gold_accuracy_below),
        ];
        for (field, v) in finite {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::invalid(
                    field,
                    format!("must be a finite number, not negative; got {}", num(v)),
                ));
            }
            // The composite adds weight x score, and the weighted vote adds
            // composites: 1e308 is finite, twice it is not.
            if v > Self::MAX_SETTING {
                return Err(Error::invalid(
                    field,
                    format!("must be at most {}; got {}", num(Self::MAX_SETTING), num(v)),
                ));
            }
        }
        if !(self.speed_threshold_seconds.is_finite() && self.speed_threshold_seconds > 0.0) {
            return Err(Error::invalid(
                "speed_threshold_seconds",
                format!(
                    "must be a positive number of seconds; got {}",
                    num(self.speed_threshold_seconds)
                ),
            ));
        }
        Ok(())
    }
}
