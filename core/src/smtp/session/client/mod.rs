//! The client session: drives a whole plan (EHLO → STARTTLS → AUTH → MAIL → RCPT → DATA/BDAT →
//! … → QUIT) or single steps the user picks, with or without pipelining
//! ([RFC 5321 §4.1.4, §4.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.3.2),
//! [RFC 2920](https://www.rfc-editor.org/rfc/rfc2920)).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::smtp::auth::{ClientExchange, Credentials, Mechanism};
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::{BuildError, Command, MailParams, RcptParams};
use crate::smtp::data::{bdat_chunks, encode_data};
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

    // --- the plan ------------------------------------------------------------------------

    fn drive(&mut self, expect: Expect, code: u16, text: &str) {
        let ok = code < 400;
        match expect {
            Expect::Greeting => {
                if code != 220 {
                    self.error(ClientError::GreetingRefused { code });
                    self.quit();
                } else {
                    self.set_state(ClientState::Greeting);
                    if self.stop_at(StopPoint::Connect) {
                        self.quit();
                    } else {
                        self.hello();
                    }
                }
            }
            Expect::Ehlo if !ok && code >= 500 => {
                // RFC 5321 §4.1.4 / §3.2: fall back to HELO.
                let name = self.plan_ref().helo_name.clone();
                self.command(&Command::helo(name), Expect::Helo);
            }
            Expect::Ehlo | Expect::Helo => {
                if !ok {
                    self.quit();
                } else {
                    self.after_hello();
                }
            }
            Expect::StartTls => {
                // Not 220 (handled above).
                if self.plan_ref().starttls == TlsPolicy::Required {
                    self.error(ClientError::TlsUnavailable);
                    self.quit();
                } else {
                    self.after_tls_decision();
                }
            }
            Expect::Auth => self.auth_reply(code, text),
            Expect::Mail => self.mail_reply(ok, code),
            Expect::Rcpt(rcpt) => self.rcpt_reply(rcpt, ok, code),
            Expect::Data => self.data_reply(code),
            Expect::Bdat { last } => self.bdat_reply(last, ok, code),
            Expect::Dot => self.finish_txn(code, ok),
            Expect::Rset { then } => {
                self.set_state(ClientState::Ready);
                if let Some(i) = then {
                    self.start_txn(i);
                }
            }
            Expect::Quit | Expect::Other => {}
        }
    }

    fn plan_ref(&self) -> &ClientPlan {
        &self.plan
    }

    fn stop_at(&self, point: StopPoint) -> bool {
        self.planned && self.plan.quit_after == Some(point)
    }

    fn hello(&mut self) {
        let plan = self.plan_ref();
        let name = plan.helo_name.clone();
        if plan.ehlo {
            self.command(&Command::ehlo(name), Expect::Ehlo);
        } else {
            self.command(&Command::helo(name), Expect::Helo);
        }
    }

    fn after_hello(&mut self) {
        self.set_state(ClientState::Ready);
        if self.helo_count == 1 && self.stop_at(StopPoint::FirstHelo) {
            self.quit();
            return;
        }
        let policy = self.plan_ref().starttls;
        if !self.tls && policy != TlsPolicy::Never {
            if self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::StartTls))
            {
                self.command(&Command::StartTls, Expect::StartTls);
            } else if policy == TlsPolicy::Required {
                self.error(ClientError::TlsUnavailable);
                self.quit();
            } else {
                self.after_tls_decision();
            }
            return;
        }
        self.after_tls_decision();
    }

    fn after_tls_decision(&mut self) {
        if self.stop_at(StopPoint::Helo) {
            self.quit();
            return;
        }
        let Some((mech, creds)) = self.plan_ref().auth.clone() else {
            self.start_txn(0);
            return;
        };
        match ClientExchange::new(mech, creds) {
            Ok(ex) => {
                let initial = ex.initial_response();
                let mech = ex.mechanism().to_string();
                self.auth = Some(ex);
                self.set_state(ClientState::Auth);
                self.command(&Command::auth(mech, initial.map(Into::into)), Expect::Auth);
            }
            Err(e) => {
                self.error(ClientError::Build {
                    message: e.to_string(),
                });
                self.quit();
            }
        }
    }

    fn auth_reply(&mut self, code: u16, text: &str) {
        match code {
            334 => {
                let answer = self.auth.as_mut().map(|ex| ex.respond(text));
                match answer {
                    Some(Ok(line)) => {
                        self.push_line(format!("{line}\r\n").into_bytes(), Expect::Auth, false)
                    }
                    Some(Err(e)) => {
                        self.error(ClientError::Build {
                            message: e.to_string(),
                        });
                        // Cancel the exchange (RFC 4954 §4).
                        self.push_line(b"*\r\n".to_vec(), Expect::Auth, false);
                    }
                    None => self.quit(),
                }
            }
            235 => {
                self.authenticated = true;
                self.auth = None;
                self.push_event(ClientEvent::Authenticated);
                self.set_state(ClientState::Ready);
                if self.stop_at(StopPoint::Auth) {
                    self.quit();
                } else {
                    self.start_txn(0);
                }
            }
            _ => {
                self.auth = None;
                self.push_event(ClientEvent::AuthFailed { code });
                self.set_state(ClientState::Ready);
                self.quit();
            }
        }
    }

    /// RFC 2920: only when offered; not when the plan stops inside the group.
    fn can_pipeline(&self) -> bool {
        let plan = self.plan_ref();
        plan.pipelining
            && !matches!(plan.quit_after, Some(StopPoint::Mail | StopPoint::Rcpt))
            && self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::Pipelining))
    }

    fn use_bdat(&self, t: &Transaction) -> bool {
        t.bdat_chunk.is_some()
            && self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::Chunking))
    }

    fn start_txn(&mut self, index: usize) {
        let Some(t) = self.plan_ref().transactions.get(index).cloned() else {
            self.quit();
            return;
        };
        if let (Some(limit), false) = (
            self.caps.as_ref().and_then(Capabilities::size_limit),
            t.raw_data,
        ) {
            let size = t.message.len() as u64;
            if size > limit {
                self.error(ClientError::SizeExceeded { size, limit });
            }
        }
        let pipelined = self.can_pipeline();
        self.txn = Some(TxnProgress {
            index,
            pipelined,
            ..TxnProgress::default()
        });
        let mail = Command::Mail {
            from: crate::smtp::command::Path::new(t.from.clone()),
            params: t.params.clone(),
        };
        if !self.command(&mail, Expect::Mail) {
            self.abandon_txn(0);
            return;
        }
        self.set_state(ClientState::Mail);
        if pipelined {
            for _ in 0..t.rcpts.len() {
                self.send_next_rcpt(&t);
            }
            self.send_content_start(&t);
        }
    }

    fn send_next_rcpt(&mut self, t: &Transaction) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        let Some(rcpt) = t.rcpts.get(txn.next_rcpt).cloned() else {
            return;
        };
        txn.next_rcpt += 1;
        let cmd = Command::Rcpt {
            to: crate::smtp::command::Path::new(rcpt.clone()),
            params: t.rcpt_params.clone(),
        };
        self.command(&cmd, Expect::Rcpt(rcpt));
        self.set_state(ClientState::Rcpt);
    }

    /// DATA, or the BDAT chunk(s): all of them when pipelining, else the first.
    fn send_content_start(&mut self, t: &Transaction) {
        if self.use_bdat(t) {
            let chunks = bdat_chunks(&t.message, t.bdat_chunk.unwrap_or(1));
            let n = if self.txn.as_ref().is_some_and(|x| x.pipelined) {
                chunks.len()
            } else {
                1
            };
            for c in chunks.iter().take(n) {
                self.send_chunk(c.data, c.last);
            }
        } else {
            self.command(&Command::Data, Expect::Data);
        }
    }

    fn send_chunk(&mut self, data: &[u8], last: bool) {
        self.command(
            &Command::bdat(data.len() as u64, last),
            Expect::Bdat { last },
        );
        self.output.extend_from_slice(data);
        if let Some(txn) = self.txn.as_mut() {
            txn.chunks_sent += 1;
        }
        self.set_state(ClientState::Data);
    }

    fn current(&self) -> Option<Transaction> {
        let i = self.txn.as_ref()?.index;
        self.plan_ref().transactions.get(i).cloned()
    }

    fn mail_reply(&mut self, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        txn.mail_ok = ok;
        let pipelined = txn.pipelined;
        if self.stop_at(StopPoint::Mail) && !pipelined {
            self.quit();
            return;
        }
        if pipelined {
            return;
        }
        if !ok {
            self.abandon_txn(code);
            return;
        }
        if let Some(t) = self.current() {
            if t.rcpts.is_empty() {
                self.abandon_txn(code);
            } else {
                self.send_next_rcpt(&t);
            }
        }
    }

    fn rcpt_reply(&mut self, rcpt: String, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        if ok {
            txn.accepted.push(rcpt);
        } else {
            txn.rejected.push((rcpt, code));
        }
        let pipelined = txn.pipelined;
        let Some(t) = self.current() else {
            return;
        };
        let replied = self
            .txn
            .as_ref()
            .map_or(0, |x| x.accepted.len() + x.rejected.len());
        if replied < t.rcpts.len() {
            if !pipelined {
                self.send_next_rcpt(&t);
            }
            return;
        }
        if self.stop_at(StopPoint::Rcpt) && !pipelined {
            self.quit();
            return;
        }
        if pipelined {
            return;
        }
        if self.txn.as_ref().is_some_and(|x| x.accepted.is_empty()) {
            self.abandon_txn(code);
        } else {
            self.send_content_start(&t);
        }
    }

    fn data_reply(&mut self, code: u16) {
        if code != 354 {
            self.abandon_txn(code);
            return;
        }
        if self.stop_at(StopPoint::Data) {
            self.close();
            return;
        }
        let Some(t) = self.current() else {
            return;
        };
        self.set_state(ClientState::Data);
        if self.txn.as_ref().is_some_and(|x| x.accepted.is_empty()) {
            // RFC 2920 §3.1: DATA accepted though every RCPT failed: send an empty message.
            self.output.extend_from_slice(b".\r\n");
        } else if t.raw_data {
            self.output.extend_from_slice(&t.message);
        } else {
            self.output.extend_from_slice(&encode_data(&t.message).wire);
        }
        self.push_pending(Expect::Dot, Some("<message data>".into()), false);
    }

    fn bdat_reply(&mut self, last: bool, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        if !ok {
            txn.bdat_failed = true;
        }
        let (pipelined, failed, sent) = (txn.pipelined, txn.bdat_failed, txn.chunks_sent);
        if last {
            if failed {
                self.abandon_txn(code);
            } else {
                self.finish_txn(code, ok);
            }
            return;
        }
        if pipelined {
            return;
        }
        if failed {
            self.abandon_txn(code);
            return;
        }
        if let Some(t) = self.current() {
            let chunks = bdat_chunks(&t.message, t.bdat_chunk.unwrap_or(1));
            if let Some(c) = chunks.get(sent) {
                self.send_chunk(c.data, c.last);
            }
        }
    }

    /// Ends the current transaction, if any, with a [`ClientEvent::TransactionDone`]; returns
    /// its index.
    fn report_txn(&mut self, code: u16, delivered: bool) -> Option<usize> {
        let txn = self.txn.take()?;
        let index = txn.index;
        self.push_event(ClientEvent::TransactionDone(TransactionOutcome {
            index,
            accepted: txn.accepted,
            rejected: txn.rejected,
            code,
            delivered,
        }));
        Some(index)
    }

    /// The transaction failed part-way: report, RSET, go on.
    fn abandon_txn(&mut self, code: u16) {
        let Some(index) = self.report_txn(code, false) else {
            return;
        };
        if self.stop_at(StopPoint::Dot) || self.plan_ref().quit_after.is_some() {
            self.quit();
            return;
        }
        self.rset_then(Some(index + 1));
    }

    fn finish_txn(&mut self, code: u16, ok: bool) {
        let Some(index) = self.report_txn(code, ok) else {
            return;
        };
        self.set_state(ClientState::Ready);
        if self.stop_at(StopPoint::Dot) {
            self.quit();
        } else if self.plan_ref().rset_between && index + 1 < self.plan_ref().transactions.len() {
            self.rset_then(Some(index + 1));
        } else {
            self.start_txn(index + 1);
        }
    }

    fn rset_then(&mut self, then: Option<usize>) {
        self.command(&Command::Rset, Expect::Rset { then });
    }

    fn quit(&mut self) {
        if matches!(self.state, ClientState::Quitting | ClientState::Closed) {
            return;
        }
        self.command(&Command::Quit, Expect::Quit);
        self.set_state(ClientState::Quitting);
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
