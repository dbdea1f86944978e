//! The Session view: the core's [`ClientSession`] driven by hand (or by a plan) against a
//! server behind a [`Transport`] — the core's `ServerSession` running in the page, or a real
//! server through `mailscope serve`'s relay — with every byte on the wire kept and read back by
//! the core's transcript annotator.
//!
//! The reducer is [`SessionModel::apply`]; time comes in with each [`Action`] (the component
//! reads the clock, this module never does). Over the relay, what must be sent is queued and
//! taken with [`SessionModel::take_outbox`]; what the relay sends comes back as actions.

use std::collections::BTreeMap;

use mailscope_core::i18n as core_i18n;
use mailscope_core::mime::build::{Attachment, MessageBuilder, NameAddr};
use mailscope_core::relay::{ClientFrame, RelayFrame, TlsMode};
use mailscope_core::smtp::auth::{
    decode_exchange, AuthFailure, ClientExchange, Credentials, DecodedAuth, Mechanism,
};
use mailscope_core::smtp::command::{parse_command, Command};
use mailscope_core::smtp::data::normalize_crlf;
use mailscope_core::smtp::session::{
    ClientError, ClientEvent, ClientPlan, ClientSession, ClientState, RecipientAction,
    RecipientRule, ServerConfig, ServerEvent, ServerState, StopPoint, TlsPolicy, Transaction,
};
use mailscope_core::smtp::transcript::{AnnotatedTranscript, Direction, Format, Transcript};
use mailscope_core::span::Span;

pub mod certificate;
pub mod live;
pub mod transport;

use crate::state::i18n::{key, trf, Lang};
use crate::state::transcript::{export_text, read_wire, rows, ExportSource, Row};
use certificate::TlsInfo;
use live::{RelayStatus, SocketEvent, TargetForm, TlsChoice};
use transport::{Incoming, LocalServer, Outgoing, RelayPhase, RelayTransport, Transport};

/// Most wire bytes kept for one session (the in-browser server keeps messages up to its SIZE).
pub const MAX_WIRE_BYTES: usize = 16 * 1024 * 1024;
/// Most notes kept.
pub const MAX_NOTES: usize = 1000;
/// Most transfer steps in one pump (a safety net; a session settles in a few).
const MAX_PUMP_STEPS: usize = 10_000;

/// One write on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireChunk {
    /// Who wrote it.
    pub direction: Direction,
    /// Its bytes in [`SessionModel::wire`].
    pub span: Span,
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// Written inside TLS.
    pub tls: bool,
}

/// How bad a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// Something happened.
    Info,
    /// Something went wrong.
    Error,
}

/// Who reported a note: English keys for [`tr`](crate::state::i18n::tr).
pub const SIDE_CLIENT: &str = key("client");
/// The server session (in the page) reported it.
pub const SIDE_SERVER: &str = key("server");
/// The relay reported it.
pub const SIDE_RELAY: &str = key("relay");

/// The words of a note (or of a problem in the server settings), kept apart from the language:
/// the view renders them for the reader with [`NoteText::render`]. Values that are data
/// (addresses, codes, cipher names, the server's or the relay's own text) are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteText {
    /// An English template with `{name}` holes, marked with [`key`], and its values.
    Template {
        /// The English template (the translation key).
        template: &'static str,
        /// The values, by hole name; free text last (so it is never searched for holes).
        args: Vec<(&'static str, String)>,
    },
    /// An error of the core's client session, worded by the core.
    Client(ClientError),
    /// A protocol violation the core's server session refused, worded by the core.
    Violation(String),
    /// The in-browser server refused an AUTH exchange.
    AuthFailed {
        /// The mechanism.
        mechanism: String,
        /// Why (the core words it; its reply is data).
        reason: AuthFailure,
    },
}

impl NoteText {
    /// A template without values.
    pub fn fixed(template: &'static str) -> NoteText {
        NoteText::Template {
            template,
            args: Vec::new(),
        }
    }

    /// Whether this is `template` (with any values).
    pub fn is(&self, template: &str) -> bool {
        matches!(self, NoteText::Template { template: t, .. } if *t == template)
    }

    /// A template with values.
    pub fn with(template: &'static str, args: Vec<(&'static str, String)>) -> NoteText {
        NoteText::Template { template, args }
    }

    /// The note in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            NoteText::Template { template, args } => {
                let args: Vec<(&str, &dyn std::fmt::Display)> = args
                    .iter()
                    .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
                    .collect();
                trf(lang, template, &args)
            }
            NoteText::Client(e) => core_i18n::client_error(lang, e),
            NoteText::Violation(message) => core_i18n::violation(lang, message),
            NoteText::AuthFailed { mechanism, reason } => trf(
                lang,
                "AUTH {mechanism} refused: {why} (the server answers {reply}).",
                &[
                    ("mechanism", mechanism),
                    ("why", &core_i18n::auth_failure(lang, *reason)),
                    ("reply", reason),
                ],
            ),
        }
    }
}

/// The name of a client session state as the status line shows it (English key).
pub fn client_state_label(state: ClientState) -> &'static str {
    match state {
        ClientState::Connecting => key("connecting"),
        ClientState::Greeting => key("waiting for the greeting"),
        ClientState::Ready => key("ready"),
        ClientState::TlsPending => key("TLS handshake pending"),
        ClientState::Auth => key("authenticating"),
        ClientState::Mail => key("mail"),
        ClientState::Rcpt => key("rcpt"),
        ClientState::Data => key("data"),
        ClientState::Quitting => key("quitting"),
        ClientState::Closed => key("closed"),
    }
}

/// The name of the in-browser server's state as the status line shows it (English key).
pub fn server_state_label(state: ServerState) -> &'static str {
    match state {
        ServerState::Connected => key("connected"),
        ServerState::Ready => key("ready"),
        ServerState::Mail => key("mail"),
        ServerState::Rcpt => key("rcpt"),
        ServerState::Data => key("data"),
        ServerState::Bdat => key("bdat"),
        ServerState::Auth => key("authenticating"),
        ServerState::TlsPending => key("TLS handshake pending"),
        ServerState::Closed => key("closed"),
    }
}

/// Something the client or the server session reported that is not a line on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// [`SIDE_CLIENT`], [`SIDE_SERVER`] or [`SIDE_RELAY`] (English keys).
    pub side: &'static str,
    /// What happened.
    pub text: NoteText,
    /// How bad.
    pub kind: NoteKind,
}

impl Note {
    /// What happened, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.text.render(lang)
    }
}

/// The in-browser server's switches, as shown in the settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFlag {
    /// PIPELINING.
    Pipelining,
    /// STARTTLS.
    StartTls,
    /// 8BITMIME.
    EightBitMime,
    /// SMTPUTF8.
    SmtpUtf8,
    /// ENHANCEDSTATUSCODES.
    EnhancedStatusCodes,
    /// CHUNKING.
    Chunking,
    /// DSN.
    Dsn,
    /// Offer AUTH PLAIN.
    AuthPlain,
    /// Offer AUTH LOGIN.
    AuthLogin,
    /// Offer AUTH CRAM-MD5.
    AuthCramMd5,
    /// MAIL needs AUTH first.
    RequireAuth,
    /// AUTH only after STARTTLS.
    RequireTlsForAuth,
    /// Refuse bare CR/LF in DATA.
    RejectBareNewlines,
    /// Greet with 421.
    FaultGreeting421,
    /// MAIL gets 451.
    FaultMail451,
    /// DATA gets 451.
    FaultData451,
    /// The end of data gets 554.
    FaultMessage554,
}

