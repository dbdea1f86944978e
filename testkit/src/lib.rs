//! Test helpers shared by the proxy's integration tests (`proxy/tests/`) and the end-to-end
//! tests (`mailscope-e2e`): the launcher of the `mailscope` binary's `serve` ([`Serve`]) and the
//! relay v1 client ([`relay_client`]), both on loopback, [`skip`], the record of a check
//! that could not run in full, and [`auth_corpus`], the generated corpus of the
//! authentication differentials.
//!
//! A dev-dependency only (`publish = false`); it pulls in no browser or mail server, so the
//! proxy's tests build without the end-to-end crate.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub mod auth_corpus;
pub mod relay_client;
pub mod skip;

/// How long to wait for a process or page to become ready before failing the test.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The path in the environment variable `name`, which `cargo xtask test` sets; panics with
/// what to do when it is not set.
pub fn env_path(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(v) => PathBuf::from(v),
        None => panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`, which builds the binary and the UI and sets it"),
    }
}

/// A running `mailscope serve`.
pub struct Serve {
    child: Child,
    /// The page URL printed at start, with the token in the fragment.
    pub url: String,
    /// `http://127.0.0.1:PORT` without path or fragment.
    pub origin: String,
    /// The relay token.
    pub token: String,
}

impl Serve {
    /// Starts `mailscope serve` on a free loopback port with a fixed token and `extra` args.
    pub fn start(extra: &[&str]) -> Serve {
        let token = "e2e-test-token-0123456789abcdef".to_string();
        let mut child = Command::new(env_path("MAILSCOPE_BIN"))
            .args(["serve", "--listen", "127.0.0.1:0", "--ui"])
            .arg(env_path("MAILSCOPE_UI"))
            .args(["--token", &token])
            .args(sandbox_default(extra))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mailscope serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("mailscope serve printed no URL within {READY_TIMEOUT:?}");
            }
        };
        let origin = url
            .split("/#")
            .next()
            .unwrap_or(&url)
            .trim_end_matches('/')
            .to_string();
        Serve {
            child,
            url,
            origin,
            token,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--sandbox 127.0.0.1:0` unless `extra` chooses: parallel tests must not all bind :2525.
fn sandbox_default(extra: &[&str]) -> &'static [&'static str] {
    if extra
        .iter()
        .any(|a| *a == "--sandbox" || *a == "--no-sandbox")
    {
        &[]
    } else {
        &["--sandbox", "127.0.0.1:0"]
    }
}
