//! Hybrid routing: the judge labels every item, people check what it is
//! unsure of and a sample of what it is sure of.
//!
//! * confidence `>= threshold` (0.75): the AI label is **accepted**; a seeded
//!   share of those (5%) is also sent to people as a **spot check**;
//! * confidence `< threshold` (or no verdict): the item goes to the
//!   **human** queue;
//! * a human label that disagrees in direction ([`Label::side`]) with an
//!   accepted AI label (spot-checked or not) sends the item to the **expert**
//!   queue.
//!
//! Which items are spot-checked depends only on the seed and the item id
//! (a `ChaCha8Rng` seeded from both), not on the order items arrive in, so a
//! resumed run and the same run in the browser pick the same items. The
//! number picked is Binomial(accepted, share).
//!
//! The human queue ([`Router::human_queue`]) is a list of task item ids:
//! to have people label them, select those items from the task and give
//! them to the session as a new task (or as the item list of its batches);
//! their labels, once aggregated to one per item, come back through
//! [`Router::add_human`].

use crate::error::{Error, Result};
use crate::judge::calibration::{
    calibration_table, judge_human_agreement, Agreement, Calibration, JudgeHumanPair,
};
use crate::judge::confidence::PositionBias;
use crate::judge::response::JudgeResult;
pub use crate::judge::routing_summary::{
    FinalLabel, LabelSource, RouteCosts, RouteCounts, RoutingSummary,
};
use crate::label::Label;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Thresholds, sampling and prices of the hybrid pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingConfig {
    /// Confidence at or above which an AI label is accepted.
    pub threshold: f64,
    /// Share of accepted items also sent to people, 0 to 1.
    pub spot_check_share: f64,
    /// Seed of the spot-check draw.
    pub seed: u64,
    /// Price of one AI judgment (both orders, if the swap check is used).
    pub cost_ai: f64,
    /// Price of one human label.
    pub cost_human: f64,
    /// Price of one expert label.
    pub cost_expert: f64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            threshold: 0.75,
            spot_check_share: 0.05,
            seed: 0,
            cost_ai: 0.02,
            cost_human: 1.50,
            cost_expert: 5.00,
        }
    }
}

