//! `mailscope serve`'s flags (issue 16, item 9), on the real binary: where the token comes
//! from, origins that can never be allowed, a listener off loopback, and numbers out of range.

mod common;

use std::process::Stdio;

use common::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// What one run of `mailscope serve` did.
#[derive(Debug)]
struct Run {
    /// The exit code, `None` when it was started and then stopped by the test.
    code: Option<i32>,
    /// The page URL it printed (with the token in the fragment), if it started.
    url: Option<String>,
    stderr: String,
}

/// A built-UI directory for the binary.
fn ui() -> std::path::PathBuf {
    let ui = std::env::temp_dir().join(format!("mailscope-flags-ui-{}", std::process::id()));
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    ui
}

/// Runs `mailscope serve` (on loopback unless `args` has `--listen`) with `args` and `env` (and no `MAILSCOPE_TOKEN` unless
/// given): until it exits, or until it prints its URL, then stops it.
async fn serve_bin(args: &[&str], env: &[(&str, &str)]) -> Run {
    let ui = ui();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"));
    cmd.args(["serve", "--sandbox", "127.0.0.1:0"]);
    if !args.contains(&"--listen") {
        cmd.args(["--listen", "127.0.0.1:0"]);
    }
    cmd.arg("--ui")
        .arg(&ui)
        .args(args)
        .env_remove("MAILSCOPE_TOKEN")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run mailscope serve");
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let url = tokio::time::timeout(WAIT, async {
        while let Ok(Some(line)) = stdout.next_line().await {
            if let Some(i) = line.find("http://") {
                return Some(line[i..].to_string());
            }
        }
        None
    })
    .await
    .unwrap_or_else(|_| panic!("mailscope serve {args:?} neither exited nor printed its URL"));
    let code = if url.is_some() {
        child.kill().await.unwrap();
        None
    } else {
        let status = tokio::time::timeout(WAIT, child.wait())
            .await
            .expect("mailscope serve exits after closing stdout")
            .unwrap();
        status.code()
    };
    let mut err = String::new();
    stderr.read_to_string(&mut err).await.unwrap();
    Run {
        code,
        url,
        stderr: err,
    }
}

/// Expects `args` to be refused before anything starts: exit status 2 and `needles` on stderr.
async fn expect_refused(args: &[&str], needles: &[&str]) {
    let run = serve_bin(args, &[]).await;
    assert_eq!(
        (run.code, run.url.as_deref()),
        (Some(2), None),
        "{args:?} must be refused at start: {run:?}"
    );
    for n in needles {
        assert!(
            run.stderr.contains(n),
            "{args:?}: expected {n:?} in {:?}",
            run.stderr
        );
    }
}

#[tokio::test]
async fn out_of_range_numbers_are_refused_at_parse_time() {
    let huge = "18446744073709551615";
    for flag in ["--idle-timeout", "--connect-timeout", "--handshake-timeout"] {
        expect_refused(&[flag, huge], &[flag, "1..=86400"]).await;
        expect_refused(&[flag, "0"], &[flag, "1..=86400"]).await;
    }
    expect_refused(&["--max-frame", huge], &["--max-frame", "1024..=67108864"]).await;
    for flag in [
        "--max-sessions",
        "--max-sessions-per-token",
        "--connects-per-minute",
        "--connect-addresses",
    ] {
        expect_refused(&[flag, "0"], &[flag]).await;
        expect_refused(&[flag, huge], &[flag]).await;
    }
}

#[tokio::test]
async fn null_origin_is_refused() {
    expect_refused(
        &["--allow-origin", "null"],
        &["\"null\" cannot be allowed", "sandboxed"],
    )
    .await;
    expect_refused(&["--allow-origin", "*"], &["not an origin"]).await;
    // And a page whose origin is opaque never gets the upgrade, whatever else is allowed.
    let server = serve(&["--allow-origin", "http://localhost:9999"]).await;
    let hello = Hello {
        origin: Some("null".into()),
        ..good_hello(server.addr)
    };
    assert_eq!(open_with(server.addr, hello).await.err(), Some(403));
}

#[tokio::test]
async fn listening_off_loopback_needs_an_acknowledgement() {
    expect_refused(
        &["--listen", "0.0.0.0:0"],
        &["not a loopback address", "--allow-remote-listen"],
    )
    .await;
    expect_refused(&["--listen", "[::]:0"], &["--allow-remote-listen"]).await;
}

#[tokio::test]
async fn token_sources_and_the_command_line_warning() {
    let flag_token = "flag-token-0123456789abcdef";
    let run = serve_bin(&["--token", flag_token], &[]).await;
    let url = run.url.expect("serve starts with --token");
    assert!(url.ends_with(&format!("#token={flag_token}")), "{url}");
    assert!(
        run.stderr
            .contains("--token puts the relay token on the command line")
            && run.stderr.contains("--token-file"),
        "expected the warning: {:?}",
        run.stderr
    );

    let file = std::env::temp_dir().join(format!("mailscope-flags-token-{}", std::process::id()));
    let file_token = "file-token-0123456789abcdef";
    std::fs::write(&file, format!("{file_token}\n")).unwrap();
    let run = serve_bin(&["--token-file", file.to_str().unwrap()], &[]).await;
    let url = run.url.expect("serve starts with --token-file");
    assert!(url.ends_with(&format!("#token={file_token}")), "{url}");
    assert!(!run.stderr.contains("--token puts"), "{:?}", run.stderr);

    let env_token = "env-token-0123456789abcdef";
    let run = serve_bin(&[], &[("MAILSCOPE_TOKEN", env_token)]).await;
    let url = run.url.expect("serve starts with MAILSCOPE_TOKEN");
    assert!(url.ends_with(&format!("#token={env_token}")), "{url}");
    assert!(!run.stderr.contains("--token puts"), "{:?}", run.stderr);

    expect_refused(
        &[
            "--token",
            flag_token,
            "--token-file",
            file.to_str().unwrap(),
        ],
        &["--token-file"],
    )
    .await;
    expect_refused(
        &["--token-file", "/nonexistent/mailscope-token"],
        &["cannot read the token file"],
    )
    .await;
}
