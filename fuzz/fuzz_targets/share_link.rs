//! Share links (`mailscope-web`'s `state::share`): `from_fragment` on the input as text, and
//! the LZ decompressor behind `decode` reached with the input's bytes as the payload of a
//! compressed link (`v1.tz.<base64>`). Content that decodes is within `MAX_CONTENT_BYTES`, and
//! a link made of it (`fragment`) reads back to the same content.
//!
//! The decompressor is private to the web crate, so this is its only fuzzed entry point; see
//! docs/fuzzing.md on moving the codec into the core.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::codec::base64;
use mailscope_web::state::share::{decode, fragment, from_fragment, MAX_CONTENT_BYTES};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = from_fragment(&text);
    let _ = decode(&text);
    let compressed = format!("v1.tz.{}", base64::encode(data));
    let plain = format!("v1.m.{}", base64::encode(data));
    for link in [compressed, plain] {
        let Ok(shared) = decode(&link) else {
            continue;
        };
        assert!(!shared.content.is_empty() && shared.content.len() <= MAX_CONTENT_BYTES);
        let again = fragment(shared.kind, &shared.content).expect("decoded content re-encodes");
        let back = from_fragment(&again)
            .expect("a share parameter")
            .expect("its own link decodes");
        assert_eq!(back, shared, "{again}");
    }
});