impl RoutingConfig {
    /// Refuses shares and thresholds outside 0..=1 and negative prices.
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [
            ("threshold", self.threshold),
            ("spot_check_share", self.spot_check_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::invalid(field, format!("must be in 0..=1, got {v}")));
            }
        }
        for (field, v) in [
            ("cost_ai", self.cost_ai),
            ("cost_human", self.cost_human),
            ("cost_expert", self.cost_expert),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(
                    field,
                    format!("must be a price of 0 or more, got {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// AI label accepted, no person asked.
    Accepted,
    /// AI label accepted and also sent to a person.
    SpotCheck,
    /// Confidence below the threshold: a person labels it.
    Human,
    /// A person disagreed with an accepted AI label: an expert decides.
    Expert,
}

/// Whether `item` is spot-checked under `seed` and `share`.
pub fn spot_checked(seed: u64, item: &str, share: f64) -> bool {
    // FNV-1a of the id, mixed with the seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in item.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ h);
    rng.random::<f64>() < share
}

#[derive(Debug, Clone)]
struct ItemState {
    id: String,
    ai: Option<Label>,
    confidence: f64,
    route: Route,
    spot: bool,
    human: Option<Label>,
    expert: Option<Label>,
}

/// The hybrid pipeline's state: judge results in, human and expert labels
/// in, queues, counts and costs out.
#[derive(Debug, Clone)]
pub struct Router {
    config: RoutingConfig,
    items: Vec<ItemState>,
    index: HashMap<String, usize>,
    position_bias: PositionBias,
}

impl Router {
    /// A router with a checked config.
    pub fn new(config: RoutingConfig) -> Result<Router> {
        config.validate()?;
        Ok(Router {
            config,
            items: Vec::new(),
            index: HashMap::new(),
            position_bias: PositionBias::default(),
        })
    }

    /// The config.
    pub fn config(&self) -> &RoutingConfig {
        &self.config
    }

    fn get(&self, item: &str) -> Result<usize> {
        self.index.get(item).copied().ok_or_else(|| {
            Error::Rejected(format!(
                "item \"{item}\" has no judge result; add the judgment first"
            ))
        })
    }

    /// Routes one judge result. An item can be judged once.
    pub fn add_judgment(&mut self, result: &JudgeResult) -> Result<Route> {
        if self.index.contains_key(&result.item) {
            return Err(Error::Rejected(format!(
                "item \"{}\" was already judged",
                result.item
            )));
        }
        let c = result.confidence;
        if !(0.0..=1.0).contains(&c) {
            return Err(Error::invalid(
                "confidence",
                format!("must be in 0..=1, got {c} (item \"{}\")", result.item),
            ));
        }
        let accepted = result.label.is_some() && c >= self.config.threshold;
        let spot =
            accepted && spot_checked(self.config.seed, &result.item, self.config.spot_check_share);
        let route = match (accepted, spot) {
            (false, _) => Route::Human,
            (true, true) => Route::SpotCheck,
            (true, false) => Route::Accepted,
        };
        if let Some(swap) = &result.swap {
            self.position_bias.add(swap);
        }
        self.index.insert(result.item.clone(), self.items.len());
        self.items.push(ItemState {
            id: result.item.clone(),
            ai: result.label,
            confidence: c,
            route,
            spot,
            human: None,
            expert: None,
        });
        Ok(route)
    }

    /// Records the (one, aggregated) human label of an item and returns its
    /// route afterwards: [`Route::Expert`] when it disagrees in direction
    /// with an accepted AI label.
    pub fn add_human(&mut self, item: &str, label: Label) -> Result<Route> {
        let i = self.get(item)?;
        let state = self
            .items
            .get_mut(i)
            .ok_or_else(|| Error::Rejected(format!("item \"{item}\" is missing")))?;
        if state.human.is_some() {
            return Err(Error::Rejected(format!(
                "item \"{item}\" already has a human label; aggregate the annotators' labels to one first"
            )));
        }
        state.human = Some(label);
        let accepted = matches!(state.route, Route::Accepted | Route::SpotCheck);
        if accepted && state.ai.map(Label::side) != Some(label.side()) {
            state.route = Route::Expert;
        }
        Ok(state.route)
    }

    /// Records an expert's label for an item in the expert queue.
    pub fn add_expert(&mut self, item: &str, label: Label) -> Result<()> {
        let i = self.get(item)?;
        let state = self
            .items
            .get_mut(i)
            .ok_or_else(|| Error::Rejected(format!("item \"{item}\" is missing")))?;
        if state.route != Route::Expert {
            return Err(Error::Rejected(format!(
                "item \"{item}\" is not in the expert queue"
            )));
        }
        state.expert = Some(label);
        Ok(())
    }

    /// The route of an item, if judged.
    pub fn route(&self, item: &str) -> Option<Route> {
        self.index
            .get(item)
            .and_then(|&i| self.items.get(i))
            .map(|s| s.route)
    }

    /// Items waiting for a human label (human route and spot checks), in the
    /// order they were judged.
    pub fn human_queue(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|s| matches!(s.route, Route::Human | Route::SpotCheck) && s.human.is_none())
            .map(|s| s.id.clone())
            .collect()
    }

    /// Items waiting for an expert label.
    pub fn expert_queue(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|s| s.route == Route::Expert && s.expert.is_none())
            .map(|s| s.id.clone())
            .collect()
    }

    /// Counts, progress and costs.
    pub fn summary(&self) -> RoutingSummary {
        let mut s = RoutingSummary::default();
        for it in &self.items {
            s.counts.judged += 1;
            match it.route {
                Route::Accepted => s.counts.accepted += 1,
                Route::SpotCheck => s.counts.spot_check += 1,
                Route::Human => s.counts.human += 1,
                Route::Expert => s.counts.expert += 1,
            }
            s.counts.unparsed += usize::from(it.ai.is_none());
            let needs_human = it.spot || it.route == Route::Human || it.human.is_some();
            s.human_labels_needed += usize::from(needs_human);
            s.pending_human += usize::from(needs_human && it.human.is_none());
            s.pending_expert += usize::from(it.route == Route::Expert && it.expert.is_none());
            if it.spot {
                if let Some(h) = it.human {
                    s.spot_checks_labelled += 1;
                    s.spot_check_disagreements +=
                        usize::from(it.ai.map(Label::side) != Some(h.side()));
                }
            }
        }
        let c = &self.config;
        s.cost.ai = s.counts.judged as f64 * c.cost_ai;
        s.cost.human = s.human_labels_needed as f64 * c.cost_human;
        s.cost.expert = s.counts.expert as f64 * c.cost_expert;
        s.cost.total = s.cost.ai + s.cost.human + s.cost.expert;
        s.position_bias = self.position_bias.clone();
        s.first_position_share = self.position_bias.first_position_share().ok();
        s
    }

    /// Every item's final label, in the order judged.
    pub fn final_labels(&self) -> Vec<FinalLabel> {
        self.items
            .iter()
            .map(|it| {
                let (label, source) = match it.route {
                    Route::Accepted | Route::SpotCheck => (it.ai, LabelSource::Ai),
                    Route::Human => (it.human, LabelSource::Human),
                    Route::Expert => (it.expert, LabelSource::Expert),
                };
                FinalLabel {
                    item: it.id.clone(),
                    label,
                    source: if label.is_some() {
                        source
                    } else {
                        LabelSource::Pending
                    },
                }
            })
            .collect()
    }

    /// The items with both an AI label and a human label, for
    /// [`crate::judge::calibration::judge_human_agreement`] and
    /// [`crate::judge::calibration::calibration_table`].
    pub fn ai_human_pairs(&self) -> Vec<JudgeHumanPair> {
        self.items
            .iter()
            .filter_map(|it| {
                Some(JudgeHumanPair {
                    ai: it.ai?,
                    human: it.human?,
                    confidence: it.confidence,
                })
            })
            .collect()
    }

    /// Judge-vs-human agreement over the items that have both labels.
    pub fn agreement(&self) -> Agreement {
        judge_human_agreement(&self.ai_human_pairs())
    }

    /// The calibration table over the items that have both labels.
    pub fn calibration(&self, n_bins: usize) -> Calibration {
        calibration_table(&self.ai_human_pairs(), n_bins)
    }
}
