//! Active learning: choose what to label next, build the pairs to label,
//! and rank the models behind them.
//!
//! - [`select()`]: uncertainty, diversity (k-means) or hybrid selection of
//!   the examples to label next, each with the reason it was picked.
//! - [`pairs`]: best-vs-worst pairs from N scored candidates, and pairs
//!   across two models or two temperatures, in the task JSON example shape.
//! - [`leaderboard()`]: a Bradley-Terry ranking of the models compared,
//!   with bootstrap confidence intervals.
//!
//! Everything here is plain Rust with serde request and response types, so
//! a binding only has to convert them.

pub mod bench;
pub mod bradley_terry;
pub mod embed;
pub mod hybrid;
pub mod kmeans;
pub mod pairs;
pub mod select;
pub mod uncertainty;

pub use bradley_terry::{leaderboard, Leaderboard, LeaderboardRequest};
pub use hybrid::Weights;
pub use select::{select, Candidate, SelectRequest, Selected, Selection, Strategy};
