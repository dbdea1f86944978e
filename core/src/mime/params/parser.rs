//! The parser: white space, comments and quoted strings, and the `*(";" parameter)` list with
//! its parameters grouped by name.

use crate::lint::msg;
use std::borrow::Cow;
use std::collections::HashMap;

use crate::lint::Lint;
use crate::mime::header;
use crate::mime::lints;
use crate::span::Span;

use super::rfc2231::{Group, Section};
use super::{Param, MAX_LINTS, MAX_PARAMS};

/// Parameter names seen so far are looked up by a linear scan up to this many names, then
/// through a hash index (so that thousands of names stay linear time).
const LINEAR_LOOKUP: usize = 16;

pub(super) struct Parser<'a> {
    pub(super) raw: &'a [u8],
    pub(super) pos: usize,
    pub(super) lints: Vec<Lint>,
    /// Operations done: bytes consumed, sections stored, bytes copied, comparisons.
    pub(super) work: usize,
}

fn is_tspecial(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    )
}

fn is_token(b: u8) -> bool {
    b > b' ' && b < 0x7F && !is_tspecial(b)
}

impl<'a> Parser<'a> {
    pub(super) fn new(raw: &'a [u8]) -> Self {
        Parser {
            raw,
            pos: 0,
            lints: Vec::new(),
            work: 0,
        }
    }

