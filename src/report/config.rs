//! The report's settings: [`ReportConfig`] with its defaults, read field
//! by field from JSON (unknown keys refused by path), and its checks.

use crate::aggregate::dawid_skene;
use crate::agreement::AgreementConfig;
use crate::error::{Error, Result};
use crate::fields::{num, Fields};
use crate::reliability::ReliabilityConfig;
use serde::Serialize;

/// Settings of the aggregations.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AggregationConfig {
    /// Dawid-Skene EM settings.
    pub dawid_skene: dawid_skene::Config,
}

/// Every setting of the report; each part has defaults, so `{}` is a
/// valid config file. Unknown fields are refused by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportConfig {
    /// Agreement figures.
    pub agreement: AgreementConfig,
    /// Reliability thresholds and weights.
    pub reliability: ReliabilityConfig,
    /// Aggregation settings.
    pub aggregation: AggregationConfig,
    /// Least composite reliability for an annotator's labels to be aggregated. Default 0.6.
    pub min_reliability: f64,
    /// Accept a second label by the same annotator on the same item (a
    /// repeated rating) instead of refusing the file. Default false. See
    /// [`crate::agreement`] for how each figure counts repeats, and
    /// [`crate::reliability::SelfConsistency`] for each annotator's
    /// agreement with themselves.
    pub allow_repeats: bool,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            agreement: AgreementConfig::default(),
            reliability: ReliabilityConfig::default(),
            aggregation: AggregationConfig::default(),
            min_reliability: 0.6,
            allow_repeats: false,
        }
    }
}

crate::json::from_json_by_fields!(
    /// A JSON config, refusing unknown fields and bad values with a message
    /// that names them.
    ReportConfig,
    "report config"
);

impl ReportConfig {
    /// Reads a config from a JSON value, field by field: every part is
    /// optional, unknown keys are refused with their full path
    /// (`aggregation.dawid_skene.max_iter`), then [`Self::check`] runs.
    pub fn from_value(value: &serde_json::Value) -> Result<ReportConfig> {
        let f = Fields::new(value, "")?;
        f.only(&[
            "agreement",
            "reliability",
            "aggregation",
            "min_reliability",
            "allow_repeats",
        ])?;
        let part = |key: &str| f.get(key).map(|v| Fields::new(v, key)).transpose();
        let d = ReportConfig::default();
        let config = ReportConfig {
            agreement: match part("agreement")? {
                Some(p) => AgreementConfig::read(&p)?,
                None => d.agreement,
            },
            reliability: match part("reliability")? {
                Some(p) => ReliabilityConfig::read(&p)?,
                None => d.reliability,
            },
            aggregation: match part("aggregation")? {
                Some(p) => {
                    p.only(&["dawid_skene"])?;
                    match p.get("dawid_skene") {
                        Some(v) => AggregationConfig {
                            dawid_skene: dawid_skene::Config::read(&Fields::new(
                                v,
                                &p.path_of("dawid_skene"),
                            )?)?,
                        },
                        None => d.aggregation,
                    }
                }
                None => d.aggregation,
            },
            min_reliability: f.number_or("min_reliability", d.min_reliability)?,
            allow_repeats: f.bool_or("allow_repeats", d.allow_repeats)?,
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses values that make no sense, naming the field.
    pub fn check(&self) -> Result<()> {
        self.reliability
            .check()
            .map_err(|e| e.in_field("reliability"))?;
        // A composite score is a weighted sum of scores in [0, 1] (or the
        // undefined score): a threshold outside [0, its highest value]
        // keeps everyone or removes everyone, which is never meant.
        let r = &self.reliability;
        let highest =
            (r.weight_gold + r.weight_majority + r.weight_speed) * r.undefined_score.max(1.0);
        let highest = if (highest - 1.0).abs() < 1e-9 {
            1.0
        } else {
            highest
        };
        if !(self.min_reliability >= 0.0 && self.min_reliability <= highest + 1e-9) {
            return Err(Error::invalid(
                "min_reliability",
                format!(
                    "must be between 0 and {} (the highest composite score); got {}",
                    num(highest),
                    num(self.min_reliability)
                ),
            ));
        }
        let ds = &self.aggregation.dawid_skene;
        if ds.max_iterations > dawid_skene::MAX_ITERATIONS {
            return Err(Error::invalid(
                "aggregation.dawid_skene.max_iterations",
                format!(
                    "expected at most {}, got {}",
                    dawid_skene::MAX_ITERATIONS,
                    ds.max_iterations
                ),
            ));
        }
        if !(ds.eps > 0.0 && ds.eps < 1.0) {
            return Err(Error::invalid(
                "aggregation.dawid_skene.eps",
                format!("must be between 0 and 1; got {}", num(ds.eps)),
            ));
        }
        if ds.tolerance.is_nan() {
            return Err(Error::invalid(
                "aggregation.dawid_skene.tolerance",
                "must be a number",
            ));
        }
        Ok(())
    }
}
