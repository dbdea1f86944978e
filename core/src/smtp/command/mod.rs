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

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

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

/// A reverse-path (MAIL) or forward-path (RCPT), RFC 5321 §4.1.2.
///
/// The empty mailbox is the null reverse-path `<>` used for bounces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Path<'a> {
    /// An obsolete source route such as `@a.example,@b.example` (RFC 5321 §4.1.2, Appendix C),
    /// without the trailing colon. Servers must accept and ignore it.
    pub source_route: Option<Cow<'a, str>>,
    /// The mailbox `local@domain` as written (quoted local parts keep their quotes); empty for
    /// the null path `<>`.
    pub mailbox: Cow<'a, str>,
}

impl<'a> Path<'a> {
    /// A path to `mailbox` (`local@domain`).
    pub fn new(mailbox: impl Into<Cow<'a, str>>) -> Self {
        Path {
            source_route: None,
            mailbox: mailbox.into(),
        }
    }

    /// The null reverse-path `<>` (RFC 5321 §4.5.5).
    pub fn null() -> Self {
        Path::new("")
    }

    /// Whether this is the null path `<>`.
    pub fn is_null(&self) -> bool {
        self.mailbox.is_empty()
    }

    /// The part before the last `@` outside quotes (the whole mailbox if there is none).
    pub fn local_part(&self) -> &str {
        match split_mailbox(self.mailbox.as_bytes()) {
            Some(at) => self.mailbox.get(..at).unwrap_or_default(),
            None => &self.mailbox,
        }
    }

    /// The part after the last `@` outside quotes, if any.
    pub fn domain(&self) -> Option<&str> {
        split_mailbox(self.mailbox.as_bytes()).and_then(|at| self.mailbox.get(at + 1..))
    }

    /// Whether the mailbox contains non-ASCII characters (needs SMTPUTF8, RFC 6531 §3.4).
    pub fn is_utf8(&self) -> bool {
        !self.mailbox.is_ascii()
    }

    /// The same path, owning its data.
    pub fn into_owned(self) -> Path<'static> {
        Path {
            source_route: self.source_route.map(owned),
            mailbox: owned(self.mailbox),
        }
    }
}

/// The BODY parameter of MAIL: RFC 6152 (8BITMIME) and RFC 3030 (BINARYMIME).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Body {
    /// `BODY=7BIT`: 7-bit US-ASCII content (RFC 6152 §2).
    #[serde(rename = "7BIT")]
    SevenBit,
    /// `BODY=8BITMIME`: 8-bit MIME content in lines (RFC 6152 §2).
    #[serde(rename = "8BITMIME")]
    EightBitMime,
    /// `BODY=BINARYMIME`: binary MIME content, sent with BDAT (RFC 3030 §3).
    #[serde(rename = "BINARYMIME")]
    BinaryMime,
}

impl Body {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

/// The RET parameter of MAIL (DSN, RFC 3461 §4.3): what a failure report returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    #[serde(rename = "FULL")]
    Full,
    /// `RET=HDRS`: only the headers.
    #[serde(rename = "HDRS")]
    Hdrs,
}

impl Ret {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

/// One value of the NOTIFY parameter of RCPT (DSN, RFC 3461 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notify {
    /// `NEVER`: no notification at all; must stand alone.
    #[serde(rename = "NEVER")]
    Never,
    /// `SUCCESS`: report successful delivery.
    #[serde(rename = "SUCCESS")]
    Success,
    /// `FAILURE`: report failed delivery.
    #[serde(rename = "FAILURE")]
    Failure,
    /// `DELAY`: report delayed delivery.
    #[serde(rename = "DELAY")]
    Delay,
}

impl Notify {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Notify::Never => "NEVER",
            Notify::Success => "SUCCESS",
            Notify::Failure => "FAILURE",
            Notify::Delay => "DELAY",
        }
    }
}

/// An ESMTP parameter `keyword[=value]` that has no typed field (RFC 5321 §4.1.2 esmtp-param).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param<'a> {
    /// The keyword as written.
    pub keyword: Cow<'a, str>,
    /// The value after `=`, if any.
    pub value: Option<Cow<'a, str>>,
}

impl<'a> Param<'a> {
    /// The same parameter, owning its data.
    pub fn into_owned(self) -> Param<'static> {
        Param {
            keyword: owned(self.keyword),
            value: self.value.map(owned),
        }
    }
}

/// The parameters of MAIL FROM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailParams<'a> {
    /// `SIZE=n`: declared message size in octets (RFC 1870 §6; the size is defined in §5).
    pub size: Option<u64>,
    /// `BODY=`: content type of the message (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8`: the transaction uses UTF-8 addresses and headers (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// `RET=`: what a DSN returns (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=`: envelope identifier, xtext (RFC 3461 §4.4).
    pub envid: Option<Cow<'a, str>>,
    /// `AUTH=`: the authenticated originator, xtext mailbox or `<>` (RFC 4954 §5).
    pub auth: Option<Cow<'a, str>>,
    /// Other parameters, kept in order (also known ones whose value was invalid).
    pub other: Vec<Param<'a>>,
}

impl<'a> MailParams<'a> {
    /// The same parameters, owning their data.
    pub fn into_owned(self) -> MailParams<'static> {
        MailParams {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(owned),
            auth: self.auth.map(owned),
            other: self.other.into_iter().map(Param::into_owned).collect(),
        }
    }
}

/// The parameters of RCPT TO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcptParams<'a> {
    /// `NOTIFY=`: when to send a DSN (RFC 3461 §4.1).
    pub notify: Option<Vec<Notify>>,
    /// `ORCPT=`: original recipient, `addr-type;xtext` (RFC 3461 §4.2).
    pub orcpt: Option<Cow<'a, str>>,
    /// Other parameters, kept in order (also known ones whose value was invalid).
    pub other: Vec<Param<'a>>,
}

