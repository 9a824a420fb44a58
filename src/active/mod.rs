//! Active learning: choose what to label next, build pairs, rank models.

pub mod bench;
pub mod embed;
pub mod hybrid;
pub mod kmeans;
pub mod uncertainty;
