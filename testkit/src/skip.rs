//! A test that cannot make part of its check on this machine (no IPv6, say) says so here
//! instead of passing quietly: `cargo xtask test` counts it as skipped, not passed, and lists it
//! with the reason after the summary.
//!
//! The record is one `NAME: REASON` line appended to the file named by `MAILSCOPE_SKIP_LOG`,
//! which `cargo xtask test` sets (and reads in `xtask/src/tally.rs`). Without the variable (a
//! plain `cargo test`) the line goes to stderr only.

use std::io::Write;

/// The environment variable naming the skip log.
pub const SKIP_LOG_VAR: &str = "MAILSCOPE_SKIP_LOG";

/// Records that `test` (its function name, as libtest prints it) skipped part of its check
/// because of `reason`.
pub fn skip_part(test: &str, reason: &str) {
    let reason = reason.replace(['\r', '\n'], " ");
    eprintln!("{test}: part of the check skipped: {reason}");
    if let Some(path) = std::env::var_os(SKIP_LOG_VAR) {
        if let Err(e) = record(std::path::Path::new(&path), test, &reason) {
            panic!(
                "cannot record the skipped check in {} ({e}); the run would count it as passed",
                path.to_string_lossy()
            );
        }
    }
}

/// Appends `test: reason` to the log at `path`, one short write per record, so lines stay
/// whole when test binaries run at once.
fn record(path: &std::path::Path, test: &str, reason: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(format!("{test}: {reason}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_is_one_line_in_the_log() {
        let path = std::env::temp_dir().join(format!("mailscope-skip-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&path);
        record(&path, "some_test", "no IPv6 on this machine").expect("recorded");
        record(&path, "other_test", "reason two").expect("recorded");
        let text = std::fs::read_to_string(&path).expect("the log");
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            text,
            "some_test: no IPv6 on this machine\nother_test: reason two\n"
        );
    }
}
