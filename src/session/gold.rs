//! Gold checks during a session: whether an answer to a gold item is right,
//! and when an annotator is flagged for low gold accuracy.
//!
//! The session keeps only the two counters it needs to decide the flag at
//! the moment of a submit; the per-annotator figures shown in `stats()` come
//! from the report's live state, which uses the same match rule.

/// How an answer is compared with the gold label: the report's own rule
/// (`directional` by default, or `exact`).
pub use crate::reliability::Match as GoldMatch;

/// Gold answers counted for one annotator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoldTally {
    /// Gold items answered.
    pub total: u32,
    /// Of those, answered right.
    pub correct: u32,
}

impl GoldTally {
    /// Counts one gold answer.
    pub fn add(&mut self, correct: bool) {
        self.total += 1;
        self.correct += u32::from(correct);
    }

    /// `correct / total`, `None` before the first gold answer.
    pub fn accuracy(&self) -> Option<f64> {
        (self.total > 0).then(|| self.correct as f64 / self.total as f64)
    }

    /// The flag rule of the report: at least `min_total` gold answers and
    /// an accuracy under `min_accuracy`. The session applies it after each
    /// gold answer, so an annotator is flagged exactly by the answer (the
    /// `min_total`-th or later) that pushes the accuracy under the bar.
    pub fn below(&self, min_total: u32, min_accuracy: f64) -> bool {
        self.total >= min_total && self.accuracy().is_some_and(|a| a < min_accuracy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::Label;

    #[test]
    fn directional_matching_ignores_strength_but_not_ties() {
        let m = GoldMatch::Directional;
        assert!(m.matches(Label::ABetter, Label::AMuchBetter));
        assert!(!m.matches(Label::Tie, Label::ABetter));
        assert!(m.matches(Label::Tie, Label::Tie));
        assert!(!GoldMatch::Exact.matches(Label::ABetter, Label::AMuchBetter));
    }

    #[test]
    fn three_right_of_five_is_not_under_sixty_percent() {
        let mut t = GoldTally::default();
        for ok in [true, true, true, false, false] {
            t.add(ok);
        }
        assert!(!t.below(5, 0.60));
        t.add(false);
        assert!(t.below(5, 0.60));
    }
}
