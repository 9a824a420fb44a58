//! Agreement between annotators: raw pairwise agreement, Cohen's, Fleiss'
//! and Krippendorff's coefficients, each with an interpretation band.
//!
//! [`compute`] runs on a whole [`Dataset`]; [`live::LiveAgreement`] takes
//! one label at a time and yields the same [`AgreementReport`] at any
//! moment, bit for bit. Both reduce the data to integer tallies first (see
//! `tally.rs`) and share the final formulas.
//!
//! Figures that cannot be computed are `None` (JSON `null`) and their
//! reason is in [`AgreementReport::undefined`]; nothing is NaN.
//!
//! # Repeated ratings
//!
//! A dataset read with `allow_repeats` may hold several labels by one
//! annotator on one item. Each coefficient counts them by its own
//! definition (checked against krippendorff, statsmodels and scikit-learn
//! in tests/repeats.rs):
//!
//! - Krippendorff's alpha: the coincidences pair all values of a unit, so
//!   `m_u` counts every label ([`krippendorff`]);
//! - raw pairwise agreement: every pair of labels on an item, the
//!   annotator's own pairs included (its pairs are alpha's) ([`pairwise`]);
//! - Fleiss' kappa: every label is one of the item's `n_i` ratings
//!   ([`fleiss`]);
//! - Cohen's kappa: each annotator's first label on an item, one
//!   observation per item of the pair's table ([`cohen`]);
//! - bootstrap intervals resample items, each with all its labels.
//!
//! Agreement of annotators with themselves is in each annotator's
//! `self_consistency` ([`crate::reliability::SelfConsistency`]).
//!
//! ```
//! use prefkit::agreement::{compute, AgreementConfig};
//! use prefkit::Dataset;
//! let text = "{\"item\":\"x\",\"annotator\":\"w1\",\"label\":\"A>\"}\n\
//!             {\"item\":\"x\",\"annotator\":\"w2\",\"label\":\"A>>\"}\n\
//!             {\"item\":\"y\",\"annotator\":\"w1\",\"label\":\"B>\"}\n\
//!             {\"item\":\"y\",\"annotator\":\"w2\",\"label\":\"B>\"}";
//! let data = Dataset::parse_jsonl(text, false).unwrap();
//! let report = compute(&data, &AgreementConfig { min_shared: 1, ci: None });
//! assert_eq!(report.pairwise, Some(0.5));
//! assert_eq!(report.pairwise_directional, Some(1.0));
//! assert_eq!(report.cohen_kappa[0].n, 2);
//! ```

pub mod bootstrap;
pub mod cohen;
pub mod fleiss;
pub mod interpret;
pub mod krippendorff;
pub mod live;
pub mod pairwise;
mod tally;
pub mod timeline;

use crate::dataset::Dataset;
use crate::label::{Label, K};
use crate::map::LiteMap;
use bootstrap::{CiConfig, Intervals};
use interpret::{interpret, Interpretation};
use krippendorff::Level;
use pairwise::PairCounts;
use serde::{Deserialize, Serialize};
use tally::Tallies;

/// Settings of the agreement figures. Read from the `agreement` part of a
/// config file; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementConfig {
    /// Least number of shared items for an annotator pair to get a Cohen's
    /// kappa entry (values below 1 count as 1). Default 10: on fewer items
    /// the standard error of kappa is wider than an interpretation band, and
    /// in large crowds most pairs share only an item or two, which would
    /// flood the report with meaningless entries.
    pub min_shared: usize,
    /// Bootstrap intervals (`agreement.ci`); none by default. The live
    /// report never computes them.
    pub ci: Option<CiConfig>,
}

impl AgreementConfig {
    /// Reads the `agreement` part of a config file.
    pub(crate) fn read(f: &crate::fields::Fields) -> crate::error::Result<Self> {
        f.only(&["min_shared", "ci"])?;
        let min_shared = f.int_or("min_shared", 10, 0)?;
        let ci = match f.get("ci") {
            Some(v) => {
                let path = f.path_of("ci");
                Some(CiConfig::read(
                    &crate::fields::Fields::new(v, &path)?,
                    &path,
                )?)
            }
            None => None,
        };
        Ok(AgreementConfig {
            min_shared: usize::try_from(min_shared).unwrap_or(usize::MAX),
            ci,
        })
    }
}

impl Default for AgreementConfig {
    fn default() -> Self {
        AgreementConfig {
            min_shared: 10,
            ci: None,
        }
    }
}

