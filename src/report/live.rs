//! The report kept up to date one annotation at a time, for the live
//! session and the browser: every part of [`super::run`] except
//! Dawid-Skene, which needs many passes over all the data.
//!
//! [`LiveReport::add`] is O(1) amortized (plus the labels already on the
//! item, for the agreement tables). [`LiveReport::snapshot`] equals
//! [`super::run`] on the same annotations with `labels.dawid_skene` and
//! `dawid_skene` set to `null`.
//!
//! ```
//! use prefkit::report::{LiveReport, ReportConfig};
//! use prefkit::{Annotation, Label};
//! let mut live = LiveReport::new(ReportConfig::default(), &[]).unwrap();
//! live.add(&Annotation::new("x", "w1", Label::ABetter)).unwrap();
//! live.add(&Annotation::new("x", "w2", Label::ABetter)).unwrap();
//! let report = live.snapshot();
//! assert_eq!(report.agreement.pairwise, Some(1.0));
//! assert!(report.labels.dawid_skene.is_none());
//! ```

use super::{build, Report, ReportConfig};
use crate::agreement::live::LiveAgreement;
use crate::annotation::{Annotation, Gold};
use crate::error::Result;
use crate::reliability::Live;

/// Live report state.
#[derive(Debug, Clone)]
pub struct LiveReport {
    config: ReportConfig,
    reliability: Live,
    agreement: LiveAgreement,
}

impl LiveReport {
    /// An empty state with its settings and the gold answers to score
    /// against. Fails on a config that [`ReportConfig::check`] refuses.
    pub fn new(config: ReportConfig, gold: &[Gold]) -> Result<LiveReport> {
        config.check()?;
        Ok(LiveReport {
            reliability: Live::new(gold).with_repeats(config.allow_repeats),
            agreement: LiveAgreement::with_repeats(config.allow_repeats),
            config,
        })
    }

    /// Adds one annotation (canonical label). A second label by the same
    /// annotator on the same item is refused and changes nothing, unless
    /// the config has `allow_repeats`.
    pub fn add(&mut self, a: &Annotation) -> Result<()> {
        // Both states take the same annotations, so the agreement state's
        // check of the (item, annotator) pair, made before it changes
        // anything, stands for the reliability state's.
        self.agreement.add(&a.item, &a.annotator, a.label)?;
        self.reliability.add_checked(a);
        Ok(())
    }

    /// Adds one skip of `item` by `annotator`: no label, so no agreement;
    /// it counts in the annotator's `skips` (and as a gold item not
    /// correct, on a gold item).
    pub fn add_skip(&mut self, item: &str, annotator: &str) {
        self.reliability.add_skip(item, annotator);
    }

    /// Number of annotations so far.
    pub fn len(&self) -> usize {
        self.reliability.dataset().rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The settings in use.
    pub fn config(&self) -> &ReportConfig {
        &self.config
    }

    /// The report now, without Dawid-Skene.
    pub fn snapshot(&self) -> Report {
        build(
            self.reliability.dataset(),
            self.agreement.snapshot(&self.config.agreement),
            self.reliability.snapshot(&self.config.reliability),
            &self.config,
            None,
        )
    }

    /// Adds a state built from another shard (taken to come after this one
    /// in input order). Refused, changing nothing, when the gold answers
    /// differ or both hold a label by the same annotator on the same item.
    pub fn merge(&mut self, other: &LiveReport) -> Result<()> {
        let mut agreement = self.agreement.clone();
        agreement.merge(&other.agreement)?;
        self.reliability.merge(&other.reliability)?;
        self.agreement = agreement;
        Ok(())
    }
}
