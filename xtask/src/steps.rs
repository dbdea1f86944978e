//! Named, timed steps with clear failures, and the test tally.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Runs and reports the steps of one xtask command.
pub(crate) struct Steps {
    command: String,
    root: PathBuf,
    started: Instant,
    done: Vec<String>,
    passed: u64,
    ignored: u64,
}

impl Steps {
    pub(crate) fn new(command: &str) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Steps {
            command: command.to_string(),
            root,
            started: Instant::now(),
            done: Vec::new(),
            passed: 0,
            ignored: 0,
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
        self.step(name, |steps| {
            let mut child = Command::new(cargo())
                .args(args)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .current_dir(&root)
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("could not start cargo: {e}"))?;
            let mut counted = 0;
            if let Some(out) = child.stdout.take() {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    if let Some((passed, ignored)) = parse_test_result(&line) {
                        steps.passed += passed;
                        steps.ignored += ignored;
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

    /// The closing line of `cargo xtask test`.
    pub(crate) fn summary(&self) {
        println!(
            "\nxtask {}: {} steps in {:.0}s: {}",
            self.command,
            self.done.len(),
            self.started.elapsed().as_secs_f64(),
            self.done.join("; ")
        );
        println!(
            "summary: {} passed, 0 failed, {} skipped",
            self.passed, self.ignored
        );
    }
}

/// The cargo that runs this xtask.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Reads `test result: ok. 12 passed; 0 failed; 1 ignored; …` into (passed, ignored).
fn parse_test_result(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> u64 {
        rest.split(';')
            .find_map(|part| {
                let mut tokens = part.split_whitespace().rev();
                (tokens.next() == Some(word))
                    .then(|| tokens.next().and_then(|n| n.parse().ok()))
                    .flatten()
            })
            .unwrap_or(0)
    };
    Some((number_before("passed"), number_before("ignored")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_results() {
        let cases = [
            ("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s", Some((12, 1))),
            ("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out", Some((3, 0))),
            ("running 4 tests", None),
        ];
        for (line, want) in cases {
            assert_eq!(parse_test_result(line), want, "{line}");
        }
    }
}
