//! The sandbox SMTP server of `mailscope serve`: the core's [`ServerSession`] over tokio, with
//! STARTTLS (a self-signed certificate made at start), AUTH with demo users, recipients that fail
//! on purpose for lessons, and an in-memory store of the last messages (plus `--maildir`).
//!
//! All SMTP rules are the core's; this module only moves bytes, does the TLS handshake when the
//! session asks for it, tells the session the time and keeps what it received.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use mailscope_core::mime::build::NameAddr;
use mailscope_core::mime::dsn::{DsnBuilder, DsnRecipient};
use mailscope_core::smtp::auth::Mechanism;
use mailscope_core::smtp::command::{MailParams, Notify, RcptParams};
use mailscope_core::smtp::session::server::Recipient;
use mailscope_core::smtp::session::{
    Envelope, RecipientAction, RecipientRule, ServerConfig, ServerEvent, ServerSession,
};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The sandbox's host name, in its greeting and certificate.
pub const HOSTNAME: &str = "sandbox.mailscope.test";

/// Demo AUTH users (user, password), documented in docs/relay.md.
pub const DEMO_USERS: [(&str, &str); 2] = [("demo", "demo"), ("alice@sandbox.test", "alice")];

/// Recipients that fail on purpose, for lessons: (address, action).
pub const LESSON_RECIPIENTS: [(&str, RecipientAction); 3] = [
    ("unknown@sandbox.test", RecipientAction::Reject),
    ("full@sandbox.test", RecipientAction::MailboxFull),
    ("greylist@sandbox.test", RecipientAction::Defer),
];

/// The recipient that is accepted with 250 and then bounces: the sandbox stores the message and
/// a generated RFC 3464 DSN to the envelope sender (documented in docs/relay.md).
pub const BOUNCE_RECIPIENT: &str = "bounce@sandbox.test";

/// The From of generated DSNs.
pub const MAILER_DAEMON: &str = "MAILER-DAEMON@sandbox.mailscope.test";

/// Messages kept in memory by default (older ones are dropped).
pub const DEFAULT_KEEP: usize = 100;

/// Connections served at once (Postfix `default_process_limit` is 100).
pub const MAX_CONNECTIONS: usize = 100;

/// Transcript bytes kept per connection (message content included); the rest is elided.
pub const MAX_TRANSCRIPT: usize = 1 << 20;

/// How often an otherwise quiet connection tells its session the time (for the idle timeout).
const TICK: Duration = Duration::from_secs(30);

/// TLS handshake timeout of the sandbox.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Options of the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Also deliver to this Maildir (`tmp/`, `new/`, `cur/` are made).
    pub maildir: Option<PathBuf>,
    /// Messages kept in memory.
    pub keep: usize,
}

/// A message the sandbox received.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    /// Id in the store (increasing).
    pub id: u64,
    /// When it arrived, RFC 3339 UTC.
    pub received_at: String,
    /// The queue id the session gave in its 250.
    pub queue_id: String,
    /// Envelope (MAIL FROM, RCPT TO with parameters).
    pub envelope: Envelope,
    /// Whether the session was under TLS.
    pub tls: bool,
    /// The TLS version, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
    /// The authenticated user, if any.
    pub auth_user: Option<String>,
    /// The EHLO/HELO name.
    pub helo: Option<String>,
    /// The client's address.
    pub peer: String,
    /// Whether it came with BDAT.
    pub bdat: bool,
    /// Message size in bytes.
    pub size: usize,
    /// The core's findings in the data.
    pub lints: Vec<mailscope_core::lint::Lint>,
    /// The session up to this message, in swaks' transcript form (` -> `, `<-  `, TLS `~>`).
    #[serde(skip)]
    pub transcript: Vec<u8>,
    /// The message bytes.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// A change in the store, for `/api/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StoreEvent {
    /// A message arrived.
    Message {
        /// Its id.
        id: u64,
    },
    /// A message was deleted (or dropped as the oldest).
    Deleted {
        /// Its id.
        id: u64,
    },
    /// All messages were deleted.
    Cleared,
}

/// The in-memory store of received messages.
#[derive(Debug)]
pub struct Store {
    messages: Mutex<VecDeque<Arc<StoredMessage>>>,
    next_id: AtomicU64,
    keep: usize,
    maildir: Option<PathBuf>,
    events: tokio::sync::broadcast::Sender<StoreEvent>,
}

impl Store {
    /// An empty store keeping `keep` messages.
    pub fn new(keep: usize, maildir: Option<PathBuf>) -> Store {
        Store {
            messages: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
            keep: keep.max(1),
            maildir,
            events: tokio::sync::broadcast::channel(256).0,
        }
    }

