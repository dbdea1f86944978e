//! `smtp::capability::Capabilities::from_reply`: the input's lines become the lines of a 250
//! EHLO reply (so the capability parser, not the reply parser, sees most of the bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::capability::{Capabilities, Extension};
use mailscope_core::smtp::reply::parse_reply;

const EXTENSIONS: [Extension; 4] = [
    Extension::Size,
    Extension::Auth,
    Extension::Pipelining,
    Extension::Chunking,
];

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut wire = Vec::with_capacity(data.len() + 8 * lines.len());
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        wire.extend_from_slice(if i + 1 == lines.len() {
            b"250 "
        } else {
            b"250-"
        });
        wire.extend_from_slice(line);
        wire.extend_from_slice(b"\r\n");
    }
    if let Ok(Some((reply, _))) = parse_reply(&wire) {
        let caps = Capabilities::from_reply(&reply);
        for e in &caps.entries {
            let _ = (
                e.capability.keyword(),
                e.capability.explain(),
                e.capability.reference(),
            );
            let _ = e.capability.extension();
        }
        for ext in EXTENSIONS {
            let _ = (caps.has(ext), caps.get(ext));
        }
        let _ = (
            caps.size_limit(),
            caps.auth_mechanisms(),
            caps.has_keyword("8BITMIME"),
        );
    }
});