impl ServerFlag {
    /// Every switch, in form order.
    pub const ALL: [ServerFlag; 17] = [
        ServerFlag::Pipelining,
        ServerFlag::StartTls,
        ServerFlag::EightBitMime,
        ServerFlag::SmtpUtf8,
        ServerFlag::EnhancedStatusCodes,
        ServerFlag::Chunking,
        ServerFlag::Dsn,
        ServerFlag::AuthPlain,
        ServerFlag::AuthLogin,
        ServerFlag::AuthCramMd5,
        ServerFlag::RequireAuth,
        ServerFlag::RequireTlsForAuth,
        ServerFlag::RejectBareNewlines,
        ServerFlag::FaultGreeting421,
        ServerFlag::FaultMail451,
        ServerFlag::FaultData451,
        ServerFlag::FaultMessage554,
    ];

    /// Label in the form.
    pub fn label(self) -> &'static str {
        match self {
            ServerFlag::Pipelining => key("PIPELINING (RFC 2920)"),
            ServerFlag::StartTls => key("STARTTLS (RFC 3207, simulated)"),
            ServerFlag::EightBitMime => key("8BITMIME (RFC 6152)"),
            ServerFlag::SmtpUtf8 => key("SMTPUTF8 (RFC 6531)"),
            ServerFlag::EnhancedStatusCodes => key("ENHANCEDSTATUSCODES (RFC 2034)"),
            ServerFlag::Chunking => key("CHUNKING / BDAT (RFC 3030)"),
            ServerFlag::Dsn => key("DSN (RFC 3461)"),
            ServerFlag::AuthPlain => key("AUTH PLAIN (RFC 4616)"),
            ServerFlag::AuthLogin => key("AUTH LOGIN"),
            ServerFlag::AuthCramMd5 => key("AUTH CRAM-MD5 (RFC 2195)"),
            ServerFlag::RequireAuth => key("Require AUTH before MAIL (530)"),
            ServerFlag::RequireTlsForAuth => key("AUTH only after STARTTLS (538)"),
            ServerFlag::RejectBareNewlines => key("Refuse bare CR/LF in DATA (554)"),
            ServerFlag::FaultGreeting421 => key("Fault: greet with 421 and close"),
            ServerFlag::FaultMail451 => key("Fault: MAIL gets 451"),
            ServerFlag::FaultData451 => key("Fault: DATA gets 451"),
            ServerFlag::FaultMessage554 => key("Fault: end of data gets 554"),
        }
    }

    fn mechanism(self) -> Option<Mechanism> {
        match self {
            ServerFlag::AuthPlain => Some(Mechanism::Plain),
            ServerFlag::AuthLogin => Some(Mechanism::Login),
            ServerFlag::AuthCramMd5 => Some(Mechanism::CramMd5),
            _ => None,
        }
    }

    /// Whether the switch is on in `config`.
    pub fn get(self, config: &ServerConfig) -> bool {
        if let Some(m) = self.mechanism() {
            return config.auth_mechanisms.contains(&m);
        }
        match self {
            ServerFlag::Pipelining => config.pipelining,
            ServerFlag::StartTls => config.starttls,
            ServerFlag::EightBitMime => config.eight_bit_mime,
            ServerFlag::SmtpUtf8 => config.smtputf8,
            ServerFlag::EnhancedStatusCodes => config.enhanced_status_codes,
            ServerFlag::Chunking => config.chunking,
            ServerFlag::Dsn => config.dsn,
            ServerFlag::RequireAuth => config.require_auth,
            ServerFlag::RequireTlsForAuth => config.require_tls_for_auth,
            ServerFlag::RejectBareNewlines => config.reject_bare_newlines,
            ServerFlag::FaultGreeting421 => config.faults.greeting_421,
            ServerFlag::FaultMail451 => config.faults.mail_451,
            ServerFlag::FaultData451 => config.faults.data_451,
            ServerFlag::FaultMessage554 => config.faults.message_554,
            ServerFlag::AuthPlain | ServerFlag::AuthLogin | ServerFlag::AuthCramMd5 => false,
        }
    }

    fn set(self, config: &mut ServerConfig, on: bool) {
        if let Some(m) = self.mechanism() {
            config.auth_mechanisms.retain(|x| *x != m);
            if on {
                config.auth_mechanisms.push(m);
                config.auth_mechanisms.sort();
            }
            return;
        }
        let field = match self {
            ServerFlag::Pipelining => &mut config.pipelining,
            ServerFlag::StartTls => &mut config.starttls,
            ServerFlag::EightBitMime => &mut config.eight_bit_mime,
            ServerFlag::SmtpUtf8 => &mut config.smtputf8,
            ServerFlag::EnhancedStatusCodes => &mut config.enhanced_status_codes,
            ServerFlag::Chunking => &mut config.chunking,
            ServerFlag::Dsn => &mut config.dsn,
            ServerFlag::RequireAuth => &mut config.require_auth,
            ServerFlag::RequireTlsForAuth => &mut config.require_tls_for_auth,
            ServerFlag::RejectBareNewlines => &mut config.reject_bare_newlines,
            ServerFlag::FaultGreeting421 => &mut config.faults.greeting_421,
            ServerFlag::FaultMail451 => &mut config.faults.mail_451,
            ServerFlag::FaultData451 => &mut config.faults.data_451,
            ServerFlag::FaultMessage554 => &mut config.faults.message_554,
            ServerFlag::AuthPlain | ServerFlag::AuthLogin | ServerFlag::AuthCramMd5 => return,
        };
        *field = on;
    }
}

/// A whole planned session, run by the core's client on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    /// The EHLO name.
    pub helo: String,
    /// Use STARTTLS when offered.
    pub starttls: bool,
    /// AUTH with these, when given.
    pub auth: Option<(Mechanism, Credentials)>,
    /// The reverse path.
    pub from: String,
    /// MAIL parameters as typed (`SIZE=… BODY=8BITMIME`).
    pub mail_params: String,
    /// Recipients.
    pub rcpts: Vec<String>,
    /// The message (typed text; CRLF-normalised and dot-stuffed by the core).
    pub message: String,
    /// Stop and QUIT after this point, like swaks' `--quit-after`.
    pub stop_after: Option<StopPoint>,
}

/// Every stop point with its label, for the "stop after" picker.
pub const STOP_POINTS: [(StopPoint, &str); 9] = [
    (StopPoint::Connect, key("connect (greeting)")),
    (StopPoint::FirstHelo, key("first EHLO")),
    (StopPoint::Tls, key("TLS")),
    (StopPoint::Helo, key("EHLO")),
    (StopPoint::Auth, key("AUTH")),
    (StopPoint::Mail, key("MAIL")),
    (StopPoint::Rcpt, key("RCPT")),
    (StopPoint::Data, key("DATA")),
    (StopPoint::Dot, key("end of data (.)")),
];

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
    /// Failing recipients, one `address-or-domain 550|452|451` per line.
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
    /// Commands queued while pipelining.
    pub group: Vec<Command<'static>>,
    /// Round trips made (a write followed by waiting for the replies).
    pub round_trips: usize,
    /// Round trips saved by sending groups.
    pub round_trips_saved: usize,
    /// The last `334` challenge text.
    pub challenge: Option<String>,
    auth: Option<ClientExchange>,
    /// The last error of an action (bad input, nothing to answer, …).
    pub error: Option<String>,
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
        let users_text = "alice:wonderland\n".to_string();
        let rules_text =
            "nobody@mailscope.test 550\nfull@mailscope.test 452\ngreylist.test 451\n".to_string();
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
            group: Vec::new(),
            round_trips: 0,
            round_trips_saved: 0,
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

