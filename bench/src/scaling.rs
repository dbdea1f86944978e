//! How mailscope-core's parse time grows with the input: boundary-heavy input at n and 8n, the
//! time ratio next to the size ratio. A linear parser stays near the size ratio; a quadratic one
//! would take about 64 times as long. This was a timing assertion in `core/tests/golden.rs`;
//! timings belong in the benchmark, where a slow or busy machine changes a figure, not a test
//! verdict.

use std::hint::black_box;

use mailscope_core::mime::parse::parse_message;

use crate::timing::{best_of_interleaved, human};

/// Above this many times the size ratio, the report flags the growth as superlinear.
const SUPERLINEAR: f64 = 3.0;

/// Nested multiparts (40 levels), each with `k` parts and near-miss delimiter lines.
pub(crate) fn boundary_heavy(k: usize) -> Vec<u8> {
    let mut s = String::from(
        "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n",
    );
    for level in 0..40 {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n"
        ));
        for i in 0..k {
            s.push_str(&format!(
                "--b{level}\r\n\r\npart {i}\r\n--b{level}x\r\n--b{level}-- x\r\n"
            ));
        }
        s.push_str(&format!("--b{level}\r\n"));
    }
    s.push_str("\r\nleaf\r\n");
    s.into_bytes()
}

/// What the growth looks like: `about linear` or a flag.
fn verdict(time_ratio: f64, size_ratio: f64) -> &'static str {
    if time_ratio < size_ratio * SUPERLINEAR {
        "about linear"
    } else {
        "SUPERLINEAR: look for a quadratic path"
    }
}

/// The scaling table.
pub(crate) fn report(runs: usize) -> String {
    let (small, large) = (boundary_heavy(25), boundary_heavy(200));
    let (mut a, mut b) = (
        || {
            black_box(parse_message(&small));
        },
        || {
            black_box(parse_message(&large));
        },
    );
    let m = best_of_interleaved(runs, &mut [&mut a, &mut b]);
    let size_ratio = large.len() as f64 / small.len() as f64;
    let time_ratio = m[1].secs / m[0].secs;
    format!(
        "MIME parse scaling (parse_message)   n          8n     size ratio   time ratio\n  \
         boundary-heavy, 40 levels     {:>9} {:>10} {size_ratio:>13.1} {time_ratio:>12.1}   {}\n",
        human(small.len()),
        human(large.len()),
        verdict(time_ratio, size_ratio)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_what_the_benchmark_says() {
        let (small, large) = (boundary_heavy(25), boundary_heavy(200));
        let ratio = large.len() as f64 / small.len() as f64;
        assert!((7.0..9.0).contains(&ratio), "size ratio {ratio}");
        // Every level and every part is a parsed entity: the parser walks all of it.
        let parts = |bytes: &[u8]| parse_message(bytes).entities.len();
        assert!(parts(&small) > 40 * 25, "{} entities", parts(&small));
        assert!(parts(&large) > 40 * 200, "{} entities", parts(&large));
    }

    #[test]
    fn the_verdict_flags_superlinear_growth() {
        assert_eq!(verdict(8.5, 8.2), "about linear");
        assert_eq!(verdict(24.0, 8.2), "about linear");
        assert!(verdict(64.0, 8.2).starts_with("SUPERLINEAR"));
    }
}
