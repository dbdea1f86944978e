//! RFC 5322 §3.3 dates: `mime::date::parse_date`; a date that parses must format (RFC 5322 and
//! RFC 3339) and read back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::date::parse_date;

fuzz_target!(|data: &[u8]| {
    let parsed = parse_date(data);
    for l in &parsed.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    if let Some(dt) = parsed.value {
        let _ = (dt.weekday(), dt.to_unix(), dt.to_rfc3339());
        let text = dt.to_rfc5322();
        let again = parse_date(text.as_bytes());
        assert_eq!(again.value, Some(dt), "{text:?} does not read back");
    }
});
