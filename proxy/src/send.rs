//! `mailscope send`: a swaks-like client running the core's [`ClientSession`] over tokio TCP and
//! TLS. Every SMTP decision (what to send next, pipelining, STARTTLS, AUTH, dot-stuffing, when
//! to QUIT) is the core's; this module connects, does TLS when the session asks, tells it the
//! time, prints the transcript and maps the outcome to an exit code.
//!
//! Exit codes, by the first stage that failed: 0 success; 2 bad usage; 3 DNS or TCP connect;
//! 4 TLS (handshake failed, or the certificate did not verify without `--no-verify`); 5 greeting
//! refused; 6 EHLO/HELO refused; 7 STARTTLS unavailable or refused; 8 AUTH failed; 9 MAIL
//! refused; 10 every RCPT refused; 11 DATA or the message refused; 12 protocol error (bad reply,
//! timeout, bytes after the STARTTLS reply, connection lost).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use mailscope_core::mime::address::{parse_address_list, Address};
use mailscope_core::mime::build::{Attachment, MessageBuilder, NameAddr};
use mailscope_core::relay::RelayFrame;
use mailscope_core::smtp::auth::{Credentials, Mechanism};
use mailscope_core::smtp::session::{
    ClientEvent, ClientPlan, ClientSession, StopPoint, TlsPolicy, Transaction,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::dns::Dns;
use crate::tls::Trust;

/// TLS mode of `send`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsArg {
    /// Plain SMTP.
    None,
    /// STARTTLS, required (QUIT if not offered).
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// AUTH mechanism of `send`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// RFC 4616.
    Plain,
    /// The LOGIN prompts.
    Login,
    /// RFC 2195.
    CramMd5,
    /// Bearer token (`--password` is the token).
    Xoauth2,
}

/// Where `--quit-after` stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuitAfter {
    /// After the greeting.
    Connect,
    /// After the first EHLO.
    FirstHelo,
    /// After the TLS handshake.
    Tls,
    /// After the last EHLO.
    Helo,
    /// After AUTH.
    Auth,
    /// After MAIL FROM.
    Mail,
    /// After RCPT TO.
    Rcpt,
    /// After the reply to DATA.
    Data,
    /// After the end of the message.
    Dot,
}

