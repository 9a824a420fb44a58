//! Reading the verdict out of a judge model's answer.
//!
//! The judge is told to end with `VERDICT: A>>B | A>B | A=B | B>A | B>>A`.
//! Real models wrap that line in markdown (`**Verdict:** A > B`), code fences
//! or brackets (`[[B>A]]`), write it in lower case, add punctuation after it,
//! mention it while thinking, or give it twice. The rules here:
//!
//! * the keyword is `verdict`, any case, optionally wrapped in `*`, `_` or
//!   backticks (or quoted, as a JSON key), followed by an optional
//!   separator (`:`, `：`, `-`, `–`, `—`);
//! * then, after markup (`*`, `_`, backticks, quotes, brackets, a code-fence
//!   language tag) and white space, a label: a side (`A`/`B`, any case,
//!   full-width too), an operator (`>`, `>>`, `<`, `<<`, `=`, or `≫`, `≪`,
//!   `＞`, `＜`, `＝`), the other side, with spaces allowed around the
//!   operator, and no ASCII letter or digit right after; the word `tie` is
//!   a tie;
//! * text inside `<think>`, `<thinking>` or `<reasoning>` blocks is ignored
//!   (a closing tag with no opening one hides everything before it; an
//!   opening one never closed hides everything after it);
//! * a label followed by `|` or `/` is the list of options echoed back, not
//!   a verdict;
//! * when there are several verdicts the last one counts, and
//!   `conflicting` says whether they disagreed;
//! * no verdict at all is [`Verdict::Unparsed`] with a reason, never a tie.
//!
//! The explanation is the visible text before the verdict line.

use crate::judge::thinking::{ends_inside, in_regions, thinking_regions};
use crate::label::Label;
use serde::{Deserialize, Serialize};

/// What a judge's answer says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// A verdict was found.
    Parsed {
        /// The label of the last verdict, in the order the judge was shown.
        label: Label,
        /// The visible text before the verdict, trimmed.
        explanation: String,
        /// The verdict as written (`**Verdict:** A > B`).
        matched: String,
        /// How many verdicts the answer gives outside thinking blocks.
        verdicts_found: usize,
        /// Whether those verdicts disagree with each other.
        conflicting: bool,
    },
    /// No verdict could be read; the item needs a person.
    Unparsed {
        /// The visible text, trimmed.
        explanation: String,
        /// Why nothing was read.
        reason: String,
    },
}

impl Verdict {
    /// The label, if one was read.
    pub fn label(&self) -> Option<Label> {
        match self {
            Verdict::Parsed { label, .. } => Some(*label),
            Verdict::Unparsed { .. } => None,
        }
    }

    /// The explanation (the visible text before the verdict).
    pub fn explanation(&self) -> &str {
        match self {
            Verdict::Parsed { explanation, .. } | Verdict::Unparsed { explanation, .. } => {
                explanation
            }
        }
    }
}

/// One verdict found in a text, with byte offsets into that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictMatch {
    /// The label read.
    pub label: Label,
    /// Where the explanation ends (start of the verdict's line when that
    /// line holds only markup or `final`/`overall` before the keyword).
    pub explanation_end: usize,
    /// Start of the keyword.
    pub start: usize,
    /// Start of the label itself (`A` of `A > B`).
    pub label_start: usize,
    /// End of the label (just after `B` of `A > B`).
    pub label_end: usize,
}

fn is_markup(c: char) -> bool {
    matches!(
        c,
        '*' | '_' | '`' | '"' | '\'' | '[' | '(' | '{' | '“' | '‘'
    )
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{a0}' || c == '\u{3000}'
}

/// A side letter: 0 for A, 1 for B.
fn side_of(c: char) -> Option<u8> {
    match c {
        'A' | 'a' | 'Ａ' | 'ａ' => Some(0),
        'B' | 'b' | 'Ｂ' | 'ｂ' => Some(1),
        _ => None,
    }
}

/// The operator characters, normalised to ASCII.
fn op_of(c: char) -> Option<&'static str> {
    match c {
        '>' | '＞' => Some(">"),
        '≫' => Some(">>"),
        '<' | '＜' => Some("<"),
        '≪' => Some("<<"),
        '=' | '＝' => Some("="),
        _ => None,
    }
}

