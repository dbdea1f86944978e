//! Reverse- and forward-paths (RFC 5321 §4.1.2): the [`Path`] type, reading `FROM:<path>` /
//! `TO:<path>`, and the mailbox, domain and size checks shared by parsing and building.

use crate::lint::{msg, Message};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::smtp::lints;
use crate::span::Span;

use super::parse::{find, text, Parser};
use super::{owned, ParsedCommand, MAX_DOMAIN, MAX_LOCAL_PART, MAX_PARAMS, MAX_PATH};

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

impl<'a> Parser<'a> {
    /// Reads `FROM:<path> params` / `TO:<path> params`. Returns the path and the raw parameter
    /// words with their spans; spans are recorded in `out`.
    #[allow(clippy::type_complexity)]
    pub(super) fn path_command(
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
                msg!("expected {what}<path> (RFC 5321 §4.1.1)", what),
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
                msg!("expected {what}<path> (RFC 5321 §4.1.1)", what),
            );
            return None;
        }
        if pos > sp_before {
            self.syntax(
                Span::new(sp_before, pos),
                msg!("space before the colon of {what}", what),
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
                msg!("space after {what}; strict servers (Postfix with strict_rfc821_envelopes) reject it", what),
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
                        msg!("the path has no closing '>'"),
                    );
                    return None;
                }
            }
        } else {
            let end = find(input, pos, |b| b == b' ').unwrap_or(input.len());
            if end == pos {
                self.syntax(
                    Span::new(colon.saturating_sub(1), pos),
                    msg!("{what} needs a path", what),
                );
                return None;
            }
            self.lints.push(lints::PATH_WITHOUT_BRACKETS.at(
                Span::new(pos, end),
                msg!("the path is not enclosed in angle brackets; RFC 5321 §4.1.2 requires <mailbox>"),
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
                        msg!("malformed source route"),
                    ));
                }
                self.lints.push(lints::SOURCE_ROUTE.at(
                    Span::new(mailbox_span.start, mailbox_span.start + colon_at + 1),
                    msg!("source route: obsolete; the server must ignore it and deliver to the mailbox"),
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
                    msg!("RCPT TO:<> has no recipient; only MAIL FROM takes the null path"),
                ));
            }
        } else if is_mail || !mailbox.eq_ignore_ascii_case(b"postmaster") {
            if let Some(reason) = check_mailbox(mailbox) {
                self.lints.push(lints::MAILBOX_INVALID.at(
                    mailbox_span,
                    msg!("invalid mailbox: {reason}").text("reason", reason),
                ));
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
                msg!("expected a space before parameters after the path"),
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
                        msg!("trailing space at the end of the command"),
                    );
                }
                break;
            }
            if pos > start + 1 {
                self.syntax(
                    Span::new(start, pos),
                    msg!("more than one space between parameters"),
                );
            }
            let end = find(input, pos, |b| b == b' ').unwrap_or(input.len());
            let span = Span::new(pos, end);
            if raw.len() >= MAX_PARAMS {
                self.lints.push(lints::PARAM_INVALID.at(
                    Span::new(pos, input.len()),
                    msg!(
                        "more than {MAX_PARAMS} parameters; the rest are ignored",
                        MAX_PARAMS
                    ),
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

pub(super) fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || b >= 0x80
}

/// Local part or path over the sizes of RFC 5321 §4.5.3.1.1 and §4.5.3.1.3, which "SHOULD be
/// avoided" (servers may reject them); the reason, or `None`.
pub(super) fn oversized_path(m: &[u8]) -> Option<Message> {
    let local = split_mailbox(m).unwrap_or(0);
    if local > MAX_LOCAL_PART {
        return Some(msg!(
            "local part is {local} octets; RFC 5321 §4.5.3.1.1 sets 64 as the maximum, larger objects should be avoided (§4.5.3.1) and servers may reject them",
            local
        ));
    }
    (m.len() + 2 > MAX_PATH).then(|| {
        msg!(
            "path is {n} octets; RFC 5321 §4.5.3.1.3 sets 256 as the maximum, larger objects should be avoided (§4.5.3.1) and servers may reject them",
            n = m.len() + 2
        )
    })
}

/// Checks `local@domain` against RFC 5321 §4.1.2 (and RFC 6531 §3.3 for UTF-8). Returns why it
/// is invalid, if it is.
pub(super) fn check_mailbox(m: &[u8]) -> Option<Message> {
    let Some(at) = split_mailbox(m) else {
        return Some(msg!("no '@' separating local part and domain"));
    };
    let local = m.get(..at).unwrap_or_default();
    let domain = m.get(at + 1..).unwrap_or_default();
    if local.is_empty() {
        return Some(msg!("empty local part"));
    }
    if local.first() == Some(&b'"') {
        if local.len() < 2 || local.last() != Some(&b'"') {
            return Some(msg!("unterminated quoted local part"));
        }
        let inner = local.get(1..local.len() - 1).unwrap_or_default();
        let mut i = 0;
        while let Some(&b) = inner.get(i) {
            if b == b'\\' {
                match inner.get(i + 1) {
                    Some(&n) if (32..=126).contains(&n) || n >= 0x80 => i += 2,
                    _ => return Some(msg!("bad backslash escape in quoted local part")),
                }
                continue;
            }
            if b == b'"' || (b < 32 || b == 127) {
                return Some(msg!("invalid character in quoted local part"));
            }
            i += 1;
        }
    } else {
        for (i, atom) in local.split(|&b| b == b'.').enumerate() {
            if atom.is_empty() {
                return Some(if i == 0 {
                    msg!("local part starts with '.'")
                } else {
                    msg!("empty atom in local part ('..' or a trailing '.')")
                });
            }
            if let Some(&b) = atom.iter().find(|&&b| !is_atext(b)) {
                return Some(msg!(
                    "character {c} in the local part must be quoted",
                    c = format_args!("{:?}", char::from(b))
                ));
            }
        }
    }
    check_domain_or_literal(domain)
}

/// Checks a domain or address literal (RFC 5321 §4.1.2, §4.1.3).
pub(super) fn check_domain_or_literal(d: &[u8]) -> Option<Message> {
    if d.is_empty() {
        return Some(msg!("empty domain"));
    }
    if d.len() > MAX_DOMAIN {
        return Some(msg!(
            "domain is {n} octets; RFC 5321 §4.5.3.1.2 allows 255",
            n = d.len()
        ));
    }
    if d.first() == Some(&b'[') {
        let ok = d.len() > 2
            && d.last() == Some(&b']')
            && d.get(1..d.len() - 1)
                .unwrap_or_default()
                .iter()
                .all(|&b| (33..=126).contains(&b) && !matches!(b, b'[' | b']' | b'\\'));
        return (!ok).then(|| msg!("malformed address literal"));
    }
    for label in d.split(|&b| b == b'.') {
        if label.is_empty() {
            return Some(msg!("empty label in domain"));
        }
        if label.len() > 63 {
            return Some(msg!("domain label longer than 63 octets"));
        }
        if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return Some(msg!("domain label starts or ends with '-'"));
        }
        if let Some(&b) = label
            .iter()
            .find(|&&b| !(b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80))
        {
            return Some(msg!(
                "character {c} is not allowed in a domain",
                c = format_args!("{:?}", char::from(b))
            ));
        }
    }
    None
}

pub(super) fn is_source_route(r: &[u8]) -> bool {
    !r.is_empty()
        && r.split(|&b| b == b',').all(|item| {
            item.first() == Some(&b'@')
                && check_domain_or_literal(item.get(1..).unwrap_or_default()).is_none()
        })
}
