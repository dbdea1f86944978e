//! Fuzzing in `cargo xtask test`: cargo-fuzz at a pinned version builds every target of
//! `fuzz/` (AddressSanitizer, libFuzzer), then each target runs for [`SECS_PER_TARGET`] seconds
//! from its committed seeds (`fuzz/seeds/<target>/`, plus the golden `.eml` corpus for the
//! message targets), [`LANES`] at a time. A crash, a failed property, a timeout or running out
//! of memory fails the step, naming the input libFuzzer saved and how to reproduce it.
//! Longer runs: `fuzz/run-all.sh`; see docs/fuzzing.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::steps::{cargo, Steps};
use crate::tools::run_ok;

/// The cargo-fuzz release the targets are built with.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// How long each target runs, in seconds.
const SECS_PER_TARGET: u64 = 30;
/// Targets run at once (CI machines have 2 cores).
const LANES: usize = 2;
/// The targets that also start from every `.eml` of the golden corpus.
const MESSAGE_TARGETS: &[&str] = &["mime_parse", "mime_inspect"];

/// Installs cargo-fuzz if needed, builds every target and runs each briefly.
pub(crate) fn fuzz(steps: &mut Steps) -> Result<(), String> {
    steps.step(&format!("tools: cargo-fuzz {CARGO_FUZZ_VERSION}"), |_| {
        if cargo_fuzz_version().is_some_and(|v| v.ends_with(CARGO_FUZZ_VERSION)) {
            eprintln!("    present");
            return Ok(());
        }
        eprintln!("    installing (takes about 3 minutes on 2 cores)");
        run_ok(
            Command::new(cargo()).args([
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
                "--locked",
            ]),
            "check that crates.io is reachable",
        )
    })?;
    let fuzz_dir = steps.root().join("fuzz");
    steps.step("fuzz: build every target (cargo fuzz build)", |_| {
        run_ok(
            fuzz_command(&fuzz_dir).arg("build"),
            "the compiler's output above says why; reproduce with `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build`",
        )
    })?;
    let root = steps.root().to_path_buf();
    steps.step(
        &format!("fuzz: run every target for {SECS_PER_TARGET}s, {LANES} at a time"),
        |_| run_all(&root),
    )
}

/// `cargo fuzz` in `fuzz/`, with the nightly flags it needs accepted by the stable toolchain.
fn fuzz_command(fuzz_dir: &Path) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.arg("fuzz")
        .current_dir(fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1");
    cmd
}

/// What `cargo fuzz --version` prints, if cargo-fuzz is installed.
fn cargo_fuzz_version() -> Option<String> {
    let out = Command::new(cargo())
        .args(["fuzz", "--version"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs every target; the error lists each failed one with its saved input.
fn run_all(root: &Path) -> Result<(), String> {
    let fuzz_dir = root.join("fuzz");
    let out = fuzz_command(&fuzz_dir)
        .arg("list")
        .output()
        .map_err(|e| format!("could not run `cargo fuzz list`: {e}"))?;
    let targets: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if targets.is_empty() {
        return Err("`cargo fuzz list` named no target".into());
    }
    let bin_dir = fuzz_dir.join("target").join(host_triple()?).join("release");
    let eml_dirs = eml_dirs(root);
    let queue = Mutex::new(targets.iter().collect::<Vec<_>>());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..LANES {
            s.spawn(|| {
                while let Some(target) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    let extra: &[PathBuf] = if MESSAGE_TARGETS.contains(&target.as_str()) {
                        &eml_dirs
                    } else {
                        &[]
                    };
                    if let Err(e) = run_target(&fuzz_dir, &bin_dir, target, extra) {
                        if let Ok(mut f) = failures.lock() {
                            f.push(e);
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_default();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} fuzz targets failed:\n{}",
            failures.len(),
            targets.len(),
            failures.join("\n")
        ))
    }
}

/// Runs one target from `fuzz/corpus/<target>` (kept between runs, where new inputs go), its
/// seeds and `extra` directories, and prints what it did.
fn run_target(
    fuzz_dir: &Path,
    bin_dir: &Path,
    target: &str,
    extra: &[PathBuf],
) -> Result<(), String> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let logs = fuzz_dir.join("target").join("logs");
    for dir in [&corpus, &artifacts, &logs] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let status = Command::new(bin_dir.join(target))
        .arg(&corpus)
        .arg(fuzz_dir.join("seeds").join(target))
        .args(extra)
        .args([
            format!("-max_total_time={SECS_PER_TARGET}"),
            "-rss_limit_mb=2048".into(),
            "-max_len=65536".into(),
            "-timeout=20".into(),
            format!("-artifact_prefix={}/", artifacts.display()),
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("{target}: could not start it ({e}); was it built?"))?;
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    println!("    {target}: {}", last_stats(&text));
    if status.success() {
        return Ok(());
    }
    let saved = text
        .lines()
        .filter_map(|l| l.split_once("Test unit written to "))
        .map(|(_, path)| path.trim().to_string())
        .next_back()
        .unwrap_or_else(|| "no input saved".into());
    Err(format!(
        "  {target} exited with {status}; input: {saved}; log: {}; reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run {target} {saved}",
        log_path.display()
    ))
}

/// The last statistics line libFuzzer printed (`#N DONE cov: … exec/s: …`) and its total.
fn last_stats(log: &str) -> String {
    let stats = log
        .lines()
        .rfind(|l| {
            l.strip_prefix('#')
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .unwrap_or("no statistics printed");
    let done = log
        .lines()
        .rfind(|l| l.starts_with("Done "))
        .unwrap_or_default();
    format!(
        "{} {}",
        stats.split_whitespace().collect::<Vec<_>>().join(" "),
        done
    )
    .trim()
    .to_string()
}

/// The host's target triple, where cargo-fuzz puts the binaries.
fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("could not run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV named no host".into())
}

/// Every directory of the repository holding `.eml` files (the golden corpus), outside build
/// output and dependencies.
fn eml_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut has_eml = false;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let skip = matches!(
                name.to_str(),
                Some("target" | "node_modules" | "dist" | ".git" | "corpus" | "artifacts")
            );
            if path.is_dir() && !skip {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "eml") {
                has_eml = true;
            }
        }
        if has_eml {
            found.push(dir);
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_statistics_are_reported() {
        let log = "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
                   #4096\tpulse  cov: 90 ft: 120 corp: 20/300b exec/s: 2048 rss: 40Mb\n\
                   #61234\tDONE   cov: 95 ft: 130 corp: 22/310b lim: 4 exec/s: 2041 rss: 41Mb\n\
                   Done 61234 runs in 30 second(s)\n###### End of recommended dictionary. ######\n";
        assert_eq!(
            last_stats(log),
            "#61234 DONE cov: 95 ft: 130 corp: 22/310b lim: 4 exec/s: 2041 rss: 41Mb Done 61234 runs in 30 second(s)"
        );
        assert_eq!(last_stats(""), "no statistics printed");
    }

    #[test]
    fn the_golden_corpus_is_found() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let dirs = eml_dirs(&root);
        assert!(
            dirs.iter().any(|d| d.ends_with("rfc"))
                && dirs.iter().any(|d| d.ends_with("malformed")),
            "{dirs:?}"
        );
    }
}