/// Krippendorff's alpha at the three levels of measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AlphaSet {
    /// Labels as unordered categories.
    pub nominal: Option<f64>,
    /// Labels as ordered categories (Krippendorff's ordinal metric).
    pub ordinal: Option<f64>,
    /// Labels as equally spaced codes 0..4.
    pub interval: Option<f64>,
}

/// Cohen's kappa of one annotator pair (`a < b` by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohenPair {
    /// First annotator (by name order).
    pub a: String,
    /// Second annotator.
    pub b: String,
    /// Items both labelled.
    pub n: u64,
    /// Unweighted kappa.
    pub unweighted: Option<f64>,
    /// Linear-weighted kappa.
    pub linear: Option<f64>,
    /// Quadratic-weighted kappa.
    pub quadratic: Option<f64>,
    /// Why the values are `null`, when they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the Cohen pair listing leaves out, when it does not list every
/// pair sharing `min_shared` items (see [`cohen`] for the rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohenTruncated {
    /// Pairs counted and sharing at least `min_shared` items but not listed,
    /// because `max_pairs` pairs with as many or more shared items are.
    pub pairs_not_listed: u64,
    /// Annotators with at least `min_shared` labels left out of the count by
    /// the work budget `max_label_pairs`: their pairs are neither counted nor
    /// listed (so `pairs_not_listed` does not include them).
    pub annotators_not_examined: u64,
    /// The listing cap, [`cohen::MAX_PAIRS`].
    pub max_pairs: u64,
    /// The work budget in label pairs (two labels of one item):
    /// `max(2^24, 32 x labels)`.
    pub max_label_pairs: u64,
    /// The same in words.
    pub reason: String,
}

/// Every agreement figure, as in the `agreement` part of the report JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AgreementReport {
    /// Share of label pairs within items that match exactly.
    pub pairwise: Option<f64>,
    /// Share of label pairs on the same side (A, tie, B).
    pub pairwise_directional: Option<f64>,
    /// Fleiss' kappa over items with 2+ labels.
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's alpha.
    pub krippendorff_alpha: AlphaSet,
    /// Cohen's kappa per annotator pair sharing at least `min_shared` items,
    /// sorted by `(a, b)`; at most [`cohen::MAX_PAIRS`] of them, within a
    /// work budget (see [`cohen`] for the rule).
    pub cohen_kappa: Vec<CohenPair>,
    /// Absent (`None`) when `cohen_kappa` lists every annotator pair sharing
    /// at least `min_shared` items; else what it leaves out and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohen_kappa_truncated: Option<CohenTruncated>,
    /// Band and action for each defined kappa/alpha, keyed `fleiss_kappa`,
    /// `krippendorff_alpha.nominal`, `krippendorff_alpha.ordinal`,
    /// `krippendorff_alpha.interval`. Undefined figures have no entry.
    #[serde(serialize_with = "crate::map::as_object")]
    pub interpretation: LiteMap<String, Interpretation>,
    /// Reason for every `null` figure, keyed like `interpretation` (plus
    /// `pairwise` and `pairwise_directional`).
    #[serde(serialize_with = "crate::map::as_object")]
    pub undefined: LiteMap<String, String>,
    /// Unordered label pairs within items.
    pub pairs: u64,
    /// Items with two or more labels.
    pub items_with_two_plus: u64,
    /// Bootstrap intervals, when asked for (`agreement.ci` of the config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Intervals>,
}

/// A figure or the reason it is undefined.
pub(crate) type Figure = std::result::Result<f64, String>;

pub(crate) fn no_pairs_reason() -> String {
    "no item has two or more labels, so there is nothing to compare".to_string()
}

pub(crate) fn single_category_reason(c: usize, figure: &str) -> String {
    let label = Label::from_index(c).map_or("?", Label::as_str);
    format!(
        "every label on items with two or more labels is \"{label}\", so chance agreement is total and {figure} is 0/0"
    )
}

/// Every agreement figure of `data`.
///
/// Time and memory linear in the number of labels whatever the shape of
/// the data: the Cohen pairs count at most `max(2^24, 32 x labels)` label
/// pairs (see [`cohen`]), the other figures come from per-item label counts.
pub fn compute(data: &Dataset, config: &AgreementConfig) -> AgreementReport {
    let counts = data.item_counts();
    let tallies = Tallies::from_counts(&counts);
    let cohen = cohen::pairs_from_dataset(data, config);
    let mut r = report(&tallies, cohen);
    if let Some(ci) = &config.ci {
        let observers = observers(data, &counts);
        let units: Vec<[u32; K]> = counts
            .into_iter()
            .filter(|n| n.iter().sum::<u32>() >= 2)
            .collect();
        let intervals = bootstrap::intervals(&units, observers, &bootstrap::figures(&tallies), ci);
        r.attach(intervals);
    }
    r
}

