//! Live sessions through `mailscope serve`'s relay: the target picker, the state of the
//! WebSocket (shown at all times in the Session view), the MX answer, and what to do about each
//! relay error code. Plain data and pure functions; the socket is in `services::relay`.

use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, Limits, MxRecord, Target, TlsMode};

use super::error::SessionError;
use crate::state::i18n::key;
use crate::state::mailbox::ApiError;

/// Where a session goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetKind {
    /// The core's server in the page (no relay).
    #[default]
    InBrowser,
    /// The sandbox SMTP server of `mailscope serve`.
    Sandbox,
    /// A host and port.
    HostPort,
    /// The mail exchangers of a domain.
    Domain,
}

impl TargetKind {
    /// Every kind, in picker order.
    pub const ALL: [TargetKind; 4] = [
        TargetKind::InBrowser,
        TargetKind::Sandbox,
        TargetKind::HostPort,
        TargetKind::Domain,
    ];

    /// Stable value for the picker.
    pub fn value(self) -> &'static str {
        match self {
            TargetKind::InBrowser => "in-browser",
            TargetKind::Sandbox => "sandbox",
            TargetKind::HostPort => "host",
            TargetKind::Domain => "domain",
        }
    }

    /// The kind of a picker value.
    pub fn from_value(v: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.value() == v)
    }

    /// Label (English key).
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::InBrowser => key("In-browser server (no relay)"),
            TargetKind::Sandbox => key("Sandbox of mailscope serve"),
            TargetKind::HostPort => key("Host and port"),
            TargetKind::Domain => key("Domain (MX lookup)"),
        }
    }
}

/// TLS for a relay connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsChoice {
    /// Plain; STARTTLS only if the user sends it.
    #[default]
    None,
    /// Plain, then STARTTLS (the whole-run plan requires it).
    Starttls,
    /// TLS from the first byte (port 465, RFC 8314).
    Implicit,
}

impl TlsChoice {
    /// Every choice.
    pub const ALL: [TlsChoice; 3] = [TlsChoice::None, TlsChoice::Starttls, TlsChoice::Implicit];

    /// Stable value.
    pub fn value(self) -> &'static str {
        match self {
            TlsChoice::None => "none",
            TlsChoice::Starttls => "starttls",
            TlsChoice::Implicit => "implicit",
        }
    }

    /// From a picker value.
    pub fn from_value(v: &str) -> Option<TlsChoice> {
        TlsChoice::ALL.into_iter().find(|k| k.value() == v)
    }

    /// Label (English key).
    pub fn label(self) -> &'static str {
        match self {
            TlsChoice::None => key("None (plain; STARTTLS by hand)"),
            TlsChoice::Starttls => key("STARTTLS (RFC 3207)"),
            TlsChoice::Implicit => key("Implicit TLS (port 465, RFC 8314)"),
        }
    }
}

/// Which exchanger of a domain to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MxChoice {
    /// Let the relay try them in preference order (`{mx: domain}`).
    #[default]
    Failover,
    /// This exchanger, on port 25.
    Exchange(String),
}

/// The target picker's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetForm {
    /// Where.
    pub kind: TargetKind,
    /// Host for [`TargetKind::HostPort`].
    pub host: String,
    /// Port as typed.
    pub port: String,
    /// Domain for [`TargetKind::Domain`].
    pub domain: String,
    /// Exchanger for [`TargetKind::Domain`].
    pub mx: MxChoice,
    /// TLS.
    pub tls: TlsChoice,
}

impl Default for TargetForm {
    fn default() -> Self {
        TargetForm {
            kind: TargetKind::InBrowser,
            host: String::new(),
            port: "587".into(),
            domain: String::new(),
            mx: MxChoice::Failover,
            tls: TlsChoice::None,
        }
    }
}

impl TargetForm {
    /// Whether this target goes through the relay.
    pub fn is_relay(&self) -> bool {
        self.kind != TargetKind::InBrowser
    }

