//! The seam between the Session view's client and its server: one [`Transport`] interface with
//! two implementations, so the SAME core [`ClientSession`](mailscope_core::smtp::session::ClientSession)
//! drives either.
//!
//! - [`LocalServer`]: the core's [`ServerSession`] running in the page; bytes move synchronously
//!   and the "TLS handshake" is the two `tls_established` calls.
//! - [`RelayTransport`]: a session through `mailscope serve`'s `/relay` WebSocket. It holds no
//!   socket: what it wants sent is queued as [`Outgoing`] frames (the component drains them into
//!   `services::relay`), and what the relay sent comes back in through
//!   [`RelayTransport::handle_frame`] / [`RelayTransport::handle_bytes`]. Native tests read the
//!   queue as a recording of the frames.
//!
//! The session reducer (`state::session`) moves bytes between the client session and a
//! transport: [`Transport::send`] with what the client wrote, [`Transport::poll`] for what the
//! server wrote ([`Incoming`]), [`Transport::start_tls`] after the client saw `220` to STARTTLS.

use std::collections::VecDeque;

use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use mailscope_core::smtp::session::{ServerConfig, ServerEvent, ServerSession, ServerState};

use super::certificate::TlsInfo;
use super::NoteText;
use crate::state::i18n::key;

/// Most client bytes held while the relay connects or the TLS handshake is pending.
pub const MAX_WAITING_BYTES: usize = 1024 * 1024;

/// Something the server side produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// Bytes the server wrote, and whether they came inside TLS.
    Data {
        /// The bytes, exactly as on the wire (or inside the TLS stream).
        bytes: Vec<u8>,
        /// Under TLS.
        tls: bool,
    },
    /// The TLS handshake after STARTTLS finished (and, over the relay, the certificate was
    /// accepted): the client may go on.
    TlsUp,
    /// An event of the in-browser server (notes, received messages).
    Server(ServerEvent),
    /// Something the relay reported about the connection, for the notes.
    Note {
        /// What happened.
        text: NoteText,
        /// Whether it is a failure.
        error: bool,
    },
    /// The connection ended.
    Closed,
}

/// What the page must send to the relay, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// A JSON control frame.
    Frame(ClientFrame),
    /// A binary frame: bytes for the server.
    Bytes(Vec<u8>),
}

/// The in-browser server.
#[derive(Debug)]
pub struct LocalServer {
    server: ServerSession,
    queue: VecDeque<Incoming>,
}

impl LocalServer {
    /// A fresh server with `config`, started at `now`.
    pub fn new(config: ServerConfig, now: u64) -> LocalServer {
        let mut server = ServerSession::new(config);
        server.handle_time(now);
        LocalServer {
            server,
            queue: VecDeque::new(),
        }
    }

    fn refill(&mut self) {
        while let Some(bytes) = self.server.poll_output() {
            let tls = self.server.is_tls();
            self.queue.push_back(Incoming::Data { bytes, tls });
        }
        let mut tls_requested = false;
        while let Some(e) = self.server.poll_event() {
            tls_requested |= e == ServerEvent::TlsRequested;
            self.queue.push_back(Incoming::Server(e));
        }
        if tls_requested {
            // The simulated handshake: the server side is done at once.
            self.server.tls_established();
            self.queue.push_back(Incoming::TlsUp);
        }
    }
}

/// Where a relay connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayPhase {
    /// `connect` sent, waiting for `connected`.
    Connecting,
    /// Connected; bytes flow.
    Open,
    /// `starttls` sent (or implicit TLS), waiting for the `tls` report.
    Handshake,
    /// The certificate did not verify: nothing more is sent until the user decides.
    Untrusted,
    /// The connection ended (or never came up).
    Closed,
}

/// A connection through the relay, as frames.
#[derive(Debug)]
pub struct RelayTransport {
    out: Vec<Outgoing>,
    inbox: VecDeque<Incoming>,
    /// Where the connection is.
    pub phase: RelayPhase,
    tls: bool,
    waiting: Vec<u8>,
    /// The last TLS report.
    pub tls_info: Option<TlsInfo>,
    /// `connected`: peer address, MX host, connect time.
    pub peer: Option<(String, Option<String>, u64)>,
    implicit: bool,
}

impl RelayTransport {
    /// A connection to `target`; queues the `connect` frame.
    pub fn new(target: Target, tls: TlsMode, sni: Option<String>) -> RelayTransport {
        RelayTransport {
            out: vec![Outgoing::Frame(ClientFrame::Connect { target, tls, sni })],
            inbox: VecDeque::new(),
            phase: RelayPhase::Connecting,
            tls: false,
            waiting: Vec::new(),
            tls_info: None,
            peer: None,
            implicit: tls == TlsMode::Implicit,
        }
    }

