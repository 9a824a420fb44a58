//! Batches: assembling them ([`Session::next_batch`]); taking over one
//! assembled elsewhere ([`Session::adopt_batch`]) is in `adopt.rs`.

use super::{Annotator, BatchState, Kind, Session, Slot};
use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
use rand::Rng;
use rand_pcg::Pcg32;
use serde::Serialize;
use serde_json::Value;

/// One pair as the page shows it. Gold and regular items look alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchItem {
    /// Item id.
    pub id: String,
    /// The prompt.
    pub prompt: String,
    /// The response to show on the left (called "A" on the page).
    pub response_left: String,
    /// The response to show on the right.
    pub response_right: String,
    /// Whether left/right is the task's B/A. Not a secret: the page may
    /// use it, but needs not, since the session un-flips answers itself.
    pub swapped: bool,
}

/// A batch for one annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    /// Who it is for.
    pub annotator: String,
    /// `"<annotator>-<n>"` for the annotator's n-th batch; `None` for an
    /// empty batch.
    pub batch_id: Option<String>,
    /// The pairs, gold at random positions.
    pub items: Vec<BatchItem>,
    /// The annotator is flagged for low gold accuracy and gets no more items.
    pub flagged: bool,
    /// Fewer regular items were free for this annotator than a full batch
    /// holds: this batch is short (or empty). Items may still come back
    /// when other annotators' leases run out or they skip.
    pub exhausted: bool,
    /// The annotator already held this batch: these are its unanswered
    /// items, in the order and A/B sides first given.
    pub resumed: bool,
    /// When the batch's leases run out (the `now` scale of the session);
    /// `None` for an empty batch.
    pub lease_until: Option<f64>,
}

crate::json::from_json_by_fields!(
    /// A batch from JSON text: see [`Batch::from_value`].
    Batch,
    "batch"
);

impl Batch {
    /// Checks a batch (as [`Session::next_batch`] writes it) field by
    /// field, naming the first wrong field (`items[3].swapped`).
    pub fn from_value(v: &Value) -> Result<Batch> {
        let f = Fields::new(v, "")?;
        f.only(&[
            "annotator",
            "batch_id",
            "items",
            "flagged",
            "exhausted",
            "resumed",
            "lease_until",
        ])?;
        let items = match f.get("items") {
            None => return Err(Error::missing("items")),
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(Error::invalid(
                    "items",
                    format!("expected an array, got {}", shown(other)),
                ))
            }
        };
        let items = items
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let it = Fields::new(v, &format!("items[{k}]"))?;
                it.only(&["id", "prompt", "response_left", "response_right", "swapped"])?;
                Ok(BatchItem {
                    id: it.required_str("id")?,
                    prompt: it.optional_str("prompt")?.unwrap_or_default(),
                    response_left: it.optional_str("response_left")?.unwrap_or_default(),
                    response_right: it.optional_str("response_right")?.unwrap_or_default(),
                    swapped: it.bool_or("swapped", false)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Batch {
            annotator: f.required_str("annotator")?,
            batch_id: f.optional_str("batch_id")?,
            items,
            flagged: f.bool_or("flagged", false)?,
            exhausted: f.bool_or("exhausted", false)?,
            resumed: f.bool_or("resumed", false)?,
            lease_until: f.optional_number("lease_until")?,
        })
    }
}

impl Session {
    /// The next batch for `annotator` at time `now` (seconds).
    ///
    /// - First, leases that ran out by `now` are released (see the module
    ///   docs of [`super`]).
    /// - An annotator holding live leases gets the unanswered items of that
    ///   batch again, same order and sides, `resumed: true`; nothing changes.
    /// - Otherwise a new batch of `batch_size` items, of them `max(1,
    ///   floor(batch_size x gold_fraction))` gold when the task has gold
    ///   (fewer only once this annotator has been given nearly all of it: no
    ///   gold item twice), at uniformly random positions (the whole batch is
    ///   shuffled by Fisher-Yates), each leased until `now + lease_seconds`.
    /// - Regular items this annotator was never given, the least covered
    ///   first (answers plus live leases), until each is covered `overlap`
    ///   times, so annotators who ask at the same time spread over
    ///   different items.
    /// - When regular items run short the batch is shorter, keeps its gold
    ///   share and says `exhausted`; when none is free it is empty (a batch
    ///   of gold alone would give the gold away).
    /// - Each pair shown swapped with probability 1/2 when
    ///   `randomize_order`, and remembered.
    /// - A flagged annotator gets an empty batch with `flagged: true`.
    pub fn next_batch(&mut self, annotator: &str, now: f64) -> Result<Batch> {
        super::lease::check_now(now)?;
        let a = self.annotator_mut(annotator)?;
        let empty = |flagged, exhausted| Batch {
            annotator: annotator.to_string(),
            batch_id: None,
            items: Vec::new(),
            flagged,
            exhausted,
            resumed: false,
            lease_until: None,
        };
        if self.annotators[a as usize].flagged {
            return Ok(empty(true, false));
        }
        if let Some(batch) = self.held_batch(a, now) {
            return Ok(batch);
        }
        self.expire(now);
        let config = &self.task.config;
        let gold_share = if self.task.gold.is_empty() {
            0
        } else {
            config.gold_per_batch() as usize
        };
        let regular_share = (config.batch_size as usize).saturating_sub(gold_share);
        let randomize = config.randomize_order;
        let until = now + config.lease_seconds;
        let repeat_places = self.repeat_places(a, regular_share);
        let repeats = self.draw_repeats(a, repeat_places);
        let new_share = regular_share - repeats.len();
        let who = &mut self.annotators[a as usize];
        let regular = self.pool.take(new_share, |i| who.slots.contains_key(&i));
        if regular.is_empty() && (new_share > 0 || repeats.is_empty()) {
            // Not shown after all: the repeats stay due.
            who.repeatable.extend(repeats);
            return Ok(empty(false, true));
        }
        let exhausted = regular.len() < new_share;
        let first_gold = self.task.examples.len() as u32;
        let gold = pick_gold(
            &mut self.rng,
            who,
            first_gold,
            self.task.gold.len() as u32,
            gold_share,
        );
        // (item, shown again?)
        let mut chosen: Vec<(u32, bool)> = regular.into_iter().map(|i| (i, false)).collect();
        chosen.extend(gold.into_iter().map(|i| (i, false)));
        chosen.extend(repeats.into_iter().map(|i| (i, true)));
        shuffle(&mut chosen, &mut self.rng);
        let b = who.batches.len() as u32;
        let mut order = Vec::with_capacity(chosen.len());
        for &(i, repeat) in &chosen {
            let swapped = randomize && self.rng.random_range(0..2u32) == 1;
            let slot = Slot::Open {
                swapped,
                batch: b,
                until,
            };
            // A repeat takes no lease and no overlap slot (repeat.rs).
            who.set_slot(i, repeat, slot);
            if !repeat {
                self.leases.add(a, i, until);
                if i < first_gold {
                    self.pool.bump(i);
                }
            }
            order.push((i, swapped));
        }
        who.batches.push(BatchState {
            done: 0,
            total: chosen.len() as u32,
            items: chosen.into_iter().map(|(i, _)| i).collect(),
            until,
        });
        self.changes += 1;
        let items = order.into_iter().map(|(i, s)| self.show(i, s)).collect();
        Ok(Batch {
            annotator: annotator.to_string(),
            batch_id: Some(format!("{annotator}-{}", b + 1)),
            items,
            flagged: false,
            exhausted,
            resumed: false,
            lease_until: Some(until),
        })
    }

