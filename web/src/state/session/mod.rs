//! The Session view: the core's [`ClientSession`] driven by hand (or by a plan) against a
//! server behind a [`Transport`] — the core's `ServerSession` running in the page, or a real
//! server through `mailscope serve`'s relay — with every byte on the wire kept and read back by
//! the core's transcript annotator.
//!
//! The reducer is [`SessionModel::apply`]; time comes in with each [`Action`] (the component
//! reads the clock, this module never does). Over the relay, what must be sent is queued and
//! taken with [`SessionModel::take_outbox`]; what the relay sends comes back as actions.
//!
//! By responsibility: [`form`] (settings and typed fields), [`bar`] (the command bar's open fields), [`pump`] (the byte pump and the
//! wire), [`notes`] (events as notes), [`transport`] (in-browser server or relay), [`live`]
//! (relay target and status), [`certificate`] (the TLS panel), [`error`] (what the reader is told
//! when an action is refused).

pub mod bar;
pub mod certificate;
pub mod error;
pub mod form;
pub mod live;
pub mod notes;
pub mod pump;
pub mod transport;

use mailscope_core::relay::{ClientFrame, RelayFrame, TlsMode};
use mailscope_core::smtp::auth::{ClientExchange, Credentials, Mechanism};
use mailscope_core::smtp::command::{parse_command, Command};
use mailscope_core::smtp::data::normalize_crlf;
use mailscope_core::smtp::session::server::sandbox;
use mailscope_core::smtp::session::{
    ClientPlan, ClientSession, ClientState, ServerConfig, ServerState, TlsPolicy, Transaction,
};
use mailscope_core::smtp::transcript::ladder::Ladder;
use mailscope_core::smtp::transcript::{AnnotatedTranscript, Direction, Format, Transcript};

use crate::state::i18n::key;
use crate::state::transcript::{export_text, rows, ExportSource, Row};
use certificate::{TlsInfo, TrustedCert, MAX_TRUSTED};
use error::SessionError;
use form::{
    command_from_line, mail_params, read_rules, read_users, rule_word, PlanInput, ServerFlag,
    RULE_LINE, USER_LINE,
};
use live::{RelayStatus, SocketEvent, TargetForm, TlsChoice};
use notes::{Note, NoteKind, NoteText, SIDE_CLIENT};
use pump::WireChunk;
use transport::{LocalServer, Outgoing, RelayPhase, RelayTransport, Transport};

/// The command a raw line is, when the client session can send it as that command: the core
/// reads the line (plus CRLF) as a command without findings, and writing that command gives back
/// the same bytes. Other lines go to the server as typed, outside the client session.
pub fn tracked_command(line: &str) -> Option<Command<'static>> {
    let mut bytes = line.as_bytes().to_vec();
    bytes.extend_from_slice(b"\r\n");
    parse_command(&bytes)
        .ok()
        .flatten()
        .filter(|(p, _)| p.lints.is_empty())
        .map(|(p, _)| p.command.into_owned())
        .filter(|c| c.to_bytes().is_ok_and(|b| b == bytes))
}

