//! Simulated annotators that answer one item at a time, as a page shows
//! it: a crowd described as profiles with counts, each annotator seeded.
//!
//! The crowd format (JSON, every field but `annotators` optional):
//!
//! ```json
//! {"seed": 7, "annotators": [
//!   {"id_prefix": "good", "count": 20, "accuracy": 0.85, "seconds": {"mean": 14, "sd": 5}},
//!   {"id_prefix": "left", "count": 2, "accuracy": 0.5, "left_bias": 0.8},
//!   {"id_prefix": "gone", "count": 10, "abandon": 1.0},
//!   {"id_prefix": "unsure", "count": 10, "skip": 0.2}]}
//! ```
//!
//! Per annotator, on each item, in this order: skip with probability
//! `skip`; else repeat the previous answer with probability
//! `straight_line`; else answer "left is better" (`A>` as shown) with
//! probability `left_bias`; else answer the item's true label (the gold
//! label for a gold item, else a hidden truth drawn from the item id and
//! the seed) with probability `accuracy`, a random label otherwise. Time
//! per item is normal with `seconds.mean` and `seconds.sd`, at least half a
//! second, in tenths. At the start of each batch the annotator walks away with
//! probability `abandon`, leaving the batch unanswered.
//!
//! Randomness: each annotator draws from a `Pcg32` of its own (the
//! session's generator, so the annotator's wasm module carries one),
//! seeded from the crowd's seed and the annotator's place in the crowd;
//! the hidden truth of an item from one seeded by the crowd's seed and the
//! item id. Every draw is platform-independent, so a seed gives the same
//! acts natively and in WebAssembly.

use super::{answer, draw, PRIOR};
use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
use crate::label::Label;
use crate::session::{Session, Task};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg32;
use serde_json::Value;

crate::json::from_json_by_fields!(
    /// A crowd from JSON text: see [`CrowdSpec::from_value`].
    CrowdSpec,
    "crowd"
);

/// One kind of annotator in a crowd.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Annotators are named `<id_prefix>-<n>` (default `"sim"`).
    pub id_prefix: String,
    /// How many (default 1).
    pub count: u32,
    /// Chance of the true label (default 0.8).
    pub accuracy: f64,
    /// Chance of "left is better" whatever the pair (default 0).
    pub left_bias: f64,
    /// Chance of repeating the previous answer (default 0).
    pub straight_line: f64,
    /// Mean seconds an item (default 15).
    pub seconds_mean: f64,
    /// Standard deviation of the seconds (default 5).
    pub seconds_sd: f64,
    /// Chance of walking away at the start of a batch (default 0).
    pub abandon: f64,
    /// Chance of skipping an item (default 0).
    pub skip: f64,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            id_prefix: "sim".into(),
            count: 1,
            accuracy: 0.8,
            left_bias: 0.0,
            straight_line: 0.0,
            seconds_mean: 15.0,
            seconds_sd: 5.0,
            abandon: 0.0,
            skip: 0.0,
        }
    }
}

/// A crowd: profiles with counts, and a seed.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdSpec {
    pub annotators: Vec<Profile>,
    pub seed: u64,
}

impl CrowdSpec {
    /// `n` annotators of the default profile.
    pub fn uniform(n: u32, seed: u64) -> CrowdSpec {
        CrowdSpec {
            annotators: vec![Profile {
                count: n,
                ..Profile::default()
            }],
            seed,
        }
    }

