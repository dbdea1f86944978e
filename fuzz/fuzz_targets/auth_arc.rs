//! ARC chains (RFC 8617): `auth::arc::prepare` and `finish` on a message whose header section
//! starts with the input (ARC fields, in any order and number), the input also answering every
//! key query. Spans stay inside the message; no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::arc::{finish, prepare};
use mailscope_core::auth::{Answer, Answers, Check, Envelope, Record};
use mailscope_core::mime::header::parse_header_section;

fuzz_target!(|data: &[u8]| {
    let mut message = data.to_vec();
    message.extend_from_slice(b"\r\nFrom: a@example.org\r\nSubject: s\r\n\r\nbody\r\n");
    let message = mailscope_core::auth::check::to_wire(&message);
    let headers = parse_header_section(&message, 0, message.len());
    let chain = prepare(&message, &headers);
    let mut answers = Answers::new();
    for _ in 0..64 {
        match finish(&chain, &answers, 1_700_000_000) {
            Ok(r) => {
                if let Some(span) = r.span {
                    assert!(
                        span.start <= span.end && span.end <= message.len(),
                        "{span:?}"
                    );
                }
                break;
            }
            Err(p) => answers.insert(p.0, Answer::Records(vec![Record::Txt(data.to_vec())])),
        }
    }
    let _ = Check::new(&message, Envelope::default(), 0).run(|_| Answer::Nxdomain);
});
