//! Reading a select request: its checks (a budget, finite weights, unique
//! ids), the reward scores a strategy needs, and the embeddings (supplied,
//! or hashed from the prompts).

use super::{EmbeddingSource, SelectRequest, Strategy};
use crate::active::embed::{hashed_embedding, Matrix, HASHED_DIM};
use crate::active::uncertainty::uncertainty;
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};

pub(super) fn check_scores(
    req: &SelectRequest,
    labelled: &[bool],
    needed: bool,
) -> Result<Vec<f64>> {
    let mut u = vec![0.0; req.examples.len()];
    for (i, ex) in req.examples.iter().enumerate() {
        for (name, s) in [("score_a", ex.score_a), ("score_b", ex.score_b)] {
            if let Some(v) = s.filter(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    format!("examples[{i}].{name}"),
                    format!(
                        "is {v} on example \"{}\"; scores must be finite numbers",
                        ex.id
                    ),
                ));
            }
        }
        match (ex.score_a, ex.score_b) {
            (Some(a), Some(b)) => u[i] = uncertainty(a, b),
            _ if needed && !labelled[i] => {
                return Err(Error::invalid(
                    format!("examples[{i}]"),
                    format!(
                        "example \"{}\" has no score_a and score_b; the {} strategy needs \
                         both on every unlabelled example (or use strategy \"diversity\")",
                        ex.id,
                        req.strategy.as_str()
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(u)
}

/// The embeddings of the pool: the flat ones, the per-example ones (all
/// or none), or hashed from the prompts.
pub(super) fn embeddings(req: &SelectRequest) -> Result<(Matrix<'_>, EmbeddingSource)> {
    let n = req.examples.len();
    if let Some(flat) = &req.embeddings {
        if flat.dim == 0 {
            return Err(Error::invalid(
                "embeddings.dim",
                "must be at least 1, got 0",
            ));
        }
        // Checked: a huge `dim` would overflow, and a product that wrapped
        // round to the number of values given would pass.
        let want = n.checked_mul(flat.dim);
        if want != Some(flat.data.len()) {
            return Err(Error::invalid(
                "embeddings",
                format!(
                    "holds {} values; expected {n} examples x dim {} = {}",
                    flat.data.len(),
                    flat.dim,
                    want.map_or_else(|| "more than can be held".to_string(), |w| w.to_string())
                ),
            ));
        }
        return Ok((
            Matrix::view(flat.dim, &flat.data)?,
            EmbeddingSource::Supplied,
        ));
    }
    let with = req
        .examples
        .iter()
        .filter(|e| e.embedding.is_some())
        .count();
    if with == 0 {
        let mut data = Vec::with_capacity(n * HASHED_DIM);
        for ex in &req.examples {
            data.extend(hashed_embedding(&ex.prompt, HASHED_DIM));
        }
        return Ok((Matrix::new(HASHED_DIM, data)?, EmbeddingSource::Hashed));
    }
    let dim = req
        .examples
        .iter()
        .find_map(|e| e.embedding.as_ref())
        .map_or(0, Vec::len);
    let first = req
        .examples
        .iter()
        .position(|e| e.embedding.is_some())
        .unwrap_or(0);
    let mut data = Vec::with_capacity(n * dim);
    for (i, ex) in req.examples.iter().enumerate() {
        match &ex.embedding {
            None => {
                return Err(Error::invalid(
                    format!("examples[{i}].embedding"),
                    format!(
                        "is missing on example \"{}\" while {with} other examples have one; \
                         give an embedding for every example or for none",
                        ex.id
                    ),
                ))
            }
            Some(e) if e.is_empty() => {
                return Err(Error::invalid(
                    format!("examples[{i}].embedding"),
                    format!("is empty on example \"{}\"; give at least one value", ex.id),
                ))
            }
            Some(e) if e.len() != dim => {
                return Err(Error::invalid(
                    format!("examples[{i}].embedding"),
                    format!(
                        "has {} values on example \"{}\"; expected {dim}, like examples[{first}]",
                        e.len(),
                        ex.id
                    ),
                ))
            }
            Some(e) => {
                if let Some(v) = e.iter().find(|v| !v.is_finite()) {
                    return Err(Error::invalid(
                        format!("examples[{i}].embedding"),
                        format!("holds {v} on example \"{}\"; values must be finite", ex.id),
                    ));
                }
                data.extend_from_slice(e);
            }
        }
    }
    Ok((Matrix::new(dim, data)?, EmbeddingSource::Supplied))
}

pub(super) fn check_request(req: &SelectRequest) -> Result<Vec<bool>> {
    if req.examples.is_empty() {
        return Err(Error::Empty {
            what: "the list of examples".into(),
            hint: "give at least one example to choose from".into(),
        });
    }
    if req.budget == 0 {
        return Err(Error::invalid("budget", "must be at least 1, got 0"));
    }
    let w = req.weights;
    for (name, v) in [("uncertainty", w.uncertainty), ("distance", w.distance)] {
        if !v.is_finite() || v < 0.0 {
            return Err(Error::invalid(
                format!("weights.{name}"),
                format!("must be a finite number of at least 0, got {v}"),
            ));
        }
    }
    if req.strategy == Strategy::Hybrid && w.uncertainty + w.distance == 0.0 {
        return Err(Error::invalid(
            "weights",
            "uncertainty and distance are both 0",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, ex) in req.examples.iter().enumerate() {
        if let Some(j) = seen.insert(ex.id.as_str(), i) {
            return Err(Error::invalid(
                format!("examples[{i}].id"),
                format!(
                    "\"{}\" is also the id of examples[{j}]; ids must be unique",
                    ex.id
                ),
            ));
        }
    }
    let labelled: HashSet<&str> = req.labelled.iter().map(String::as_str).collect();
    Ok(req
        .examples
        .iter()
        .map(|e| labelled.contains(e.id.as_str()))
        .collect())
}
