//! The client session: drives a whole plan (EHLO → STARTTLS → AUTH → MAIL → RCPT → DATA/BDAT →
//! … → QUIT) or single steps the user picks, with or without pipelining
//! ([RFC 5321 §4.1.4, §4.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.3.2),
//! [RFC 2920](https://www.rfc-editor.org/rfc/rfc2920)).
//!
//! The plan itself (what to send after each reply) is in `plan`; this file holds the types, the
//! public interface and the plumbing.

mod plan;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::smtp::auth::{ClientExchange, Credentials, Mechanism};
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::{BuildError, Command, MailParams, RcptParams};
use crate::smtp::data::encode_data;
use crate::smtp::reply::{parse_reply, Reply};

use super::timeouts;

/// Most bytes of unparsed reply input kept (a reply line is at most
/// [`crate::smtp::reply::MAX_REPLY_LINE`]; a multi-line reply a few dozen lines).
pub const MAX_REPLY_BUFFER: usize = 1 << 20;
/// Most events kept before the oldest are dropped.
pub const MAX_QUEUED_EVENTS: usize = 4096;

/// Where to stop and QUIT, like swaks' `--quit-after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopPoint {
    /// After the greeting.
    Connect,
    /// After the first EHLO/HELO.
    FirstHelo,
    /// After the TLS handshake (before the second EHLO).
    Tls,
    /// After the last EHLO/HELO (after TLS when STARTTLS is used).
    Helo,
    /// After AUTH.
    Auth,
    /// After MAIL FROM.
    Mail,
    /// After the RCPT TOs.
    Rcpt,
    /// After the reply to DATA; the client closes without sending the content (it cannot
    /// QUIT inside the data).
    Data,
    /// After the reply to the end of the first message.
    Dot,
}

/// When to use STARTTLS ([RFC 3207](https://www.rfc-editor.org/rfc/rfc3207)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsPolicy {
    /// Never.
    #[default]
    Never,
    /// When the server offers it.
    IfOffered,
    /// Always; QUIT if the server does not offer it.
    Required,
}

/// One mail transaction of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Transaction {
    /// Reverse-path mailbox; empty for `<>`.
    pub from: String,
    /// MAIL parameters.
    pub params: MailParams<'static>,
    /// Recipients.
    pub rcpts: Vec<String>,
    /// Parameters given to every RCPT.
    pub rcpt_params: RcptParams<'static>,
    /// The message.
    pub message: Vec<u8>,
    /// Send with BDAT in chunks of this size when the server offers CHUNKING (else DATA).
    pub bdat_chunk: Option<usize>,
    /// Send the message bytes after `354` exactly as given, with no CRLF normalisation or
    /// dot-stuffing (the caller includes the terminator): for exploring smuggling and
    /// transparency defects.
    pub raw_data: bool,
}

/// What a client session does on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientPlan {
    /// The name given in EHLO/HELO (passed in: the core knows no host name).
    pub helo_name: String,
    /// Use EHLO (else HELO). A 5xx to EHLO falls back to HELO (RFC 5321 §4.1.4).
    pub ehlo: bool,
    /// STARTTLS policy.
    pub starttls: TlsPolicy,
    /// AUTH mechanism and credentials.
    pub auth: Option<(Mechanism, Credentials)>,
    /// Pipeline MAIL/RCPT/DATA groups when the server offers PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// The transactions, in order.
    pub transactions: Vec<Transaction>,
    /// Send RSET before every transaction after the first.
    pub rset_between: bool,
    /// Stop early and QUIT.
    pub quit_after: Option<StopPoint>,
}

impl Default for ClientPlan {
    fn default() -> Self {
        ClientPlan {
            helo_name: "client.mailscope.test".into(),
            ehlo: true,
            starttls: TlsPolicy::Never,
            auth: None,
            pipelining: true,
            transactions: Vec::new(),
            rset_between: false,
            quit_after: None,
        }
    }
}

/// Where the client session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientState {
    /// Waiting for the greeting.
    Connecting,
    /// Greeted; EHLO/HELO under way.
    Greeting,
    /// After EHLO/HELO, no transaction.
    Ready,
    /// STARTTLS sent and accepted; waiting for the handshake.
    TlsPending,
    /// In an AUTH exchange.
    Auth,
    /// MAIL sent.
    Mail,
    /// RCPT sent.
    Rcpt,
    /// DATA/BDAT content under way.
    Data,
    /// QUIT sent.
    Quitting,
    /// Closed.
    Closed,
}