impl<'a> RcptParams<'a> {
    /// The same parameters, owning their data.
    pub fn into_owned(self) -> RcptParams<'static> {
        RcptParams {
            notify: self.notify,
            orcpt: self.orcpt.map(owned),
            other: self.other.into_iter().map(Param::into_owned).collect(),
        }
    }
}

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

    /// Appends the command's wire form, CRLF included, to `out`.
    ///
    /// Only valid bytes are written: every value is checked (no CR, LF or NUL anywhere; domains,
    /// mailboxes, parameters and mechanisms must match their RFC 5321 §4.1.2 / RFC 4954 syntax;
    /// the line must fit [`MAX_COMMAND_LINE`], or [`MAX_AUTH_LINE`] for AUTH). On error nothing
    /// is appended.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let mut line = String::new();
        match self {
            Command::Helo { domain } | Command::Ehlo { domain } => {
                check_forbidden("domain", domain)?;
                if let Some(reason) = check_domain_or_literal(domain.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "domain",
                        reason,
                    });
                }
                line.push_str(self.verb());
                line.push(' ');
                line.push_str(domain);
            }
            Command::Mail { from, params } => {
                line.push_str("MAIL FROM:");
                write_path(&mut line, from, true, params.smtputf8)?;
                if let Some(size) = params.size {
                    line.push_str(&format!(" SIZE={size}"));
                }
                if let Some(body) = params.body {
                    line.push_str(" BODY=");
                    line.push_str(body.as_str());
                }
                if params.smtputf8 {
                    line.push_str(" SMTPUTF8");
                }
                if let Some(ret) = params.ret {
                    line.push_str(" RET=");
                    line.push_str(ret.as_str());
                }
                if let Some(envid) = &params.envid {
                    write_param_value(&mut line, "ENVID", envid)?;
                }
                if let Some(auth) = &params.auth {
                    write_param_value(&mut line, "AUTH", auth)?;
                }
                write_other(&mut line, &params.other)?;
            }
            Command::Rcpt { to, params } => {
                line.push_str("RCPT TO:");
                write_path(&mut line, to, false, true)?;
                if let Some(notify) = &params.notify {
                    if notify.is_empty() || (notify.contains(&Notify::Never) && notify.len() > 1) {
                        return Err(BuildError::Invalid {
                            field: "NOTIFY",
                            reason: "NOTIFY needs NEVER alone or a list of SUCCESS, FAILURE, DELAY"
                                .into(),
                        });
                    }
                    let list: Vec<&str> = notify.iter().map(|n| n.as_str()).collect();
                    line.push_str(" NOTIFY=");
                    line.push_str(&list.join(","));
                }
                if let Some(orcpt) = &params.orcpt {
                    write_param_value(&mut line, "ORCPT", orcpt)?;
                }
                write_other(&mut line, &params.other)?;
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {
                line.push_str(self.verb())
            }
            Command::Bdat { size, last } => {
                line.push_str(&format!("BDAT {size}"));
                if *last {
                    line.push_str(" LAST");
                }
            }
            Command::Noop { arg: None } | Command::Help { topic: None } => {
                line.push_str(self.verb())
            }
            Command::Noop { arg: Some(arg) }
            | Command::Help { topic: Some(arg) }
            | Command::Vrfy { arg }
            | Command::Expn { arg } => {
                check_forbidden("argument", arg)?;
                if arg.is_empty() || arg.starts_with(' ') || arg.ends_with(' ') {
                    return Err(BuildError::Invalid {
                        field: "argument",
                        reason: "the argument must be non-empty without leading or trailing spaces"
                            .into(),
                    });
                }
                line.push_str(self.verb());
                line.push(' ');
                line.push_str(arg);
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                check_forbidden("mechanism", mechanism)?;
                if !is_sasl_mech(mechanism.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "mechanism",
                        reason: "a SASL mechanism is 1-20 of A-Z, 0-9, '-' and '_' (RFC 4422 §3.1)"
                            .into(),
                    });
                }
                line.push_str("AUTH ");
                line.push_str(mechanism);
                if let Some(ir) = initial_response {
                    check_forbidden("initial response", ir)?;
                    if !is_base64_or_eq(ir.as_bytes()) {
                        return Err(BuildError::Invalid {
                            field: "initial response",
                            reason: "the initial response must be base64 or '=' (RFC 4954 §4)"
                                .into(),
                        });
                    }
                    line.push(' ');
                    line.push_str(ir);
                }
            }
            Command::Unknown { name, args } => {
                check_forbidden("verb", name)?;
                check_forbidden("arguments", args)?;
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(BuildError::Invalid {
                        field: "verb",
                        reason: "a verb is one or more ASCII letters or digits".into(),
                    });
                }
                line.push_str(name);
                if !args.is_empty() {
                    line.push(' ');
                    line.push_str(args);
                }
            }
        }
        line.push_str("\r\n");
        let limit = if matches!(self, Command::Auth { .. }) {
            MAX_AUTH_LINE
        } else {
            MAX_COMMAND_LINE
        };
        if line.len() > limit {
            return Err(BuildError::TooLong {
                limit,
                found: line.len(),
            });
        }
        out.extend_from_slice(line.as_bytes());
        Ok(())
    }

    /// The wire form as a new vector (see [`Command::write`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}

fn owned(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

fn write_path(
    line: &mut String,
    path: &Path<'_>,
    null_ok: bool,
    utf8_ok: bool,
) -> Result<(), BuildError> {
    check_forbidden("mailbox", &path.mailbox)?;
    line.push('<');
    if let Some(route) = &path.source_route {
        check_forbidden("source route", route)?;
        if !is_source_route(route.as_bytes()) {
            return Err(BuildError::Invalid {
                field: "source route",
                reason: "a source route is '@domain' items joined by ','".into(),
            });
        }
        line.push_str(route);
        line.push(':');
    }
    if path.is_null() {
        if !null_ok || path.source_route.is_some() {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason: "only MAIL FROM takes the null path <>".into(),
            });
        }
    } else if null_ok || !path.mailbox.eq_ignore_ascii_case("postmaster") {
        if let Some(reason) = check_mailbox(path.mailbox.as_bytes())
            .or_else(|| oversized_path(path.mailbox.as_bytes()))
        {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason,
            });
        }
        if !utf8_ok && !path.mailbox.is_ascii() {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason: "a non-ASCII mailbox needs the SMTPUTF8 parameter (RFC 6531 §3.4)".into(),
            });
        }
    }
    line.push_str(&path.mailbox);
    line.push('>');
    Ok(())
}

fn write_param_value(
    line: &mut String,
    keyword: &'static str,
    value: &str,
) -> Result<(), BuildError> {
    check_forbidden(keyword, value)?;
    if !is_esmtp_value(value.as_bytes()) {
        return Err(BuildError::Invalid {
            field: keyword,
            reason: "a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)".into(),
        });
    }
    line.push(' ');
    line.push_str(keyword);
    line.push('=');
    line.push_str(value);
    Ok(())
}

fn write_other(line: &mut String, other: &[Param<'_>]) -> Result<(), BuildError> {
    if other.len() > MAX_PARAMS {
        return Err(BuildError::Invalid {
            field: "parameters",
            reason: format!("more than {MAX_PARAMS} parameters"),
        });
    }
    for p in other {
        check_forbidden("parameter keyword", &p.keyword)?;
        if !is_esmtp_keyword(p.keyword.as_bytes()) {
            return Err(BuildError::Invalid {
                field: "parameter keyword",
                reason: "a parameter keyword is a letter or digit followed by letters, digits or '-' (RFC 5321 §4.1.2)".into(),
            });
        }
        match &p.value {
            Some(v) => {
                check_forbidden("parameter value", v)?;
                if !is_esmtp_value(v.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "parameter value",
                        reason: "a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)".into(),
                    });
                }
                line.push(' ');
                line.push_str(&p.keyword);
                line.push('=');
                line.push_str(v);
            }
            None => {
                line.push(' ');
                line.push_str(&p.keyword);
            }
        }
    }
    Ok(())
}