    /// The frames to send, in order (drained).
    pub fn take_output(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.out)
    }

    fn flush_waiting(&mut self) {
        if self.phase == RelayPhase::Open && !self.waiting.is_empty() {
            self.out
                .push(Outgoing::Bytes(std::mem::take(&mut self.waiting)));
        }
    }

    fn note(&mut self, text: NoteText, error: bool) {
        self.inbox.push_back(Incoming::Note { text, error });
    }

    /// A binary frame from the relay: bytes from the server.
    pub fn handle_bytes(&mut self, bytes: Vec<u8>) {
        if self.phase == RelayPhase::Closed || bytes.is_empty() {
            return;
        }
        let tls = self.tls;
        self.inbox.push_back(Incoming::Data { bytes, tls });
    }

    /// A control frame about the connection (`connected`, `tls`, `closed`, `error`); `hello`
    /// and `resolved` belong to the socket, not the connection, and are ignored here.
    pub fn handle_frame(&mut self, frame: RelayFrame) {
        match frame {
            RelayFrame::Connected {
                peer,
                mx,
                connect_ms,
                attempts,
            } => {
                for failed in attempts.iter().filter(|a| a.error.is_some()) {
                    let mut args = vec![
                        ("address", failed.address.clone()),
                        ("ms", failed.ms.to_string()),
                    ];
                    let template = match &failed.mx {
                        Some(m) => {
                            args.push(("mx", m.clone()));
                            key("Tried {address} (MX {mx}) first: {error} after {ms} ms.")
                        }
                        None => key("Tried {address} first: {error} after {ms} ms."),
                    };
                    args.push(("error", failed.error.clone().unwrap_or_default()));
                    self.note(NoteText::with(template, args), false);
                }
                let mut args = vec![("ms", connect_ms.to_string())];
                let template = match &mx {
                    Some(m) => {
                        args.push(("mx", m.clone()));
                        key("Connected to {peer} (MX {mx}) in {ms} ms through the relay.")
                    }
                    None => key("Connected to {peer} in {ms} ms through the relay."),
                };
                args.push(("peer", peer.clone()));
                self.note(NoteText::with(template, args), false);
                self.peer = Some((peer, mx, connect_ms));
                if self.phase == RelayPhase::Connecting {
                    self.phase = if self.expect_implicit() {
                        RelayPhase::Handshake
                    } else {
                        RelayPhase::Open
                    };
                }
                self.flush_waiting();
            }
            RelayFrame::Tls {
                version,
                cipher,
                sni,
                chain,
                verified,
                verify_error,
            } => {
                self.tls = true;
                let mut args = vec![("version", version.clone()), ("cipher", cipher.clone())];
                let template = if verified {
                    key("TLS handshake done: {version}, {cipher}; certificate verified.")
                } else {
                    args.push(("error", verify_error.clone().unwrap_or_default()));
                    key("TLS handshake done: {version}, {cipher}; certificate NOT verified ({error}).")
                };
                self.note(NoteText::with(template, args), !verified);
                self.tls_info = Some(TlsInfo {
                    version,
                    cipher,
                    sni,
                    chain,
                    verified,
                    verify_error,
                });
                self.inbox.push_back(Incoming::TlsUp);
                self.phase = if verified {
                    RelayPhase::Open
                } else {
                    RelayPhase::Untrusted
                };
                self.flush_waiting();
            }
            RelayFrame::Closed { by, reason } => {
                let template = match by {
                    Closer::Server => key("Connection closed by the server: {reason}"),
                    Closer::Client => key("Connection closed by this page: {reason}"),
                    Closer::Relay => key("Connection closed by the relay: {reason}"),
                };
                self.note(NoteText::with(template, vec![("reason", reason)]), false);
                self.close_now();
            }
            RelayFrame::Error {
                code,
                message,
                retrying,
            } => {
                // A failed address of a failover: the relay goes on with the next one.
                let fatal = self.phase == RelayPhase::Connecting && !retrying;
                let template = if retrying {
                    key("Relay error {code}, trying the next address: {message}")
                } else {
                    key("Relay error {code}: {message}")
                };
                self.note(
                    NoteText::with(
                        template,
                        vec![("code", code.as_str().to_string()), ("message", message)],
                    ),
                    true,
                );
                if fatal || matches!(code, ErrorCode::TlsFailed) {
                    self.close_now();
                }
            }
            RelayFrame::Hello { .. } | RelayFrame::Resolved { .. } => {}
        }
    }

    fn close_now(&mut self) {
        if self.phase != RelayPhase::Closed {
            self.phase = RelayPhase::Closed;
            self.waiting.clear();
            // Bytes held back for an untrusted certificate are dropped, never shown as read.
            self.inbox
                .retain(|i| matches!(i, Incoming::Note { .. } | Incoming::Server(_)));
            self.inbox.push_back(Incoming::Closed);
        }
    }

    fn expect_implicit(&self) -> bool {
        self.implicit
    }

    /// The user's answer to an untrusted certificate: go on, or close the connection.
    pub fn decide(&mut self, go_on: bool) {
        if self.phase != RelayPhase::Untrusted {
            return;
        }
        if go_on {
            self.phase = RelayPhase::Open;
            self.flush_waiting();
        } else {
            self.out.push(Outgoing::Frame(ClientFrame::Close));
            self.close_now();
        }
    }
}

