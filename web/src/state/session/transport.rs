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
//! The session reducer ([`super::SessionModel`]) moves bytes between the client session and a
//! transport: [`Transport::send`] with what the client wrote, [`Transport::poll`] for what the
//! server wrote ([`Incoming`]), [`Transport::start_tls`] after the client saw `220` to STARTTLS.

use std::collections::VecDeque;

use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use mailscope_core::smtp::session::{ServerConfig, ServerEvent, ServerSession, ServerState};

use super::certificate::{TlsInfo, VerifyFailure};
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
                verify_kind,
            } => {
                self.tls = true;
                // The name the chain was checked for: the SNI, else the address connected to.
                let name = sni
                    .clone()
                    .or_else(|| self.peer.as_ref().map(|p| p.0.clone()));
                let failure = (!verified).then(|| VerifyFailure {
                    kind: verify_kind,
                    name: name.unwrap_or_default(),
                    words: verify_error.unwrap_or_default(),
                });
                let note = match &failure {
                    None => NoteText::with(
                        key("TLS handshake done: {version}, {cipher}; certificate verified."),
                        vec![("version", version.clone()), ("cipher", cipher.clone())],
                    ),
                    Some(f) => NoteText::Unverified {
                        version: version.clone(),
                        cipher: cipher.clone(),
                        failure: f.clone(),
                    },
                };
                self.note(note, !verified);
                self.tls_info = Some(TlsInfo {
                    version,
                    cipher,
                    sni,
                    chain,
                    verified,
                    failure,
                    pinned: false,
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
            // Answers to `lookup` belong to the Authenticity panel, not to a session.
            RelayFrame::Hello { .. } | RelayFrame::Resolved { .. } | RelayFrame::Answer { .. } => {}
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

    /// An untrusted certificate that the user trusts on this browser (the caller checked it
    /// against the list): the session goes on, and says why.
    pub fn accept_pinned(&mut self) {
        if self.phase != RelayPhase::Untrusted {
            return;
        }
        if let Some(info) = self.tls_info.as_mut() {
            info.pinned = true;
            let sha256 = info
                .chain
                .first()
                .map(|c| c.sha256.clone())
                .unwrap_or_default();
            self.note(
                NoteText::with(
                    key("Not verified by a certificate authority, but it is the exact certificate you chose to trust on this browser (SHA-256 {sha256}): going on."),
                    vec![("sha256", sha256)],
                ),
                false,
            );
        }
        self.decide(true);
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

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::relay::{Certificate, Closer, Target, VerifyKind};
    use mailscope_core::smtp::session::ClientState;

    use super::*;
    use mailscope_core::smtp::auth::{Credentials, Mechanism};
    use mailscope_core::smtp::session::StopPoint;

    use crate::state::i18n::Lang;
    use crate::state::session::error::SessionError;
    use crate::state::session::form::PlanInput;
    use crate::state::session::live::{MxChoice, SocketEvent, TargetForm, TargetKind, TlsChoice};
    use crate::state::session::notes::SIDE_RELAY;
    use crate::state::session::tests::{notes_in, send};
    use crate::state::session::{Action, SessionModel};

    pub(crate) fn relay_model(tls: TlsChoice) -> SessionModel {
        let mut m = SessionModel::default();
        m.apply(Action::SetTarget(TargetForm {
            kind: TargetKind::Sandbox,
            tls,
            ..TargetForm::default()
        }));
        m.apply(Action::Connect { now: 0 });
        assert_eq!(m.error, Some(SessionError::RelayNotLinked), "no socket yet");
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

    pub(crate) fn tls_frame(verified: bool) -> RelayFrame {
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
            verify_kind: (!verified).then_some(VerifyKind::UnknownIssuer),
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
        assert_eq!(m.error, Some(SessionError::HandshakePending));
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
        assert_eq!(m.error, Some(SessionError::CertificateUndecided));
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

    /// A model that talks to the relay: what it sends, and what the relay delivers to it.
    pub(crate) trait Relayed {
        /// Frames and bytes for the relay.
        fn take_outbox(&mut self) -> Vec<Outgoing>;
        /// A relay event, at `now`.
        fn deliver(&mut self, action: Action, now: u64);
    }

    impl Relayed for SessionModel {
        fn take_outbox(&mut self) -> Vec<Outgoing> {
            SessionModel::take_outbox(self)
        }
        fn deliver(&mut self, action: Action, _now: u64) {
            self.apply(action);
        }
    }

    /// Plays a real server (the core's [`ServerSession`] with `config`) behind the relay: what
    /// the page sends goes to it, what it writes comes back as relay bytes, a little later each
    /// time; the STARTTLS handshake is reported verified.
    pub(crate) fn relay_to_core_server(m: &mut impl Relayed, config: ServerConfig) {
        let mut server = ServerSession::new(config.clone());
        let mut now = 10;
        for _ in 0..200 {
            now += 7;
            let mut moved = false;
            for out in m.take_outbox() {
                moved = true;
                match out {
                    Outgoing::Bytes(bytes) => server.handle_input(&bytes),
                    Outgoing::Frame(ClientFrame::Connect { .. }) => {
                        // A new connection: a new server.
                        server = ServerSession::new(config.clone());
                        let frame = RelayFrame::Connected {
                            peer: "127.0.0.1:2525".into(),
                            mx: None,
                            connect_ms: 1,
                            attempts: Vec::new(),
                        };
                        m.deliver(Action::Frame { frame, now }, now);
                    }
                    Outgoing::Frame(ClientFrame::Starttls { .. }) => {
                        server.tls_established();
                        let frame = tls_frame(true);
                        m.deliver(Action::Frame { frame, now }, now);
                    }
                    Outgoing::Frame(_) => {}
                }
            }
            while let Some(bytes) = server.poll_output() {
                moved = true;
                m.deliver(Action::Bytes { bytes, now }, now);
            }
            while server.poll_event().is_some() {}
            if !moved {
                return;
            }
        }
    }

    /// Bug: over the relay, "Run whole transaction" showed `Round trips: 0 · saved by
    /// pipelining: 0`. The figures come from the core's ladder of the writes on the wire, the
    /// same for every transport.
    #[test]
    fn round_trips_over_the_relay_equal_the_in_browser_server() {
        for (pipelining, starttls) in [(true, false), (false, false), (true, true)] {
            let plan = PlanInput {
                helo: "c".into(),
                starttls,
                auth: Some((Mechanism::Plain, Credentials::new("alice", "wonderland"))),
                from: "a@example.org".into(),
                mail_params: String::new(),
                rcpts: vec!["b@example.org".into(), "c@example.org".into()],
                message: "Subject: x\n\nhi\n".into(),
                stop_after: None,
            };
            let mut local = SessionModel::default();
            local.apply(Action::SetPipelining(pipelining));
            local.apply(Action::Run {
                plan: Box::new(plan.clone()),
                now: 0,
            });
            assert_eq!(local.received.len(), 1, "in-browser: {:?}", local.notes);
            let tls = if starttls {
                TlsChoice::Starttls
            } else {
                TlsChoice::None
            };
            let mut m = relay_model(tls);
            m.apply(Action::SetPipelining(pipelining));
            m.apply(Action::Run {
                plan: Box::new(plan),
                now: 10,
            });
            relay_to_core_server(&mut m, local.config.clone());
            assert!(
                m.rows().last().is_some_and(|r| r.kind == "reply 221"),
                "the whole transaction ran: {:?}",
                m.rows().iter().map(|r| r.kind.clone()).collect::<Vec<_>>()
            );
            let figures =
                |m: &SessionModel| (m.ladder.round_trips.len(), m.ladder.saved_by_pipelining);
            let (trips, saved) = figures(&m);
            assert!(trips > 0, "round trips over the relay");
            assert_eq!(
                figures(&m),
                figures(&local),
                "relay vs in-browser, pipelining {pipelining}, STARTTLS {starttls}"
            );
            assert_eq!(saved > 0, pipelining, "pipelining saves round trips");
            assert_eq!(m.ladder.tls_from.is_some(), starttls);
            assert!(
                m.ladder
                    .round_trips
                    .iter()
                    .all(|r| r.elapsed_ms.is_some_and(|ms| ms > 0)),
                "each round trip timed over the relay: {:?}",
                m.ladder.round_trips
            );
        }
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
}
