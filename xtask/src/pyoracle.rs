//! The Python side of the authentication differential (`tests/tests/auth_pydiff.rs`): dkimpy,
//! pyspf and pydmarc (the `dmarc` package) from PyPI, at the versions pinned in `tests/py/requirements.txt`, in a venv under
//! `target/test-tools/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::Steps;

/// The environment variable the differential reads the venv's Python from.
pub(crate) const PYTHON_VAR: &str = "MAILSCOPE_PYTHON";

/// Installs the pinned packages when the venv lacks any of them; returns its Python.
pub(crate) fn ensure_oracle(steps: &mut Steps) -> Result<PathBuf, String> {
    let root = steps.root().to_path_buf();
    steps.step(
        "tools: dkimpy, pyspf and pydmarc (pip, in a venv; tests/py/requirements.txt)",
        |_| {
            let requirements = root.join("tests/py/requirements.txt");
            let venv = root.join("target/test-tools/pyoracle");
            let python = venv.join("bin/python");
            let pins = std::fs::read_to_string(&requirements)
                .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
            if missing(&pins, &installed(&venv)).is_empty() && python.exists() {
                eprintln!("    present");
                return Ok(python);
            }
            let file = requirements.display().to_string();
            crate::tools::pip_install(&venv, &["-r", &file])?;
            let left = missing(&pins, &installed(&venv));
            if !left.is_empty() {
                return Err(format!(
                    "pip installed {file} but the venv still lacks {}",
                    left.join(", ")
                ));
            }
            Ok(python)
        },
    )
}

/// What `pip freeze` lists in the venv (empty when there is none).
fn installed(venv: &Path) -> String {
    Command::new(venv.join("bin/pip"))
        .arg("freeze")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The `name==version` pins of `requirements` that `freeze` lacks (names compared without
/// case, as pip does).
fn missing(requirements: &str, freeze: &str) -> Vec<String> {
    let have: Vec<String> = freeze.lines().map(|l| l.trim().to_lowercase()).collect();
    requirements
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|pin| !have.contains(&pin.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::missing;

    #[test]
    fn a_pin_is_present_only_at_its_version() {
        let pins = "# comment\ndkimpy==1.1.8\nPyNaCl==1.6.2\n\npyspf==2.0.14\n";
        let freeze = "dkimpy==1.1.8\npynacl==1.6.2\npyspf==2.0.13\n";
        assert_eq!(missing(pins, freeze), ["pyspf==2.0.14"]);
        assert_eq!(
            missing(pins, ""),
            ["dkimpy==1.1.8", "PyNaCl==1.6.2", "pyspf==2.0.14"]
        );
    }
}
