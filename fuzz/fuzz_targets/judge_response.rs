//! What the judge side reads from outside, all from the same JSON text: a
//! chat-completions response (assessed, then routed with its swap check),
//! a judge request spec (rendered to a request body) and a routing config.
//! Confidences stay in 0..=1; nothing holds a NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::FromJson;
use prefkit::judge::{
    assess, build_request, judge_result, ChatResponse, RequestSpec, Router, RoutingConfig,
};

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    if let Ok(r) = ChatResponse::from_json(text) {
        let j = assess(&r);
        assert!(
            (0.0..=1.0).contains(&j.confidence),
            "confidence {}",
            j.confidence
        );
        prefkit_fuzz::assert_finite("judgment", &j);
        let result = judge_result("item", &j, Some(&j));
        prefkit_fuzz::assert_finite("result", &result);
        let mut router = Router::new(RoutingConfig::default()).expect("the default config");
        let _ = router.add_judgment(&result);
        prefkit_fuzz::assert_finite("summary", &router.summary());
    }
    if let Ok(spec) = serde_json::from_str::<RequestSpec>(text) {
        if let Ok(req) = build_request(&spec) {
            serde_json::to_string(&req).expect("a request writes");
        }
    }
    if let Ok(config) = serde_json::from_str::<RoutingConfig>(text) {
        if let Ok(mut router) = Router::new(config) {
            let result = prefkit::judge::judge_result_from_parts(
                "x",
                (Some(prefkit::Label::ABetter), 0.8),
                None,
            );
            let _ = router.add_judgment(&result);
            let _ = router.add_human("x", prefkit::Label::Tie);
            prefkit_fuzz::assert_finite("summary", &router.summary());
        }
    }
});
