//! One sandbox connection: bytes between the socket and the core's [`ServerSession`], the TLS
//! handshake when the session asks for it, the session's clock, and a bounded transcript.
//!
//! Every wait is bounded: a command must arrive in full within the session's idle timeout (a
//! trickle does not extend it), content must keep the minimum data rate, and a write the client
//! does not take within [`Limits::write_timeout`] drops the connection and frees its slot.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mailscope_core::auth::stamp::{stamp, Stamped};
use mailscope_core::auth::{Check, Envelope};
use mailscope_core::smtp::session::{ReceivedMessage, ServerConfig, ServerEvent, ServerSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::bounce::bounce_for;
use super::{now_ms, rfc3339_now, MessageMeta, Store, StoredMessage, HANDSHAKE_TIMEOUT, HOSTNAME};
use crate::dns::{run_check, Dns, Source};

/// Transcript bytes kept per connection (message content included); the rest is elided.
pub const MAX_TRANSCRIPT: usize = 1 << 20;

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// The kernel's send buffer of a sandbox connection (Linux doubles it for its bookkeeping).
/// Replies are small, so this costs no speed; it keeps the kernel memory of a client that does
/// not read bounded (autotuning grows it to `tcp_wmem`'s maximum, 4 MiB by default) and makes
/// such a client's writes stall, and time out, after that much instead of megabytes.
pub const SEND_BUFFER: usize = 64 * 1024;

/// What every connection of a sandbox is allowed.
#[derive(Debug)]
pub(super) struct Limits {
    /// The core's configuration (idle timeout, minimum data rate and the SMTP limits).
    pub(super) config: ServerConfig,
    /// The resolver of the authentication checks, when they are on
    /// ([`super::SandboxOptions::authenticate`]).
    pub(super) auth: Option<Dns>,
    /// Time a write may take (the client not reading); then the connection is dropped.
    pub(super) write_timeout: Duration,
    /// Numbers connections for their queue ids; starts at a random value, so that ids stay
    /// unique across restarts too (a Maildir keeps them).
    pub(super) connections: AtomicU64,
}

impl Limits {
    /// The queue id prefix of the next connection: 9 hex digits (the session adds its message
    /// count, `250 … queued as 3F09A1C2E000001`).
    fn next_queue_prefix(&self) -> String {
        let n = self.connections.fetch_add(1, Ordering::Relaxed);
        format!("{:09X}", n & 0xF_FFFF_FFFF)
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(data).await,
            Stream::Tls(s) => {
                s.write_all(data).await?;
                s.flush().await
            }
        }
    }

    async fn shutdown(&mut self) {
        let _ = match self {
            Stream::Plain(s) => s.shutdown().await,
            Stream::Tls(s) => s.shutdown().await,
        };
    }
}

/// The session's bytes in swaks' transcript form, bounded.
#[derive(Default)]
pub(super) struct Transcript {
    pub(super) text: Vec<u8>,
    elided: bool,
}

impl Transcript {
    fn add(&mut self, client: bool, tls: bool, bytes: &[u8]) {
        let marker: &[u8] = match (client, tls) {
            (true, false) => b" -> ",
            (true, true) => b" ~> ",
            (false, false) => b"<-  ",
            (false, true) => b"<~  ",
        };
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if self.text.len() + line.len() + 5 > MAX_TRANSCRIPT {
                if !self.elided {
                    self.text
                        .extend_from_slice(b"=== (transcript truncated by the sandbox)\n");
                    self.elided = true;
                }
                return;
            }
            self.text.extend_from_slice(marker);
            let body = line
                .strip_suffix(b"\n")
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .unwrap_or(line);
            self.text.extend_from_slice(body);
            self.text.push(b'\n');
        }
    }

    /// The transcript so far, marked as a session still open
    /// ([`mailscope_core::smtp::transcript::OPEN_NOTE`]).
    fn still_open(&self) -> Vec<u8> {
        let mut text = self.text.clone();
        text.extend_from_slice(mailscope_core::smtp::transcript::OPEN_NOTE.as_bytes());
        text.push(b'\n');
        text
    }

    fn note(&mut self, text: &str) {
        if self.text.len() + text.len() < MAX_TRANSCRIPT {
            self.text
                .extend_from_slice(format!("=== {text}\n").as_bytes());
        }
    }
}