    /// The batch annotator `a` holds at `now`: its last batch, if a lease
    /// of it is live and an item of it unanswered.
    fn held_batch(&self, a: u32, now: f64) -> Option<Batch> {
        let who = &self.annotators[a as usize];
        let b = who.batches.len().checked_sub(1)?;
        let state = &who.batches[b];
        if state.until <= now || who.on_demand == Some(b as u32) {
            return None;
        }
        let items: Vec<BatchItem> = state
            .items
            .iter()
            .filter_map(|&i| match who.open_in(i, b as u32) {
                Some((Slot::Open { swapped, .. }, _)) => Some(self.show(i, *swapped)),
                _ => None,
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        Some(Batch {
            annotator: who.name.clone(),
            batch_id: Some(format!("{}-{}", who.name, b + 1)),
            items,
            flagged: false,
            exhausted: false,
            resumed: true,
            lease_until: Some(state.until),
        })
    }

    /// Item `i` as the page shows it.
    fn show(&self, i: u32, swapped: bool) -> BatchItem {
        let texts = match self.items.get(i as usize).map(|it| it.kind) {
            Some(Kind::Regular(r)) => self.task.examples.get(r as usize).map(|e| {
                (
                    e.id.as_str(),
                    e.prompt.as_str(),
                    e.response_a.as_str(),
                    e.response_b.as_str(),
                )
            }),
            Some(Kind::Gold(g)) => self.task.gold.get(g as usize).map(|e| {
                (
                    e.id.as_str(),
                    e.prompt.as_str(),
                    e.response_a.as_str(),
                    e.response_b.as_str(),
                )
            }),
            _ => None,
        };
        let (id, prompt, a, b) = texts.unwrap_or_default();
        let (left, right) = if swapped { (b, a) } else { (a, b) };
        BatchItem {
            id: id.to_string(),
            prompt: prompt.to_string(),
            response_left: left.to_string(),
            response_right: right.to_string(),
            swapped,
        }
    }
}

/// Up to `want` gold items (indices `first..first + n`) that `who` does not
/// hold, uniformly at random: rejection sampling for a few rounds, then a
/// draw from the explicit list of what is left.
fn pick_gold(rng: &mut Pcg32, who: &Annotator, first: u32, n: u32, want: usize) -> Vec<u32> {
    // No more than there are: `want` comes from the task's batch size.
    let want = want.min(n as usize);
    let mut out: Vec<u32> = Vec::with_capacity(want);
    if n == 0 {
        return out;
    }
    // What is already picked, as a set: a scan of `out` would make a batch
    // of many gold items quadratic in them.
    let mut picked: crate::map::FastSet<u32> = Default::default();
    let free = |i: u32, picked: &crate::map::FastSet<u32>| {
        !who.slots.contains_key(&i) && !picked.contains(&i)
    };
    for _ in 0..8 * want {
        if out.len() == want {
            return out;
        }
        let i = first + rng.random_range(0..n);
        if free(i, &picked) {
            out.push(i);
            picked.insert(i);
        }
    }
    let mut rest: Vec<u32> = (first..first + n).filter(|&i| free(i, &picked)).collect();
    while out.len() < want && !rest.is_empty() {
        let k = rng.random_range(0..rest.len() as u32) as usize;
        out.push(rest.swap_remove(k));
    }
    out
}

/// Fisher-Yates with 32-bit draws (the same on 32- and 64-bit targets).
fn shuffle<T>(v: &mut [T], rng: &mut Pcg32) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        v.swap(i, j);
    }
}
