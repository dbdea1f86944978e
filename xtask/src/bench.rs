//! `cargo xtask bench`: the single entry point for benchmarks.
//!
//! Builds the release UI and measures its bundle, then builds and runs `mailscope-bench` in
//! release mode (SMTP parse and transaction rates; MIME parse + decode against mail-parser and
//! mailparse) and prints the tables; then the same MIME parse compiled to wasm32 in headless
//! Chromium (`bench_wasm`), the relay against websocat and websockify and the sandbox against
//! Postfix's smtp-sink (`bench_relay`). Arguments after `bench` go to `mailscope-bench`
//! (`cargo xtask bench --runs 3 smtp`). Methodology: docs/benchmarks.md.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::steps::Steps;
use crate::tools;

#[path = "bench_ui.rs"]
mod bench_ui;

/// Builds the release UI and reports the size of what a browser downloads, then runs the core
/// benchmarks and prints their tables.
pub(crate) fn bench(steps: &mut Steps) -> Result<(), String> {
    let bench_args: Vec<String> = std::env::args().skip(2).collect();
    tools::ensure_build_tools(steps)?;
    tools::build_ui(steps)?;
    let dist = steps.root().join("dist");
    let bundle = steps.step("bundle size", |_| bundle_sizes(&dist))?;
    let ui = bench_ui::run(steps, &dist)?;
    steps.cargo(
        "build mailscope-bench (release)",
        &["build", "--release", "--locked", "-p", "mailscope-bench"],
    )?;
    let tables = steps.step("run mailscope-bench (about a minute)", |s| {
        run_bench(s.root(), &bench_args)
    })?;
    println!("\n{bundle}\n{ui}\n{tables}");
    crate::bench_wasm::bench_wasm(steps, &tables)?;
    let relay = crate::bench_relay::bench_relay(steps)?;
    println!("\n{relay}");
    Ok(())
}

/// Runs the release `mailscope-bench` binary (as `cargo run --release -p mailscope-bench`
/// would, without rebuilding) and returns what it printed.
fn run_bench(root: &Path, args: &[String]) -> Result<String, String> {
    run_release(
        root,
        "target/release/mailscope-bench",
        args,
        "try `cargo run --release -p mailscope-bench` to see why",
    )
}

/// Runs a release binary built beforehand (`exe` relative to the workspace root) with `args`,
/// from the root, and returns what it printed; `hint` tells how to find out why it failed.
pub(crate) fn run_release<S: AsRef<std::ffi::OsStr>>(
    root: &Path,
    exe: &str,
    args: &[S],
    hint: &str,
) -> Result<String, String> {
    let exe = root
        .join(exe)
        .with_extension(std::env::consts::EXE_EXTENSION);
    let out = Command::new(&exe)
        .args(args)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{} exited with {}; {hint}\n{text}",
            exe.display(),
            out.status
        ))
    }
}

/// Raw and gzip sizes of the files in dist/, by kind, as a table.
fn bundle_sizes(dist: &Path) -> Result<String, String> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut rows = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()).map(str::to_owned) else {
            continue;
        };
        if !matches!(ext.as_str(), "wasm" | "js" | "css" | "html") {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        rows.push((ext, bytes.len(), gzip_len(&bytes)?));
    }
    rows.sort();
    let mut out = String::from("web bundle (dist/)     raw bytes   gzip bytes\n");
    let (mut raw_total, mut gz_total) = (0, 0);
    for (ext, raw, gz) in &rows {
        out.push_str(&format!("  {ext:<20} {raw:>10} {gz:>12}\n"));
        raw_total += raw;
        gz_total += gz;
    }
    out.push_str(&format!(
        "  {:<20} {raw_total:>10} {gz_total:>12}\n",
        "total"
    ));
    Ok(out)
}

fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    enc.finish().map(|v| v.len()).map_err(|e| e.to_string())
}
