//! `smtp::transcript::annotate` (detect the format, replay through the sessions, lint) and the
//! JSON document built from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::transcript::{annotate, Format, Transcript};

fuzz_target!(|data: &[u8]| {
    let annotated = annotate(data);
    let _ = annotated.all_lints().len();
    let _ = serde_json::to_vec(&annotated.to_json()).expect("transcript JSON serialises");
    // Every format read explicitly, too.
    let format = match data.first().map(|b| b % 4) {
        Some(0) => Format::Prefixed,
        Some(1) => Format::Swaks,
        Some(2) => Format::Raw,
        _ => Transcript::detect(data),
    };
    let t = Transcript::parse_as(data, format);
    let _ = t.annotate();
});
