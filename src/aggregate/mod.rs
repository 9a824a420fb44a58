//! Final labels from several annotators' labels: majority vote, a vote
//! weighted by annotator reliability, and Dawid & Skene's EM estimator.
//!
//! Every aggregator reads a [`Votes`] view (rows plus the number of items
//! and annotators), so the report can aggregate a filtered subset of a
//! [`Dataset`] without copying its names. Results are indexed by item id;
//! an item with no vote gets `None`.

pub mod dawid_skene;
pub mod majority;
pub mod weighted;

use crate::dataset::{Dataset, Row};
use crate::label::{Label, K};

/// The labels an aggregator works on: rows over dense item and annotator
/// ids, and the gold label by item id (used by Dawid-Skene only).
#[derive(Debug, Clone, Copy)]
pub struct Votes<'a> {
    /// The annotations (canonical labels).
    pub rows: &'a [Row],
    /// Number of item ids (`rows[..].item < n_items`).
    pub n_items: usize,
    /// Number of annotator ids (`rows[..].annotator < n_annotators`).
    pub n_annotators: usize,
    /// Gold label by item id; may be shorter than `n_items`.
    pub gold: &'a [Option<Label>],
}

impl<'a> Votes<'a> {
    /// All rows of a dataset.
    pub fn of(d: &'a Dataset) -> Votes<'a> {
        Votes {
            rows: &d.rows,
            n_items: d.items.len(),
            n_annotators: d.annotators.len(),
            gold: &d.gold,
        }
    }

    /// The same dataset's names with a subset of its rows.
    pub fn subset(d: &'a Dataset, rows: &'a [Row]) -> Votes<'a> {
        Votes {
            rows,
            ..Votes::of(d)
        }
    }

    /// Whether the ids of every row are in range (always true for views
    /// built from a [`Dataset`]; checked so bad views cannot panic).
    pub(crate) fn in_range(&self) -> bool {
        self.rows
            .iter()
            .all(|r| (r.item as usize) < self.n_items && (r.annotator as usize) < self.n_annotators)
    }

    /// Gold label of item `i`, if any.
    pub fn gold_of(&self, i: usize) -> Option<Label> {
        self.gold.get(i).copied().flatten()
    }
}

/// The tie rule shared by every aggregator in prefkit.
///
/// Among the candidate labels (`present`), the highest `score` wins. When
/// several share the highest score, the one nearest to `=` (code 2) wins;
/// when two tied labels are equally near to `=` and on opposite sides
/// (`A>` and `B>`, or `A>>` and `B>>`), the result is `=`: the votes cancel
/// out, and the rule treats A and B alike, so flipping every label flips
/// the result. Returns `None` when no label is present.
///
/// ```
/// use prefkit::{aggregate::pick, Label};
/// let present = [true, true, false, true, false];
/// // A> and B> tie at 2 votes: they cancel out to "=".
/// assert_eq!(pick(&[0.0, 2.0, 0.0, 2.0, 0.0], &present), Some(Label::Tie));
/// // A>> and B> tie: B> is nearer to "=".
/// assert_eq!(pick(&[1.0, 0.0, 0.0, 1.0, 0.0], &present), Some(Label::BBetter));
/// ```
pub fn pick(score: &[f64; K], present: &[bool; K]) -> Option<Label> {
    let best = (0..K)
        .filter(|&l| present[l])
        .map(|l| score[l])
        .fold(f64::NEG_INFINITY, f64::max);
    let tied: Vec<usize> = (0..K).filter(|&l| present[l] && score[l] == best).collect();
    let nearest = tied.iter().map(|&l| l.abs_diff(2)).min()?;
    let closest: Vec<usize> = tied
        .into_iter()
        .filter(|&l| l.abs_diff(2) == nearest)
        .collect();
    match closest.as_slice() {
        [only] => Label::from_index(*only),
        _ => Some(Label::Tie),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [bool; K] = [true; K];

    #[test]
    fn a_clear_winner_wins() {
        assert_eq!(pick(&[0.0, 3.0, 1.0, 2.0, 0.0], &ALL), Some(Label::ABetter));
    }

    #[test]
    fn ties_go_to_the_label_nearest_to_equal() {
        let present = [false, true, true, false, false];
        assert_eq!(pick(&[0.0, 1.0, 1.0, 0.0, 0.0], &present), Some(Label::Tie));
        let present = [true, true, false, false, false];
        assert_eq!(
            pick(&[1.0, 1.0, 0.0, 0.0, 0.0], &present),
            Some(Label::ABetter)
        );
    }

    #[test]
    fn mirror_ties_cancel_out_to_equal() {
        let present = [true, false, false, false, true];
        assert_eq!(pick(&[2.0, 0.0, 0.0, 0.0, 2.0], &present), Some(Label::Tie));
    }

    #[test]
    fn absent_labels_never_win_and_no_label_gives_none() {
        let present = [false, false, false, false, true];
        assert_eq!(
            pick(&[9.0, 9.0, 9.0, 9.0, 0.0], &present),
            Some(Label::BMuchBetter)
        );
        assert_eq!(pick(&[1.0; K], &[false; K]), None);
    }

    #[test]
    fn flipping_every_score_flips_the_winner() {
        let scores = [
            [1.0, 2.0, 0.0, 2.0, 1.0],
            [3.0, 0.0, 1.0, 0.0, 3.0],
            [0.5, 0.25, 0.5, 0.0, 0.0],
        ];
        for s in scores {
            let mut f = s;
            f.reverse();
            let a = pick(&s, &ALL).unwrap();
            assert_eq!(pick(&f, &ALL), Some(a.flip()));
        }
    }
}