/// What the user can do in the Session view. `now` is the page clock in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start a manual session: a new in-browser server greets a new manual client.
    Connect {
        /// Clock.
        now: u64,
    },
    /// Forget the session (the transcript stays until the next connect).
    Disconnect,
    /// Send one command (queued instead while pipelining is on).
    Send {
        /// The command.
        command: Command<'static>,
        /// Clock.
        now: u64,
    },
    /// Send a command typed as a line (`MAIL FROM:<a@b> SIZE=10`), read by the core.
    SendLine {
        /// The line, without CRLF.
        line: String,
        /// Clock.
        now: u64,
    },
    /// A raw line, like telnet: sent as typed plus CRLF. If the core reads it as a command
    /// that writes back to the same bytes, the client session tracks it; otherwise the bytes
    /// go straight to the server.
    Raw {
        /// The line, without CRLF.
        line: String,
        /// Clock.
        now: u64,
    },
    /// Start AUTH with the mechanism (the initial response is sent when it has one).
    AuthStart {
        /// Mechanism.
        mechanism: Mechanism,
        /// Credentials.
        credentials: Credentials,
        /// Clock.
        now: u64,
    },
    /// Answer the last `334` challenge with the exchange started by [`Action::AuthStart`].
    AuthContinue {
        /// Clock.
        now: u64,
    },
    /// Send the message after `354` (CRLF-normalised, dot-stuffed, terminated by the core).
    Message {
        /// The message text.
        text: String,
        /// Clock.
        now: u64,
    },
    /// Send one BDAT chunk (line endings made CRLF, no dot-stuffing: RFC 3030 §2).
    Bdat {
        /// The chunk text.
        text: String,
        /// `BDAT n LAST`.
        last: bool,
        /// Clock.
        now: u64,
    },
    /// Pipelining on or off: while on, commands are queued and sent in one write.
    SetPipelining(bool),
    /// Show or mask AUTH secrets in the transcript.
    RevealSecrets(bool),
    /// Send the queued group in one write.
    SendGroup {
        /// Clock.
        now: u64,
    },
    /// Drop the queued group.
    ClearGroup,
    /// Run a whole planned session from connect to QUIT (or the stop point).
    Run {
        /// The plan.
        plan: Box<PlanInput>,
        /// Clock.
        now: u64,
    },
    /// Flip a server switch (used at the next connect).
    SetFlag(ServerFlag, bool),
    /// The server's host name.
    SetHostname(String),
    /// AUTH users, one `user:password` per line.
    SetUsers(String),
    /// Failing recipients, one `address-or-domain 550|5.7.1|452|451` per line.
    SetRecipientRules(String),
    /// Let the clock run (timeouts).
    Tick {
        /// Clock.
        now: u64,
    },
    /// Choose where the next session goes.
    SetTarget(TargetForm),
    /// Ask the relay for a domain's MX records.
    Resolve {
        /// The domain.
        domain: String,
    },
    /// The relay socket changed state.
    Socket(SocketEvent),
    /// A control frame from the relay.
    Frame {
        /// The frame.
        frame: RelayFrame,
        /// Clock.
        now: u64,
    },
    /// A binary frame from the relay: bytes from the server.
    Bytes {
        /// The bytes.
        bytes: Vec<u8>,
        /// Clock.
        now: u64,
    },
    /// The answer to an untrusted certificate: continue anyway (`true`) or close.
    Trust {
        /// Continue.
        go_on: bool,
        /// Clock.
        now: u64,
    },
    /// Trust the certificate shown, exactly, on this browser (it is remembered), and go on.
    TrustCertificate {
        /// Clock (ms since the Unix epoch: the certificate's validity is judged against it).
        now: u64,
    },
    /// Stop trusting a certificate trusted with [`Action::TrustCertificate`].
    ForgetCertificate {
        /// Its SHA-256 fingerprint.
        sha256: String,
    },
}

struct Connection {
    client: ClientSession,
    transport: Transport,
    /// Feed the server's replies to the client (off after a raw line the client did not send).
    client_tracks: bool,
}

/// The Session view's state.
pub struct SessionModel {
    /// The in-browser server's configuration (used at the next connect).
    pub config: ServerConfig,
    /// The users as typed.
    pub users_text: String,
    /// The recipient rules as typed.
    pub rules_text: String,
    /// Problems in the typed users or rules.
    pub config_errors: Vec<NoteText>,
    conn: Option<Connection>,
    started_at: u64,
    /// Every byte on the wire, both directions, in order.
    pub wire: Vec<u8>,
    /// The writes that make up [`SessionModel::wire`].
    pub chunks: Vec<WireChunk>,
    /// Events that are not wire lines.
    pub notes: Vec<Note>,
    /// The wire read back as a transcript by the core.
    pub transcript: Transcript,
    /// The core's annotation of [`SessionModel::transcript`].
    pub annotated: AnnotatedTranscript,
    /// Pipelining toggle.
    pub pipelining: bool,
    /// Certificates the user trusts on this browser (kept in `localStorage` by the view).
    pub trusted: Vec<TrustedCert>,
    /// Show AUTH secrets (password, token, the base64 lines carrying them) in the transcript;
    /// masked by default so a screen or an export can be shared.
    pub reveal_secrets: bool,
    /// Commands queued while pipelining.
    pub group: Vec<Command<'static>>,
    /// The core's ladder diagram of the dialogue, from the writes on the wire: its round trips
    /// and what pipelining saved are the figures every transport shows.
    pub ladder: Ladder,
    /// The last `334` challenge text.
    pub challenge: Option<String>,
    auth: Option<ClientExchange>,
    /// The last error of an action (bad input, nothing to answer, …).
    pub error: Option<SessionError>,
    /// Messages the in-browser server accepted: (queue id, size).
    pub received: Vec<(String, usize)>,
    /// The server reached its end (closed).
    pub server_closed: bool,
    /// Where sessions go.
    pub target: TargetForm,
    /// The relay socket, `hello`, MX answers, errors.
    pub relay: RelayStatus,
    outbox: Vec<Outgoing>,
    /// The latest clock seen (for events that come without one).
    clock: u64,
}

