//! A private Postfix + Dovecot (SASL only) instance on loopback, for end-to-end tests.
//!
//! Everything lives in a fresh directory (config, queue, Maildirs, logs); nothing in /etc is
//! touched. Three listeners on free loopback ports, like 2525/2587/2465 of
//! `real-mail-software.md` but chosen per instance so tests can run in parallel:
//! - [`Postfix::smtp`]: plain SMTP with optional STARTTLS (relay for `example.test`);
//! - [`Postfix::submission`]: STARTTLS then AUTH required (RFC 6409);
//! - [`Postfix::smtps`]: implicit TLS (RFC 8314), AUTH required.
//!
//! Mail to `alice@example.test` and `bob@example.test` is delivered by virtual(8) to Maildirs
//! under the instance directory. The AUTH user is [`USER`] with [`PASSWORD`]. Needs root and the
//! Debian packages postfix and dovecot-core (`cargo xtask test` installs them). Stopped on drop.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, READY_TIMEOUT};

/// The SASL user of the instance.
pub const USER: &str = "alice@example.test";
/// Its password.
pub const PASSWORD: &str = "secret";

/// Settings added to an instance by [`Postfix::start_with`].
#[derive(Default)]
pub struct Extra<'a> {
    /// Lines appended to main.cf.
    pub main_cf: &'a str,
    /// One more plain SMTP listener per entry, each with these `-o name=value` options; their
    /// addresses are [`Postfix::extra`], in this order.
    pub listeners: &'a [&'a str],
}

/// A running private Postfix with Dovecot SASL.
pub struct Postfix {
    /// The instance directory.
    pub dir: PathBuf,
    /// Port 25 role: plain, STARTTLS offered.
    pub smtp: SocketAddr,
    /// Port 587 role: STARTTLS and AUTH required.
    pub submission: SocketAddr,
    /// Port 465 role: implicit TLS, AUTH required.
    pub smtps: SocketAddr,
    /// The listeners of [`Extra::listeners`].
    pub extra: Vec<SocketAddr>,
    /// The server certificate (self-signed for `mail.test` and 127.0.0.1), PEM.
    pub cert_pem: String,
}

