//! SMTP commands ([RFC 5321 §4.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1)): parse
//! leniently with spans, build strictly.
//!
//! [`parse_command`] reads one command line from the front of a buffer and returns a typed
//! [`Command`] borrowing from the input, the byte spans of its parts, and lints for everything a
//! strict server would reject (a space after `MAIL FROM:`, a path without angle brackets, a bad
//! mailbox, an unknown verb, an over-long line, …). It is total: any input yields a command,
//! `Ok(None)` (no line end yet) or a [`CommandError`], and it never panics. It looks at no more
//! than [`MAX_COMMAND_LINE_HARD`] bytes and keeps at most [`MAX_PARAMS`] parameters.
//!
//! [`Command::write`] is the strict direction: it only ever produces bytes that
//! [`parse_command`] reads back without a lint. CR, LF or NUL inside any value is a
//! [`BuildError`], never silently stripped.
//!
//! The pieces: `parse` reads the line ([`parse_command`]) and dispatches on the verb, `path`
//! reads and checks reverse- and forward-paths, `params` models and reads the ESMTP parameters
//! of MAIL and RCPT, and `write` builds the strict wire form.

mod params;
mod parse;
mod path;
#[cfg(test)]
mod tests;
mod write;

use crate::lint::{msg, Message};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::span::Span;
pub use params::{Body, MailParams, Notify, Param, RcptParams, Ret};
pub use parse::{parse_command, KNOWN_UNMODELLED};
pub use path::Path;
pub use write::BuildError;

/// RFC 5321 §4.5.3.1.4: longest command line a server must accept, CRLF included. Longer lines
/// get an `smtp.line-too-long` lint (except AUTH, see [`MAX_AUTH_LINE`]).
pub const MAX_COMMAND_LINE: usize = 512;
/// RFC 4954 §4 considers 12288 octets a sufficient line length for AUTH commands and responses
/// (clients and servers must handle what their mechanisms generate).
pub const MAX_AUTH_LINE: usize = 12288;
/// Longest line [`parse_command`] reads at all; beyond it, without a line end, it returns
/// [`CommandError::LineTooLong`]. Equal to [`MAX_AUTH_LINE`] so that every legal command fits.
pub const MAX_COMMAND_LINE_HARD: usize = MAX_AUTH_LINE;
/// Most ESMTP parameters kept on one MAIL or RCPT command; further ones are dropped with an
/// `smtp.param-invalid` lint. RFC 5321 sets no number; a few are used in practice.
pub const MAX_PARAMS: usize = 32;
/// RFC 5321 §4.5.3.1.1: longest local part.
pub const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: longest domain.
pub const MAX_DOMAIN: usize = 255;
/// RFC 5321 §4.5.3.1.3: longest path, angle brackets included.
pub const MAX_PATH: usize = 256;

