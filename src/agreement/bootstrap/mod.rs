//! Bootstrap intervals of the agreement figures.
//!
//! **Percentile bootstrap over items** (Efron, B. & Tibshirani, R. J.
//! (1993), An Introduction to the Bootstrap, Chapman & Hall,
//! doi:10.1201/9780429246593, ch. 6 and 13). The units are the items with
//! two or more labels (the others carry no agreement information). Each of
//! `B` resamples draws `N` of the `N` units with replacement, every drawn
//! unit keeping all its labels, and recomputes every figure. A figure's
//! interval is the `(1 - level)/2` and `(1 + level)/2` quantiles of its
//! defined resample values, linearly interpolated between order statistics
//! (Hyndman, R. J. & Fan, Y. (1996), Sample quantiles in statistical
//! packages, The American Statistician 50(4):361-365,
//! doi:10.1080/00031305.1996.10473566, definition 7: `h = (L - 1) p`,
//! `Q(p) = x_(floor h) + (h - floor h)(x_(floor h + 1) - x_(floor h))`
//! over the `L` sorted values, 0-based).
//!
//! Every figure depends on the data only through the integer tallies of
//! `tally.rs`, which are sums over units. So a resample is reduced to how
//! many times each distinct label-count vector ("pattern") was drawn; its
//! tallies are those weights times the patterns' outer products, and the
//! figures come from the very formulas of the report. The cost of a
//! resample is `N` draws plus one pass over the patterns (a few hundred),
//! not a pass over the annotations.
//!
//! **Undefined.** A figure undefined on the data has no interval (its
//! reason says so). Otherwise it has none when it is undefined in more than
//! [`MAX_UNDEFINED_SHARE`] (5%) of the resamples; at or below that, the
//! interval is over the resamples where it is defined and the number left
//! out is in `undefined_resamples`.
//!
//! **Hayes & Krippendorff's bootstrap of alpha** (2007), which resamples
//! pairs of values rather than items, is reported beside the intervals as
//! `hayes_krippendorff`: see [its module](mod@hayes_krippendorff) for the algorithm.

pub mod hayes_krippendorff;

use super::krippendorff::{krippendorff_alpha, Level};
use super::pairwise::PairCounts;
use super::tally::Tallies;
use super::{fleiss, Figure};
use crate::error::{Error, Result};
use crate::fields::{num, Fields};
use crate::label::K;
use crate::map::{FastMap, LiteMap};
use hayes_krippendorff::hayes_krippendorff;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Above this share of resamples in which a figure is undefined, its
/// interval is `null`.
pub const MAX_UNDEFINED_SHARE: f64 = 0.05;

/// The item bootstrap's `method`.
pub const PERCENTILE: &str = "percentile bootstrap over items";

/// Hayes & Krippendorff's `method`.
pub const HAYES_KRIPPENDORFF: &str = "hayes-krippendorff";

/// Settings of the intervals (`agreement.ci` of the report config).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CiConfig {
    /// Coverage of the intervals, in (0, 1). Default 0.95.
    pub level: f64,
    /// Resamples `B`. Default 1000.
    pub resamples: u32,
    /// Seed of the draws. Default 0.
    pub seed: u64,
    /// The minimum alpha of Hayes & Krippendorff's `q`. Default 0.667
    /// (Krippendorff's lowest acceptable alpha for tentative conclusions).
    pub min_alpha: f64,
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            level: 0.95,
            resamples: 1000,
            seed: 0,
            min_alpha: 0.667,
        }
    }
}

/// Most resamples accepted (the work is linear in them).
pub const MAX_RESAMPLES: u32 = 100_000;

impl CiConfig {
    /// Reads the `agreement.ci` part of a config file, found at `path`.
    pub(crate) fn read(f: &Fields, path: &str) -> Result<Self> {
        f.only(&["level", "resamples", "seed", "min_alpha"])?;
        let d = CiConfig::default();
        let c = CiConfig {
            level: f.number_or("level", d.level)?,
            resamples: f.u32_or("resamples", d.resamples, 1)?,
            seed: f.int_or("seed", d.seed, 0)?,
            min_alpha: f.number_in("min_alpha", d.min_alpha, -1.0, 1.0, false)?,
        };
        c.check().map_err(|e| e.in_field(path))?;
        Ok(c)
    }

