//! RFC 2047 encoded-words: `mime::encoded_word::decode_unstructured` and `decode_text` in every
//! context, with span checks on the explanation and findings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::encoded_word::{decode_text, decode_unstructured, Context};

fuzz_target!(|data: &[u8]| {
    let decoded = decode_unstructured(data);
    for w in &decoded.words {
        assert!(
            w.span.start <= w.span.end && w.span.end <= data.len(),
            "{:?}",
            w.span
        );
    }
    for l in &decoded.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    for context in [Context::Phrase, Context::QuotedString, Context::Parameter] {
        let _ = decode_text(data, context);
    }
});
