//! Gold (known-answer) items and their file: JSONL, one
//! `{"item", "label", "explanation"?}` a line, or a JSON array of them.

use super::jsonl::lines;
use super::line::check_id;
use crate::error::{Error, Result};
use crate::fields::Fields;
use crate::label::Label;
use crate::map::FastMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Checks one gold object field by field (`id` is accepted for `item`).
/// Gold files are small: they are read as `Value`s, like tasks, which
/// keeps a second typed reader out of the wasm modules.
fn gold_from_value(v: &Value, path: &str) -> Result<Gold> {
    let f = Fields::new(v, path)?;
    let key = if f.get("item").is_none() && f.get("id").is_some() {
        "id"
    } else {
        "item"
    };
    let item = f
        .optional_str(key)?
        .ok_or_else(|| Error::missing(f.path_of("item")))?;
    check_id(&f.path_of("item"), &item)?;
    let label = f
        .label("label")?
        .ok_or_else(|| Error::missing(f.path_of("label")))?;
    Ok(Gold {
        item,
        label,
        explanation: f.optional_str("explanation")?,
    })
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
        let all = crate::json::Strict::parse(text, "gold file")?;
        let all = all.as_array().map(Vec::as_slice).unwrap_or_default();
        return all
            .iter()
            .enumerate()
            .map(|(i, g)| gold_from_value(g, &format!("[{i}]")))
            .collect();
    }
    let mut out = Vec::new();
    let mut seen: FastMap<String, usize> = FastMap::default();
    for (n, line) in lines(bytes) {
        let g = line
            .and_then(|text| crate::json::Strict::parse(text, ""))
            .and_then(|v| gold_from_value(&v, ""))
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