/// Reads a label at byte `i` of `text`: returns it and the end offset.
pub(crate) fn read_label(text: &str, i: usize) -> Option<(Label, usize)> {
    let rest = text.get(i..)?;
    let boundary_ok = |end: usize| {
        text.get(end..)
            .and_then(|t| t.chars().next())
            .is_none_or(|c| !c.is_ascii_alphanumeric())
    };
    if rest.len() >= 3 && rest.is_char_boundary(3) && rest[..3].eq_ignore_ascii_case("tie") {
        return boundary_ok(i + 3)
            .then(|| Label::parse("A=B").ok())
            .flatten()
            .map(|l| (l, i + 3));
    }
    let mut chars = rest.char_indices().peekable();
    let first = side_of(chars.next()?.1)?;
    while chars.next_if(|&(_, c)| is_space(c)).is_some() {}
    let mut op = String::new();
    while let Some((_, c)) = chars.next_if(|&(_, c)| op_of(c).is_some()) {
        op.push_str(op_of(c)?);
    }
    while chars.next_if(|&(_, c)| is_space(c)).is_some() {}
    let (at, c) = chars.next()?;
    let second = side_of(c)?;
    let end = i + at + c.len_utf8();
    if first == second || !boundary_ok(end) {
        return None;
    }
    // Winner 0 = A, 1 = B; the canonical judge form goes through the one
    // label parser of the crate.
    let (winner, strong) = match op.as_str() {
        "=" | "==" => return Label::parse("A=B").ok().map(|l| (l, end)),
        ">" => (first, false),
        ">>" => (first, true),
        "<" => (second, false),
        "<<" => (second, true),
        _ => return None,
    };
    let form = match (winner, strong) {
        (0, true) => "A>>B",
        (0, false) => "A>B",
        (_, true) => "B>>A",
        (_, false) => "B>A",
    };
    Label::parse(form).ok().map(|l| (l, end))
}

/// Reads a verdict whose keyword starts at byte `start` (7 bytes: `verdict`).
fn read_verdict_at(text: &str, start: usize) -> Option<(Label, usize, usize)> {
    let mut i = start + "verdict".len();
    let skip = |i: &mut usize, pred: &dyn Fn(char) -> bool| {
        while let Some(c) = text.get(*i..).and_then(|t| t.chars().next()) {
            if !pred(c) {
                break;
            }
            *i += c.len_utf8();
        }
    };
    skip(&mut i, &|c| {
        matches!(c, '*' | '_' | '`' | '"' | '\'') || is_space(c)
    });
    if let Some(c) = text.get(i..).and_then(|t| t.chars().next()) {
        if matches!(c, ':' | '：' | '-' | '–' | '—') {
            i += c.len_utf8();
        }
    }
    let before = i;
    skip(&mut i, &|c| is_markup(c) || c.is_whitespace());
    // A code fence opened after the keyword may carry a language tag.
    if text.get(before..i).is_some_and(|s| s.contains("```")) {
        let tag_start = i;
        skip(&mut i, &|c| c.is_ascii_alphanumeric());
        if text.get(i..).is_some_and(|t| t.starts_with('\n')) {
            skip(&mut i, &|c| c.is_whitespace());
        } else {
            i = tag_start;
        }
    }
    let (label, end) = read_label(text, i)?;
    // `VERDICT: A>>B | A>B | ...` or `A>B/B>A` echoes the list of options.
    let next = text.get(end..)?.trim_start_matches(is_space).chars().next();
    if matches!(next, Some('|' | '/')) {
        return None;
    }
    Some((label, i, end))
}

