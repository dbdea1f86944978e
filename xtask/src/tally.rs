//! The test tally of `cargo xtask test`, read from what the test runners print: libtest's and
//! wasm-bindgen-test-runner's `test NAME ... ok|FAILED|ignored` lines and `test result:`
//! lines, plus the parts of tests that could not run on this machine (the skip log).
//!
//! A test that drops part of its check (no IPv6 on the machine, say) still passes in libtest's
//! eyes; it records a line `NAME: REASON` in the file named by [`SKIP_LOG_VAR`] (see
//! `mailscope_testkit::skip::skip_part`), and the tally counts it as skipped, not passed.

use std::collections::BTreeSet;

/// The environment variable naming the skip log; `cargo xtask test` sets it for every test run.
pub(crate) const SKIP_LOG_VAR: &str = "MAILSCOPE_SKIP_LOG";

/// What the runners reported so far.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Tally {
    /// Sum of the `N passed` of every `test result:` line.
    pub(crate) passed: u64,
    /// Sum of the `N failed`.
    pub(crate) failed: u64,
    /// Sum of the `N ignored`.
    pub(crate) ignored: u64,
    /// Tests reported `ok`, by name (`module::test`).
    passed_names: BTreeSet<String>,
    /// Tests reported `ignored`, with the reason when the attribute gives one.
    ignored_names: Vec<(String, Option<String>)>,
}

/// One test that skipped part of its check: its name and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    pub(crate) test: String,
    pub(crate) reason: String,
}

impl Tally {
    /// Reads one line a test runner printed; returns `(passed, failed, ignored)` when it is a
    /// `test result:` line.
    pub(crate) fn read_line(&mut self, line: &str) -> Option<(u64, u64, u64)> {
        let line = line.trim_end();
        // Only the runner's own line, `test result: ok.` or `test result: FAILED.` at the start
        // of a line; other text that mentions a test result does not count.
        let result = line
            .strip_prefix("test result: ok. ")
            .or_else(|| line.strip_prefix("test result: FAILED. "));
        if let Some(rest) = result {
            let counts = (
                number_before(rest, "passed"),
                number_before(rest, "failed"),
                number_before(rest, "ignored"),
            );
            self.passed += counts.0;
            self.failed += counts.1;
            self.ignored += counts.2;
            return Some(counts);
        }
        let (name, outcome) = line.strip_prefix("test ")?.split_once(" ... ")?;
        if outcome == "ok" {
            self.passed_names.insert(name.to_string());
        } else if let Some(rest) = outcome.strip_prefix("ignored") {
            let reason = rest.strip_prefix(", ").map(str::to_string);
            self.ignored_names.push((name.to_string(), reason));
        }
        None
    }

    /// The skipped parts that belong to tests that passed (a failed test is counted failed).
    fn partial<'a>(&self, skips: &'a [Skip]) -> Vec<&'a Skip> {
        let mut seen = BTreeSet::new();
        skips
            .iter()
            .filter(|s| {
                self.passed_names
                    .iter()
                    .any(|n| n == &s.test || n.ends_with(&format!("::{}", s.test)))
                    && seen.insert(&s.test)
            })
            .collect()
    }

    /// The closing lines: `summary: N passed, N failed, N skipped`, where a test that skipped
    /// part of its check counts as skipped, then what was skipped and why.
    pub(crate) fn summary(&self, skips: &[Skip]) -> String {
        let partial = self.partial(skips);
        let partial_count = partial.len() as u64;
        let mut out = format!(
            "summary: {} passed, {} failed, {} skipped",
            self.passed.saturating_sub(partial_count),
            self.failed,
            self.ignored + partial_count
        );
        if self.ignored + partial_count > 0 {
            out.push_str("\nskipped:");
            for (name, reason) in &self.ignored_names {
                let why = reason.as_deref().unwrap_or("#[ignore] without a reason");
                out.push_str(&format!("\n  {name}: ignored ({why})"));
            }
            for s in partial {
                out.push_str(&format!("\n  {}: part skipped ({})", s.test, s.reason));
            }
        }
        out
    }
}