fn rule_action(word: &str) -> Option<RecipientAction> {
    match word {
        "550" | "reject" => Some(RecipientAction::Reject),
        "452" | "full" => Some(RecipientAction::MailboxFull),
        "451" | "defer" | "greylist" => Some(RecipientAction::Defer),
        "250" | "accept" => Some(RecipientAction::Accept),
        _ => None,
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

    /// The writes as [`read_wire`] takes them.
    fn wire_chunks(&self) -> Vec<(Span, Direction, bool)> {
        self.chunks
            .iter()
            .map(|c| (c.span, c.direction, c.tls))
            .collect()
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
                Err(e) => self.error = Some(e.to_string()),
            },
            Action::AuthContinue { now } => self.auth_continue(now),
            Action::Message { text, now } => {
                let Some(conn) = self.live() else { return };
                if conn.client.state() != ClientState::Data {
                    self.error = Some("The server has not asked for the message: send DATA and wait for 354 first.".into());
                    return;
                }
                conn.client.send_message(text.as_bytes());
                self.round_trip(now);
            }
            Action::Bdat { text, last, now } => {
                let Some(conn) = self.live() else { return };
                let chunk = normalize_crlf(text.as_bytes()).bytes;
                conn.client.send_bdat(&chunk, last);
                self.round_trip(now);
            }
            Action::SetPipelining(on) => {
                self.pipelining = on;
            }
            Action::SendGroup { now } => self.send_group(now),
            Action::ClearGroup => self.group.clear(),
            Action::Run { plan, now } => self.run(*plan, now),
            Action::SetFlag(flag, on) => flag.set(&mut self.config, on),
            Action::SetHostname(name) => self.config.hostname = name,
            Action::SetUsers(text) => {
                let mut users = BTreeMap::new();
                self.config_errors.retain(|e| !e.is(USER_LINE));
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    match line.trim().split_once(':') {
                        Some((u, p)) if !u.is_empty() => {
                            users.insert(u.to_string(), p.to_string());
                        }
                        _ => self.config_errors.push(NoteText::with(
                            USER_LINE,
                            vec![("line", format!("{line:?}"))],
                        )),
                    }
                }
                self.config.users = users;
                self.users_text = text;
            }
            Action::SetRecipientRules(text) => {
                let mut rules = Vec::new();
                self.config_errors.retain(|e| !e.is(RULE_LINE));
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let mut words = line.split_whitespace();
                    match (words.next(), words.next().and_then(rule_action)) {
                        (Some(pattern), Some(action)) => rules.push(RecipientRule {
                            pattern: pattern.to_string(),
                            action,
                        }),
                        _ => self.config_errors.push(NoteText::with(
                            RULE_LINE,
                            vec![("line", format!("{line:?}"))],
                        )),
                    }
                }
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
                    self.error = Some("Type a domain to look up its MX records.".into());
                } else if !self.relay.is_open() {
                    self.error = Some(NOT_LINKED.into());
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
        }
    }

    fn live(&mut self) -> Option<&mut Connection> {
        match self.relay_phase() {
            Some(RelayPhase::Untrusted) => {
                self.error = Some(DECIDE_FIRST.into());
                return None;
            }
            Some(RelayPhase::Handshake) => {
                self.error = Some(WAIT_HANDSHAKE.into());
                return None;
            }
            _ => {}
        }
        if self.conn.as_ref().is_some_and(Connection::is_open) {
            self.conn.as_mut()
        } else {
            self.error = Some(NOT_CONNECTED.into());
            None
        }
    }

    fn connect(&mut self, client: ClientSession, now: u64) {
        let frame = match self.target.connect_frame() {
            Ok(frame) => frame,
            Err(e) => {
                self.error = Some(e.into());
                return;
            }
        };
        if frame.is_some() && !self.relay.is_open() {
            self.error = Some(NOT_LINKED.into());
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
        self.round_trips = 0;
        self.round_trips_saved = 0;
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
        if self.pipelining {
            self.group.push(command);
            return;
        }
        let Some(conn) = self.live() else { return };
        conn.client_tracks = true;
        if let Err(e) = conn.client.send(&command) {
            self.error = Some(e.to_string());
            return;
        }
        self.round_trip(now);
    }

    fn send_group(&mut self, now: u64) {
        if self.group.is_empty() {
            self.error = Some(NOTHING_QUEUED.into());
            return;
        }
        let group = std::mem::take(&mut self.group);
        let Some(conn) = self.live() else { return };
        conn.client_tracks = true;
        for command in &group {
            if let Err(e) = conn.client.send(command) {
                self.error = Some(e.to_string());
                break;
            }
        }
        self.round_trips_saved += group.len().saturating_sub(1);
        self.round_trip(now);
    }

    fn raw(&mut self, line: &str, now: u64) {
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        let command = parse_command(&bytes)
            .ok()
            .flatten()
            .filter(|(p, _)| p.lints.is_empty())
            .map(|(p, _)| p.command.into_owned())
            .filter(|c| c.to_bytes().is_ok_and(|b| b == bytes));
        let Some(conn) = self.live() else { return };
        match command {
            Some(command) => {
                conn.client_tracks = true;
                if let Err(e) = conn.client.send(&command) {
                    self.error = Some(e.to_string());
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
        self.round_trip(now);
    }

    fn auth_continue(&mut self, now: u64) {
        let (Some(ex), Some(challenge)) = (self.auth.as_mut(), self.challenge.clone()) else {
            self.error = Some(NO_CHALLENGE.into());
            return;
        };
        match ex.respond(&challenge) {
            Ok(line) => {
                let Some(conn) = self.live() else { return };
                if let Err(e) = conn.client.send_auth_response(&line) {
                    self.error = Some(e.to_string());
                    return;
                }
                self.challenge = None;
                self.round_trip(now);
            }
            Err(e) => self.error = Some(e.to_string()),
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
        self.round_trips = self
            .transcript
            .lines
            .windows(2)
            .filter(|w| w[0].direction == Direction::Client && w[1].direction == Direction::Server)
            .count();
    }

    fn round_trip(&mut self, now: u64) {
        self.round_trips += 1;
        self.pump(now);
    }

    fn note(&mut self, now: u64, side: &'static str, text: NoteText, kind: NoteKind) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(Note {
                at_ms: now.saturating_sub(self.started_at),
                side,
                text,
                kind,
            });
        }
    }

    fn log(&mut self, direction: Direction, bytes: &[u8], now: u64, tls: bool) {
        if bytes.is_empty() || self.wire.len() + bytes.len() > MAX_WIRE_BYTES {
            return;
        }
        let start = self.wire.len();
        self.wire.extend_from_slice(bytes);
        self.chunks.push(WireChunk {
            direction,
            span: Span::new(start, self.wire.len()),
            at_ms: now.saturating_sub(self.started_at),
            tls,
        });
    }

    /// Moves bytes between the client session and the transport until neither has any, like
    /// the core's own transfer loop. The same loop serves the in-browser server and the relay.
    fn pump(&mut self, now: u64) {
        self.clock = self.clock.max(now);
        for _ in 0..MAX_PUMP_STEPS {
            let Some(conn) = self.conn.as_mut() else {
                return;
            };
            conn.client.handle_time(now);
            conn.transport.handle_time(now);
            let mut moved = false;
            let mut out = Vec::new();
            let mut server_events = Vec::new();
            let mut relay_notes = Vec::new();
            let mut tls_up = false;
            while let Some(incoming) = conn.transport.poll() {
                moved = true;
                match incoming {
                    Incoming::Data { bytes, tls } => {
                        if conn.client_tracks {
                            conn.client.handle_input(&bytes);
                        }
                        out.push((Direction::Server, bytes, tls));
                    }
                    Incoming::TlsUp => {
                        conn.client.tls_established();
                        tls_up = true;
                    }
                    Incoming::Server(e) => server_events.push(e),
                    Incoming::Note { text, error } => relay_notes.push((text, error)),
                    Incoming::Closed => {
                        self.server_closed = true;
                    }
                }
            }
            let mut client_events = Vec::new();
            while let Some(e) = conn.client.poll_event() {
                client_events.push(e);
            }
            let client_tls = client_events.contains(&ClientEvent::TlsRequested);
            if client_tls {
                conn.transport.start_tls();
            }
            while let Some(bytes) = conn.client.poll_output() {
                conn.transport.send(&bytes);
                out.push((Direction::Client, bytes, conn.client.is_tls()));
                moved = true;
            }
            while let Some(e) = conn.client.poll_event() {
                client_events.push(e);
            }
            for (direction, bytes, tls) in out {
                self.log(direction, &bytes, now, tls);
            }
            for (text, error) in relay_notes {
                let kind = if error {
                    NoteKind::Error
                } else {
                    NoteKind::Info
                };
                self.note(now, SIDE_RELAY, text, kind);
            }
            for e in server_events {
                self.server_event(e, now);
            }
            for e in client_events {
                self.client_event(e, now);
            }
            if !moved && !client_tls && !tls_up {
                break;
            }
        }
        self.reannotate();
    }

    fn server_event(&mut self, event: ServerEvent, now: u64) {
        let (text, kind) = match event {
            ServerEvent::MessageReceived(m) => {
                self.received.push((m.queue_id.clone(), m.data.len()));
                (
                    NoteText::with(
                        key("Message accepted as {id} ({bytes} bytes, {rcpts} recipient(s))."),
                        vec![
                            ("bytes", m.data.len().to_string()),
                            ("rcpts", m.envelope.rcpts.len().to_string()),
                            ("id", m.queue_id),
                        ],
                    ),
                    NoteKind::Info,
                )
            }
            ServerEvent::MessageRejected { code, lints } => {
                let codes: Vec<String> = lints.iter().map(|l| l.code.to_string()).collect();
                let text = if codes.is_empty() {
                    NoteText::with(
                        key("Message refused with {code}."),
                        vec![("code", code.to_string())],
                    )
                } else {
                    NoteText::with(
                        key("Message refused with {code} ({lints})."),
                        vec![("code", code.to_string()), ("lints", codes.join(", "))],
                    )
                };
                (text, NoteKind::Error)
            }
            ServerEvent::Violation { message } => (NoteText::Violation(message), NoteKind::Error),
            ServerEvent::Authenticated { mechanism, user } => (
                NoteText::with(
                    key("{user} authenticated with {mechanism}."),
                    vec![("mechanism", mechanism), ("user", user)],
                ),
                NoteKind::Info,
            ),
            ServerEvent::AuthFailed { mechanism, reason } => (
                NoteText::AuthFailed { mechanism, reason },
                NoteKind::Error,
            ),
            ServerEvent::TlsRequested => (
                NoteText::fixed(key("TLS handshake (simulated): both sides are now under TLS; the client must EHLO again (RFC 3207 §4.2).")),
                NoteKind::Info,
            ),
            ServerEvent::Closed => {
                self.server_closed = true;
                (NoteText::fixed(key("Connection closed.")), NoteKind::Info)
            }
            _ => return,
        };
        self.note(now, SIDE_SERVER, text, kind);
    }

    fn client_event(&mut self, event: ClientEvent, now: u64) {
        match event {
            ClientEvent::Reply { reply, .. } if reply.code == 334 => {
                self.challenge = Some(
                    reply
                        .lines
                        .first()
                        .map(|l| l.text.clone())
                        .unwrap_or_default(),
                );
            }
            ClientEvent::Error(e) => {
                self.note(now, SIDE_CLIENT, NoteText::Client(e), NoteKind::Error)
            }
            ClientEvent::AuthFailed { code } => {
                self.auth = None;
                self.challenge = None;
                self.note(
                    now,
                    SIDE_CLIENT,
                    NoteText::with(
                        key("AUTH failed ({code})."),
                        vec![("code", code.to_string())],
                    ),
                    NoteKind::Error,
                );
            }
            ClientEvent::Authenticated => {
                self.auth = None;
                self.challenge = None;
            }
            ClientEvent::TransactionDone(o) => {
                let (template, kind) = if o.delivered {
                    (
                        key("Transaction {n}: delivered (final code {code}); accepted: {accepted}; refused: {refused}."),
                        NoteKind::Info,
                    )
                } else {
                    (
                        key("Transaction {n}: not delivered (final code {code}); accepted: {accepted}; refused: {refused}."),
                        NoteKind::Error,
                    )
                };
                let list = |items: Vec<String>| {
                    if items.is_empty() {
                        "—".to_string()
                    } else {
                        items.join(", ")
                    }
                };
                let refused = o
                    .rejected
                    .iter()
                    .map(|(rcpt, code)| format!("{rcpt} ({code})"))
                    .collect();
                self.note(
                    now,
                    SIDE_CLIENT,
                    NoteText::with(
                        template,
                        vec![
                            ("n", (o.index + 1).to_string()),
                            ("code", o.code.to_string()),
                            ("accepted", list(o.accepted)),
                            ("refused", list(refused)),
                        ],
                    ),
                    kind,
                );
            }
            _ => {}
        }
    }

    /// Reads the wire back: each write is split into lines by the core (raw form), given its
    /// known direction, and the whole dialogue is annotated.
    fn reannotate(&mut self) {
        self.transcript = read_wire(&self.wire, &self.wire_chunks());
        self.annotated = self.transcript.annotate();
    }
}

/// Shown when a command is sent without a session.
const NOT_CONNECTED: &str = key("Not connected: press Connect first.");
/// Shown when the relay socket is not open.
const NOT_LINKED: &str = key("The relay is not connected: see the relay status above (start mailscope serve and open the URL it prints).");
/// Shown while an untrusted certificate waits for a decision.
const DECIDE_FIRST: &str = key("The server's certificate did not verify: choose Continue anyway or Close in the certificate panel first.");
/// Shown while the TLS handshake runs.
const WAIT_HANDSHAKE: &str = key("Waiting for the TLS handshake to finish.");
/// A line of the AUTH users field that is not `user:password`.
const USER_LINE: &str = key("user line {line}: write user:password");
/// A line of the recipient rules field that is not `pattern code`.
const RULE_LINE: &str = key("rule line {line}: write address-or-domain 550|452|451");
/// Shown when a pipelined group is sent empty.
const NOTHING_QUEUED: &str =
    key("Nothing queued: with pipelining on, commands wait here until you send the group.");
/// Shown when AUTH is continued without a challenge.
const NO_CHALLENGE: &str = key("No 334 challenge to answer: start AUTH first.");

/// The fixed (untemplated) messages [`SessionModel::error`] can hold, so the view can translate
/// them; other errors come from the core and are shown as they are.
pub const FIXED_ERRORS: &[&str] = &[
    NOT_CONNECTED,
    NOT_LINKED,
    DECIDE_FIRST,
    WAIT_HANDSHAKE,
    NOTHING_QUEUED,
    NO_CHALLENGE,
    key("Type a domain to look up its MX records."),
    key("Type the server's host name or address."),
    key("The port must be a number from 1 to 65535."),
];

impl Connection {
    fn is_open(&self) -> bool {
        !self.client.is_closed()
            && self
                .transport
                .relay()
                .is_none_or(|r| r.phase != RelayPhase::Closed)
    }
}

/// Reads a typed command line with the core's parser (CRLF added).
pub fn command_from_line(line: &str) -> Result<Command<'static>, String> {
    let wire = format!("{}\r\n", line.trim_end_matches(['\r', '\n']));
    match parse_command(wire.as_bytes()) {
        Ok(Some((parsed, _))) => Ok(parsed.command.into_owned()),
        Ok(None) => Err(format!("{line:?} is not a complete command line")),
        Err(e) => Err(e.to_string()),
    }
}

