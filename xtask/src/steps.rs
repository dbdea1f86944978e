//! Named, timed steps with clear failures, and the test tally (see `tally`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::tally::{read_skips, Tally, SKIP_LOG_VAR};

/// Runs and reports the steps of one xtask command.
pub(crate) struct Steps {
    command: String,
    root: PathBuf,
    started: Instant,
    done: Vec<String>,
    tally: Tally,
    /// The skip log the tests of this command append to (see `tally`).
    skip_log: PathBuf,
}

impl Steps {
    pub(crate) fn new(command: &str) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let skip_log = root.join("target/xtask-skipped.txt");
        // A fresh log per command: what an earlier run skipped is not this run's business.
        let _ = std::fs::remove_file(&skip_log);
        Steps {
            command: command.to_string(),
            root,
            started: Instant::now(),
            done: Vec::new(),
            tally: Tally::default(),
            skip_log,
        }
    }

    /// The repository root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Runs `f` as a step named `name`, timing it.
    pub(crate) fn step<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        eprintln!("==> {name}");
        let t = Instant::now();
        match f(self) {
            Ok(v) => {
                eprintln!("    ok: {name} ({:.1}s)", t.elapsed().as_secs_f64());
                self.done.push(name.to_string());
                Ok(v)
            }
            Err(e) => Err(format!(
                "step '{name}' failed after {:.1}s: {e}",
                t.elapsed().as_secs_f64()
            )),
        }
    }

    /// Runs a command as a step; `hint` says what to try if it fails.
    pub(crate) fn run(&mut self, name: &str, cmd: &mut Command, hint: &str) -> Result<(), String> {
        let root = self.root.clone();
        self.step(name, |_| {
            let shown = format!("{cmd:?}");
            let status = cmd
                .current_dir(&root)
                .status()
                .map_err(|e| format!("could not start {shown}: {e}. {hint}"))?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("{shown} exited with {status}. {hint}"))
            }
        })
    }

    /// `cargo ARGS` as a step.
    pub(crate) fn cargo(&mut self, name: &str, args: &[&str]) -> Result<(), String> {
        let hint = "The output above shows why; rerun the same cargo command to iterate.";
        self.run(name, Command::new(cargo()).args(args), hint)
    }

    /// `cargo test ARGS` as a step, counting the tests it reports.
    pub(crate) fn cargo_test(
        &mut self,
        name: &str,
        args: &[&str],
        env: &[(&str, String)],
    ) -> Result<(), String> {
        let root = self.root.clone();
        let skip_log = self.skip_log.clone();
        // Every test binary of the step runs even when one fails, so the summary counts them
        // all (cargo stops at the first failing binary otherwise, and the rest never report).
        let (first, rest) = args.split_first().unwrap_or((&"test", &[]));
        self.step(name, |steps| {
            let mut child = Command::new(cargo())
                .arg(first)
                .arg("--no-fail-fast")
                .args(rest)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .env(SKIP_LOG_VAR, &skip_log)
                .current_dir(&root)
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("could not start cargo: {e}"))?;
            let mut counted = 0;
            if let Some(out) = child.stdout.take() {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    if let Some((passed, _, _)) = steps.tally.read_line(&line) {
                        counted += passed;
                    }
                }
            }
            let status = child
                .wait()
                .map_err(|e| format!("waiting for cargo: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "cargo {} exited with {status}; the failing tests are listed above",
                    args.join(" ")
                ));
            }
            if counted == 0 {
                return Err("no test ran: the test binaries reported no passed tests".into());
            }
            Ok(())
        })
    }

    /// The closing lines of `cargo xtask test`, also after a failure: the steps done, then the
    /// tally of every test step so far (see `tally`).
    pub(crate) fn summary(&self) {
        println!(
            "\nxtask {}: {} steps in {:.0}s: {}",
            self.command,
            self.done.len(),
            self.started.elapsed().as_secs_f64(),
            self.done.join("; ")
        );
        let skips = std::fs::read_to_string(&self.skip_log)
            .map(|text| read_skips(&text))
            .unwrap_or_default();
        println!("{}", self.tally.summary(&skips));
    }
}

/// The cargo that runs this xtask.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