/// One SMTP command (RFC 5321 §4.1.1 and the extensions that add verbs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verb")]
pub enum Command<'a> {
    /// `HELO domain` (RFC 5321 §4.1.1.1).
    #[serde(rename = "HELO")]
    Helo {
        /// The client's domain or address literal.
        domain: Cow<'a, str>,
    },
    /// `EHLO domain` (RFC 5321 §4.1.1.1).
    #[serde(rename = "EHLO")]
    Ehlo {
        /// The client's domain or address literal.
        domain: Cow<'a, str>,
    },
    /// `MAIL FROM:<reverse-path> [params]` (RFC 5321 §4.1.1.2).
    #[serde(rename = "MAIL")]
    Mail {
        /// The reverse-path; `<>` for bounces.
        from: Path<'a>,
        /// ESMTP parameters.
        params: MailParams<'a>,
    },
    /// `RCPT TO:<forward-path> [params]` (RFC 5321 §4.1.1.3).
    #[serde(rename = "RCPT")]
    Rcpt {
        /// The forward-path.
        to: Path<'a>,
        /// ESMTP parameters.
        params: RcptParams<'a>,
    },
    /// `DATA` (RFC 5321 §4.1.1.4).
    #[serde(rename = "DATA")]
    Data,
    /// `BDAT size [LAST]` (CHUNKING, RFC 3030 §2).
    #[serde(rename = "BDAT")]
    Bdat {
        /// Octets in the chunk that follows the command line.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    #[serde(rename = "RSET")]
    Rset,
    /// `NOOP [string]` (RFC 5321 §4.1.1.9).
    #[serde(rename = "NOOP")]
    Noop {
        /// An ignored argument.
        arg: Option<Cow<'a, str>>,
    },
    /// `VRFY string` (RFC 5321 §4.1.1.6).
    #[serde(rename = "VRFY")]
    Vrfy {
        /// The user or mailbox to verify.
        arg: Cow<'a, str>,
    },
    /// `EXPN string` (RFC 5321 §4.1.1.7).
    #[serde(rename = "EXPN")]
    Expn {
        /// The mailing list to expand.
        arg: Cow<'a, str>,
    },
    /// `HELP [string]` (RFC 5321 §4.1.1.8).
    #[serde(rename = "HELP")]
    Help {
        /// The topic asked about.
        topic: Option<Cow<'a, str>>,
    },
    /// `QUIT` (RFC 5321 §4.1.1.10).
    #[serde(rename = "QUIT")]
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    #[serde(rename = "STARTTLS")]
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    #[serde(rename = "AUTH")]
    Auth {
        /// The SASL mechanism, such as `PLAIN`.
        mechanism: Cow<'a, str>,
        /// The base64 initial response as written; `=` stands for an empty one.
        initial_response: Option<Cow<'a, str>>,
    },
    /// A verb this parser does not know, or a known verb whose arguments could not be read
    /// (the lints say which).
    #[serde(rename = "unknown")]
    Unknown {
        /// The verb as written.
        name: Cow<'a, str>,
        /// Everything after the verb and its space, without the line ending.
        args: Cow<'a, str>,
    },
}

impl<'a> Command<'a> {
    /// `HELO domain`.
    pub fn helo(domain: impl Into<Cow<'a, str>>) -> Self {
        Command::Helo {
            domain: domain.into(),
        }
    }

    /// `EHLO domain`.
    pub fn ehlo(domain: impl Into<Cow<'a, str>>) -> Self {
        Command::Ehlo {
            domain: domain.into(),
        }
    }

    /// `MAIL FROM:<mailbox>` without parameters; an empty mailbox gives `<>`.
    pub fn mail_from(mailbox: impl Into<Cow<'a, str>>) -> Self {
        Command::Mail {
            from: Path::new(mailbox),
            params: MailParams::default(),
        }
    }

    /// `RCPT TO:<mailbox>` without parameters.
    pub fn rcpt_to(mailbox: impl Into<Cow<'a, str>>) -> Self {
        Command::Rcpt {
            to: Path::new(mailbox),
            params: RcptParams::default(),
        }
    }

    /// `BDAT size [LAST]`.
    pub fn bdat(size: u64, last: bool) -> Self {
        Command::Bdat { size, last }
    }

    /// `AUTH mechanism [initial-response]`.
    pub fn auth(
        mechanism: impl Into<Cow<'a, str>>,
        initial_response: Option<Cow<'a, str>>,
    ) -> Self {
        Command::Auth {
            mechanism: mechanism.into(),
            initial_response,
        }
    }

    /// `VRFY arg`.
    pub fn vrfy(arg: impl Into<Cow<'a, str>>) -> Self {
        Command::Vrfy { arg: arg.into() }
    }

    /// `EXPN arg`.
    pub fn expn(arg: impl Into<Cow<'a, str>>) -> Self {
        Command::Expn { arg: arg.into() }
    }

    /// The verb in upper case (for [`Command::Unknown`], as written).
    pub fn verb(&self) -> &str {
        match self {
            Command::Helo { .. } => "HELO",
            Command::Ehlo { .. } => "EHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Noop { .. } => "NOOP",
            Command::Vrfy { .. } => "VRFY",
            Command::Expn { .. } => "EXPN",
            Command::Help { .. } => "HELP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Unknown { name, .. } => name,
        }
    }

