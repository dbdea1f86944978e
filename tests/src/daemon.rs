//! Daemons run in the foreground by a test (the DNS server, the DKIM milter), and the scratch
//! directory they live in. A [`Daemon`] runs in its own process group, so stopping it also stops
//! the processes it forked (NSD forks its server and transfer processes); its output goes to a
//! log file. Both are cleaned up on drop, also when the test fails.

use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, READY_TIMEOUT};

/// A fresh directory under the system's temporary directory, removed on drop (kept when
/// `MAILSCOPE_KEEP_SCRATCH` is set, to look at the daemons' configs and logs).
pub struct Scratch {
    /// The directory.
    pub dir: PathBuf,
}

impl Scratch {
    /// Makes `mailscope-NAME-PID-N` with a port-derived N, so parallel tests do not collide.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "mailscope-{name}-{}-{}",
            std::process::id(),
            free_port()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch { dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("MAILSCOPE_KEEP_SCRATCH").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A foreground daemon in its own process group; SIGTERM to the group on drop.
pub struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Spawns `cmd` with stdin closed and stdout/stderr appended to `log`. `hint` says what to
    /// install when the program is missing.
    pub fn spawn(cmd: &mut Command, log: &Path, hint: &str) -> Daemon {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the daemon log");
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone the log handle"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}. {hint}"));
        Daemon {
            child,
            log: log.to_path_buf(),
        }
    }

    /// Its output so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `ready` holds; panics with the log when the daemon exits first or
    /// [`READY_TIMEOUT`] passes.
    pub fn wait_until(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + READY_TIMEOUT;
        while !ready() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{what}: the daemon exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not ready after {READY_TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `addr` accepts TCP connections.
    pub fn wait_listening(&mut self, what: &str, addr: SocketAddr) {
        self.wait_until(what, || {
            TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
        });
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let signal = |sig: &str| {
            let _ = Command::new("kill")
                .args([sig, "--", &group])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // What did not stop in time (and any process of the group left behind) is killed.
        signal("-KILL");
        let _ = self.child.wait();
    }
}
