//! The MIME benchmark's mailscope-core run (full parse + decode of the small and large
//! corpora, `src/mime_core.rs` on the corpora of `src/corpus.rs`), compiled to wasm32 and timed
//! in headless Chromium. Started by `cargo xtask bench` (`xtask/src/bench_wasm.rs`), which puts
//! the figures next to the native ones; alone:
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 cargo test --release \
//!   -p mailscope-bench --target wasm32-unknown-unknown --test wasm -- --nocapture
//! ```
//!
//! Prints one line per corpus: `wasm-mime <corpus> <input bytes> <seconds per pass>`, timed
//! by `mime_core::wall_figures` on the browser's wall clock (`Date.now()`, 1 ms resolution,
//! runs of at least 0.5 s, fastest of 5 after a warm-up); natively, `mailscope-bench
//! core-wall` runs the same function on `Instant`. Not a test of anything but the work's
//! sanity: no time is asserted. Compiled only for wasm32.
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)]
#[path = "../src/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../src/mime_core.rs"]
mod mime_core;

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn mime_parse_throughput() {
    let now = || js_sys::Date::now() / 1000.0;
    for line in mime_core::wall_figures("wasm-mime", &now) {
        console_log!("{line}");
    }
}
