//! The server's configuration: what it advertises, its limits and defaults (after Postfix) and
//! the errors it injects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::smtp::auth::Mechanism;

use super::super::timeouts;

/// Default longest command line the server reads, CRLF included (Postfix `line_length_limit`).
pub const DEFAULT_LINE_LIMIT: usize = 2048;
/// Default number of errors after which the server closes with 421 (Postfix
/// `smtpd_hard_error_limit`).
pub const DEFAULT_ERROR_LIMIT: usize = 20;
/// Default number of NOOP, RSET, VRFY, EXPN and HELP commands a client may send before each
/// further one counts as an error (Postfix `smtpd_junk_command_limit`).
pub const DEFAULT_JUNK_COMMAND_LIMIT: usize = 100;
/// Default minimum data rate during DATA and BDAT, bytes per second (Postfix
/// `smtpd_min_data_rate`).
pub const DEFAULT_MIN_DATA_RATE: u64 = 500;
/// Default most recipients per transaction (Postfix `smtpd_recipient_limit`; RFC 5321
/// §4.5.3.1.8 requires at least 100).
pub const DEFAULT_MAX_RECIPIENTS: usize = 1000;
/// Largest message the server keeps when no SIZE limit is configured (bounded memory).
pub const HARD_MESSAGE_LIMIT: u64 = 64 * 1024 * 1024;
/// Most events kept before the oldest are dropped (a caller that never polls stays bounded).
pub const MAX_QUEUED_EVENTS: usize = 4096;

/// What the server does with a recipient ([RFC 5321 §4.2.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2.2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientAction {
    /// `250 2.1.5 Ok`.
    #[default]
    Accept,
    /// `550 5.1.1 Recipient address rejected: User unknown`.
    Reject,
    /// `451 4.7.1 Recipient address rejected: Greylisted, try again later`.
    Defer,
    /// `452 4.2.2 Mailbox full`.
    MailboxFull,
    /// `550 5.7.1 Recipient address rejected: Access denied`: refused by the site's policy
    /// (RFC 3463 §3.8, X.7.1), as Postfix answers for a `check_recipient_access` REJECT.
    Policy,
}

/// A rule matching a recipient: an exact address (`user@example.org`) or a domain
/// (`example.org`), case-insensitive. The first matching rule wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientRule {
    /// An address (with `@`) or a domain (without).
    pub pattern: String,
    /// What to do with a recipient that matches.
    pub action: RecipientAction,
}

/// Errors to inject, to explore how clients cope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FaultInjection {
    /// Greet with `421 4.3.2 Service not available` and close.
    pub greeting_421: bool,
    /// Answer MAIL with `451 4.3.0`.
    pub mail_451: bool,
    /// Answer DATA (and the first BDAT) with `451 4.3.0`.
    pub data_451: bool,
    /// Answer the end of data with `554 5.6.0` (message refused after it was sent).
    pub message_554: bool,
}