/// Why the client session stopped or complains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientError {
    /// Bytes arrived after the `220` to STARTTLS, before the handshake (RFC 3207 §4.2:
    /// possible injection); the session closes.
    BytesAfterStartTls {
        /// How many.
        count: usize,
    },
    /// The server's bytes are not a reply.
    BadReply {
        /// The parse error, as text.
        message: String,
    },
    /// A reply came with no command waiting for one.
    UnexpectedReply {
        /// Its code.
        code: u16,
    },
    /// No reply within the RFC 5321 §4.5.3.2 timeout.
    Timeout {
        /// The command waited for.
        waiting_for: String,
    },
    /// STARTTLS was required and the server does not offer it or refused it.
    TlsUnavailable,
    /// The greeting was not 220.
    GreetingRefused {
        /// Its code.
        code: u16,
    },
    /// A command could not be built from the plan.
    Build {
        /// Why.
        message: String,
    },
    /// A command was sent in a pipelined group though the server did not offer PIPELINING
    /// (RFC 5321 §4.3.1: without it the client waits for each reply).
    PipeliningNotOffered,
    /// A message larger than the server's SIZE.
    SizeExceeded {
        /// The message size.
        size: u64,
        /// The server's limit.
        limit: u64,
    },
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::BytesAfterStartTls { count } => write!(
                f,
                "{count} byte(s) arrived after the 220 reply to STARTTLS and before the TLS handshake (RFC 3207 §4.2); closing"
            ),
            ClientError::BadReply { message } => write!(f, "server sent something that is not a reply: {message}"),
            ClientError::UnexpectedReply { code } => {
                write!(f, "reply {code} arrived with no command waiting for one")
            }
            ClientError::Timeout { waiting_for } => {
                write!(f, "no reply to {waiting_for} within the RFC 5321 §4.5.3.2 timeout")
            }
            ClientError::TlsUnavailable => {
                write!(f, "STARTTLS is required but the server does not offer or refused it")
            }
            ClientError::GreetingRefused { code } => {
                write!(f, "the server greeted with {code} instead of 220")
            }
            ClientError::Build { message } => write!(f, "cannot build command: {message}"),
            ClientError::PipeliningNotOffered => write!(
                f,
                "command sent before the previous reply, but the server did not offer PIPELINING (RFC 5321 §4.3.1)"
            ),
            ClientError::SizeExceeded { size, limit } => write!(
                f,
                "message of {size} bytes exceeds the server's SIZE limit of {limit} (RFC 1870)"
            ),
        }
    }
}

impl std::error::Error for ClientError {}

/// The outcome of one planned transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionOutcome {
    /// Its index in [`ClientPlan::transactions`].
    pub index: usize,
    /// Recipients the server accepted.
    pub accepted: Vec<String>,
    /// Recipients refused, with the code.
    pub rejected: Vec<(String, u16)>,
    /// The final reply code (to the end of data, or to the failing step).
    pub code: u16,
    /// Whether the server took the message.
    pub delivered: bool,
}

/// Something the client session did or saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientEvent {
    /// A command line was queued for sending (without CRLF; message data is not shown).
    Sent {
        /// The line.
        line: String,
    },
    /// A reply arrived.
    Reply {
        /// The reply.
        reply: Reply,
        /// The command it answers (`None` for the greeting).
        command: Option<String>,
    },
    /// The state changed.
    State {
        /// Before.
        from: ClientState,
        /// After.
        to: ClientState,
    },
    /// EHLO told what the server offers.
    Capabilities(Capabilities),
    /// The server accepted STARTTLS: flush the output, do the TLS handshake, then call
    /// [`ClientSession::tls_established`].
    TlsRequested,
    /// DATA got `354`: in a manual session, call [`ClientSession::send_message`].
    ReadyForData,
    /// AUTH succeeded.
    Authenticated,
    /// AUTH failed with this code.
    AuthFailed {
        /// The reply code.
        code: u16,
    },
    /// A planned transaction ended.
    TransactionDone(TransactionOutcome),
    /// Something went wrong.
    Error(ClientError),
    /// The session is over: flush the output and close the connection.
    Closed,
}

/// What a pending reply answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(String),
    Data,
    Dot,
    Bdat { last: bool },
    Rset { then: Option<usize> },
    Quit,
    Other,
}

