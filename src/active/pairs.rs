//! Building the pairs to label from generated responses.
//!
//! - `best_of_n`: of N scored responses to a prompt, the best against the
//!   worst (highest and lowest reward score; the first in input order on
//!   equal scores). A prompt whose responses all score the same is skipped.
//! - `models`: the first response of model `model_a` against the first of
//!   model `model_b`, per prompt.
//! - `temperatures`: the same across two sampling temperatures.
//!
//! Which response is shown as A is drawn per pair from a `ChaCha8Rng`
//! seeded with the request's `seed`, so annotators cannot learn a position
//! bias and the same seed gives the same task. The output is in the task
//! JSON example shape `{id, prompt, response_a, response_b, metadata}`
//! (the session's task example, so a task of these pairs loads as it is);
//! `metadata` names the models, temperatures and scores of A and B (for
//! [`comparisons_from`] and for uncertainty sampling), so do not show it to
//! annotators.

use super::bradley_terry::Comparison;
use crate::annotation::Annotation;
use crate::error::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One pair in the task JSON example shape: the session's task
/// [`Example`](crate::session::Example) (`id` is the prompt id, `:`, and
/// the pairing mode; `metadata` holds `pair`, `prompt_id`,
/// `model_a`/`model_b`, `temperature_a`/`_b`, `score_a`/`score_b` where
/// known, and is never sent to the annotator page).
pub use crate::session::Example as PairExample;

/// One generated response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Generation {
    /// The text.
    pub response: String,
    /// Reward score (needed for `best_of_n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The model that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Its sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

/// A prompt and its generated responses.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Prompt {
    /// Id of the prompt (unique).
    pub id: String,
    /// The prompt text.
    pub prompt: String,
    /// The responses.
    pub generations: Vec<Generation>,
}

/// How to pair responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairMode {
    /// Best against worst by reward score.
    BestOfN,
    /// Across two models.
    Models,
    /// Across two temperatures.
    Temperatures,
}

/// A request to [`build`] (unknown fields are refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    /// `best_of_n`, `models` or `temperatures`.
    pub mode: PairMode,
    /// The prompts.
    pub prompts: Vec<Prompt>,
    /// Seed of the A/B order.
    #[serde(default)]
    pub seed: u64,
    /// The two models (`models`); optional when exactly two appear.
    #[serde(default)]
    pub models: Option<[String; 2]>,
    /// The two temperatures (`temperatures`); optional when exactly two appear.
    #[serde(default)]
    pub temperatures: Option<[f64; 2]>,
}

/// A prompt that gave no pair, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedPrompt {
    /// Id of the prompt.
    pub id: String,
    /// Why no pair.
    pub reason: String,
}

/// The answer of [`build`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pairs {
    /// The pairs, in prompt order.
    pub examples: Vec<PairExample>,
    /// Prompts without a pair.
    pub skipped: Vec<SkippedPrompt>,
}

fn side_metadata(meta: &mut Map<String, Value>, side: &str, g: &Generation) {
    if let Some(m) = &g.model {
        meta.insert(format!("model_{side}"), json!(m));
    }
    if let Some(t) = g.temperature {
        meta.insert(format!("temperature_{side}"), json!(t));
    }
    if let Some(s) = g.score {
        meta.insert(format!("score_{side}"), json!(s));
    }
}