/// A connection's transcript and the messages stored during it. However the connection ends
/// (QUIT, the client leaving, a timeout, a limit), dropping the record gives those messages
/// the whole session's transcript in place of the one they were stored with.
struct Record {
    transcript: Transcript,
    stored: Vec<u64>,
    store: Arc<Store>,
}

impl Drop for Record {
    fn drop(&mut self) {
        self.store
            .finish_transcript(&self.stored, &self.transcript.text);
    }
}

/// Longest the authentication checks of one message may take before the message is stored
/// without an Authentication-Results field (a client waits for its `250` meanwhile).
const AUTH_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks `m` as a receiving server would (the client's address, HELO and MAIL FROM are the
/// envelope) and puts the sandbox's Authentication-Results field on top (the core's
/// [`stamp`]: fields claiming the sandbox's name are removed first).
async fn authenticate(dns: &Dns, m: &ReceivedMessage, peer: SocketAddr) -> Result<Stamped, String> {
    let envelope = Envelope {
        ip: Some(peer.ip()),
        helo: m.helo.clone(),
        mail_from: Some(m.envelope.from.clone()),
    };
    let mut check = Check::new(&m.data, envelope, now_ms() / 1000);
    let report = tokio::time::timeout(AUTH_TIMEOUT, run_check(&mut check, Source::Dns(dns)))
        .await
        .map_err(|_| format!("the checks took longer than {} s", AUTH_TIMEOUT.as_secs()))??;
    Ok(stamp(&m.data, HOSTNAME, &report))
}

/// Serves one connection until the session closes, the client leaves or a limit is hit.
pub(super) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    store: Arc<Store>,
    acceptor: TlsAcceptor,
    limits: &Limits,
) {
    let mut session = ServerSession::new(limits.config.clone());
    let mut challenge = [0u8; 8];
    let _ = getrandom::fill(&mut challenge);
    session.set_auth_challenge(format!(
        "<{}.{}@{HOSTNAME}>",
        u64::from_be_bytes(challenge),
        now_ms()
    ));
    session.set_queue_id_prefix(&limits.next_queue_prefix());
    if let Err(e) = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER) {
        tracing::debug!(%peer, error = %e, "sandbox: cannot bound the send buffer");
    }
    tracing::info!(%peer, event = "sandbox-connect", "sandbox connection");
    let mut stream = Stream::Plain(stream);
    let mut record = Record {
        transcript: Transcript::default(),
        stored: Vec::new(),
        store: store.clone(),
    };
    let mut tls_version: Option<String> = None;
    let mut buf = vec![0u8; READ_BUFFER];
    // One timer for the connection, set to the session's deadline. It is moved earlier when
    // the deadline comes earlier, and otherwise left to fire and be set again: each command
    // and each read moves the deadline later, and resetting a timer per read costs a
    // timer-wheel removal and insertion per read.
    let timer = tokio::time::sleep(limits.write_timeout);
    tokio::pin!(timer);
    let mut armed: Option<u64> = None;
    loop {
        session.handle_time(now_ms());
        // Messages are stored before their 250 leaves: a client that has it finds the
        // message listed (and, with --maildir, on disk). The transcript stored with a message
        // ends with that 250 and the open-session note; it becomes the whole session's when
        // the connection ends ([`Record`]).
        let tls = session.is_tls();
        let mut replies = Vec::new();
        while let Some(out) = session.poll_output() {
            record.transcript.add(false, tls, &out);
            replies.push(out);
        }
        let mut closed = false;
        let mut start_tls = false;
        while let Some(event) = session.poll_event() {
            match event {
                ServerEvent::TlsRequested => start_tls = true,
                ServerEvent::Closed => closed = true,
                ServerEvent::Violation { message } => {
                    tracing::info!(%peer, event = "sandbox-violation", %message, "sandbox client broke the protocol");
                }
                ServerEvent::MessageReceived(m) => {
                    let mut m = *m;
                    if let Some(dns) = &limits.auth {
                        match authenticate(dns, &m, peer).await {
                            Ok(stamped) => {
                                m.lints = std::mem::take(&mut m.lints)
                                    .into_iter()
                                    .filter_map(|mut l| {
                                        l.span = stamped.map_span(l.span)?;
                                        Some(l)
                                    })
                                    .collect();
                                m.data = stamped.message;
                            }
                            Err(why) => {
                                tracing::info!(%peer, event = "sandbox-auth-failed", %why, "sandbox: no Authentication-Results");
                                record
                                    .transcript
                                    .note(&format!("no Authentication-Results added: {why}"));
                            }
                        }
                    }
                    let stored = StoredMessage {
                        meta: MessageMeta {
                            id: 0,
                            received_at: rfc3339_now(),
                            queue_id: m.queue_id,
                            envelope: m.envelope,
                            tls: m.tls,
                            tls_version: tls_version.clone(),
                            auth_user: m.auth_user,
                            helo: m.helo,
                            peer: peer.to_string(),
                            bdat: m.bdat,
                            size: m.data.len(),
                            lints: m.lints,
                            headline: None,
                        },
                        transcript: record.transcript.still_open(),
                        data: m.data,
                    };
                    let bounce = bounce_for(&stored);
                    let id = store.add(stored);
                    record.stored.push(id);
                    tracing::info!(%peer, event = "sandbox-message", id, "sandbox received a message");
                    if let Some(dsn) = bounce {
                        let dsn_id = store.add(dsn);
                        tracing::info!(%peer, event = "sandbox-dsn", id = dsn_id, of = id, "sandbox generated a DSN bounce");
                    }
                }
                _ => {}
            }
        }
        for out in replies {
            match tokio::time::timeout(limits.write_timeout, stream.write_all(&out)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    tracing::info!(%peer, event = "sandbox-write-timeout", "sandbox client does not read its replies; dropped");
                    return;
                }
            }
        }
        if closed {
            // The stored transcripts are whole before the client sees the connection close.
            drop(record);
            let _ = tokio::time::timeout(limits.write_timeout, stream.shutdown()).await;
            return;
        }
        if start_tls {
            let Stream::Plain(tcp) = stream else { return };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls_stream)) => {
                    let version = tls_stream.get_ref().1.protocol_version().map(|v| match v {
                        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
                        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
                        other => format!("{other:?}"),
                    });
                    record.transcript.note(&format!(
                        "TLS started with {}",
                        version.as_deref().unwrap_or("TLS")
                    ));
                    tls_version = version;
                    stream = Stream::Tls(Box::new(tls_stream));
                    session.tls_established();
                    continue;
                }
                _ => {
                    tracing::info!(%peer, event = "sandbox-tls-failed", "sandbox TLS handshake failed");
                    return;
                }
            }
        }
        if let Some(deadline) = session.poll_timeout() {
            if armed.is_none_or(|at| deadline < at) {
                let wait = Duration::from_millis(deadline.saturating_sub(now_ms()));
                timer.as_mut().reset(tokio::time::Instant::now() + wait);
                armed = Some(deadline);
            }
        }
        let read = tokio::select! {
            read = stream.read(&mut buf) => read,
            () = &mut timer => {
                // Far ahead until armed again with the session's deadline at the loop's end.
                timer.as_mut().reset(tokio::time::Instant::now() + limits.write_timeout);
                armed = None;
                continue;
            }
        };
        match read {
            Ok(0) | Err(_) => {
                tracing::info!(%peer, event = "sandbox-disconnect", "sandbox client left");
                return;
            }
            Ok(n) => {
                let data = buf.get(..n).unwrap_or_default();
                record.transcript.add(true, session.is_tls(), data);
                // The session judges the bytes at the time they came.
                session.handle_time(now_ms());
                session.handle_input(data);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_markers_and_bound() {
        let mut t = Transcript::default();
        t.add(false, false, b"220 hi\r\n");
        t.add(true, false, b"EHLO x\r\nSTARTTLS\r\n");
        t.add(true, true, b"QUIT\r\n");
        assert_eq!(
            String::from_utf8_lossy(&t.text),
            "<-  220 hi\n -> EHLO x\n -> STARTTLS\n ~> QUIT\n"
        );
        let big = vec![b'x'; 1000];
        for _ in 0..(MAX_TRANSCRIPT / 1000 + 10) {
            t.add(true, false, &big);
        }
        assert!(t.text.len() <= MAX_TRANSCRIPT, "{}", t.text.len());
        assert!(t.elided);
    }
}
