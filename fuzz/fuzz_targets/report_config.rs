//! Report settings: read or fail cleanly; what reads passes its own check,
//! and writes and reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::report::ReportConfig;

fuzz_target!(|data: &[u8]| {
    let Some(config) = prefkit_fuzz::read::<ReportConfig>(data) else {
        return;
    };
    config
        .check()
        .expect("a config that reads passes its check");
    let v = serde_json::to_value(&config).expect("a config writes");
    let back = ReportConfig::from_value(&v)
        .unwrap_or_else(|e| panic!("its own output {v} does not read back: {e}"));
    assert_eq!(config, back, "the round trip changes {v}");
});
