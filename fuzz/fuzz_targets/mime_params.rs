//! RFC 2045/2231 parameters: `mime::params::parse_content_type` and `parse_disposition`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::params::{parse_content_type, parse_disposition};

fuzz_target!(|data: &[u8]| {
    let ct = parse_content_type(data);
    for l in &ct.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    let _ = (
        ct.mime_type(),
        ct.is_multipart(),
        ct.get("charset"),
        ct.get("boundary"),
    );
    let cd = parse_disposition(data);
    for l in &cd.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    let _ = cd.get("filename");
});
