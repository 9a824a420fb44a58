//! The 5-point preference label and its ordinal codes.
//!
//! | label | judge form | code | meaning                      |
//! |-------|------------|------|------------------------------|
//! | `A>>` | `A>>B`     | 0    | A is much better             |
//! | `A>`  | `A>B`      | 1    | A is better                  |
//! | `=`   | `A=B`      | 2    | tie                          |
//! | `B>`  | `B>A`      | 3    | B is better                  |
//! | `B>>` | `B>>A`     | 4    | B is much better             |
//!
//! Labels are always stored in the canonical A/B order of the task. When an
//! annotator was shown the pair as B/A (`swapped`), their choice is
//! [`Label::flip`]ped back before anything else looks at it.

use crate::error::{Error, Location};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// One 5-point preference; the discriminant is the ordinal code 0..=4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Label {
    /// `A>>`: A much better.
    AMuchBetter = 0,
    /// `A>`: A better.
    ABetter = 1,
    /// `=`: tie.
    Tie = 2,
    /// `B>`: B better.
    BBetter = 3,
    /// `B>>`: B much better.
    BMuchBetter = 4,
}

/// Which response a label prefers, ignoring strength.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// `A>>` or `A>`.
    A,
    /// `=`.
    Tie,
    /// `B>` or `B>>`.
    B,
}

impl Side {
    /// 0 for A, 1 for tie, 2 for B.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Number of label categories.
pub const K: usize = 5;

impl Label {
    /// All labels in ordinal order.
    pub const ALL: [Label; K] = [
        Label::AMuchBetter,
        Label::ABetter,
        Label::Tie,
        Label::BBetter,
        Label::BMuchBetter,
    ];

    /// Parses the short form (`A>>`, `A>`, `=`, `B>`, `B>>`) or the judge
    /// form (`A>>B`, `A>B`, `A=B`, `B>A`, `B>>A`). Surrounding white space is
    /// ignored; nothing else is guessed.
    ///
    /// ```
    /// use prefkit::Label;
    /// assert_eq!(Label::parse("B>>A").unwrap(), Label::BMuchBetter);
    /// assert!(Label::parse("A>>>").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Label, Error> {
        Ok(match text.trim() {
            "A>>" | "A>>B" => Label::AMuchBetter,
            "A>" | "A>B" => Label::ABetter,
            "=" | "A=B" => Label::Tie,
            "B>" | "B>A" => Label::BBetter,
            "B>>" | "B>>A" => Label::BMuchBetter,
            _ => {
                return Err(Error::UnknownLabel {
                    text: text.chars().take(40).collect(),
                    at: Location::default(),
                })
            }
        })
    }

    /// The ordinal code, 0 (`A>>`) to 4 (`B>>`).
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label with ordinal code `i`, if `i < 5`.
    #[inline]
    pub fn from_index(i: usize) -> Option<Label> {
        Label::ALL.get(i).copied()
    }

    /// The short form: `A>>`, `A>`, `=`, `B>` or `B>>`.
    pub fn as_str(self) -> &'static str {
        ["A>>", "A>", "=", "B>", "B>>"][self.index()]
    }

    /// The judge form: `A>>B`, `A>B`, `A=B`, `B>A` or `B>>A`.
    pub fn judge_form(self) -> &'static str {
        ["A>>B", "A>B", "A=B", "B>A", "B>>A"][self.index()]
    }

    /// The same preference with A and B exchanged (`A>>` becomes `B>>`).
    #[inline]
    pub fn flip(self) -> Label {
        Label::ALL[K - 1 - self.index()]
    }

    /// The label in canonical order given whether the pair was shown swapped.
    #[inline]
    pub fn unflip(self, swapped: bool) -> Label {
        if swapped {
            self.flip()
        } else {
            self
        }
    }

    /// Which side the label prefers.
    #[inline]
    pub fn side(self) -> Side {
        match self {
            Label::AMuchBetter | Label::ABetter => Side::A,
            Label::Tie => Side::Tie,
            Label::BBetter | Label::BMuchBetter => Side::B,
        }
    }

    /// Strength of the preference: 0 for a tie, 1 for `>`, 2 for `>>`.
    #[inline]
    pub fn strength(self) -> u8 {
        (self.index() as i32 - 2).unsigned_abs() as u8
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Label::parse(s)
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Label::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_judge_forms_parse_to_the_same_label() {
        for l in Label::ALL {
            assert_eq!(Label::parse(l.as_str()).unwrap(), l);
            assert_eq!(Label::parse(l.judge_form()).unwrap(), l);
            assert_eq!(Label::parse(&format!("  {l} ")).unwrap(), l);
        }
    }

    #[test]
    fn unknown_labels_are_refused_with_the_accepted_forms() {
        let e = Label::parse("A>>>").unwrap_err();
        assert!(e.to_string().contains("unknown label \"A>>>\""), "{e}");
        assert!(e.to_string().contains("A>>, A>, =, B>, B>>"), "{e}");
        assert!(Label::parse("").is_err());
        assert!(Label::parse("a>").is_err());
    }

    #[test]
    fn flipping_twice_is_the_identity_and_swaps_sides() {
        for l in Label::ALL {
            assert_eq!(l.flip().flip(), l);
            assert_eq!(l.flip().strength(), l.strength());
        }
        assert_eq!(Label::AMuchBetter.flip(), Label::BMuchBetter);
        assert_eq!(Label::Tie.flip(), Label::Tie);
        assert_eq!(Label::ABetter.side(), Side::A);
    }
}