/// `MAIL FROM:<from> params` as the core reads it.
pub fn mail_command(from: &str, params: &str) -> Result<Command<'static>, String> {
    let params = params.trim();
    let line = if params.is_empty() {
        format!("MAIL FROM:<{from}>")
    } else {
        format!("MAIL FROM:<{from}> {params}")
    };
    command_from_line(&line)
}

fn mail_params(
    from: &str,
    params: &str,
) -> Result<mailscope_core::smtp::command::MailParams<'static>, String> {
    match mail_command(from, params)? {
        Command::Mail { params, .. } => Ok(params),
        other => Err(format!("not a MAIL command: {}", other.verb())),
    }
}

/// What an AUTH command will carry, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPreview {
    /// The command line (`AUTH PLAIN AGFsaWNl…`).
    pub command: String,
    /// The base64 initial response, if the mechanism has one.
    pub base64: Option<String>,
    /// The core's decoding of what will be sent.
    pub decoded: Option<DecodedAuth>,
    /// Why it cannot be built.
    pub error: Option<String>,
}

/// The AUTH command `mechanism` would send with `credentials`, and what it decodes to.
pub fn auth_preview(mechanism: &Mechanism, credentials: &Credentials) -> AuthPreview {
    match ClientExchange::new(mechanism.clone(), credentials.clone()) {
        Ok(ex) => {
            let base64 = ex.initial_response();
            let command = Command::auth(ex.mechanism().to_string(), base64.clone().map(Into::into))
                .to_bytes()
                .map(|b| String::from_utf8_lossy(&b).trim_end().to_string())
                .unwrap_or_default();
            let decoded = base64
                .as_ref()
                .map(|b| decode_exchange(mechanism, Some((b.as_bytes(), 0)), &[]));
            AuthPreview {
                command,
                base64,
                decoded,
                error: None,
            }
        }
        Err(e) => AuthPreview {
            command: String::new(),
            base64: None,
            decoded: None,
            error: Some(e.to_string()),
        },
    }
}

