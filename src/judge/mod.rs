//! AI-assisted labeling: a model judges each pair, the core decides what to
//! trust and what people must check.
//!
//! The flow, all pure functions over serde structs (the page only does the
//! network calls):
//!
//! 1. [`prompt::request_body`] builds the chat-completions request for one
//!    item (and, for the swap check, for [`prompt::JudgeInput::swapped`]);
//! 2. [`response::ChatResponse`]'s [`crate::FromJson::from_json`] reads the endpoint's answer and
//!    [`response::assess`] turns it into a [`response::Judgment`]: the
//!    [`verdict::Verdict`] and its confidence ([`confidence`]);
//! 3. [`response::judge_result`] reconciles the two orders into one
//!    [`response::JudgeResult`] per item;
//! 4. a [`routing::Router`] accepts, spot-checks or sends each item to
//!    people, escalates disagreements to experts and prices the run;
//! 5. once people have labelled some items, [`calibration`] measures
//!    judge-vs-human agreement and whether the confidence is calibrated.
//!
//! ```
//! use prefkit::judge::{prompt, response, routing};
//! use prefkit::FromJson;
//! let input = prompt::JudgeInput { prompt: "2+2?".into(), response_a: "4".into(), response_b: "5".into() };
//! let body = prompt::request_body("judge-model", &prompt::PromptConfig::default(), &input, false).unwrap();
//! assert_eq!(body.messages.len(), 2);
//! // ... the page posts `body` and gets back:
//! let answer = r#"{"choices":[{"message":{"role":"assistant","content":"A is right.\nVERDICT: A>>B"}}]}"#;
//! let judgment = response::assess(&response::ChatResponse::from_json(answer).unwrap());
//! let result = response::judge_result("item-1", &judgment, None);
//! let mut router = routing::Router::new(routing::RoutingConfig::default()).unwrap();
//! let route = router.add_judgment(&result).unwrap();
//! assert!(matches!(route, routing::Route::Accepted | routing::Route::SpotCheck));
//! ```

pub mod calibration;
pub mod confidence;
pub mod prompt;
pub mod response;
pub mod routing;
pub mod routing_summary;
pub mod thinking;
pub mod verdict;

pub use calibration::{calibration_table, judge_human_agreement, JudgeHumanPair};
pub use confidence::{hedging_confidence, logprob_confidence, swap_check, PositionBias};
pub use prompt::{
    build_messages, build_request, request_body, ChatMessage, ChatRequest, JudgeInput,
    PromptConfig, RequestSpec,
};
pub use response::{
    assess, judge_result, judge_result_from_parts, ChatResponse, JudgeResult, Judgment,
};
pub use routing::{Route, Router, RoutingConfig};
pub use verdict::{parse_verdict, Verdict};