    /// The `connect` frame for this target; `Err` when a field is missing or wrong; `Ok(None)`
    /// for the in-browser server.
    pub fn connect_frame(&self) -> Result<Option<ClientFrame>, SessionError> {
        let tls = match self.tls {
            TlsChoice::Implicit => TlsMode::Implicit,
            TlsChoice::None | TlsChoice::Starttls => TlsMode::None,
        };
        let target = match self.kind {
            TargetKind::InBrowser => return Ok(None),
            TargetKind::Sandbox => Target::Sandbox { sandbox: true },
            TargetKind::HostPort => {
                let host = self.host.trim();
                if host.is_empty() {
                    return Err(SessionError::NoHost);
                }
                let port = self
                    .port
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or(SessionError::BadPort)?;
                Target::Host {
                    host: host.to_string(),
                    port,
                }
            }
            TargetKind::Domain => match &self.mx {
                MxChoice::Exchange(host) => Target::Host {
                    host: host.clone(),
                    port: 25,
                },
                MxChoice::Failover => {
                    let domain = self.domain.trim();
                    if domain.is_empty() {
                        return Err(SessionError::NoDomain);
                    }
                    Target::Mx {
                        mx: domain.to_string(),
                    }
                }
            },
        };
        Ok(Some(ClientFrame::Connect {
            target,
            tls,
            sni: None,
        }))
    }
}

/// The state of the WebSocket to `/relay`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SocketState {
    /// No token in the URL or the tab: the page was not opened from `mailscope serve`'s URL.
    #[default]
    NoToken,
    /// Opening.
    Opening,
    /// Open; `hello` may not have come yet.
    Open,
    /// It never opened: checking why (a request to the API tells "not running" from "token
    /// refused", which a browser WebSocket cannot).
    Checking,
    /// Nothing answers: `mailscope serve` is not running (or not at this address).
    NotRunning(String),
    /// `mailscope serve` answers but refused this page's token (or its Host/Origin).
    Refused(String),
    /// It was open and closed.
    Closed {
        /// The WebSocket close code (1006: the connection dropped).
        code: u16,
        /// The close reason, if any.
        reason: String,
    },
}

impl SocketState {
    /// A stable name for tests and CSS (`data-state`).
    pub fn name(&self) -> &'static str {
        match self {
            SocketState::NoToken => "no-token",
            SocketState::Opening => "opening",
            SocketState::Open => "connected",
            SocketState::Checking => "checking",
            SocketState::NotRunning(_) => "not-running",
            SocketState::Refused(_) => "refused",
            SocketState::Closed { .. } => "closed",
        }
    }
}

/// What the relay socket service reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// There is no token.
    NoToken,
    /// Opening started.
    Opening,
    /// The socket opened.
    Opened,
    /// The socket closed; `was_open` tells whether it had opened.
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether it had opened.
        was_open: bool,
    },
    /// The result of asking the API why the socket did not open.
    Checked(Result<(), ApiError>),
    /// A text frame that is not a relay v1 frame.
    Garbled(String),
}

/// Everything the Session view shows about the relay.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayStatus {
    /// The socket.
    pub socket: SocketState,
    /// Protocol version and limits from `hello`.
    pub hello: Option<(u32, Limits)>,
    /// The sandbox address from `hello` (`None`: `--no-sandbox`).
    pub sandbox: Option<String>,
    /// The last relay error.
    pub last_error: Option<(ErrorCode, String)>,
    /// The last `closed` of a server connection: who and why.
    pub last_closed: Option<(Closer, String)>,
    /// The domain being resolved.
    pub resolving: Option<String>,
    /// The last MX answer: domain, records by preference, implicit.
    pub resolved: Option<(String, Vec<MxRecord>, bool)>,
}

