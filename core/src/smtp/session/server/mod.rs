//! The server session: a configurable SMTP server as a sans-IO state machine
//! ([RFC 5321 §4.1.4, §4.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.3.2)).
//!
//! It powers the in-browser simulated server and the native sandbox server. Replies follow
//! RFC 5321 §4.3.2 and, when ENHANCEDSTATUSCODES is advertised, carry RFC 3463 codes. Limits and
//! defaults follow Postfix (`line_length_limit` 2048, `smtpd_hard_error_limit` 20,
//! `smtpd_recipient_limit` 1000, `smtpd_junk_command_limit` 100, `smtpd_timeout` 300 s,
//! `smtpd_min_data_rate` 500). Like Postfix's `smtpd_forbidden_commands`, an HTTP request line
//! or a header field before the first SMTP command closes the session with `221 2.7.0` and
//! discards whatever was pipelined after it (see [`crate::smtp::cross_protocol`]).

use std::collections::VecDeque;

use crate::smtp::auth::{AuthFailure, Mechanism, ServerExchange, ServerStep, MAX_AUTH_LINE};
use crate::smtp::command::{parse_command, Body, Command, MailParams, RcptParams};
use crate::smtp::cross_protocol::{non_smtp_line, NonSmtp};
use crate::smtp::data::{BdatReceiver, DataReceiver, Feed, ReceivedData};
use crate::smtp::lints;

use super::order::{Hello, Order, OrderError, Step};

mod config;
pub mod sandbox;
mod types;

pub use config::*;
pub use types::*;

#[derive(Debug)]
enum Mode {
    Command,
    Auth(Box<ServerExchange>, String),
    Data(Box<DataReceiver>),
    Bdat(Box<BdatReceiver>, BdatOutcome),
    TlsPending,
    Closed,
}

/// What to do when the current BDAT chunk has arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BdatOutcome {
    /// Keep the chunk; `last` ends the message.
    Keep { last: bool },
    /// The BDAT was refused: discard the bytes, answer with this reply; `last` ends the
    /// transaction (RFC 3030 §2: it failed), as [`Order::answer`] has it.
    Discard(u16, &'static str, &'static str, bool),
}

#[derive(Debug, Default)]
struct Transaction {
    from: Option<(String, MailParams<'static>)>,
    rcpts: Vec<Recipient>,
    bdat: Option<Box<BdatReceiver>>,
}

/// A configurable SMTP server as a sans-IO state machine.
///
/// Call order: [`ServerSession::new`] (queues the greeting); then repeatedly
/// [`ServerSession::handle_input`] with bytes from the client, [`ServerSession::poll_output`]
/// until `None` (send them), [`ServerSession::poll_event`] until `None`; call
/// [`ServerSession::handle_time`] with the current time before each input and when
/// [`ServerSession::poll_timeout`] is reached (idle timeout, minimum data rate). After a
/// [`ServerEvent::TlsRequested`], flush the output, do the handshake, then call
/// [`ServerSession::tls_established`]. After [`ServerEvent::Closed`], flush and close.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    mode: Mode,
    input: Vec<u8>,
    output: Vec<u8>,
    events: VecDeque<ServerEvent>,
    helo: Option<String>,
    esmtp: bool,
    tls: bool,
    auth_user: Option<String>,
    txn: Transaction,
    errors: usize,
    /// NOOP, RSET, VRFY, EXPN and HELP commands since the last accepted message.
    junk: usize,
    /// Whether an SMTP command has been read (the non-SMTP rule applies before the first).
    smtp_seen: bool,
    skipping_long_line: bool,
    cram_challenge: String,
    /// The start of every queue id this session gives (`MS` unless the caller sets one).
    queue_prefix: String,
    messages: u64,
    /// When the session times out (ms), once the time is known.
    deadline: Option<u64>,
    now: Option<u64>,
}

