//! RFC 5322 §3.4 address lists: `mime::address::parse_address_list`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::address::parse_address_list;

fuzz_target!(|data: &[u8]| {
    let list = parse_address_list(data);
    for m in list.mailboxes() {
        assert!(
            m.span.start <= m.span.end && m.span.end <= data.len(),
            "{:?}",
            m.span
        );
    }
    for l in &list.lints {
        assert!(
            l.span.start <= l.span.end && l.span.end <= data.len(),
            "{:?}",
            l.span
        );
    }
    let _ = serde_json::to_string(&list).expect("address list serialises");
});
