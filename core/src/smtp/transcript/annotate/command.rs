//! The client's side: each command is parsed, checked against the order rules and the
//! extensions the server offered, and queued for its reply.

use crate::lint::msg;
use crate::lint::Lint;
use crate::smtp::auth::Mechanism;
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::{parse_command, Body, Command};
use crate::smtp::lints;
use crate::smtp::session::order::{OrderError, Step};
use crate::span::Span;

use crate::smtp::transcript::{Direction, Entry, Parsed, TranscriptLine};

use super::{Annotator, AuthCapture, Block, Txn};

impl Annotator {
    fn not_offered(&self, lints: &mut Vec<Lint>, span: Span, ext: Extension, what: &str) {
        if !self.has(ext) {
            let why = if self.caps.is_none() {
                msg!("no EHLO reply listed extensions (HELO, or none yet since the connection or STARTTLS)")
            } else {
                msg!("the EHLO reply did not offer it")
            };
            lints.push(
                lints::EXTENSION_NOT_OFFERED
                    .at(span, msg!("{what} used but {why}", what).text("why", why)),
            );
        }
    }

    pub(super) fn command(&mut self, line: &TranscriptLine) {
        let mut block = Block::new(Direction::Client, line.tls, line.span.start);
        block.add(line, self.format);
        let parsed = match parse_command(&block.buf) {
            Ok(Some((p, _))) => p.into_owned(),
            Ok(None) => {
                let lint = lints::SYNTAX_INVALID.at(
                    line.content,
                    msg!("command line without a line end at the end of the capture"),
                );
                self.invalid(block, "incomplete command line".into(), lint);
                return;
            }
            Err(e) => {
                let lint = lints::LINE_TOO_LONG.at(line.content, e.message());
                self.invalid(block, e.to_string(), lint);
                return;
            }
        };
        let span = line.content;
        let mut entry_lints: Vec<Lint> = parsed
            .lints
            .iter()
            .cloned()
            .map(|l| block.map.lint(l))
            .collect();
        let before = self.state();
        let cmd = parsed.command;
        let step = Step::of(&cmd);
        // The command-order rules of the core (RFC 5321 §4.1.4), against what the server's
        // replies so far and the pipelined commands before this one make of the session.
        if let Err(e) = self.projected.check(step) {
            // Talking before the greeting breaks a SHOULD (RFC 5321 §4.3.1), the rest a MUST.
            let def = if matches!(e, OrderError::BeforeGreeting { .. }) {
                &lints::BEFORE_GREETING
            } else {
                &lints::OUT_OF_SEQUENCE
            };
            entry_lints.push(def.at(span, e.message()));
        }
        // Pipelining: a command sent while replies are outstanding.
        if let Some(&last) = self.pending.back() {
            if !self.has(Extension::Pipelining) {
                entry_lints.push(lints::PIPELINING_NOT_OFFERED.at(
                    span,
                    msg!("{verb} sent before the reply to the previous command, but the server did not offer PIPELINING", verb = cmd.verb()),
                ));
            } else if last.ends_group() {
                entry_lints.push(lints::PIPELINING_NOT_OFFERED.at(
                    span,
                    msg!("{verb} sent before the reply to a command that must end a pipelined group (EHLO, DATA, VRFY, EXPN, NOOP, QUIT, STARTTLS, AUTH; RFC 2920 §3.1)", verb = cmd.verb()),
                ));
            }
        }
        let mut auth = None;
        match &cmd {
            Command::Helo { .. } | Command::Ehlo { .. } | Command::Rset => {
                self.txn = Txn::default();
            }
            Command::Mail { params, .. } => {
                if params.size.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Size, "SIZE=");
                }
                match params.body {
                    Some(Body::EightBitMime) => self.not_offered(
                        &mut entry_lints,
                        span,
                        Extension::EightBitMime,
                        "BODY=8BITMIME",
                    ),
                    Some(Body::BinaryMime) => self.not_offered(
                        &mut entry_lints,
                        span,
                        Extension::BinaryMime,
                        "BODY=BINARYMIME",
                    ),
                    _ => {}
                }
                if params.smtputf8 {
                    self.not_offered(&mut entry_lints, span, Extension::SmtpUtf8, "SMTPUTF8");
                }
                if params.ret.is_some() || params.envid.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Dsn, "RET=/ENVID=");
                }
                if params.auth.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Auth, "AUTH=");
                }
                let limit = self.caps.as_ref().and_then(Capabilities::size_limit);
                if let (Some(n), Some(l)) = (params.size, limit) {
                    if n > l {
                        entry_lints.push(lints::SIZE_EXCEEDED.at(
                            span,
                            msg!("SIZE={n} exceeds the server's SIZE limit of {l} octets; it answers 552 (RFC 1870 §6.1)", n, l),
                        ));
                    }
                }
                self.txn = Txn {
                    declared_size: params.size,
                    body: params.body,
                    smtputf8: params.smtputf8,
                };
            }
            Command::Rcpt { to, params } => {
                if to.is_utf8() && !self.txn.smtputf8 {
                    entry_lints.push(lints::UTF8_WITHOUT_SMTPUTF8.at(
                        parsed.path.map_or(span, |p| block.map.span(p)),
                        msg!("non-ASCII recipient, but MAIL FROM did not carry SMTPUTF8"),
                    ));
                }
                if params.notify.is_some() || params.orcpt.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Dsn, "NOTIFY=/ORCPT=");
                }
            }
            Command::Bdat { size, .. } => {
                self.not_offered(&mut entry_lints, span, Extension::Chunking, "BDAT");
                if *size > 0 {
                    self.chunk = Some((
                        Block::new(Direction::Client, line.tls, line.span.end),
                        *size,
                    ));
                }
            }
            Command::StartTls => {
                self.not_offered(&mut entry_lints, span, Extension::StartTls, "STARTTLS");
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                self.finish_auth();
                // The initial response is the last word of the line, taken from the input bytes
                // (the parsed value is lossy UTF-8).
                let initial = initial_response.as_ref().map(|_| {
                    let ir = line
                        .bytes
                        .rsplit(|&b| b == b' ')
                        .next()
                        .unwrap_or_default()
                        .to_vec();
                    let offset = line.content.start + line.bytes.len().saturating_sub(ir.len());
                    (ir, offset)
                });
                let mechanism = Mechanism::parse(mechanism);
                // RFC 4954 §4 speaks of plaintext password mechanisms; a bearer token is as
                // readable. CRAM-MD5 and unknown mechanisms send no readable secret.
                let readable = matches!(
                    mechanism,
                    Mechanism::Plain | Mechanism::Login | Mechanism::Xoauth2
                );
                if readable && !self.tls() {
                    entry_lints.push(lints::AUTH_WITHOUT_TLS.at(
                        span,
                        msg!(
                            "AUTH {mechanism} on a connection without TLS: the password or token can be read on the path; servers should not permit plaintext password mechanisms without TLS (RFC 4954 §4); use STARTTLS first",
                            mechanism = mechanism.as_str()
                        ),
                    ));
                }
                auth = Some(AuthCapture {
                    entry: self.entries.len(),
                    mechanism,
                    initial,
                    lines: Vec::new(),
                });
                self.not_offered(&mut entry_lints, span, Extension::Auth, "AUTH");
            }
            Command::Quit => self.quit_sent = true,
            _ => {}
        }
        if auth.is_some() {
            self.auth = auth;
        }
        self.push_pending(step);
        let explanation = cmd.explain().to_string();
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: line.tls || self.tls(),
            parsed: Parsed::Command { command: cmd },
            state_before: before,
            state_after: self.state(),
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }
}
