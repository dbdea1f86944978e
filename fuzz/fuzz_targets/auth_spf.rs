//! SPF records (RFC 7208): `auth::spf::record::parse`, then `check_host` with the input as the
//! record of every name asked for (so includes and redirects recurse into it), A records for
//! every address query. Evaluation must end within the lookup limits; no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::auth::spf::{check, record};
use mailscope_core::auth::{Answer, Answers, Record, RecordType};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = record::parse(&text) {
        assert!(e.span.end <= text.len(), "{:?}", e.span);
    }
    let mut answers = Answers::new();
    // Every round answers one query; the limits (10 lookups, 10 names each) bound the rounds.
    for _ in 0..400 {
        match check(
            "192.0.2.1".parse().unwrap(),
            Some("helo.example"),
            Some("a@example.org"),
            &answers,
        ) {
            Ok(_) => return,
            Err(p) => {
                let answer = match p.0.rtype {
                    RecordType::Txt => Answer::Records(vec![Record::Txt(data.to_vec())]),
                    RecordType::A => Answer::Records(vec![Record::A("192.0.2.9".parse().unwrap())]),
                    RecordType::Mx => Answer::Records(vec![Record::Mx {
                        preference: 1,
                        exchange: "mx.example".into(),
                    }]),
                    _ => Answer::Nxdomain,
                };
                answers.insert(p.0, answer);
            }
        }
    }
    panic!("check_host did not finish in 400 queries");
});