    /// Changes from now on (a slow reader misses the oldest and should reload the list).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// All kept messages, oldest first.
    pub fn list(&self) -> Vec<Arc<StoredMessage>> {
        self.messages
            .lock()
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// One message.
    pub fn get(&self, id: u64) -> Option<Arc<StoredMessage>> {
        self.messages
            .lock()
            .ok()?
            .iter()
            .find(|m| m.id == id)
            .cloned()
    }

    /// Removes one message; false when there was none.
    pub fn delete(&self, id: u64) -> bool {
        let Ok(mut messages) = self.messages.lock() else {
            return false;
        };
        let before = messages.len();
        messages.retain(|m| m.id != id);
        let removed = messages.len() != before;
        if removed {
            let _ = self.events.send(StoreEvent::Deleted { id });
        }
        removed
    }

    /// Removes all messages.
    pub fn clear(&self) {
        if let Ok(mut messages) = self.messages.lock() {
            messages.clear();
        }
        let _ = self.events.send(StoreEvent::Cleared);
    }

    fn add(&self, mut message: StoredMessage) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        message.id = id;
        if let Some(dir) = &self.maildir {
            if let Err(e) = deliver_maildir(dir, id, &message.data) {
                tracing::warn!(error = %e, dir = %dir.display(), "sandbox: Maildir delivery failed");
            }
        }
        if let Ok(mut messages) = self.messages.lock() {
            messages.push_back(Arc::new(message));
            let _ = self.events.send(StoreEvent::Message { id });
            while messages.len() > self.keep {
                if let Some(old) = messages.pop_front() {
                    let _ = self.events.send(StoreEvent::Deleted { id: old.id });
                }
            }
        }
        id
    }
}

/// Writes `data` into the Maildir `dir` (tmp/ then rename to new/).
fn deliver_maildir(dir: &std::path::Path, id: u64, data: &[u8]) -> std::io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let name = format!(
        "{}.M{}P{}Q{id}.mailscope",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id()
    );
    let tmp = dir.join("tmp").join(&name);
    std::fs::write(&tmp, data)?;
    std::fs::rename(tmp, dir.join("new").join(name))
}

/// The core's server configuration for the sandbox.
pub fn server_config() -> ServerConfig {
    ServerConfig {
        hostname: HOSTNAME.into(),
        starttls: true,
        auth_mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
        users: DEMO_USERS
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect::<BTreeMap<_, _>>(),
        recipient_rules: LESSON_RECIPIENTS
            .iter()
            .map(|(a, action)| RecipientRule {
                pattern: a.to_string(),
                action: *action,
            })
            .collect(),
        ..ServerConfig::default()
    }
}

/// A running sandbox.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The received messages.
    pub store: Arc<Store>,
    /// Dropped with the last clone: the sandbox's thread then stops accepting and ends.
    _stop: Arc<tokio::sync::watch::Sender<()>>,
}

/// Binds the sandbox and serves connections on a thread of its own.
///
/// The sandbox runs on a single-threaded tokio runtime: an SMTP exchange is one short reply per
/// command, so what limits its message rate is the time from a client's bytes arriving to the
/// reply leaving. On the multi-threaded runtime of `serve` each of those steps could hand the
/// connection's task to the other worker thread and wake it (a futex call and a context switch
/// per step); on one thread the task runs where the readiness event was read.
pub async fn start(options: SandboxOptions) -> anyhow::Result<Sandbox> {
    let listener = std::net::TcpListener::bind(options.listen).with_context(|| {
        format!(
            "cannot listen for the sandbox SMTP server on {}: pick another address with --sandbox ADDR, or --no-sandbox",
            options.listen
        )
    })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let acceptor = acceptor()?;
    let store = Arc::new(Store::new(options.keep, options.maildir));
    let (stop, stopped) = tokio::sync::watch::channel(());
    let sandbox = Sandbox {
        addr,
        store: store.clone(),
        _stop: Arc::new(stop),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("the sandbox's runtime")?;
    std::thread::Builder::new()
        .name("sandbox".into())
        .spawn(move || runtime.block_on(accept_loop(listener, store, acceptor, stopped)))
        .context("the sandbox's thread")?;
    Ok(sandbox)
}

/// Accepts connections until `stopped` says the [`Sandbox`] is gone.
async fn accept_loop(
    listener: std::net::TcpListener,
    store: Arc<Store>,
    acceptor: TlsAcceptor,
    mut stopped: tokio::sync::watch::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "sandbox: cannot listen");
            return;
        }
    };
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => return,
        };
        let Ok((stream, peer)) = accepted else {
            continue;
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = stream
                    .write_all(b"421 4.7.0 sandbox.mailscope.test Error: too many connections\r\n")
                    .await;
            });
            continue;
        };
        let (store, acceptor) = (store.clone(), acceptor.clone());
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            serve_connection(stream, peer, store, acceptor).await;
            drop(permit);
        });
    }
}