fn check_forbidden(field: &'static str, value: &str) -> Result<(), BuildError> {
    match value.bytes().find(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(byte) => Err(BuildError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// Why a command could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BuildError {
    /// A value contains CR, LF or NUL, which would end or corrupt the command line.
    ForbiddenByte {
        /// Which value.
        field: &'static str,
        /// The byte found.
        byte: u8,
    },
    /// A value does not match its syntax.
    Invalid {
        /// Which value.
        field: &'static str,
        /// What the syntax requires.
        reason: String,
    },
    /// The command line would exceed the limit.
    TooLong {
        /// The limit in octets, CRLF included.
        limit: usize,
        /// The length the line would have.
        found: usize,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::ForbiddenByte { field, byte } => {
                write!(f, "{field} contains the forbidden byte 0x{byte:02x} (CR, LF and NUL cannot appear in a command)")
            }
            BuildError::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
            BuildError::TooLong { limit, found } => {
                write!(
                    f,
                    "command line would be {found} octets; the limit is {limit}"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {}

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

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::LineTooLong { limit } => {
                write!(
                    f,
                    "no line end within {limit} bytes; expected a command line ending in CRLF"
                )
            }
        }
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

/// Reads one command line from the front of `input`.
///
/// Returns `Ok(Some((parsed, consumed)))` once a line end has arrived, `Ok(None)` while it has
/// not, and [`CommandError::LineTooLong`] when no LF appears within [`MAX_COMMAND_LINE_HARD`]
/// bytes. A line ended by LF alone is read with an `smtp.bare-lf` lint. Verbs are matched
/// case-insensitively (RFC 5321 §2.4). Everything a strict server would reject (RFC 5321 §4.1)
/// is read as well as it can be and reported as a lint; spans are offsets into `input`.
pub fn parse_command(input: &[u8]) -> Result<Option<(ParsedCommand<'_>, usize)>, CommandError> {
    let window = input.get(..MAX_COMMAND_LINE_HARD).unwrap_or(input);
    let Some(nl) = window.iter().position(|&b| b == b'\n') else {
        if window.len() >= MAX_COMMAND_LINE_HARD {
            return Err(CommandError::LineTooLong {
                limit: MAX_COMMAND_LINE_HARD,
            });
        }
        return Ok(None);
    };
    let consumed = nl + 1;
    let mut lints = Vec::new();
    let mut content_end = nl;
    if nl > 0 && window.get(nl - 1) == Some(&b'\r') {
        content_end = nl - 1;
    } else {
        lints.push(lints::BARE_LF.at(
            Span::new(nl, consumed),
            "command line ends in a bare LF; clients must send CRLF",
        ));
    }
    let content = window.get(..content_end).unwrap_or_default();
    let line = Span::new(0, consumed);
    let mut p = Parser {
        input: content,
        lints,
    };
    let parsed = p.command(line);
    let mut parsed = parsed;
    let is_auth = matches!(parsed.command, Command::Auth { .. });
    let limit = if is_auth {
        MAX_AUTH_LINE
    } else {
        MAX_COMMAND_LINE
    };
    if consumed > limit {
        p.lints.push(lints::LINE_TOO_LONG.at(
            line,
            format!("command line is {consumed} octets; RFC 5321 allows {limit} including CRLF"),
        ));
    }
    parsed.lints = p.lints;
    Ok(Some((parsed, consumed)))
}

/// Verbs of real extensions and of RFC 821 that are kept as [`Command::Unknown`] without an
/// `smtp.unknown-command` lint: ETRN (RFC 1985), ATRN (RFC 2645), LHLO (LMTP, RFC 2033), TURN,
/// SEND, SOML, SAML (RFC 821, obsolete), XCLIENT and XFORWARD (Postfix).
pub const KNOWN_UNMODELLED: &[&[u8]] = &[
    b"ETRN",
    b"ATRN",
    b"LHLO",
    b"TURN",
    b"SEND",
    b"SOML",
    b"SAML",
    b"XCLIENT",
    b"XFORWARD",
];

struct Parser<'a> {
    input: &'a [u8],
    lints: Vec<Lint>,
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn find(bytes: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| pred(b)))
        .map(|i| i + from)
}

impl<'a> Parser<'a> {
    fn slice(&self, span: Span) -> &'a [u8] {
        span.slice(self.input)
    }

    fn syntax(&mut self, span: Span, message: impl Into<String>) {
        self.lints.push(lints::SYNTAX_INVALID.at(span, message));
    }

    fn command(&mut self, line: Span) -> ParsedCommand<'a> {
        let input = self.input;
        if let Some(i) = find(input, 0, |b| b == 0 || b == b'\r') {
            let what = if input.get(i) == Some(&0) {
                "a NUL byte"
            } else {
                "a bare CR"
            };
            self.syntax(
                Span::new(i, i + 1),
                format!("command line contains {what}; servers reject or misread it"),
            );
        }
        let verb_end = find(input, 0, |b| b == b' ').unwrap_or(input.len());
        let verb = Span::new(0, verb_end);
        let mut args_start = verb_end;
        while input.get(args_start) == Some(&b' ') {
            args_start += 1;
        }
        if args_start > verb_end + 1 {
            self.syntax(
                Span::new(verb_end, args_start),
                "more than one space after the verb; RFC 5321 §4.1.1 has exactly one",
            );
        }
        let arguments = Span::new(args_start.min(input.len()), input.len());
        if args_start == input.len() && args_start > verb_end {
            self.syntax(
                Span::new(verb_end, args_start),
                "trailing space after the verb",
            );
        }
        let verb_bytes = self.slice(verb);
        let args = self.slice(arguments);
        let upper: Vec<u8> = verb_bytes.to_ascii_uppercase();
        let mut out = ParsedCommand {
            command: Command::Data,
            line,
            verb,
            arguments,
            path: None,
            params: Vec::new(),
            lints: Vec::new(),
        };
        let no_args = |p: &mut Self, cmd: Command<'a>| {
            if !args.is_empty() {
                p.syntax(
                    arguments,
                    format!("{} takes no arguments", String::from_utf8_lossy(&upper)),
                );
            }
            cmd
        };
        let unknown = Command::Unknown {
            name: text(verb_bytes),
            args: text(args),
        };
        out.command = match upper.as_slice() {
            b"HELO" | b"EHLO" => {
                if args.is_empty() {
                    self.syntax(
                        verb,
                        "HELO and EHLO need the client's domain or address literal",
                    );
                    unknown
                } else {
                    if let Some(reason) = check_domain_or_literal(args) {
                        self.syntax(arguments, format!("invalid client name: {reason}"));
                    }
                    let domain = text(args);
                    if upper == b"HELO" {
                        Command::Helo { domain }
                    } else {
                        Command::Ehlo { domain }
                    }
                }
            }
            b"MAIL" => match self.path_command(arguments, b"FROM", true, &mut out) {
                Some((from, raw)) => {
                    let params = self.mail_params(&raw, &from, out.path.unwrap_or_default());
                    Command::Mail { from, params }
                }
                None => unknown,
            },
            b"RCPT" => match self.path_command(arguments, b"TO", false, &mut out) {
                Some((to, raw)) => {
                    let params = self.rcpt_params(&raw);
                    Command::Rcpt { to, params }
                }
                None => unknown,
            },
            b"DATA" => no_args(self, Command::Data),
            b"RSET" => no_args(self, Command::Rset),
            b"QUIT" => no_args(self, Command::Quit),
            b"STARTTLS" => no_args(self, Command::StartTls),
            b"NOOP" => Command::Noop {
                arg: (!args.is_empty()).then(|| text(args)),
            },
            b"HELP" => Command::Help {
                topic: (!args.is_empty()).then(|| text(args)),
            },
            b"VRFY" | b"EXPN" => {
                if args.is_empty() {
                    self.syntax(verb, "VRFY and EXPN need an argument");
                    unknown
                } else if upper == b"VRFY" {
                    Command::Vrfy { arg: text(args) }
                } else {
                    Command::Expn { arg: text(args) }
                }
            }
            b"BDAT" => self.bdat(args, arguments).unwrap_or(unknown),
            b"AUTH" => self.auth(args, arguments).unwrap_or(unknown),
            v if KNOWN_UNMODELLED.contains(&v) => unknown,
            _ => {
                if let Some(kind) = super::cross_protocol::non_smtp_line(input) {
                    self.lints.push(lints::HTTP_REQUEST.at(
                        line,
                        format!(
                            "{}, not an SMTP command: a browser or proxy is talking to the SMTP port; Postfix (and Mailscope's server) close the session",
                            kind.describe()
                        ),
                    ));
                } else {
                    self.lints.push(lints::UNKNOWN_COMMAND.at(
                        verb,
                        format!(
                            "unknown command {:?}; a server answers 500 (RFC 5321 §4.2.4)",
                            String::from_utf8_lossy(&verb_bytes[..verb_bytes.len().min(32)])
                        ),
                    ));
                }
                unknown
            }
        };
        out
    }

    fn bdat(&mut self, args: &'a [u8], arguments: Span) -> Option<Command<'a>> {
        let mut words = args.split(|&b| b == b' ').filter(|w| !w.is_empty());
        let size_word = words.next().unwrap_or_default();
        let size = parse_u64(size_word);
        let last = match words.next() {
            None => false,
            Some(w) if w.eq_ignore_ascii_case(b"LAST") => true,
            Some(_) => {
                self.syntax(
                    arguments,
                    "BDAT takes a size and optionally LAST (RFC 3030 §2)",
                );
                return None;
            }
        };
        if words.next().is_some() {
            self.syntax(
                arguments,
                "BDAT takes a size and optionally LAST (RFC 3030 §2)",
            );
            return None;
        }
        match size {
            Some(size) => Some(Command::Bdat { size, last }),
            None => {
                self.syntax(
                    arguments,
                    "BDAT needs a chunk size in decimal octets (RFC 3030 §2)",
                );
                None
            }
        }
    }

    fn auth(&mut self, args: &'a [u8], arguments: Span) -> Option<Command<'a>> {
        let mech_end = find(args, 0, |b| b == b' ').unwrap_or(args.len());
        let mech = args.get(..mech_end).unwrap_or_default();
        if mech.is_empty() {
            self.syntax(arguments, "AUTH needs a SASL mechanism (RFC 4954 §4)");
            return None;
        }
        let mech_span = Span::new(arguments.start, arguments.start + mech_end);
        if !is_sasl_mech(mech) {
            self.syntax(
                mech_span,
                "a SASL mechanism name is 1-20 of A-Z, 0-9, '-' and '_' (RFC 4422 §3.1)",
            );
        }
        let rest = args.get(mech_end..).unwrap_or_default();
        let ir = rest.strip_prefix(b" ").unwrap_or(rest);
        let initial_response = if rest.is_empty() {
            None
        } else {
            if ir.is_empty() || ir.contains(&b' ') || !is_base64_or_eq(ir) {
                self.syntax(
                    Span::new(mech_span.end, arguments.end),
                    "the initial response must be one base64 word or '=' (RFC 4954 §4)",
                );
            }
            Some(text(ir))
        };
        Some(Command::Auth {
            mechanism: text(mech),
            initial_response,
        })
    }

    /// Reads `FROM:<path> params` / `TO:<path> params`. Returns the path and the raw parameter
    /// words with their spans; spans are recorded in `out`.
    #[allow(clippy::type_complexity)]
    fn path_command(
        &mut self,
        arguments: Span,
        keyword: &[u8],
        is_mail: bool,
        out: &mut ParsedCommand<'a>,
    ) -> Option<(Path<'a>, Vec<(Span, &'a [u8])>)> {
        let input = self.input;
        let args = self.slice(arguments);
        let what = if is_mail { "MAIL FROM:" } else { "RCPT TO:" };
        let has_kw = args
            .get(..keyword.len())
            .is_some_and(|k| k.eq_ignore_ascii_case(keyword));
        if !has_kw {
            self.syntax(
                arguments,
                format!("expected {what}<path> (RFC 5321 §4.1.1)"),
            );
            return None;
        }
        let mut pos = arguments.start + keyword.len();
        let sp_before = pos;
        while input.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if input.get(pos) != Some(&b':') {
            self.syntax(
                arguments,
                format!("expected {what}<path> (RFC 5321 §4.1.1)"),
            );
            return None;
        }
        if pos > sp_before {
            self.syntax(
                Span::new(sp_before, pos),
                format!("space before the colon of {what}"),
            );
        }
        pos += 1;
        let colon = pos;
        while input.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if pos > colon {
            self.lints.push(lints::SPACE_AFTER_COLON.at(
                Span::new(colon, pos),
                format!("space after {what}; strict servers (Postfix with strict_rfc821_envelopes) reject it"),
            ));
        }
        let path_start = pos;
        let (path_span, mailbox_span, bracketed) = if input.get(pos) == Some(&b'<') {
            match find_close_bracket(input, pos + 1) {
                Some(close) => (
                    Span::new(path_start, close + 1),
                    Span::new(path_start + 1, close),
                    true,
                ),
                None => {
                    self.syntax(
                        Span::new(path_start, input.len()),
                        "the path has no closing '>'",
                    );
                    return None;
                }
            }
        } else {
            let end = find(input, pos, |b| b == b' ').unwrap_or(input.len());
            if end == pos {
                self.syntax(
                    Span::new(colon.saturating_sub(1), pos),
                    format!("{what} needs a path"),
                );
                return None;
            }
            self.lints.push(lints::PATH_WITHOUT_BRACKETS.at(
                Span::new(pos, end),
                "the path is not enclosed in angle brackets; RFC 5321 §4.1.2 requires <mailbox>",
            ));
            (Span::new(pos, end), Span::new(pos, end), false)
        };
        out.path = Some(path_span);
        let inner = self.slice(mailbox_span);
        // Source route "@a,@b:mailbox".
        let mut mailbox_start = mailbox_span.start;
        let mut source_route = None;
        if bracketed && inner.first() == Some(&b'@') {
            if let Some(colon_at) = find(inner, 0, |b| b == b':') {
                let route = inner.get(..colon_at).unwrap_or_default();
                if !is_source_route(route) {
                    self.lints.push(lints::MAILBOX_INVALID.at(
                        Span::new(mailbox_span.start, mailbox_span.start + colon_at),
                        "malformed source route",
                    ));
                }
                self.lints.push(lints::SOURCE_ROUTE.at(
                    Span::new(mailbox_span.start, mailbox_span.start + colon_at + 1),
                    "source route: obsolete; the server must ignore it and deliver to the mailbox",
                ));
                source_route = Some(text(route));
                mailbox_start = mailbox_span.start + colon_at + 1;
            }
        }
        let mailbox_span = Span::new(mailbox_start, mailbox_span.end);
        let mailbox = self.slice(mailbox_span);
        if mailbox.is_empty() {
            if !is_mail {
                self.lints.push(lints::MAILBOX_INVALID.at(
                    path_span,
                    "RCPT TO:<> has no recipient; only MAIL FROM takes the null path",
                ));
            }
        } else if is_mail || !mailbox.eq_ignore_ascii_case(b"postmaster") {
            if let Some(reason) = check_mailbox(mailbox) {
                self.lints.push(
                    lints::MAILBOX_INVALID.at(mailbox_span, format!("invalid mailbox: {reason}")),
                );
            }
        }
        if let Some(reason) = oversized_path(mailbox) {
            self.lints.push(lints::PATH_TOO_LONG.at(path_span, reason));
        }
        // Parameters.
        let mut raw = Vec::new();
        let mut pos = path_span.end;
        if pos < input.len() && input.get(pos) != Some(&b' ') {
            self.syntax(
                Span::new(pos, input.len()),
                "expected a space before parameters after the path",
            );
        }
        loop {
            let start = pos;
            while input.get(pos) == Some(&b' ') {
                pos += 1;
            }
            if pos >= input.len() {
                if pos > start {
                    self.syntax(
                        Span::new(start, pos),
                        "trailing space at the end of the command",
                    );
                }
                break;
            }
            if pos > start + 1 {
                self.syntax(
                    Span::new(start, pos),
                    "more than one space between parameters",
                );
            }
            let end = find(input, pos, |b| b == b' ').unwrap_or(input.len());
            let span = Span::new(pos, end);
            if raw.len() >= MAX_PARAMS {
                self.lints.push(lints::PARAM_INVALID.at(
                    Span::new(pos, input.len()),
                    format!("more than {MAX_PARAMS} parameters; the rest are ignored"),
                ));
                break;
            }
            raw.push((span, self.slice(span)));
            out.params.push(span);
            pos = end;
        }
        Some((
            Path {
                source_route,
                mailbox: text(mailbox),
            },
            raw,
        ))
    }

    /// Splits a parameter into keyword and value, checking the generic esmtp-param syntax.
    fn split_param(&mut self, span: Span, word: &'a [u8]) -> (&'a [u8], Option<&'a [u8]>) {
        let (kw, value) = match find(word, 0, |b| b == b'=') {
            Some(eq) => (
                word.get(..eq).unwrap_or_default(),
                Some(word.get(eq + 1..).unwrap_or_default()),
            ),
            None => (word, None),
        };
        if !is_esmtp_keyword(kw) {
            self.lints.push(lints::PARAM_INVALID.at(
                span,
                "a parameter keyword is a letter or digit followed by letters, digits or '-' (RFC 5321 §4.1.2)",
            ));
        } else if let Some(v) = value {
            if !is_esmtp_value_utf8(v) {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    "a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)",
                ));
            }
        }
        (kw, value)
    }

    fn mail_params(
        &mut self,
        raw: &[(Span, &'a [u8])],
        from: &Path<'a>,
        path_span: Span,
    ) -> MailParams<'a> {
        let mut params = MailParams::default();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for &(span, word) in raw {
            let (kw, value) = self.split_param(span, word);
            let upper = kw.to_ascii_uppercase();
            let duplicate = seen.contains(&upper);
            if duplicate {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    format!("parameter {} given twice", String::from_utf8_lossy(&upper)),
                ));
            }
            seen.push(upper.clone());
            let keep = |params: &mut MailParams<'a>| {
                params.other.push(Param {
                    keyword: text(kw),
                    value: value.map(text),
                })
            };
            if duplicate {
                keep(&mut params);
                continue;
            }
            let ok = match (upper.as_slice(), value) {
                (b"SIZE", Some(v)) => parse_u64(v).map(|n| params.size = Some(n)).is_some(),
                (b"BODY", Some(v)) => {
                    let body = if v.eq_ignore_ascii_case(b"7BIT") {
                        Some(Body::SevenBit)
                    } else if v.eq_ignore_ascii_case(b"8BITMIME") {
                        Some(Body::EightBitMime)
                    } else if v.eq_ignore_ascii_case(b"BINARYMIME") {
                        Some(Body::BinaryMime)
                    } else {
                        None
                    };
                    body.map(|b| params.body = Some(b)).is_some()
                }
                (b"SMTPUTF8", None) => {
                    params.smtputf8 = true;
                    true
                }
                (b"RET", Some(v)) => {
                    let ret = if v.eq_ignore_ascii_case(b"FULL") {
                        Some(Ret::Full)
                    } else if v.eq_ignore_ascii_case(b"HDRS") {
                        Some(Ret::Hdrs)
                    } else {
                        None
                    };
                    ret.map(|r| params.ret = Some(r)).is_some()
                }
                (b"ENVID", Some(v)) if is_esmtp_value(v) => {
                    params.envid = Some(text(v));
                    true
                }
                (b"AUTH", Some(v)) if is_esmtp_value(v) => {
                    params.auth = Some(text(v));
                    true
                }
                (b"SIZE" | b"BODY" | b"SMTPUTF8" | b"RET" | b"ENVID" | b"AUTH", _) => false,
                _ => {
                    keep(&mut params);
                    true
                }
            };
            if !ok {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    format!(
                        "invalid {} parameter: {}",
                        String::from_utf8_lossy(&upper),
                        mail_param_rule(&upper)
                    ),
                ));
                keep(&mut params);
            }
        }
        if from.is_utf8() && !params.smtputf8 {
            self.lints.push(lints::UTF8_WITHOUT_SMTPUTF8.at(
                path_span,
                "the reverse-path contains non-ASCII bytes but MAIL FROM lacks the SMTPUTF8 parameter",
            ));
        }
        params
    }

    fn rcpt_params(&mut self, raw: &[(Span, &'a [u8])]) -> RcptParams<'a> {
        let mut params = RcptParams::default();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for &(span, word) in raw {
            let (kw, value) = self.split_param(span, word);
            let upper = kw.to_ascii_uppercase();
            let duplicate = seen.contains(&upper);
            if duplicate {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    format!("parameter {} given twice", String::from_utf8_lossy(&upper)),
                ));
            }
            seen.push(upper.clone());
            let other = Param {
                keyword: text(kw),
                value: value.map(text),
            };
            if duplicate {
                params.other.push(other);
                continue;
            }
            let ok = match (upper.as_slice(), value) {
                (b"NOTIFY", Some(v)) => match parse_notify(v) {
                    Some(list) => {
                        params.notify = Some(list);
                        true
                    }
                    None => false,
                },
                (b"ORCPT", Some(v)) if is_esmtp_value(v) && v.contains(&b';') => {
                    params.orcpt = Some(text(v));
                    true
                }
                (b"NOTIFY" | b"ORCPT", _) => false,
                _ => {
                    params.other.push(other.clone());
                    true
                }
            };
            if !ok {
                let rule = if upper == b"NOTIFY" {
                    "NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)"
                } else {
                    "ORCPT=addr-type;xtext (RFC 3461 §4.2)"
                };
                self.lints
                    .push(lints::PARAM_INVALID.at(span, format!("invalid parameter: {rule}")));
                params.other.push(other);
            }
        }
        params
    }
}

