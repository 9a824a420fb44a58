//! One annotation line: `Annotation::from_json` (the borrowed reader) must
//! agree with `Annotation::from_value` on the JSON value of the line (read
//! with `json::Strict`, which refuses a key given twice as the line reader
//! does), and a line that reads must write and read back to
//! the same annotation (floats within one ULP: serde_json's default float
//! reader is not exact at the far ends of the range).
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefkit::FromJson;
use prefkit::Annotation;

fuzz_target!(|data: &[u8]| {
    let Some(line) = prefkit_fuzz::text(data) else {
        return;
    };
    let fast = Annotation::from_json(line);
    let slow = prefkit::json::Strict::parse(line, "")
        .map_err(|e| e.to_string())
        .and_then(|v| Annotation::from_value(&v).map_err(|e| e.to_string()));
    match (&fast, &slow) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the two readers disagree on {line:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("one reader accepts, the other refuses {line:?}: {fast:?} / {slow:?}"),
    }
    if let Ok(a) = fast {
        let written = serde_json::to_string(&a).expect("an annotation writes");
        let back = Annotation::from_json(&written)
            .unwrap_or_else(|e| panic!("its own output {written:?} does not read back: {e}"));
        // serde_json's default float reader (no `float_roundtrip`) may land
        // one ULP away from what ryu wrote; anything more is a bug.
        let mut back = back;
        for (x, y) in [
            (a.time_seconds, &mut back.time_seconds),
            (a.timestamp, &mut back.timestamp),
        ] {
            if let (Some(x), Some(y)) = (x, y.as_mut()) {
                assert!(
                    x.to_bits().abs_diff(y.to_bits()) <= 1,
                    "{x} reads back as {y}"
                );
                *y = x;
            }
        }
        assert_eq!(a, back, "the round trip changes {written:?}");
        let _ = a.shown_label();
    }
});
