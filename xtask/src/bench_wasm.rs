//! `cargo xtask bench`, wasm part: mailscope-core's MIME corpus parse compiled to wasm32 and
//! timed in headless Chromium (`bench/tests/wasm.rs`, a `wasm_bindgen_test`), shown next to
//! the native figures of the same corpora, with the ratio wasm/native.
//!
//! The browser has only a wall clock, so the ratio is taken against the same function timed
//! natively on the wall clock just before (`mailscope-bench core-wall`, same corpora, same
//! runs): on a shared machine both see the same kind of contention. The native CPU-time figure
//! of the main MIME table is shown too. Takes about half a minute once built.
//! Methodology: docs/benchmarks.md.

use std::process::{Command, Stdio};

use std::path::Path;

use crate::steps::{cargo, Steps};
use crate::tools;

/// Seconds the test runner waits for the browser run (corpus generation and timing included).
const BROWSER_TIMEOUT_SECS: &str = "300";

/// One corpus timed on the wall clock (in the browser or natively).
#[derive(Debug, Clone, PartialEq)]
struct WallFigure {
    corpus: String,
    bytes: usize,
    secs: f64,
}

/// Times mailscope-core's MIME pass natively on the wall clock (the release
/// `mailscope-bench core-wall`, built by the bench step), then builds and runs
/// `bench/tests/wasm.rs` in headless Chromium (release profile), and prints the MB/s of both
/// next to the mailscope-core rows of `native_tables` (the output of `mailscope-bench`), with
/// the ratio wasm/native.
pub(crate) fn bench_wasm(steps: &mut Steps, native_tables: &str) -> Result<(), String> {
    tools::ensure_browser(steps)?;
    let root = steps.root().to_path_buf();
    let native_wall = steps.step("MIME parse natively on the wall clock (about 10 s)", |_| {
        native_wall(&root)
    })?;
    let browser_tmp = tools::BrowserTmp::new(&root)?;
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
                .envs(browser_tmp.test_env(BROWSER_TIMEOUT_SECS))
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
    let figures = parse_wall(&output, "wasm-mime");
    if figures.is_empty() {
        return Err(format!(
            "the wasm32 MIME benchmark printed no `wasm-mime` lines:\n{output}"
        ));
    }
    let native = parse_wall(&native_wall, "native-wall-mime");
    println!("\n{}", table(&figures, &native, native_tables));
    Ok(())
}

/// Output of `mailscope-bench core-wall` (release build).
fn native_wall(root: &Path) -> Result<String, String> {
    crate::bench::run_release(
        root,
        "target/release/mailscope-bench",
        &["core-wall"],
        "try `cargo run --release -p mailscope-bench -- core-wall` to see why",
    )
}

/// The `<label> <corpus> <bytes> <seconds>` lines of a wall-clock run.
fn parse_wall(text: &str, label: &str) -> Vec<WallFigure> {
    let tag = format!("{label} ");
    text.lines()
        .filter_map(|line| {
            let rest = &line[line.find(&tag)? + tag.len()..];
            let mut f = rest.split_whitespace();
            let corpus = f.next()?.to_string();
            let bytes = f.next()?.parse().ok()?;
            let secs: f64 = f.next()?.parse().ok()?;
            (secs > 0.0).then_some(WallFigure {
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

fn mbps(f: &WallFigure) -> f64 {
    f.bytes as f64 / f.secs / 1e6
}

fn table(wasm: &[WallFigure], native_wall: &[WallFigure], native_tables: &str) -> String {
    let mut out = String::from(
        "MIME full parse + decode, mailscope-core   native CPU   native wall   wasm32 wall   wasm/native\n",
    );
    let mut missing = false;
    for f in wasm {
        let label = format!("{} ({:.1} MB)", f.corpus, f.bytes as f64 / 1e6);
        let cpu = match native_rate(native_tables, &f.corpus) {
            Some(n) => format!("{n:.1}"),
            None => {
                missing = true;
                "-".to_string()
            }
        };
        let wall = native_wall.iter().find(|n| n.corpus == f.corpus).map(mbps);
        let (wall, ratio) = match wall {
            Some(w) => (format!("{w:.1}"), format!("{:.2}", mbps(f) / w)),
            None => ("-".to_string(), "-".to_string()),
        };
        out.push_str(&format!(
            "  {label:<38} {cpu:>11} {wall:>13} {:>13.1} {ratio:>13}\n",
            mbps(f)
        ));
    }
    out.push_str(
        "  MB/s. native CPU: thread CPU time (MIME table above); native wall and wasm32 wall \
         (headless Chromium): the same function on the wall clock; wasm/native = wasm32 wall / \
         native wall\n",
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
        let figures = parse_wall(wasm, "wasm-mime");
        assert_eq!(
            figures,
            vec![
                WallFigure {
                    corpus: "small".into(),
                    bytes: 55_433_138,
                    secs: 0.741
                },
                WallFigure {
                    corpus: "large".into(),
                    bytes: 56_126_269,
                    secs: 0.2805
                },
            ]
        );
        assert_eq!(native_rate(NATIVE, "small"), Some(313.8));
        assert_eq!(native_rate(NATIVE, "large"), Some(1010.3));
        assert_eq!(native_rate("SMTP only", "small"), None);
        let native = parse_wall("native-wall-mime small 55433138 0.5\n", "native-wall-mime");
        assert_eq!(native.len(), 1, "{native:?}");
        assert!(parse_wall(wasm, "native-wall-mime").is_empty());
        let t = table(&figures, &native, NATIVE);
        assert!(t.contains("313.8") && t.contains("110.9"), "{t}");
        assert!(t.contains("0.67"), "ratio 74.8/110.9 in {t}");
        assert!(!t.contains("no native"), "{t}");
        assert!(table(&figures, &[], "").contains("no native"));
    }
}