/// How the server behaves ([RFC 5321](https://www.rfc-editor.org/rfc/rfc5321) and the
/// extensions it advertises).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// The name in the greeting and EHLO reply (passed in: the core knows no host name).
    pub hostname: String,
    /// Advertise and accept PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// SIZE limit in bytes, advertised as `SIZE n` (RFC 1870); `None` advertises `SIZE` with
    /// no limit and keeps at most [`HARD_MESSAGE_LIMIT`].
    pub size_limit: Option<u64>,
    /// Advertise 8BITMIME (RFC 6152).
    pub eight_bit_mime: bool,
    /// Advertise SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// Advertise ENHANCEDSTATUSCODES (RFC 2034) and put them in replies.
    pub enhanced_status_codes: bool,
    /// Advertise CHUNKING (RFC 3030) and accept BDAT.
    pub chunking: bool,
    /// Advertise DSN (RFC 3461).
    pub dsn: bool,
    /// Offer STARTTLS (RFC 3207); the transport does the handshake.
    pub starttls: bool,
    /// AUTH mechanisms offered (RFC 4954); empty means no AUTH.
    pub auth_mechanisms: Vec<Mechanism>,
    /// User names and passwords for AUTH.
    pub users: BTreeMap<String, String>,
    /// Refuse MAIL with `530 5.7.0` until the client has authenticated.
    pub require_auth: bool,
    /// Offer AUTH only over TLS; AUTH before TLS gets `538 5.7.11`.
    pub require_tls_for_auth: bool,
    /// Recipient rules, first match wins; unmatched recipients are accepted.
    pub recipient_rules: Vec<RecipientRule>,
    /// Most recipients per transaction; more get `452 4.5.3`.
    pub max_recipients: usize,
    /// Longest command line read, CRLF included; longer lines get `500 5.5.2`.
    pub line_length_limit: usize,
    /// Errors after which the server answers `421 4.7.0` and closes.
    pub error_limit: usize,
    /// NOOP, RSET, VRFY, EXPN and HELP commands allowed before each further one counts as an
    /// error towards [`ServerConfig::error_limit`]; the count starts again after a message is
    /// accepted (Postfix `smtpd_junk_command_limit`).
    pub junk_command_limit: usize,
    /// Milliseconds a command may take to arrive in full, counted from the end of the previous
    /// one (or the greeting); then `421 4.4.2` and close (RFC 5321 §4.5.3.2.7, Postfix
    /// `smtpd_timeout`). Bytes that do not complete a line do not restart it.
    pub idle_timeout: u64,
    /// Minimum data rate during DATA and BDAT in bytes per second: the deadline starts
    /// [`ServerConfig::idle_timeout`] after the DATA or BDAT command, each byte received moves
    /// it on by 1/rate seconds, never past `idle_timeout` from now (Postfix
    /// `smtpd_min_data_rate`). 0 lets every byte restart the timer.
    pub min_data_rate: u64,
    /// Refuse messages with bare LF/CR or a smuggling sequence (`554 5.6.0`), as Postfix's
    /// `smtpd_forbid_bare_newline` does. Either way such sequences never end the data.
    pub reject_bare_newlines: bool,
    /// Errors to inject.
    pub faults: FaultInjection,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            hostname: "mailscope.test".into(),
            pipelining: true,
            size_limit: Some(10 * 1024 * 1024),
            eight_bit_mime: true,
            smtputf8: true,
            enhanced_status_codes: true,
            chunking: true,
            dsn: true,
            starttls: false,
            auth_mechanisms: Vec::new(),
            users: BTreeMap::new(),
            require_auth: false,
            require_tls_for_auth: false,
            recipient_rules: Vec::new(),
            max_recipients: DEFAULT_MAX_RECIPIENTS,
            line_length_limit: DEFAULT_LINE_LIMIT,
            error_limit: DEFAULT_ERROR_LIMIT,
            junk_command_limit: DEFAULT_JUNK_COMMAND_LIMIT,
            idle_timeout: timeouts::SERVER_IDLE,
            min_data_rate: DEFAULT_MIN_DATA_RATE,
            reject_bare_newlines: true,
            faults: FaultInjection::default(),
        }
    }
}

impl ServerConfig {
    /// The action for `address` under [`ServerConfig::recipient_rules`].
    pub fn recipient_action(&self, address: &str) -> RecipientAction {
        let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        self.recipient_rules
            .iter()
            .find(|r| {
                if r.pattern.contains('@') {
                    r.pattern.eq_ignore_ascii_case(address)
                } else {
                    r.pattern.eq_ignore_ascii_case(domain)
                }
            })
            .map_or(RecipientAction::Accept, |r| r.action)
    }

    pub(super) fn message_limit(&self) -> usize {
        usize::try_from(
            self.size_limit
                .unwrap_or(HARD_MESSAGE_LIMIT)
                .min(HARD_MESSAGE_LIMIT),
        )
        .unwrap_or(usize::MAX)
    }
}
