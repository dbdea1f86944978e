//! The `/relay` WebSocket: relay protocol v1 (see `mailscope_core::relay` and docs/relay.md).
//!
//! Before the upgrade the request must carry this run's token as a subprotocol, an allowed
//! `Origin` and a `Host` naming the listener; anything else is answered with HTTP 403 and no
//! outbound connection is made. After the upgrade each WebSocket is one session: it may open one
//! TCP (or TLS) connection at a time to a target the [`Policy`] allows, and carries its bytes
//! unchanged in binary frames.

use std::collections::{HashMap, VecDeque};
use std::io::IoSlice;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use mailscope_core::relay::{
    ClientFrame, Closer, ConnectAttempt, ErrorCode, Limits, RelayFrame, Target, TlsMode,
    PROTOCOL_VERSION, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX,
};
use mailscope_core::smtp::parse_reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::dns::Dns;
use crate::policy::Policy;
use crate::tls::Trust;

/// Limits of the relay. Defaults follow Postfix and RFC 5321 where they have an equivalent.
#[derive(Debug, Clone)]
pub struct RelayLimits {
    /// Open sessions (WebSockets) in total.
    pub max_sessions: usize,
    /// Open sessions presenting the same token.
    pub max_sessions_per_token: usize,
    /// `connect` frames accepted per minute, over all sessions.
    pub connects_per_minute: usize,
    /// TCP connect timeout (Postfix `smtp_connect_timeout` = 30 s).
    pub connect_timeout: Duration,
    /// TLS handshake timeout.
    pub handshake_timeout: Duration,
    /// Time without traffic in either direction before the relay ends the connection
    /// (RFC 5321 §4.5.3.2 server timeout and Postfix `smtpd_timeout`: 5 minutes).
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
/// Most bytes held while reading the reply to STARTTLS before giving up on framing it.
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

    fn take_connect(&self) -> Result<(), String> {
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
                "more than {} connects in the last minute: wait a moment and try again",
                self.config.limits.connects_per_minute
            ));
        }
        connects.push_back(now);
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
        .on_upgrade(move |socket| run_session(relay, socket))
}

/// The WebSocket write buffer in force: at least one whole frame must fit.
fn effective_write_buffer(limits: &RelayLimits) -> usize {
    limits.write_buffer.max(limits.max_frame + 1024)
}

/// The connection to the mail server.
enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    async fn read_buf(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read_buf(buf).await,
            Conn::Tls(s) => s.read_buf(buf).await,
        }
    }

    /// Writes all of `parts`, in order, with as few system calls as the socket allows.
    async fn write_all(&mut self, parts: &[Bytes]) -> std::io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let mut rest = &mut slices[..];
        while rest.first().is_some_and(|s| s.is_empty()) {
            rest = &mut rest[1..];
        }
        while !rest.is_empty() {
            let n = match self {
                Conn::Plain(s) => s.write_vectored(rest).await?,
                Conn::Tls(s) => s.write_vectored(rest).await?,
            };
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut rest, n);
        }
        if let Conn::Tls(s) = self {
            s.flush().await?;
        }
        Ok(())
    }
}

/// Reads the server's next bytes into a buffer of their own (handed to the WebSocket without a
/// copy). The buffer exists only while connected, so idle sessions stay small; it starts at
/// [`READ_CHUNK_MIN`] and doubles up to [`READ_CHUNK_MAX`] each time a read fills it.
async fn read_conn(
    conn: &mut Option<Conn>,
    buf: &mut Vec<u8>,
    chunk: &mut usize,
) -> std::io::Result<Vec<u8>> {
    match conn {
        Some(c) => {
            *chunk = (*chunk).clamp(READ_CHUNK_MIN, READ_CHUNK_MAX);
            if buf.capacity() == 0 {
                *buf = Vec::with_capacity(*chunk);
            }
            let room = buf.capacity() - buf.len();
            let n = c.read_buf(buf).await?;
            if n == room && *chunk < READ_CHUNK_MAX {
                *chunk *= 2;
            }
            Ok(std::mem::take(buf))
        }
        None => std::future::pending().await,
    }
}