fn mail_param_rule(upper: &[u8]) -> &'static str {
    match upper {
        b"SIZE" => "SIZE=decimal octets (RFC 1870 §6)",
        b"BODY" => "BODY=7BIT, 8BITMIME or BINARYMIME (RFC 6152 §2, RFC 3030 §3)",
        b"SMTPUTF8" => "SMTPUTF8 takes no value (RFC 6531 §3.4)",
        b"RET" => "RET=FULL or HDRS (RFC 3461 §4.3)",
        b"ENVID" => "ENVID=xtext (RFC 3461 §4.4)",
        _ => "AUTH=xtext mailbox or <> (RFC 4954 §5)",
    }
}

fn parse_notify(v: &[u8]) -> Option<Vec<Notify>> {
    let mut list = Vec::new();
    for item in v.split(|&b| b == b',') {
        let n = if item.eq_ignore_ascii_case(b"NEVER") {
            Notify::Never
        } else if item.eq_ignore_ascii_case(b"SUCCESS") {
            Notify::Success
        } else if item.eq_ignore_ascii_case(b"FAILURE") {
            Notify::Failure
        } else if item.eq_ignore_ascii_case(b"DELAY") {
            Notify::Delay
        } else {
            return None;
        };
        if list.contains(&n) {
            return None;
        }
        list.push(n);
    }
    if list.contains(&Notify::Never) && list.len() > 1 {
        return None;
    }
    Some(list)
}

