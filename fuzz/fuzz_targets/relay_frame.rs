//! The relay's frames as the page and the relay read them: `RelayFrame` and `ClientFrame`
//! from JSON text through their public `serde` entry point (`serde_json::from_slice`), whether
//! the `Deserialize` is derived or written by hand. A frame that decodes serialises, and that
//! text decodes to the same frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::relay::{ClientFrame, RelayFrame};

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = serde_json::from_slice::<RelayFrame>(data) {
        let text = serde_json::to_string(&frame).expect("a decoded frame serialises");
        let again: RelayFrame = serde_json::from_str(&text).expect("its own text decodes");
        assert_eq!(again, frame, "{text}");
    }
    if let Ok(frame) = serde_json::from_slice::<ClientFrame>(data) {
        let text = serde_json::to_string(&frame).expect("a decoded frame serialises");
        let again: ClientFrame = serde_json::from_str(&text).expect("its own text decodes");
        assert_eq!(again, frame, "{text}");
    }
});
