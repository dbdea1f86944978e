//! Reading one command line: [`parse_command`] finds the line end, reads the verb and
//! dispatches to the reader of each command family.

use crate::lint::msg;
use std::borrow::Cow;

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

use super::params::parse_u64;
use super::path::check_domain_or_literal;
use super::{
    Command, CommandError, ParsedCommand, MAX_AUTH_LINE, MAX_COMMAND_LINE, MAX_COMMAND_LINE_HARD,
};

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
            msg!("command line ends in a bare LF; clients must send CRLF"),
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
            msg!(
                "command line is {consumed} octets; RFC 5321 allows {limit} including CRLF",
                consumed,
                limit
            ),
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

pub(super) struct Parser<'a> {
    pub(super) input: &'a [u8],
    pub(super) lints: Vec<Lint>,
}

pub(super) fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

pub(super) fn find(bytes: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| pred(b)))
        .map(|i| i + from)
}

impl<'a> Parser<'a> {
    pub(super) fn slice(&self, span: Span) -> &'a [u8] {
        span.slice(self.input)
    }

    pub(super) fn syntax(&mut self, span: Span, message: crate::lint::Message) {
        self.lints.push(lints::SYNTAX_INVALID.at(span, message));
    }

    fn command(&mut self, line: Span) -> ParsedCommand<'a> {
        let input = self.input;
        if let Some(i) = find(input, 0, |b| b == 0 || b == b'\r') {
            let what = if input.get(i) == Some(&0) {
                msg!("a NUL byte")
            } else {
                msg!("a bare CR")
            };
            self.syntax(
                Span::new(i, i + 1),
                msg!("command line contains {what}; servers reject or misread it")
                    .text("what", what),
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
                msg!("more than one space after the verb; RFC 5321 §4.1.1 has exactly one"),
            );
        }
        let arguments = Span::new(args_start.min(input.len()), input.len());
        if args_start == input.len() && args_start > verb_end {
            self.syntax(
                Span::new(verb_end, args_start),
                msg!("trailing space after the verb"),
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
                    msg!(
                        "{verb} takes no arguments",
                        verb = String::from_utf8_lossy(&upper)
                    ),
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
                        msg!("HELO and EHLO need the client's domain or address literal"),
                    );
                    unknown
                } else {
                    if let Some(reason) = check_domain_or_literal(args) {
                        self.syntax(arguments, msg!("invalid client name: {reason}", reason));
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
                    self.syntax(verb, msg!("VRFY and EXPN need an argument"));
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
                if let Some(kind) = crate::smtp::cross_protocol::non_smtp_line(input) {
                    self.lints.push(lints::HTTP_REQUEST.at(
                        line,
                        msg!("{kind}, not an SMTP command: a browser or proxy is talking to the SMTP port; Postfix (and Mailscope's server) close the session").text("kind", kind.message()),
                    ));
                } else {
                    self.lints.push(lints::UNKNOWN_COMMAND.at(
                        verb,
                        msg!(
                            "unknown command {verb}; a server answers 500 (RFC 5321 §4.2.4)",
                            verb = format_args!(
                                "{:?}",
                                String::from_utf8_lossy(&verb_bytes[..verb_bytes.len().min(32)])
                            )
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
                    msg!("BDAT takes a size and optionally LAST (RFC 3030 §2)"),
                );
                return None;
            }
        };
        if words.next().is_some() {
            self.syntax(
                arguments,
                msg!("BDAT takes a size and optionally LAST (RFC 3030 §2)"),
            );
            return None;
        }
        match size {
            Some(size) => Some(Command::Bdat { size, last }),
            None => {
                self.syntax(
                    arguments,
                    msg!("BDAT needs a chunk size in decimal octets (RFC 3030 §2)"),
                );
                None
            }
        }
    }

    fn auth(&mut self, args: &'a [u8], arguments: Span) -> Option<Command<'a>> {
        let mech_end = find(args, 0, |b| b == b' ').unwrap_or(args.len());
        let mech = args.get(..mech_end).unwrap_or_default();
        if mech.is_empty() {
            self.syntax(arguments, msg!("AUTH needs a SASL mechanism (RFC 4954 §4)"));
            return None;
        }
        let mech_span = Span::new(arguments.start, arguments.start + mech_end);
        if !is_sasl_mech(mech) {
            self.syntax(
                mech_span,
                msg!("a SASL mechanism name is 1-20 of A-Z, 0-9, '-' and '_' (RFC 4422 §3.1)"),
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
                    msg!("the initial response must be one base64 word or '=' (RFC 4954 §4)"),
                );
            }
            Some(text(ir))
        };
        Some(Command::Auth {
            mechanism: text(mech),
            initial_response,
        })
    }
}

pub(super) fn is_sasl_mech(m: &[u8]) -> bool {
    !m.is_empty()
        && m.len() <= 20
        && m.iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub(super) fn is_base64_or_eq(v: &[u8]) -> bool {
    v == b"="
        || (!v.is_empty()
            && v.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
}