impl RelayStatus {
    /// Applies a socket event.
    pub fn on_socket(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::NoToken => self.socket = SocketState::NoToken,
            SocketEvent::Opening => self.socket = SocketState::Opening,
            SocketEvent::Opened => {
                self.socket = SocketState::Open;
                self.last_error = None;
            }
            SocketEvent::Closed {
                code,
                reason,
                was_open,
            } => {
                self.hello = None;
                self.resolving = None;
                self.socket = if was_open {
                    SocketState::Closed { code, reason }
                } else {
                    SocketState::Checking
                };
            }
            SocketEvent::Checked(result) => {
                if self.socket != SocketState::Checking {
                    return;
                }
                self.socket = match result {
                    Err(ApiError::NotRunning(d)) => SocketState::NotRunning(d),
                    Err(ApiError::Forbidden(d)) => SocketState::Refused(d),
                    Err(ApiError::NoToken) => SocketState::NoToken,
                    // The API answers with this token, so the socket failed for another reason
                    // (an Origin not allowed, a proxy in between).
                    Ok(()) | Err(ApiError::SandboxOff(_)) => SocketState::Refused(
                        key("the API accepts the token but the WebSocket upgrade failed (is the page's Origin allowed? see --allow-origin)").into(),
                    ),
                    Err(ApiError::Gone(d) | ApiError::Other(d)) => SocketState::NotRunning(d),
                };
            }
            SocketEvent::Garbled(text) => {
                self.last_error = Some((
                    ErrorCode::BadRequest,
                    format!("the relay sent a frame this page does not understand: {text}"),
                ));
            }
        }
    }

    /// Takes note of a frame about the socket (`hello`, `resolved`, `error`, `closed`).
    pub fn on_frame(&mut self, frame: &mailscope_core::relay::RelayFrame) {
        use mailscope_core::relay::RelayFrame;
        match frame {
            RelayFrame::Hello {
                protocol,
                limits,
                sandbox,
            } => {
                self.socket = SocketState::Open;
                self.hello = Some((*protocol, limits.clone()));
                self.sandbox = sandbox.clone();
            }
            RelayFrame::Resolved {
                domain,
                records,
                implicit,
            } => {
                self.resolving = None;
                // A lookup that worked makes an earlier lookup's failure stale.
                if self
                    .last_error
                    .as_ref()
                    .is_some_and(|(c, _)| *c == ErrorCode::DnsFailed)
                {
                    self.last_error = None;
                }
                let mut records = records.clone();
                records.sort_by_key(|r| r.preference);
                self.resolved = Some((domain.clone(), records, *implicit));
            }
            // One failed address of a failover is not the end of the connect: the notes
            // show it, the status waits for `connected` or the final error.
            RelayFrame::Error { retrying: true, .. } => {}
            RelayFrame::Error { code, message, .. } => {
                if *code == ErrorCode::DnsFailed {
                    // The records shown were another lookup's.
                    self.resolving = None;
                    self.resolved = None;
                }
                self.last_error = Some((*code, message.clone()));
            }
            RelayFrame::Closed { by, reason } => {
                self.last_closed = Some((*by, reason.clone()));
            }
            RelayFrame::Connected { .. } => {
                self.last_closed = None;
                self.last_error = None;
            }
            RelayFrame::Tls { .. } | RelayFrame::Answer { .. } => {}
        }
    }

    /// Whether frames can be sent.
    pub fn is_open(&self) -> bool {
        self.socket == SocketState::Open
    }
}

/// What a relay error code means and what to do about it (English keys for `tr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorHelp {
    /// Short title.
    pub title: &'static str,
    /// What to do.
    pub todo: &'static str,
}