    /// Refuses a level outside (0, 1) or too many resamples, naming the field.
    pub fn check(&self) -> Result<()> {
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(Error::invalid(
                "level",
                format!(
                    "must be between 0 and 1 (e.g. 0.95); got {}",
                    num(self.level)
                ),
            ));
        }
        if self.resamples == 0 || self.resamples > MAX_RESAMPLES {
            return Err(Error::invalid(
                "resamples",
                format!("must be from 1 to {MAX_RESAMPLES}; got {}", self.resamples),
            ));
        }
        if !(-1.0..=1.0).contains(&self.min_alpha) {
            return Err(Error::invalid(
                "min_alpha",
                format!("must be between -1 and 1; got {}", num(self.min_alpha)),
            ));
        }
        Ok(())
    }
}

/// An interval per level of Krippendorff's alpha.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct IntervalSet {
    /// Nominal alpha.
    pub nominal: Option<[f64; 2]>,
    /// Ordinal alpha.
    pub ordinal: Option<[f64; 2]>,
    /// Interval alpha.
    pub interval: Option<[f64; 2]>,
}

/// Hayes & Krippendorff's result for one level of alpha.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaBootstrap {
    /// `[lo, hi]` at the configured level.
    pub interval: [f64; 2],
    /// Share of resampled alphas below `min_alpha`.
    pub q: f64,
    /// Pairs of values drawn per resample (`M`).
    pub draws: u64,
}

/// Hayes & Krippendorff's bootstrap of alpha, per level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HayesKrippendorff {
    /// Always [`HAYES_KRIPPENDORFF`].
    pub method: String,
    /// The minimum alpha of `q`.
    pub min_alpha: f64,
    /// Nominal alpha.
    pub nominal: Option<AlphaBootstrap>,
    /// Ordinal alpha.
    pub ordinal: Option<AlphaBootstrap>,
    /// Interval alpha.
    pub interval: Option<AlphaBootstrap>,
}

/// `agreement.ci` of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Intervals {
    /// Coverage.
    pub level: f64,
    /// Resamples.
    pub resamples: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// Always [`PERCENTILE`].
    pub method: String,
    /// Exact pairwise agreement.
    pub pairwise: Option<[f64; 2]>,
    /// Directional pairwise agreement.
    pub pairwise_directional: Option<[f64; 2]>,
    /// Fleiss' kappa.
    pub fleiss_kappa: Option<[f64; 2]>,
    /// Krippendorff's alpha.
    pub krippendorff_alpha: IntervalSet,
    /// Hayes & Krippendorff's bootstrap of alpha (same resamples count and seed).
    pub hayes_krippendorff: HayesKrippendorff,
    /// Why an interval is `null`, keyed like `agreement.undefined`
    /// (`hayes_krippendorff.<level>` for the second method).
    #[serde(serialize_with = "crate::map::as_object")]
    pub undefined: LiteMap<String, String>,
    /// Resamples left out of a defined interval because the figure was
    /// undefined in them (only figures with some).
    #[serde(serialize_with = "crate::map::as_object")]
    pub undefined_resamples: LiteMap<String, u32>,
}

/// The figures with intervals, in output order, keyed as in the report.
pub const FIGURES: [&str; 6] = [
    "pairwise",
    "pairwise_directional",
    "fleiss_kappa",
    "krippendorff_alpha.nominal",
    "krippendorff_alpha.ordinal",
    "krippendorff_alpha.interval",
];

/// Every figure with an interval, from tallies (the report's own formulas).
pub(crate) fn figures(t: &Tallies) -> [Figure; 6] {
    let counts = PairCounts::from_tallies(t);
    let rate = |r: Option<f64>| r.ok_or_else(super::no_pairs_reason);
    [
        rate(counts.exact_rate()),
        rate(counts.directional_rate()),
        fleiss::fleiss_kappa(t),
        krippendorff_alpha(t, Level::Nominal),
        krippendorff_alpha(t, Level::Ordinal),
        krippendorff_alpha(t, Level::Interval),
    ]
}

/// The seeded draws of the item bootstrap: resample after resample, `n`
/// unit indices uniform on `0..n` with replacement, from ChaCha8 seeded
/// with the seed (the same indices natively and in WebAssembly).
pub struct Draws {
    rng: ChaCha8Rng,
    n: u32,
}

impl Draws {
    /// Draws over `n_units` units.
    pub fn new(seed: u64, n_units: usize) -> Draws {
        Draws {
            rng: ChaCha8Rng::seed_from_u64(seed),
            n: u32::try_from(n_units).unwrap_or(u32::MAX),
        }
    }

    /// The next resample: calls `visit` with each drawn unit index, in order.
    pub fn resample(&mut self, mut visit: impl FnMut(usize)) {
        for _ in 0..self.n {
            visit(self.rng.random_range(0..self.n) as usize);
        }
    }
}