    /// Adds a finding unless [`MAX_LINTS`] are already there.
    pub(super) fn lint(&mut self, lint: Lint) {
        if self.lints.len() < MAX_LINTS {
            self.lints.push(lint);
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.raw.get(self.pos).copied()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.raw.len()
    }

    pub(super) fn bump(&mut self) {
        self.pos += 1;
        self.work += 1;
    }

    /// Skips whitespace, folding and comments (nested to any depth, counted not recursed).
    pub(super) fn skip_cfws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.bump(),
                b'(' => {
                    let start = self.pos;
                    let (end, depth) = header::scan_comment(self.raw, start, None);
                    self.work += end - start;
                    self.pos = end;
                    if depth > 0 {
                        self.lint(lints::PARAM_INVALID.at(
                            Span::new(start, self.pos),
                            msg!("comment not closed ({depth} unclosed '(')", depth),
                        ));
                    }
                }
                _ => break,
            }
        }
    }

    /// A run of token characters, borrowed (they are ASCII, so always UTF-8).
    pub(super) fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_token) {
            self.bump();
        }
        std::str::from_utf8(Span::new(start, self.pos).slice(self.raw)).unwrap_or_default()
    }

    /// Skips to the next `;` outside quotes (or the end), not consuming it.
    pub(super) fn skip_to_semicolon(&mut self) {
        let mut quoted = false;
        while let Some(b) = self.peek() {
            match b {
                b';' if !quoted => return,
                b'"' => quoted = !quoted,
                b'\\' if quoted => {
                    self.bump();
                }
                _ => {}
            }
            if !self.at_end() {
                self.bump();
            }
        }
    }

    /// A quoted-string starting at the opening quote: its unescaped content, borrowed when
    /// it holds no `\\` and no line break.
    fn quoted(&mut self) -> Cow<'a, [u8]> {
        let start = self.pos;
        self.bump();
        let body = self.raw.get(self.pos..).unwrap_or_default();
        if let Some(n) = body
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))
        {
            if body.get(n) == Some(&b'"') {
                // Consumed like the loop below would: the content, then the closing quote.
                self.pos += n + 1;
                self.work += n + 1;
                return Cow::Borrowed(body.get(..n).unwrap_or_default());
            }
        }
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    self.lint(lints::PARAM_INVALID.at(
                        Span::new(start, self.pos),
                        msg!("quoted-string not closed before the end of the field"),
                    ));
                    return Cow::Owned(out);
                }
                Some(b'"') => {
                    self.bump();
                    return Cow::Owned(out);
                }
                Some(b'\\') => {
                    self.bump();
                    if let Some(c) = self.peek() {
                        out.push(c);
                        self.bump();
                    }
                }
                // Folding inside a quoted-string: the line break goes, the blank stays.
                Some(b'\r' | b'\n') => self.bump(),
                Some(c) => {
                    out.push(c);
                    self.bump();
                }
            }
        }
    }

    /// Reads `*(";" parameter)` to the end and assembles the parameters.
    pub(super) fn params(&mut self) -> Vec<Param> {
        let mut groups: Vec<Group<'a>> = Vec::new();
        // Built once there are more than LINEAR_LOOKUP names.
        let mut index: Option<HashMap<String, usize>> = None;
        let mut count = 0usize;
        loop {
            self.skip_cfws();
            match self.peek() {
                None => break,
                Some(b';') => {
                    self.bump();
                    continue;
                }
                Some(_) => {}
            }
            if count >= MAX_PARAMS {
                self.lint(lints::PARAM_LIMIT.at(
                    Span::new(self.pos, self.raw.len()),
                    msg!(
                        "more than {MAX_PARAMS} parameters; the rest are ignored",
                        MAX_PARAMS
                    ),
                ));
                self.pos = self.raw.len();
                break;
            }
            count += 1;
            let Some((name, section)) = self.parameter() else {
                continue;
            };
            self.work += 1;
            let found = match &index {
                Some(ix) => ix.get(&name).copied(),
                None => groups.iter().position(|g| g.name == name),
            };
            let g = match found {
                Some(i) => i,
                None => {
                    if let Some(ix) = &mut index {
                        ix.insert(name.clone(), groups.len());
                    } else if groups.len() >= LINEAR_LOOKUP {
                        let mut ix: HashMap<String, usize> = groups
                            .iter()
                            .enumerate()
                            .map(|(i, g)| (g.name.clone(), i))
                            .collect();
                        ix.insert(name.clone(), groups.len());
                        index = Some(ix);
                    }
                    groups.push(Group {
                        name,
                        simple: None,
                        ext: None,
                        sections: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let Some(group) = groups.get_mut(g) else {
                continue;
            };
            match (section.number, section.extended) {
                (Some(_), _) => group.sections.push(section),
                (None, true) => {
                    if group.ext.is_some() {
                        self.lint(lints::PARAM_DUPLICATE.at(
                            section.span,
                            msg!("{name}* given again; the first counts", name = &group.name),
                        ));
                    } else {
                        group.ext = Some(section);
                    }
                }
                (None, false) => {
                    if group.simple.is_some() {
                        self.lint(lints::PARAM_DUPLICATE.at(
                            section.span,
                            msg!("{name} given again; the first counts", name = &group.name),
                        ));
                    } else {
                        group.simple = Some(section);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(groups.len());
        for g in groups {
            if let Some(p) = self.assemble(g) {
                out.push(p);
            }
        }
        out
    }

    /// One `attribute = value`, or `None` (reported) when it is not one.
    fn parameter(&mut self) -> Option<(String, Section<'a>)> {
        let start = self.pos;
        let attr = self.token();
        if attr.is_empty() {
            self.skip_to_semicolon();
            self.lint(lints::PARAM_INVALID.at(
                Span::new(start, self.pos),
                msg!("expected a parameter name"),
            ));
            return None;
        }
        self.skip_cfws();
        if self.peek() != Some(b'=') {
            self.skip_to_semicolon();
            self.lint(lints::PARAM_INVALID.at(
                Span::new(start, self.pos),
                msg!(
                    "parameter {attr} has no '=' and value",
                    attr = format_args!("{attr:?}")
                ),
            ));
            return None;
        }
        self.bump();
        self.skip_cfws();
        let value_start = self.pos;
        let mut value;
        let quoted = self.peek() == Some(b'"');
        if quoted {
            value = self.quoted();
        } else {
            while self
                .peek()
                .is_some_and(|b| !matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n' | b'(' | b'"'))
            {
                self.bump();
            }
            value = Cow::Borrowed(Span::new(value_start, self.pos).slice(self.raw));
            if value.is_empty() {
                self.lint(lints::PARAM_INVALID.at(
                    Span::new(start, self.pos),
                    msg!(
                        "parameter {attr} has an empty value (use \"\")",
                        attr = format_args!("{attr:?}")
                    ),
                ));
            } else if let Some(&b) = value.iter().find(|&&b| !is_token(b)) {
                self.lint(lints::PARAM_INVALID.at(
                    Span::new(value_start, self.pos),
                    msg!(
                        "unquoted value contains {c}, which needs a quoted-string (RFC 2045 §5.1)",
                        c = format_args!("{:?}", char::from(b))
                    ),
                ));
            }
        }
        let mut end = self.pos;
        self.skip_cfws();
        if !self.at_end() && self.peek() != Some(b';') {
            let s = self.pos;
            self.skip_to_semicolon();
            let mut e = self.pos;
            while e > s && matches!(self.raw.get(e - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                e -= 1;
            }
            if !quoted {
                // `name=my file.pdf`: clients read up to the `;`.
                let mut v = Span::new(value_start, e).slice(self.raw).to_vec();
                v.retain(|&b| b != b'\r' && b != b'\n');
                value = Cow::Owned(v);
                end = e;
            }
            self.lint(lints::PARAM_INVALID.at(
                Span::new(s, e),
                msg!("unexpected text after the value of {attr}; a ';' is missing or the value needs quotes", attr = format_args!("{attr:?}")),
            ));
        }
        let span = Span::new(start, end);
        let (name, number, extended) = self.split_attribute(attr, span)?;
        Some((
            name,
            Section {
                number,
                extended,
                value,
                span,
            },
        ))
    }
}