/// Reads the skip log: one `NAME: REASON` per line.
pub(crate) fn read_skips(text: &str) -> Vec<Skip> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(test, reason)| Skip {
            test: test.trim().to_string(),
            reason: reason.trim().to_string(),
        })
        .filter(|s| !s.test.is_empty())
        .collect()
}

/// The number just before `word` in `12 passed; 0 failed; …`, 0 when absent.
fn number_before(rest: &str, word: &str) -> u64 {
    rest.split([';', ','])
        .find_map(|part| {
            let mut tokens = part.split_whitespace().rev();
            (tokens.next() == Some(word))
                .then(|| tokens.next().and_then(|n| n.parse().ok()))
                .flatten()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `cargo test` printed for one native test binary (libtest) and one wasm binary
    /// (wasm-bindgen-test-runner 0.2.130 in headless Chromium).
    const NATIVE: &str = "\
running 4 tests
test state::a::tests::one ... ok
test state::a::tests::slow ... ignored, needs Postfix
test ipv6_loopback_is_denied ... ok
test broken ... FAILED

failures:

---- broken stdout ----
thread 'broken' panicked at src/lib.rs:3:5:
test result: this line is what a test printed, not a result
failures:
    broken

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
";
    const WASM: &str = "\
Set timeout to 120 seconds...
Running headless tests in Chrome on `http://127.0.0.1:40171/`
Try find `webdriver.json` for configure browser's capabilities:
Not found
running 3 tests

test golden::golden_corpus ... ok
test golden::huge ... ignored
test golden::other ... ok

test result: ok. 2 passed; 0 failed; 1 ignored; 0 filtered out; finished in 3.20s

no tests to run!
";

    fn tally(text: &str) -> Tally {
        let mut t = Tally::default();
        for line in text.lines() {
            t.read_line(line);
        }
        t
    }

    #[test]
    fn reads_libtest_and_wasm_runner_results() {
        let cases = [
            ("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s", Some((12, 0, 1))),
            ("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out", Some((3, 2, 0))),
            ("test result: ok. 7 passed; 0 failed; 2 ignored; 0 filtered out; finished in 1.05s", Some((7, 0, 2))),
            ("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out", Some((0, 0, 0))),
            ("test result: this line is what a test printed", None),
            ("running 4 tests", None),
            ("no tests to run!", None),
        ];
        for (line, want) in cases {
            assert_eq!(Tally::default().read_line(line), want, "{line}");
        }
    }

    #[test]
    fn the_summary_is_what_the_runners_printed() {
        let mut t = tally(NATIVE);
        for line in WASM.lines() {
            t.read_line(line);
        }
        assert_eq!((t.passed, t.failed, t.ignored), (4, 1, 2));
        assert_eq!(
            t.summary(&[]),
            "summary: 4 passed, 1 failed, 2 skipped\nskipped:\n  \
             state::a::tests::slow: ignored (needs Postfix)\n  \
             golden::huge: ignored (#[ignore] without a reason)"
        );
        let clean = tally("test a ... ok\ntest result: ok. 1 passed; 0 failed; 0 ignored");
        assert_eq!(clean.summary(&[]), "summary: 1 passed, 0 failed, 0 skipped");
        assert_eq!(
            Tally::default().summary(&[]),
            "summary: 0 passed, 0 failed, 0 skipped"
        );
    }

    #[test]
    fn a_partly_skipped_test_counts_as_skipped_once() {
        let t = tally(NATIVE);
        let skips = read_skips(
            "ipv6_loopback_is_denied: no IPv6 on this machine\n\
             ipv6_loopback_is_denied: no IPv6 on this machine\n\
             broken: it failed anyway\n\
             one: unit tests match by their last path segment\n\
             not a skip line\n",
        );
        assert_eq!(skips.len(), 4);
        assert_eq!(
            t.summary(&skips),
            "summary: 0 passed, 1 failed, 3 skipped\nskipped:\n  \
             state::a::tests::slow: ignored (needs Postfix)\n  \
             ipv6_loopback_is_denied: part skipped (no IPv6 on this machine)\n  \
             one: part skipped (unit tests match by their last path segment)"
        );
    }
}
