//! Reading an OpenAI-compatible `/v1/chat/completions` response and turning
//! it into a judgment: verdict, confidence and where the confidence came from.

use crate::error::{Error, Result};
use crate::judge::confidence::{
    hedging_confidence, logprob_confidence, swap_check, SwapCheck, TokenLogprob,
};
use crate::judge::verdict::{parse_verdict, Verdict};
use crate::label::Label;
use serde::{Deserialize, Serialize};

/// The parts of a chat-completions response the judge needs; other fields
/// are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The choices; the first is used.
    #[serde(default)]
    pub choices: Vec<Choice>,
}

/// One choice of a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The assistant message.
    #[serde(default)]
    pub message: ResponseMessage,
    /// Token log-probabilities, when asked for and supported.
    #[serde(default)]
    pub logprobs: Option<ChoiceLogprobs>,
}

/// The assistant message of a choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseMessage {
    /// The answer text (`null` for some refusals).
    #[serde(default)]
    pub content: Option<String>,
}

/// `choices[i].logprobs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChoiceLogprobs {
    /// One entry per generated token.
    #[serde(default)]
    pub content: Option<Vec<TokenLogprob>>,
}

/// A response body; the message says what is missing.
impl crate::json::FromJson for ChatResponse {
    const WHAT: &'static str = "chat-completions response";
    type Raw<'a> = ChatResponse;
    fn from_raw(r: ChatResponse) -> Result<ChatResponse> {
        if r.choices.is_empty() {
            return Err(Error::invalid(
                "choices",
                "the response has no choices; expected choices[0].message.content",
            ));
        }
        Ok(r)
    }
}

impl ChatResponse {
    /// The first choice's text ("" when absent).
    pub fn content(&self) -> &str {
        self.choices
            .first()
            .and_then(|c| c.message.content.as_deref())
            .unwrap_or("")
    }

    /// The first choice's token log-probabilities (empty when absent).
    pub fn token_logprobs(&self) -> &[TokenLogprob] {
        self.choices
            .first()
            .and_then(|c| c.logprobs.as_ref())
            .and_then(|l| l.content.as_deref())
            .unwrap_or(&[])
    }
}

/// Where a judgment's confidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceSource {
    /// The model's token log-probabilities.
    Logprobs,
    /// The hedging-words baseline.
    Hedging,
}

/// One answer of the judge, read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgment {
    /// The verdict as the judge wrote it (in the order it was shown).
    pub verdict: Verdict,
    /// The hedging-words baseline.
    pub hedging_confidence: f64,
    /// The log-probability confidence, when the response carries logprobs.
    pub logprob_confidence: Option<f64>,
    /// The confidence used: logprobs when available, else hedging.
    pub confidence: f64,
    /// Which one `confidence` is.
    pub confidence_source: ConfidenceSource,
}

/// Reads one answer: the verdict from the text, the confidence from the
/// logprobs when present (and agreeing with the text's verdict), else from
/// the hedging baseline.
pub fn assess(response: &ChatResponse) -> Judgment {
    let verdict = parse_verdict(response.content());
    let hedging = hedging_confidence(&verdict);
    let lp = logprob_confidence(response.token_logprobs());
    let logprob = lp
        .confidence
        .filter(|_| lp.label.is_some() && lp.label == verdict.label());
    let (confidence, confidence_source) = match (logprob, &verdict) {
        (_, Verdict::Unparsed { .. }) => (0.0, ConfidenceSource::Hedging),
        (Some(c), Verdict::Parsed { conflicting, .. }) => (
            if *conflicting { c * 0.5 } else { c },
            ConfidenceSource::Logprobs,
        ),
        (None, _) => (hedging, ConfidenceSource::Hedging),
    };
    Judgment {
        verdict,
        hedging_confidence: hedging,
        logprob_confidence: logprob,
        confidence,
        confidence_source,
    }
}

/// The judge's result for one item, ready for routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeResult {
    /// The item id (as in the task).
    pub item: String,
    /// The label in the canonical order, `None` when no verdict was read.
    pub label: Option<Label>,
    /// The confidence used for routing, 0 to 1.
    pub confidence: f64,
    /// The swap check, when both orders were asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap: Option<SwapCheck>,
}

/// The result for `item` from the canonical-order judgment and, when the
/// judge was also asked the swapped order, that judgment (its verdict is in
/// the swapped order's terms and is flipped back here).
pub fn judge_result(item: &str, ab: &Judgment, ba: Option<&Judgment>) -> JudgeResult {
    judge_result_from_parts(
        item,
        (ab.verdict.label(), ab.confidence),
        ba.map(|j| (j.verdict.label(), j.confidence)),
    )
}

/// [`judge_result`] from each judgment's label and confidence only (all it
/// uses), for callers that keep just those.
pub fn judge_result_from_parts(
    item: &str,
    ab: (Option<Label>, f64),
    ba: Option<(Option<Label>, f64)>,
) -> JudgeResult {
    match ba {
        None => JudgeResult {
            item: item.to_string(),
            label: ab.0,
            confidence: ab.1,
            swap: None,
        },
        Some(ba) => {
            let check = swap_check(ab.0, ab.1, ba.0, ba.1);
            JudgeResult {
                item: item.to_string(),
                label: check.label,
                confidence: check.confidence,
                swap: Some(check),
            }
        }
    }
}