impl ServerSession {
    /// A new session; the greeting (`220 hostname ESMTP`, or `421` under
    /// [`FaultInjection::greeting_421`]) is queued at once.
    pub fn new(config: ServerConfig) -> Self {
        let cram_challenge = format!("<0.0@{}>", config.hostname);
        let mut s = ServerSession {
            config,
            mode: Mode::Command,
            input: Vec::new(),
            output: Vec::new(),
            events: VecDeque::new(),
            helo: None,
            esmtp: false,
            tls: false,
            auth_user: None,
            txn: Transaction::default(),
            errors: 0,
            junk: 0,
            smtp_seen: false,
            skipping_long_line: false,
            cram_challenge,
            queue_prefix: "MS".into(),
            messages: 0,
            deadline: None,
            now: None,
        };
        let host = s.config.hostname.clone();
        if s.config.faults.greeting_421 {
            s.raw_reply(421, "4.3.2", &format!("{host} Service not available"));
            s.close();
        } else {
            s.raw_reply(220, "", &format!("{host} ESMTP Mailscope"));
        }
        s
    }

    /// A session on a connection that is already TLS (port 465, RFC 8314).
    pub fn new_implicit_tls(config: ServerConfig) -> Self {
        let mut s = ServerSession::new(config);
        s.tls = true;
        s
    }

    /// Sets the CRAM-MD5 challenge for the next exchange. RFC 2195 wants it unique
    /// (`<random.timestamp@host>`); the caller makes it, since the core has no RNG or clock.
    pub fn set_auth_challenge(&mut self, challenge: impl Into<String>) {
        self.cram_challenge = challenge.into();
    }

