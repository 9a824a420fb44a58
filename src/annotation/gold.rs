//! Gold (known-answer) items and their file: JSONL, one
//! `{"item", "label", "explanation"?}` a line, or a JSON array of them.

use super::jsonl::lines;
use super::line::check_id;
use super::scalar::Scalar;
use crate::error::{Error, Result};
use crate::label::Label;
use crate::map::FastMap;
use serde::{Deserialize, Serialize};

/// A gold (known-answer) item: `{"item": "...", "label": "...", "explanation": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gold {
    /// The item id.
    pub item: String,
    /// The correct label, in canonical order.
    pub label: Label,
    /// Why, shown as feedback when the task allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// One gold object as written (`id` is accepted for `item`).
#[derive(Deserialize)]
struct GoldLine<'a> {
    #[serde(borrow, default)]
    item: Scalar<'a>,
    #[serde(borrow, default)]
    id: Scalar<'a>,
    #[serde(borrow, default)]
    label: Scalar<'a>,
    #[serde(borrow, default)]
    explanation: Scalar<'a>,
}

impl GoldLine<'_> {
    fn check(self) -> Result<Gold> {
        let item = match (self.item, self.id) {
            (Scalar::Str(s), _) | (Scalar::Absent, Scalar::Str(s)) => s,
            (Scalar::Absent, Scalar::Absent) => return Err(Error::missing("item")),
            (Scalar::Absent, other) | (other, _) => {
                return Err(Error::invalid(
                    "item",
                    format!("expected a string, got {}", other.shown()),
                ))
            }
        };
        check_id("item", &item)?;
        let label = match self.label {
            Scalar::Str(s) => Label::parse(&s).map_err(|e| e.in_field("label"))?,
            Scalar::Absent => return Err(Error::missing("label")),
            other => {
                return Err(Error::invalid(
                    "label",
                    format!("expected a label string, got {}", other.shown()),
                ))
            }
        };
        let explanation = match self.explanation {
            Scalar::Absent => None,
            Scalar::Str(s) => Some(s.into_owned()),
            other => {
                return Err(Error::invalid(
                    "explanation",
                    format!("expected a string, got {}", other.shown()),
                ))
            }
        };
        Ok(Gold {
            item: item.into_owned(),
            label,
            explanation,
        })
    }
}

/// Reads gold answers from JSONL (`{"item", "label", "explanation"?}` a
/// line), or from a JSON array of such objects. An item given twice is
/// refused.
pub fn parse_gold(text: impl AsRef<[u8]>) -> Result<Vec<Gold>> {
    let bytes = text.as_ref();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    if start.map(|i| bytes[i]) == Some(b'[') {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::NotJson {
            message: format!(
                "gold file is not valid UTF-8 text (at byte {})",
                e.valid_up_to() + 1
            ),
            at: Default::default(),
        })?;
        let all: Vec<GoldLine> =
            serde_json::from_str(text).map_err(|e| crate::json::error(&e, "gold file"))?;
        return all
            .into_iter()
            .enumerate()
            .map(|(i, g)| g.check().map_err(|e| e.in_field(&format!("[{i}]"))))
            .collect();
    }
    let mut out = Vec::new();
    let mut seen: FastMap<String, usize> = FastMap::default();
    for (n, line) in lines(bytes) {
        let g = line
            .and_then(|text| {
                serde_json::from_str::<GoldLine>(text).map_err(|e| crate::json::error(&e, ""))
            })
            .and_then(GoldLine::check)
            .map_err(|e| e.at_line(n))?;
        if let Some(first) = seen.insert(g.item.clone(), n) {
            return Err(Error::invalid(
                "item",
                format!(
                    "gold item {} already given on line {first}",
                    crate::json::quoted(&g.item)
                ),
            )
            .at_line(n));
        }
        out.push(g);
    }
    Ok(out)
}
