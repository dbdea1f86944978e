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
    Serve(ServeArgs),
    /// Show a message's MIME tree, decoded headers, parts and findings.
    Inspect(crate::cmd::inspect::InspectArgs),
    /// Annotate an SMTP dialogue (S:/C: transcript, swaks output or raw capture).
    Transcript(crate::cmd::transcript::TranscriptArgs),
    /// Decode or encode RFC 2047 encoded-words.
    Header(crate::cmd::header::HeaderArgs),
}

/// Options of `mailscope serve`.
#[derive(Debug, Args)]
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
}
