//! One relay session: a WebSocket and at most one server connection at a time.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::FutureExt;
use mailscope_core::relay::{
    ClientFrame, Closer, ErrorCode, RelayFrame, MAX_LOOKUPS, PROTOCOL_VERSION,
};

use super::conn::{read_conn, Conn};
use super::starttls::{LineTracker, Watch};
use super::{Relay, GATHER_FRAMES, GATHER_MAX, READ_CHUNK_MIN};

/// Why a session step ended the server connection.
pub(super) struct Failure {
    pub(super) code: ErrorCode,
    pub(super) message: String,
}

pub(super) fn fail(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

pub(super) struct Session {
    pub(super) relay: Arc<Relay>,
    pub(super) id: u64,
    pub(super) ws: WebSocket,
    pub(super) conn: Option<Conn>,
    /// Name of the connected server (SNI default for STARTTLS).
    pub(super) server_name: String,
    pub(super) watch: Watch,
    pub(super) lines: LineTracker,
    /// Where the next server read lands (empty while not connected).
    pub(super) buf: Vec<u8>,
    /// Bytes asked of the next server read.
    pub(super) chunk: usize,
    /// A WebSocket message taken while gathering binary frames, handled next.
    pub(super) pending: Option<Option<Result<Message, axum::Error>>>,
    /// `lookup` questions answered so far (at most [`MAX_LOOKUPS`]).
    pub(super) lookups: usize,
}

pub(super) async fn run_session(relay: Arc<Relay>, mut ws: WebSocket) {
    let id = relay.next_id.fetch_add(1, Ordering::Relaxed);
    let slot = match relay.take_session() {
        Ok(slot) => slot,
        Err(message) => {
            tracing::warn!(session = id, event = "limit", "{message}");
            let limit = RelayFrame::Error {
                code: ErrorCode::Limit,
                message,
                retrying: false,
            };
            let write_timeout = relay.config.limits.idle_timeout;
            if send_frame(&mut ws, &limit, write_timeout).await {
                let close = Message::Close(Some(CloseFrame {
                    code: 1013,
                    reason: "too many sessions".into(),
                }));
                ws_write(&mut ws, close, write_timeout).await;
            }
            return;
        }
    };
    tracing::info!(session = id, event = "open", "relay session opened");
    let hello = RelayFrame::Hello {
        protocol: PROTOCOL_VERSION,
        limits: relay.announced_limits(),
        sandbox: relay.config.sandbox.map(|a| a.to_string()),
    };
    if !send_frame(&mut ws, &hello, relay.config.limits.idle_timeout).await {
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
        lookups: 0,
    };
    let why = session.run().await;
    tracing::info!(session = id, event = "end", reason = %why, "relay session ended");
    drop(slot);
}

/// Sends `frame` as a text message; false when the WebSocket failed or the write did not
/// complete within `write_timeout`.
async fn send_frame(ws: &mut WebSocket, frame: &RelayFrame, write_timeout: Duration) -> bool {
    let json = serde_json::to_string(frame).unwrap_or_default();
    ws_write(ws, Message::Text(json.into()), write_timeout).await
}

/// Writes one message to the page. A page that stops reading fills the socket and then the
/// WebSocket write buffer; the write then waits, and would wait forever (holding the session's
/// slot), so it gets `write_timeout` (the idle timeout, as Postfix's `smtpd_timeout` covers
/// writes too) and the session ends when it runs out.
async fn ws_write(ws: &mut WebSocket, msg: Message, write_timeout: Duration) -> bool {
    match tokio::time::timeout(write_timeout, ws.send(msg)).await {
        Ok(result) => result.is_ok(),
        Err(_) => {
            tracing::warn!(
                event = "stalled",
                "the page stopped reading: a WebSocket write did not complete within {} s (idle timeout); ending its session",
                write_timeout.as_secs()
            );
            false
        }
    }
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
    pub(super) async fn send(&mut self, frame: &RelayFrame) -> bool {
        send_frame(&mut self.ws, frame, self.relay.config.limits.idle_timeout).await
    }

    /// Sends a close frame (the session ends after it whether or not it got through).
    async fn close(&mut self, code: u16, reason: String) {
        let close = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        ws_write(&mut self.ws, close, self.relay.config.limits.idle_timeout).await;
    }

    pub(super) async fn error(&mut self, code: ErrorCode, message: String) -> bool {
        self.report(code, message, false).await
    }

    /// Sends an `error` frame; `retrying`: one failed attempt of a connect that goes on with
    /// the next address (docs/relay.md).
    pub(super) async fn report(
        &mut self,
        code: ErrorCode,
        message: String,
        retrying: bool,
    ) -> bool {
        tracing::info!(session = self.id, event = "error", code = ?code, retrying, "{message}");
        let frame = RelayFrame::Error {
            code,
            message,
            retrying,
        };
        self.send(&frame).await
    }

    /// Ends the server connection, telling the page who ended it and why.
    pub(super) async fn end_conn(&mut self, by: Closer, reason: String) -> bool {
        self.conn = None;
        self.buf = Vec::new();
        self.chunk = READ_CHUNK_MIN;
        self.watch = Watch::Off;
        self.lines = LineTracker::default();
        tracing::info!(session = self.id, event = "closed", by = ?by, "{reason}");
        self.send(&RelayFrame::Closed { by, reason }).await
    }

    pub(super) async fn failure(&mut self, f: Failure) -> bool {
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
                            self.failure(fail(ErrorCode::ConnectFailed, format!("reading from the server failed: {}", super::conn::socket_error_words(&e)))).await
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
                        self.close(1000, "idle".into()).await;
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
                    let reason = format!(
                        "frame larger than {} bytes",
                        self.relay.config.limits.max_frame
                    );
                    self.close(1009, reason).await;
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
                // Refused before the DNS lookup when no attempt is left this minute; each
                // attempt then takes its own share (`connect`).
                if let Err(message) = self.relay.connect_allowed() {
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
            ClientFrame::Lookup { query } => {
                if self.lookups >= MAX_LOOKUPS {
                    return self
                        .error(
                            ErrorCode::Limit,
                            format!(
                                "this socket has asked {MAX_LOOKUPS} DNS questions, the most one may ask; open a new one"
                            ),
                        )
                        .await;
                }
                self.lookups += 1;
                tracing::info!(session = self.id, event = "lookup", %query, "DNS lookup");
                let answer = self.relay.dns.answer(&query).await;
                self.send(&RelayFrame::Answer { query, answer }).await
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
                        format!(
                            "writing to the server failed: {}",
                            super::conn::socket_error_words(&e)
                        ),
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

    pub(super) async fn send_data(&mut self, data: Vec<u8>) -> bool {
        let write_timeout = self.relay.config.limits.idle_timeout;
        ws_write(&mut self.ws, Message::Binary(data.into()), write_timeout).await
    }
}
