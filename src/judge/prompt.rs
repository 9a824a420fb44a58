//! The judge prompt: a constitution (list of principles), the user prompt and
//! the two responses, rendered into chat messages for an OpenAI-compatible
//! `/v1/chat/completions` endpoint.
//!
//! Templates use `{placeholder}` substitution. The placeholders are
//! [`PLACEHOLDERS`]; `{{` and `}}` write literal braces. A template naming any
//! other placeholder is refused with a message that lists the accepted ones,
//! so a typo never reaches the model as literal text.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = [
    "principles",
    "prompt",
    "response_a",
    "response_b",
    "verdict_options",
];

/// The five verdict forms the judge must end with, in ordinal order.
pub const VERDICT_OPTIONS: &str = "A>>B | A>B | A=B | B>A | B>>A";

/// The default constitution: what a good response to a user looks like.
pub const DEFAULT_PRINCIPLES: [&str; 7] = [
    "Prefer the response that actually does what the user asked, completely and correctly.",
    "Prefer factual accuracy: a confident wrong statement is worse than an honest \"I am not sure\".",
    "Prefer responses that are helpful without being harmful: refusing a harmless request is a flaw; helping with a clearly harmful one is a worse flaw.",
    "Prefer clear, well-organised answers, but do not reward length for its own sake.",
    "Prefer responses that follow explicit constraints in the prompt (format, length, language, tone).",
    "Ignore the order in which the responses are shown and the names A and B; judge only the content.",
    "Use a tie (A=B) only when neither response is better on balance; use >> only when one response is clearly and substantially better.",
];

/// The default system template.
pub const DEFAULT_SYSTEM_TEMPLATE: &str = "You are an impartial judge comparing two AI assistant responses to the same user prompt.\n\
Judge them by these principles:\n{principles}\n\n\
First explain your reasoning briefly. Then end your answer with a final line of exactly this form:\n\
VERDICT: X\n\
where X is one of {verdict_options}. A>>B means A is much better, A>B means A is better, A=B means a tie, B>A means B is better and B>>A means B is much better. Write nothing after that line.";

/// The default user template.
pub const DEFAULT_USER_TEMPLATE: &str = "[User prompt]\n{prompt}\n\n\
[Response A]\n{response_a}\n\n\
[Response B]\n{response_b}\n\n\
Which response is better? Reason first, then end with `VERDICT: ` followed by one of {verdict_options}.";

/// How the judge is prompted: principles and the two templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromptConfig {
    /// The constitution, one principle per entry; rendered as a numbered list.
    pub principles: Vec<String>,
    /// Template of the system message.
    pub system_template: String,
    /// Template of the user message.
    pub user_template: String,
}

impl Default for PromptConfig {
    fn default() -> Self {
        PromptConfig {
            principles: DEFAULT_PRINCIPLES.iter().map(|p| p.to_string()).collect(),
            system_template: DEFAULT_SYSTEM_TEMPLATE.to_string(),
            user_template: DEFAULT_USER_TEMPLATE.to_string(),
        }
    }
}

/// One comparison to judge, in the order it is shown to the judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeInput {
    /// The user prompt both responses answer.
    pub prompt: String,
    /// The response shown as A.
    pub response_a: String,
    /// The response shown as B.
    pub response_b: String,
}

impl JudgeInput {
    /// The same comparison with A and B exchanged, for the position-swap
    /// check. A verdict on the swapped input is [`crate::Label::flip`]ped back.
    pub fn swapped(&self) -> JudgeInput {
        JudgeInput {
            prompt: self.prompt.clone(),
            response_a: self.response_b.clone(),
            response_b: self.response_a.clone(),
        }
    }
}

/// One chat message (`{"role": "system", "content": "..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The message text.
    pub content: String,
}

/// The body of an OpenAI-compatible `/v1/chat/completions` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Model name as the endpoint knows it.
    pub model: String,
    /// System message then user message.
    pub messages: Vec<ChatMessage>,
    /// Always 0: the judge should be as deterministic as the endpoint allows.
    pub temperature: f64,
    /// `true` to ask for token log-probabilities; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// How many alternatives per token (5) when `logprobs` is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u8>,
}