/// Where the relay is in the STARTTLS exchange (RFC 3207).
#[derive(Debug)]
enum Watch {
    /// Bytes flow unchanged.
    Off,
    /// The client's last line was STARTTLS: server replies are passed one whole reply at a time
    /// and the bytes after a 220 are held back.
    Replies(Vec<u8>),
    /// The server said 220: nothing more may come before the handshake.
    AwaitHandshake,
}

/// Tracks the client's current command line, to notice a STARTTLS as the last command sent.
#[derive(Debug, Default)]
struct LineTracker {
    line: Vec<u8>,
    last_was_starttls: bool,
}

impl LineTracker {
    /// Feeds client bytes in order; returns whether they end exactly after a `STARTTLS` line.
    fn feed_all(&mut self, parts: &[Bytes]) -> bool {
        let mut starttls = self.last_was_starttls && self.line.is_empty();
        for p in parts {
            starttls = self.feed(p);
        }
        starttls
    }

    /// Feeds client bytes; returns whether they end exactly after a `STARTTLS` line.
    ///
    /// Only the line the last newline ends and the bytes after it matter, so the bytes before
    /// are skipped (this runs on every byte the page sends). The current line is kept up to
    /// [`LINE_PREFIX`] bytes.
    fn feed(&mut self, data: &[u8]) -> bool {
        match last_newline(data) {
            None => {
                self.keep_prefix(data);
                if !data.is_empty() {
                    self.last_was_starttls = false;
                }
            }
            Some(nl) => {
                let head = data.get(..nl).unwrap_or_default();
                let tail = data.get(nl + 1..).unwrap_or_default();
                match last_newline(head) {
                    Some(prev) => {
                        self.line.clear();
                        self.keep_prefix(head.get(prev + 1..).unwrap_or_default());
                    }
                    None => self.keep_prefix(head),
                }
                let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
                self.last_was_starttls = line.trim_ascii().eq_ignore_ascii_case(b"STARTTLS");
                self.line.clear();
                self.keep_prefix(tail);
                if !tail.is_empty() {
                    self.last_was_starttls = false;
                }
            }
        }
        self.last_was_starttls && self.line.is_empty()
    }

    fn keep_prefix(&mut self, bytes: &[u8]) {
        let room = LINE_PREFIX.saturating_sub(self.line.len());
        self.line
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
    }
}

/// Bytes of the current client line the [`LineTracker`] keeps (enough for `STARTTLS` with
/// some white space).
const LINE_PREFIX: usize = 32;

/// The position of the last `\n` in `data`, looking at 64 bytes at a time from the end.
fn last_newline(data: &[u8]) -> Option<usize> {
    let mut end = data.len();
    for block in data.rchunks_exact(64) {
        // No early exit inside a block, so the compiler compares it with vector instructions.
        if block.iter().fold(false, |seen, &b| seen | (b == b'\n')) {
            break;
        }
        end -= 64;
    }
    data.get(..end)
        .unwrap_or_default()
        .iter()
        .rposition(|&b| b == b'\n')
}

struct Candidate {
    addr: SocketAddr,
    /// Name for SNI and messages.
    name: String,
    mx: Option<String>,
}

/// Why a session step ended the server connection.
struct Failure {
    code: ErrorCode,
    message: String,
}