/// The server end of a session.
#[derive(Debug)]
pub enum Transport {
    /// The in-browser server.
    InBrowser(Box<LocalServer>),
    /// A server reached through the relay.
    Relay(Box<RelayTransport>),
}

impl Transport {
    /// Bytes the client wrote, for the server.
    pub fn send(&mut self, bytes: &[u8]) {
        match self {
            Transport::InBrowser(l) => l.server.handle_input(bytes),
            Transport::Relay(r) => match r.phase {
                RelayPhase::Open => r.out.push(Outgoing::Bytes(bytes.to_vec())),
                RelayPhase::Closed => {}
                _ => {
                    if r.waiting.len() + bytes.len() <= MAX_WAITING_BYTES {
                        r.waiting.extend_from_slice(bytes);
                    }
                }
            },
        }
    }

    /// The client saw `220` to STARTTLS: start the handshake.
    pub fn start_tls(&mut self) {
        match self {
            // The in-browser server finished its side when it sent the 220.
            Transport::InBrowser(_) => {}
            Transport::Relay(r) => {
                if r.phase == RelayPhase::Open && !r.tls {
                    r.out
                        .push(Outgoing::Frame(ClientFrame::Starttls { sni: None }));
                    r.phase = RelayPhase::Handshake;
                }
            }
        }
    }

    /// The next thing the server side produced.
    pub fn poll(&mut self) -> Option<Incoming> {
        match self {
            Transport::InBrowser(l) => {
                if l.queue.is_empty() {
                    l.refill();
                }
                l.queue.pop_front()
            }
            Transport::Relay(r) => {
                // While an untrusted certificate waits for a decision, nothing goes to the
                // client (with implicit TLS the greeting waits here).
                if r.phase == RelayPhase::Untrusted
                    && r.inbox
                        .front()
                        .is_some_and(|i| matches!(i, Incoming::Data { .. } | Incoming::TlsUp))
                {
                    return None;
                }
                r.inbox.pop_front()
            }
        }
    }

    /// The clock (the in-browser server's timeouts).
    pub fn handle_time(&mut self, now: u64) {
        if let Transport::InBrowser(l) = self {
            l.server.handle_time(now);
        }
    }

    /// Whether bytes the client writes now travel inside TLS.
    pub fn is_tls(&self) -> bool {
        match self {
            Transport::InBrowser(l) => l.server.is_tls(),
            Transport::Relay(r) => r.tls,
        }
    }

    /// The in-browser server's state (none over the relay: the real server's state is unknown).
    pub fn server_state(&self) -> Option<ServerState> {
        match self {
            Transport::InBrowser(l) => Some(l.server.state()),
            Transport::Relay(_) => None,
        }
    }

    /// The relay connection, if this is one.
    pub fn relay(&self) -> Option<&RelayTransport> {
        match self {
            Transport::Relay(r) => Some(r),
            Transport::InBrowser(_) => None,
        }
    }

    /// The relay connection, mutably.
    pub fn relay_mut(&mut self) -> Option<&mut RelayTransport> {
        match self {
            Transport::Relay(r) => Some(r),
            Transport::InBrowser(_) => None,
        }
    }

    /// Ends the connection (over the relay: a `close` frame).
    pub fn close(&mut self) {
        if let Transport::Relay(r) = self {
            if r.phase != RelayPhase::Closed {
                r.out.push(Outgoing::Frame(ClientFrame::Close));
                r.phase = RelayPhase::Closed;
                r.waiting.clear();
            }
        }
    }

    /// Frames to send (drained); none for the in-browser server.
    pub fn take_output(&mut self) -> Vec<Outgoing> {
        match self {
            Transport::Relay(r) => r.take_output(),
            Transport::InBrowser(_) => Vec::new(),
        }
    }
}