/// The fields of the Session view's forms, shared by the step buttons and the whole-run button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionForm {
    /// EHLO/HELO name.
    pub helo: String,
    /// AUTH mechanism name.
    pub mechanism: String,
    /// AUTH user.
    pub user: String,
    /// AUTH password.
    pub password: String,
    /// MAIL FROM mailbox.
    pub from: String,
    /// MAIL parameters as typed.
    pub mail_params: String,
    /// The RCPT TO being typed.
    pub rcpt: String,
    /// Every recipient sent or queued so far (used by the whole-run button).
    pub rcpts: Vec<String>,
    /// VRFY argument.
    pub vrfy: String,
    /// The message.
    pub message: String,
    /// BDAT with LAST.
    pub bdat_last: bool,
    /// The raw line.
    pub raw: String,
    /// Use STARTTLS in a whole run.
    pub starttls: bool,
    /// Use AUTH in a whole run.
    pub use_auth: bool,
    /// Where a whole run stops.
    pub stop_after: Option<StopPoint>,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            helo: "client.example".into(),
            mechanism: "PLAIN".into(),
            user: "alice".into(),
            password: "wonderland".into(),
            from: "alice@example.org".into(),
            mail_params: "BODY=8BITMIME".into(),
            rcpt: "bob@example.net".into(),
            rcpts: Vec::new(),
            vrfy: "alice".into(),
            message: "Subject: Hello\nFrom: alice@example.org\nTo: bob@example.net\n\nHello, Bob.\n.A line that starts with a dot.\n".into(),
            bdat_last: true,
            raw: "NOOP".into(),
            starttls: false,
            use_auth: true,
            stop_after: None,
        }
    }
}

impl SessionForm {
    /// The credentials typed.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(self.user.clone(), self.password.clone())
    }

    /// The mechanism picked.
    pub fn mechanism(&self) -> Mechanism {
        Mechanism::parse(&self.mechanism)
    }

    /// The whole-run plan: recipients sent so far, or the one typed.
    pub fn plan(&self) -> PlanInput {
        let rcpts = if self.rcpts.is_empty() {
            vec![self.rcpt.clone()]
        } else {
            self.rcpts.clone()
        };
        PlanInput {
            helo: self.helo.clone(),
            starttls: self.starttls,
            auth: self
                .use_auth
                .then(|| (self.mechanism(), self.credentials())),
            from: self.from.clone(),
            mail_params: self.mail_params.clone(),
            rcpts,
            message: self.message.clone(),
            stop_after: self.stop_after,
        }
    }
}

