//! The "what to label next" request and its answer: one call that checks
//! the input, builds the embeddings and runs one strategy.
//!
//! ```
//! use prefkit::active::{select, SelectRequest};
//! let req: SelectRequest = serde_json::from_value(serde_json::json!({
//!     "strategy": "uncertainty",
//!     "budget": 1,
//!     "examples": [
//!         {"id": "p1", "prompt": "Sort a list", "score_a": 1.0, "score_b": 3.0},
//!         {"id": "p2", "prompt": "Write a haiku", "score_a": 0.4, "score_b": 0.5}
//!     ]
//! })).unwrap();
//! let sel = select(&req).unwrap();
//! assert_eq!(sel.selected[0].id, "p2");
//! ```
//!
//! This file holds the request and answer types and the strategies;
//! `input` checks the request and builds its scores and embeddings.

use crate::active::hybrid::{self, Weights};
use crate::active::kmeans::{self, Config};
use crate::active::uncertainty::top_uncertain;
use crate::error::Result;
use serde::{Deserialize, Serialize};

mod input;

use input::{check_request, check_scores, embeddings};

/// How to choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The pairs with the smallest reward-score gaps.
    Uncertainty,
    /// One example per k-means cluster of the embeddings. It costs
    /// `O((trials + iterations) * n * budget * dim)`: fine for thousands
    /// of candidates and a budget of a hundred, slow for 100,000 and 1,000
    /// (use hybrid there).
    Diversity,
    /// Greedy mix of uncertainty and distance from what is chosen.
    #[default]
    Hybrid,
}

impl Strategy {
    /// The JSON name: `uncertainty`, `diversity` or `hybrid`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Uncertainty => "uncertainty",
            Strategy::Diversity => "diversity",
            Strategy::Hybrid => "hybrid",
        }
    }
}

/// One example that could be labelled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Candidate {
    /// Id of the example (as in the task JSON).
    pub id: String,
    /// Prompt text, for the default embedding.
    #[serde(default)]
    pub prompt: String,
    /// Reward score of response A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_a: Option<f64>,
    /// Reward score of response B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_b: Option<f64>,
    /// Embedding of the prompt, if the task has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<f32>>,
}

/// All embeddings at once, row-major, one row per example in order: the
/// fast path for large pools (a `Float32Array` from JavaScript).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlatEmbeddings {
    /// Values per row.
    pub dim: usize,
    /// `examples.len() * dim` values.
    pub data: Vec<f32>,
}

/// A request to [`select`]. Unknown fields are refused (a misspelt
/// `budjet` is an error, not a default); examples may carry extra fields
/// (`response_a`, `metadata`, ...), so task examples can be passed as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectRequest {
    /// `uncertainty`, `diversity` or `hybrid` (the default).
    #[serde(default)]
    pub strategy: Strategy,
    /// How many examples to choose.
    pub budget: usize,
    /// Weights of the hybrid score (default 0.6 and 0.4).
    #[serde(default)]
    pub weights: Weights,
    /// Seed of k-means (diversity).
    #[serde(default)]
    pub seed: u64,
    /// The pool.
    pub examples: Vec<Candidate>,
    /// Ids already labelled: never chosen, and (hybrid) they count as chosen
    /// for distance. Ids not among `examples` are ignored.
    #[serde(default)]
    pub labelled: Vec<String>,
    /// Embeddings of all examples at once, instead of per example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embeddings: Option<FlatEmbeddings>,
}

/// Where the embeddings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingSource {
    /// Given with the request.
    Supplied,
    /// Feature-hashed from the prompts ([`super::embed`]).
    Hashed,
    /// Not needed by the strategy.
    None,
}

/// One chosen example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selected {
    /// Id of the example.
    pub id: String,
    /// 1-based order of choice.
    pub rank: usize,
    /// The strategy's score: uncertainty, hybrid score, or (diversity) the
    /// negated distance to the cluster centre.
    pub score: f64,
    /// `1 / (1 + |score_a - score_b|)`, when the example has scores.
    pub uncertainty: Option<f64>,
    /// Euclidean distance to the nearest example chosen or labelled before
    /// (hybrid), or to its cluster centre (diversity); `null` otherwise.
    pub distance: Option<f64>,
    /// Cluster number (diversity only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<usize>,
    /// Why it was chosen, in words.
    pub reason: String,
}

