//! Real mail software for the end-to-end tests: Postfix, Dovecot (SASL only), swaks, OpenDKIM
//! (the signing milter and its tools) and NSD (the DNS server for the DKIM test's zone).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::steps::Steps;
use crate::tools;

const BINARIES: [&str; 6] = [
    "/usr/sbin/postfix",
    "/usr/sbin/dovecot",
    "/usr/bin/swaks",
    "/usr/sbin/opendkim",
    "/usr/sbin/opendkim-genkey",
    "/usr/sbin/nsd",
];
const PACKAGES: [&str; 9] = [
    "postfix",
    "dovecot-core",
    "swaks",
    "libnet-ssleay-perl",
    "libio-socket-ssl-perl",
    "libauthen-sasl-perl",
    "opendkim",
    "opendkim-tools",
    "nsd",
];

/// Installs Postfix, Dovecot, swaks, OpenDKIM and NSD from Debian when missing. Postfix is
/// preseeded with "No configuration" so nothing in /etc is set up. The tests run private
/// instances from their own directories on free loopback ports, so nothing needs stopping: in a
/// container apt starts no service, and where an init system starts the packages' own (NSD on
/// port 53, OpenDKIM on its socket in /run) they do not meet the tests.
pub(crate) fn ensure_mail_software(steps: &mut Steps) -> Result<(), String> {
    steps.step("tools: postfix, dovecot, swaks, opendkim and nsd (Debian)", |_| {
        if BINARIES.iter().all(|b| Path::new(b).exists()) {
            eprintln!("    present");
            return Ok(());
        }
        let mut debconf = Command::new("debconf-set-selections")
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run debconf-set-selections: {e}. Install debconf, or install the packages by hand: apt-get install {}", PACKAGES.join(" ")))?;
        if let Some(stdin) = debconf.stdin.as_mut() {
            stdin
                .write_all(b"postfix postfix/main_mailer_type select No configuration\n")
                .map_err(|e| format!("could not preseed debconf: {e}"))?;
        }
        let status = debconf
            .wait()
            .map_err(|e| format!("debconf-set-selections failed: {e}"))?;
        if !status.success() {
            return Err(format!(
                "debconf-set-selections exited with {status}; it needs root"
            ));
        }
        tools::apt_install(&PACKAGES)
    })
}