impl Default for SessionModel {
    fn default() -> Self {
        let mut config = ServerConfig {
            auth_mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
            ..ServerConfig::default()
        };
        config.starttls = true;
        // The sandbox's demo users and failing recipients, so what a reader learns here holds
        // on the sandbox of `mailscope serve` too (and the lessons run on both).
        let users_text: String = sandbox::DEMO_USERS
            .iter()
            .map(|(u, p)| format!("{u}:{p}\n"))
            .collect();
        let rules_text: String = sandbox::LESSON_RECIPIENTS
            .iter()
            .map(|(address, action)| format!("{address} {}\n", rule_word(*action)))
            .collect();
        let mut m = SessionModel {
            config,
            users_text: String::new(),
            rules_text: String::new(),
            config_errors: Vec::new(),
            conn: None,
            started_at: 0,
            wire: Vec::new(),
            chunks: Vec::new(),
            notes: Vec::new(),
            transcript: Transcript::parse_as(b"", Format::Raw),
            annotated: Transcript::parse_as(b"", Format::Raw).annotate(),
            pipelining: false,
            reveal_secrets: false,
            trusted: Vec::new(),
            group: Vec::new(),
            ladder: Ladder::default(),
            challenge: None,
            auth: None,
            error: None,
            received: Vec::new(),
            server_closed: false,
            target: TargetForm::default(),
            relay: RelayStatus::default(),
            outbox: Vec::new(),
            clock: 0,
        };
        m.apply(Action::SetUsers(users_text));
        m.apply(Action::SetRecipientRules(rules_text));
        m
    }
}