    /// A one-line explanation of what the command asks for, with its RFC section.
    pub fn explain(&self) -> &'static str {
        match self {
            Command::Helo { .. } => "HELO: the client greets the server with its name, without asking for extensions (RFC 5321 §4.1.1.1)",
            Command::Ehlo { .. } => "EHLO: the client greets the server with its name and asks which extensions it offers (RFC 5321 §4.1.1.1)",
            Command::Mail { .. } => "MAIL FROM: starts a mail transaction and gives the reverse-path where bounces go (RFC 5321 §4.1.1.2)",
            Command::Rcpt { .. } => "RCPT TO: names one recipient of the message (RFC 5321 §4.1.1.3)",
            Command::Data => "DATA: asks to send the message content, ended by a line holding only '.' (RFC 5321 §4.1.1.4)",
            Command::Bdat { .. } => "BDAT: sends a chunk of the message of exactly the given size, no dot-stuffing (RFC 3030 §2)",
            Command::Rset => "RSET: aborts the current mail transaction (RFC 5321 §4.1.1.5)",
            Command::Noop { .. } => "NOOP: does nothing; the server answers 250 (RFC 5321 §4.1.1.9)",
            Command::Vrfy { .. } => "VRFY: asks whether a user or mailbox exists (RFC 5321 §4.1.1.6)",
            Command::Expn { .. } => "EXPN: asks for the members of a mailing list (RFC 5321 §4.1.1.7)",
            Command::Help { .. } => "HELP: asks for help text (RFC 5321 §4.1.1.8)",
            Command::Quit => "QUIT: asks the server to close the connection (RFC 5321 §4.1.1.10)",
            Command::StartTls => "STARTTLS: asks to switch the connection to TLS; all earlier state is forgotten afterwards (RFC 3207 §4, §4.2)",
            Command::Auth { .. } => "AUTH: starts SASL authentication with the named mechanism (RFC 4954 §4)",
            Command::Unknown { .. } => "a command this parser does not recognise or could not read; a server answers 500 or 501 (RFC 5321 §4.2.4)",
        }
    }

    /// The same command, owning its data.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Command::Helo { domain } => Command::Helo {
                domain: owned(domain),
            },
            Command::Ehlo { domain } => Command::Ehlo {
                domain: owned(domain),
            },
            Command::Mail { from, params } => Command::Mail {
                from: from.into_owned(),
                params: params.into_owned(),
            },
            Command::Rcpt { to, params } => Command::Rcpt {
                to: to.into_owned(),
                params: params.into_owned(),
            },
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Noop { arg } => Command::Noop {
                arg: arg.map(owned),
            },
            Command::Vrfy { arg } => Command::Vrfy { arg: owned(arg) },
            Command::Expn { arg } => Command::Expn { arg: owned(arg) },
            Command::Help { topic } => Command::Help {
                topic: topic.map(owned),
            },
            Command::Quit => Command::Quit,
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: owned(mechanism),
                initial_response: initial_response.map(owned),
            },
            Command::Unknown { name, args } => Command::Unknown {
                name: owned(name),
                args: owned(args),
            },
        }
    }
}

fn owned(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

/// Why bytes could not be read as a command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CommandError {
    /// No line end within [`MAX_COMMAND_LINE_HARD`] bytes.
    LineTooLong {
        /// The limit that was reached.
        limit: usize,
    },
}

impl CommandError {
    /// What is wrong, as a message that can be translated ([`crate::i18n::message`]).
    pub fn message(&self) -> Message {
        match self {
            CommandError::LineTooLong { limit } => msg!(
                "no line end within {limit} bytes; expected a command line ending in CRLF",
                limit
            ),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for CommandError {}

/// A command read from input, with the spans of its parts and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedCommand<'a> {
    /// The typed command.
    pub command: Command<'a>,
    /// The whole line, line ending included.
    pub line: Span,
    /// The verb.
    pub verb: Span,
    /// Everything after the verb's separating space(s), without the line ending (empty at the
    /// end of the verb if there are no arguments).
    pub arguments: Span,
    /// MAIL/RCPT: the path, angle brackets included when present.
    pub path: Option<Span>,
    /// MAIL/RCPT: each ESMTP parameter, in order.
    pub params: Vec<Span>,
    /// Defects tolerated while reading it.
    pub lints: Vec<Lint>,
}

impl<'a> ParsedCommand<'a> {
    /// The same parsed command, owning its data.
    pub fn into_owned(self) -> ParsedCommand<'static> {
        ParsedCommand {
            command: self.command.into_owned(),
            line: self.line,
            verb: self.verb,
            arguments: self.arguments,
            path: self.path,
            params: self.params,
            lints: self.lints,
        }
    }
}
