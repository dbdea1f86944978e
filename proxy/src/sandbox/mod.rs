//! The sandbox SMTP server of `mailscope serve`: the core's [`ServerSession`] over tokio, with
//! STARTTLS (a self-signed certificate made at start), AUTH with demo users, recipients that fail
//! on purpose for lessons, and an in-memory store of the last messages (plus `--maildir`).
//!
//! All SMTP rules are the core's; this module only moves bytes, does the TLS handshake when the
//! session asks for it, tells the session the time and keeps what it received.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use mailscope_core::smtp::session::server::sandbox;
use mailscope_core::smtp::session::ServerConfig;

use crate::dns::Dns;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

mod bounce;
mod connection;
mod store;

pub use connection::{MAX_TRANSCRIPT, SEND_BUFFER};
pub use store::{MessageMeta, Store, StoreEvent, StoredMessage, DEFAULT_KEEP, DEFAULT_MAX_BYTES};

pub use mailscope_core::smtp::session::server::sandbox::HOSTNAME;

/// The recipient that is accepted with 250 and then bounces: the sandbox stores the message and
/// a generated RFC 3464 DSN to the envelope sender (documented in docs/relay.md).
pub const BOUNCE_RECIPIENT: &str = "bounce@sandbox.test";

/// The From of generated DSNs.
pub const MAILER_DAEMON: &str = "MAILER-DAEMON@sandbox.mailscope.test";

/// Connections served at once (Postfix `default_process_limit` is 100).
pub const MAX_CONNECTIONS: usize = 100;

/// TLS handshake timeout of the sandbox.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default time a client has to send each command in full, and to take each reply: 300 s
/// (RFC 5321 §4.5.3.2.7, Postfix `smtpd_timeout`, which bounds reads and writes alike).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Options of the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Also deliver to this Maildir (`tmp/`, `new/`, `cur/` are made).
    pub maildir: Option<PathBuf>,
    /// Messages kept in memory.
    pub keep: usize,
    /// Bytes of messages and transcripts kept in memory.
    pub max_bytes: usize,
    /// Time a client has to send a command in full before `421 4.4.2`.
    pub timeout: Duration,
    /// Time a client has to take a reply (it does not read) before it is dropped.
    pub write_timeout: Duration,
    /// Minimum rate of DATA/BDAT content in bytes per second (0: none).
    pub min_data_rate: u64,
    /// Check each message's authentication and add an Authentication-Results field, asking
    /// this DNS server (`Some(None)`: the system's resolver); `None`: off.
    pub authenticate: Option<Option<SocketAddr>>,
}

impl SandboxOptions {
    /// The sandbox's options with the documented defaults, listening on `listen`.
    pub fn new(listen: SocketAddr) -> SandboxOptions {
        SandboxOptions {
            listen,
            maildir: None,
            keep: DEFAULT_KEEP,
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: DEFAULT_TIMEOUT,
            write_timeout: DEFAULT_TIMEOUT,
            min_data_rate: mailscope_core::smtp::session::server::DEFAULT_MIN_DATA_RATE,
            authenticate: None,
        }
    }

    /// The core's server configuration with these limits.
    fn server_config(&self) -> ServerConfig {
        ServerConfig {
            idle_timeout: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            min_data_rate: self.min_data_rate,
            ..sandbox::config()
        }
    }
}

/// A running sandbox.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The received messages.
    pub store: Arc<Store>,
    /// Its STARTTLS certificate (PEM), made at start: `GET /api/sandbox/certificate` gives it, so
    /// that `mailscope send --tls starttls --ca it.pem` verifies the sandbox.
    pub certificate_pem: Arc<str>,
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
    let (acceptor, certificate_pem) = acceptor()?;
    let store = Arc::new(match options.maildir.clone() {
        Some(dir) => Store::open(options.keep, options.max_bytes, dir)?,
        None => Store::new(options.keep, options.max_bytes, None),
    });
    let auth = match options.authenticate {
        Some(server) => Some(Dns::new(server).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let limits = Arc::new(connection::Limits {
        config: options.server_config(),
        auth,
        write_timeout: options.write_timeout,
        connections: {
            let mut seed = [0u8; 8];
            let _ = getrandom::fill(&mut seed);
            std::sync::atomic::AtomicU64::new(u64::from_be_bytes(seed))
        },
    });
    let (stop, stopped) = tokio::sync::watch::channel(());
    let sandbox = Sandbox {
        addr,
        store: store.clone(),
        certificate_pem: certificate_pem.into(),
        _stop: Arc::new(stop),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("the sandbox's runtime")?;
    std::thread::Builder::new()
        .name("sandbox".into())
        .spawn(move || runtime.block_on(accept_loop(listener, store, acceptor, limits, stopped)))
        .context("the sandbox's thread")?;
    Ok(sandbox)
}

/// Accepts connections until `stopped` says the [`Sandbox`] is gone.
async fn accept_loop(
    listener: std::net::TcpListener,
    store: Arc<Store>,
    acceptor: TlsAcceptor,
    limits: Arc<connection::Limits>,
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
            // Bounded like every write: a client that does not read cannot keep this task.
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = tokio::time::timeout(
                    HANDSHAKE_TIMEOUT,
                    stream.write_all(
                        b"421 4.7.0 sandbox.mailscope.test Error: too many connections\r\n",
                    ),
                )
                .await;
            });
            continue;
        };
        let (store, acceptor, limits) = (store.clone(), acceptor.clone(), limits.clone());
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            connection::serve(stream, peer, store, acceptor, &limits).await;
            drop(permit);
        });
    }
}

/// The sandbox's TLS acceptor and its certificate (PEM).
fn acceptor() -> anyhow::Result<(TlsAcceptor, String)> {
    let (cert, key, pem) = crate::tls::self_signed(&[HOSTNAME, "localhost", "127.0.0.1"])?;
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
    Ok((TlsAcceptor::from(Arc::new(config)), pem))
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

#[cfg(test)]
mod tests {
    use mailscope_core::smtp::session::RecipientAction;

    use super::*;

    #[test]
    fn the_bounce_recipient_is_accepted() {
        let config = sandbox::config();
        assert_eq!(
            config.recipient_action(BOUNCE_RECIPIENT),
            RecipientAction::Accept
        );
    }
}
