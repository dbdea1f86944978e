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
//! Prints one line per corpus: `wasm-mime <corpus> <input bytes> <seconds per pass>`. The
//! browser offers only a wall clock (`Date.now()`, 1 ms), so each timed run repeats the pass
//! until it lasts at least [`MIN_RUN`] seconds; the fastest of [`RUNS`] runs is kept, after a
//! warm-up. Not a test of anything but the work's sanity: no time is asserted. Compiled only
//! for wasm32.
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)]
#[path = "../src/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../src/mime_core.rs"]
mod mime_core;

use std::hint::black_box;

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Shortest timed run, in seconds.
const MIN_RUN: f64 = 0.5;
/// Timed runs per corpus; the fastest is kept.
const RUNS: usize = 5;

fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

#[wasm_bindgen_test]
fn mime_parse_throughput() {
    for (name, seed, count, sizes) in mime_core::CORPORA {
        let msgs = corpus::corpus(seed, count, sizes);
        let bytes: usize = msgs.iter().map(Vec::len).sum();
        let t = now_secs();
        let work = mime_core::run_corpus(&msgs, mime_core::ours);
        let one = (now_secs() - t).max(1e-3);
        assert!(
            work.leaves >= count && work.fields >= count,
            "{name}: too little work done: {work:?}"
        );
        let calls = ((MIN_RUN / one).ceil() as usize).clamp(1, 1000);
        let mut best = f64::INFINITY;
        for _ in 0..RUNS {
            let t = now_secs();
            for _ in 0..calls {
                black_box(mime_core::run_corpus(black_box(&msgs), mime_core::ours));
            }
            best = best.min((now_secs() - t) / calls as f64);
        }
        console_log!("wasm-mime {name} {bytes} {best:.6}");
    }
}