fn fail(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

struct Session {
    relay: Arc<Relay>,
    id: u64,
    ws: WebSocket,
    conn: Option<Conn>,
    /// Name of the connected server (SNI default for STARTTLS).
    server_name: String,
    watch: Watch,
    lines: LineTracker,
    /// Where the next server read lands (empty while not connected).
    buf: Vec<u8>,
    /// Bytes asked of the next server read.
    chunk: usize,
    /// A WebSocket message taken while gathering binary frames, handled next.
    pending: Option<Option<Result<Message, axum::Error>>>,
}

async fn run_session(relay: Arc<Relay>, mut ws: WebSocket) {
    let id = relay.next_id.fetch_add(1, Ordering::Relaxed);
    let slot = match relay.take_session() {
        Ok(slot) => slot,
        Err(message) => {
            tracing::warn!(session = id, event = "limit", "{message}");
            let _ = send_frame(
                &mut ws,
                &RelayFrame::Error {
                    code: ErrorCode::Limit,
                    message,
                    retrying: false,
                },
            )
            .await;
            let _ = ws
                .send(Message::Close(Some(CloseFrame {
                    code: 1013,
                    reason: "too many sessions".into(),
                })))
                .await;
            return;
        }
    };
    tracing::info!(session = id, event = "open", "relay session opened");
    let hello = RelayFrame::Hello {
        protocol: PROTOCOL_VERSION,
        limits: relay.announced_limits(),
        sandbox: relay.config.sandbox.map(|a| a.to_string()),
    };
    if send_frame(&mut ws, &hello).await.is_err() {
        return;
    }
    let mut session = Session {
        relay,
        id,
        ws,
        conn: None,
        server_name: String::new(),
        watch: Watch::Off,
        lines: LineTracker::default(),
        buf: Vec::new(),
        chunk: READ_CHUNK_MIN,
        pending: None,
    };
    let why = session.run().await;
    tracing::info!(session = id, event = "end", reason = %why, "relay session ended");
    drop(slot);
}

async fn send_frame(ws: &mut WebSocket, frame: &RelayFrame) -> Result<(), axum::Error> {
    let json = serde_json::to_string(frame).unwrap_or_default();
    ws.send(Message::Text(json.into())).await
}

fn is_capacity(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<tungstenite::Error>() {
            return matches!(t, tungstenite::Error::Capacity(_));
        }
        source = e.source();
    }
    false
}

impl Session {
    async fn send(&mut self, frame: &RelayFrame) -> bool {
        send_frame(&mut self.ws, frame).await.is_ok()
    }

    async fn error(&mut self, code: ErrorCode, message: String) -> bool {
        self.report(code, message, false).await
    }

    /// Sends an `error` frame; `retrying`: one failed attempt of a connect that goes on with
    /// the next address (docs/relay.md).
    async fn report(&mut self, code: ErrorCode, message: String, retrying: bool) -> bool {
        tracing::info!(session = self.id, event = "error", code = ?code, retrying, "{message}");
        let frame = RelayFrame::Error {
            code,
            message,
            retrying,
        };
        self.send(&frame).await
    }

    /// Ends the server connection, telling the page who ended it and why.
    async fn end_conn(&mut self, by: Closer, reason: String) -> bool {
        self.conn = None;
        self.buf = Vec::new();
        self.chunk = READ_CHUNK_MIN;
        self.watch = Watch::Off;
        self.lines = LineTracker::default();
        tracing::info!(session = self.id, event = "closed", by = ?by, "{reason}");
        self.send(&RelayFrame::Closed { by, reason }).await
    }

    async fn failure(&mut self, f: Failure) -> bool {
        let had_conn = self.conn.is_some();
        if !self.error(f.code, f.message.clone()).await {
            return false;
        }
        if had_conn {
            return self.end_conn(Closer::Relay, f.message).await;
        }
        true
    }

