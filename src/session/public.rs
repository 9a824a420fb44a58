//! What the annotator's page may see of a task.
//!
//! The page needs the guidelines, the rubric and the settings that change
//! what it shows; it must not learn which items are gold, their answers, or
//! anything that predicts them. So the public task:
//! - lists gold pairs among the examples, in the same shape (`id`, `prompt`,
//!   `response_a`, `response_b`), all sorted by id, without label or
//!   explanation;
//! - drops every example's `metadata` (gold pairs have none, so its presence
//!   would mark them);
//! - keeps only `batch_size`, `fast_seconds`, `randomize_order`,
//!   `gold_feedback`, `lease_seconds`, `skip_reasons` and `repeat_fraction`
//!   of the config (the page's session must take repeated items). The
//!   seed is withheld above all: with it the page could replay the
//!   generator and tell where the gold sits.
//!
//! Item ids themselves are shown as given: a task whose gold ids read
//! `gold-1` gives itself away, and only its author can avoid that.
//!
//! The public task is itself a valid task ([`super::Task::from_value`] reads
//! it), with no gold: the page of the "blind" collector mode builds its
//! session from it and only checks and un-flips batches the server assembled.

use super::rubric::Rubric;
use super::task::Task;
use serde::Serialize;

/// One pair as the page may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicExample {
    /// Item id.
    pub id: String,
    /// The prompt.
    pub prompt: String,
    /// Response A (canonical order).
    pub response_a: String,
    /// Response B (canonical order).
    pub response_b: String,
}

/// The settings the page needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicConfig {
    /// Items per batch.
    pub batch_size: u32,
    /// Answers faster than this are marked `too_fast`.
    pub fast_seconds: f64,
    /// Whether pairs come in random A/B order.
    pub randomize_order: bool,
    /// Whether gold answers are marked right or wrong right away.
    pub gold_feedback: bool,
    /// Seconds an item stays reserved for the annotator it was given to.
    pub lease_seconds: f64,
    /// Reasons the page suggests for a skip.
    pub skip_reasons: Vec<String>,
    /// Share of answered items shown again later (written only when set).
    #[serde(skip_serializing_if = "no_repeats")]
    pub repeat_fraction: f64,
}

fn no_repeats(fraction: &f64) -> bool {
    *fraction == 0.0
}

/// A task with its secrets removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicTask {
    /// Task id.
    pub task_id: String,
    /// Guidelines in Markdown.
    pub guidelines: String,
    /// Rubric.
    pub rubric: Rubric,
    /// Regular and gold pairs alike, sorted by id.
    pub examples: Vec<PublicExample>,
    /// Public settings.
    pub config: PublicConfig,
}

impl Task {
    /// The task as the annotator's page may see it (see the module docs).
    pub fn public(&self) -> PublicTask {
        let pairs: Vec<_> = self
            .examples
            .iter()
            .map(|e| (&e.id, &e.prompt, &e.response_a, &e.response_b))
            .chain(
                self.gold
                    .iter()
                    .map(|g| (&g.id, &g.prompt, &g.response_a, &g.response_b)),
            )
            .collect();
        // Ids are unique across examples and gold (the task checks).
        let order = crate::order::sorted_indices(pairs.len(), &|x, y| {
            pairs[x as usize].0.cmp(pairs[y as usize].0)
        });
        let examples = order
            .iter()
            .filter_map(|&i| pairs.get(i as usize))
            .map(|&(id, prompt, a, b)| PublicExample {
                id: id.clone(),
                prompt: prompt.clone(),
                response_a: a.clone(),
                response_b: b.clone(),
            })
            .collect();
        PublicTask {
            task_id: self.task_id.clone(),
            guidelines: self.guidelines.clone(),
            rubric: self.rubric.clone(),
            examples,
            config: PublicConfig {
                batch_size: self.config.batch_size,
                fast_seconds: self.config.fast_seconds,
                randomize_order: self.config.randomize_order,
                gold_feedback: self.config.gold_feedback,
                lease_seconds: self.config.lease_seconds,
                skip_reasons: self.config.skip_reasons.clone(),
                repeat_fraction: self.config.repeat_fraction,
            },
        }
    }
}
