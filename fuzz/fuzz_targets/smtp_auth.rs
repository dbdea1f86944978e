//! AUTH decoding: `decode_exchange` over a captured exchange built from the input, the server
//! side `ServerExchange` fed the same lines, and the base64/PLAIN helpers.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::auth::{
    decode_base64, decode_exchange, split_plain, verify_cram_md5, AuthLine, Mechanism,
    ServerExchange, ServerStep,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mechanism = match selector % 5 {
        0 => Mechanism::Plain,
        1 => Mechanism::Login,
        2 => Mechanism::CramMd5,
        3 => Mechanism::Xoauth2,
        _ => Mechanism::parse("X-UNKNOWN"),
    };
    let mut lines = Vec::new();
    let mut offset = 1;
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        let from_client = (selector >> (1 + i % 7)) & 1 == 1;
        lines.push(AuthLine {
            from_client,
            payload: line,
            offset,
        });
        offset += line.len() + 1;
    }
    let with_initial = selector & 0x80 != 0;
    let (initial, lines) = match lines.split_first() {
        Some((first, others)) if with_initial => (Some((first.payload, first.offset)), others),
        _ => (None, &lines[..]),
    };
    let decoded = decode_exchange(&mechanism, initial, lines);
    let _ = serde_json::to_string(&decoded).expect("decoded auth serialises");

    let users: BTreeMap<String, String> = [("alice".to_owned(), "wonderland".to_owned())].into();
    let (mut ex, mut step) = ServerExchange::start(
        mechanism,
        initial.map(|(p, _)| p),
        "<1.2@mailscope.test>",
        &users,
    );
    for line in lines.iter().filter(|l| l.from_client) {
        if !matches!(step, ServerStep::Challenge(_)) {
            break;
        }
        step = ex.handle_line(line.payload, &users);
    }

    for line in lines {
        if let Ok(bytes) = decode_base64(line.payload) {
            let _ = split_plain(&bytes);
        }
        let _ = verify_cram_md5(b"<1.2@mailscope.test>", "wonderland", line.payload);
    }
});
