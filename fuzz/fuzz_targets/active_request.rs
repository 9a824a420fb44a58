//! The active-learning requests, all from the same JSON text: selection,
//! pairs, leaderboard and the cost table. Each reads or fails cleanly,
//! runs without panic, and answers with no NaN or infinity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::active::pairs::{self, PairRequest};
use prefkit::active::{leaderboard, select, LeaderboardRequest, SelectRequest};
use prefkit::cost::{cost_table, CostRequest};

fuzz_target!(|data: &[u8]| {
    let Some(text) = prefkit_fuzz::text(data) else {
        return;
    };
    if let Ok(req) = serde_json::from_str::<SelectRequest>(text) {
        if let Ok(sel) = select(&req) {
            prefkit_fuzz::assert_finite("selection", &sel);
        }
    }
    if let Ok(req) = serde_json::from_str::<PairRequest>(text) {
        if let Ok(p) = pairs::build(&req) {
            serde_json::to_string(&p).expect("pairs write");
        }
    }
    if let Ok(req) = serde_json::from_str::<LeaderboardRequest>(text) {
        if let Ok(board) = leaderboard(&req) {
            prefkit_fuzz::assert_finite("leaderboard", &board);
        }
    }
    if let Ok(req) = serde_json::from_str::<CostRequest>(text) {
        let _ = serde_json::to_string(&cost_table(&req)).expect("a cost table writes");
    }
});