/// Options of `mailscope send`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["server", "mx", "sandbox"])))]
pub struct SendArgs {
    /// Server as HOST[:PORT] (port 25, or 465 with --tls implicit).
    #[arg(long)]
    pub server: Option<String>,
    /// Deliver to the MX hosts of this domain, by preference (port 25).
    #[arg(long, value_name = "DOMAIN")]
    pub mx: Option<String>,
    /// Envelope sender (MAIL FROM); optional: without it the reverse-path is null (`<>`).
    #[arg(long, default_value = "", hide_default_value = true)]
    pub from: String,
    /// Envelope recipient (RCPT TO), repeatable.
    #[arg(long, required = true)]
    pub to: Vec<String>,
    /// TLS: none, starttls (required) or implicit.
    #[arg(long, value_enum, default_value_t = TlsArg::None)]
    pub tls: TlsArg,
    /// PEM file of extra trusted CA certificates (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,
    /// Go on when the server's certificate does not verify (it is still shown).
    #[arg(long)]
    pub no_verify: bool,
    /// AUTH mechanism.
    #[arg(long, value_enum, requires = "user")]
    pub auth: Option<AuthArg>,
    /// AUTH user.
    #[arg(long)]
    pub user: Option<String>,
    /// AUTH password (or token for xoauth2).
    #[arg(long, default_value = "")]
    pub password: String,
    /// Pipeline commands when the server offers PIPELINING.
    #[arg(long)]
    pub pipelining: bool,
    /// Send with BDAT when the server offers CHUNKING.
    #[arg(long)]
    pub chunking: bool,
    /// The message file (RFC 5322), sent as is ("-" for stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["subject", "body", "header", "attach"])]
    pub data: Option<PathBuf>,
    /// Subject of the generated message.
    #[arg(long)]
    pub subject: Option<String>,
    /// Body of the generated message.
    #[arg(long)]
    pub body: Option<String>,
    /// Header line "Name: value" for the generated message (repeatable). Subject, Date,
    /// Message-ID, From, To and Cc replace the generated ones; MIME fields are the builder's.
    #[arg(long)]
    pub header: Vec<String>,
    /// Attach a file (repeatable): base64, content type guessed from the extension, RFC 2231
    /// file name.
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Name given in EHLO.
    #[arg(long, default_value = "client.mailscope.test")]
    pub helo: String,
    /// Stop and QUIT after this stage.
    #[arg(long, value_enum)]
    pub quit_after: Option<QuitAfter>,
    /// DNS server to use instead of the system's.
    #[arg(long, value_name = "ADDR", value_parser = crate::dns::parse_server)]
    pub dns: Option<SocketAddr>,
    /// Seconds allowed for the TCP connect.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub connect_timeout: u64,
    /// Go through a running `mailscope serve` relay at this URL (e.g. http://127.0.0.1:8025)
    /// instead of connecting directly.
    #[arg(long, value_name = "URL", requires = "token")]
    pub via: Option<String>,
    /// With --via: send to that mailscope serve's own sandbox SMTP server (instead of --server
    /// or --mx), as the page's "Sandbox" target does.
    #[arg(long, requires = "via")]
    pub sandbox: bool,
    /// The relay token for --via (the `#token=` part of the URL mailscope serve printed).
    #[arg(long, env = "MAILSCOPE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Sign the message with DKIM (RFC 6376) using this PEM private key: RSA (PKCS#8 or
    /// PKCS#1, rsa-sha256) or Ed25519 (PKCS#8, ed25519-sha256). Needs --dkim-selector and
    /// --dkim-domain; publish the key record `mailscope auth` would fetch.
    #[arg(long, value_name = "FILE", requires_all = ["dkim_selector", "dkim_domain"])]
    pub dkim_key: Option<PathBuf>,
    /// The DKIM selector (`s=`): the key record lives at SELECTOR._domainkey.DOMAIN.
    #[arg(long, value_name = "S", requires = "dkim_key")]
    pub dkim_selector: Option<String>,
    /// The DKIM signing domain (`d=`).
    #[arg(long, value_name = "D", requires = "dkim_key")]
    pub dkim_domain: Option<String>,
    /// Print one JSON document (`"version": 1`) instead of the transcript.
    #[arg(long)]
    pub json: bool,
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct SendError {
    /// The process exit code.
    pub code: u8,
    /// What failed.
    pub message: String,
}

pub(crate) fn fail(code: u8, message: impl Into<String>) -> SendError {
    SendError {
        code,
        message: message.into(),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// Media types `--attach` guesses from a file's extension (lowercase); others are
/// `application/octet-stream`. `.eml` is left out on purpose: message/rfc822 may not be base64
/// (RFC 2046 §5.2.1).
const ATTACH_TYPES: &[(&str, &str)] = &[
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ics", "text/calendar"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
];

/// The media type for `path`, from [`ATTACH_TYPES`].
pub fn guess_content_type(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    ATTACH_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
        .unwrap_or("application/octet-stream")
}

/// Mailboxes of an address header given with `--header`, for the builder.
fn header_addresses(name: &str, value: &str) -> Result<Vec<NameAddr>, SendError> {
    let list = parse_address_list(value.as_bytes());
    let mut out = Vec::new();
    for entry in list.entries {
        let boxes = match entry {
            Address::Mailbox(m) => vec![m],
            Address::Group(g) => g.members,
        };
        out.extend(boxes.into_iter().map(|m| NameAddr {
            name: m.name,
            address: m.address,
        }));
    }
    if out.is_empty() {
        return Err(fail(
            2,
            format!("--header \"{name}: {value}\" has no address"),
        ));
    }
    Ok(out)
}

/// The message to send: `--data`, or one built by the core's [`MessageBuilder`] from
/// `--subject/--body/--header/--attach`, with the Date and Message-ID made here (clock, random
/// number and the `--helo` name).
fn message(args: &SendArgs) -> Result<Vec<u8>, SendError> {
    if let Some(path) = &args.data {
        let data = if path.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .map_err(|e| fail(2, format!("cannot read the message from stdin: {e}")))?;
            buf
        } else {
            std::fs::read(path)
                .map_err(|e| fail(2, format!("cannot read --data {}: {e}", path.display())))?
        };
        return Ok(data);
    }
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let mut random = [0u8; 16];
    let _ = getrandom::fill(&mut random);
    let (id, seed) = random.split_at(8);
    let word = |b: &[u8]| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    let from = if args.from.is_empty() {
        // A null reverse-path still needs an author (RFC 5322 §3.6.2).
        format!("mailscope@{}", args.helo)
    } else {
        args.from.clone()
    };
    let mut b = MessageBuilder {
        from: vec![NameAddr::bare(from)],
        to: args.to.iter().map(NameAddr::bare).collect(),
        subject: Some(
            args.subject
                .clone()
                .unwrap_or_else(|| "test from mailscope send".into()),
        ),
        date,
        message_id: format!("<{:016x}.{}@{}>", word(id), now_ms(), args.helo),
        text: Some(
            args.body
                .clone()
                .unwrap_or_else(|| "This is a test message sent by mailscope send.".into()),
        ),
        ..MessageBuilder::default()
    };
    for h in &args.header {
        let Some((name, value)) = h.split_once(':') else {
            return Err(fail(2, format!("--header {h:?} is not \"Name: value\"")));
        };
        let (name, value) = (name.trim(), value.trim());
        match name.to_ascii_lowercase().as_str() {
            "subject" => b.subject = Some(value.to_string()),
            "date" => b.date = value.to_string(),
            "message-id" => b.message_id = value.to_string(),
            "from" => b.from = header_addresses(name, value)?,
            "to" => b.to = header_addresses(name, value)?,
            "cc" => b.cc = header_addresses(name, value)?,
            _ => b.headers.push((name.to_string(), value.to_string())),
        }
    }
    for path in &args.attach {
        let data = std::fs::read(path)
            .map_err(|e| fail(2, format!("cannot read --attach {}: {e}", path.display())))?;
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        b.attachments.push(Attachment {
            filename,
            content_type: guess_content_type(path).to_string(),
            data,
        });
    }
    b.build(word(seed))
        .map_err(|e| fail(2, format!("cannot build the message: {e}")))
}

fn plan(args: &SendArgs, message: Vec<u8>) -> ClientPlan {
    ClientPlan {
        helo_name: args.helo.clone(),
        ehlo: true,
        starttls: if args.tls == TlsArg::Starttls {
            TlsPolicy::Required
        } else {
            TlsPolicy::Never
        },
        auth: args.auth.map(|a| {
            let mechanism = match a {
                AuthArg::Plain => Mechanism::Plain,
                AuthArg::Login => Mechanism::Login,
                AuthArg::CramMd5 => Mechanism::CramMd5,
                AuthArg::Xoauth2 => Mechanism::Xoauth2,
            };
            (
                mechanism,
                Credentials::new(args.user.clone().unwrap_or_default(), args.password.clone()),
            )
        }),
        pipelining: args.pipelining,
        transactions: vec![Transaction {
            from: args.from.clone(),
            rcpts: args.to.clone(),
            message,
            bdat_chunk: args.chunking.then_some(64 * 1024),
            ..Transaction::default()
        }],
        rset_between: false,
        quit_after: args.quit_after.map(|q| match q {
            QuitAfter::Connect => StopPoint::Connect,
            QuitAfter::FirstHelo => StopPoint::FirstHelo,
            QuitAfter::Tls => StopPoint::Tls,
            QuitAfter::Helo => StopPoint::Helo,
            QuitAfter::Auth => StopPoint::Auth,
            QuitAfter::Mail => StopPoint::Mail,
            QuitAfter::Rcpt => StopPoint::Rcpt,
            QuitAfter::Data => StopPoint::Data,
            QuitAfter::Dot => StopPoint::Dot,
        }),
    }
}

/// A failed lookup as `send` reports it: the resolver hint where asking another one may help.
fn dns_failed(e: crate::dns::DnsError) -> SendError {
    match e.1 {
        crate::dns::Failure::Lookup => {
            fail(3, format!("{}; {}", e.0, crate::dns::CLI_RESOLVER_HINT))
        }
        crate::dns::Failure::Answer => fail(3, e.0),
    }
}

/// Where to connect: (address, name for SNI and messages).
async fn targets(args: &SendArgs) -> Result<Vec<(SocketAddr, String)>, SendError> {
    let dns = Dns::new(args.dns).map_err(|e| fail(3, e))?;
    if let Some(domain) = &args.mx {
        let set = dns.mx(domain).await.map_err(dns_failed)?;
        let mut out = Vec::new();
        for r in set.records {
            for a in &r.addresses {
                if let Ok(ip) = a.parse::<IpAddr>() {
                    out.push((SocketAddr::new(ip, 25), r.exchange.clone()));
                }
            }
        }
        if out.is_empty() {
            return Err(fail(
                3,
                format!("no mail exchanger of {domain} has an address"),
            ));
        }
        return Ok(out);
    }
    let server = args.server.clone().unwrap_or_default();
    let default_port = if args.tls == TlsArg::Implicit {
        465
    } else {
        25
    };
    let (host, port) = match crate::cli::parse_host_port(&server) {
        Ok((h, p)) => (h, p),
        Err(_) => (
            server
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            default_port,
        ),
    };
    let ips = dns.addresses(&host).await.map_err(dns_failed)?;
    Ok(ips
        .into_iter()
        .map(|ip| (SocketAddr::new(ip, port), host.clone()))
        .collect())
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    Relay(Box<crate::via::Via>),
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
            Stream::Relay(r) => r.read(buf).await,
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(data).await,
            Stream::Tls(s) => {
                s.write_all(data).await?;
                s.flush().await
            }
            Stream::Relay(r) => r.write_all(data).await,
        }
    }
}

