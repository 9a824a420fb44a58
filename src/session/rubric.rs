//! The rubric: weighted dimensions (helpfulness, correctness, ...) and the
//! rule that turns per-dimension ratings into one overall label.

use crate::error::{Error, Result};
use crate::fields::{shown, Fields};
use crate::label::Label;
use crate::map::LiteMap;
use serde::Serialize;
use serde_json::Value;

/// One rubric dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    /// Weight in the overall label, `>= 0`.
    pub weight: f64,
    /// What the annotator should judge, shown on the page.
    pub description: String,
}

/// Dimensions by name (sorted by name: JSON objects carry no order here).
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric(pub LiteMap<String, Dimension>);

impl Serialize for Rubric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        crate::map::as_object(&self.0, s)
    }
}

impl Default for Rubric {
    /// helpfulness 0.35, correctness 0.30, harmlessness 0.20, conciseness 0.15.
    fn default() -> Self {
        let dims = [
            (
                "helpfulness",
                0.35,
                "Which response better does what the user asked?",
            ),
            (
                "correctness",
                0.30,
                "Which response is more accurate and free of errors?",
            ),
            (
                "harmlessness",
                0.20,
                "Which response better avoids harmful, unsafe or offensive content?",
            ),
            (
                "conciseness",
                0.15,
                "Which response says what is needed without padding?",
            ),
        ];
        let mut map = LiteMap::new();
        for (n, w, d) in dims {
            let dimension = Dimension {
                weight: w,
                description: d.to_string(),
            };
            map.insert(n.to_string(), dimension);
        }
        Rubric(map)
    }
}

/// Tolerance for the rounding thresholds, so that `0.35 + 0.15` style sums
/// landing a hair off a half-way point round as exact arithmetic would.
const EPS: f64 = 1e-9;

impl Rubric {
    /// Reads `{"name": {"weight": 0.35, "description": "..."}, ...}`; a bare
    /// number is accepted as the weight. Weights must be finite, `>= 0`, and
    /// sum to more than 0.
    pub(crate) fn from_value(value: &Value) -> Result<Rubric> {
        let f = Fields::new(value, "rubric")?;
        let mut dims: LiteMap<String, Dimension> = LiteMap::new();
        for (name, v) in f.map {
            let path = f.path_of(name);
            let dim = match v {
                Value::Number(_) => Dimension {
                    weight: weight(v, &path)?,
                    description: String::new(),
                },
                Value::Object(_) => {
                    let d = Fields::new(v, &path)?;
                    d.only(&["weight", "description"])?;
                    let w = d
                        .get("weight")
                        .ok_or_else(|| Error::missing(d.path_of("weight")))?;
                    Dimension {
                        weight: weight(w, &d.path_of("weight"))?,
                        description: d.optional_str("description")?.unwrap_or_default(),
                    }
                }
                other => {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "expected {{\"weight\": number, \"description\": text}}, got {}",
                            shown(other)
                        ),
                    ))
                }
            };
            dims.insert(name.clone(), dim);
        }
        let total: f64 = dims.values().map(|d| d.weight).sum();
        if total <= 0.0 {
            return Err(Error::invalid(
                "rubric",
                "the weights must sum to more than 0",
            ));
        }
        Ok(Rubric(dims))
    }

    /// The overall label from per-dimension labels (canonical or as shown:
    /// the rule is symmetric under A/B exchange, so it commutes with
    /// [`Label::flip`]).
    ///
    /// Each label's ordinal code is centred at 0 (`A>>` = -2, `A>` = -1,
    /// `=` = 0, `B>` = 1, `B>>` = 2) and averaged with the rubric weights of
    /// the dimensions given: `m = sum_d w_d (code_d - 2) / sum_d w_d`. The
    /// overall label is the nearest code, with the half-way points rounded
    /// toward the tie: `|m| <= 0.5` gives `=`, `0.5 < |m| <= 1.5` gives `A>`
    /// or `B>`, `|m| > 1.5` gives `A>>` or `B>>`.
    ///
    /// Refused: a dimension the rubric does not have, no dimension, or only
    /// dimensions of weight 0.
    ///
    /// ```
    /// use prefkit::session::Rubric;
    /// use prefkit::Label;
    /// use prefkit::map::LiteMap;
    /// let dims = LiteMap::from_iter([
    ///     ("helpfulness".to_string(), Label::AMuchBetter), // -2 x 0.35
    ///     ("correctness".to_string(), Label::ABetter),     // -1 x 0.30
    ///     ("harmlessness".to_string(), Label::Tie),        //  0 x 0.20
    ///     ("conciseness".to_string(), Label::BBetter),     // +1 x 0.15
    /// ]);
    /// // m = (-0.70 - 0.30 + 0 + 0.15) / 1.0 = -0.85: A>
    /// assert_eq!(Rubric::default().overall(&dims).unwrap(), Label::ABetter);
    /// ```
    pub fn overall(&self, dimensions: &LiteMap<String, Label>) -> Result<Label> {
        self.check_names(dimensions)?;
        let (mut sum, mut total) = (0.0, 0.0);
        for (name, label) in dimensions {
            let weight = self.0.get(name).map_or(0.0, |d| d.weight);
            sum += weight * (label.index() as f64 - 2.0);
            total += weight;
        }
        if total <= 0.0 {
            return Err(Error::invalid(
                "dimensions",
                "no rated dimension has a positive weight, so no overall label follows; give \"choice\" or rate a weighted dimension",
            ));
        }
        let m = sum / total;
        let code = if m.abs() <= 0.5 + EPS {
            0
        } else if m.abs() <= 1.5 + EPS {
            1
        } else {
            2
        };
        let code = if m < 0.0 { 2 - code } else { 2 + code };
        Ok(Label::from_index(code).unwrap_or(Label::Tie))
    }
}