fn acceptor() -> anyhow::Result<TlsAcceptor> {
    let (cert, key, _) = crate::tls::self_signed(&[HOSTNAME, "localhost", "127.0.0.1"])?;
    let key = rustls::pki_types::PrivateKeyDer::try_from(key)
        .map_err(|e| anyhow::anyhow!("sandbox key: {e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("sandbox TLS versions")?
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .context("sandbox certificate")?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn rfc3339_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn rfc5322_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

/// The DSN for `message` when it went to [`BOUNCE_RECIPIENT`]: RFC 3464, `Action: failed`,
/// `Status: 5.1.1`, the original header section returned, addressed to the envelope sender
/// with a null reverse-path. None for a null sender (never bounce a bounce, RFC 5321 §4.5.5) or
/// when the recipient asked for `NOTIFY` without `FAILURE` (RFC 3461 §4.1).
fn bounce_for(message: &StoredMessage) -> Option<StoredMessage> {
    let sender = message.envelope.from.clone();
    if sender.is_empty() {
        return None;
    }
    let recipients: Vec<DsnRecipient> = message
        .envelope
        .rcpts
        .iter()
        .filter(|r| r.address.eq_ignore_ascii_case(BOUNCE_RECIPIENT))
        .filter(|r| {
            r.params
                .notify
                .as_ref()
                .is_none_or(|n| n.contains(&Notify::Failure))
        })
        .map(|r| DsnRecipient {
            final_recipient: r.address.clone(),
            original_recipient: r.params.orcpt.as_deref().map(str::to_string),
            action: "failed".into(),
            status: "5.1.1".into(),
            diagnostic: Some(format!(
                "550 5.1.1 <{}>: Recipient address rejected: this sandbox mailbox always bounces (a generated DSN, for lessons)",
                r.address
            )),
            remote_mta: Some(HOSTNAME.into()),
            last_attempt_date: None,
        })
        .collect();
    if recipients.is_empty() {
        return None;
    }
    let mut seed = [0u8; 8];
    let _ = getrandom::fill(&mut seed);
    let now = rfc5322_now();
    let names: Vec<&str> = recipients
        .iter()
        .map(|r| r.final_recipient.as_str())
        .collect();
    let dsn = DsnBuilder {
        from: NameAddr::new("Mail Delivery System", MAILER_DAEMON),
        to: NameAddr::bare(sender.clone()),
        subject: "Undelivered Mail Returned to Sender".into(),
        date: now.clone(),
        message_id: format!("<{}.dsn.{}@{HOSTNAME}>", message.queue_id, now_ms()),
        explanation: format!(
            "This is the mail system at host {HOSTNAME}.\n\n\
             I'm sorry to have to inform you that your message (queue id {}) could not be\n\
             delivered to one or more recipients: {}.\n\n\
             The sandbox accepted the recipient with 250 and bounced it afterwards, as a real\n\
             server does when delivery fails after the SMTP session. The delivery status report\n\
             and your message's header section are attached.\n",
            message.queue_id,
            names.join(", ")
        ),
        reporting_mta: HOSTNAME.into(),
        original_envelope_id: message.envelope.params.envid.as_deref().map(str::to_string),
        arrival_date: Some(now),
        recipients,
        original: message.data.clone(),
    }
    .build(u64::from_be_bytes(seed));
    let data = match dsn {
        Ok(data) => data,
        Err(e) => {
            tracing::warn!(error = %e, "sandbox: could not build the DSN");
            return None;
        }
    };
    let mut transcript = Vec::new();
    transcript.extend_from_slice(
        format!(
            "=== generated by the sandbox: a DSN bounce for queue id {} (from {BOUNCE_RECIPIENT})\n",
            message.queue_id
        )
        .as_bytes(),
    );
    Some(StoredMessage {
        id: 0,
        received_at: rfc3339_now(),
        queue_id: format!("{}-DSN", message.queue_id),
        envelope: Envelope {
            from: String::new(),
            params: MailParams::default(),
            rcpts: vec![Recipient {
                address: sender,
                params: RcptParams::default(),
            }],
        },
        tls: false,
        tls_version: None,
        auth_user: None,
        helo: Some(HOSTNAME.into()),
        peer: "sandbox (generated)".into(),
        bdat: false,
        size: data.len(),
        lints: Vec::new(),
        transcript,
        data,
    })
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
struct Transcript {
    text: Vec<u8>,
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

    fn note(&mut self, text: &str) {
        if self.text.len() + text.len() < MAX_TRANSCRIPT {
            self.text
                .extend_from_slice(format!("=== {text}\n").as_bytes());
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    store: Arc<Store>,
    acceptor: TlsAcceptor,
) {
    let mut session = ServerSession::new(server_config());
    let mut challenge = [0u8; 8];
    let _ = getrandom::fill(&mut challenge);
    session.set_auth_challenge(format!(
        "<{}.{}@{HOSTNAME}>",
        u64::from_be_bytes(challenge),
        now_ms()
    ));
    tracing::info!(%peer, event = "sandbox-connect", "sandbox connection");
    let mut stream = Stream::Plain(stream);
    let mut transcript = Transcript::default();
    let mut tls_version: Option<String> = None;
    let mut buf = vec![0u8; 16 * 1024];
    // Wake up now and then so the session can apply its idle timeout. One timer for the
    // connection, moved on only when it fires (a fresh timeout per read costs a timer-wheel
    // insertion and removal per read).
    let tick = tokio::time::sleep(TICK);
    tokio::pin!(tick);
    loop {
        session.handle_time(now_ms());
        let tls = session.is_tls();
        while let Some(out) = session.poll_output() {
            transcript.add(false, tls, &out);
            if stream.write_all(&out).await.is_err() {
                return;
            }
        }
        let mut closed = false;
        let mut start_tls = false;
        while let Some(event) = session.poll_event() {
            match event {
                ServerEvent::TlsRequested => start_tls = true,
                ServerEvent::Closed => closed = true,
                ServerEvent::MessageReceived(m) => {
                    let m = *m;
                    let stored = StoredMessage {
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
                        transcript: transcript.text.clone(),
                        data: m.data,
                    };
                    let bounce = bounce_for(&stored);
                    let id = store.add(stored);
                    tracing::info!(%peer, event = "sandbox-message", id, "sandbox received a message");
                    if let Some(dsn) = bounce {
                        let dsn_id = store.add(dsn);
                        tracing::info!(%peer, event = "sandbox-dsn", id = dsn_id, of = id, "sandbox generated a DSN bounce");
                    }
                }
                _ => {}
            }
        }
        if closed {
            stream.shutdown().await;
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
                    transcript.note(&format!(
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
        let read = tokio::select! {
            read = stream.read(&mut buf) => read,
            () = &mut tick => {
                tick.as_mut().reset(tokio::time::Instant::now() + TICK);
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
                transcript.add(true, session.is_tls(), data);
                session.handle_input(data);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_recipients_and_users() {
        let config = server_config();
        for (addr, want) in [
            ("unknown@sandbox.test", RecipientAction::Reject),
            ("FULL@sandbox.test", RecipientAction::MailboxFull),
            ("greylist@sandbox.test", RecipientAction::Defer),
            ("anyone@example.org", RecipientAction::Accept),
            (BOUNCE_RECIPIENT, RecipientAction::Accept),
        ] {
            assert_eq!(config.recipient_action(addr), want, "{addr}");
        }
        assert_eq!(config.users.get("demo").map(String::as_str), Some("demo"));
    }

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

    #[test]
    fn store_keeps_the_last_n() {
        let store = Store::new(2, None);
        let msg = |q: &str| StoredMessage {
            id: 0,
            received_at: String::new(),
            queue_id: q.into(),
            envelope: Envelope {
                from: String::new(),
                params: Default::default(),
                rcpts: Vec::new(),
            },
            tls: false,
            tls_version: None,
            auth_user: None,
            helo: None,
            peer: String::new(),
            bdat: false,
            size: 0,
            lints: Vec::new(),
            transcript: Vec::new(),
            data: Vec::new(),
        };
        for q in ["a", "b", "c"] {
            store.add(msg(q));
        }
        let ids: Vec<u64> = store.list().iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![2, 3]);
        assert!(store.delete(2));
        assert!(!store.delete(2));
        assert_eq!(
            store.get(3).map(|m| m.queue_id.clone()).as_deref(),
            Some("c")
        );
        store.clear();
        assert!(store.list().is_empty());
    }
}
