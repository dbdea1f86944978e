//! The Tools view: small encoders, decoders and lookups, each a thin call into the core with
//! its answer shaped for display.//!
//! By responsibility, like `components/tools/`: [`words`] (encoded-words), [`bytes`] (base64,
//! transfer encodings, dot-stuffing, AUTH, codes), [`reply`] (the reply inspector), [`error`]
//! (what the reader is told when a tool has no answer).

pub mod bytes;
pub mod error;
pub mod reply;
pub mod words;

/// Most characters shown of a tool's output.
pub const MAX_OUTPUT_CHARS: usize = 20_000;

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::bytes::{base64_decode, decode_auth, dot_stuffing, lookup_codes, CodeLookup};
    use super::words::decode_words;

    #[test]
    fn hostile_inputs_never_panic() {
        let junk = "=?\u{0}?B?=?x?Q?=ZZ?= =?UTF-8?B?".repeat(500);
        let _ = decode_words(&junk);
        let (long, _) = base64_decode(&"A".repeat(100_000), "UTF-8").expect("valid base64");
        assert_eq!(long.len, 75_000, "length");
        assert!(long.hex.ends_with('…'), "hex capped");
        let _ = dot_stuffing(&".\n".repeat(10_000));
        let _ = decode_auth(&"334 x\n".repeat(1000));
        assert_eq!(lookup_codes(&"9".repeat(10_000)), CodeLookup::default());
    }
}
