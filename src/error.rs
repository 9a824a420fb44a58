//! The one error type of the core. Every message says what is wrong and,
//! where the input came from a file, on which line and in which field.

use std::fmt;

/// Where in the input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line number in a JSONL file, when the input was one.
    pub line: Option<usize>,
    /// The field at fault (`label`, `time_seconds`, `config.batch_size`, ...).
    pub field: Option<String>,
    /// The input was an array of records, not a file: `line` is the
    /// 1-based element, written `annotation #N`.
    pub element: bool,
}

/// Every failure the core reports. Messages are meant for the person who
/// wrote the input, so they name the line and field and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A label that is not one of the five accepted forms.
    #[error("{}unknown label \"{text}\"; expected one of A>>, A>, =, B>, B>> (or A>>B, A>B, A=B, B>A, B>>A)", prefix(.at))]
    UnknownLabel { text: String, at: Location },
    /// A line that is not JSON, or not a JSON object.
    #[error("{}{message}", prefix(.at))]
    NotJson { message: String, at: Location },
    /// A required field is absent.
    #[error("{}missing required field \"{}\"", line_prefix(.at), .at.field.as_deref().unwrap_or("?"))]
    MissingField { at: Location },
    /// A field is present but its value is of the wrong type or out of range.
    #[error("{}{message}", prefix(.at))]
    InvalidField { message: String, at: Location },
    /// Two annotations share an id.
    #[error("{}duplicate annotation id \"{id}\" (first seen on line {first_line})", prefix(.at))]
    DuplicateId {
        id: String,
        first_line: usize,
        at: Location,
    },
    /// The same annotator labelled the same item twice (under two ids),
    /// and repeated ratings are not allowed.
    #[error("{}annotator \"{annotator}\" already labelled item \"{item}\" on line {first_line}; to accept repeated ratings by the same annotator, set allow_repeats (prefkit report --allow-repeats)", prefix(.at))]
    DuplicateLabel {
        annotator: String,
        item: String,
        first_line: usize,
        at: Location,
    },
    /// The input holds nothing to work on.
    #[error("{what} is empty: {hint}")]
    Empty { what: String, hint: String },
    /// A request that is well-formed but not allowed in the current state
    /// (an item not in the annotator's batch, a flagged annotator, ...).
    #[error("{0}")]
    Rejected(String),
}

/// "line N" in a file, "annotation #N" in an array of records.
fn place(at: &Location, l: usize) -> String {
    if at.element {
        format!("annotation #{l}")
    } else {
        format!("line {l}")
    }
}

fn line_prefix(at: &Location) -> String {
    at.line
        .map(|l| format!("{}: ", place(at, l)))
        .unwrap_or_default()
}

fn prefix(at: &Location) -> String {
    match (at.line, &at.field) {
        (Some(l), Some(f)) => format!("{}, field \"{f}\": ", place(at, l)),
        (Some(l), None) => format!("{}: ", place(at, l)),
        (None, Some(f)) => format!("field \"{f}\": "),
        (None, None) => String::new(),
    }
}

/// The location an error carries, if it has one: the one list of the
/// variants with a location, for both [`Error::location`] and
/// `Error::location_mut` (`at` binds by reference or by mutable reference,
/// as the error is borrowed).
macro_rules! location_of {
    ($error:expr) => {
        match $error {
            Error::UnknownLabel { at, .. }
            | Error::NotJson { at, .. }
            | Error::MissingField { at }
            | Error::InvalidField { at, .. }
            | Error::DuplicateId { at, .. }
            | Error::DuplicateLabel { at, .. } => Some(at),
            Error::Empty { .. } | Error::Rejected(_) => None,
        }
    };
}

impl Error {
    /// An [`Error::InvalidField`] for `field` with `message`.
    pub fn invalid(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::InvalidField {
            message: message.to_string(),
            at: Location {
                field: Some(field.into()),
                ..Location::default()
            },
        }
    }

    /// An [`Error::MissingField`] for `field`.
    pub fn missing(field: impl Into<String>) -> Self {
        Error::MissingField {
            at: Location {
                field: Some(field.into()),
                ..Location::default()
            },
        }
    }

    /// The location of the error, if it has one.
    pub fn location(&self) -> Option<&Location> {
        location_of!(self)
    }

    fn location_mut(&mut self) -> Option<&mut Location> {
        location_of!(self)
    }

    /// The same error, its line read as the 1-based element of an array of
    /// records ("annotation #3" rather than "line 3").
    pub fn in_array(mut self) -> Self {
        if let Some(at) = self.location_mut() {
            at.element = true;
        }
        self
    }

    /// The same error, placed on 1-based line `line`.
    pub fn at_line(mut self, line: usize) -> Self {
        if let Some(at) = self.location_mut() {
            at.line = Some(line);
        }
        self
    }

    /// The same error, with its field set to `field` if it had none, or
    /// prefixed with `parent.` if it had one (`dimensions.helpfulness`).
    pub fn in_field(mut self, parent: &str) -> Self {
        if let Some(at) = self.location_mut() {
            at.field = Some(match at.field.take() {
                Some(f) => format!("{parent}.{f}"),
                None => parent.to_string(),
            });
        }
        self
    }
}

/// Shorthand for results of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_line_and_the_field() {
        let e = Error::missing("item").at_line(17);
        assert_eq!(e.to_string(), "line 17: missing required field \"item\"");
        let e =
            Error::invalid("time_seconds", "must be finite and not negative, got -3").at_line(4);
        assert_eq!(
            e.to_string(),
            "line 4, field \"time_seconds\": must be finite and not negative, got -3"
        );
        let e = Error::invalid("label", "unknown").at_line(3).in_array();
        assert_eq!(e.to_string(), "annotation #3, field \"label\": unknown");
        assert_eq!(
            Error::missing("item").at_line(2).in_array().to_string(),
            "annotation #2: missing required field \"item\""
        );
    }
}
