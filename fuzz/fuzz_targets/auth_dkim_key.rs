//! DKIM key records (RFC 6376 §3.6.1): `auth::dkim::key::parse`; spans stay inside the record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::dkim::key::parse;

fuzz_target!(|data: &[u8]| {
    match parse(data) {
        Ok(k) => {
            for t in &k.tags {
                assert!(t.value_span.end <= data.len() && t.name_span.end <= data.len());
            }
        }
        Err(e) => assert!(
            e.span.start <= e.span.end && e.span.end <= data.len(),
            "{:?}",
            e.span
        ),
    }
});
