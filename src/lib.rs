//! prefkit: collect and check pairwise human preference data for RLHF.
//!
//! A pure Rust core (no WebAssembly types; see `src/wasm/` for the one
//! binding) that turns preference annotations into agreement figures,
//! annotator reliability and final labels, and runs the live annotation
//! session in the annotator's browser.
#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod active;
pub mod aggregate;
pub mod agreement;
pub mod annotation;
pub mod confidence;
pub mod cost;
pub mod dataset;
pub mod error;
mod fields;
pub mod json;
pub mod judge;
pub mod label;
pub mod map;
pub mod math;
mod order;
pub mod reliability;
pub mod report;
pub mod session;
pub mod simulate;
pub mod summary;

pub use annotation::{Annotation, Gold};
pub use dataset::Dataset;
pub use error::{Error, Result};
pub use json::FromJson;
pub use label::{Label, Side};

/// The crate version, as reported by `prefkit --version` and `version()`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(target_arch = "wasm32")]
pub mod wasm;