/// A sample message built by the core's [`MessageBuilder`]: Korean subject, names and body, and
/// a small attachment. `date` is an RFC 5322 date passed in by the caller (this module has no
/// clock). The bytes are CRLF text; they are returned with LF so they edit well in a text area
/// (the core makes them CRLF again when sending).
pub fn sample_message(from: &str, to: &str, date: &str) -> Result<String, String> {
    let builder = MessageBuilder {
        from: vec![NameAddr::new("앨리스", from)],
        to: vec![NameAddr::new("밥", to)],
        subject: Some("안녕하세요, 한국어 메일 시험입니다".into()),
        date: date.into(),
        message_id: "<sample@mailscope.test>".into(),
        text: Some("안녕하세요!\n이것은 한국어 본문입니다.\n.점으로 시작하는 줄\n".into()),
        attachments: vec![Attachment {
            filename: "메모.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            data: "첨부 파일\n".as_bytes().to_vec(),
        }],
        ..MessageBuilder::default()
    };
    let bytes = builder.build(0x5eed).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn codes(m: &SessionModel) -> Vec<String> {
        m.rows().iter().map(|r| r.kind.clone()).collect()
    }

    fn send(m: &mut SessionModel, line: &str, now: u64) {
        m.apply(Action::SendLine {
            line: line.into(),
            now,
        });
        assert_eq!(m.error, None, "after {line}");
    }

    const KOREAN: &str = "Subject: =?UTF-8?B?7JWI64WV?=\nFrom: a@example.org\n\n.안녕하세요\n";

    #[test]
    fn full_manual_session_against_the_in_browser_server() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 1000 });
        assert_eq!(m.client_state(), Some(ClientState::Greeting));
        send(&mut m, "EHLO client.example", 1010);
        m.apply(Action::AuthStart {
            mechanism: Mechanism::Plain,
            credentials: Credentials::new("alice", "wonderland"),
            now: 1020,
        });
        assert!(m.is_authenticated(), "AUTH PLAIN accepted: {:?}", m.notes);
        send(&mut m, "MAIL FROM:<a@example.org> BODY=8BITMIME", 1030);
        send(&mut m, "RCPT TO:<b@example.net>", 1040);
        send(&mut m, "RCPT TO:<c@example.net>", 1050);
        send(&mut m, "DATA", 1060);
        assert!(m.ready_for_data(), "354 asks for the message");
        m.apply(Action::Message {
            text: KOREAN.into(),
            now: 1070,
        });
        send(&mut m, "QUIT", 1080);
        assert_eq!(
            codes(&m),
            [
                "reply 220",
                "command EHLO",
                "reply 250",
                "command AUTH",
                "reply 235",
                "command MAIL",
                "reply 250",
                "command RCPT",
                "reply 250",
                "command RCPT",
                "reply 250",
                "command DATA",
                "reply 354",
                "message",
                "reply 250",
                "command QUIT",
                "reply 221"
            ],
            "transcript entries"
        );
        let rows = m.rows();
        assert!(rows[4].wire.starts_with("235 2.7.0"), "{}", rows[4].wire);
        assert!(
            rows[1].wire.ends_with("␍␊\n"),
            "CRLF visible: {}",
            rows[1].wire
        );
        assert_eq!(rows[1].at_ms, Some(10), "timing from the passed clock");
        assert_eq!(rows[16].at_ms, Some(80));
        assert!(
            rows[13].wire.contains("..안녕하세요"),
            "dot-stuffed: {}",
            rows[13].wire
        );
        assert_eq!(m.received.len(), 1, "server took the message");
        assert!(!m.is_connected(), "closed after QUIT");
        let lints: Vec<String> = m
            .annotated
            .all_lints()
            .iter()
            .map(|l| l.code.to_string())
            .collect();
        let smtp: Vec<&String> = lints.iter().filter(|c| c.starts_with("smtp.")).collect();
        assert_eq!(smtp, ["smtp.auth-without-tls"], "only AUTH before TLS");
        // The typed message is linted as a message too: it has no Date field.
        assert!(lints.iter().any(|c| c == "mime.missing-date"), "{lints:?}");
        assert_eq!(m.round_trips, 8);
        let text = m.export_text();
        assert!(
            text.starts_with("S: 220 mailscope.test"),
            "S:/C: export: {text}"
        );
        assert!(text.contains("C: RCPT TO:<c@example.net>\n"), "{text}");
        // The worker's JSON reads the session back exactly as the page did.
        let source = m.export_source();
        assert_eq!(
            source.transcript(),
            m.transcript,
            "the same lines, spans and directions"
        );
        let through = crate::state::binary::decode::<ExportSource>(
            &crate::state::binary::encode(&source).expect("encodes"),
        )
        .expect("decodes");
        let written = through.json();
        assert_eq!(written, crate::state::transcript::export_json(&m.annotated));
        let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
        assert_eq!(json["version"], 1);
    }

    #[test]
    fn pipelined_group_saves_round_trips() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        send(&mut m, "EHLO c", 1);
        m.apply(Action::SetPipelining(true));
        for line in [
            "MAIL FROM:<a@example.org>",
            "RCPT TO:<b@example.net>",
            "RCPT TO:<nobody@mailscope.test>",
            "DATA",
        ] {
            send(&mut m, line, 2);
        }
        assert_eq!(m.group.len(), 4, "queued");
        m.apply(Action::SendGroup { now: 3 });
        assert_eq!(m.round_trips_saved, 3);
        assert_eq!(m.round_trips, 2);
        let sent: Vec<_> = m
            .chunks
            .iter()
            .filter(|c| c.direction == Direction::Client)
            .collect();
        assert_eq!(sent.len(), 2, "EHLO, then the whole group in one write");
        let rows = m.rows();
        assert!(
            rows.iter().any(|r| r.wire.starts_with("550 5.1.1")),
            "failing recipient refused: {:?}",
            codes(&m)
        );
        assert!(m.ready_for_data());
    }

    #[test]
    fn starttls_and_challenge_mechanisms() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        send(&mut m, "EHLO c", 1);
        send(&mut m, "STARTTLS", 2);
        assert!(m.is_tls(), "simulated handshake: {:?}", m.notes);
        send(&mut m, "EHLO c", 3);
        m.apply(Action::AuthStart {
            mechanism: Mechanism::Login,
            credentials: Credentials::new("alice", "wonderland"),
            now: 4,
        });
        assert!(m.challenge.is_some(), "334 Username:");
        m.apply(Action::AuthContinue { now: 5 });
        m.apply(Action::AuthContinue { now: 6 });
        assert!(m.is_authenticated(), "LOGIN: {:?}", m.notes);
        assert!(m.rows().iter().skip(5).all(|r| r.tls), "after STARTTLS");
        m.apply(Action::AuthContinue { now: 7 });
        assert!(m.error.is_some(), "nothing to answer");
    }

    #[test]
    fn raw_lines_keep_their_defects() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        m.apply(Action::Raw {
            line: "EHLO c".into(),
            now: 1,
        });
        assert_eq!(m.client_state(), Some(ClientState::Ready), "tracked");
        m.apply(Action::Raw {
            line: "MAIL FROM: <a@example.org>".into(),
            now: 2,
        });
        let lints: Vec<String> = m
            .annotated
            .all_lints()
            .iter()
            .map(|l| l.code.to_string())
            .collect();
        assert!(
            lints.iter().any(|c| c == "smtp.space-after-colon"),
            "{lints:?}"
        );
        assert!(
            m.wire.windows(9).any(|w| w == b"FROM: <a@"),
            "sent as typed"
        );
    }

    #[test]
    fn run_whole_transaction_with_stop_after() {
        let plan = PlanInput {
            helo: "client.example".into(),
            starttls: false,
            auth: Some((Mechanism::Plain, Credentials::new("alice", "wonderland"))),
            from: "a@example.org".into(),
            mail_params: "BODY=8BITMIME".into(),
            rcpts: vec!["b@example.net".into(), "c@example.net".into()],
            message: KOREAN.into(),
            stop_after: None,
        };
        let mut m = SessionModel::default();
        m.apply(Action::Run {
            plan: Box::new(plan.clone()),
            now: 0,
        });
        assert_eq!(m.received.len(), 1, "delivered: {:?}", m.notes);
        let last = m.rows().last().map(|r| r.kind.clone());
        assert_eq!(last.as_deref(), Some("reply 221"));
        m.apply(Action::Run {
            plan: Box::new(PlanInput {
                stop_after: Some(StopPoint::Mail),
                ..plan.clone()
            }),
            now: 0,
        });
        let kinds = codes(&m);
        assert!(
            !kinds.iter().any(|k| k == "command RCPT"),
            "stopped after MAIL: {kinds:?}"
        );
        assert_eq!(kinds.last().map(String::as_str), Some("reply 221"));
        m.apply(Action::Run {
            plan: Box::new(PlanInput {
                from: "bad mailbox".into(),
                ..plan
            }),
            now: 0,
        });
        assert!(
            !codes(&m).iter().any(|k| k == "command MAIL")
                && m.notes.iter().any(|n| n.kind == NoteKind::Error),
            "a MAIL path that cannot be written is reported, not sent: {:?}",
            m.notes
        );
    }

    #[test]
    fn server_settings_are_applied_at_connect() {
        let mut m = SessionModel::default();
        m.apply(Action::SetFlag(ServerFlag::Pipelining, false));
        m.apply(Action::SetFlag(ServerFlag::AuthLogin, false));
        m.apply(Action::SetHostname("mx.test".into()));
        m.apply(Action::SetUsers("bob:secret\nbad line\n".into()));
        m.apply(Action::SetRecipientRules(
            "x.test 451\ny@z.test full\nnonsense\n".into(),
        ));
        assert_eq!(m.config_errors.len(), 2, "{:?}", m.config_errors);
        assert!(!ServerFlag::Pipelining.get(&m.config));
        assert!(!ServerFlag::AuthLogin.get(&m.config));
        assert!(ServerFlag::AuthPlain.get(&m.config));
        assert_eq!(m.config.recipient_rules.len(), 2);
        m.apply(Action::SetFlag(ServerFlag::FaultGreeting421, true));
        m.apply(Action::Connect { now: 0 });
        let rows = m.rows();
        assert!(
            rows[0].wire.starts_with("421"),
            "fault injected: {}",
            rows[0].wire
        );
        m.apply(Action::SetFlag(ServerFlag::FaultGreeting421, false));
        m.apply(Action::Connect { now: 0 });
        assert!(m.rows()[0].wire.starts_with("220 mx.test"));
        send(&mut m, "EHLO c", 1);
        let ehlo = &m.rows()[2];
        assert!(
            !ehlo.wire.contains("PIPELINING"),
            "switched off: {}",
            ehlo.wire
        );
        m.apply(Action::SendLine {
            line: "RCPT TO:<q@x.test>".into(),
            now: 2,
        });
        m.apply(Action::Disconnect);
        m.apply(Action::SendLine {
            line: "NOOP".into(),
            now: 3,
        });
        assert!(m.error.is_some(), "not connected");
    }

    #[test]
    fn sample_message_runs_through_a_whole_session() {
        let text = sample_message(
            "alice@example.org",
            "bob@example.net",
            "Sun, 22 Nov 2026 18:00:00 +0000",
        )
        .expect("builds");
        assert!(text.contains("Subject: =?"), "encoded subject: {text}");
        assert!(!text.contains('\r'), "LF for the text area");
        assert!(
            sample_message("not an address", "b@c.d", "Sun, 22 Nov 2026 18:00:00 +0000").is_err()
        );
        let mut form = SessionForm {
            message: text,
            ..SessionForm::default()
        };
        form.rcpts = vec!["b@example.net".into(), "c@example.net".into()];
        let mut m = SessionModel::default();
        m.apply(Action::Run {
            plan: Box::new(form.plan()),
            now: 5,
        });
        assert_eq!(m.received.len(), 1, "{:?}", m.notes);
        assert_eq!(
            m.rows().iter().filter(|r| r.kind == "command RCPT").count(),
            2
        );
        form.use_auth = false;
        form.rcpts.clear();
        assert_eq!((form.plan().auth, form.plan().rcpts.len()), (None, 1));
    }

    /// The notes of a session, rendered in `lang`.
    fn notes_in(m: &SessionModel, lang: Lang) -> Vec<String> {
        crate::state::i18n::ready_for_tests(lang);
        m.notes.iter().map(|n| n.render(lang)).collect()
    }

    #[test]
    fn in_browser_notes_are_in_the_readers_language() {
        let mut form = SessionForm {
            message: "Subject: x\n\nhi\n".into(),
            ..SessionForm::default()
        };
        form.rcpts = vec!["b@example.net".into()];
        let mut m = SessionModel::default();
        m.apply(Action::Run {
            plan: Box::new(form.plan()),
            now: 5,
        });
        let (en, ko) = (notes_in(&m, Lang::En), notes_in(&m, Lang::Ko));
        let queue_id = m.received.first().map(|r| r.0.clone()).unwrap_or_default();
        assert!(!queue_id.is_empty(), "a message was accepted: {en:?}");
        let cases = [
            (
                format!("Message accepted as {queue_id} ("),
                format!("메시지를 {queue_id}(으)로 접수했습니다"),
            ),
            (
                "Transaction 1: delivered (final code 250)".to_string(),
                "트랜잭션 1: 배달됨".to_string(),
            ),
            (
                "Connection closed.".to_string(),
                "연결이 닫혔습니다.".to_string(),
            ),
        ];
        for (english, korean) in cases {
            assert!(
                en.iter().any(|n| n.contains(&english)),
                "want {english:?} in {en:#?}"
            );
            assert!(
                ko.iter().any(|n| n.contains(&korean)),
                "want {korean:?} in {ko:#?}"
            );
        }
        assert!(
            ko.iter()
                .all(|n| n.chars().any(|c| ('가'..='힣').contains(&c))),
            "every note has Korean: {ko:#?}"
        );
        // Sides are English keys, translated in the view.
        assert!(m
            .notes
            .iter()
            .all(|n| [SIDE_CLIENT, SIDE_SERVER].contains(&n.side)));
        assert_eq!(crate::state::i18n::tr_text(Lang::Ko, SIDE_SERVER), "서버");
    }

    #[test]
    fn core_worded_notes_follow_the_language() {
        crate::state::i18n::ready_for_tests(Lang::Ko);
        let cases = [
            (
                NoteText::Client(ClientError::GreetingRefused { code: 554 }),
                "the server greeted with 554 instead of 220",
                "554",
            ),
            (
                NoteText::Violation(
                    "3 byte(s) were pipelined after STARTTLS; discarded, TLS not started".into(),
                ),
                "3 byte(s) were pipelined after STARTTLS; discarded, TLS not started",
                "3",
            ),
            (
                NoteText::AuthFailed {
                    mechanism: "PLAIN".into(),
                    reason: AuthFailure::BadCredentials,
                },
                "AUTH PLAIN refused: wrong user name or password (the server answers 535 5.7.8 Authentication credentials invalid).",
                "535 5.7.8 Authentication credentials invalid",
            ),
        ];
        for (note, english, kept) in cases {
            assert_eq!(note.render(Lang::En), english);
            let ko = note.render(Lang::Ko);
            assert!(
                ko.contains(kept) && ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{note:?}: Korean with {kept:?} kept, got {ko:?}"
            );
        }
    }

    #[test]
    fn auth_preview_shows_what_is_sent() {
        let p = auth_preview(&Mechanism::Plain, &Credentials::new("alice", "wonderland"));
        assert_eq!(p.base64.as_deref(), Some("AGFsaWNlAHdvbmRlcmxhbmQ="));
        assert_eq!(p.command, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
        let d = p.decoded.expect("decoded");
        assert_eq!(
            (d.authcid.as_deref(), d.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );
        let login = auth_preview(&Mechanism::Login, &Credentials::new("a", "b"));
        assert_eq!((login.command.as_str(), login.base64), ("AUTH LOGIN", None));
        let bad = auth_preview(&Mechanism::Other("X".into()), &Credentials::new("a", "b"));
        assert!(bad.error.is_some());
    }

    use crate::state::session::live::{MxChoice, TargetKind};
    use mailscope_core::relay::{Certificate, Closer, Target};

    fn relay_model(tls: TlsChoice) -> SessionModel {
        let mut m = SessionModel::default();
        m.apply(Action::SetTarget(TargetForm {
            kind: TargetKind::Sandbox,
            tls,
            ..TargetForm::default()
        }));
        m.apply(Action::Connect { now: 0 });
        assert_eq!(m.error.as_deref(), Some(NOT_LINKED), "no socket yet");
        m.apply(Action::Socket(SocketEvent::Opened));
        m.apply(Action::Frame {
            frame: RelayFrame::Hello {
                protocol: 1,
                limits: crate::state::session::live::sample_limits(),
                sandbox: Some("127.0.0.1:2525".into()),
            },
            now: 0,
        });
        m
    }

    fn from_server(m: &mut SessionModel, text: &str, now: u64) {
        m.apply(Action::Bytes {
            bytes: text.as_bytes().to_vec(),
            now,
        });
    }

    fn tls_frame(verified: bool) -> RelayFrame {
        RelayFrame::Tls {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
            sni: None,
            chain: vec![Certificate {
                subject: "CN=sandbox.mailscope.test".into(),
                issuer: "CN=sandbox.mailscope.test".into(),
                not_before: "2026-01-01T00:00:00Z".into(),
                not_after: "2027-01-01T00:00:00Z".into(),
                sans: vec!["sandbox.mailscope.test".into(), "localhost".into()],
                sha256: "AA:BB".into(),
            }],
            verified,
            verify_error: (!verified).then(|| "invalid peer certificate: UnknownIssuer".into()),
        }
    }

    fn sent_bytes(out: &[Outgoing]) -> Vec<String> {
        out.iter()
            .map(|o| match o {
                Outgoing::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                Outgoing::Frame(f) => serde_json::to_string(f).unwrap_or_default(),
            })
            .collect()
    }

    #[test]
    fn the_same_client_drives_the_relay_with_starttls_and_an_untrusted_certificate() {
        let mut m = relay_model(TlsChoice::Starttls);
        m.apply(Action::Connect { now: 100 });
        assert_eq!(m.error, None);
        assert_eq!(
            sent_bytes(&m.take_outbox()),
            [r#"{"type":"connect","target":{"sandbox":true},"tls":"none"}"#]
        );
        // Typed before the relay connected: held, then sent.
        send(&mut m, "EHLO c", 101);
        assert!(m.take_outbox().is_empty(), "held until connected");
        m.apply(Action::Frame {
            frame: RelayFrame::Connected {
                peer: "127.0.0.1:2525".into(),
                mx: None,
                connect_ms: 1,
                attempts: Vec::new(),
            },
            now: 102,
        });
        assert_eq!(sent_bytes(&m.take_outbox()), ["EHLO c\r\n"]);
        from_server(&mut m, "220 sandbox ESMTP\r\n250-sandbox\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", 103);
        assert_eq!(m.client_state(), Some(ClientState::Ready));
        send(&mut m, "STARTTLS", 104);
        assert_eq!(sent_bytes(&m.take_outbox()), ["STARTTLS\r\n"]);
        from_server(&mut m, "220 2.0.0 Ready to start TLS\r\n", 105);
        assert_eq!(
            sent_bytes(&m.take_outbox()),
            [r#"{"type":"starttls"}"#],
            "the starttls frame follows the server's 220"
        );
        assert_eq!(m.relay_phase(), Some(RelayPhase::Handshake));
        m.apply(Action::SendLine {
            line: "EHLO c".into(),
            now: 106,
        });
        assert_eq!(m.error.as_deref(), Some(WAIT_HANDSHAKE));
        m.apply(Action::Frame {
            frame: tls_frame(false),
            now: 107,
        });
        assert!(m.awaiting_trust(), "untrusted: the user decides");
        assert!(m.tls_info().is_some_and(|t| !t.verified));
        m.apply(Action::SendLine {
            line: "EHLO c".into(),
            now: 108,
        });
        assert_eq!(m.error.as_deref(), Some(DECIDE_FIRST));
        assert!(
            m.take_outbox().is_empty(),
            "nothing sent before the decision"
        );
        m.apply(Action::Trust {
            go_on: true,
            now: 109,
        });
        assert!(m.is_tls(), "client under TLS after continue");
        send(&mut m, "EHLO c", 110);
        from_server(&mut m, "250-sandbox\r\n250 AUTH PLAIN\r\n", 111);
        m.apply(Action::AuthStart {
            mechanism: Mechanism::Plain,
            credentials: Credentials::new("demo", "demo"),
            now: 112,
        });
        from_server(&mut m, "235 2.7.0 Authentication successful\r\n", 113);
        assert!(m.is_authenticated());
        send(&mut m, "QUIT", 114);
        assert_eq!(
            sent_bytes(&m.take_outbox()),
            ["EHLO c\r\n", "AUTH PLAIN AGRlbW8AZGVtbw==\r\n", "QUIT\r\n"]
        );
        from_server(&mut m, "221 2.0.0 Bye\r\n", 115);
        m.apply(Action::Frame {
            frame: RelayFrame::Closed {
                by: Closer::Server,
                reason: "connection closed by peer".into(),
            },
            now: 116,
        });
        assert!(!m.is_connected());
        assert_eq!(
            m.relay.last_closed.as_ref().map(|(by, _)| *by),
            Some(Closer::Server)
        );
        // The transcript is the bytes on the wire, with TLS from the second EHLO on.
        let rows = m.rows();
        let marks: Vec<(String, bool)> = rows.iter().map(|r| (r.kind.clone(), r.tls)).collect();
        assert_eq!(
            marks.iter().filter(|(_, tls)| !tls).count(),
            5,
            "EHLO, 220, 250, STARTTLS, 220 in the clear: {marks:?}"
        );
        assert!(marks
            .last()
            .is_some_and(|(k, tls)| k == "reply 221" && *tls));
        let wire = String::from_utf8_lossy(&m.wire).into_owned();
        assert!(
            wire.starts_with("EHLO c\r\n220 sandbox"),
            "in arrival order: {wire}"
        );
        assert!(m
            .notes
            .iter()
            .any(|n| n.side == SIDE_RELAY && n.render(Lang::En).contains("NOT verified")));
    }

    #[test]
    fn closing_at_an_untrusted_certificate_sends_nothing_more() {
        let mut m = relay_model(TlsChoice::Implicit);
        m.apply(Action::SetTarget(TargetForm {
            kind: TargetKind::HostPort,
            host: "mail.example.org".into(),
            port: "465".into(),
            tls: TlsChoice::Implicit,
            ..TargetForm::default()
        }));
        m.apply(Action::Connect { now: 0 });
        m.apply(Action::Frame {
            frame: RelayFrame::Connected {
                peer: "192.0.2.7:465".into(),
                mx: None,
                connect_ms: 3,
                attempts: Vec::new(),
            },
            now: 1,
        });
        m.apply(Action::Frame {
            frame: tls_frame(false),
            now: 2,
        });
        from_server(&mut m, "220 mail.example.org ESMTP\r\n", 3);
        assert!(m.rows().is_empty(), "the greeting waits for the decision");
        m.apply(Action::Trust {
            go_on: false,
            now: 4,
        });
        assert_eq!(
            sent_bytes(&m.take_outbox()),
            [
                r#"{"type":"connect","target":{"host":"mail.example.org","port":465},"tls":"implicit"}"#,
                r#"{"type":"close"}"#
            ]
        );
        assert!(!m.is_connected());
        assert!(m.rows().is_empty());
    }

    #[test]
    fn a_planned_run_goes_through_the_relay_and_failover_errors_are_not_final() {
        let mut m = relay_model(TlsChoice::None);
        m.apply(Action::SetTarget(TargetForm {
            kind: TargetKind::Domain,
            domain: "example.org".into(),
            mx: MxChoice::Failover,
            ..TargetForm::default()
        }));
        m.apply(Action::Resolve {
            domain: "example.org".into(),
        });
        assert_eq!(m.relay.resolving.as_deref(), Some("example.org"));
        let plan = PlanInput {
            helo: "c".into(),
            starttls: false,
            auth: None,
            from: "a@example.org".into(),
            mail_params: String::new(),
            rcpts: vec!["b@example.org".into()],
            message: "Subject: x\n\nhi\n".into(),
            stop_after: Some(StopPoint::Helo),
        };
        m.apply(Action::Run {
            plan: Box::new(plan),
            now: 0,
        });
        let out = sent_bytes(&m.take_outbox());
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0], r#"{"type":"resolve","domain":"example.org"}"#);
        assert!(
            out[1].contains(r#""target":{"mx":"example.org"}"#),
            "{out:?}"
        );
        m.apply(Action::Frame {
            frame: RelayFrame::Error {
                code: mailscope_core::relay::ErrorCode::ConnectFailed,
                message: "attempt 1 of 2 failed: mx1 (192.0.2.1): refused; trying the next address"
                    .into(),
                retrying: true,
            },
            now: 1,
        });
        assert!(m.is_connected(), "failover goes on");
        assert_eq!(m.relay.last_error, None, "not the end of the connect");
        m.apply(Action::Frame {
            frame: RelayFrame::Connected {
                peer: "192.0.2.2:25".into(),
                mx: Some("mx2.example.org".into()),
                connect_ms: 9,
                attempts: vec![
                    mailscope_core::relay::ConnectAttempt {
                        mx: Some("mx1.example.org".into()),
                        address: "192.0.2.1:25".into(),
                        ms: 4,
                        error: Some("connection refused".into()),
                    },
                    mailscope_core::relay::ConnectAttempt {
                        mx: Some("mx2.example.org".into()),
                        address: "192.0.2.2:25".into(),
                        ms: 5,
                        error: None,
                    },
                ],
            },
            now: 2,
        });
        from_server(&mut m, "220 mx2 ESMTP\r\n", 3);
        from_server(&mut m, "250 mx2\r\n", 4);
        let out = sent_bytes(&m.take_outbox());
        assert_eq!(out, ["EHLO c\r\n", "QUIT\r\n"], "the plan ran on its own");
        assert_eq!(
            m.peer().and_then(|p| p.1.clone()).as_deref(),
            Some("mx2.example.org")
        );
        // The relay's notes in Korean, with the addresses and the relay's text kept.
        let ko = notes_in(&m, Lang::Ko);
        for want in [
            "릴레이 오류 connect_failed, 다음 주소로 시도합니다: attempt 1 of 2 failed",
            "먼저 192.0.2.1:25(MX mx1.example.org)에 시도했지만 4 ms 후 실패했습니다: connection refused",
            "릴레이를 거쳐 9 ms 만에 192.0.2.2:25(MX mx2.example.org)에 연결했습니다.",
        ] {
            assert!(ko.iter().any(|n| n.contains(want)), "want {want:?} in {ko:#?}");
        }
        // The socket drops: the session ends.
        m.apply(Action::Socket(SocketEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_open: true,
        }));
        assert!(!m.is_connected());
        let _ = Target::Sandbox { sandbox: true };
    }

    #[test]
    fn hostile_raw_input_never_panics() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        for line in [
            "\u{0}\u{1}\u{2}",
            &"A".repeat(20_000),
            "BDAT 99999999999999999999",
            "AUTH PLAIN !!!!",
            "",
            "DATA",
            ".",
        ] {
            m.apply(Action::Raw {
                line: line.into(),
                now: 1,
            });
        }
        m.apply(Action::Bdat {
            text: "x".into(),
            last: true,
            now: 2,
        });
        m.apply(Action::Tick { now: 10_000_000 });
        assert!(!m.rows().is_empty(), "the greeting at least");
    }
}
