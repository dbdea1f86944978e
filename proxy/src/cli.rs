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
    Send(Box<crate::send::SendArgs>),
    /// Look up the mail exchangers of a domain (MX by preference, with addresses).
    Mx(MxArgs),
    /// Show a message's MIME tree, decoded headers, parts and findings.
    Inspect(crate::cmd::inspect::InspectArgs),
    /// Annotate an SMTP dialogue (S:/C: transcript, swaks output or raw capture); AUTH secrets
    /// are masked unless `--show-secrets` is given.
    Transcript(crate::cmd::transcript::TranscriptArgs),
    /// Decode or encode RFC 2047 encoded-words.
    Header(crate::cmd::header::HeaderArgs),
}

/// Options of `mailscope serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback exposes the relay to the network.
    #[arg(long, default_value = "127.0.0.1:8025")]
    pub listen: SocketAddr,
    /// Directory holding the built UI (Trunk's dist/).
    #[arg(long, env = "MAILSCOPE_UI", default_value = "dist")]
    pub ui: PathBuf,
    /// Relay token; without it a random one is made for this run.
    #[arg(long, env = "MAILSCOPE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Another page origin allowed to open the relay, e.g. http://localhost:8080 (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// A destination the relay may reach whatever its port or address (repeatable).
    #[arg(long = "allow-target", value_name = "HOST:PORT", value_parser = parse_host_port)]
    pub allow_target: Vec<(String, u16)>,
    /// Another destination port allowed besides 25, 465 and 587 (repeatable).
    #[arg(long = "allow-port", value_name = "PORT")]
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
    #[arg(long, default_value_t = 25, value_name = "PORT")]
    pub mx_port: u16,
    /// Relay sessions open at once, in total.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_sessions: usize,
    /// Relay sessions open at once with the same token.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_sessions_per_token: usize,
    /// Connects per minute, over all sessions.
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub connects_per_minute: usize,
    /// Seconds allowed for a TCP connect.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub connect_timeout: u64,
    /// Seconds allowed for a TLS handshake.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub handshake_timeout: u64,
    /// Seconds without traffic before a relay connection is ended.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
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
    #[arg(long, default_value_t = crate::sandbox::DEFAULT_MAX_BYTES, value_name = "BYTES")]
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
    /// Largest WebSocket frame in bytes; larger ones close the socket with 1009.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_frame: usize,
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
}
