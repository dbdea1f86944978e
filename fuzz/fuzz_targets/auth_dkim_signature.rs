//! DKIM-Signature fields (RFC 6376 §3.5): `auth::dkim::prepare` and `finish` over a message
//! whose first field is `DKIM-Signature:` + the input, with a key record that is the input too.
//! Spans stay inside the message; no panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::dkim::{finish, prepare};
use mailscope_core::auth::{Answer, Answers, Query, Record, RecordType};
use mailscope_core::mime::header::parse_header_section;

fuzz_target!(|data: &[u8]| {
    let mut message = b"DKIM-Signature:".to_vec();
    message.extend_from_slice(data);
    message.extend_from_slice(b"\r\nFrom: a@example.org\r\nSubject: s\r\n\r\nbody\r\n");
    let headers = parse_header_section(&message, 0, message.len());
    for p in prepare(&message, &headers) {
        let mut answers = Answers::new();
        if let Ok(sig) = &p.parsed {
            answers.insert(
                Query::new(&sig.key_name(), RecordType::Txt),
                Answer::Records(vec![Record::Txt(data.to_vec())]),
            );
        }
        if let Ok(r) = finish(&p, &answers, 1_700_000_000) {
            assert!(
                r.span.end <= message.len() && r.span.start <= r.span.end,
                "{:?}",
                r.span
            );
            for l in &r.lints {
                assert!(l.span.end <= message.len(), "{:?}", l.span);
            }
        }
    }
});
