//! Command-line arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Mailscope: see, learn and test email on the wire.
#[derive(Debug, Parser)]
#[command(name = "mailscope", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the explorer UI and the relay on loopback.
    Serve(Box<ServeArgs>),
    /// Send a message like swaks, on the core's SMTP client session (exit code per failing stage).
    #[command(after_help = SEND_EXIT_CODES)]
    Send(Box<crate::send::SendArgs>),
    /// Look up the mail exchangers of a domain (MX by preference, with addresses).
    #[command(after_help = MX_EXIT_CODES)]
    Mx(MxArgs),
    /// Show a message's MIME tree, decoded headers, parts and findings.
    Inspect(crate::cmd::inspect::InspectArgs),
    /// Annotate an SMTP dialogue (S:/C: transcript, swaks output or raw capture); AUTH secrets
    /// are masked unless `--show-secrets` is given.
    Transcript(crate::cmd::transcript::TranscriptArgs),
    /// Decode or encode RFC 2047 encoded-words.
    Header(crate::cmd::header::HeaderArgs),
    /// Check a message's DKIM signatures, SPF, DMARC and ARC, every step explained (exit 0 when the
    /// checks ran, whatever the verdicts; 2 when they could not run).
    Auth(crate::cmd::auth::AuthArgs),
}

/// The exit-code table of `mailscope send --help` (docs/relay.md).
pub const SEND_EXIT_CODES: &str = "\
Exit codes (the first stage that failed):
   0  success (or stopped by --quit-after)
   2  bad usage or unreadable file
   3  DNS or TCP connect failed (or the relay refused)
   4  TLS handshake failed or the certificate did not verify
   5  greeting refused
   6  EHLO/HELO refused
   7  STARTTLS unavailable or refused
   8  AUTH failed
   9  MAIL refused
  10  every recipient refused
  11  DATA or the message refused
  12  protocol error (bad reply, timeout, bytes after the STARTTLS reply, connection lost)";

/// The exit-code table of `mailscope mx --help` (docs/relay.md).
pub const MX_EXIT_CODES: &str = "\
Exit codes:
  0  the domain has an MX set (or an implicit MX)
  1  the DNS answered that the domain takes no mail: NXDOMAIN, null MX (RFC 7505), no address
  2  the lookup could not be done: resolver down or unreachable, timeout, SERVFAIL