/// The `p` quantile of sorted `x` (Hyndman & Fan definition 7).
pub fn quantile(x: &[f64], p: f64) -> f64 {
    let h = (x.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(x.len() - 1);
    x[lo] + (h - lo as f64) * (x[hi] - x[lo])
}

/// Intervals of every figure. `units` are the label counts of the items
/// with two or more labels, in item order; `observers` the number of
/// annotators who labelled them (Hayes & Krippendorff's `m`); `point` the
/// figures on the data, in [`FIGURES`] order.
pub(crate) fn intervals(
    units: &[[u32; K]],
    observers: usize,
    point: &[Figure; 6],
    config: &CiConfig,
) -> Intervals {
    let b = config.resamples as usize;
    // Distinct label-count vectors and each unit's pattern.
    let mut index: FastMap<[u32; K], u32> = FastMap::default();
    let mut patterns: Vec<[u32; K]> = Vec::new();
    let pattern_of: Vec<u32> = units
        .iter()
        .map(|n| {
            *index.entry(*n).or_insert_with(|| {
                patterns.push(*n);
                (patterns.len() - 1) as u32
            })
        })
        .collect();
    let mut values: [Vec<f64>; 6] = Default::default();
    let mut first_reason: [Option<String>; 6] = Default::default();
    let mut weights = vec![0u64; patterns.len()];
    let mut draws = Draws::new(config.seed, units.len());
    for _ in 0..b {
        weights.iter_mut().for_each(|w| *w = 0);
        draws.resample(|u| weights[pattern_of[u] as usize] += 1);
        let mut t = Tallies::default();
        for (n, &w) in patterns.iter().zip(&weights) {
            if w > 0 {
                t.add_units(n, w);
            }
        }
        for (f, figure) in figures(&t).into_iter().enumerate() {
            match figure {
                Ok(v) => values[f].push(v),
                Err(reason) => {
                    first_reason[f].get_or_insert(reason);
                }
            }
        }
    }
    let mut undefined = LiteMap::new();
    let mut undefined_resamples = LiteMap::new();
    let lower = (1.0 - config.level) / 2.0;
    let mut interval = |f: usize, v: &mut Vec<f64>| -> Option<[f64; 2]> {
        let name = FIGURES[f];
        if let Err(reason) = &point[f] {
            undefined.insert(
                name.to_string(),
                format!("the figure is undefined: {reason}"),
            );
            return None;
        }
        let missing = b - v.len();
        if missing as f64 > MAX_UNDEFINED_SHARE * b as f64 || v.is_empty() {
            let why = first_reason[f].clone().unwrap_or_default();
            undefined.insert(
                name.to_string(),
                format!(
                    "undefined in {missing} of {b} resamples (more than {}%), e.g.: {why}",
                    num(MAX_UNDEFINED_SHARE * 100.0)
                ),
            );
            return None;
        }
        if missing > 0 {
            undefined_resamples.insert(name.to_string(), missing as u32);
        }
        v.sort_by(f64::total_cmp);
        Some([quantile(v, lower), quantile(v, 1.0 - lower)])
    };
    let [v0, v1, v2, v3, v4, v5] = &mut values;
    let pairwise = interval(0, v0);
    let pairwise_directional = interval(1, v1);
    let fleiss_kappa = interval(2, v2);
    let krippendorff_alpha = IntervalSet {
        nominal: interval(3, v3),
        ordinal: interval(4, v4),
        interval: interval(5, v5),
    };
    let t = Tallies::from_counts(units);
    let mut hk = |level: Level, stream: u64, key: &str| match hayes_krippendorff(
        &t, observers, level, config, stream,
    ) {
        Ok(a) => Some(a),
        Err(reason) => {
            undefined.insert(format!("hayes_krippendorff.{key}"), reason);
            None
        }
    };
    let hayes_krippendorff = HayesKrippendorff {
        method: HAYES_KRIPPENDORFF.to_string(),
        min_alpha: config.min_alpha,
        nominal: hk(Level::Nominal, 1, "nominal"),
        ordinal: hk(Level::Ordinal, 2, "ordinal"),
        interval: hk(Level::Interval, 3, "interval"),
    };
    Intervals {
        level: config.level,
        resamples: config.resamples,
        seed: config.seed,
        method: PERCENTILE.to_string(),
        pairwise,
        pairwise_directional,
        fleiss_kappa,
        krippendorff_alpha,
        hayes_krippendorff,
        undefined,
        undefined_resamples,
    }
}