impl SessionModel {
    /// Whether a session is open.
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(Connection::is_open)
    }

    /// Frames to send to the relay, in order (drained by the component after each action).
    pub fn take_outbox(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outbox)
    }

    /// The relay connection's phase, when the session goes through the relay.
    pub fn relay_phase(&self) -> Option<RelayPhase> {
        self.conn
            .as_ref()
            .and_then(|c| c.transport.relay())
            .map(|r| r.phase)
    }

    /// The last TLS report of the relay connection.
    pub fn tls_info(&self) -> Option<&TlsInfo> {
        self.conn
            .as_ref()
            .and_then(|c| c.transport.relay())
            .and_then(|r| r.tls_info.as_ref())
    }

    /// How many replies the client session waits for (0 when not connected).
    pub fn awaiting_replies(&self) -> usize {
        self.conn
            .as_ref()
            .filter(|c| c.is_open())
            .map_or(0, |c| c.client.awaiting_replies())
    }

    /// Whether an untrusted certificate waits for the user's decision.
    pub fn awaiting_trust(&self) -> bool {
        self.relay_phase() == Some(RelayPhase::Untrusted)
    }

    /// The peer of the relay connection: address, MX host, connect time.
    pub fn peer(&self) -> Option<&(String, Option<String>, u64)> {
        self.conn
            .as_ref()
            .and_then(|c| c.transport.relay())
            .and_then(|r| r.peer.as_ref())
    }

    /// The client session's state, if connected.
    pub fn client_state(&self) -> Option<ClientState> {
        self.conn.as_ref().map(|c| c.client.state())
    }

    /// The in-browser server session's state, if connected to it.
    pub fn server_state(&self) -> Option<ServerState> {
        self.conn.as_ref().and_then(|c| c.transport.server_state())
    }

    /// Whether the (simulated) TLS is up.
    pub fn is_tls(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.client.is_tls())
    }

    /// Whether AUTH succeeded.
    pub fn is_authenticated(&self) -> bool {
        self.conn
            .as_ref()
            .is_some_and(|c| c.client.is_authenticated())
    }

    /// Whether the server waits for the message (after `354`).
    pub fn ready_for_data(&self) -> bool {
        self.client_state() == Some(ClientState::Data)
    }

    /// The rows of the transcript pane.
    pub fn rows(&self) -> Vec<Row> {
        rows(&self.annotated, &self.wire, |offset| {
            self.chunks
                .iter()
                .find(|c| c.span.start <= offset && offset < c.span.end)
                .map(|c| c.at_ms)
        })
    }

    /// The session as `S:`/`C:` text.
    pub fn export_text(&self) -> String {
        export_text(&self.transcript)
    }

    /// What the session's JSON export is made from (the parse worker writes it).
    pub fn export_source(&self) -> ExportSource {
        ExportSource::Wire {
            wire: self.wire.clone(),
            chunks: self.wire_chunks(),
        }
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        self.error = None;
        self.apply_inner(action);
        if let Some(conn) = self.conn.as_mut() {
            self.outbox.extend(conn.transport.take_output());
        }
    }

    fn apply_inner(&mut self, action: Action) {
        match action {
            Action::Connect { now } => self.connect(ClientSession::manual(), now),
            Action::Disconnect => {
                if let Some(conn) = self.conn.as_mut() {
                    conn.transport.close();
                    self.outbox.extend(conn.transport.take_output());
                }
                self.conn = None;
                self.group.clear();
                self.auth = None;
                self.challenge = None;
                // Ended now: judged as a whole dialogue.
                self.reannotate();
            }
            Action::Send { command, now } => self.send(command, now),
            Action::SendLine { line, now } => match command_from_line(&line) {
                Ok(command) => self.send(command, now),
                Err(e) => self.error = Some(e),
            },
            Action::Raw { line, now } => self.raw(&line, now),
            Action::AuthStart {
                mechanism,
                credentials,
                now,
            } => match ClientExchange::new(mechanism, credentials) {
                Ok(ex) => {
                    let command = Command::auth(
                        ex.mechanism().to_string(),
                        ex.initial_response().map(Into::into),
                    );
                    self.auth = Some(ex);
                    self.send(command, now);
                }
                Err(e) => self.error = Some(SessionError::Auth(e)),
            },
            Action::AuthContinue { now } => self.auth_continue(now),
            Action::Message { text, now } => {
                let Some(conn) = self.live() else { return };
                if conn.client.state() != ClientState::Data {
                    self.error = Some(SessionError::NotAskedForMessage);
                    return;
                }
                conn.client.send_message(text.as_bytes());
                self.pump(now);
            }
            Action::Bdat { text, last, now } => {
                let Some(conn) = self.live() else { return };
                let chunk = normalize_crlf(text.as_bytes()).bytes;
                conn.client.send_bdat(&chunk, last);
                self.pump(now);
            }
            Action::SetPipelining(on) => {
                self.pipelining = on;
            }
            Action::RevealSecrets(on) => {
                self.reveal_secrets = on;
                self.reannotate();
            }
            Action::SendGroup { now } => self.send_group(now),
            Action::ClearGroup => self.group.clear(),
            Action::Run { plan, now } => self.run(*plan, now),
            Action::SetFlag(flag, on) => flag.set(&mut self.config, on),
            Action::SetHostname(name) => self.config.hostname = name,
            Action::SetUsers(text) => {
                let (users, problems) = read_users(&text);
                self.config_errors.retain(|e| !e.is(USER_LINE));
                self.config_errors.extend(problems);
                self.config.users = users;
                self.users_text = text;
            }
            Action::SetRecipientRules(text) => {
                let (rules, problems) = read_rules(&text);
                self.config_errors.retain(|e| !e.is(RULE_LINE));
                self.config_errors.extend(problems);
                self.config.recipient_rules = rules;
                self.rules_text = text;
            }
            Action::Tick { now } => {
                if self.conn.is_some() {
                    self.pump(now);
                }
            }
            Action::SetTarget(target) => self.target = target,
            Action::Resolve { domain } => {
                let domain = domain.trim().to_string();
                if domain.is_empty() {
                    self.error = Some(SessionError::NoDomain);
                } else if !self.relay.is_open() {
                    self.error = Some(SessionError::RelayNotLinked);
                } else {
                    self.relay.resolving = Some(domain.clone());
                    self.relay.resolved = None;
                    self.outbox
                        .push(Outgoing::Frame(ClientFrame::Resolve { domain }));
                }
            }
            Action::Socket(event) => {
                let dropped = matches!(event, SocketEvent::Closed { .. });
                self.relay.on_socket(event);
                if dropped {
                    if let Some(r) = self.conn.as_mut().and_then(|c| c.transport.relay_mut()) {
                        r.handle_frame(RelayFrame::Closed {
                            by: mailscope_core::relay::Closer::Relay,
                            reason: "the WebSocket to the relay closed".into(),
                        });
                    }
                    self.outbox.clear();
                }
                if self.conn.is_some() {
                    self.pump(self.clock);
                }
            }
            Action::Frame { frame, now } => {
                self.relay.on_frame(&frame);
                if let Some(r) = self.conn.as_mut().and_then(|c| c.transport.relay_mut()) {
                    r.handle_frame(frame);
                    self.pump(now);
                }
                self.accept_if_trusted(now);
            }
            Action::Bytes { bytes, now } => {
                if let Some(r) = self.conn.as_mut().and_then(|c| c.transport.relay_mut()) {
                    r.handle_bytes(bytes);
                    self.pump(now);
                }
            }
            Action::Trust { go_on, now } => {
                if let Some(r) = self.conn.as_mut().and_then(|c| c.transport.relay_mut()) {
                    r.decide(go_on);
                    self.pump(now);
                }
            }
            Action::TrustCertificate { now } => {
                let peer = self.peer().map(|p| p.0.clone());
                let Some(entry) = self.tls_info().and_then(|i| i.trust_entry(peer.as_deref()))
                else {
                    return;
                };
                self.trusted.retain(|t| *t != entry);
                self.trusted.push(entry);
                let extra = self.trusted.len().saturating_sub(MAX_TRUSTED);
                self.trusted.drain(..extra);
                self.accept_if_trusted(now);
            }
            Action::ForgetCertificate { sha256 } => self.trusted.retain(|t| t.sha256 != sha256),
        }
    }

    /// Goes on past an untrusted certificate the user trusts on this browser.
    fn accept_if_trusted(&mut self, now: u64) {
        let peer = self.peer().map(|p| p.0.clone());
        let trusted = self.awaiting_trust()
            && self
                .tls_info()
                .is_some_and(|i| i.is_trusted_in(&self.trusted, peer.as_deref(), now));
        if !trusted {
            return;
        }
        if let Some(r) = self.conn.as_mut().and_then(|c| c.transport.relay_mut()) {
            r.accept_pinned();
            self.pump(now);
        }
    }

    fn live(&mut self) -> Option<&mut Connection> {
        match self.relay_phase() {
            Some(RelayPhase::Untrusted) => {
                self.error = Some(SessionError::CertificateUndecided);
                return None;
            }
            Some(RelayPhase::Handshake) => {
                self.error = Some(SessionError::HandshakePending);
                return None;
            }
            _ => {}
        }
        if self.conn.as_ref().is_some_and(Connection::is_open) {
            self.conn.as_mut()
        } else {
            self.error = Some(SessionError::NotConnected);
            None
        }
    }

    fn connect(&mut self, client: ClientSession, now: u64) {
        let frame = match self.target.connect_frame() {
            Ok(frame) => frame,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        if frame.is_some() && !self.relay.is_open() {
            self.error = Some(SessionError::RelayNotLinked);
            return;
        }
        if let Some(conn) = self.conn.as_mut() {
            conn.transport.close();
            self.outbox.extend(conn.transport.take_output());
        }
        self.wire.clear();
        self.chunks.clear();
        self.notes.clear();
        self.group.clear();
        self.received.clear();
        self.challenge = None;
        self.auth = None;
        self.server_closed = false;
        self.started_at = now;
        let mut client = client;
        client.handle_time(now);
        let transport = match frame {
            Some(ClientFrame::Connect { target, tls, sni }) => {
                if tls == TlsMode::Implicit {
                    client = client.with_implicit_tls();
                }
                Transport::Relay(Box::new(RelayTransport::new(target, tls, sni)))
            }
            _ => Transport::InBrowser(Box::new(LocalServer::new(self.config.clone(), now))),
        };
        self.conn = Some(Connection {
            client,
            transport,
            client_tracks: true,
        });
        self.pump(now);
    }

    fn send(&mut self, command: Command<'static>, now: u64) {
        if self.challenge.is_some() {
            // The server would take the command for the SASL answer (RFC 4954 §4).
            self.error = Some(SessionError::SaslInProgress);
            return;
        }
        if self.pipelining {
            self.group.push(command);
            return;
        }
        let Some(conn) = self.live() else { return };
        conn.client_tracks = true;
        if let Err(e) = conn.client.send(&command) {
            self.error = Some(SessionError::Command(e));
            return;
        }
        self.pump(now);
    }

    fn send_group(&mut self, now: u64) {
        if self.group.is_empty() {
            self.error = Some(SessionError::NothingQueued);
            return;
        }
        if self.challenge.is_some() {
            self.error = Some(SessionError::SaslInProgress);
            return;
        }
        let group = std::mem::take(&mut self.group);
        let Some(conn) = self.live() else { return };
        conn.client_tracks = true;
        for command in &group {
            if let Err(e) = conn.client.send(command) {
                self.error = Some(SessionError::Command(e));
                break;
            }
        }
        self.pump(now);
    }

    fn raw(&mut self, line: &str, now: u64) {
        let command = tracked_command(line);
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        let Some(conn) = self.live() else { return };
        match command {
            Some(command) => {
                conn.client_tracks = true;
                if let Err(e) = conn.client.send(&command) {
                    self.error = Some(SessionError::Command(e));
                    return;
                }
            }
            None => {
                // Straight to the server: the client session neither sent it nor expects the
                // reply, so it stops reading replies until the next tracked command.
                conn.client_tracks = false;
                conn.transport.send(&bytes);
                let tls = conn.client.is_tls();
                self.log(Direction::Client, &bytes, now, tls);
                self.note(
                    now,
                    SIDE_CLIENT,
                    NoteText::fixed(key(
                        "Raw line sent as typed, outside the client session (it does not read the reply).",
                    )),
                    NoteKind::Info,
                );
            }
        }
        self.pump(now);
    }

    fn auth_continue(&mut self, now: u64) {
        let (Some(ex), Some(challenge)) = (self.auth.as_mut(), self.challenge.clone()) else {
            self.error = Some(SessionError::NoChallenge);
            return;
        };
        match ex.respond(&challenge) {
            Ok(line) => {
                let Some(conn) = self.live() else { return };
                if let Err(e) = conn.client.send_auth_response(&line) {
                    self.error = Some(SessionError::Command(e));
                    return;
                }
                self.challenge = None;
                self.pump(now);
            }
            Err(e) => self.error = Some(SessionError::Auth(e)),
        }
    }

    fn run(&mut self, plan: PlanInput, now: u64) {
        let params = match mail_params(&plan.from, &plan.mail_params) {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        let client_plan = ClientPlan {
            helo_name: plan.helo,
            ehlo: true,
            starttls: if self.target.is_relay() && self.target.tls == TlsChoice::Starttls {
                TlsPolicy::Required
            } else if plan.starttls {
                TlsPolicy::IfOffered
            } else {
                TlsPolicy::Never
            },
            auth: plan.auth,
            pipelining: self.pipelining,
            transactions: vec![Transaction {
                from: plan.from,
                params,
                rcpts: plan.rcpts,
                message: plan.message.into_bytes(),
                ..Transaction::default()
            }],
            rset_between: false,
            quit_after: plan.stop_after,
        };
        self.connect(ClientSession::new(client_plan), now);
    }
}

impl Connection {
    fn is_open(&self) -> bool {
        !self.client.is_closed()
            && self
                .transport
                .relay()
                .is_none_or(|r| r.phase != RelayPhase::Closed)
    }
}

#[cfg(test)]
mod tests;
