//! `smtp::reply::parse_reply` over arbitrary bytes, reading reply after reply as a client does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::reply::parse_reply;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let mut offset = 0;
    // Each successful parse consumes at least one byte, so this ends.
    while let Ok(Some((reply, used))) = parse_reply(rest) {
        assert!(
            used > 0 && used <= rest.len(),
            "consumed {used} of {}",
            rest.len()
        );
        assert!(reply.span.start <= reply.span.end && reply.span.end <= used);
        for line in &reply.lines {
            assert!(line.span.start <= line.span.end && line.span.end <= used);
        }
        for lint in &reply.lints {
            assert!(lint.span.start <= lint.span.end && lint.span.end <= rest.len());
        }
        let _ = (
            reply.class(),
            reply.is_positive(),
            reply.enhanced(),
            reply.enhanced_any(),
        );
        let _ = (reply.explain().to_string(), reply.text());
        offset += used;
        rest = &data[offset..];
    }
});
