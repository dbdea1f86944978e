//! Authentication-Results fields (RFC 8601 §2.2): `auth::results::parse`; spans of results and
//! errors stay inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::results::parse;

fuzz_target!(|data: &[u8]| {
    match parse(data, 0) {
        Ok(r) => {
            for i in &r.results {
                assert!(
                    i.span.start <= i.span.end && i.span.end <= data.len(),
                    "{:?}",
                    i.span
                );
            }
        }
        Err(e) => assert!(
            e.span.start <= e.span.end && e.span.end <= data.len(),
            "{:?}",
            e.span
        ),
    }
});