/// The answer of [`select`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The strategy used.
    pub strategy: Strategy,
    /// The chosen examples in order of choice.
    pub selected: Vec<Selected>,
    /// Examples that could be chosen (not labelled).
    pub candidates: usize,
    /// Examples left out because they are labelled.
    pub labelled_excluded: usize,
    /// Where the embeddings came from.
    pub embedding: EmbeddingSource,
}

fn gap_words(ex: &Candidate) -> String {
    match (ex.score_a, ex.score_b) {
        (Some(a), Some(b)) => format!("scores {a:.3} vs {b:.3}, gap {:.3}", (a - b).abs()),
        _ => "no reward scores".into(),
    }
}

/// Chooses up to `req.budget` unlabelled examples with the requested
/// strategy. Fewer are returned when fewer are unlabelled.
pub fn select(req: &SelectRequest) -> Result<Selection> {
    let labelled = check_request(req)?;
    let needs_scores = match req.strategy {
        Strategy::Uncertainty => true,
        Strategy::Diversity => false,
        Strategy::Hybrid => req.weights.uncertainty > 0.0,
    };
    let u = check_scores(req, &labelled, needs_scores)?;
    let has_u = |i: usize| {
        let e = &req.examples[i];
        (e.score_a.is_some() && e.score_b.is_some()).then_some(u[i])
    };
    let candidates: Vec<usize> = (0..labelled.len()).filter(|&i| !labelled[i]).collect();
    let mut selected = Vec::new();
    let mut source = EmbeddingSource::None;
    match req.strategy {
        Strategy::Uncertainty => {
            for (r, i) in top_uncertain(&u, &candidates, req.budget)
                .into_iter()
                .enumerate()
            {
                let ex = &req.examples[i];
                selected.push(Selected {
                    id: ex.id.clone(),
                    rank: r + 1,
                    score: u[i],
                    uncertainty: Some(u[i]),
                    distance: None,
                    cluster: None,
                    reason: format!(
                        "uncertainty {:.3} ({}), #{} of {} unlabelled",
                        u[i],
                        gap_words(ex),
                        r + 1,
                        candidates.len()
                    ),
                });
            }
        }
        Strategy::Diversity => {
            let (emb, s) = embeddings(req)?;
            source = s;
            if !candidates.is_empty() {
                let config = Config {
                    seed: req.seed,
                    ..Config::default()
                };
                for (r, p) in kmeans::diversity(&emb, &candidates, req.budget, &config)?
                    .into_iter()
                    .enumerate()
                {
                    selected.push(Selected {
                        id: req.examples[p.index].id.clone(),
                        rank: r + 1,
                        score: -p.distance,
                        uncertainty: has_u(p.index),
                        distance: Some(p.distance),
                        cluster: Some(p.cluster),
                        reason: format!(
                            "nearest to the centre of cluster {} ({} unlabelled examples), \
                             {:.3} from it",
                            p.cluster, p.cluster_size, p.distance
                        ),
                    });
                }
            }
        }
        Strategy::Hybrid => {
            let (emb, s) = embeddings(req)?;
            source = s;
            let w = req.weights;
            for (r, p) in hybrid::select(&emb, &u, &labelled, req.budget, w)
                .into_iter()
                .enumerate()
            {
                let ex = &req.examples[p.index];
                let far = match p.distance {
                    None => "nothing chosen or labelled yet, so distance term 1".to_string(),
                    Some(d) => format!(
                        "distance term {:.3} ({d:.3} from the nearest chosen or labelled \
                         example, relative to the farthest remaining)",
                        p.distance_term
                    ),
                };
                selected.push(Selected {
                    id: ex.id.clone(),
                    rank: r + 1,
                    score: p.score,
                    uncertainty: has_u(p.index),
                    distance: p.distance,
                    cluster: None,
                    reason: format!(
                        "score {:.3} = {} x uncertainty {:.3} ({}) + {} x {far}",
                        p.score,
                        w.uncertainty,
                        u[p.index],
                        gap_words(ex),
                        w.distance
                    ),
                });
            }
        }
    }
    Ok(Selection {
        strategy: req.strategy,
        selected,
        candidates: candidates.len(),
        labelled_excluded: labelled.len() - candidates.len(),
        embedding: source,
    })
}