/// Decimal digits only, at most 20 of them, no overflow.
fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Finds the `>` closing a path that opened at `from - 1`, skipping quoted strings.
fn find_close_bracket(input: &[u8], from: usize) -> Option<usize> {
    let mut quoted = false;
    let mut i = from;
    while let Some(&b) = input.get(i) {
        match b {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'>' if !quoted => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Offset of the `@` separating local part and domain (the last one outside quotes).
fn split_mailbox(m: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut at = None;
    let mut i = 0;
    while let Some(&b) = m.get(i) {
        match b {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'@' if !quoted => at = Some(i),
            _ => {}
        }
        i += 1;
    }
    at
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || b >= 0x80
}

/// Checks `local@domain` against RFC 5321 §4.1.2 (and RFC 6531 §3.3 for UTF-8). Returns why it
/// is invalid, if it is.
/// Local part or path over the sizes of RFC 5321 §4.5.3.1.1 and §4.5.3.1.3, which "SHOULD be
/// avoided" (servers may reject them); the reason, or `None`.
pub(crate) fn oversized_path(m: &[u8]) -> Option<String> {
    let local = split_mailbox(m).unwrap_or(0);
    if local > MAX_LOCAL_PART {
        return Some(format!(
            "local part is {local} octets; RFC 5321 §4.5.3.1.1 sets 64 as the maximum, larger objects should be avoided (§4.5.3.1) and servers may reject them"
        ));
    }
    (m.len() + 2 > MAX_PATH).then(|| {
        format!(
            "path is {} octets; RFC 5321 §4.5.3.1.3 sets 256 as the maximum, larger objects should be avoided (§4.5.3.1) and servers may reject them",
            m.len() + 2
        )
    })
}

pub(crate) fn check_mailbox(m: &[u8]) -> Option<String> {
    let Some(at) = split_mailbox(m) else {
        return Some("no '@' separating local part and domain".into());
    };
    let local = m.get(..at).unwrap_or_default();
    let domain = m.get(at + 1..).unwrap_or_default();
    if local.is_empty() {
        return Some("empty local part".into());
    }
    if local.first() == Some(&b'"') {
        if local.len() < 2 || local.last() != Some(&b'"') {
            return Some("unterminated quoted local part".into());
        }
        let inner = local.get(1..local.len() - 1).unwrap_or_default();
        let mut i = 0;
        while let Some(&b) = inner.get(i) {
            if b == b'\\' {
                match inner.get(i + 1) {
                    Some(&n) if (32..=126).contains(&n) || n >= 0x80 => i += 2,
                    _ => return Some("bad backslash escape in quoted local part".into()),
                }
                continue;
            }
            if b == b'"' || (b < 32 || b == 127) {
                return Some("invalid character in quoted local part".into());
            }
            i += 1;
        }
    } else {
        for (i, atom) in local.split(|&b| b == b'.').enumerate() {
            if atom.is_empty() {
                return Some(if i == 0 {
                    "local part starts with '.'".into()
                } else {
                    "empty atom in local part ('..' or a trailing '.')".into()
                });
            }
            if let Some(&b) = atom.iter().find(|&&b| !is_atext(b)) {
                return Some(format!(
                    "character {:?} in the local part must be quoted",
                    char::from(b)
                ));
            }
        }
    }
    check_domain_or_literal(domain)
}

/// Checks a domain or address literal (RFC 5321 §4.1.2, §4.1.3).
pub(crate) fn check_domain_or_literal(d: &[u8]) -> Option<String> {
    if d.is_empty() {
        return Some("empty domain".into());
    }
    if d.len() > MAX_DOMAIN {
        return Some(format!(
            "domain is {} octets; RFC 5321 §4.5.3.1.2 allows 255",
            d.len()
        ));
    }
    if d.first() == Some(&b'[') {
        let ok = d.len() > 2
            && d.last() == Some(&b']')
            && d.get(1..d.len() - 1)
                .unwrap_or_default()
                .iter()
                .all(|&b| (33..=126).contains(&b) && !matches!(b, b'[' | b']' | b'\\'));
        return (!ok).then(|| "malformed address literal".into());
    }
    for label in d.split(|&b| b == b'.') {
        if label.is_empty() {
            return Some("empty label in domain".into());
        }
        if label.len() > 63 {
            return Some("domain label longer than 63 octets".into());
        }
        if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return Some("domain label starts or ends with '-'".into());
        }
        if let Some(&b) = label
            .iter()
            .find(|&&b| !(b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80))
        {
            return Some(format!(
                "character {:?} is not allowed in a domain",
                char::from(b)
            ));
        }
    }
    None
}

fn is_source_route(r: &[u8]) -> bool {
    !r.is_empty()
        && r.split(|&b| b == b',').all(|item| {
            item.first() == Some(&b'@')
                && check_domain_or_literal(item.get(1..).unwrap_or_default()).is_none()
        })
}

fn is_esmtp_keyword(k: &[u8]) -> bool {
    k.first().is_some_and(u8::is_ascii_alphanumeric)
        && k.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// RFC 5321 §4.1.2 esmtp-value: 1*(%d33-60 / %d62-126).
fn is_esmtp_value(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(|&b| (33..=126).contains(&b) && b != b'=')
}

/// RFC 6531 §3.3: esmtp-value may also hold UTF-8 (non-ASCII) characters.
fn is_esmtp_value_utf8(v: &[u8]) -> bool {
    !v.is_empty()
        && std::str::from_utf8(v).is_ok()
        && v.iter()
            .all(|&b| b >= 0x80 || ((33..=126).contains(&b) && b != b'='))
}

fn is_sasl_mech(m: &[u8]) -> bool {
    !m.is_empty()
        && m.len() <= 20
        && m.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn is_base64_or_eq(v: &[u8]) -> bool {
    v == b"="
        || (!v.is_empty()
            && v.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn parse(input: &[u8]) -> (ParsedCommand<'_>, usize) {
        parse_command(input)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
            .unwrap_or_else(|| panic!("{:?}: incomplete", String::from_utf8_lossy(input)))
    }

    fn codes(lints: &[Lint]) -> Vec<&str> {
        lints.iter().map(|l| &*l.code).collect()
    }

    fn round_trip_cases() -> Vec<(Command<'static>, &'static str)> {
        vec![
            (Command::helo("client.example"), "HELO client.example\r\n"),
            (Command::ehlo("[192.0.2.1]"), "EHLO [192.0.2.1]\r\n"),
            (Command::mail_from("a@example.org"), "MAIL FROM:<a@example.org>\r\n"),
            (Command::mail_from(""), "MAIL FROM:<>\r\n"),
            (
                Command::Mail {
                    from: Path::new("bounce@example.org"),
                    params: MailParams {
                        size: Some(12345),
                        body: Some(Body::EightBitMime),
                        smtputf8: false,
                        ret: Some(Ret::Hdrs),
                        envid: Some("QQ314159".into()),
                        auth: Some("<>".into()),
                        other: vec![
                            Param {
                                keyword: "XTRA".into(),
                                value: Some("1".into()),
                            },
                            Param {
                                keyword: "FLAG".into(),
                                value: None,
                            },
                        ],
                    },
                },
                "MAIL FROM:<bounce@example.org> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=QQ314159 AUTH=<> XTRA=1 FLAG\r\n",
            ),
            (
                Command::Mail {
                    from: Path::new("jörg@bücher.example"),
                    params: MailParams {
                        smtputf8: true,
                        body: Some(Body::BinaryMime),
                        ..MailParams::default()
                    },
                },
                "MAIL FROM:<jörg@bücher.example> BODY=BINARYMIME SMTPUTF8\r\n",
            ),
            (
                Command::Mail {
                    from: Path::new("a@b.example"),
                    params: MailParams {
                        body: Some(Body::SevenBit),
                        ret: Some(Ret::Full),
                        ..MailParams::default()
                    },
                },
                "MAIL FROM:<a@b.example> BODY=7BIT RET=FULL\r\n",
            ),
            (
                Command::Mail {
                    from: Path {
                        source_route: Some("@relay.example,@b.example".into()),
                        mailbox: "\"john doe\"@example.org".into(),
                    },
                    params: MailParams::default(),
                },
                "MAIL FROM:<@relay.example,@b.example:\"john doe\"@example.org>\r\n",
            ),
            (Command::rcpt_to("b@example.net"), "RCPT TO:<b@example.net>\r\n"),
            (Command::rcpt_to("Postmaster"), "RCPT TO:<Postmaster>\r\n"),
            (
                Command::Rcpt {
                    to: Path::new("b@example.net"),
                    params: RcptParams {
                        notify: Some(vec![Notify::Success, Notify::Failure, Notify::Delay]),
                        orcpt: Some("rfc822;b@example.net".into()),
                        other: vec![Param {
                            keyword: "X-Y".into(),
                            value: Some("z".into()),
                        }],
                    },
                },
                "RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b@example.net X-Y=z\r\n",
            ),
            (
                Command::Rcpt {
                    to: Path::new("b@example.net"),
                    params: RcptParams {
                        notify: Some(vec![Notify::Never]),
                        ..RcptParams::default()
                    },
                },
                "RCPT TO:<b@example.net> NOTIFY=NEVER\r\n",
            ),
            (Command::Data, "DATA\r\n"),
            (Command::bdat(0, true), "BDAT 0 LAST\r\n"),
            (Command::bdat(1_000_000, false), "BDAT 1000000\r\n"),
            (Command::Rset, "RSET\r\n"),
            (Command::Noop { arg: None }, "NOOP\r\n"),
            (Command::Noop { arg: Some("ping".into()) }, "NOOP ping\r\n"),
            (Command::vrfy("postmaster"), "VRFY postmaster\r\n"),
            (Command::expn("staff list"), "EXPN staff list\r\n"),
            (Command::Help { topic: None }, "HELP\r\n"),
            (Command::Help { topic: Some("MAIL".into()) }, "HELP MAIL\r\n"),
            (Command::Quit, "QUIT\r\n"),
            (Command::StartTls, "STARTTLS\r\n"),
            (Command::auth("LOGIN", None), "AUTH LOGIN\r\n"),
            (
                Command::auth("PLAIN", Some("AGFsaWNlAHNlY3JldA==".into())),
                "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
            ),
            (Command::auth("XOAUTH2", Some("=".into())), "AUTH XOAUTH2 =\r\n"),
            (
                Command::Unknown {
                    name: "XYZZY".into(),
                    args: "plugh".into(),
                },
                "XYZZY plugh\r\n",
            ),
        ]
    }

    #[test]
    fn every_command_round_trips() {
        for (command, wire) in round_trip_cases() {
            let bytes = command
                .to_bytes()
                .unwrap_or_else(|e| panic!("{command:?}: {e}"));
            assert_eq!(
                String::from_utf8_lossy(&bytes),
                wire,
                "wire form of {command:?}"
            );
            let (parsed, used) = parse(&bytes);
            assert_eq!(parsed.command, command, "parse of {wire:?}");
            assert_eq!(used, bytes.len(), "consumed of {wire:?}");
            let expected: &[&str] = match command {
                Command::Unknown { .. } => &["smtp.unknown-command"],
                Command::Mail { ref from, .. } if from.source_route.is_some() => {
                    &["smtp.source-route"]
                }
                _ => &[],
            };
            assert_eq!(codes(&parsed.lints), expected, "lints of {wire:?}");
            assert_eq!(
                parsed.clone().into_owned(),
                parsed,
                "into_owned of {wire:?}"
            );
        }
    }

    /// (input, verb, lint codes)
    const LENIENT: &[(&[u8], &str, &[&str])] = &[
        (b"mail from:<a@b.example>\r\n", "MAIL", &[]),
        (b"Ehlo x.example\r\n", "EHLO", &[]),
        (b"QUIT\n", "QUIT", &["smtp.bare-lf"]),
        (
            b"MAIL FROM: <a@b.example>\r\n",
            "MAIL",
            &["smtp.space-after-colon"],
        ),
        (
            b"RCPT TO:  <a@b.example>\r\n",
            "RCPT",
            &["smtp.space-after-colon"],
        ),
        (
            b"MAIL FROM:a@b.example\r\n",
            "MAIL",
            &["smtp.path-without-brackets"],
        ),
        (
            b"MAIL FROM:<a@b..example>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (
            b"MAIL FROM:<a b@example>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (
            b"MAIL FROM:<nodomain>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (
            b"MAIL FROM:<.a@b.example>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (
            b"MAIL FROM:<a@-b.example>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (
            b"MAIL FROM:<a@[1.2.3.4>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid"],
        ),
        (b"RCPT TO:<>\r\n", "RCPT", &["smtp.mailbox-invalid"]),
        (
            b"MAIL FROM:<\"unterminated@b.example>\r\n",
            "unknown",
            &["smtp.syntax-invalid"],
        ),
        (
            b"MAIL FROM:<j\xc3\xb6rg@b.example>\r\n",
            "MAIL",
            &["smtp.utf8-without-smtputf8"],
        ),
        (
            b"MAIL FROM:<@r.example:a@b.example>\r\n",
            "MAIL",
            &["smtp.source-route"],
        ),
        (
            b"MAIL FROM:<@:a@b.example>\r\n",
            "MAIL",
            &["smtp.mailbox-invalid", "smtp.source-route"],
        ),
        (
            b"MAIL FROM:<a@b.example> SIZE=abc\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> BODY=9BIT\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> SMTPUTF8=yes\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> RET=ALL\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> -X\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> X=\r\n",
            "MAIL",
            &["smtp.param-invalid"],
        ),
        (
            b"RCPT TO:<a@b.example> NOTIFY=NEVER,DELAY\r\n",
            "RCPT",
            &["smtp.param-invalid"],
        ),
        (
            b"RCPT TO:<a@b.example> ORCPT=nosemicolon\r\n",
            "RCPT",
            &["smtp.param-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example> \r\n",
            "MAIL",
            &["smtp.syntax-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example>  SIZE=1\r\n",
            "MAIL",
            &["smtp.syntax-invalid"],
        ),
        (
            b"MAIL FROM:<a@b.example>SIZE=1\r\n",
            "MAIL",
            &["smtp.syntax-invalid"],
        ),
        (
            b"MAIL FROM :<a@b.example>\r\n",
            "MAIL",
            &["smtp.syntax-invalid"],
        ),
        (
            b"MAIL TO:<a@b.example>\r\n",
            "unknown",
            &["smtp.syntax-invalid"],
        ),
        (b"MAIL FROM:\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"MAIL\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"HELO\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"EHLO bad_name!\r\n", "EHLO", &["smtp.syntax-invalid"]),
        (b"DATA now\r\n", "DATA", &["smtp.syntax-invalid"]),
        (b"RSET \r\n", "RSET", &["smtp.syntax-invalid"]),
        (
            b"QUIT  x\r\n",
            "QUIT",
            &["smtp.syntax-invalid", "smtp.syntax-invalid"],
        ),
        (
            b"NOOP\0\r\n",
            "unknown",
            &["smtp.syntax-invalid", "smtp.unknown-command"],
        ),
        (b"NOOP a\rb\r\n", "NOOP", &["smtp.syntax-invalid"]),
        (b"VRFY\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"BDAT\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"BDAT x LAST\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"BDAT 1 FIRST\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"BDAT 1 LAST x\r\n", "unknown", &["smtp.syntax-invalid"]),
        (
            b"BDAT 99999999999999999999999\r\n",
            "unknown",
            &["smtp.syntax-invalid"],
        ),
        (b"bdat 5 last\r\n", "BDAT", &[]),
        (b"AUTH\r\n", "unknown", &["smtp.syntax-invalid"]),
        (b"AUTH plain\r\n", "AUTH", &["smtp.syntax-invalid"]),
        (
            b"AUTH PLAIN not base64!\r\n",
            "AUTH",
            &["smtp.syntax-invalid"],
        ),
        (b"XYZZY\r\n", "unknown", &["smtp.unknown-command"]),
        (b"ETRN example.org\r\n", "unknown", &[]),
        (b"xclient NAME=x\r\n", "unknown", &[]),
        (b"\r\n", "unknown", &["smtp.unknown-command"]),
    ];

    #[test]
    fn lenient_parsing_records_lints() {
        for &(input, verb, lint_codes) in LENIENT {
            let (parsed, used) = parse(input);
            assert_eq!(used, input.len(), "consumed of {input:?}");
            let got_verb = match &parsed.command {
                Command::Unknown { .. } => "unknown",
                c => c.verb(),
            };
            assert_eq!(
                got_verb,
                verb,
                "verb of {:?}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(
                codes(&parsed.lints),
                lint_codes,
                "lints of {:?}",
                String::from_utf8_lossy(input)
            );
            for lint in &parsed.lints {
                assert!(
                    lint.span.end <= input.len(),
                    "lint span {:?} out of {input:?}",
                    lint.span
                );
            }
        }
    }

    #[test]
    fn spans_point_at_the_parts() {
        let input = b"MAIL FROM: <a@b.example> SIZE=10 BODY=8BITMIME\r\nRSET\r\n";
        let (parsed, used) = parse(input);
        assert_eq!(used, 48);
        assert_eq!(parsed.verb.slice(input), b"MAIL");
        assert_eq!(
            parsed.arguments.slice(input),
            b"FROM: <a@b.example> SIZE=10 BODY=8BITMIME"
        );
        assert_eq!(
            parsed.path.map(|s| s.slice(input)),
            Some(&b"<a@b.example>"[..])
        );
        let params: Vec<&[u8]> = parsed.params.iter().map(|s| s.slice(input)).collect();
        assert_eq!(params, [&b"SIZE=10"[..], b"BODY=8BITMIME"]);
        assert_eq!(parsed.line, Span::new(0, 48));
        assert_eq!(parsed.lints[0].span.slice(input), b" ");
        let Command::Mail { from, params } = parsed.command else {
            panic!("expected MAIL, got {:?}", parsed.command)
        };
        assert_eq!((from.local_part(), from.domain()), ("a", Some("b.example")));
        assert_eq!(
            (params.size, params.body),
            (Some(10), Some(Body::EightBitMime))
        );
        let null = Path::null();
        assert!(null.is_null() && null.domain().is_none());
    }

    #[test]
    fn unknown_params_are_kept_in_order() {
        let (parsed, _) = parse(b"MAIL FROM:<a@b.example> XA=1 SIZE=oops XB\r\n");
        let Command::Mail { params, .. } = parsed.command else {
            panic!("expected MAIL")
        };
        let kept: Vec<(&str, Option<&str>)> = params
            .other
            .iter()
            .map(|p| (&*p.keyword, p.value.as_deref()))
            .collect();
        assert_eq!(
            kept,
            [("XA", Some("1")), ("SIZE", Some("oops")), ("XB", None)]
        );
        assert_eq!(params.size, None);
    }

    #[test]
    fn line_limits() {
        let mut long = b"NOOP ".to_vec();
        long.extend(std::iter::repeat_n(b'x', 600));
        long.extend(b"\r\n");
        let (parsed, _) = parse(&long);
        assert_eq!(codes(&parsed.lints), ["smtp.line-too-long"]);
        let mut auth = b"AUTH PLAIN ".to_vec();
        auth.extend(std::iter::repeat_n(b'A', 4000));
        auth.extend(b"\r\n");
        let (parsed, _) = parse(&auth);
        assert_eq!(
            codes(&parsed.lints),
            Vec::<&str>::new(),
            "AUTH may be 12288 octets"
        );
        let endless = vec![b'x'; MAX_COMMAND_LINE_HARD + 10];
        assert_eq!(
            parse_command(&endless),
            Err(CommandError::LineTooLong {
                limit: MAX_COMMAND_LINE_HARD
            })
        );
        for partial in [&b""[..], b"QUIT", b"QUIT\r", b"MAIL FROM:<a@b>"] {
            assert_eq!(parse_command(partial), Ok(None), "input {partial:?}");
        }
        let mut many = b"MAIL FROM:<a@b.example>".to_vec();
        for i in 0..MAX_PARAMS + 5 {
            many.extend(format!(" X{i}=1").as_bytes());
        }
        many.extend(b"\r\n");
        let (parsed, _) = parse(&many);
        assert_eq!(parsed.params.len(), MAX_PARAMS);
        assert!(codes(&parsed.lints).contains(&"smtp.param-invalid"));
    }

    /// Sizes over RFC 5321 §4.5.3.1's maximums "SHOULD be avoided": a warning, not an invalid
    /// mailbox.
    #[test]
    fn oversized_paths_are_warnings() {
        let local = format!("MAIL FROM:<{}@b.example>\r\n", "a".repeat(65));
        let (parsed, _) = parse(local.as_bytes());
        assert_eq!(codes(&parsed.lints), ["smtp.path-too-long"]);
        assert_eq!(parsed.lints[0].severity, crate::lint::Severity::Warning);
        let labels = vec!["d".repeat(60); 4].join(".");
        let path = format!("RCPT TO:<{}@{labels}.example>\r\n", "a".repeat(10));
        let (parsed, _) = parse(path.as_bytes());
        assert_eq!(codes(&parsed.lints), ["smtp.path-too-long"]);
        let (parsed, _) = parse(b"MAIL FROM:<a@b.example>\r\n");
        assert!(parsed.lints.is_empty());
    }

    #[test]
    fn building_rejects_invalid_values() {
        let bad: Vec<(Command<'static>, BuildError)> = vec![
            (
                Command::helo("a\r\nMAIL FROM:<x@y>"),
                BuildError::ForbiddenByte {
                    field: "domain",
                    byte: b'\r',
                },
            ),
            (
                Command::mail_from("a@b\nc"),
                BuildError::ForbiddenByte {
                    field: "mailbox",
                    byte: b'\n',
                },
            ),
            (
                Command::vrfy("x\0"),
                BuildError::ForbiddenByte {
                    field: "argument",
                    byte: 0,
                },
            ),
            (
                Command::auth("PLAIN", Some("AA\r\n".into())),
                BuildError::ForbiddenByte {
                    field: "initial response",
                    byte: b'\r',
                },
            ),
            (
                Command::Mail {
                    from: Path::new("a@b.example"),
                    params: MailParams {
                        envid: Some("x\ny".into()),
                        ..MailParams::default()
                    },
                },
                BuildError::ForbiddenByte {
                    field: "ENVID",
                    byte: b'\n',
                },
            ),
            (
                Command::Unknown {
                    name: "X".into(),
                    args: "a\rb".into(),
                },
                BuildError::ForbiddenByte {
                    field: "arguments",
                    byte: b'\r',
                },
            ),
        ];
        for (command, expected) in bad {
            let mut out = b"keep".to_vec();
            assert_eq!(
                command.write(&mut out),
                Err(expected),
                "building {command:?}"
            );
            assert_eq!(out, b"keep", "nothing appended for {command:?}");
        }
        let invalid: Vec<Command<'static>> = vec![
            Command::helo(""),
            Command::ehlo("bad name"),
            Command::mail_from("no-at-sign"),
            Command::mail_from("jörg@b.example"),
            Command::rcpt_to(""),
            Command::rcpt_to("a b@c.example"),
            Command::vrfy(""),
            Command::auth("plain", None),
            Command::auth("PLAIN", Some("not base64".into())),
            Command::Unknown {
                name: "".into(),
                args: "".into(),
            },
            Command::Rcpt {
                to: Path::new("a@b.example"),
                params: RcptParams {
                    notify: Some(vec![Notify::Never, Notify::Delay]),
                    ..RcptParams::default()
                },
            },
            Command::Mail {
                from: Path::new("a@b.example"),
                params: MailParams {
                    other: vec![Param {
                        keyword: "A B".into(),
                        value: None,
                    }],
                    ..MailParams::default()
                },
            },
            Command::Mail {
                from: Path::new("a@b.example"),
                params: MailParams {
                    other: vec![Param {
                        keyword: "X".into(),
                        value: Some("a=b".into()),
                    }],
                    ..MailParams::default()
                },
            },
            Command::Mail {
                from: Path {
                    source_route: Some("relay".into()),
                    mailbox: "a@b.example".into(),
                },
                params: MailParams::default(),
            },
        ];
        for command in invalid {
            match command.write(&mut Vec::new()) {
                Err(BuildError::Invalid { .. }) => {}
                other => panic!("building {command:?}: expected Invalid, got {other:?}"),
            }
        }
        let huge = Command::vrfy("x".repeat(600));
        assert!(
            matches!(
                huge.write(&mut Vec::new()),
                Err(BuildError::TooLong { limit: 512, .. })
            ),
            "600-byte VRFY must be too long"
        );
    }

    #[test]
    fn commands_survive_json() {
        for (command, _) in round_trip_cases() {
            let json =
                serde_json::to_string(&command).unwrap_or_else(|e| panic!("{command:?}: {e}"));
            let back: Command<'static> =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, command, "JSON {json}");
        }
        let v = serde_json::to_value(Command::mail_from("a@b.example")).unwrap_or_default();
        assert_eq!(v["verb"], "MAIL");
        assert_eq!(v["from"]["mailbox"], "a@b.example");
    }

    #[test]
    fn every_command_has_an_explanation() {
        for (command, _) in round_trip_cases() {
            assert!(
                command.explain().contains("RFC"),
                "{command:?} explanation cites no RFC"
            );
        }
    }

    /// A small xorshift PRNG so hostile-input tests are reproducible without an RNG crate.
    pub(crate) struct XorShift(pub(crate) u64);

    impl XorShift {
        pub(crate) fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        /// Random bytes biased towards SMTP syntax so that deep paths are reached.
        pub(crate) fn bytes(&mut self, max: usize) -> Vec<u8> {
            const ALPHABET: &[u8] = b"MAILFROM:RCPTTO<>@.\" \\=,;\r\n\0\xc3\xffBDAT250-SMTPUTF8";
            let len = (self.next() % max as u64) as usize;
            (0..len)
                .map(|_| {
                    let r = self.next();
                    if r.is_multiple_of(3) {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                    }
                })
                .collect()
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let mut input = rng.bytes(200);
            if rng.next().is_multiple_of(2) {
                let prefix: &[u8] = match rng.next() % 3 {
                    0 => b"MAIL FROM:",
                    1 => b"RCPT TO:<",
                    _ => b"AUTH ",
                };
                input.splice(0..0, prefix.iter().copied());
            }
            match parse_command(&input) {
                Ok(Some((parsed, used))) => {
                    assert!(used <= input.len(), "consumed {used} of {}", input.len());
                    for lint in &parsed.lints {
                        assert!(
                            lint.span.end <= input.len(),
                            "lint span out of range: {lint:?}"
                        );
                    }
                    // Whatever was read, building it back either fails cleanly or re-parses.
                    if let Ok(bytes) = parsed.command.to_bytes() {
                        let (again, _) = parse(&bytes);
                        assert_eq!(again.command, parsed.command, "rebuilt from {input:?}");
                    }
                }
                Ok(None) => assert!(!input.contains(&b'\n')),
                Err(e) => panic!("{input:?}: unexpected error {e}"),
            }
        }
    }
}