    /// Runs until the WebSocket ends; returns why.
    async fn run(&mut self) -> String {
        let idle = self.relay.config.limits.idle_timeout;
        // One timer for the session, moved on only when it fires: traffic just notes the time
        // (registering a fresh timer per frame costs more than the frame on a fast path).
        let mut last = tokio::time::Instant::now();
        let timer = tokio::time::sleep_until(last + idle);
        tokio::pin!(timer);
        loop {
            if let Some(msg) = self.pending.take() {
                if let Some(why) = self.on_message(msg).await {
                    return why;
                }
                continue;
            }
            tokio::select! {
                msg = self.ws.recv() => {
                    last = tokio::time::Instant::now();
                    if let Some(why) = self.on_message(msg).await {
                        return why;
                    }
                }
                read = read_conn(&mut self.conn, &mut self.buf, &mut self.chunk) => {
                    last = tokio::time::Instant::now();
                    let ok = match read {
                        Ok(data) if data.is_empty() => self.end_conn(Closer::Server, "the server closed the connection".into()).await,
                        Ok(data) => self.on_server_data(data).await,
                        Err(e) => {
                            self.failure(fail(ErrorCode::ConnectFailed, format!("reading from the server failed: {e}"))).await
                        }
                    };
                    if !ok { return "the page went away".into(); }
                }
                () = &mut timer => {
                    let now = tokio::time::Instant::now();
                    if last + idle > now {
                        timer.as_mut().reset(last + idle);
                        continue;
                    }
                    if self.conn.is_some() {
                        let ok = self.failure(fail(ErrorCode::Timeout, format!(
                            "nothing was sent or received for {} s (idle timeout): the server may be stalled", idle.as_secs()))).await;
                        if !ok { return "the page went away".into(); }
                        last = tokio::time::Instant::now();
                        timer.as_mut().reset(last + idle);
                    } else {
                        let _ = self.ws.send(Message::Close(Some(CloseFrame { code: 1000, reason: "idle".into() }))).await;
                        return "idle timeout".into();
                    }
                }
            }
        }
    }

    /// Handles one WebSocket message; `Some(why)` when the session ends.
    async fn on_message(&mut self, msg: Option<Result<Message, axum::Error>>) -> Option<String> {
        match msg {
            None => Some("the page closed the WebSocket".into()),
            Some(Err(e)) => {
                if is_capacity(&e) {
                    let _ = self
                        .ws
                        .send(Message::Close(Some(CloseFrame {
                            code: 1009,
                            reason: format!(
                                "frame larger than {} bytes",
                                self.relay.config.limits.max_frame
                            )
                            .into(),
                        })))
                        .await;
                    return Some("oversize frame (closed with 1009)".into());
                }
                Some(format!("WebSocket error: {e}"))
            }
            Some(Ok(Message::Close(_))) => Some("the page closed the WebSocket".into()),
            Some(Ok(Message::Text(text))) => {
                let ok = match serde_json::from_str::<ClientFrame>(text.as_str()) {
                    Ok(frame) => self.on_frame(frame).await,
                    Err(e) => {
                        self.error(ErrorCode::BadRequest, format!("not a relay v1 frame: {e}"))
                            .await
                    }
                };
                (!ok).then(|| "the page went away".into())
            }
            Some(Ok(Message::Binary(data))) => {
                let parts = self.gather(data);
                (!self.on_client_data(&parts).await).then(|| "the page went away".into())
            }
            Some(Ok(_)) => None,
        }
    }

    /// `first` and the binary frames that have already arrived behind it (up to [`GATHER_MAX`]
    /// bytes and [`GATHER_FRAMES`] frames), without waiting for more. The first other message
    /// met is kept in `pending`, to be handled after these bytes are written, in order.
    fn gather(&mut self, first: Bytes) -> Vec<Bytes> {
        let mut total = first.len();
        let mut parts = vec![first];
        if self.conn.is_none() {
            return parts;
        }
        while total < GATHER_MAX && parts.len() < GATHER_FRAMES {
            match self.ws.recv().now_or_never() {
                None => break,
                Some(Some(Ok(Message::Binary(more)))) => {
                    total += more.len();
                    parts.push(more);
                }
                Some(other) => {
                    self.pending = Some(other);
                    break;
                }
            }
        }
        parts
    }