    /// Sets the start of the queue ids in `250 … queued as ID` (default `MS`); the session adds
    /// its message count (`MS000001`, `MS000002`, …). Queue ids are unique per server: a
    /// transport with many sessions gives each a prefix of its own (the core has no counter
    /// shared between sessions, nor randomness). Only letters and digits are kept.
    pub fn set_queue_id_prefix(&mut self, prefix: &str) {
        self.queue_prefix = prefix.chars().filter(char::is_ascii_alphanumeric).collect();
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Where the session is.
    pub fn state(&self) -> ServerState {
        match &self.mode {
            Mode::Closed => ServerState::Closed,
            Mode::TlsPending => ServerState::TlsPending,
            Mode::Auth(..) => ServerState::Auth,
            Mode::Data(_) => ServerState::Data,
            Mode::Bdat(..) => ServerState::Bdat,
            Mode::Command if self.txn.bdat.is_some() => ServerState::Bdat,
            Mode::Command if !self.txn.rcpts.is_empty() => ServerState::Rcpt,
            Mode::Command if self.txn.from.is_some() => ServerState::Mail,
            Mode::Command if self.helo.is_some() => ServerState::Ready,
            Mode::Command => ServerState::Connected,
        }
    }

    /// What the session knows that decides which command may come next: the input of the
    /// command-order rules ([`Order::check`], RFC 5321 §4.1.4).
    pub fn order(&self) -> Order {
        Order {
            greeted: true,
            hello: self
                .helo
                .as_ref()
                .map(|_| if self.esmtp { Hello::Ehlo } else { Hello::Helo }),
            tls: self.tls,
            authenticated: self.auth_user.is_some(),
            mail: self.txn.from.is_some(),
            rcpts: self.txn.rcpts.len(),
            bdat: self.txn.bdat.is_some(),
            closed: self.is_closed(),
        }
    }

    /// Refuses `step` with the server's reply when it is out of order; true when refused.
    fn refuse_out_of_order(&mut self, step: Step) -> bool {
        let Some((code, esc, text)) = self.out_of_order(step) else {
            return false;
        };
        self.error_reply(code, esc, text);
        true
    }

    /// The reply refusing `step` when [`Order::check`] says it is out of order.
    fn out_of_order(&self, step: Step) -> Option<(u16, &'static str, &'static str)> {
        let e = self.order().check(step).err()?;
        let (code, text) = match e {
            OrderError::NoHello { .. } => (503, "Error: send HELO/EHLO first"),
            OrderError::NoEhlo { .. } => (503, "Error: send EHLO first"),
            OrderError::TransactionOpen { verb: "MAIL" } => (503, "Error: nested MAIL command"),
            OrderError::TransactionOpen { .. } => (503, "Error: MAIL transaction in progress"),
            OrderError::NoRecipients { .. } => (554, "Error: no valid recipients"),
            OrderError::BdatInProgress { .. } => (503, "Error: BDAT in progress"),
            OrderError::TlsActive => (503, "Error: TLS already active"),
            OrderError::AlreadyAuthenticated => (503, "Error: already authenticated"),
            OrderError::NoTransaction { .. }
            | OrderError::BeforeGreeting { .. }
            | OrderError::AfterClose { .. } => (503, "Error: need MAIL command"),
        };
        Some((code, "5.5.1", text))
    }

    /// Whether the session is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the session has closed.
    pub fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed)
    }

    /// The authenticated user, if any.
    pub fn auth_user(&self) -> Option<&str> {
        self.auth_user.as_deref()
    }

    /// Bytes to send to the client, if any.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        super::take_output(&mut self.output)
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Tells the session the time (ms). When a command has not arrived in full within
    /// [`ServerConfig::idle_timeout`] of the previous one, or DATA/BDAT content comes slower
    /// than [`ServerConfig::min_data_rate`], it answers `421 4.4.2` and closes
    /// (RFC 5321 §4.5.3.2.7). Call it before [`ServerSession::handle_input`] with the time the
    /// bytes arrived, and at [`ServerSession::poll_timeout`].
    pub fn handle_time(&mut self, now: u64) {
        self.now = Some(now);
        let deadline = *self
            .deadline
            .get_or_insert(now.saturating_add(self.config.idle_timeout));
        if !self.is_closed() && now >= deadline {
            let host = self.config.hostname.clone();
            self.raw_reply(421, "4.4.2", &format!("{host} Error: timeout exceeded"));
            self.close();
        }
    }

    /// When the session times out (ms, the clock of [`ServerSession::handle_time`]) unless a
    /// command completes or data comes first; `None` before the time is known or once closed.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        self.deadline.filter(|_| !self.is_closed())
    }

    /// Starts the timer again: the next command (or the data) has the full idle timeout.
    fn restart_timer(&mut self) {
        self.deadline = self
            .now
            .map(|now| now.saturating_add(self.config.idle_timeout));
    }

    /// DATA/BDAT content arrived: the deadline moves on by `n` / min_data_rate seconds, never
    /// past the idle timeout from now (Postfix `smtpd_min_data_rate`).
    fn data_arrived(&mut self, n: usize) {
        let (Some(now), Some(deadline)) = (self.now, self.deadline) else {
            return;
        };
        let cap = now.saturating_add(self.config.idle_timeout);
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        // A rate of 0 is no minimum: every byte restarts the timer.
        let extended = n
            .saturating_mul(1000)
            .checked_div(self.config.min_data_rate)
            .map_or(cap, |more| deadline.saturating_add(more));
        self.deadline = Some(extended.min(cap));
    }

    /// The TLS handshake after STARTTLS finished: the server forgets everything learned before
    /// it (EHLO name, AUTH, transaction) and waits for a new EHLO (RFC 3207 §4.2).
    pub fn tls_established(&mut self) {
        if matches!(self.mode, Mode::TlsPending) {
            self.mode = Mode::Command;
            self.tls = true;
            self.helo = None;
            self.esmtp = false;
            self.auth_user = None;
            self.txn = Transaction::default();
            self.input.clear();
            self.restart_timer();
        }
    }

    /// Feeds bytes received from the client.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closed() {
            return;
        }
        if matches!(self.mode, Mode::Data(_) | Mode::Bdat(..)) {
            self.data_arrived(bytes.len());
        }
        if matches!(self.mode, Mode::TlsPending) {
            if !bytes.is_empty() {
                self.violation(format!(
                    "{} cleartext byte(s) arrived after the 220 reply to STARTTLS and before the TLS handshake; discarded",
                    bytes.len()
                ));
                let host = self.config.hostname.clone();
                self.raw_reply(
                    421,
                    "4.7.0",
                    &format!("{host} Error: data received after STARTTLS; closing"),
                );
                self.close();
            }
            return;
        }
        self.input.extend_from_slice(bytes);
        self.process();
    }

    fn process(&mut self) {
        loop {
            match &mut self.mode {
                Mode::Closed | Mode::TlsPending => {
                    self.input.clear();
                    return;
                }
                Mode::Data(rx) => match rx.feed(&self.input) {
                    Feed::Complete { consumed } => {
                        self.input.drain(..consumed.min(self.input.len()));
                        let Mode::Data(rx) = std::mem::replace(&mut self.mode, Mode::Command)
                        else {
                            return;
                        };
                        self.restart_timer();
                        self.finish_message(rx.finish(), false);
                    }
                    Feed::NeedMore => {
                        self.input.clear();
                        return;
                    }
                },
                Mode::Bdat(rx, _) => {
                    let n = rx.feed(&self.input);
                    self.input.drain(..n.min(self.input.len()));
                    if rx.remaining() > 0 {
                        return;
                    }
                    let Mode::Bdat(rx, outcome) = std::mem::replace(&mut self.mode, Mode::Command)
                    else {
                        return;
                    };
                    self.finish_chunk(rx, outcome);
                }
                Mode::Command | Mode::Auth(..) => {
                    if !self.next_line() {
                        return;
                    }
                }
            }
        }
    }

    /// Reads and handles one line; false when more input is needed.
    fn next_line(&mut self) -> bool {
        let in_auth = matches!(self.mode, Mode::Auth(..));
        let starts_auth = self
            .input
            .get(..5)
            .is_some_and(|v| v.eq_ignore_ascii_case(b"AUTH "));
        let limit = if in_auth || starts_auth {
            MAX_AUTH_LINE + 2
        } else {
            self.config.line_length_limit.max(16)
        };
        let window = self.input.get(..limit).unwrap_or(&self.input);
        let Some(nl) = window.iter().position(|&b| b == b'\n') else {
            if self.input.len() < limit {
                return false;
            }
            // Over-long: drop what was read; the rest of the line is dropped when its end
            // comes (Postfix answers the same way).
            self.input.drain(..limit);
            if !self.skipping_long_line {
                self.skipping_long_line = true;
                if let Mode::Auth(_, mechanism) = std::mem::replace(&mut self.mode, Mode::Command) {
                    // RFC 4954 §4: the exchange ends; the tail is not read as commands.
                    let reason = AuthFailure::LineTooLong;
                    self.push_event(ServerEvent::AuthFailed { mechanism, reason });
                    let (code, esc, text) = reason.reply();
                    self.error_reply(code, esc, text);
                } else {
                    self.error_reply(500, "5.5.2", "Error: line too long");
                }
            }
            return true;
        };
        let line: Vec<u8> = self.input.drain(..=nl).collect();
        self.restart_timer();
        if std::mem::take(&mut self.skipping_long_line) {
            // The tail of an over-long line: dropped.
            return true;
        }
        if in_auth {
            self.auth_line(&line);
        } else {
            self.command_line(&line);
        }
        true
    }

    fn command_line(&mut self, line: &[u8]) {
        if !self.smtp_seen {
            if let Some(kind) = non_smtp_line(line) {
                self.refuse_non_smtp(kind);
                return;
            }
        }
        let parsed = match parse_command(line) {
            Ok(Some((parsed, _))) => parsed.into_owned(),
            Ok(None) | Err(_) => {
                self.error_reply(500, "5.5.2", "Error: bad command line");
                return;
            }
        };
        self.smtp_seen |= !matches!(parsed.command, Command::Unknown { .. });
        self.push_event(ServerEvent::Command {
            command: parsed.command.clone(),
            lints: parsed.lints.clone(),
        });
        // Lenient like Postfix's default (`strict_rfc821_envelopes = no`): a missing angle
        // bracket or a space after the colon passes; unreadable arguments do not.
        let has_syntax_error = parsed.lints.iter().any(|l| {
            [
                lints::SYNTAX_INVALID.code,
                lints::PARAM_INVALID.code,
                lints::MAILBOX_INVALID.code,
            ]
            .contains(&&*l.code)
        });
        self.handle_command(parsed.command, has_syntax_error);
    }

    fn handle_command(&mut self, command: Command<'static>, syntax_error: bool) {
        let host = self.config.hostname.clone();
        match command {
            Command::Ehlo { domain } | Command::Helo { domain } if domain.is_empty() => {
                self.error_reply(501, "5.5.4", "Syntax: EHLO hostname");
            }
            Command::Ehlo { domain } => {
                self.reset_transaction();
                self.helo = Some(domain.into_owned());
                self.esmtp = true;
                let lines = self.ehlo_lines();
                self.multi_reply(250, &lines);
            }
            Command::Helo { domain } => {
                self.reset_transaction();
                self.helo = Some(domain.into_owned());
                self.esmtp = false;
                self.reply(250, "", &host);
            }
            Command::Quit => {
                self.reply(221, "2.0.0", "Bye");
                self.close();
            }
            Command::Noop { .. } => self.junk_reply(250, "2.0.0", "Ok"),
            Command::Rset => {
                self.reset_transaction();
                self.junk_reply(250, "2.0.0", "Ok");
            }
            Command::Vrfy { .. } => {
                self.junk_reply(252, "2.5.0", "Cannot VRFY user, but will accept message")
            }
            Command::Expn { .. } => {
                self.junk = self.junk.saturating_add(1);
                self.error_reply(502, "5.5.1", "Error: command not implemented");
            }
            Command::Help { .. } => self.junk_reply(
                214,
                "2.0.0",
                "Mailscope sandbox; commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT STARTTLS AUTH",
            ),
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response.as_deref()),
            Command::Mail { from, params } => {
                if syntax_error {
                    self.error_reply(501, "5.5.4", "Syntax error in parameters");
                } else {
                    self.mail(from.mailbox.into_owned(), params);
                }
            }
            Command::Rcpt { to, params } => {
                if syntax_error {
                    self.error_reply(501, "5.5.4", "Syntax error in parameters");
                } else {
                    self.rcpt(to.mailbox.into_owned(), params);
                }
            }
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Unknown { name, .. } => {
                let known = [
                    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN",
                    "HELP", "QUIT", "STARTTLS", "AUTH",
                ]
                .iter()
                .any(|v| v.eq_ignore_ascii_case(&name));
                if known {
                    self.error_reply(501, "5.5.4", "Syntax error in parameters or arguments");
                } else {
                    self.error_reply(500, "5.5.2", "Error: command not recognized");
                }
            }
        }
    }

    /// An HTTP request line or a header field before the first SMTP command: a browser or
    /// proxy is talking to this port (HTTP → SMTP cross-protocol request forgery). Close at
    /// once, as Postfix's `smtpd_forbidden_commands` does, so that nothing pipelined after it
    /// (a request body written as SMTP commands) is ever read.
    fn refuse_non_smtp(&mut self, kind: NonSmtp) {
        let discarded = self.input.len();
        self.violation(format!(
            "{} before the first SMTP command: a browser or proxy is talking to the SMTP port; closed, {discarded} byte(s) after it discarded",
            kind.message()
        ));
        self.reply(
            221,
            "2.7.0",
            "Error: this is an SMTP server and that was not an SMTP command (HTTP?); closing",
        );
        self.close();
    }

    /// NOOP, RSET, VRFY, EXPN, HELP: past [`ServerConfig::junk_command_limit`] each one also
    /// counts as an error (Postfix `smtpd_junk_command_limit`), so a flood ends with 421.
    fn junk_reply(&mut self, code: u16, esc: &str, text: &str) {
        self.junk = self.junk.saturating_add(1);
        if self.junk > self.config.junk_command_limit {
            self.error_reply(code, esc, text);
        } else {
            self.reply(code, esc, text);
        }
    }

    fn ehlo_lines(&self) -> Vec<String> {
        let c = &self.config;
        let mut lines = vec![c.hostname.clone()];
        if c.pipelining {
            lines.push("PIPELINING".into());
        }
        match c.size_limit {
            Some(n) => lines.push(format!("SIZE {n}")),
            None => lines.push("SIZE".into()),
        }
        if c.starttls && !self.tls {
            lines.push("STARTTLS".into());
        }
        if self.auth_offered() {
            let mechs: Vec<&str> = c.auth_mechanisms.iter().map(Mechanism::as_str).collect();
            lines.push(format!("AUTH {}", mechs.join(" ")));
        }
        if c.enhanced_status_codes {
            lines.push("ENHANCEDSTATUSCODES".into());
        }
        if c.eight_bit_mime {
            lines.push("8BITMIME".into());
        }
        if c.dsn {
            lines.push("DSN".into());
        }
        if c.smtputf8 {
            lines.push("SMTPUTF8".into());
        }
        if c.chunking {
            lines.push("CHUNKING".into());
        }
        lines
    }

    fn auth_offered(&self) -> bool {
        !self.config.auth_mechanisms.is_empty() && (self.tls || !self.config.require_tls_for_auth)
    }

    fn starttls(&mut self) {
        if !self.config.starttls {
            self.error_reply(502, "5.5.1", "Error: command not implemented");
        } else if self.refuse_out_of_order(Step::StartTls) {
        } else if !self.input.is_empty() {
            // RFC 3207 §4.2: commands pipelined after STARTTLS must not survive into the TLS
            // session (CVE-2011-0411). Discard them and refuse.
            let n = self.input.len();
            self.input.clear();
            self.violation(format!(
                "{n} byte(s) were pipelined after STARTTLS; discarded, TLS not started"
            ));
            self.error_reply(554, "5.5.1", "Error: command pipelining after STARTTLS");
        } else {
            self.reply(220, "2.0.0", "Ready to start TLS");
            self.mode = Mode::TlsPending;
            self.push_event(ServerEvent::TlsRequested);
        }
    }

    fn auth(&mut self, mechanism: &str, initial: Option<&str>) {
        let mech = Mechanism::parse(mechanism);
        if self.config.auth_mechanisms.is_empty() {
            self.error_reply(502, "5.5.1", "Error: authentication not enabled");
        } else if self.refuse_out_of_order(Step::Auth) {
        } else if !self.tls && self.config.require_tls_for_auth {
            self.error_reply(
                538,
                "5.7.11",
                "Encryption required for requested authentication mechanism",
            );
        } else if !self.config.auth_mechanisms.contains(&mech) {
            let (code, esc, text) = AuthFailure::UnsupportedMechanism.reply();
            self.error_reply(code, esc, text);
        } else {
            let (ex, step) = ServerExchange::start(
                mech.clone(),
                initial.map(str::as_bytes),
                &self.cram_challenge,
                &self.config.users,
            );
            self.auth_step(Box::new(ex), mech.to_string(), step);
        }
    }

    fn auth_line(&mut self, line: &[u8]) {
        let Mode::Auth(mut ex, mech) = std::mem::replace(&mut self.mode, Mode::Command) else {
            return;
        };
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let step = ex.handle_line(line, &self.config.users);
        self.auth_step(ex, mech, step);
    }

    fn auth_step(&mut self, ex: Box<ServerExchange>, mechanism: String, step: ServerStep) {
        match step {
            ServerStep::Challenge(text) => {
                self.raw_reply(334, "", &text);
                self.mode = Mode::Auth(ex, mechanism);
            }
            ServerStep::Success(user) => {
                self.reply(235, "2.7.0", "Authentication successful");
                self.auth_user = Some(user.clone());
                self.push_event(ServerEvent::Authenticated { mechanism, user });
            }
            ServerStep::Failure(reason) => {
                let (code, esc, text) = reason.reply();
                self.push_event(ServerEvent::AuthFailed { mechanism, reason });
                self.error_reply(code, esc, text);
            }
        }
    }

    fn mail(&mut self, from: String, params: MailParams<'static>) {
        if self.refuse_out_of_order(Step::Mail) {
        } else if self.config.require_auth && self.auth_user.is_none() {
            self.error_reply(530, "5.7.0", "Authentication required");
        } else if self.config.faults.mail_451 {
            self.error_reply(
                451,
                "4.3.0",
                "Error: queue file write error (injected fault)",
            );
        } else if params
            .size
            .is_some_and(|s| self.config.size_limit.is_some_and(|limit| s > limit))
        {
            self.error_reply(552, "5.3.4", "Message size exceeds fixed limit");
        } else if let Some(option) = self.unsupported_mail_param(&params) {
            // RFC 5321 §4.1.1.11: an unrecognised or unimplemented parameter gets 555.
            self.error_reply(555, "5.5.4", &format!("Unsupported option: {option}"));
        } else {
            self.txn.from = Some((from, params));
            self.reply(250, "2.1.0", "Ok");
        }
    }

    /// The first MAIL parameter naming an extension this server does not advertise.
    fn unsupported_mail_param(&self, params: &MailParams<'_>) -> Option<String> {
        let c = &self.config;
        match params.body {
            Some(Body::EightBitMime) if !c.eight_bit_mime => return Some("BODY=8BITMIME".into()),
            Some(Body::BinaryMime) => return Some("BODY=BINARYMIME".into()),
            _ => {}
        }
        if params.smtputf8 && !c.smtputf8 {
            return Some("SMTPUTF8".into());
        }
        if !c.dsn && (params.ret.is_some() || params.envid.is_some()) {
            return Some(if params.ret.is_some() { "RET" } else { "ENVID" }.into());
        }
        params.other.first().map(|p| p.keyword.to_string())
    }

    fn rcpt(&mut self, to: String, params: RcptParams<'static>) {
        if self.refuse_out_of_order(Step::Rcpt) {
            return;
        }
        if self.txn.rcpts.len() >= self.config.max_recipients {
            self.error_reply(452, "4.5.3", "Error: too many recipients");
            return;
        }
        if !self.config.dsn && (params.notify.is_some() || params.orcpt.is_some()) {
            self.error_reply(555, "5.5.4", "Unsupported option: NOTIFY/ORCPT");
            return;
        }
        if let Some(p) = params.other.first() {
            let text = format!("Unsupported option: {}", p.keyword);
            self.error_reply(555, "5.5.4", &text);
            return;
        }
        match self.config.recipient_action(&to) {
            RecipientAction::Accept => {
                self.txn.rcpts.push(Recipient {
                    address: to,
                    params,
                });
                self.reply(250, "2.1.5", "Ok");
            }
            RecipientAction::Reject => self.error_reply(
                550,
                "5.1.1",
                &format!("<{to}>: Recipient address rejected: User unknown"),
            ),
            RecipientAction::Defer => self.error_reply(
                451,
                "4.7.1",
                &format!("<{to}>: Recipient address rejected: Greylisted, try again later"),
            ),
            RecipientAction::MailboxFull => self.error_reply(452, "4.2.2", "Mailbox full"),
            RecipientAction::Policy => self.error_reply(
                550,
                "5.7.1",
                &format!("<{to}>: Recipient address rejected: Access denied"),
            ),
        }
    }

    fn data(&mut self) {
        if self.refuse_out_of_order(Step::Data) {
        } else if self.config.faults.data_451 {
            self.error_reply(451, "4.3.0", "Error: try again later (injected fault)");
        } else {
            self.reply(354, "", "End data with <CR><LF>.<CR><LF>");
            self.mode = Mode::Data(Box::new(DataReceiver::new(self.config.message_limit())));
        }
    }

    fn bdat(&mut self, size: u64, last: bool) {
        let refuse = if !self.config.chunking {
            Some((502, "5.5.1", "Error: BDAT not enabled"))
        } else if let Some(refusal) = self.out_of_order(Step::Bdat { last }) {
            Some(refusal)
        } else if self.config.faults.data_451 && self.txn.bdat.is_none() {
            Some((451, "4.3.0", "Error: try again later (injected fault)"))
        } else {
            None
        };
        // RFC 3030 §2: the chunk's bytes follow the command whatever the reply; they are
        // consumed (and discarded on refusal) so they are never read as commands.
        let mut rx = match refuse {
            Some(_) => Box::new(BdatReceiver::new(0)),
            None => self
                .txn
                .bdat
                .take()
                .unwrap_or_else(|| Box::new(BdatReceiver::new(self.config.message_limit()))),
        };
        rx.begin_chunk(size, last);
        let outcome = match refuse {
            Some((code, esc, text)) => BdatOutcome::Discard(code, esc, text, last),
            None => BdatOutcome::Keep { last },
        };
        self.mode = Mode::Bdat(rx, outcome);
    }

    fn finish_chunk(&mut self, rx: Box<BdatReceiver>, outcome: BdatOutcome) {
        self.restart_timer();
        match outcome {
            BdatOutcome::Discard(code, esc, text, last) => {
                // A refused chunk ends the chunks under way; a refused LAST one the
                // transaction (the rule of `Order::answer`).
                self.txn.bdat = None;
                if last {
                    self.reset_transaction();
                }
                self.error_reply(code, esc, text);
            }
            BdatOutcome::Keep { last: false } => {
                let size = rx.size();
                self.txn.bdat = Some(rx);
                self.reply(250, "2.0.0", &format!("{size} octets received"));
            }
            BdatOutcome::Keep { last: true } => self.finish_message(rx.finish(), true),
        }
    }

    fn finish_message(&mut self, data: ReceivedData, bdat: bool) {
        let refused = if data.size_exceeded {
            Some((552, "5.3.4", "Message size exceeds fixed limit"))
        } else if self.config.reject_bare_newlines && data.has_bare_line_endings() {
            Some((
                554,
                "5.6.0",
                "Message refused: bare CR or LF, or a smuggling sequence, in message data",
            ))
        } else if self.config.faults.message_554 {
            Some((554, "5.6.0", "Message refused (injected fault)"))
        } else {
            None
        };
        let txn = std::mem::take(&mut self.txn);
        if let Some((code, esc, text)) = refused {
            self.push_event(ServerEvent::MessageRejected {
                code,
                lints: data.lints,
            });
            self.error_reply(code, esc, text);
            return;
        }
        self.messages += 1;
        self.junk = 0;
        let queue_id = format!("{}{:06}", self.queue_prefix, self.messages);
        let (from, params) = txn.from.unwrap_or_default();
        let message = ReceivedMessage {
            queue_id: queue_id.clone(),
            envelope: Envelope {
                from,
                params,
                rcpts: txn.rcpts,
            },
            data: data.body,
            tls: self.tls,
            auth_user: self.auth_user.clone(),
            helo: self.helo.clone(),
            bdat,
            lints: data.lints,
        };
        self.reply(250, "2.0.0", &format!("Ok: queued as {queue_id}"));
        self.push_event(ServerEvent::MessageReceived(Box::new(message)));
    }

    fn reset_transaction(&mut self) {
        self.txn = Transaction::default();
    }

    fn violation(&mut self, message: String) {
        self.push_event(ServerEvent::Violation { message });
    }

    fn close(&mut self) {
        if !self.is_closed() {
            self.mode = Mode::Closed;
            self.input.clear();
            self.push_event(ServerEvent::Closed);
        }
    }

    fn push_event(&mut self, event: ServerEvent) {
        if self.events.len() >= MAX_QUEUED_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// A reply counted as an error (Postfix `smtpd_hard_error_limit`).
    fn error_reply(&mut self, code: u16, esc: &str, text: &str) {
        self.reply(code, esc, text);
        self.errors += 1;
        if self.errors >= self.config.error_limit && !self.is_closed() {
            let host = self.config.hostname.clone();
            self.raw_reply(421, "4.7.0", &format!("{host} Error: too many errors"));
            self.close();
        }
    }

    fn reply(&mut self, code: u16, esc: &str, text: &str) {
        self.raw_reply(code, esc, text);
    }

    fn raw_reply(&mut self, code: u16, esc: &str, text: &str) {
        self.multi_reply_esc(code, esc, &[text.to_owned()]);
    }

    fn multi_reply(&mut self, code: u16, lines: &[String]) {
        self.multi_reply_esc(code, "", lines);
    }

    /// Writes a reply; the enhanced code goes on every line when advertised (RFC 2034 §4).
    fn multi_reply_esc(&mut self, code: u16, esc: &str, lines: &[String]) {
        let esc = if self.config.enhanced_status_codes && !esc.is_empty() {
            format!("{esc} ")
        } else {
            String::new()
        };
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            let sep = if i + 1 == n { ' ' } else { '-' };
            // Reply text never carries CR or LF (it comes from config or fixed strings).
            let clean: String = line.chars().filter(|c| *c != '\r' && *c != '\n').collect();
            self.output
                .extend_from_slice(format!("{code}{sep}{esc}{clean}\r\n").as_bytes());
        }
        let first = lines.first().cloned().unwrap_or_default();
        self.push_event(ServerEvent::Reply {
            code,
            text: format!("{esc}{first}"),
        });
    }
}

#[cfg(test)]
mod tests;
