//! `cargo xtask run | test | bench`: the project's own commands (see README.md).
//!
//! Each installs what it needs at pinned versions, skipping what is already present, and says
//! what it is doing and how long each step took. A failing step names itself and what to try.

mod bench;
mod bench_relay;
mod bench_wasm;
mod fuzz;
mod mail;
mod precompress;
mod pyoracle;
mod steps;
mod tally;
mod tools;

use std::process::ExitCode;

use steps::Steps;

const USAGE: &str = "usage: cargo xtask <run|test|bench> [args]

  run     install missing tools, build the UI (release) and the proxy, start `mailscope serve`
          (extra args are passed to `mailscope serve`, e.g. --listen 127.0.0.1:9000)
  test    install what the tests need, then fmt, clippy (native + wasm32), native tests,
          browser tests (headless Chromium), end-to-end tests and a short run of every fuzz
          target; stops at the first failure
  bench   build in release mode and print the benchmark figures";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let mut steps = Steps::new(&command);
    let result = match command.as_str() {
        "run" => run(&mut steps, &rest),
        "test" => test(&mut steps),
        "bench" => bench::bench(&mut steps),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if command == "test" {
        // After a failure too: what ran, passed, failed and was skipped up to there.
        steps.summary();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(steps: &mut Steps, serve_args: &[String]) -> Result<(), String> {
    tools::ensure_build_tools(steps)?;
    tools::build_ui(steps)?;
    steps.cargo(
        "build the proxy (release)",
        &["build", "--release", "-p", "mailscope-proxy"],
    )?;
    let bin = steps.root().join("target/release/mailscope");
    let mut args = vec![
        "serve".to_string(),
        "--ui".into(),
        steps.root().join("dist").display().to_string(),
    ];
    args.extend(serve_args.iter().cloned());
    eprintln!("==> starting mailscope serve (Ctrl-C stops it)");
    let status = std::process::Command::new(&bin)
        .args(&args)
        .status()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("mailscope serve exited with {status}"))
    }
}

fn test(steps: &mut Steps) -> Result<(), String> {
    tools::ensure_build_tools(steps)?;
    tools::ensure_browser(steps)?;
    mail::ensure_mail_software(steps)?;
    let python = pyoracle::ensure_oracle(steps)?;
    steps.cargo(
        "format check (cargo fmt --check)",
        &["fmt", "--all", "--", "--check"],
    )?;
    steps.cargo(
        "clippy, native",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    steps.cargo(
        "clippy, wasm32 (core, web)",
        &[
            "clippy",
            "-p",
            "mailscope-core",
            "-p",
            "mailscope-web",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    steps.cargo(
        "clippy, wasm32 (core and web with browser-charsets and lang-packs, the page's build)",
        &[
            "clippy",
            "-p",
            "mailscope-core",
            "-p",
            "mailscope-web",
            "--features",
            "browser-charsets,lang-packs",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    steps.cargo_test(
        "native tests",
        &[
            "test",
            "--workspace",
            "--exclude",
            "mailscope-e2e",
            "--locked",
        ],
        &[],
    )?;
    // Each step that starts browsers gets its own TMPDIR, emptied when the step ends.
    let browser_tmp = tools::BrowserTmp::new(steps.root())?;
    steps.cargo_test(
        "browser tests (core and web in headless Chromium)",
        &[
            "test",
            "-p",
            "mailscope-core",
            "-p",
            "mailscope-web",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
        ],
        &browser_tmp.test_env("120"),
    )?;
    drop(browser_tmp);
    // The page decodes legacy charsets through the browser's TextDecoder (core feature
    // `browser-charsets`) and reads its translations from language packs (`lang-packs`): the
    // core's tests, the golden MIME corpus among them, again that way.
    let browser_tmp = tools::BrowserTmp::new(steps.root())?;
    steps.cargo_test(
        "browser tests (core with browser-charsets and lang-packs, the page's build)",
        &[
            "test",
            "-p",
            "mailscope-core",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "browser-charsets,lang-packs",
            "--locked",
        ],
        &browser_tmp.test_env("120"),
    )?;
    drop(browser_tmp);
    // The web's reducers and its pack install path with the page's `lang-packs`.
    steps.cargo_test(
        "native tests (web with lang-packs, the page's build)",
        &[
            "test",
            "-p",
            "mailscope-web",
            "--features",
            "lang-packs",
            "--locked",
        ],
        &[],
    )?;
    tools::build_ui(steps)?;
    let browser_tmp = tools::BrowserTmp::new(steps.root())?;
    steps.cargo(
        "build the proxy",
        &["build", "-p", "mailscope-proxy", "--locked"],
    )?;
    let e2e_env = [
        (
            "MAILSCOPE_BIN",
            steps
                .root()
                .join("target/debug/mailscope")
                .display()
                .to_string(),
        ),
        (
            "MAILSCOPE_UI",
            steps.root().join("dist").display().to_string(),
        ),
        ("CHROMEDRIVER", tools::CHROMEDRIVER.to_string()),
        (pyoracle::PYTHON_VAR, python.display().to_string()),
        ("MAILSCOPE_BROWSER_TMP", browser_tmp.path()),
    ];
    steps.cargo_test(
        "end-to-end tests (mailscope serve + Chromium)",
        &["test", "-p", "mailscope-e2e", "--locked"],
        &e2e_env,
    )?;
    drop(browser_tmp);
    fuzz::fuzz(steps)?;
    Ok(())
}