/// Collects the transcript, printing it as it goes in text mode.
struct Out {
    json: bool,
    started: Instant,
    entries: Vec<serde_json::Value>,
}

impl Out {
    fn bytes(&mut self, client: bool, tls: bool, data: &[u8]) {
        let marker = match (client, tls) {
            (true, false) => " -> ",
            (true, true) => " ~> ",
            (false, false) => "<-  ",
            (false, true) => "<~  ",
        };
        let ms = self.started.elapsed().as_millis() as u64;
        for line in data.split_inclusive(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end_matches(['\r', '\n']);
            if self.json {
                self.entries.push(json!({
                    "ms": ms,
                    "direction": if client { "client" } else { "server" },
                    "tls": tls,
                    "line": text,
                }));
            } else {
                println!("{marker}{text}");
            }
        }
    }

    fn info(&mut self, text: &str) {
        let ms = self.started.elapsed().as_millis() as u64;
        if self.json {
            self.entries.push(json!({ "ms": ms, "info": text }));
        } else {
            println!("=== {text}");
        }
    }
}

/// The TLS handshake; fails (exit 4) on an unverified certificate unless `no_verify`.
async fn handshake(
    trust: &Trust,
    name: &str,
    no_verify: bool,
    tcp: TcpStream,
    out: &mut Out,
) -> Result<
    (
        tokio_rustls::client::TlsStream<TcpStream>,
        serde_json::Value,
    ),
    SendError,
