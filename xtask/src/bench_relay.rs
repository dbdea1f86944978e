//! `cargo xtask bench`, relay part: `mailscope serve`'s `/relay` side by side with websocat 1.14
//! and websockify 0.13, and the sandbox SMTP server against Postfix's `smtp-sink`, in one run.
//!
//! Installs the peers under `target/bench-tools/` when missing (websocat with `cargo install`,
//! websockify with pip into a venv; Postfix from Debian for `smtp-source`/`smtp-sink`), builds
//! `mailscope` and the `relay_bench` example in release mode, runs it and returns its table.
//! What it measures and how: proxy/examples/relay_bench.rs and docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::Steps;

/// The websocat release compared against.
const WEBSOCAT_VERSION: &str = "1.14.0";
/// The websockify release compared against.
const WEBSOCKIFY_VERSION: &str = "0.13.0";

/// Installs what is missing, runs the relay benchmark and returns its report.
pub(crate) fn bench_relay(steps: &mut Steps) -> Result<String, String> {
    let root = steps.root().to_path_buf();
    let tools = root.join("target/bench-tools");
    crate::mail::ensure_mail_software(steps)?;
    let websocat = steps.step(
        &format!("tools: websocat {WEBSOCAT_VERSION} (cargo install, slow the first time)"),
        |_| ensure_websocat(&tools),
    )?;
    let websockify = steps.step(
        &format!("tools: websockify {WEBSOCKIFY_VERSION} (pip, in a venv)"),
        |_| ensure_websockify(&tools),
    )?;
    steps.cargo(
        "build mailscope and the relay_bench example (release)",
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "mailscope-proxy",
            "--bin",
            "mailscope",
            "--example",
            "relay_bench",
        ],
    )?;
    steps.step("run relay_bench (a few minutes)", |_| {
        let args = [
            "--mailscope".into(),
            root.join("target/release/mailscope").into_os_string(),
            "--websocat".into(),
            websocat.clone().into_os_string(),
            "--websockify".into(),
            websockify.clone().into_os_string(),
        ];
        crate::bench::run_release::<std::ffi::OsString>(
            &root,
            "target/release/examples/relay_bench",
            &args,
            "run it by hand (see proxy/examples/relay_bench.rs) to see why",
        )
    })
}

/// The output of `cmd --version`, if it runs.
fn version(cmd: &Path) -> Option<String> {
    let out = Command::new(cmd).arg("--version").output().ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(text.trim().to_string())
}

fn ensure_websocat(tools: &Path) -> Result<PathBuf, String> {
    let bin = tools.join("bin/websocat");
    if version(&bin).is_some_and(|v| v.contains(WEBSOCAT_VERSION)) {
        eprintln!("    present");
        return Ok(bin);
    }
    let install = |locked: bool| {
        let mut cmd = Command::new(crate::steps::cargo());
        cmd.args(["install", "websocat", "--version", WEBSOCAT_VERSION]);
        if locked {
            cmd.arg("--locked");
        }
        cmd.arg("--root").arg(tools);
        cmd.status().map(|s| s.success()).unwrap_or(false)
    };
    // websocat 1.14.0's lock file pins traitobject 0.1.0, which current rustc refuses
    // (E0119); without --locked cargo picks traitobject 0.1.1, which builds.
    if !install(true) {
        eprintln!("    the --locked build failed; retrying with current compatible dependencies");
        if !install(false) {
            return Err(format!(
                "cargo install websocat --version {WEBSOCAT_VERSION} failed; the output above shows why (it needs a C compiler and OpenSSL headers: apt-get install build-essential pkg-config libssl-dev)"
            ));
        }
    }
    Ok(bin)
}

fn ensure_websockify(tools: &Path) -> Result<PathBuf, String> {
    let venv = tools.join("venv");
    let bin = venv.join("bin/websockify");
    let pip = venv.join("bin/pip");
    let installed = Command::new(&pip)
        .args(["show", "websockify"])
        .output()
        .ok()
        .is_some_and(|o| {
            String::from_utf8_lossy(&o.stdout).contains(&format!("Version: {WEBSOCKIFY_VERSION}"))
        });
    if installed && bin.exists() {
        eprintln!("    present");
        return Ok(bin);
    }
    crate::tools::pip_install(&venv, &[&format!("websockify=={WEBSOCKIFY_VERSION}")])?;
    Ok(bin)
}