With --json a failure prints {\"version\": 1, \"domain\", \"exit_code\", \"error\": {\"kind\", \"message\"}}.";

/// Longest timeout a flag accepts, in seconds (a day): longer values are surely mistakes, and
/// values near `u64::MAX` would overflow the clock arithmetic.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// Options of `mailscope serve`.
///
/// Every numeric flag is range-checked here, at parse time, so that no value can overflow the
/// relay's clock or size arithmetic later; [`ServeArgs::check`] checks what depends on several
/// flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: loopback unless --allow-remote-listen is given too.
    #[arg(long, default_value = "127.0.0.1:8025")]
    pub listen: SocketAddr,
    /// Allow a --listen address other than loopback. Anyone who can reach it can load the UI
    /// and try tokens; with the token they can send mail from this machine and read the
    /// sandbox's messages. Use it only on a network you trust.
    #[arg(long)]
    pub allow_remote_listen: bool,
    /// Directory holding the built UI (Trunk's dist/).
    #[arg(long, env = "MAILSCOPE_UI", default_value = "dist")]
    pub ui: PathBuf,
    /// Relay token (at least 16 printable characters, no commas). Other users of this machine
    /// can read a command line (ps): prefer --token-file or the MAILSCOPE_TOKEN variable.
    /// Without any of them a random token is made for this run.
    #[arg(long, conflicts_with = "token_file")]
    pub token: Option<String>,
    /// File holding the relay token (its first line; trailing white space is ignored).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Another page origin allowed to open the relay, e.g. http://localhost:8080 (repeatable;
    /// `null` is refused).
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origin: Vec<String>,
    /// A destination the relay may reach whatever its port or address (repeatable).
    #[arg(long = "allow-target", value_name = "HOST:PORT", value_parser = parse_host_port)]
    pub allow_target: Vec<(String, u16)>,
    /// Another destination port allowed besides 25, 465 and 587 (repeatable).
    #[arg(long = "allow-port", value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub allow_port: Vec<u16>,
    /// Allow private, loopback, link-local and other special-purpose addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// DNS server to use instead of the system's, e.g. 9.9.9.9 or 127.0.0.1:5353.
    #[arg(long, value_name = "ADDR", value_parser = crate::dns::parse_server)]
    pub dns: Option<SocketAddr>,
    /// PEM file of extra trusted CA certificates for verifying servers (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,
    /// Port used for `{mx}` targets (25; change it only for test setups).
    #[arg(long, default_value_t = 25, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub mx_port: u16,
    /// Relay sessions open at once, in total (1 to 1,000,000).
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = count(1_000_000))]
    pub max_sessions: usize,
    /// Relay sessions open at once with the same token (1 to 1,000,000).
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = count(1_000_000))]
    pub max_sessions_per_token: usize,
    /// TCP connection attempts per minute, over all sessions; every address a connect tries
    /// counts (1 to 1,000,000).
    #[arg(long, default_value_t = 60, value_name = "N", value_parser = count(1_000_000))]
    pub connects_per_minute: usize,
    /// Most addresses one connect tries, over all MX hosts (Postfix smtp_mx_address_limit;
    /// 1 to 100).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = count(100))]
    pub connect_addresses: usize,
    /// Seconds allowed for a TCP connect (1 to 86,400).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = secs())]
    pub connect_timeout: u64,
    /// Seconds allowed for a TLS handshake (1 to 86,400).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = secs())]
    pub handshake_timeout: u64,
    /// Seconds without traffic before a relay connection is ended; also the longest a write to
    /// the page or the server may wait (1 to 86,400).
    #[arg(long, default_value_t = 300, value_name = "SECS", value_parser = secs())]
    pub idle_timeout: u64,
    /// Address of the sandbox SMTP server.
    #[arg(
        long,
        default_value = "127.0.0.1:2525",
        value_name = "ADDR",
        conflicts_with = "no_sandbox"
    )]
    pub sandbox: SocketAddr,
    /// Do not run the sandbox SMTP server.
    #[arg(long)]
    pub no_sandbox: bool,
    /// Keep the sandbox's messages in this Maildir too, with their metadata in DIR/mailscope/;
    /// a restarted serve lists them again. Without it the sandbox's store is memory only.
    #[arg(long, value_name = "DIR")]
    pub maildir: Option<PathBuf>,
    /// Messages the sandbox keeps in memory (the oldest go first).
    #[arg(long, default_value_t = crate::sandbox::DEFAULT_KEEP, value_name = "N")]
    pub sandbox_keep: usize,
    /// Bytes of messages (and their transcripts) the sandbox keeps in memory; the oldest go
    /// first.
    #[arg(long, default_value_t = crate::sandbox::DEFAULT_MAX_BYTES, value_name = "BYTES",
          value_parser = bytes(1024, 1 << 40))]
    pub sandbox_max_bytes: usize,
    /// Seconds a sandbox client has to send each command in full (then 421).
    #[arg(long, default_value_t = crate::sandbox::DEFAULT_TIMEOUT.as_secs(), value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub sandbox_timeout: u64,
    /// Seconds a sandbox client has to take each reply; one that does not read is dropped.
    #[arg(long, default_value_t = crate::sandbox::DEFAULT_TIMEOUT.as_secs(), value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub sandbox_write_timeout: u64,
    /// Minimum rate of a sandbox client's message content (DATA, BDAT) in bytes per second;
    /// 0 for none.
    #[arg(long, default_value_t = mailscope_core::smtp::session::server::DEFAULT_MIN_DATA_RATE, value_name = "BYTES")]
    pub sandbox_min_data_rate: u64,
    /// The sandbox checks DKIM, SPF, DMARC and ARC of each message it takes (the client's
    /// address, HELO and MAIL FROM are the envelope) and adds its Authentication-Results field
    /// on top, as a receiving server does. Off by default: it makes DNS queries (with --dns or
    /// the system's resolver) for the domains a message names.
    #[arg(long)]
    pub sandbox_auth: bool,
    /// Largest WebSocket frame in bytes; larger ones close the socket with 1009 (1,024 to
    /// 67,108,864).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES", value_parser = bytes(1024, 64 << 20))]
    pub max_frame: usize,
    /// Seconds allowed for an HTTP request head, and for the next request on an idle keep-alive connection.
    #[arg(long, default_value_t = crate::http::DEFAULT_HEADER_TIMEOUT_SECS, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub http_header_timeout: u64,
    /// HTTP connections served at once; more are answered 503 and closed.
    #[arg(long, default_value_t = crate::http::DEFAULT_MAX_CONNECTIONS, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65536))]
    pub http_max_connections: usize,
    /// Requests served on one HTTP connection before it is closed.
    #[arg(long, default_value_t = crate::http::DEFAULT_MAX_REQUESTS, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub http_max_requests: usize,
}

impl ServeArgs {
    /// Checks what the parser cannot check flag by flag.
    pub fn check(&self) -> Result<(), String> {
        let ip = self.listen.ip();
        if !ip.is_loopback() && !self.allow_remote_listen {
            return Err(format!(
                "--listen {} is not a loopback address: anyone who can reach it could load the UI and try tokens, and with the token send mail from this machine and read the sandbox's messages. Listen on 127.0.0.1 (the default), or add --allow-remote-listen if you mean to expose it on a network you trust",
                self.listen
            ));
        }
        Ok(())
    }
}