> {
    let (stream, frame) = crate::tls::connect(trust, name, tcp)
        .await
        .map_err(|e| fail(4, e))?;
    let value = report_tls(&frame, no_verify, out)?;
    Ok((stream, value))
}

/// Prints a `tls` description; fails (exit 4) on an unverified certificate unless `no_verify`.
fn report_tls(
    frame: &RelayFrame,
    no_verify: bool,
    out: &mut Out,
) -> Result<serde_json::Value, SendError> {
    let value = serde_json::to_value(frame).unwrap_or_default();
    if let RelayFrame::Tls {
        version,
        cipher,
        verified,
        verify_error,
        chain,
        ..
    } = frame
    {
        out.info(&format!("TLS started with {version}, {cipher}"));
        if let Some(leaf) = chain.first() {
            out.info(&format!(
                "Certificate: {} issued by {}, valid until {}, SHA-256 {}",
                leaf.subject, leaf.issuer, leaf.not_after, leaf.sha256
            ));
        }
        if *verified {
            out.info("Certificate verified");
        } else {
            let why = verify_error.clone().unwrap_or_default();
            if !no_verify {
                return Err(fail(
                    4,
                    format!("the server's certificate did not verify: {why}. Pass --ca FILE to trust its CA, or --no-verify to go on anyway"),
                ));
            }
            out.info(&format!(
                "Certificate NOT verified ({why}); going on because of --no-verify"
            ));
        }
    }
    Ok(value)
}