    async fn on_frame(&mut self, frame: ClientFrame) -> bool {
        match frame {
            ClientFrame::Connect { target, tls, sni } => {
                if self.conn.is_some() {
                    return self
                        .error(
                            ErrorCode::BadRequest,
                            "already connected: send close before connecting again".into(),
                        )
                        .await;
                }
                if let Err(message) = self.relay.take_connect() {
                    return self.error(ErrorCode::Limit, message).await;
                }
                match self.connect(&target, tls, sni).await {
                    Ok(()) => true,
                    Err(f) => self.failure(f).await,
                }
            }
            ClientFrame::Starttls { sni } => match self.starttls(sni).await {
                Ok(()) => true,
                Err(f) => self.failure(f).await,
            },
            ClientFrame::Resolve { domain } => {
                tracing::info!(session = self.id, event = "resolve", %domain, "MX lookup");
                match self.relay.dns.mx(&domain).await {
                    Ok(set) => {
                        self.send(&RelayFrame::Resolved {
                            domain,
                            records: set.records,
                            implicit: set.implicit,
                        })
                        .await
                    }
                    Err(e) => self.error(ErrorCode::DnsFailed, e.0).await,
                }
            }
            ClientFrame::Close => {
                if self.conn.is_some() {
                    self.end_conn(Closer::Client, "closed at the page's request".into())
                        .await
                } else {
                    self.error(
                        ErrorCode::BadRequest,
                        "not connected: nothing to close".into(),
                    )
                    .await
                }
            }
        }
    }