/// The guidance for a relay `error` code.
pub fn error_help(code: ErrorCode) -> ErrorHelp {
    let (title, todo) = match code {
        ErrorCode::PolicyDenied => (
            key("Refused by the relay's destination policy"),
            key("The relay connects only to public addresses on ports 25, 465 and 587. For a test server on this machine or your network, restart mailscope serve with --allow-target HOST:PORT (or --allow-private, --allow-port PORT)."),
        ),
        ErrorCode::DnsFailed => (
            key("The name did not resolve"),
            key("Check the spelling of the host or domain. A domain with a null MX (RFC 7505) accepts no mail at all; a missing domain (NXDOMAIN) does not exist."),
        ),
        ErrorCode::ConnectFailed => (
            key("The TCP connection failed"),
            key("Check the host and port. Many networks and cloud providers block outgoing port 25: try the server's submission port 587 (STARTTLS) or 465 (implicit TLS)."),
        ),
        ErrorCode::TlsFailed => (
            key("The TLS handshake failed"),
            key("The server may not speak TLS on this port (use STARTTLS on 25/587, implicit TLS on 465), or it sent bytes after its 220 to STARTTLS (a protocol violation, RFC 3207 §4.2). Connect again."),
        ),
        ErrorCode::Timeout => (
            key("Something took too long"),
            key("The server did not answer within the relay's time limit (see the limits above). Connect again; if it keeps happening the server or a firewall is dropping the traffic."),
        ),
        ErrorCode::Limit => (
            key("A relay limit was reached"),
            key("Too many sessions or connects per minute, or a frame that is too large. Close other Mailscope tabs, wait a minute and connect again."),
        ),
        ErrorCode::SandboxUnavailable => (
            key("The relay runs without its sandbox"),
            key("mailscope serve was started with --no-sandbox. Restart it without that flag (or run cargo xtask run), or pick a host:port or a domain as the target."),
        ),
        ErrorCode::BadRequest => (
            key("The relay did not accept a frame"),
            key("The page sent something the relay did not expect in this state (data before connect, close without a connection). Disconnect and connect again; if it persists, reload the page."),
        ),
    };
    ErrorHelp { title, todo }
}

