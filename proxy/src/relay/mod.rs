//! The `/relay` WebSocket: relay protocol v1 (see `mailscope_core::relay` and docs/relay.md).
//!
//! Before the upgrade the request must carry this run's token as a subprotocol, an allowed
//! `Origin` and a `Host` naming the listener; anything else is answered with HTTP 403 and no
//! outbound connection is made. After the upgrade each WebSocket is one session: it may open one
//! TCP (or TLS) connection at a time to a target the [`Policy`] allows, and carries its bytes
//! unchanged in binary frames.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mailscope_core::relay::{Limits, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX};

use crate::dns::Dns;
use crate::policy::Policy;
use crate::tls::Trust;

pub(crate) mod conn;
mod connect;
mod session;
mod starttls;

/// Limits of the relay. Defaults follow Postfix and RFC 5321 where they have an equivalent.
#[derive(Debug, Clone)]
pub struct RelayLimits {
    /// Open sessions (WebSockets) in total.
    pub max_sessions: usize,
    /// Open sessions presenting the same token.
    pub max_sessions_per_token: usize,
    /// TCP connection attempts per minute, over all sessions: every address a `connect` tries
    /// counts (Postfix anvil's connection rate).
    pub connects_per_minute: usize,
    /// Most addresses one `connect` tries, over all its MX hosts (Postfix
    /// `smtp_mx_address_limit` = 5).
    pub connect_addresses: usize,
    /// TCP connect timeout (Postfix `smtp_connect_timeout` = 30 s).
    pub connect_timeout: Duration,
    /// TLS handshake timeout.
    pub handshake_timeout: Duration,
    /// Time without traffic in either direction before the relay ends the connection
    /// (RFC 5321 §4.5.3.2 server timeout and Postfix `smtpd_timeout`: 5 minutes). It is also
    /// the write timeout: a write to the page or the server that waits this long ends it.
    pub idle_timeout: Duration,
    /// Largest WebSocket frame or message accepted; larger ones close the socket with 1009.
    pub max_frame: usize,
    /// Most bytes queued for the WebSocket before writes wait.
    pub write_buffer: usize,
}

impl Default for RelayLimits {
    fn default() -> Self {
        RelayLimits {
            max_sessions: 20,
            max_sessions_per_token: 10,
            connects_per_minute: 60,
            connect_addresses: 5,
            connect_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(300),
            max_frame: 1 << 20,
            write_buffer: 4 << 20,
        }
    }
}

/// Everything the relay needs, fixed at start.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The token pages must present.
    pub token: String,
    /// Exact `Origin` values accepted.
    pub origins: Vec<String>,
    /// Exact `Host` values accepted (lowercase).
    pub hosts: Vec<String>,
    /// Destination policy.
    pub policy: Policy,
    /// Limits.
    pub limits: RelayLimits,
    /// The sandbox SMTP server's address, if it runs.
    pub sandbox: Option<SocketAddr>,
    /// Port used for `{mx}` targets (25; other values are for test setups).
    pub mx_port: u16,
}

/// Initial WebSocket read buffer (tungstenite's default is 128 KiB, most of an idle session's
/// memory); it grows for larger frames up to the frame limit.
const WS_READ_BUFFER: usize = 8 * 1024;
/// Server bytes read per binary frame at first: SMTP replies are small.
const READ_CHUNK_MIN: usize = 4 * 1024;
/// Server bytes read per binary frame at most: the read buffer doubles up to this size each time
/// a read fills it (bulk data), so quiet sessions stay small and bulk transfers use few frames.
const READ_CHUNK_MAX: usize = 64 * 1024;
/// Most bytes held while reading the reply to STARTTLS: a reply that has not ended by then ends
/// the connection with `tls_failed` (nothing of it is passed on).
const MAX_HELD_REPLY: usize = 64 * 1024;
/// Most page bytes gathered into one server write: binary frames that have already arrived
/// behind the first are written together (one system call instead of one per frame).
const GATHER_MAX: usize = 64 * 1024;
/// Most binary frames gathered into one server write (well under `IOV_MAX`, 1024 on Linux).
const GATHER_FRAMES: usize = 64;

/// The shared relay state.
#[derive(Debug)]
pub struct Relay {
    config: RelayConfig,
    dns: Dns,
    trust: Trust,
    sessions: Mutex<HashMap<String, usize>>,
    connects: Mutex<VecDeque<Instant>>,
    next_id: AtomicU64,
}