/// A count flag from 1 to `max`.
fn count(max: u64) -> clap::builder::RangedU64ValueParser<usize> {
    bytes(1, max)
}

/// A size flag from `min` to `max`.
fn bytes(min: u64, max: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(min..=max)
}

/// A timeout flag in seconds, from 1 to [`MAX_TIMEOUT_SECS`].
fn secs() -> clap::builder::RangedU64ValueParser<u64> {
    clap::builder::RangedU64ValueParser::<u64>::new().range(1..=MAX_TIMEOUT_SECS)
}

/// Options of `mailscope mx`.
#[derive(Debug, Clone, Args)]
pub struct MxArgs {
    /// The domain.
    pub domain: String,
    /// DNS server to use instead of the system's.
    #[arg(long, value_name = "ADDR", value_parser = crate::dns::parse_server)]
    pub dns: Option<SocketAddr>,
    /// Print JSON (`"version": 1`) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Parses `HOST:PORT` (IPv6 in brackets).
pub fn parse_host_port(s: &str) -> Result<(String, u16), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not HOST:PORT"))?;
    let port = port
        .parse::<u16>()
        .map_err(|_| format!("{s:?}: {port:?} is not a port number"))?;
    let bracketed = host.starts_with('[') && host.ends_with(']');
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty()
        || host.contains(':') && (!bracketed || host.parse::<std::net::Ipv6Addr>().is_err())
    {
        return Err(format!(
            "{s:?} is not HOST:PORT (write IPv6 addresses in brackets: [::1]:2525)"
        ));
    }
    Ok((host.to_string(), port))
}

/// Parses an `--allow-origin` value: `SCHEME://HOST[:PORT]` as browsers send it in `Origin`
/// (lowercased, without a trailing slash). `null` is refused: browsers send `Origin: null` for
/// sandboxed frames, `file:` pages, `data:` URLs and some redirects, so allowing it would let any
/// such document use the relay.
pub fn parse_origin(s: &str) -> Result<String, String> {
    let origin = s.trim().trim_end_matches('/').to_ascii_lowercase();
    if origin == "null" {
        return Err("\"null\" cannot be allowed: browsers send Origin: null for sandboxed iframes, file: pages and data: URLs, so any of them could use the relay. Serve the page over http(s) and allow that origin, e.g. --allow-origin http://localhost:8080".into());
    }
    let (scheme, authority) = origin.split_once("://").ok_or_else(|| {
        format!("{s:?} is not an origin: write SCHEME://HOST[:PORT], e.g. http://localhost:8080")
    })?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let authority_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_graphic() && !"/?#@*,\\".contains(c));
    if !scheme_ok || !authority_ok {
        return Err(format!(
            "{s:?} is not an origin: write SCHEME://HOST[:PORT] with no path, e.g. http://localhost:8080 (origins are matched exactly; there are no wildcards)"
        ));
    }
    Ok(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port() {
        for (input, want) in [
            ("127.0.0.1:2525", Some(("127.0.0.1", 2525))),
            ("[::1]:25", Some(("::1", 25))),
            ("mail.test:587", Some(("mail.test", 587))),
            ("mail.test", None),
            (":25", None),
            ("::1:25", None),
            ("host:99999", None),
        ] {
            let got = parse_host_port(input).ok();
            let got = got.as_ref().map(|(h, p)| (h.as_str(), *p));
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn remote_listen_needs_acknowledgement() {
        let parse = |extra: &[&str]| {
            let argv = ["mailscope", "serve"].iter().chain(extra);
            match Cli::try_parse_from(argv).unwrap().command {
                Command::Serve(args) => args,
                other => panic!("not serve: {other:?}"),
            }
        };
        let err = parse(&["--listen", "0.0.0.0:8025"]).check().unwrap_err();
        assert!(err.contains("--allow-remote-listen"), "{err}");
        for ok in [
            &["--listen", "0.0.0.0:8025", "--allow-remote-listen"][..],
            &[],
            &["--listen", "[::1]:8025"],
            &["--listen", "127.0.0.2:8025"],
        ] {
            assert_eq!(parse(ok).check(), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn origins() {
        for (input, want) in [
            ("http://localhost:8080", Some("http://localhost:8080")),
            ("HTTP://LocalHost:8080/", Some("http://localhost:8080")),
            ("https://[::1]:8443", Some("https://[::1]:8443")),
            ("null", None),
            ("NULL", None),
            ("*", None),
            ("localhost:8080", None),
            ("http://", None),
            ("http://a.test/path", None),
            ("http://*.test", None),
            ("http://user@a.test", None),
        ] {
            assert_eq!(parse_origin(input).ok().as_deref(), want, "{input:?}");
        }
    }
}
