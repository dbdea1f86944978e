//! The message parser `mime::parse::parse_message`: every entity's body transfer-decoded and
//! text charset-decoded, every header field decoded, spans inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::parse::parse_message;

fuzz_target!(|data: &[u8]| {
    let msg = parse_message(data);
    assert!(!msg.entities.is_empty(), "a message has a root entity");
    let n = data.len();
    for (id, e) in msg.entities.iter().enumerate() {
        for s in [e.span, e.body] {
            assert!(s.start <= s.end && s.end <= n, "entity {id}: {s:?} of {n}");
        }
        let _ = (
            msg.body(id).len(),
            msg.text(id).map(str::len),
            msg.raw_body(id).len(),
        );
        for f in &e.header.fields {
            let _ = mailscope_core::mime::parse::decode_field_text(f.raw_value(data));
        }
        let _ = msg.header_text(id, "subject");
        if let Some(p) = e.parent {
            assert!(p < id, "parent {p} after child {id}");
        }
    }
    for l in &msg.lints {
        assert!(
            l.lint.span.start <= l.lint.span.end && l.lint.span.end <= n,
            "{:?}",
            l.lint
        );
        assert!(l.entity < msg.entities.len());
    }
    let _ = msg.entity_at(n / 2);
});