/// Renders `template`, replacing each `{name}` with its value in `vars`.
/// `field` names the template in error messages.
pub fn render(template: &str, vars: &[(&str, &str)], field: &str) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if tail.starts_with('}') {
            return Err(Error::invalid(
                field,
                "unmatched \"}\"; write \"}}\" for a literal brace",
            ));
        } else {
            let Some(end) = tail.find('}') else {
                return Err(Error::invalid(
                    field,
                    "unclosed \"{\"; write \"{{\" for a literal brace",
                ));
            };
            let name = &tail[1..end];
            match vars.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => out.push_str(v),
                None => {
                    return Err(Error::invalid(
                        field,
                        format!(
                            "unknown placeholder {{{}}}; expected one of {}",
                            name.chars().take(40).collect::<String>(),
                            PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                }
            }
            rest = &tail[end + 1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The system and user messages for one comparison.
///
/// ```
/// use prefkit::judge::prompt::{build_messages, JudgeInput, PromptConfig};
/// let input = JudgeInput { prompt: "2+2?".into(), response_a: "4".into(), response_b: "5".into() };
/// let messages = build_messages(&PromptConfig::default(), &input).unwrap();
/// assert_eq!(messages[0].role, "system");
/// assert!(messages[1].content.contains("[Response B]\n5"));
/// ```
pub fn build_messages(config: &PromptConfig, input: &JudgeInput) -> Result<Vec<ChatMessage>> {
    if config.principles.iter().all(|p| p.trim().is_empty()) {
        return Err(Error::invalid(
            "principles",
            "the constitution has no principles; give at least one",
        ));
    }
    let principles = config
        .principles
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .enumerate()
        .map(|(i, p)| format!("{}. {p}", i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let vars = [
        ("principles", principles.as_str()),
        ("prompt", input.prompt.as_str()),
        ("response_a", input.response_a.as_str()),
        ("response_b", input.response_b.as_str()),
        ("verdict_options", VERDICT_OPTIONS),
    ];
    Ok(vec![
        ChatMessage {
            role: "system".into(),
            content: render(&config.system_template, &vars, "system_template")?,
        },
        ChatMessage {
            role: "user".into(),
            content: render(&config.user_template, &vars, "user_template")?,
        },
    ])
}

/// The full request body for `model`: the messages, temperature 0 and, when
/// `logprobs` is true, `"logprobs": true, "top_logprobs": 5`.
pub fn request_body(
    model: &str,
    config: &PromptConfig,
    input: &JudgeInput,
    logprobs: bool,
) -> Result<ChatRequest> {
    if model.trim().is_empty() {
        return Err(Error::invalid("model", "the model name is empty"));
    }
    Ok(ChatRequest {
        model: model.to_string(),
        messages: build_messages(config, input)?,
        temperature: 0.0,
        logprobs: logprobs.then_some(true),
        top_logprobs: logprobs.then_some(5),
    })
}

/// Everything needed to build one request, as one serde object (the shape
/// the page passes to the binding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSpec {
    /// Model name as the endpoint knows it.
    pub model: String,
    /// The comparison in its canonical order.
    pub input: JudgeInput,
    /// Prompt configuration; the default when absent.
    #[serde(default)]
    pub config: Option<PromptConfig>,
    /// Ask for token log-probabilities.
    #[serde(default)]
    pub logprobs: bool,
    /// Build the request for the swapped order (B shown as A).
    #[serde(default)]
    pub swapped: bool,
}

/// The request body for a [`RequestSpec`].
pub fn build_request(spec: &RequestSpec) -> Result<ChatRequest> {
    let config = spec.config.clone().unwrap_or_default();
    let input = if spec.swapped {
        spec.input.swapped()
    } else {
        spec.input.clone()
    };
    request_body(&spec.model, &config, &input, spec.logprobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> JudgeInput {
        JudgeInput {
            prompt: "Name a prime.".into(),
            response_a: "7".into(),
            response_b: "8 {not a placeholder}".into(),
        }
    }

    #[test]
    fn the_default_prompt_lists_principles_and_all_five_verdicts() {
        let m = build_messages(&PromptConfig::default(), &input()).unwrap();
        assert_eq!(m.len(), 2);
        assert!(m[0]
            .content
            .contains("1. Prefer the response that actually does"));
        assert!(m[0].content.contains("7. Use a tie"));
        assert!(m[0]
            .content
            .contains("VERDICT: X\nwhere X is one of A>>B | A>B | A=B | B>A | B>>A."));
        assert_eq!(m[1].role, "user");
        // Braces inside values are copied, never interpreted.
        assert!(m[1].content.contains("[Response B]\n8 {not a placeholder}"));
    }

    #[test]
    fn unknown_placeholders_are_refused_with_the_accepted_ones() {
        let config = PromptConfig {
            user_template: "{prompt} {reponse_a}".into(),
            ..PromptConfig::default()
        };
        let e = build_messages(&config, &input()).unwrap_err().to_string();
        assert!(e.contains("field \"user_template\""), "{e}");
        assert!(e.contains("unknown placeholder {reponse_a}"), "{e}");
        assert!(e.contains("{response_a}"), "{e}");
    }

    #[test]
    fn doubled_braces_are_literal_and_lone_braces_are_refused() {
        let vars = [("prompt", "x")];
        assert_eq!(render("{{a}} {prompt}", &vars, "t").unwrap(), "{a} x");
        assert!(render("a } b", &vars, "t").is_err());
        assert!(render("a { b", &vars, "t").is_err());
    }

    #[test]
    fn the_request_body_has_temperature_zero_and_optional_logprobs() {
        let c = PromptConfig::default();
        let plain = serde_json::to_value(request_body("m", &c, &input(), false).unwrap()).unwrap();
        assert_eq!(plain["temperature"], 0.0);
        assert!(plain.get("logprobs").is_none());
        let lp = serde_json::to_value(request_body("m", &c, &input(), true).unwrap()).unwrap();
        assert_eq!(lp["logprobs"], true);
        assert_eq!(lp["top_logprobs"], 5);
        assert_eq!(lp["messages"][1]["role"], "user");
        assert!(request_body(" ", &c, &input(), false).is_err());
    }

    #[test]
    fn a_request_spec_builds_the_swapped_order_with_the_default_config() {
        let spec: RequestSpec = serde_json::from_value(serde_json::json!({
            "model": "m",
            "input": {"prompt": "p", "response_a": "first", "response_b": "second"},
            "swapped": true
        }))
        .unwrap();
        let body = build_request(&spec).unwrap();
        assert!(body.messages[1].content.contains("[Response A]\nsecond"));
        assert_eq!(body.logprobs, None);
    }

    #[test]
    fn swapping_exchanges_the_responses() {
        let s = input().swapped();
        assert_eq!(s.response_a, "8 {not a placeholder}");
        assert_eq!(s.swapped(), input());
    }

    #[test]
    fn an_empty_constitution_is_refused() {
        let config = PromptConfig {
            principles: vec![" ".into()],
            ..PromptConfig::default()
        };
        let e = build_messages(&config, &input()).unwrap_err().to_string();
        assert!(e.contains("no principles"), "{e}");
    }
}