/// The stage a failing reply belongs to, as an exit code.
fn stage_code(command: Option<&str>) -> u8 {
    let cmd = command.unwrap_or("").to_ascii_uppercase();
    match () {
        _ if command.is_none() => 5,
        _ if cmd.starts_with("EHLO") || cmd.starts_with("HELO") => 6,
        _ if cmd.starts_with("STARTTLS") => 7,
        _ if cmd.starts_with("AUTH") => 8,
        _ if cmd.starts_with("MAIL") => 9,
        _ if cmd.starts_with("RCPT") => 10,
        _ if cmd.starts_with("QUIT") || cmd.starts_with("RSET") => 0,
        _ => 11,
    }
}

/// Runs `mailscope send`; returns the exit code.
pub async fn run(args: SendArgs) -> u8 {
    let mut out = Out {
        json: args.json,
        started: Instant::now(),
        entries: Vec::new(),
    };
    let result = send(&args, &mut out).await;
    let (code, error) = match &result {
        Ok(summary) => (summary.code, summary.error.clone()),
        Err(e) => (e.code, Some(e.message.clone())),
    };
    if args.json {
        let doc = json!({
            "version": 1,
            "exit_code": code,
            "error": error,
            "peer": result.as_ref().ok().map(|s| s.peer.clone()),
            "tls": result.as_ref().ok().and_then(|s| s.tls.clone()),
            "outcomes": result.as_ref().ok().map(|s| s.outcomes.clone()).unwrap_or_default(),
            "transcript": out.entries,
        });
        println!("{doc}");
    } else if let Some(e) = error {
        eprintln!("mailscope send: {e}");
    }
    code
}

struct Summary {
    code: u8,
    error: Option<String>,
    peer: String,
    tls: Option<serde_json::Value>,
    outcomes: Vec<serde_json::Value>,
}

/// `message` with a DKIM-Signature on top when `--dkim-key` is given (relaxed/relaxed, the
/// default header list over-signing From, Subject, To, Cc, Reply-To and Date, `t=` now).
fn dkim_sign(args: &SendArgs, message: Vec<u8>) -> Result<Vec<u8>, SendError> {
    use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
    let (Some(path), Some(selector), Some(domain)) =
        (&args.dkim_key, &args.dkim_selector, &args.dkim_domain)
    else {
        return Ok(message);
    };
    let pem = std::fs::read_to_string(path)
        .map_err(|e| fail(2, format!("cannot read --dkim-key {}: {e}", path.display())))?;
    let key = SigningKey::from_pem(&pem)
        .map_err(|e| fail(2, format!("--dkim-key {}: {e}", path.display())))?;
    let wire = mailscope_core::auth::check::to_wire(&message);
    let opts = SignOptions {
        timestamp: Some(now_ms() / 1000),
        ..SignOptions::new(domain, selector)
    };
    let mut signed = sign(&wire, &key, &opts)
        .map_err(|e| fail(2, format!("cannot DKIM-sign the message: {e}")))?;
    signed.extend_from_slice(&wire);
    Ok(signed)
}