/// The two values of a grouping, given or found (exactly two distinct).
fn two<T: Clone + Ord>(
    given: Option<[T; 2]>,
    seen: BTreeSet<T>,
    what: &str,
    show: impl Fn(&T) -> String,
) -> Result<[T; 2]> {
    if let Some(pair) = given {
        if pair[0] == pair[1] {
            return Err(Error::invalid(
                what,
                format!("names {} twice; give two different values", show(&pair[0])),
            ));
        }
        return Ok(pair);
    }
    let v: Vec<T> = seen.into_iter().collect();
    match v.as_slice() {
        [a, b] => Ok([a.clone(), b.clone()]),
        _ => Err(Error::invalid(
            what,
            format!(
                "not given, and the generations name {} distinct values ({}); name the two to compare",
                v.len(),
                v.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Which of the two sides (0 or 1) a generation is on, if either.
type SideOf = Box<dyn Fn(&Generation) -> Option<usize>>;

/// Builds the pairs of `req`.
pub fn build(req: &PairRequest) -> Result<Pairs> {
    if req.prompts.is_empty() {
        return Err(Error::Empty {
            what: "the list of prompts".into(),
            hint: "give prompts with their generations".into(),
        });
    }
    let mut ids = HashSet::new();
    for (i, p) in req.prompts.iter().enumerate() {
        if !ids.insert(p.id.as_str()) {
            return Err(Error::invalid(
                format!("prompts[{i}].id"),
                format!("\"{}\" is used twice", p.id),
            ));
        }
        for (j, g) in p.generations.iter().enumerate() {
            for (name, v) in [("score", g.score), ("temperature", g.temperature)] {
                if let Some(v) = v.filter(|v| !v.is_finite()) {
                    return Err(Error::invalid(
                        format!("prompts[{i}].generations[{j}].{name}"),
                        format!("is {v}; expected a finite number"),
                    ));
                }
            }
            if req.mode == PairMode::BestOfN && g.score.is_none() {
                return Err(Error::missing(format!(
                    "prompts[{i}].generations[{j}].score"
                )));
            }
        }
    }
    // For cross pairs: which generation belongs to side 0 and side 1.
    let mut sides = [String::new(), String::new()];
    let key: SideOf = match req.mode {
        PairMode::BestOfN => Box::new(|_| None),
        PairMode::Models => {
            let seen = req
                .prompts
                .iter()
                .flat_map(|p| &p.generations)
                .filter_map(|g| g.model.clone())
                .collect();
            let [a, b] = two(req.models.clone(), seen, "models", |m: &String| {
                format!("{m:?}")
            })?;
            sides = [format!("model {a:?}"), format!("model {b:?}")];
            Box::new(move |g| {
                g.model
                    .as_ref()
                    .and_then(|m| [&a, &b].iter().position(|x| *x == m))
            })
        }
        PairMode::Temperatures => {
            let seen: BTreeSet<u64> = req
                .prompts
                .iter()
                .flat_map(|p| &p.generations)
                .filter_map(|g| g.temperature.map(f64::to_bits))
                .collect();
            let given = req.temperatures.map(|[a, b]| [a.to_bits(), b.to_bits()]);
            let [a, b] = two(given, seen, "temperatures", |t: &u64| {
                f64::from_bits(*t).to_string()
            })?;
            sides = [a, b].map(|t| format!("temperature {}", f64::from_bits(t)));
            Box::new(move |g| {
                g.temperature
                    .and_then(|t| [a, b].iter().position(|x| *x == t.to_bits()))
            })
        }
    };
    let mode = match req.mode {
        PairMode::BestOfN => "best_of_n",
        PairMode::Models => "models",
        PairMode::Temperatures => "temperatures",
    };
    let mut rng = ChaCha8Rng::seed_from_u64(req.seed);
    let mut out = Pairs {
        examples: Vec::new(),
        skipped: Vec::new(),
    };
    for p in &req.prompts {
        let pair = match req.mode {
            PairMode::BestOfN => best_and_worst(&p.generations),
            _ => {
                let first = |side| p.generations.iter().find(|g| key(g) == Some(side));
                match (first(0), first(1)) {
                    (Some(x), Some(y)) => Ok((x, y)),
                    (None, _) => Err(format!("no generation from {}", sides[0])),
                    (_, None) => Err(format!("no generation from {}", sides[1])),
                }
            }
        };
        let (first, second) = match pair {
            Ok(pair) => pair,
            Err(reason) => {
                out.skipped.push(SkippedPrompt {
                    id: p.id.clone(),
                    reason,
                });
                continue;
            }
        };
        let (a, b) = if rng.random_bool(0.5) {
            (second, first)
        } else {
            (first, second)
        };
        let mut metadata = Map::new();
        metadata.insert("pair".into(), json!(mode));
        metadata.insert("prompt_id".into(), json!(p.id));
        side_metadata(&mut metadata, "a", a);
        side_metadata(&mut metadata, "b", b);
        if req.mode == PairMode::BestOfN {
            metadata.insert("n_candidates".into(), json!(p.generations.len()));
        }
        out.examples.push(PairExample {
            id: format!("{}:{mode}", p.id),
            prompt: p.prompt.clone(),
            response_a: a.response.clone(),
            response_b: b.response.clone(),
            metadata,
        });
    }
    Ok(out)
}

/// The highest and the lowest scored generation (first on equal scores).
fn best_and_worst(g: &[Generation]) -> std::result::Result<(&Generation, &Generation), String> {
    let score = |x: &Generation| x.score.unwrap_or(0.0);
    let mut best: Option<&Generation> = None;
    let mut worst: Option<&Generation> = None;
    for x in g {
        if best.is_none_or(|b| score(x) > score(b)) {
            best = Some(x);
        }
        if worst.is_none_or(|w| score(x) < score(w)) {
            worst = Some(x);
        }
    }
    match (best, worst) {
        (Some(b), Some(w)) if g.len() >= 2 && score(b) > score(w) => Ok((b, w)),
        _ if g.len() < 2 => Err(format!(
            "{} generation(s); best_of_n needs at least 2",
            g.len()
        )),
        _ => Err(format!("all {} generations have the same score", g.len())),
    }
}

/// The model comparisons behind `annotations` of `examples` whose
/// metadata names `model_a` and `model_b`: the input of a leaderboard.
/// Annotations of other items are left out; the count is returned too.
pub fn comparisons_from(
    examples: &[PairExample],
    annotations: &[Annotation],
) -> (Vec<Comparison>, usize) {
    let mut c = Comparisons::new(examples);
    for a in annotations {
        c.add(a);
    }
    (c.comparisons, c.left_out)
}

/// [`comparisons_from`] one annotation at a time, for annotations read as
/// a stream.
pub struct Comparisons<'e> {
    models: HashMap<&'e str, (&'e str, &'e str)>,
    /// The comparisons so far, in the annotations' order.
    pub comparisons: Vec<Comparison>,
    /// Annotations left out so far: their items are not examples naming
    /// two different models.
    pub left_out: usize,
}

impl<'e> Comparisons<'e> {
    /// None yet, for the annotations of `examples`.
    pub fn new(examples: &'e [PairExample]) -> Self {
        let models = examples
            .iter()
            .filter_map(|e| {
                let a = e.metadata.get("model_a")?.as_str()?;
                let b = e.metadata.get("model_b")?.as_str()?;
                Some((e.id.as_str(), (a, b)))
            })
            .collect();
        Comparisons {
            models,
            comparisons: Vec::new(),
            left_out: 0,
        }
    }

    /// Adds the comparison behind `a`, or counts it as left out.
    pub fn add(&mut self, a: &Annotation) {
        match self.models.get(a.item.as_str()) {
            Some(&(model_a, model_b)) if model_a != model_b => self.comparisons.push(Comparison {
                model_a: model_a.into(),
                model_b: model_b.into(),
                label: a.label,
            }),
            _ => self.left_out += 1,
        }
    }
}