/// Runs a command that may leave daemons behind: their output goes to `log`, not to pipes that
/// the daemons would keep open.
fn run(cmd: &mut Command, log: &Path) {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open the harness log");
    let status = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("clone the log handle"))
        .stderr(file)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {cmd:?}: {e}. Install postfix and dovecot-core (cargo xtask test does)"
            )
        });
    assert!(
        status.success(),
        "{cmd:?} failed ({status}): {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn id_of(flag: &str, name: &str) -> String {
    let out = Command::new("id")
        .args([flag, name])
        .output()
        .expect("run id");
    assert!(
        out.status.success(),
        "no user {name}: install postfix (cargo xtask test does)"
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Postfix {
    /// Starts a fresh instance and waits until its three ports accept connections.
    pub fn start() -> Postfix {
        Postfix::start_with(&Extra::default())
    }

    /// Like [`Postfix::start`], with `extra` settings and listeners.
    pub fn start_with(extra: &Extra) -> Postfix {
        assert!(
            Path::new("/usr/sbin/postfix").exists() && Path::new("/usr/sbin/dovecot").exists(),
            "Postfix and Dovecot are not installed: run `cargo xtask test`, which installs them"
        );
        let dir = std::env::temp_dir().join(format!(
            "mailscope-postfix-{}-{}",
            std::process::id(),
            free_port()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in [
            "etc",
            "queue",
            "data",
            "mail",
            "dovecot/run",
            "dovecot/state",
        ] {
            std::fs::create_dir_all(dir.join(sub)).expect("create the instance directory");
        }
        let d = dir.display().to_string();
        let (uid, gid) = (id_of("-u", "postfix"), id_of("-g", "postfix"));
        run(
            Command::new("chown")
                .arg(format!("{uid}:{gid}"))
                .arg(dir.join("data"))
                .arg(dir.join("mail")),
            &dir.join("harness.log"),
        );
        let key = rcgen::generate_simple_self_signed(vec!["mail.test".into(), "127.0.0.1".into()])
            .expect("make a certificate");
        let cert_pem = key.cert.pem();
        std::fs::write(dir.join("etc/cert.pem"), &cert_pem).unwrap();
        std::fs::write(dir.join("etc/key.pem"), key.key_pair.serialize_pem()).unwrap();
        let (smtp, submission, smtps) = (free_port(), free_port(), free_port());
        let main_cf = format!(
            "compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mail.test
mydomain = test
myorigin = mail.test
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = example.test
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = texthash:{d}/etc/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_mailbox_limit = 0
local_header_rewrite_clients =
smtpd_error_sleep_time = 0
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
smtpd_tls_cert_file = {d}/etc/cert.pem
smtpd_tls_key_file = {d}/etc/key.pem
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
{}
",
            extra.main_cf
        );
        let auth = "-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject";
        let mut master_cf = format!(
            "127.0.0.1:{smtp} inet n - n - - smtpd
127.0.0.1:{submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes {auth}
127.0.0.1:{smtps} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes {auth}
"
        );
        let extra_ports: Vec<u16> = extra.listeners.iter().map(|_| free_port()).collect();
        for (port, options) in extra_ports.iter().zip(extra.listeners) {
            master_cf.push_str(&format!(
                "127.0.0.1:{port} inet n - n - - smtpd {options}\n"
            ));
        }
        for line in [
            "pickup unix n - n 60 1 pickup",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "smtp unix - - n - - smtp",
            "relay unix - - n - - smtp",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "local unix - n n - - local",
            "virtual unix - n n - - virtual",
            "lmtp unix - - n - - lmtp",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ] {
            master_cf.push_str(line);
            master_cf.push('\n');
        }
        std::fs::write(dir.join("etc/main.cf"), main_cf).unwrap();
        std::fs::write(dir.join("etc/master.cf"), master_cf).unwrap();
        std::fs::write(
            dir.join("etc/vmailbox"),
            "alice@example.test alice/\nbob@example.test bob/\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("dovecot/users"),
            format!("{USER}:{{PLAIN}}{PASSWORD}\n"),
        )
        .unwrap();
        let dovecot_conf = format!(
            "base_dir = {d}/dovecot/run
state_dir = {d}/dovecot/state
log_path = {d}/dovecot.log
protocols =
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/dovecot/users
}}
userdb {{
  driver = static
  args = uid=postfix gid=postfix home={d}/mail/%u
}}
service auth {{
  unix_listener {d}/queue/private/auth {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"
        );
        std::fs::write(dir.join("dovecot/dovecot.conf"), dovecot_conf).unwrap();
        let pf = Postfix {
            smtp: SocketAddr::from(([127, 0, 0, 1], smtp)),
            submission: SocketAddr::from(([127, 0, 0, 1], submission)),
            smtps: SocketAddr::from(([127, 0, 0, 1], smtps)),
            extra: extra_ports
                .iter()
                .map(|&p| SocketAddr::from(([127, 0, 0, 1], p)))
                .collect(),
            cert_pem,
            dir,
        };
        // Postfix makes queue/private; Dovecot's listener goes there.
        let log = pf.dir.join("harness.log");
        run(
            Command::new("postfix")
                .arg("-c")
                .arg(pf.dir.join("etc"))
                .arg("start"),
            &log,
        );
        run(
            Command::new("dovecot")
                .arg("-c")
                .arg(pf.dir.join("dovecot/dovecot.conf")),
            &log,
        );
        let deadline = Instant::now() + READY_TIMEOUT;
        for &addr in [pf.smtp, pf.submission, pf.smtps].iter().chain(&pf.extra) {
            while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "Postfix did not listen on {addr}; see {}",
                    pf.dir.join("maillog").display()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let auth_socket = pf.dir.join("queue/private/auth");
        while !auth_socket.exists() {
            assert!(
                Instant::now() < deadline,
                "Dovecot made no auth socket; see {}",
                pf.dir.join("dovecot.log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        pf
    }

    /// The messages delivered to `user`'s Maildir (`new/`), sorted by file name.
    pub fn delivered(&self, user: &str) -> Vec<Vec<u8>> {
        let new = self.dir.join("mail").join(user).join("new");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&new)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.sort();
        names.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    /// Waits until `user` has at least `n` messages and returns them.
    pub fn wait_for(&self, user: &str, n: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let got = self.delivered(user);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{user} got {} of {n} messages; see {}",
                got.len(),
                self.dir.join("maillog").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The Postfix log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }
}

/// Whether a Maildir file holds `sent` (CRLF on the wire) after Postfix's trace headers: Postfix
/// stores LF line endings and prepends Return-Path, X-Original-To, Delivered-To and Received.
pub fn delivered_intact(delivered: &[u8], sent: &[u8]) -> bool {
    let mut lf = Vec::with_capacity(sent.len());
    let mut i = 0;
    while i < sent.len() {
        if sent[i] == b'\r' && sent.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        lf.push(sent[i]);
        i += 1;
    }
    delivered.ends_with(&lf)
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.dir.join("etc"))
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("dovecot")
            .arg("-c")
            .arg(self.dir.join("dovecot/dovecot.conf"))
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if std::env::var_os("MAILSCOPE_KEEP_POSTFIX").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