async fn send(args: &SendArgs, out: &mut Out) -> Result<Summary, SendError> {
    let message = dkim_sign(args, message(args)?)?;
    let trust = Trust::new(&args.ca).map_err(|e| fail(2, format!("{e:#}")))?;
    let mut tls_info = None;
    let mut session = ClientSession::new(plan(args, message));
    if args.tls == TlsArg::Implicit {
        session = session.with_implicit_tls();
    }
    let (mut stream, peer, name) = if let Some(via) = &args.via {
        let (via, peer, frame) = crate::via::Via::connect(
            via,
            args.token.as_deref().unwrap_or(""),
            crate::via::Destination::of(args),
            args.tls == TlsArg::Implicit,
        )
        .await?;
        out.info(&format!(
            "Connected to {peer} through the relay at {}",
            via.url
        ));
        if let Some(frame) = frame {
            tls_info = Some(report_tls(&frame, args.no_verify, out)?);
        }
        (Stream::Relay(Box::new(via)), peer, String::new())
    } else {
        let targets = targets(args).await?;
        let mut tcp = None;
        let mut errors = Vec::new();
        for (addr, name) in &targets {
            out.info(&format!("Trying {name} ({addr})"));
            match tokio::time::timeout(
                Duration::from_secs(args.connect_timeout),
                TcpStream::connect(addr),
            )
            .await
            {
                Ok(Ok(s)) => {
                    out.info(&format!("Connected to {addr}"));
                    tcp = Some((s, *addr, name.clone()));
                    break;
                }
                Ok(Err(e)) => errors.push(format!(
                    "{name} ({addr}): {}",
                    crate::relay::conn::socket_error_words(&e)
                )),
                Err(_) => errors.push(format!("{name} ({addr}): no answer in time")),
            }
        }
        let Some((tcp, peer, name)) = tcp else {
            return Err(fail(3, format!("could not connect: {}", errors.join("; "))));
        };
        let _ = tcp.set_nodelay(true);
        let stream = if args.tls == TlsArg::Implicit {
            let (s, info) = handshake(&trust, &name, args.no_verify, tcp, out).await?;
            tls_info = Some(info);
            Stream::Tls(Box::new(s))
        } else {
            Stream::Plain(tcp)
        };
        (stream, peer.to_string(), name)
    };
    let mut first_failure: Option<(u8, String)> = None;
    let (mut replies, mut failed_at) = (0usize, usize::MAX);
    let mut outcomes = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        session.handle_time(now_ms());
        let tls = session.is_tls();
        while let Some(bytes) = session.poll_output() {
            out.bytes(true, tls, &bytes);
            if let Err(e) = stream.write_all(&bytes).await {
                return Err(fail(
                    12,
                    format!(
                        "writing to the server failed: {}",
                        crate::relay::conn::socket_error_words(&e)
                    ),
                ));
            }
        }
        let mut closed = false;
        let mut start_tls = false;
        while let Some(event) = session.poll_event() {
            match event {
                ClientEvent::Reply { reply, command } if reply.code >= 400 => {
                    replies += 1;
                    let code = stage_code(command.as_deref());
                    if code != 0 && code != 10 && first_failure.is_none() {
                        failed_at = replies;
                        first_failure = Some((
                            code,
                            format!(
                                "{} answered {} {}",
                                command.as_deref().unwrap_or("the greeting"),
                                reply.code,
                                reply.text()
                            ),
                        ));
                    }
                }
                ClientEvent::Reply { .. } => replies += 1,
                ClientEvent::TlsRequested => start_tls = true,
                ClientEvent::AuthFailed { code }
                    if first_failure.is_none() || failed_at == replies =>
                {
                    // The reply to the last AUTH line answers a base64 line, not "AUTH".
                    first_failure = Some((8, format!("AUTH failed with {code}")));
                }
                ClientEvent::TransactionDone(o) => {
                    if o.accepted.is_empty() && !o.rejected.is_empty() && first_failure.is_none() {
                        first_failure = Some((10, "every recipient was refused".into()));
                    }
                    outcomes.push(serde_json::to_value(&o).unwrap_or_default());
                }
                ClientEvent::Error(e) => {
                    use mailscope_core::smtp::session::ClientError as E;
                    let code = match &e {
                        E::GreetingRefused { .. } => 5,
                        E::TlsUnavailable => 7,
                        E::SizeExceeded { .. } => 11,
                        _ => 12,
                    };
                    if first_failure.is_none() {
                        first_failure = Some((code, e.to_string()));
                    }
                    out.info(&format!("Error: {e}"));
                }
                ClientEvent::Closed => closed = true,
                _ => {}
            }
        }
        if closed {
            break;
        }
        if start_tls {
            stream = match stream {
                Stream::Plain(tcp) => {
                    let (s, info) = handshake(&trust, &name, args.no_verify, tcp, out).await?;
                    tls_info = Some(info);
                    Stream::Tls(Box::new(s))
                }
                Stream::Relay(mut via) => {
                    let frame = via.starttls().await?;
                    tls_info = Some(report_tls(&frame, args.no_verify, out)?);
                    Stream::Relay(via)
                }
                Stream::Tls(_) => return Err(fail(12, "STARTTLS on a TLS connection")),
            };
            session.tls_established();
            continue;
        }
        let wait = session
            .poll_timeout()
            .map(|t| t.saturating_sub(now_ms()).max(1))
            .unwrap_or(1000)
            .min(1000);
        match tokio::time::timeout(Duration::from_millis(wait), stream.read(&mut buf)).await {
            Err(_) => continue,
            Ok(Ok(0)) | Ok(Err(_)) => {
                if first_failure.is_none() && !session.is_closed() {
                    first_failure = Some((12, "the server closed the connection".into()));
                }
                break;
            }
            Ok(Ok(n)) => {
                let data = buf.get(..n).unwrap_or_default();
                out.bytes(false, session.is_tls(), data);
                session.handle_input(data);
            }
        }
    }
    out.info("Connection closed");
    let (code, error) = match first_failure {
        Some((c, m)) => (c, Some(m)),
        None => (0, None),
    };
    Ok(Summary {
        code,
        error,
        peer,
        tls: tls_info,
        outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_types_from_the_extension() {
        for (name, want) in [
            ("a.pdf", "application/pdf"),
            ("photo.JPG", "image/jpeg"),
            ("x.tar.gz", "application/gzip"),
            ("notes.txt", "text/plain"),
            ("mail.eml", "application/octet-stream"),
            ("README", "application/octet-stream"),
            (".pdf", "application/octet-stream"),
        ] {
            let got = guess_content_type(std::path::Path::new(name));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn stages() {
        for (cmd, code) in [
            (None, 5),
            (Some("EHLO x"), 6),
            (Some("STARTTLS"), 7),
            (Some("AUTH PLAIN"), 8),
            (Some("MAIL FROM:<a@b>"), 9),
            (Some("RCPT TO:<a@b>"), 10),
            (Some("DATA"), 11),
            (Some("<message data>"), 11),
            (Some("QUIT"), 0),
        ] {
            assert_eq!(stage_code(cmd), code, "{cmd:?}");
        }
    }
}