/// Annotators with a label on an item with two or more labels (Hayes &
/// Krippendorff's number of observers `m`).
fn observers(data: &Dataset, counts: &[[u32; K]]) -> usize {
    let mut seen = vec![false; data.annotators.len()];
    for r in &data.rows {
        if counts[r.item as usize].iter().sum::<u32>() >= 2 {
            seen[r.annotator as usize] = true;
        }
    }
    seen.into_iter().filter(|&s| s).count()
}

/// The report from the tallies and the Cohen pairs (shared by batch and live).
fn report(t: &Tallies, cohen: cohen::CohenListing) -> AgreementReport {
    let mut undefined = LiteMap::new();
    let mut interpretation = LiteMap::new();
    let counts = PairCounts::from_tallies(t);
    let mut plain = |name: &str, value: Option<f64>| {
        if value.is_none() {
            undefined.insert(name.to_string(), no_pairs_reason());
        }
        value
    };
    let pairwise = plain("pairwise", counts.exact_rate());
    let pairwise_directional = plain("pairwise_directional", counts.directional_rate());
    let mut kappa = |name: &str, figure: Figure| match figure {
        Ok(v) => {
            interpretation.insert(name.to_string(), interpret(v));
            Some(v)
        }
        Err(reason) => {
            undefined.insert(name.to_string(), reason);
            None
        }
    };
    let fleiss_kappa = kappa("fleiss_kappa", fleiss::fleiss_kappa(t));
    let alpha = |level| krippendorff::krippendorff_alpha(t, level);
    let krippendorff_alpha = AlphaSet {
        nominal: kappa("krippendorff_alpha.nominal", alpha(Level::Nominal)),
        ordinal: kappa("krippendorff_alpha.ordinal", alpha(Level::Ordinal)),
        interval: kappa("krippendorff_alpha.interval", alpha(Level::Interval)),
    };
    AgreementReport {
        pairwise,
        pairwise_directional,
        fleiss_kappa,
        krippendorff_alpha,
        cohen_kappa: cohen.pairs,
        cohen_kappa_truncated: cohen.truncated,
        interpretation,
        undefined,
        pairs: counts.pairs,
        items_with_two_plus: t.units(),
        ci: None,
    }
}

/// The one figure to show where there is room for one (the annotation
/// session's live display): Krippendorff's ordinal alpha, which respects the
/// order of the five labels and allows any number of labels per item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Key of the figure, as in [`AgreementReport::interpretation`].
    pub figure: String,
    /// Its value.
    pub value: f64,
    /// Band, range and action.
    pub interpretation: Interpretation,
}

impl AgreementReport {
    /// Adds the intervals, and to each kappa and alpha whose interval
    /// reaches into another band, a note that says so.
    fn attach(&mut self, ci: Intervals) {
        let a = &self.krippendorff_alpha;
        let k = &ci.krippendorff_alpha;
        for (key, value, interval) in [
            ("fleiss_kappa", self.fleiss_kappa, ci.fleiss_kappa),
            ("krippendorff_alpha.nominal", a.nominal, k.nominal),
            ("krippendorff_alpha.ordinal", a.ordinal, k.ordinal),
            ("krippendorff_alpha.interval", a.interval, k.interval),
        ] {
            if let (Some(v), Some(iv), Some(i)) =
                (value, interval, self.interpretation.get_mut(key))
            {
                i.interval_note = interpret::interval_note(v, iv, ci.level);
            }
        }
        self.ci = Some(ci);
    }

    /// The headline figure, or `Err` with the reason it is undefined.
    ///
    /// ```
    /// use prefkit::agreement::AgreementReport;
    /// let empty = AgreementReport::default();
    /// assert!(empty.headline().is_err());
    /// ```
    pub fn headline(&self) -> std::result::Result<Headline, String> {
        const FIGURE: &str = "krippendorff_alpha.ordinal";
        match (
            self.krippendorff_alpha.ordinal,
            self.interpretation.get(FIGURE),
        ) {
            (Some(value), Some(i)) => Ok(Headline {
                figure: FIGURE.to_string(),
                value,
                interpretation: i.clone(),
            }),
            _ => Err(self
                .undefined
                .get(FIGURE)
                .cloned()
                .unwrap_or_else(no_pairs_reason)),
        }
    }
}