    /// Reads the crowd format (see the module docs), naming a wrong field
    /// by its path (`annotators[2].accuracy`).
    pub fn from_value(v: &Value) -> Result<CrowdSpec> {
        let f = Fields::new(v, "")?;
        f.only(&["annotators", "seed"])?;
        let seed = match f.get("seed") {
            None => 0,
            Some(s) => s.as_u64().ok_or_else(|| {
                Error::invalid("seed", format!("expected a whole number, got {}", shown(s)))
            })?,
        };
        let list = match f.get("annotators") {
            Some(Value::Array(a)) if !a.is_empty() => a,
            Some(_) => {
                return Err(Error::invalid(
                    "annotators",
                    "expected a non-empty array of profiles",
                ))
            }
            None => return Err(Error::missing("annotators")),
        };
        let annotators = list
            .iter()
            .enumerate()
            .map(|(i, p)| profile(p, &format!("annotators[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let total: u64 = annotators.iter().map(|p| u64::from(p.count)).sum();
        if total > 1_000_000 {
            return Err(Error::invalid(
                "annotators",
                format!("{total} annotators in all; at most 1,000,000"),
            ));
        }
        Ok(CrowdSpec { annotators, seed })
    }

    /// Every annotator of the crowd, in profile order, each with its own
    /// generator (seeded from the crowd's seed and its place in the crowd).
    pub fn workers(&self) -> Vec<Worker> {
        let mut out = Vec::new();
        for p in &self.annotators {
            for n in 0..p.count {
                out.push(self.worker(p, n, out.len() as u64));
            }
        }
        out
    }

    /// The one annotator a page simulates: the crowd's annotator named
    /// `annotator` (`"left-2"` is the second of the profile with
    /// `id_prefix` `"left"`), else the crowd's first, renamed `annotator`.
    /// Either acts as it would in [`CrowdSpec::workers`].
    pub fn worker_for(&self, annotator: &str) -> Worker {
        let mut k = 0u64;
        for p in &self.annotators {
            let n = annotator
                .strip_prefix(p.id_prefix.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n >= 1 && n <= p.count);
            if let Some(n) = n {
                return self.worker(p, n - 1, k + u64::from(n - 1));
            }
            k += u64::from(p.count);
        }
        let first = self.annotators.iter().find(|p| p.count > 0);
        let p = first
            .or(self.annotators.first())
            .cloned()
            .unwrap_or_default();
        Worker {
            name: annotator.to_string(),
            ..self.worker(&p, 0, 0)
        }
    }

    /// Annotator `n` (from 0) of profile `p`, the `k`-th of the crowd.
    fn worker(&self, p: &Profile, n: u32, k: u64) -> Worker {
        Worker {
            name: format!("{}-{}", p.id_prefix, n + 1),
            profile: p.clone(),
            rng: Pcg32::seed_from_u64(self.seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            last: None,
            seed: self.seed,
        }
    }
}

fn profile(v: &Value, path: &str) -> Result<Profile> {
    let f = Fields::new(v, path)?;
    f.only(&[
        "id_prefix",
        "count",
        "accuracy",
        "left_bias",
        "straight_line",
        "seconds",
        "abandon",
        "skip",
    ])?;
    let d = Profile::default();
    let share = |key: &str, default: f64| f.number_in(key, default, 0.0, 1.0, false);
    let (seconds_mean, seconds_sd) = match f.get("seconds") {
        None => (d.seconds_mean, d.seconds_sd),
        Some(s) => {
            let g = Fields::new(s, &f.path_of("seconds"))?;
            g.only(&["mean", "sd"])?;
            (
                g.number_in("mean", d.seconds_mean, 0.0, 86_400.0, false)?,
                g.number_in("sd", d.seconds_sd, 0.0, 86_400.0, false)?,
            )
        }
    };
    let id_prefix = f.optional_str("id_prefix")?.unwrap_or(d.id_prefix);
    if id_prefix.trim().is_empty() || id_prefix.len() > 64 {
        return Err(Error::invalid(
            f.path_of("id_prefix"),
            "expected a non-empty text of at most 64 bytes",
        ));
    }
    Ok(Profile {
        id_prefix,
        count: f.u32_or("count", d.count, 0)?,
        accuracy: share("accuracy", d.accuracy)?,
        left_bias: share("left_bias", d.left_bias)?,
        straight_line: share("straight_line", d.straight_line)?,
        seconds_mean,
        seconds_sd,
        abandon: share("abandon", d.abandon)?,
        skip: share("skip", d.skip)?,
    })
}

/// What a simulated annotator does with one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Act {
    /// Answers with `choice` as shown (left = A) after `seconds`.
    Answer { choice: Label, seconds: f64 },
    /// Skips after `seconds`.
    Skip { seconds: f64 },
}

/// One simulated annotator (see the module docs).
#[derive(Debug, Clone)]
pub struct Worker {
    /// Its annotator id.
    pub name: String,
    /// Its profile.
    pub profile: Profile,
    rng: Pcg32,
    last: Option<Label>,
    seed: u64,
}

impl Worker {
    /// Whether the annotator walks away from the batch just handed to them.
    pub fn abandons(&mut self) -> bool {
        self.rng.random::<f64>() < self.profile.abandon
    }

    /// What the annotator does with item `item` shown `swapped` or not;
    /// `gold` is its gold label (canonical) if it is a gold item.
    pub fn act(&mut self, item: &str, swapped: bool, gold: Option<Label>) -> Act {
        let p = &self.profile;
        // Tenths of a second, as a page's timer reports them.
        let seconds =
            libm::round((p.seconds_mean + p.seconds_sd * normal(&mut self.rng)).max(0.5) * 10.0)
                / 10.0;
        if self.rng.random::<f64>() < p.skip {
            return Act::Skip { seconds };
        }
        let choice = match self.last {
            Some(last) if self.rng.random::<f64>() < p.straight_line => last,
            _ if self.rng.random::<f64>() < p.left_bias => Label::ABetter,
            _ => {
                let truth = gold.unwrap_or_else(|| hidden_truth(self.seed, item));
                answer(&mut self.rng, truth, p.accuracy).unflip(swapped)
            }
        };
        self.last = Some(choice);
        Act::Answer { choice, seconds }
    }

    /// What the annotator does with `item` of a batch `session` handed to
    /// them: the side it was shown on and, when the session holds it as a
    /// gold item, its gold label come from the session (a page in blind
    /// mode holds no gold: there every item is answered against the hidden
    /// truth). An item not handed to this annotator is an error.
    pub fn act_in(&mut self, session: &Session, item: &str) -> Result<Act> {
        let swapped = session.handed_out(&self.name, item, None).ok_or_else(|| {
            Error::invalid(
                "item",
                format!(
                    "item \"{item}\" was not handed to annotator \"{}\"",
                    self.name
                ),
            )
        })?;
        Ok(self.act(item, swapped, session.gold_label(item)))
    }
}

/// The reason a simulated annotator gives for a skip: the task's first
/// suggested reason, else "I can't judge this".
pub fn skip_reason(task: &Task) -> &str {
    task.config
        .skip_reasons
        .first()
        .map_or("I can't judge this", String::as_str)
}

/// The hidden true label of a regular item: drawn from the prior with a
/// generator seeded by the crowd's seed and the item id (FNV-1a), so every
/// annotator of a crowd agrees on it and every platform draws the same.
pub fn hidden_truth(seed: u64, item: &str) -> Label {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in item.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    draw(&mut Pcg32::seed_from_u64(seed ^ h), &PRIOR)
}

/// A standard normal draw: Marsaglia's polar method (Marsaglia & Bray
/// 1964, "A convenient method for generating normal variables", SIAM
/// Review 6(3), doi:10.1137/1006063): a point (u, v) uniform in the unit
/// disc, s = u^2 + v^2, gives u sqrt(-2 ln s / s). Rejects about one point
/// in five.
fn normal(rng: &mut Pcg32) -> f64 {
    loop {
        let u = 2.0 * rng.random::<f64>() - 1.0;
        let v = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * libm::sqrt(-2.0 * libm::log(s) / s);
        }
    }
}

#[cfg(test)]
mod tests;
