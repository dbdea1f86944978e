//! DMARC records (RFC 7489 §6.3): `auth::dmarc::parse_record`, and a whole check of a message
//! whose From domain publishes the input. No panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::dmarc::parse_record;
use mailscope_core::auth::{Answer, Check, Envelope, Record};

fuzz_target!(|data: &[u8]| {
    let _ = parse_record(data);
    let report = Check::new(b"From: a@example.org\r\n\r\nx\r\n", Envelope::default(), 0).run(|q| {
        if q.name == "_dmarc.example.org" {
            Answer::Records(vec![Record::Txt(data.to_vec())])
        } else {
            Answer::Nxdomain
        }
    });
    let _ = report.dmarc.result;
});