/// Where the explanation ends for a keyword at `start`: the start of its
/// line when the line holds only markup and at most `final`/`overall`/`my
/// final` before the keyword.
fn explanation_end(text: &str, start: usize) -> usize {
    // Backwards to the start of the line, giving up once there are more
    // letters than the longest prefix allowed ("the final"): many verdicts
    // on one long line would otherwise cost the square of its length.
    let mut line_start = 0;
    let mut letters = 0;
    for (p, c) in text[..start].char_indices().rev() {
        if c == '\n' {
            line_start = p + 1;
            break;
        }
        if !(c.is_whitespace() || matches!(c, '*' | '_' | '#' | '`' | '>' | '-' | '[')) {
            letters += 1;
            if letters > "the final".len() {
                return start;
            }
        }
    }
    let prefix: String = text[line_start..start]
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '`' | '>' | '-' | '['))
        .collect::<String>()
        .to_ascii_lowercase();
    match prefix
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .as_str()
    {
        "" | "final" | "overall" | "my final" | "the final" | "my" => line_start,
        _ => start,
    }
}

/// Every verdict outside thinking blocks, in order of appearance.
pub fn find_verdicts(text: &str) -> Vec<VerdictMatch> {
    let regions = thinking_regions(text);
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices("verdict")
        .filter(|(p, _)| !in_regions(&regions, *p))
        .filter_map(|(start, _)| {
            let (label, label_start, label_end) = read_verdict_at(text, start)?;
            Some(VerdictMatch {
                label,
                explanation_end: explanation_end(text, start),
                start,
                label_start,
                label_end,
            })
        })
        .collect()
}

/// `text[..end]` without thinking blocks, trimmed of white space and markup.
fn visible_before(text: &str, end: usize, regions: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in regions {
        if s >= end {
            break;
        }
        if s > at {
            out.push_str(&text[at..s]);
        }
        at = at.max(e);
    }
    if at < end {
        out.push_str(&text[at..end]);
    }
    trim_markup(&out).to_string()
}

/// Trims white space, trailing `#` and trailing emphasis or code markers
/// left unbalanced by cutting the text at the verdict (`**`, `__`, `` ` ``).
fn trim_markup(text: &str) -> &str {
    let mut e = text.trim();
    loop {
        let before = e.len();
        e = e.trim_end_matches(|c: char| c.is_whitespace() || c == '#');
        for m in ["```", "**", "__", "`", "*", "_"] {
            if e.ends_with(m) && e.matches(m).count() % 2 == 1 {
                e = &e[..e.len() - m.len()];
            }
        }
        if e.len() == before {
            return e;
        }
    }
}

/// Parses a judge's answer.
///
/// ```
/// use prefkit::judge::verdict::{parse_verdict, Verdict};
/// use prefkit::Label;
/// let v = parse_verdict("B is shorter but wrong.\n\n**Verdict: A > B.**");
/// assert_eq!(v.label(), Some(Label::ABetter));
/// assert_eq!(v.explanation(), "B is shorter but wrong.");
/// assert!(matches!(parse_verdict("Both are fine."), Verdict::Unparsed { .. }));
/// ```
pub fn parse_verdict(text: &str) -> Verdict {
    let regions = thinking_regions(text);
    let found = find_verdicts(text);
    let Some(last) = found.last() else {
        let explanation = visible_before(text, text.len(), &regions);
        let lower = text.to_ascii_lowercase();
        let keyword_seen = lower.contains("verdict");
        let visible_keyword = lower
            .match_indices("verdict")
            .any(|(p, _)| !in_regions(&regions, p));
        let reason = if text.trim().is_empty() {
            "the answer is empty".to_string()
        } else if ends_inside(text, &regions) && explanation.is_empty() {
            "the answer ends inside a thinking block (cut off?) and gives no verdict".to_string()
        } else if visible_keyword {
            "\"VERDICT\" is written but not followed by one of A>>B, A>B, A=B, B>A, B>>A"
                .to_string()
        } else if keyword_seen {
            "a verdict appears only inside the thinking block, not in the answer".to_string()
        } else {
            "no \"VERDICT: ...\" line in the answer".to_string()
        };
        return Verdict::Unparsed {
            explanation,
            reason,
        };
    };
    let first = found.first().map_or(last.label, |m| m.label);
    Verdict::Parsed {
        label: last.label,
        explanation: visible_before(text, last.explanation_end, &regions),
        matched: text[last.start..last.label_end].to_string(),
        verdicts_found: found.len(),
        conflicting: found.iter().any(|m| m.label != first),
    }
}

#[cfg(test)]
mod tests;
