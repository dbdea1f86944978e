//! `mime::report::inspect_json`: the whole `mailscope inspect --json` document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::report::inspect_json;

fuzz_target!(|data: &[u8]| {
    let doc = inspect_json(data);
    let _ = serde_json::to_vec(&doc).expect("inspect JSON serialises");
});