/// The limits a default `mailscope serve` announces, for the reducers' tests.
#[cfg(test)]
pub(crate) fn sample_limits() -> Limits {
    Limits {
        max_frame: 1 << 20,
        write_buffer: 4 << 20,
        idle_timeout_secs: 300,
        connect_timeout_secs: 30,
        handshake_timeout_secs: 30,
        max_sessions: 20,
        max_sessions_per_token: 10,
        connects_per_minute: 60,
        allowed_ports: vec![25, 465, 587],
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::relay::RelayFrame;

    use super::*;
    use crate::state::error::UserError;
    use crate::state::i18n::Lang;

    #[test]
    fn every_error_code_has_guidance() {
        let cases = [
            (ErrorCode::PolicyDenied, "--allow-target"),
            (ErrorCode::DnsFailed, "null MX"),
            (ErrorCode::ConnectFailed, "587"),
            (ErrorCode::TlsFailed, "465"),
            (ErrorCode::Timeout, "time limit"),
            (ErrorCode::Limit, "wait a minute"),
            (ErrorCode::BadRequest, "reload"),
            (ErrorCode::SandboxUnavailable, "--no-sandbox"),
        ];
        let mut titles = std::collections::HashSet::new();
        for (code, needle) in cases {
            let help = error_help(code);
            assert!(
                help.todo.contains(needle),
                "{code:?}: want {needle:?} in {:?}",
                help.todo
            );
            assert!(
                titles.insert(help.title),
                "{code:?}: title {:?} reused",
                help.title
            );
        }
    }

    #[test]
    fn targets_make_connect_frames() {
        let form = |kind, host: &str, port: &str, domain: &str, mx, tls| TargetForm {
            kind,
            host: host.into(),
            port: port.into(),
            domain: domain.into(),
            mx,
            tls,
        };
        let cases = [
            (
                form(
                    TargetKind::Sandbox,
                    "",
                    "",
                    "",
                    MxChoice::Failover,
                    TlsChoice::Starttls,
                ),
                Ok(Some(
                    r#"{"type":"connect","target":{"sandbox":true},"tls":"none"}"#,
                )),
            ),
            (
                form(
                    TargetKind::HostPort,
                    " mx.example.org ",
                    "465",
                    "",
                    MxChoice::Failover,
                    TlsChoice::Implicit,
                ),
                Ok(Some(
                    r#"{"type":"connect","target":{"host":"mx.example.org","port":465},"tls":"implicit"}"#,
                )),
            ),
            (
                form(
                    TargetKind::Domain,
                    "",
                    "",
                    "example.org",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Ok(Some(
                    r#"{"type":"connect","target":{"mx":"example.org"},"tls":"none"}"#,
                )),
            ),
            (
                form(
                    TargetKind::Domain,
                    "",
                    "",
                    "example.org",
                    MxChoice::Exchange("mx2.example.org".into()),
                    TlsChoice::None,
                ),
                Ok(Some(
                    r#"{"type":"connect","target":{"host":"mx2.example.org","port":25},"tls":"none"}"#,
                )),
            ),
            (
                form(
                    TargetKind::HostPort,
                    "",
                    "25",
                    "",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Err("host"),
            ),
            (
                form(
                    TargetKind::HostPort,
                    "h",
                    "70000",
                    "",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Err("port"),
            ),
            (
                form(
                    TargetKind::HostPort,
                    "h",
                    "0",
                    "",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Err("port"),
            ),
            (
                form(
                    TargetKind::Domain,
                    "",
                    "",
                    " ",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Err("domain"),
            ),
            (
                form(
                    TargetKind::InBrowser,
                    "",
                    "",
                    "",
                    MxChoice::Failover,
                    TlsChoice::None,
                ),
                Ok(None),
            ),
        ];
        for (f, want) in cases {
            let got = f.connect_frame();
            match (got, want) {
                (Ok(frame), Ok(json)) => assert_eq!(
                    frame
                        .map(|fr| serde_json::to_string(&fr).unwrap_or_default())
                        .as_deref(),
                    json,
                    "{f:?}"
                ),
                (Err(e), Err(needle)) => {
                    let e = format!("{} {}", e.what(Lang::En), e.next_step(Lang::En));
                    assert!(e.contains(needle), "{f:?}: {e}")
                }
                (got, want) => panic!("{f:?}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn socket_states_explain_themselves() {
        let mut s = RelayStatus::default();
        assert_eq!(s.socket.name(), "no-token");
        s.on_socket(SocketEvent::Opening);
        s.on_socket(SocketEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_open: false,
        });
        assert_eq!(
            s.socket,
            SocketState::Checking,
            "never opened: find out why"
        );
        s.on_socket(SocketEvent::Checked(Err(ApiError::NotRunning(
            "refused".into(),
        ))));
        assert_eq!(s.socket.name(), "not-running");
        s.on_socket(SocketEvent::Opening);
        s.on_socket(SocketEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_open: false,
        });
        s.on_socket(SocketEvent::Checked(Err(ApiError::Forbidden(
            "wrong token".into(),
        ))));
        assert_eq!(s.socket, SocketState::Refused("wrong token".into()));
        s.on_socket(SocketEvent::Checked(Err(ApiError::NotRunning(
            "late".into(),
        ))));
        assert_eq!(s.socket.name(), "refused", "a late check changes nothing");

        s.on_socket(SocketEvent::Opened);
        s.on_frame(&RelayFrame::Hello {
            protocol: 1,
            limits: sample_limits(),
            sandbox: Some("127.0.0.1:2525".into()),
        });
        assert!(s.is_open() && s.hello.is_some());
        s.on_frame(&RelayFrame::Resolved {
            domain: "example.org".into(),
            records: vec![
                MxRecord {
                    preference: 20,
                    exchange: "b".into(),
                    addresses: vec![],
                },
                MxRecord {
                    preference: 10,
                    exchange: "a".into(),
                    addresses: vec![],
                },
            ],
            implicit: false,
        });
        let order: Vec<&str> = s
            .resolved
            .as_ref()
            .map(|(_, r, _)| r.iter().map(|m| m.exchange.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(order, ["a", "b"], "by preference");
        // Bug: a DNS error box survived a later successful lookup (and old records a failed one).
        s.on_frame(&RelayFrame::Error {
            code: ErrorCode::DnsFailed,
            message: "gone.test does not exist (NXDOMAIN)".into(),
            retrying: false,
        });
        assert!(s.resolved.is_none() && s.last_error.is_some());
        s.on_frame(&RelayFrame::Resolved {
            domain: "example.org".into(),
            records: vec![],
            implicit: true,
        });
        assert!(s.last_error.is_none(), "{:?}", s.last_error);
        s.on_socket(SocketEvent::Closed {
            code: 1000,
            reason: "idle".into(),
            was_open: true,
        });
        assert_eq!(
            s.socket,
            SocketState::Closed {
                code: 1000,
                reason: "idle".into()
            }
        );
        assert!(s.hello.is_none());
    }
}