    /// Writes page bytes (one or more binary frames, in order) to the server.
    async fn on_client_data(&mut self, parts: &[Bytes]) -> bool {
        let Some(conn) = self.conn.as_mut() else {
            return self
                .error(
                    ErrorCode::BadRequest,
                    "not connected: send a connect frame before data".into(),
                )
                .await;
        };
        let write =
            tokio::time::timeout(self.relay.config.limits.idle_timeout, conn.write_all(parts))
                .await;
        match write {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return self
                    .failure(fail(
                        ErrorCode::ConnectFailed,
                        format!("writing to the server failed: {e}"),
                    ))
                    .await
            }
            Err(_) => {
                return self
                    .failure(fail(
                        ErrorCode::Timeout,
                        "the server stopped reading (write timeout)",
                    ))
                    .await
            }
        }
        let starttls = self.lines.feed_all(parts);
        let held = match std::mem::replace(&mut self.watch, Watch::Off) {
            Watch::Replies(held) => held,
            _ => Vec::new(),
        };
        if !held.is_empty() && !self.send_data(held).await {
            return false;
        }
        if starttls && matches!(self.conn, Some(Conn::Plain(_))) {
            self.watch = Watch::Replies(Vec::new());
        }
        true
    }

    async fn send_data(&mut self, data: Vec<u8>) -> bool {
        self.ws.send(Message::Binary(data.into())).await.is_ok()
    }

    async fn on_server_data(&mut self, data: Vec<u8>) -> bool {
        match std::mem::replace(&mut self.watch, Watch::Off) {
            Watch::Off => self.send_data(data).await,
            Watch::AwaitHandshake => self.failure(injection(data.len())).await,
            Watch::Replies(mut held) => {
                held.extend_from_slice(&data);
                loop {
                    match parse_reply(&held) {
                        Ok(Some((reply, used))) => {
                            let rest = held.split_off(used.min(held.len()));
                            if !self.send_data(held).await {
                                return false;
                            }
                            held = rest;
                            if reply.code == 220 {
                                if !held.is_empty() {
                                    return self.failure(injection(held.len())).await;
                                }
                                self.watch = Watch::AwaitHandshake;
                                return true;
                            }
                            if held.is_empty() {
                                self.watch = Watch::Replies(held);
                                return true;
                            }
                        }
                        Ok(None) if held.len() <= MAX_HELD_REPLY => {
                            self.watch = Watch::Replies(held);
                            return true;
                        }
                        _ => return self.send_data(held).await,
                    }
                }
            }
        }
    }

    async fn candidates(&mut self, target: &Target) -> Result<Vec<Candidate>, Failure> {
        let policy = &self.relay.config.policy;
        match target {
            Target::Sandbox { .. } => match self.relay.config.sandbox {
                Some(addr) => Ok(vec![Candidate {
                    addr,
                    name: "localhost".into(),
                    mx: None,
                }]),
                None => Err(fail(
                    ErrorCode::SandboxUnavailable,
                    "the sandbox SMTP server is not running: this mailscope serve was started with --no-sandbox. Restart it without --no-sandbox (`mailscope serve`), or with `cargo xtask run`, to use the sandbox",
                )),
            },
            Target::Host { host, port } => {
                let allowed = policy.target_allowed(host, *port);
                if !allowed {
                    policy
                        .check_port(*port)
                        .map_err(|m| fail(ErrorCode::PolicyDenied, m))?;
                }
                let ips = self
                    .relay
                    .dns
                    .addresses(host)
                    .await
                    .map_err(|e| fail(ErrorCode::DnsFailed, e.0))?;
                let mut out = Vec::new();
                let mut denied = Vec::new();
                for ip in ips {
                    match self.check_addr(allowed, ip) {
                        Ok(()) => out.push(Candidate {
                            addr: SocketAddr::new(ip, *port),
                            name: crate::policy::normalize_host(host),
                            mx: None,
                        }),
                        Err(m) => denied.push(m),
                    }
                }
                if out.is_empty() {
                    return Err(fail(
                        ErrorCode::PolicyDenied,
                        format!("{host}: {}", denied.join("; ")),
                    ));
                }
                Ok(out)
            }
            Target::Mx { mx } => {
                let port = self.relay.config.mx_port;
                let set = self
                    .relay
                    .dns
                    .mx(mx)
                    .await
                    .map_err(|e| fail(ErrorCode::DnsFailed, e.0))?;
                let mut out = Vec::new();
                let mut denied = Vec::new();
                for record in set.records {
                    let allowed = policy.target_allowed(&record.exchange, port);
                    for a in &record.addresses {
                        let Ok(ip) = a.parse::<IpAddr>() else { continue };
                        match self.check_addr(allowed, ip) {
                            Ok(()) => out.push(Candidate {
                                addr: SocketAddr::new(ip, port),
                                name: record.exchange.clone(),
                                mx: Some(record.exchange.clone()),
                            }),
                            Err(m) => denied.push(format!("{}: {m}", record.exchange)),
                        }
                    }
                }
                if out.is_empty() {
                    return Err(if denied.is_empty() {
                        fail(
                            ErrorCode::DnsFailed,
                            format!("no mail exchanger of {mx} has an address"),
                        )
                    } else {
                        fail(ErrorCode::PolicyDenied, denied.join("; "))
                    });
                }
                Ok(out)
            }
        }
    }

    fn check_addr(&self, allowed: bool, ip: IpAddr) -> Result<(), String> {
        if allowed {
            Ok(())
        } else {
            self.relay.config.policy.check_addr(ip)
        }
    }

    async fn connect(
        &mut self,
        target: &Target,
        tls: TlsMode,
        sni: Option<String>,
    ) -> Result<(), Failure> {
        tracing::info!(session = self.id, event = "connect", target = ?target, tls = ?tls, "connect requested");
        let candidates = self.candidates(target).await?;
        let limits = self.relay.config.limits.clone();
        let total = candidates.len();
        // Reported in `connected` for `{mx}` targets and names with several addresses.
        let report_attempts = total > 1 || matches!(target, Target::Mx { .. });
        let mut attempts: Vec<ConnectAttempt> = Vec::new();
        let mut failures = Vec::new();
        for (i, c) in candidates.into_iter().enumerate() {
            let started = Instant::now();
            let result =
                tokio::time::timeout(limits.connect_timeout, TcpStream::connect(c.addr)).await;
            let err = match result {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    let connect_ms = started.elapsed().as_millis() as u64;
                    tracing::info!(session = self.id, event = "connected", peer = %c.addr, ms = connect_ms, "connected");
                    if report_attempts {
                        attempts.push(ConnectAttempt {
                            mx: c.mx.clone(),
                            address: c.addr.to_string(),
                            ms: connect_ms,
                            error: None,
                        });
                    } else {
                        attempts.clear();
                    }
                    self.server_name = sni.clone().unwrap_or(c.name.clone());
                    let conn = match tls {
                        TlsMode::None => Conn::Plain(stream),
                        TlsMode::Implicit => {
                            let (tls_stream, frame) = self.handshake(stream).await?;
                            if !self
                                .send(&RelayFrame::Connected {
                                    peer: c.addr.to_string(),
                                    mx: c.mx.clone(),
                                    connect_ms,
                                    attempts,
                                })
                                .await
                            {
                                return Ok(());
                            }
                            self.conn = Some(Conn::Tls(Box::new(tls_stream)));
                            self.send(&frame).await;
                            return Ok(());
                        }
                    };
                    self.conn = Some(conn);
                    self.send(&RelayFrame::Connected {
                        peer: c.addr.to_string(),
                        mx: c.mx,
                        connect_ms,
                        attempts,
                    })
                    .await;
                    return Ok(());
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {} s", limits.connect_timeout.as_secs()),
            };
            attempts.push(ConnectAttempt {
                mx: c.mx.clone(),
                address: c.addr.to_string(),
                ms: started.elapsed().as_millis() as u64,
                error: Some(err.clone()),
            });
            let err = format!("{} ({}): {err}", c.name, c.addr);
            failures.push(err.clone());
            if i + 1 < total {
                let message = format!(
                    "attempt {} of {total} failed: {err}; trying the next address",
                    i + 1
                );
                if !self.report(ErrorCode::ConnectFailed, message, true).await {
                    return Ok(());
                }
            }
        }
        Err(fail(
            ErrorCode::ConnectFailed,
            format!(
                "could not connect: {}. Check the host and port, or whether a firewall blocks outgoing SMTP (many networks block port 25)",
                failures.join("; ")
            ),
        ))
    }

    async fn handshake(
        &mut self,
        stream: TcpStream,
    ) -> Result<(TlsStream<TcpStream>, RelayFrame), Failure> {
        let limits = &self.relay.config.limits;
        let name = self.server_name.clone();
        match tokio::time::timeout(
            limits.handshake_timeout,
            crate::tls::connect(&self.relay.trust, &name, stream),
        )
        .await
        {
            Ok(Ok((s, frame))) => {
                if let RelayFrame::Tls {
                    version, verified, ..
                } = &frame
                {
                    tracing::info!(session = self.id, event = "tls", %version, verified, "TLS established");
                }
                Ok((s, frame))
            }
            Ok(Err(message)) => Err(fail(ErrorCode::TlsFailed, message)),
            Err(_) => Err(fail(
                ErrorCode::Timeout,
                format!(
                    "the TLS handshake took longer than {} s",
                    limits.handshake_timeout.as_secs()
                ),
            )),
        }
    }

    async fn starttls(&mut self, sni: Option<String>) -> Result<(), Failure> {
        match std::mem::replace(&mut self.watch, Watch::Off) {
            Watch::Replies(held) if !held.is_empty() => return Err(injection(held.len())),
            _ => {}
        }
        let stream = match self.conn.take() {
            Some(Conn::Plain(s)) => s,
            Some(tls @ Conn::Tls(_)) => {
                self.conn = Some(tls);
                return Err(fail(
                    ErrorCode::BadRequest,
                    "the connection already uses TLS",
                ));
            }
            None => {
                return Err(fail(
                    ErrorCode::BadRequest,
                    "not connected: connect first, send STARTTLS and wait for the 220 reply",
                ))
            }
        };
        if let Some(sni) = sni {
            self.server_name = sni;
        }
        match self.handshake(stream).await {
            Ok((s, frame)) => {
                self.conn = Some(Conn::Tls(Box::new(s)));
                self.lines = LineTracker::default();
                self.send(&frame).await;
                Ok(())
            }
            Err(f) => {
                // The TCP stream was consumed by the failed handshake.
                let ok = self.error(f.code, f.message.clone()).await;
                if ok {
                    self.end_conn(Closer::Relay, f.message).await;
                }
                Ok(())
            }
        }
    }
}