#[derive(Debug, Clone)]
struct Pending {
    expect: Expect,
    line: Option<String>,
    sent_at: Option<u64>,
    /// Sent by the user with [`ClientSession::send`]: the plan does not act on its reply.
    user: bool,
}

#[derive(Debug, Default, Clone)]
struct TxnProgress {
    index: usize,
    pipelined: bool,
    mail_ok: bool,
    next_rcpt: usize,
    accepted: Vec<String>,
    rejected: Vec<(String, u16)>,
    chunks_sent: usize,
    bdat_failed: bool,
}

/// An SMTP client as a sans-IO state machine.
///
/// Call order: [`ClientSession::new`] with a plan (or [`ClientSession::manual`]); then, in a
/// loop: [`ClientSession::handle_input`] with bytes from the server, [`ClientSession::poll_output`]
/// until `None` (send them), [`ClientSession::poll_event`] until `None`. Call
/// [`ClientSession::handle_time`] with the current time (ms) before sending and now and then;
/// [`ClientSession::poll_timeout`] says when next. After [`ClientEvent::TlsRequested`], flush the
/// output, do the handshake, then call [`ClientSession::tls_established`]. After
/// [`ClientEvent::Closed`], flush and close.
#[derive(Debug)]
pub struct ClientSession {
    plan: ClientPlan,
    planned: bool,
    state: ClientState,
    input: Vec<u8>,
    output: Vec<u8>,
    events: VecDeque<ClientEvent>,
    pending: VecDeque<Pending>,
    caps: Option<Capabilities>,
    tls: bool,
    helo_count: usize,
    auth: Option<ClientExchange>,
    authenticated: bool,
    txn: Option<TxnProgress>,
    now: Option<u64>,
    data_pending: bool,
}

impl ClientSession {
    /// A session that runs `plan` on its own, starting when the greeting arrives.
    pub fn new(plan: ClientPlan) -> Self {
        let mut s = ClientSession::manual();
        s.plan = plan;
        s.planned = true;
        s
    }

    /// A session driven step by step with [`ClientSession::send`].
    pub fn manual() -> Self {
        ClientSession {
            plan: ClientPlan::default(),
            planned: false,
            state: ClientState::Connecting,
            input: Vec::new(),
            output: Vec::new(),
            events: VecDeque::new(),
            pending: VecDeque::from([Pending {
                expect: Expect::Greeting,
                line: None,
                sent_at: None,
                user: false,
            }]),
            caps: None,
            tls: false,
            helo_count: 0,
            auth: None,
            authenticated: false,
            txn: None,
            now: None,
            data_pending: false,
        }
    }

    /// A session on a connection that is already TLS (port 465, RFC 8314): no STARTTLS.
    pub fn with_implicit_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// How many replies the session waits for (the greeting, then one per command sent, the
    /// end of message data included): 0 when everything sent has been answered.
    pub fn awaiting_replies(&self) -> usize {
        self.pending.len()
    }