impl Relay {
    /// A relay with the given configuration, resolver and trust anchors.
    pub fn new(config: RelayConfig, dns: Dns, trust: Trust) -> Relay {
        Relay {
            config,
            dns,
            trust,
            sessions: Mutex::new(HashMap::new()),
            connects: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// The limits announced in `hello`: every field of [`RelayLimits`], as enforced.
    pub fn announced_limits(&self) -> Limits {
        let mut ports = self.config.policy.ports.clone();
        ports.sort_unstable();
        let RelayLimits {
            max_sessions,
            max_sessions_per_token,
            connects_per_minute,
            // Not in `hello` (the core's `Limits` has no field for it yet): docs/relay.md.
            connect_addresses: _,
            connect_timeout,
            handshake_timeout,
            idle_timeout,
            max_frame,
            write_buffer: _,
        } = self.config.limits;
        Limits {
            max_frame,
            write_buffer: effective_write_buffer(&self.config.limits),
            idle_timeout_secs: idle_timeout.as_secs(),
            connect_timeout_secs: connect_timeout.as_secs(),
            handshake_timeout_secs: handshake_timeout.as_secs(),
            max_sessions,
            max_sessions_per_token,
            connects_per_minute,
            allowed_ports: ports,
        }
    }

    /// Checks `Host`, `Origin` and the token subprotocol of an upgrade request.
    pub fn check_request(&self, headers: &HeaderMap) -> Result<(), &'static str> {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        match host {
            Some(h) if self.config.hosts.contains(&h) => {}
            _ => return Err("the Host header does not name this relay (DNS rebinding defence): open the page at the address mailscope serve printed"),
        }
        let origin = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok());
        match origin {
            Some(o) if self.config.origins.iter().any(|a| a == o) => {}
            Some(_) => return Err("this Origin may not use the relay: open the page at the address mailscope serve printed, or start it with --allow-origin ORIGIN"),
            None => return Err("the request has no Origin header: WebSocket clients must send the page's origin"),
        }
        let mut offered_v1 = false;
        let mut token_ok = false;
        for value in headers.get_all(header::SEC_WEBSOCKET_PROTOCOL) {
            let Ok(value) = value.to_str() else { continue };
            for proto in value.split(',').map(str::trim) {
                if proto == SUBPROTOCOL {
                    offered_v1 = true;
                } else if let Some(t) = proto.strip_prefix(TOKEN_SUBPROTOCOL_PREFIX) {
                    token_ok |= crate::token::matches(t, &self.config.token);
                }
            }
        }
        if !offered_v1 {
            return Err("the client must offer the subprotocol mailscope.v1");
        }
        if !token_ok {
            return Err("missing or wrong relay token: open the page with the URL mailscope serve printed (the token is in its #fragment)");
        }
        Ok(())
    }

    fn take_session(self: &Arc<Self>) -> Result<SessionSlot, String> {
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| "internal error: session table poisoned".to_string())?;
        let total: usize = sessions.values().sum();
        if total >= self.config.limits.max_sessions {
            return Err(format!(
                "the relay already has {total} sessions open (limit {}): close another tab or session first",
                self.config.limits.max_sessions
            ));
        }
        let mine = sessions.entry(self.config.token.clone()).or_insert(0);
        if *mine >= self.config.limits.max_sessions_per_token {
            return Err(format!(
                "this token already has {mine} sessions open (limit {}): close another tab or session first",
                self.config.limits.max_sessions_per_token
            ));
        }
        *mine += 1;
        Ok(SessionSlot {
            relay: self.clone(),
        })
    }

    /// Whether a connection attempt may start now (without using it up).
    fn connect_allowed(&self) -> Result<(), String> {
        self.connect_rate(false)
    }

    /// Uses up one connection attempt of this minute's budget.
    fn take_connect(&self) -> Result<(), String> {
        self.connect_rate(true)
    }

    fn connect_rate(&self, take: bool) -> Result<(), String> {
        let now = Instant::now();
        let mut connects = self
            .connects
            .lock()
            .map_err(|_| "internal error: rate table poisoned".to_string())?;
        while connects
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            connects.pop_front();
        }
        if connects.len() >= self.config.limits.connects_per_minute {
            return Err(format!(
                "the relay made {} connection attempts in the last minute (limit {}, --connects-per-minute; every address tried counts): wait a moment and try again",
                connects.len(),
                self.config.limits.connects_per_minute
            ));
        }
        if take {
            connects.push_back(now);
        }
        Ok(())
    }
}

/// Holds one session's place in the session table until dropped.
struct SessionSlot {
    relay: Arc<Relay>,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        if let Ok(mut sessions) = self.relay.sessions.lock() {
            if let Some(n) = sessions.get_mut(&self.relay.config.token) {
                *n = n.saturating_sub(1);
            }
        }
    }
}

/// `GET /relay`: checks the request, then upgrades.
pub async fn handler(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Err(why) = relay.check_request(&headers) {
        tracing::warn!(event = "refused", reason = why, "relay upgrade refused");
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let limits = &relay.config.limits;
    ws.protocols([SUBPROTOCOL])
        .read_buffer_size(WS_READ_BUFFER)
        .write_buffer_size(WS_READ_BUFFER)
        .max_frame_size(limits.max_frame)
        .max_message_size(limits.max_frame)
        .max_write_buffer_size(effective_write_buffer(limits))
        .on_upgrade(move |socket| session::run_session(relay, socket))
}

/// The WebSocket write buffer in force: at least one whole frame must fit.
fn effective_write_buffer(limits: &RelayLimits) -> usize {
    limits.write_buffer.max(limits.max_frame + 1024)
}