fn injection(n: usize) -> Failure {
    fail(
        ErrorCode::TlsFailed,
        format!(
            "the server sent {n} bytes after its 220 reply to STARTTLS, before the TLS handshake: this breaks RFC 3207 §4.2 (a command-injection risk), so the relay closed the connection and dropped those bytes"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_as_last_line() {
        for (chunks, want) in [
            (vec!["STARTTLS\r\n"], true),
            (vec!["starttls\r\n"], true),
            (vec!["EHLO x\r\nSTARTTLS\r\n"], true),
            (vec!["STARTT", "LS\r\n"], true),
            (vec!["STARTTLS\r\nNOOP\r\n"], false),
            (vec!["STARTTLS\r\nNO"], false),
            (vec!["STARTTLS"], false),
            (vec!["MAIL FROM:<STARTTLS>\r\n"], false),
            (vec!["STARTTLS\r\n", "NOOP\r\n"], false),
        ] {
            let mut t = LineTracker::default();
            let mut got = false;
            for c in &chunks {
                got = t.feed(c.as_bytes());
            }
            assert_eq!(got, want, "{chunks:?}");
            let mut t = LineTracker::default();
            let parts: Vec<Bytes> = chunks.iter().map(|c| Bytes::from(c.as_bytes())).collect();
            assert_eq!(t.feed_all(&parts), want, "{chunks:?} gathered");
        }
    }

    /// The tracker as first written: one byte at a time.
    #[derive(Default)]
    struct ByteTracker {
        line: Vec<u8>,
        last_was_starttls: bool,
    }

    impl ByteTracker {
        fn feed(&mut self, data: &[u8]) -> bool {
            for &b in data {
                if b == b'\n' {
                    let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
                    self.last_was_starttls = line.trim_ascii().eq_ignore_ascii_case(b"STARTTLS");
                    self.line.clear();
                } else {
                    if self.line.len() < LINE_PREFIX {
                        self.line.push(b);
                    }
                    self.last_was_starttls = false;
                }
            }
            self.last_was_starttls && self.line.is_empty()
        }
    }

    #[test]
    fn line_tracker_matches_byte_at_a_time() {
        // Pieces that make STARTTLS lines, near misses, long lines and bulk data; chunked at
        // pseudo-random points (xorshift), compared with the byte-at-a-time reference after
        // every chunk.
        let pieces: [&[u8]; 10] = [
            b"STARTTLS\r\n",
            b"starttls\n",
            b"  STARTTLS \r\n",
            b"STARTTLS",
            b"\r\n",
            b"\n",
            b"NOOP\r\n",
            b"                                  STARTTLS\r\n",
            b"STARTTLS                                       \r\n",
            &[b'y'; 300],
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut stream = Vec::new();
            for _ in 0..(next() % 12) {
                stream.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let (mut fast, mut slow) = (LineTracker::default(), ByteTracker::default());
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let n = ((next() % 200) as usize).min(rest.len());
                let (chunk, after) = rest.split_at(n);
                let (a, b) = (fast.feed(chunk), slow.feed(chunk));
                assert_eq!(
                    (a, &fast.line, fast.last_was_starttls),
                    (b, &slow.line, slow.last_was_starttls),
                    "fast vs byte-at-a-time after {:?} of {:?}",
                    String::from_utf8_lossy(chunk),
                    String::from_utf8_lossy(&stream)
                );
                rest = after;
            }
        }
    }

    #[test]
    fn last_newline_finds_the_last() {
        for (data, want) in [
            (Vec::new(), None),
            (b"\n".to_vec(), Some(0)),
            (vec![b'x'; 200], None),
            (
                [vec![b'x'; 130], b"\n".to_vec(), vec![b'x'; 130]].concat(),
                Some(130),
            ),
            ([b"\n".to_vec(), vec![b'x'; 300]].concat(), Some(0)),
            ([vec![b'x'; 300], b"\n".to_vec()].concat(), Some(300)),
            ([vec![b'\n'; 100], vec![b'x'; 64]].concat(), Some(99)),
        ] {
            assert_eq!(last_newline(&data), want, "{} bytes", data.len());
        }
    }
}
