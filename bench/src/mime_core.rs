//! mailscope-core's side of the MIME benchmark: the full parse + decode that `mime.rs` times
//! natively next to the peers, and that `tests/wasm.rs` times compiled to wasm32 in headless
//! Chromium (it includes this file and `corpus.rs` with `#[path]`, so both runs measure the
//! same code on the same bytes).

use std::hint::black_box;

use mailscope_core::mime::parse::{decode_field_text, parse_message};

use crate::corpus::Sizes;

/// What one parser produced for a corpus, for the sanity columns of the table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Work {
    /// Header fields decoded.
    pub(crate) fields: usize,
    /// Leaves whose body was decoded.
    pub(crate) leaves: usize,
    /// Bytes of transfer-decoded bodies plus UTF-8 bytes of decoded text and header values.
    pub(crate) bytes: usize,
}

/// mailscope-core: `parse_message` decodes leaves as it parses; every field is decoded here.
pub(crate) fn ours(input: &[u8]) -> Work {
    let msg = parse_message(input);
    let mut w = Work::default();
    for (id, e) in msg.entities.iter().enumerate() {
        for f in &e.header.fields {
            w.fields += 1;
            w.bytes += decode_field_text(f.raw_value(input)).len();
        }
        if e.is_leaf() {
            w.leaves += 1;
            w.bytes += msg.body(id).len();
            w.bytes += msg.text(id).map_or(0, str::len);
        }
    }
    w
}

/// Runs `f` over every message of a corpus and sums what it did.
pub(crate) fn run_corpus(msgs: &[Vec<u8>], f: fn(&[u8]) -> Work) -> Work {
    let mut total = Work::default();
    for m in msgs {
        let w = f(black_box(m));
        total.fields += w.fields;
        total.leaves += w.leaves;
        total.bytes += w.bytes;
    }
    total
}

/// The corpora measured: name, seed, message count, sizes.
pub(crate) const CORPORA: [(&str, u64, usize, Sizes); 2] = [
    (
        "small",
        0x5EED_0001,
        5_000,
        Sizes {
            text: (200, 3_000),
            attachment: (300, 12_000),
        },
    ),
    (
        "large",
        0x5EED_0002,
        24,
        Sizes {
            text: (20_000, 200_000),
            attachment: (256_000, 4_000_000),
        },
    ),
];

/// Shortest timed run of [`wall_figures`], in seconds.
pub(crate) const WALL_MIN_RUN: f64 = 0.5;
/// Timed runs per corpus in [`wall_figures`]; the fastest is kept.
pub(crate) const WALL_RUNS: usize = 5;

/// Times [`ours`] over each of [`CORPORA`] on the wall clock `now` (in seconds): one warm-up
/// pass, then [`WALL_RUNS`] runs of as many passes as last [`WALL_MIN_RUN`], keeping the
/// fastest. Returns one line per corpus, `<label> <corpus> <input bytes> <seconds per pass>`.
///
/// This is the figure the browser can give (it has no CPU clock): `tests/wasm.rs` calls it
/// in headless Chromium with `Date.now()`, and `mailscope-bench core-wall` natively with
/// `Instant`, so that `cargo xtask bench` can compare like with like.
pub(crate) fn wall_figures(label: &str, now: &dyn Fn() -> f64) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, seed, count, sizes) in CORPORA {
        let msgs = crate::corpus::corpus(seed, count, sizes);
        let bytes: usize = msgs.iter().map(Vec::len).sum();
        let t = now();
        let work = run_corpus(&msgs, ours);
        let one = (now() - t).max(1e-3);
        assert!(
            work.leaves >= count && work.fields >= count,
            "{name}: too little work done: {work:?}"
        );
        let passes = ((WALL_MIN_RUN / one).ceil() as usize).clamp(1, 1000);
        let mut best = f64::INFINITY;
        for _ in 0..WALL_RUNS {
            let t = now();
            for _ in 0..passes {
                black_box(run_corpus(black_box(&msgs), ours));
            }
            best = best.min((now() - t) / passes as f64);
        }
        lines.push(format!("{label} {name} {bytes} {best:.6}"));
    }
    lines
}
