//! Installing the pinned tools, and building the UI with them.
//!
//! Versions are pinned where the tools must agree with the code (wasm-bindgen-cli with the
//! `wasm-bindgen` crate, Trunk with its `Trunk.toml` tool pins); see
//! `../shared/reference/toolchain.md` for why each choice is what works on this machine kind.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::{cargo, Steps};

/// Trunk release that builds with the pinned toolchain (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen` pin in the root Cargo.toml and `Trunk.toml`.
const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// Must equal `wasm_opt` in `Trunk.toml` and `binaryen` in package.json.
const WASM_OPT_VERSION: &str = "version_132";
/// Where Debian's chromium-driver puts the driver.
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's fonts-nanum puts its fonts.
const NANUM_FONTS: &str = "/usr/share/fonts/truetype/nanum";
/// Where Debian's chromium puts the browser.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// Puts `node_modules/.bin` and cargo's bin directory first on PATH for every child process.
fn set_path(root: &Path) {
    let mut dirs = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&old));
    if let Ok(joined) = std::env::join_paths(dirs) {
        // xtask is single-threaded here: nothing else reads the environment concurrently.
        std::env::set_var("PATH", joined);
    }
}

/// What `TOOL --version` prints, or None when it cannot run.
fn version_of(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The wasm target, Trunk, wasm-bindgen-cli and wasm-opt at their pinned versions.
pub(crate) fn ensure_build_tools(steps: &mut Steps) -> Result<(), String> {
    set_path(steps.root());
    steps.step("tools: wasm32-unknown-unknown target", |_| {
        let out = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .map_err(|e| format!("rustup not found ({e}): install Rust with rustup"))?;
        if String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.trim() == "wasm32-unknown-unknown")
        {
            eprintln!("    present");
            return Ok(());
        }
        run_ok(
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
            "check network access to the Rust distribution server",
        )
    })?;
    steps.step(&format!("tools: trunk {TRUNK_VERSION}"), |_| {
        if version_of("trunk").is_some_and(|v| v.ends_with(TRUNK_VERSION)) {
            eprintln!("    present");
            return Ok(());
        }
        eprintln!("    installing (takes about 8 minutes on 2 cores)");
        run_ok(
            Command::new(cargo()).args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
            ]),
            "check that crates.io is reachable",
        )
    })?;
    steps.step(
        &format!("tools: wasm-bindgen-cli {WASM_BINDGEN_VERSION}"),
        |_| {
            let present =
                |tool| version_of(tool).is_some_and(|v| v.ends_with(WASM_BINDGEN_VERSION));
            if present("wasm-bindgen") && present("wasm-bindgen-test-runner") {
                eprintln!("    present");
                return Ok(());
            }
            eprintln!("    installing (takes about 4 minutes on 2 cores)");
            // Not --locked: its lockfile pins a webpki-roots version the registry here lacks.
            run_ok(
                Command::new(cargo()).args([
                    "install",
                    "wasm-bindgen-cli",
                    "--version",
                    WASM_BINDGEN_VERSION,
                    "--force",
                ]),
                "check that crates.io is reachable",
            )
        },
    )?;
    let root = steps.root().to_path_buf();
    steps.step(&format!("tools: wasm-opt {WASM_OPT_VERSION} (npm binaryen)"), |_| {
        if version_of("wasm-opt").is_some_and(|v| v.contains(WASM_OPT_VERSION)) && root.join("node_modules/.bin/wasm-opt").exists() {
            eprintln!("    present");
            return Ok(());
        }
        run_ok(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&root), "install Node.js and npm (apt-get install nodejs npm) and check that the npm registry is reachable")
    })
}

/// Debian's Chromium and ChromeDriver, for browser and end-to-end tests.
pub(crate) fn ensure_browser(steps: &mut Steps) -> Result<(), String> {
    // fonts-nanum: Korean glyphs, so screenshots of Korean mail show text rather than boxes.
    steps.step(
        "tools: chromium, chromedriver and Korean fonts (Debian)",
        |_| {
            if Path::new(CHROMIUM).exists()
                && Path::new(CHROMEDRIVER).exists()
                && Path::new(NANUM_FONTS).exists()
            {
                eprintln!("    present");
                return Ok(());
            }
            apt_install(&["chromium", "chromium-driver", "fonts-nanum"])
        },
    )
}

/// Installs Debian packages (as root, as on CI and the developers' machines).
pub(crate) fn apt_install(packages: &[&str]) -> Result<(), String> {
    let hint = "apt-get needs root; as another user run: sudo apt-get install -y --no-install-recommends <packages>";
    run_ok(
        Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
        hint,
    )?;
    run_ok(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "-o",
                "DPkg::Lock::Timeout=600",
            ])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        hint,
    )
}

/// Creates the Python venv `venv` if needed and runs its `pip install -q ARGS` (pinned
/// packages, or `-r FILE`).
pub(crate) fn pip_install(venv: &Path, args: &[&str]) -> Result<(), String> {
    let hint = "it needs python3 with the venv module (apt-get install python3-venv)";
    let pip = venv.join("bin/pip");
    if !pip.exists() {
        run_ok(Command::new("python3").args(["-m", "venv"]).arg(venv), hint)?;
    }
    run_ok(
        Command::new(&pip).args(["install", "-q"]).args(args),
        "check that PyPI is reachable; the output above shows why",
    )
}

/// The temporary directory of the browsers one step starts, emptied when the step ends.
///
/// chromedriver gives every session a profile under `$TMPDIR`
/// (`org.chromium.Chromium.scoped_dir.*`, about 90 MB) and leaves it there when
/// wasm-bindgen-test-runner stops it: one per test binary, about 45 per `cargo xtask test`,
/// which filled the disk after a few runs. Steps that start browsers point `TMPDIR` here.
pub(crate) struct BrowserTmp(PathBuf);

impl BrowserTmp {
    /// A fresh `target/browser-tmp` (what an interrupted run left there is removed first).
    pub(crate) fn new(root: &Path) -> Result<Self, String> {
        let dir = root.join("target/browser-tmp");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }

    /// The directory, for a variable that tells tests where to start their browsers.
    pub(crate) fn path(&self) -> String {
        self.0.display().to_string()
    }

    /// Environment for `cargo test --target wasm32-unknown-unknown` in headless Chromium.
    pub(crate) fn test_env(&self, timeout_secs: &str) -> Vec<(&'static str, String)> {
        vec![
            ("CHROMEDRIVER", CHROMEDRIVER.to_string()),
            ("WASM_BINDGEN_TEST_TIMEOUT", timeout_secs.to_string()),
            ("TMPDIR", self.path()),
        ]
    }
}

impl Drop for BrowserTmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `trunk build --release` into dist/, then the gzip copies `mailscope serve` sends.
pub(crate) fn build_ui(steps: &mut Steps) -> Result<(), String> {
    steps.run(
        "build the UI (trunk build --release)",
        Command::new("trunk").args(["build", "--release", "--offline"]),
        "Trunk.toml pins wasm-bindgen and wasm-opt; if Trunk says a tool version mismatches, rerun `cargo xtask run` to reinstall them",
    )?;
    let dist = steps.root().join("dist");
    steps.step("compress the UI for serving (zopfli → dist/*.gz)", |_| {
        crate::precompress::precompress(&dist).map(|_| ())
    })
}

/// Runs `cmd`; the error names it and says what to try (`hint`).
pub(crate) fn run_ok(cmd: &mut Command, hint: &str) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}. {hint}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} exited with {status}. {hint}"))
    }
}