    /// Where the session is.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// What the last EHLO said; `None` before it and right after STARTTLS (RFC 3207 §4.2:
    /// pre-TLS knowledge is discarded).
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }

    /// Whether the session is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the session has closed.
    pub fn is_closed(&self) -> bool {
        self.state == ClientState::Closed
    }

    /// Bytes to send to the server, if any.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        super::take_output(&mut self.output)
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// When the oldest awaited reply times out (ms), if one is awaited and the time is known.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        let p = self.pending.front()?;
        Some(p.sent_at?.saturating_add(timeout_for(&p.expect)))
    }

    /// Tells the session the time (ms). Commands sent afterwards are stamped with it; an
    /// awaited reply older than its RFC 5321 §4.5.3.2 timeout closes the session.
    pub fn handle_time(&mut self, now: u64) {
        self.now = Some(now);
        for p in self.pending.iter_mut() {
            p.sent_at.get_or_insert(now);
        }
        if let Some(deadline) = self.poll_timeout() {
            if now >= deadline && !self.is_closed() {
                let waiting_for = self
                    .pending
                    .front()
                    .and_then(|p| p.line.clone())
                    .unwrap_or_else(|| "the greeting".into());
                self.error(ClientError::Timeout { waiting_for });
                self.close();
            }
        }
    }

    /// The TLS handshake after STARTTLS finished: forget the old capabilities and send EHLO
    /// again (RFC 3207 §4.2).
    pub fn tls_established(&mut self) {
        if self.state != ClientState::TlsPending {
            return;
        }
        self.tls = true;
        self.caps = None;
        self.authenticated = false;
        self.input.clear();
        self.set_state(ClientState::Greeting);
        if self.stop_at(StopPoint::Tls) {
            self.quit();
        } else if self.planned {
            self.hello();
        }
    }

    /// Sends one command the user picked. Replies are reported as events; a planned session
    /// does not act on them. Sending while replies are outstanding pipelines, which the server
    /// must have offered (else a [`ClientError::PipeliningNotOffered`] event).
    pub fn send(&mut self, command: &Command<'_>) -> Result<(), BuildError> {
        let expect = match command {
            Command::Ehlo { .. } => Expect::Ehlo,
            Command::Helo { .. } => Expect::Helo,
            Command::StartTls => Expect::StartTls,
            Command::Auth { .. } => Expect::Auth,
            Command::Mail { .. } => Expect::Mail,
            Command::Rcpt { to, .. } => Expect::Rcpt(to.mailbox.to_string()),
            Command::Data => Expect::Data,
            Command::Bdat { last, .. } => Expect::Bdat { last: *last },
            Command::Rset => Expect::Rset { then: None },
            Command::Quit => Expect::Quit,
            _ => Expect::Other,
        };
        let mut bytes = Vec::new();
        command.write(&mut bytes)?;
        if !self.pending.is_empty()
            && !self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::Pipelining))
        {
            self.error(ClientError::PipeliningNotOffered);
        }
        self.push_line(bytes, expect, true);
        Ok(())
    }

    /// Sends a raw line (CRLF added) answering an AUTH `334` challenge in a manual session.
    pub fn send_auth_response(&mut self, base64: &str) -> Result<(), BuildError> {
        if base64.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(BuildError::ForbiddenByte {
                field: "AUTH response",
                byte: b'\n',
            });
        }
        self.push_line(format!("{base64}\r\n").into_bytes(), Expect::Auth, true);
        Ok(())
    }

    /// Sends message content after `354` in a manual session: CRLF-normalised, dot-stuffed and
    /// terminated (see [`encode_data`]).
    pub fn send_message(&mut self, message: &[u8]) {
        self.output.extend_from_slice(&encode_data(message).wire);
        self.data_pending = false;
        self.push_pending(Expect::Dot, Some("<message data>".into()), true);
    }

    /// Sends one BDAT chunk (`BDAT n [LAST]` and the bytes, unchanged) in a manual session
    /// ([RFC 3030 §2](https://www.rfc-editor.org/rfc/rfc3030#section-2)).
    pub fn send_bdat(&mut self, chunk: &[u8], last: bool) {
        let line = crate::smtp::data::BdatChunk { data: chunk, last }.command_line();
        self.push_line(line.into_bytes(), Expect::Bdat { last }, true);
        self.output.extend_from_slice(chunk);
    }

    /// Whether AUTH succeeded in this session (reset by STARTTLS).
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Feeds bytes received from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closed() {
            return;
        }
        if self.state == ClientState::TlsPending {
            if !bytes.is_empty() {
                self.error(ClientError::BytesAfterStartTls { count: bytes.len() });
                self.close();
            }
            return;
        }
        self.input.extend_from_slice(bytes);
        loop {
            match parse_reply(&self.input) {
                Ok(Some((reply, used))) => {
                    self.input.drain(..used.min(self.input.len()));
                    self.on_reply(reply);
                    if self.is_closed() {
                        self.input.clear();
                        return;
                    }
                    if self.state == ClientState::TlsPending {
                        if !self.input.is_empty() {
                            let count = self.input.len();
                            self.input.clear();
                            self.error(ClientError::BytesAfterStartTls { count });
                            self.close();
                        }
                        return;
                    }
                }
                Ok(None) => {
                    if self.input.len() > MAX_REPLY_BUFFER {
                        self.input.clear();
                    }
                    return;
                }
                Err(error) => {
                    self.input.clear();
                    self.error(ClientError::BadReply {
                        message: error.to_string(),
                    });
                    self.close();
                    return;
                }
            }
        }
    }

    fn on_reply(&mut self, reply: Reply) {
        let Some(p) = self.pending.pop_front() else {
            let code = reply.code;
            self.push_event(ClientEvent::Reply {
                reply,
                command: None,
            });
            self.error(ClientError::UnexpectedReply { code });
            if code == 421 {
                self.close();
            }
            return;
        };
        let code = reply.code;
        let text = reply.text();
        let ok = reply.class() == 2;
        if p.expect == Expect::Ehlo && ok {
            let caps = Capabilities::from_reply(&reply);
            self.caps = Some(caps.clone());
            self.push_event(ClientEvent::Capabilities(caps));
        }
        if matches!(p.expect, Expect::Ehlo | Expect::Helo) && ok {
            self.helo_count += 1;
        }
        self.push_event(ClientEvent::Reply {
            reply,
            command: p.line.clone(),
        });
        // Effects every session needs, planned or manual.
        match (&p.expect, code) {
            (Expect::StartTls, 220) => {
                self.set_state(ClientState::TlsPending);
                self.push_event(ClientEvent::TlsRequested);
                return;
            }
            (Expect::Quit, _) => {
                self.close();
                return;
            }
            (_, 421) => {
                // RFC 5321 §3.8: the server is closing.
                self.close();
                return;
            }
            (Expect::Data, 354) if p.user => {
                self.data_pending = true;
                self.set_state(ClientState::Data);
                self.push_event(ClientEvent::ReadyForData);
                return;
            }
            _ => {}
        }
        if p.user || !self.planned {
            self.manual_state(&p.expect, code);
            return;
        }
        self.drive(p.expect, code, &text);
    }

    fn manual_state(&mut self, expect: &Expect, code: u16) {
        let ok = code < 400;
        let to = match expect {
            Expect::Greeting if ok => ClientState::Greeting,
            Expect::Ehlo | Expect::Helo | Expect::Rset { .. } | Expect::Dot if ok => {
                ClientState::Ready
            }
            Expect::Auth if code == 235 => {
                self.authenticated = true;
                self.push_event(ClientEvent::Authenticated);
                ClientState::Ready
            }
            Expect::Auth if code == 334 => ClientState::Auth,
            Expect::Auth => {
                self.push_event(ClientEvent::AuthFailed { code });
                ClientState::Ready
            }
            Expect::Mail if ok => ClientState::Mail,
            Expect::Rcpt(_) if ok => ClientState::Rcpt,
            Expect::Bdat { last: true } | Expect::Dot => ClientState::Ready,
            _ => self.state,
        };
        self.set_state(to);
    }

    // --- plumbing ----------------------------------------------------------------------

    /// Writes a planned command; false (with an error event) if it cannot be built.
    fn command(&mut self, command: &Command<'_>, expect: Expect) -> bool {
        let mut bytes = Vec::new();
        match command.write(&mut bytes) {
            Ok(()) => {
                self.push_line(bytes, expect, false);
                true
            }
            Err(e) => {
                self.error(ClientError::Build {
                    message: e.to_string(),
                });
                false
            }
        }
    }

    fn push_line(&mut self, bytes: Vec<u8>, expect: Expect, user: bool) {
        let line =
            String::from_utf8_lossy(bytes.strip_suffix(b"\r\n").unwrap_or(&bytes)).into_owned();
        self.output.extend_from_slice(&bytes);
        self.push_event(ClientEvent::Sent { line: line.clone() });
        if expect == Expect::Quit {
            self.set_state(ClientState::Quitting);
        }
        self.push_pending(expect, Some(line), user);
    }

    fn push_pending(&mut self, expect: Expect, line: Option<String>, user: bool) {
        self.pending.push_back(Pending {
            expect,
            line,
            sent_at: self.now,
            user,
        });
    }

    fn set_state(&mut self, to: ClientState) {
        if self.state != to && self.state != ClientState::Closed {
            let from = self.state;
            self.state = to;
            self.push_event(ClientEvent::State { from, to });
        }
    }

    fn error(&mut self, e: ClientError) {
        self.push_event(ClientEvent::Error(e));
    }

    fn close(&mut self) {
        if self.state != ClientState::Closed {
            self.set_state(ClientState::Closed);
            self.state = ClientState::Closed;
            self.pending.clear();
            self.push_event(ClientEvent::Closed);
        }
    }

    fn push_event(&mut self, event: ClientEvent) {
        if self.events.len() >= MAX_QUEUED_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }
}

fn timeout_for(expect: &Expect) -> u64 {
    match expect {
        Expect::Greeting => timeouts::GREETING,
        Expect::Data => timeouts::DATA_INIT,
        Expect::Dot | Expect::Bdat { last: true } => timeouts::DATA_TERMINATION,
        _ => timeouts::COMMAND,
    }
}
