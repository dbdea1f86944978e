//! OpenDKIM (Debian `opendkim`, `opendkim-tools`): a key made with `opendkim-genkey`, the milter
//! signing for Postfix on a free loopback port, and OpenDKIM's own verifier (`opendkim -t`)
//! asking a given DNS server through its resolver library (libunbound). Everything runs from
//! the test's directory; nothing in /etc is read. `cargo xtask test` installs the packages.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::daemon::Daemon;
use crate::free_port;

const HINT: &str =
    "Install OpenDKIM (apt-get install opendkim opendkim-tools; cargo xtask test does)";

/// A signing key and its DNS record.
pub struct Key {
    /// The signing domain (`d=`).
    pub domain: String,
    /// The selector (`s=`).
    pub selector: String,
    /// The private key file.
    pub private: PathBuf,
    /// The key record in master-file form (`SELECTOR._domainkey IN TXT (…)`), relative to the
    /// domain.
    pub record: String,
}

impl Key {
    /// Makes a 2048-bit RSA key with `opendkim-genkey` in `dir`.
    pub fn generate(dir: &Path, domain: &str, selector: &str) -> Key {
        std::fs::create_dir_all(dir).expect("create the key directory");
        let out = Command::new("opendkim-genkey")
            .args([
                "-b", "2048", "-h", "sha256", "-d", domain, "-s", selector, "-D",
            ])
            .arg(dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run opendkim-genkey: {e}. {HINT}"));
        assert!(
            out.status.success(),
            "opendkim-genkey failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let record = std::fs::read_to_string(dir.join(format!("{selector}.txt")))
            .expect("opendkim-genkey writes SELECTOR.txt");
        Key {
            domain: domain.to_string(),
            selector: selector.to_string(),
            private: dir.join(format!("{selector}.private")),
            record,
        }
    }
}

/// The OpenDKIM milter, signing mail from loopback clients whose From is in the key's domain.
pub struct Milter {
    /// Where Postfix reaches it (`smtpd_milters = inet:ADDR`).
    pub addr: SocketAddr,
    _daemon: Daemon,
}

impl Milter {
    /// Starts it from `dir` with `canonicalization` (`c=`, such as `relaxed/simple`) and waits
    /// until it listens.
    pub fn start(dir: &Path, key: &Key, canonicalization: &str) -> Milter {
        std::fs::create_dir_all(dir).expect("create the milter directory");
        let port = free_port();
        let conf = format!(
            "Mode s
Domain {}
Selector {}
KeyFile {}
Canonicalization {canonicalization}
SignatureAlgorithm rsa-sha256
Socket inet:{port}@127.0.0.1
PidFile {}/opendkim.pid
RequireSafeKeys false
Syslog no
Background no
",
            key.domain,
            key.selector,
            key.private.display(),
            dir.display()
        );
        let conf_path = dir.join("opendkim.conf");
        std::fs::write(&conf_path, conf).expect("write opendkim.conf");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut daemon = Daemon::spawn(
            Command::new("opendkim").arg("-f").arg("-x").arg(&conf_path),
            &dir.join("opendkim.log"),
            HINT,
        );
        daemon.wait_listening("the OpenDKIM milter", addr);
        Milter {
            addr,
            _daemon: daemon,
        }
    }
}

/// What OpenDKIM's verifier said about a message.
pub struct Verdict {
    /// Whether the signature verified.
    pub pass: bool,
    /// The line `opendkim -t` printed, such as `…: verification (s=sel, d=example.test, 2048-bit
    /// key) succeeded` or `…: verification (…) failed: signature verification failed`.
    pub line: String,
}

/// OpenDKIM's verdict on `message`, its key fetched from `dns` (authoritative for `zone`).
pub fn verify(dir: &Path, dns: SocketAddr, zone: &str, message: &[u8]) -> Verdict {
    std::fs::create_dir_all(dir).expect("create the verifier directory");
    // libunbound's configuration: ask the test's server, on loopback, for the test zone
    // (unbound refuses localhost servers and answers `test.` itself unless told otherwise).
    let unbound = format!(
        "server:
  do-not-query-localhost: no
  local-zone: \"test.\" nodefault
stub-zone:
  name: \"{zone}\"
  stub-addr: {}@{}
",
        dns.ip(),
        dns.port()
    );
    std::fs::write(dir.join("unbound.conf"), unbound).expect("write unbound.conf");
    std::fs::write(
        dir.join("verify.conf"),
        format!(
            "Mode v\nResolverConfiguration {}/unbound.conf\nSyslog no\n",
            dir.display()
        ),
    )
    .expect("write the verifier's opendkim.conf");
    let file = dir.join("message.eml");
    std::fs::write(&file, message).expect("write the message");
    let out = Command::new("opendkim")
        .arg("-x")
        .arg(dir.join("verify.conf"))
        .arg("-t")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run opendkim: {e}. {HINT}"));
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains(": verification ("))
        .unwrap_or_else(|| panic!("opendkim -t printed no verdict ({}):\n{text}", out.status))
        .to_string();
    Verdict {
        pass: line.ends_with(") succeeded"),
        line,
    }
}
