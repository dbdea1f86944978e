//! `cargo xtask bench`, wasm part: the MIME corpus parse of `mailscope-bench` compiled to
//! wasm32 and timed in headless Chromium (`bench/tests/wasm.rs`, a `wasm_bindgen_test`), shown
//! next to the native figure of the same corpus from the native MIME table, with the ratio
//! wasm/native. Takes well under a minute once built. Methodology: docs/benchmarks.md.

use std::process::{Command, Stdio};

use crate::steps::{cargo, Steps};
use crate::tools;

/// Seconds the test runner waits for the browser run (corpus generation and timing included).
const BROWSER_TIMEOUT_SECS: &str = "300";

/// One corpus measured in the browser.
#[derive(Debug, Clone, PartialEq)]
struct WasmFigure {
    corpus: String,
    bytes: usize,
    secs: f64,
}

/// Builds and runs `bench/tests/wasm.rs` in headless Chromium (release profile) and prints
/// its MB/s next to the mailscope-core rows of `native_tables` (the output of
/// `mailscope-bench`), with the ratio wasm/native.
pub(crate) fn bench_wasm(steps: &mut Steps, native_tables: &str) -> Result<(), String> {
    tools::ensure_browser(steps)?;
    let root = steps.root().to_path_buf();
    let output = steps.step(
        "MIME parse in wasm32, headless Chromium (build, then about 30 s)",
        |_| {
            let out = Command::new(cargo())
                .args([
                    "test",
                    "--release",
                    "--locked",
                    "-p",
                    "mailscope-bench",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "wasm",
                    "--",
                    "--nocapture",
                ])
                .env("CHROMEDRIVER", tools::CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", BROWSER_TIMEOUT_SECS)
                .current_dir(&root)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("could not start cargo test (wasm32): {e}"))?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if out.status.success() {
                Ok(text)
            } else {
                Err(format!(
                    "the wasm32 MIME benchmark failed ({}); run `CHROMEDRIVER={} cargo test \
                     --release -p mailscope-bench --target wasm32-unknown-unknown --test wasm \
                     -- --nocapture` to see why\n{text}",
                    out.status,
                    tools::CHROMEDRIVER
                ))
            }
        },
    )?;
    let figures = parse_wasm_output(&output);
    if figures.is_empty() {
        return Err(format!(
            "the wasm32 MIME benchmark printed no `wasm-mime` lines:\n{output}"
        ));
    }
    println!("\n{}", table(&figures, native_tables));
    Ok(())
}

/// The `wasm-mime <corpus> <bytes> <seconds>` lines of the browser run.
fn parse_wasm_output(text: &str) -> Vec<WasmFigure> {
    text.lines()
        .filter_map(|line| {
            let rest = &line[line.find("wasm-mime ")? + "wasm-mime ".len()..];
            let mut f = rest.split_whitespace();
            let corpus = f.next()?.to_string();
            let bytes = f.next()?.parse().ok()?;
            let secs: f64 = f.next()?.parse().ok()?;
            (secs > 0.0).then_some(WasmFigure {
                corpus,
                bytes,
                secs,
            })
        })
        .collect()
}

/// The native MB/s of mailscope-core for `corpus` in the MIME table of `mailscope-bench`:
/// the `mailscope-core` row under the `  <corpus> (…)` heading, column MB/s.
fn native_rate(tables: &str, corpus: &str) -> Option<f64> {
    let heading = format!("{corpus} (");
    let mut lines = tables.lines();
    lines.find(|l| l.trim_start().starts_with(&heading))?;
    let row = lines.find(|l| l.trim_start().starts_with("mailscope-core"))?;
    // mailscope-core  55.4 MB  313.8  -  …: name, size, unit, MB/s.
    row.split_whitespace().nth(3)?.parse().ok()
}

fn table(figures: &[WasmFigure], native_tables: &str) -> String {
    let mut out = String::from(
        "MIME full parse + decode, mailscope-core    native MB/s   wasm32 MB/s   wasm/native\n",
    );
    let mut missing = false;
    for f in figures {
        let wasm = f.bytes as f64 / f.secs / 1e6;
        let label = format!("{} ({:.1} MB)", f.corpus, f.bytes as f64 / 1e6);
        let (native, ratio) = match native_rate(native_tables, &f.corpus) {
            Some(n) => (format!("{n:.1}"), format!("{:.2}", wasm / n)),
            None => {
                missing = true;
                ("-".to_string(), "-".to_string())
            }
        };
        out.push_str(&format!(
            "  {label:<40} {native:>11} {wasm:>13.1} {ratio:>13}\n"
        ));
    }
    out.push_str(
        "  native: thread CPU time (table above); wasm32: wall clock in headless Chromium\n",
    );
    if missing {
        out.push_str("  (no native MIME table in this run: add `mime` to the bench arguments)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIVE: &str = "MIME full parse + decode       corpus        MB/s   ours/peer\n  \
        small (5000 msgs, 55.4 MB)\n    mailscope-core                55.4 MB      313.8           -\n    \
        mail-parser 0.11              55.4 MB      308.0        1.02\n  \
        large (24 msgs, 56.1 MB)\n    mailscope-core                56.1 MB     1010.3           -\n";

    #[test]
    fn reads_both_outputs() {
        let wasm = "running 1 test\nwasm-mime small 55433138 0.741000\nlog: wasm-mime large 56126269 0.2805\nwasm-mime bad x 1\n";
        let figures = parse_wasm_output(wasm);
        assert_eq!(
            figures,
            vec![
                WasmFigure {
                    corpus: "small".into(),
                    bytes: 55_433_138,
                    secs: 0.741
                },
                WasmFigure {
                    corpus: "large".into(),
                    bytes: 56_126_269,
                    secs: 0.2805
                },
            ]
        );
        assert_eq!(native_rate(NATIVE, "small"), Some(313.8));
        assert_eq!(native_rate(NATIVE, "large"), Some(1010.3));
        assert_eq!(native_rate("SMTP only", "small"), None);
        let t = table(&figures, NATIVE);
        assert!(t.contains("313.8"), "{t}");
        assert!(t.contains("0.24"), "ratio 74.8/313.8 in {t}");
        assert!(!t.contains("no native"), "{t}");
        assert!(table(&figures, "").contains("no native"));
    }
}
