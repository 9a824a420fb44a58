//! The speed marker of a verdict.
//!
//! A single answer faster than `fast_seconds` (default 5 s) is marked
//! `too_fast` right away, so the page can slow the annotator down. The
//! per-annotator speed penalty of the report (1 when the average time is
//! `fast_seconds` or more, else average / `fast_seconds`) is computed by the
//! report's live state and shown in `stats()`.

/// Whether an answer that took `time_seconds` is faster than `fast_seconds`.
/// An answer without a time is not marked.
///
/// ```
/// use prefkit::session::too_fast;
/// assert!(too_fast(Some(4.99), 5.0));
/// assert!(!too_fast(Some(5.0), 5.0));
/// assert!(!too_fast(None, 5.0));
/// ```
pub fn too_fast(time_seconds: Option<f64>, fast_seconds: f64) -> bool {
    time_seconds.is_some_and(|t| t < fast_seconds)
}