impl Rubric {
    /// Refuses the first dimension name the rubric does not have.
    pub fn check_names(&self, dimensions: &LiteMap<String, Label>) -> Result<()> {
        match dimensions.keys().find(|n| !self.0.contains_key(*n)) {
            Some(name) => Err(Error::invalid(
                format!("dimensions.{name}"),
                format!(
                    "not a rubric dimension; expected one of {}",
                    self.0.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

fn weight(v: &Value, path: &str) -> Result<f64> {
    match v.as_f64() {
        Some(w) if w.is_finite() && w >= 0.0 => Ok(w),
        _ => Err(Error::invalid(
            path,
            format!("expected a weight >= 0, got {}", shown(v)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(pairs: &[(&str, Label)]) -> LiteMap<String, Label> {
        pairs.iter().map(|(n, l)| (n.to_string(), *l)).collect()
    }

    #[test]
    fn half_way_points_round_toward_the_tie() {
        let r = Rubric::from_value(&serde_json::json!({"x": 1, "y": 1})).unwrap();
        // m = (-1 + 0) / 2 = -0.5: tie.
        let d = dims(&[("x", Label::ABetter), ("y", Label::Tie)]);
        assert_eq!(r.overall(&d).unwrap(), Label::Tie);
        // m = (-2 - 1) / 2 = -1.5: A>.
        let d = dims(&[("x", Label::AMuchBetter), ("y", Label::ABetter)]);
        assert_eq!(r.overall(&d).unwrap(), Label::ABetter);
        // m = (2 + 2) / 2 = 2: B>>.
        let d = dims(&[("x", Label::BMuchBetter), ("y", Label::BMuchBetter)]);
        assert_eq!(r.overall(&d).unwrap(), Label::BMuchBetter);
    }

    #[test]
    fn the_overall_label_commutes_with_flipping() {
        let r = Rubric::default();
        for a in Label::ALL {
            for b in Label::ALL {
                let d = dims(&[("helpfulness", a), ("conciseness", b)]);
                let f = dims(&[("helpfulness", a.flip()), ("conciseness", b.flip())]);
                assert_eq!(r.overall(&d).unwrap().flip(), r.overall(&f).unwrap());
            }
        }
    }

    #[test]
    fn unknown_dimensions_and_bad_weights_are_named() {
        let e = Rubric::default()
            .overall(&dims(&[("style", Label::Tie)]))
            .unwrap_err();
        assert!(e.to_string().contains("dimensions.style"), "{e}");
        let e = Rubric::from_value(&serde_json::json!({"x": {"weight": -1}})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "field \"rubric.x.weight\": expected a weight >= 0, got -1"
        );
        let e = Rubric::from_value(&serde_json::json!({"x": 0})).unwrap_err();
        assert!(e.to_string().contains("sum to more than 0"), "{e}");
    }
}
