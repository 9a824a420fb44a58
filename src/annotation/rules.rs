//! The rules every annotation field obeys wherever it is read (a line, a
//! session's submit, a simulated clock): the id rule, the time and
//! timestamp ranges, and the size limits of the input format.

use crate::error::{Error, Result};
use crate::fields::num;
use crate::json::quoted;

/// Longest `id`, `task_id`, `item`, `annotator`, `client_version` and
/// dimension name, in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Most entries in `dimensions`.
pub const MAX_DIMENSIONS: usize = 32;
/// Longest `time_seconds`: a day. A longer time is a clock or unit error
/// (milliseconds), and would outweigh every honest time in an average.
pub const MAX_TIME_SECONDS: f64 = 86_400.0;
/// Latest `timestamp`: 9999-12-31T23:59:59Z in Unix seconds. (A time in
/// milliseconds is past it, so it is caught rather than read as year 57,000.)
pub const MAX_TIMESTAMP: f64 = 253_402_300_799.0;

/// Characters that change no glyph but make two ids that look the same
/// differ: zero-width spaces and joiners, bidirectional marks, embeddings
/// and isolates, the word joiner and invisible operators, the byte order
/// mark and the soft hyphen.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// The rule for every id and name of an annotation: not empty, at most
/// [`MAX_ID_BYTES`] bytes, no control characters (NUL included), no
/// leading or trailing whitespace, no invisible characters.
pub fn check_id(field: &str, s: &str) -> Result<()> {
    // Most ids are short printable ASCII: one pass over the bytes settles them.
    let printable = |b: &u8| (b' '..=b'~').contains(b);
    if s.len() <= MAX_ID_BYTES
        && s.bytes().all(|b| printable(&b))
        && s.as_bytes().first().is_some_and(|&b| b != b' ')
        && s.as_bytes().last().is_some_and(|&b| b != b' ')
    {
        return Ok(());
    }
    let bad = |why: String| Err(Error::invalid(field, why));
    if s.trim().is_empty() {
        return bad("must not be empty".into());
    }
    if s.len() > MAX_ID_BYTES {
        return bad(format!(
            "longer than {MAX_ID_BYTES} bytes ({} bytes, starting {})",
            s.len(),
            quoted(s)
        ));
    }
    if let Some(c) = s.chars().find(|&c| c.is_control() || is_invisible(c)) {
        let what = if c.is_control() {
            "a control character"
        } else {
            "an invisible character"
        };
        return bad(format!(
            "contains {what} (U+{:04X}); ids must be plain visible text",
            u32::from(c)
        ));
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return bad(format!(
            "must not start or end with whitespace, got {}",
            quoted(s)
        ));
    }
    Ok(())
}

/// The rule for `time_seconds`: from 0 to [`MAX_TIME_SECONDS`].
pub fn check_time_seconds(t: f64) -> Result<()> {
    up_to(
        "time_seconds",
        t,
        MAX_TIME_SECONDS,
        "a number of seconds",
        "a day",
    )
}

/// The rule for `timestamp`: Unix seconds from 0 to [`MAX_TIMESTAMP`].
pub fn check_timestamp(t: f64) -> Result<()> {
    up_to(
        "timestamp",
        t,
        MAX_TIMESTAMP,
        "Unix seconds",
        "the end of year 9999",
    )
}

/// Refuses `t` outside 0 to `max`, naming the field, the unit and what
/// `max` is.
fn up_to(field: &str, t: f64, max: f64, unit: &str, max_is: &str) -> Result<()> {
    if (0.0..=max).contains(&t) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "expected {unit} from 0 to {} ({max_is}), got {}",
            num(max),
            num(t)
        ),
    ))
}
