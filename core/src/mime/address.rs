//! Addresses and groups (RFC 5322 §3.4).
//!
//! ```text
//! address-list = address *("," address)
//! address      = mailbox / group
//! mailbox      = name-addr / addr-spec
//! name-addr    = [display-name] "<" addr-spec ">"
//! group        = display-name ":" [mailbox-list / CFWS] ";"
//! addr-spec    = local-part "@" domain
//! ```
//!
//! [`parse_address_list`] reads the field body of From, To, Cc, Bcc, Reply-To, Sender and the
//! like. It is total, linear and iterative: a lexer turns the bytes into words, quoted-strings,
//! domain literals, specials and comments (nested comments are counted, never recursed into, so
//! 100,000 levels cost nothing), and a flat state machine splits them at top-level commas.
//!
//! Leniency, each reported: the obsolete forms of RFC 5322 §4.4 (source routes, dots in display
//! names, empty list elements), missing `;` at the end of a group, unquoted specials in display
//! names (`john@example.com <john@example.com>`), addresses without a domain, and a comment
//! after a bare address used as its display name (`jdoe@example.com (John Doe)`, RFC 822 style,
//! not reported). Encoded-words in display names are decoded (RFC 2047 §5(3)); inside
//! quoted-strings they are decoded and reported. Raw UTF-8 is accepted (RFC 6532).

use crate::lint::msg;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::lint::{Lint, LintDef};
use crate::mime::encoded_word::{self, Context};
use crate::mime::header;
use crate::mime::lints;
use crate::mime::parse::trim_owned;
use crate::span::Span;

/// Most findings kept per field; the rest are dropped so that hostile input (a million empty
/// list elements) cannot grow the findings beyond a bound.
pub const MAX_LINTS: usize = 64;

/// One mailbox: an optional display name and an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The display name, decoded (RFC 2047) and unquoted; `None` when absent or empty.
    pub name: Option<String>,
    /// The addr-spec, `local@domain`, with comments and folding removed and a quoted local part
    /// kept in quotes. May lack `@domain` in broken input (reported).
    pub address: String,
    /// The mailbox in the input, display name included.
    pub span: Span,
}

/// A named group of mailboxes (RFC 5322 §3.4), e.g. `undisclosed-recipients:;`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The group's display name, decoded.
    pub name: String,
    /// The members, possibly none.
    pub members: Vec<Mailbox>,
    /// The group in the input, from its name to its `;`.
    pub span: Span,
}

/// An element of an address list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A group of mailboxes.
    Group(Group),
}

/// A parsed address list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddressList {
    /// The elements in order.
    pub entries: Vec<Address>,
    /// Findings; spans are relative to the input.
    pub lints: Vec<Lint>,
}

impl AddressList {
    /// Every mailbox, group members included, in order.
    pub fn mailboxes(&self) -> Vec<&Mailbox> {
        mailboxes(&self.entries).collect()
    }
}

/// Every mailbox of `entries`, group members included, in order.
pub fn mailboxes(entries: &[Address]) -> impl Iterator<Item = &Mailbox> {
    entries.iter().flat_map(|e| match e {
        Address::Mailbox(m) => std::slice::from_ref(m),
        Address::Group(g) => g.members.as_slice(),
    })
}

#[derive(Debug, Clone)]
enum Tok<'a> {
    /// A run of atext (and 8-bit) bytes.
    Atom(Span),
    /// A quoted-string: its span and unescaped content (borrowed when nothing was escaped or
    /// folded).
    Quoted(Span, Cow<'a, [u8]>),
    /// A domain literal `[...]`.
    Literal(Span),
    /// One of `< > , : ; @ .`
    Special(u8, usize),
    /// A comment: its span (its text is read only when it serves as a display name).
    Comment(Span),
}

impl Tok<'_> {
    fn span(&self) -> Span {
        match self {
            Tok::Atom(s) | Tok::Quoted(s, _) | Tok::Literal(s) | Tok::Comment(s) => *s,
            Tok::Special(_, at) => Span::new(*at, at + 1),
        }
    }

    fn is(&self, c: u8) -> bool {
        matches!(self, Tok::Special(b, _) if *b == c)
    }
}

struct Lints(Vec<Lint>);

impl Lints {
    fn push(&mut self, def: &'static LintDef, span: Span, msg: crate::lint::Message) {
        if self.0.len() < MAX_LINTS {
            self.0.push(def.at(span, msg));
        }
    }
}

fn is_atom_byte(b: u8) -> bool {
    b >= 0x80
        || (b > b' '
            && b < 0x7F
            && !matches!(
                b,
                b'(' | b')'
                    | b'<'
                    | b'>'
                    | b'['
                    | b']'
                    | b':'
                    | b';'
                    | b'@'
                    | b'\\'
                    | b','
                    | b'.'
                    | b'"'
            ))
}

/// Reads a delimited run (`"…"`, `[…]`) from the opening byte: its end, unescaped content
/// (borrowed from `raw` when it holds no `\\`, CR or LF) and whether it was closed.
fn delimited(raw: &[u8], start: usize, close: u8) -> (usize, Cow<'_, [u8]>, bool) {
    let body = raw.get(start + 1..).unwrap_or_default();
    match body
        .iter()
        .position(|&b| b == close || matches!(b, b'\\' | b'\r' | b'\n'))
    {
        Some(n) if body.get(n) == Some(&close) => {
            let content = body.get(..n).unwrap_or_default();
            return (start + n + 2, Cow::Borrowed(content), true);
        }
        None => return (raw.len(), Cow::Borrowed(body), false),
        Some(_) => {}
    }
    let mut out = Vec::new();
    let mut i = start + 1;
    while let Some(&b) = raw.get(i) {
        i += 1;
        match b {
            b'\\' => {
                if let Some(&c) = raw.get(i) {
                    out.push(c);
                    i += 1;
                }
            }
            b'\r' | b'\n' => {}
            _ if b == close => return (i, Cow::Owned(out), true),
            _ => out.push(b),
        }
    }
    (i, Cow::Owned(out), false)
}

fn lex<'a>(raw: &'a [u8], lints: &mut Lints) -> Vec<Tok<'a>> {
    let mut toks = Vec::with_capacity(16);
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'"' => {
                let (end, content, closed) = delimited(raw, i, b'"');
                if !closed {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(i, end),
                        msg!("quoted-string not closed"),
                    );
                }
                toks.push(Tok::Quoted(Span::new(i, end), content));
                i = end;
            }
            b'[' => {
                let (end, _, closed) = delimited(raw, i, b']');
                if !closed {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(i, end),
                        msg!("domain literal not closed with ']'"),
                    );
                }
                toks.push(Tok::Literal(Span::new(i, end)));
                i = end;
            }
            b'(' => {
                let start = i;
                let (end, depth) = header::scan_comment(raw, start, None);
                i = end;
                if depth > 0 {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(start, i),
                        msg!("comment not closed ({depth} unclosed '(')", depth),
                    );
                }
                toks.push(Tok::Comment(Span::new(start, i)));
            }
            b'<' | b'>' | b',' | b':' | b';' | b'@' | b'.' => {
                toks.push(Tok::Special(b, i));
                i += 1;
            }
            b')' | b']' | b'\\' => {
                lints.push(
                    &lints::ADDRESS_INVALID,
                    Span::new(i, i + 1),
                    msg!("stray {c}", c = format_args!("{:?}", char::from(b))),
                );
                i += 1;
            }
            _ => {
                let start = i;
                while raw.get(i).copied().is_some_and(is_atom_byte) {
                    i += 1;
                }
                if i == start {
                    // A control character: skip it.
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(i, i + 1),
                        msg!("control character {c}", c = format_args!("0x{b:02X}")),
                    );
                    i += 1;
                } else {
                    toks.push(Tok::Atom(Span::new(start, i)));
                }
            }
        }
    }
    toks
}

/// Parses an address list (or a single mailbox, as in From and Sender); spans are relative to
/// `raw`.
pub fn parse_address_list(raw: &[u8]) -> AddressList {
    let mut lints = Lints(Vec::new());
    let toks = lex(raw, &mut lints);
    let mut entries = Vec::new();
    // The open group: name, members, start offset.
    let mut group: Option<(String, Vec<Mailbox>, usize)> = None;
    let mut unit: Vec<&Tok> = Vec::with_capacity(toks.len());
    let mut angle = false;
    let mut route = false;
    for tok in &toks {
        match tok {
            Tok::Special(b'<', at) => {
                if angle {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!("'<' inside '<…>'"),
                    );
                }
                angle = true;
                route = false;
                unit.push(tok);
            }
            Tok::Special(b'>', at) => {
                if !angle {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!("'>' without '<'"),
                    );
                }
                angle = false;
                unit.push(tok);
            }
            Tok::Special(b'@', _) if angle && unit.last().is_some_and(|t| t.is(b'<')) => {
                route = true;
                unit.push(tok);
            }
            Tok::Special(b',', at) if !(angle && route) => {
                if angle {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!("'<' not closed with '>' before ','"),
                    );
                    angle = false;
                }
                finish(raw, &unit, &mut group, &mut entries, &mut lints, Some(*at));
                unit.clear();
            }
            Tok::Special(b':', at) if !angle => {
                let has_addr = unit.iter().any(|t| t.is(b'@') || t.is(b'<'));
                if group.is_none() && !has_addr {
                    let name = phrase(raw, &unit, &mut lints).unwrap_or_default();
                    let start = unit.first().map_or(*at, |t| t.span().start);
                    group = Some((name, Vec::new(), start));
                    unit.clear();
                } else {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        if group.is_some() {
                            msg!("':' inside a group (groups do not nest)")
                        } else {
                            msg!("stray ':'")
                        },
                    );
                }
            }
            Tok::Special(b':', _) if angle && route => {
                route = false;
                unit.push(tok);
            }
            Tok::Special(b';', at) if !angle => {
                finish(raw, &unit, &mut group, &mut entries, &mut lints, None);
                unit.clear();
                match group.take() {
                    Some((name, members, start)) => entries.push(Address::Group(Group {
                        name,
                        members,
                        span: Span::new(start, at + 1),
                    })),
                    None => lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!("';' outside a group"),
                    ),
                }
            }
            _ => unit.push(tok),
        }
    }
    if angle {
        let at = unit
            .iter()
            .rev()
            .find(|t| t.is(b'<'))
            .map_or(raw.len(), |t| t.span().start);
        lints.push(
            &lints::ADDRESS_INVALID,
            Span::new(at, raw.len()),
            msg!("'<' not closed with '>'"),
        );
    }
    finish(raw, &unit, &mut group, &mut entries, &mut lints, None);
    if let Some((name, members, start)) = group.take() {
        lints.push(
            &lints::ADDRESS_INVALID,
            Span::new(start, raw.len()),
            msg!(
                "group {name} not closed with ';'",
                name = format_args!("{name:?}")
            ),
        );
        entries.push(Address::Group(Group {
            name,
            members,
            span: Span::new(start, raw.len()),
        }));
    }
    AddressList {
        entries,
        lints: lints.0,
    }
}

/// `toks` without comments, borrowed when there is none (the common case).
fn without_comments<'t, 'a>(toks: &'t [&'t Tok<'a>]) -> Cow<'t, [&'t Tok<'a>]> {
    if toks.iter().any(|t| matches!(t, Tok::Comment(..))) {
        Cow::Owned(
            toks.iter()
                .copied()
                .filter(|t| !matches!(t, Tok::Comment(..)))
                .collect(),
        )
    } else {
        Cow::Borrowed(toks)
    }
}

/// Ends one list element: turns its tokens into a mailbox in the open group or the list.
/// `comma` is the offset of the `,` that ended it, if any.
fn finish(
    raw: &[u8],
    unit: &[&Tok],
    group: &mut Option<(String, Vec<Mailbox>, usize)>,
    entries: &mut Vec<Address>,
    lints: &mut Lints,
    comma: Option<usize>,
) {
    let words = without_comments(unit);
    if words.is_empty() {
        if let Some(at) = comma {
            lints.push(
                &lints::ADDRESS_OBSOLETE,
                Span::new(at, at + 1),
                msg!("empty list element (obs-addr-list)"),
            );
        }
        return;
    }
    let Some(mailbox) = mailbox(raw, unit, &words, lints) else {
        return;
    };
    match group {
        Some((_, members, _)) => members.push(mailbox),
        None => entries.push(Address::Mailbox(mailbox)),
    }
}

fn mailbox(raw: &[u8], unit: &[&Tok], words: &[&Tok], lints: &mut Lints) -> Option<Mailbox> {
    let start = unit.first()?.span().start;
    let end = unit.last()?.span().end;
    let span = Span::new(start, end);
    if let Some(lt) = words.iter().position(|t| t.is(b'<')) {
        let gt = words
            .iter()
            .skip(lt)
            .position(|t| t.is(b'>'))
            .map_or(words.len(), |p| p + lt);
        let mut inner = words.get(lt + 1..gt).unwrap_or_default();
        if inner.first().is_some_and(|t| t.is(b'@')) {
            // obs-route: "@a,@b:" before the addr-spec.
            let colon = inner.iter().position(|t| t.is(b':'));
            let route_end = colon.map_or(inner.len(), |c| c + 1);
            let rs = inner.first().map_or(start, |t| t.span().start);
            let re = inner
                .get(route_end.saturating_sub(1))
                .map_or(rs, |t| t.span().end);
            lints.push(
                &lints::ADDRESS_OBSOLETE,
                Span::new(rs, re),
                msg!("source route before the address (obs-route); ignored"),
            );
            inner = inner.get(route_end..).unwrap_or_default();
        }
        if let Some(extra) = words.get(gt + 1..).filter(|w| !w.is_empty()) {
            let s = extra.first().map_or(end, |t| t.span().start);
            lints.push(
                &lints::ADDRESS_INVALID,
                Span::new(s, end),
                msg!("text after '>' (a ',' is missing?)"),
            );
        }
        let address = addr_spec(raw, inner, span, lints);
        let name = phrase(raw, words.get(..lt).unwrap_or_default(), lints);
        return Some(Mailbox {
            name,
            address,
            span,
        });
    }
    let address = addr_spec(raw, words, span, lints);
    // RFC 822 style: `jdoe@example.com (John Doe)`.
    let name = unit.iter().rev().find_map(|t| match t {
        Tok::Comment(s) => {
            let mut text = Vec::with_capacity(s.len());
            header::scan_comment(raw, s.start, Some(&mut text));
            let d = encoded_word::decode_text_only(&text, Context::Phrase);
            let n = trim_owned(d.text);
            (!n.is_empty()).then_some(n)
        }
        _ => None,
    });
    Some(Mailbox {
        name,
        address,
        span,
    })
}

/// Rebuilds `local@domain` from its tokens, reporting what is missing.
fn addr_spec(raw: &[u8], words: &[&Tok], span: Span, lints: &mut Lints) -> String {
    let mut out = String::with_capacity(span.len());
    let mut ats = 0;
    let mut prev_word = false;
    for t in words {
        let is_word = matches!(t, Tok::Atom(_) | Tok::Quoted(..) | Tok::Literal(_));
        if is_word && prev_word {
            lints.push(
                &lints::ADDRESS_INVALID,
                t.span(),
                msg!("words of an address not joined by '.' (a ',' is missing?)"),
            );
            out.push(' ');
        }
        prev_word = is_word;
        match t {
            // Atoms hold no CR or LF, so this is a lossy UTF-8 copy.
            Tok::Atom(s) => encoded_word::push_plain(&mut out, s.slice(raw)),
            Tok::Literal(s) => out.push_str(&String::from_utf8_lossy(s.slice(raw))),
            Tok::Quoted(_, content) => {
                let c = String::from_utf8_lossy(content);
                let plain = !c.is_empty() && c.bytes().all(is_atom_byte);
                if plain {
                    out.push_str(&c);
                } else {
                    out.push('"');
                    for ch in c.chars() {
                        if ch == '"' || ch == '\\' {
                            out.push('\\');
                        }
                        out.push(ch);
                    }
                    out.push('"');
                }
            }
            Tok::Special(b, at) => {
                if *b == b'@' {
                    ats += 1;
                }
                if matches!(b, b'@' | b'.') {
                    out.push(char::from(*b));
                } else {
                    lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!(
                            "unexpected {c} in an address",
                            c = format_args!("{:?}", char::from(*b))
                        ),
                    );
                }
            }
            Tok::Comment(..) => {}
        }
    }
    let (local, domain) = out.rsplit_once('@').unwrap_or((out.as_str(), ""));
    if out.is_empty() {
        lints.push(&lints::ADDRESS_INVALID, span, msg!("empty address"));
    } else if ats == 0 {
        lints.push(
            &lints::ADDRESS_INVALID,
            span,
            msg!(
                "{address} has no @domain",
                address = format_args!("{out:?}")
            ),
        );
    } else if ats > 1 || local.is_empty() || domain.is_empty() {
        lints.push(
            &lints::ADDRESS_INVALID,
            span,
            msg!(
                "{address} is not local-part@domain",
                address = format_args!("{out:?}")
            ),
        );
    }
    out
}

/// Turns the tokens of a display name into text: atoms decoded as RFC 2047 words (adjacent
/// words joined, §6.2), quoted-strings unquoted. `None` when empty.
fn phrase(raw: &[u8], toks: &[&Tok], lints: &mut Lints) -> Option<String> {
    let words = without_comments(toks);
    let start = words.first()?.span().start;
    let end = words.last()?.span().end;
    let span = Span::new(start, end);
    let mut name = String::new();
    // The current run of atoms and specials, with one space where the input had a gap.
    let mut run: Vec<u8> = Vec::with_capacity(span.len());
    // The first piece of text becomes the name (most names are one piece); later ones are
    // appended.
    let append = |name: &mut String, text: String| {
        if name.is_empty() {
            *name = text;
        } else {
            name.push_str(&text);
        }
    };
    let flush = |run: &mut Vec<u8>, name: &mut String, lints: &mut Lints| {
        if run.is_empty() {
            return;
        }
        let d = encoded_word::decode_text_only(run, Context::Phrase);
        for l in d.lints {
            lints.push(lint_def(&l), span, l.text);
        }
        append(name, d.text);
        run.clear();
    };
    let mut dots = false;
    let mut prev_end: Option<usize> = None;
    for t in words.iter() {
        let s = t.span();
        let gap = prev_end.is_some_and(|e| e < s.start);
        prev_end = Some(s.end);
        match t {
            Tok::Quoted(_, content) => {
                flush(&mut run, &mut name, lints);
                let d = encoded_word::decode_text_only(content, Context::QuotedString);
                for l in d.lints {
                    lints.push(lint_def(&l), span, l.text);
                }
                if gap {
                    name.push(' ');
                }
                append(&mut name, d.text);
            }
            _ => {
                if gap && !(run.is_empty() && name.is_empty()) {
                    if run.is_empty() {
                        name.push(' ');
                    } else {
                        run.push(b' ');
                    }
                }
                match t {
                    Tok::Special(b'.', _) => dots = true,
                    Tok::Special(b, at) => lints.push(
                        &lints::ADDRESS_INVALID,
                        Span::new(*at, at + 1),
                        msg!(
                            "{c} in a display name must be quoted",
                            c = format_args!("{:?}", char::from(*b))
                        ),
                    ),
                    _ => {}
                }
                run.extend_from_slice(s.slice(raw));
            }
        }
    }
    flush(&mut run, &mut name, lints);
    if dots {
        lints.push(
            &lints::ADDRESS_OBSOLETE,
            span,
            msg!("'.' in an unquoted display name (obs-phrase)"),
        );
    }
    let name = trim_owned(name);
    (!name.is_empty()).then_some(name)
}

/// The catalog entry of a lint produced by the encoded-word decoder, to re-emit it here.
fn lint_def(l: &Lint) -> &'static LintDef {
    crate::mime::CATALOG
        .iter()
        .copied()
        .find(|d| d.code == l.code)
        .unwrap_or(&lints::ENCODED_WORD_INVALID)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn flat(l: &AddressList) -> Vec<(Option<&str>, &str)> {
        l.mailboxes()
            .into_iter()
            .map(|m| (m.name.as_deref(), m.address.as_str()))
            .collect()
    }

    fn codes(l: &AddressList) -> Vec<&str> {
        l.lints.iter().map(|l| l.code.as_ref()).collect()
    }

    #[test]
    fn address_lists() {
        type Case<'a> = (&'a str, &'a [(Option<&'a str>, &'a str)], &'a [&'a str]);
        let cases: &[Case] = &[
            ("jdoe@example.com", &[(None, "jdoe@example.com")], &[]),
            ("John Doe <jdoe@example.com>", &[(Some("John Doe"), "jdoe@example.com")], &[]),
            (
                "\"Doe, John\" <jdoe@example.com>, mary@x.test",
                &[(Some("Doe, John"), "jdoe@example.com"), (None, "mary@x.test")],
                &[],
            ),
            // RFC 5322 Appendix A.1.2 and A.1.3.
            (
                "\"Joe Q. Public\" <john.q.public@example.com>",
                &[(Some("Joe Q. Public"), "john.q.public@example.com")],
                &[],
            ),
            (
                "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
                &[
                    (Some("Mary Smith"), "mary@x.test"),
                    (None, "jdoe@example.org"),
                    (Some("Who?"), "one@y.test"),
                ],
                &[],
            ),
            (
                "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
                &[
                    (None, "boss@nil.test"),
                    (Some("Giant; \"Big\" Box"), "sysservices@example.net"),
                ],
                &[],
            ),
            (
                "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
                &[
                    (Some("Ed Jones"), "c@a.test"),
                    (None, "joe@where.test"),
                    (Some("John"), "jdoe@one.test"),
                ],
                &[],
            ),
            ("Undisclosed recipients:;", &[], &[]),
            // RFC 5322 Appendix A.5: comments and folding.
            (
                "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
                &[(Some("Pete"), "pete@silly.test")],
                &[],
            ),
            (
                "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
                &[
                    (Some("Chris Jones"), "c@public.example"),
                    (None, "joe@example.org"),
                    (Some("John"), "jdoe@one.test"),
                ],
                &[],
            ),
            // Comment as name (RFC 822 style).
            ("jdoe@example.com (John Doe)", &[(Some("John Doe"), "jdoe@example.com")], &[]),
            // Encoded-words in display names.
            (
                "=?EUC-KR?B?vsiz58fPvLy/5C4=?= <kim@example.kr>",
                &[(Some("안녕하세요."), "kim@example.kr")],
                &[],
            ),
            (
                "=?UTF-8?Q?J=C3=B6rg?= =?UTF-8?Q?_M=C3=BCller?= <j@x.de>",
                &[(Some("Jörg Müller"), "j@x.de")],
                &[],
            ),
            (
                "\"=?UTF-8?Q?J=C3=B6rg?=\" <j@x.de>",
                &[(Some("Jörg"), "j@x.de")],
                &["mime.encoded-word-invalid"],
            ),
            // Raw UTF-8 (RFC 6532).
            ("Jörg <jörg@bücher.de>", &[(Some("Jörg"), "jörg@bücher.de")], &[]),
            // Obsolete forms.
            (
                "John Q. Public <jqp@x.test>",
                &[(Some("John Q. Public"), "jqp@x.test")],
                &["mime.address-obsolete"],
            ),
            (
                "<@a.test,@b.test:joe@c.test>",
                &[(None, "joe@c.test")],
                &["mime.address-obsolete"],
            ),
            (
                "a@x.test,,b@y.test",
                &[(None, "a@x.test"), (None, "b@y.test")],
                &["mime.address-obsolete"],
            ),
            (
                "\"quoted local\"@x.test",
                &[(None, "\"quoted local\"@x.test")],
                &[],
            ),
            ("john . doe @ x . test", &[(None, "john.doe@x.test")], &[]),
            ("x@[192.0.2.1]", &[(None, "x@[192.0.2.1]")], &[]),
            // Broken input, reported.
            (
                "john@x.test <john@x.test>",
                &[(Some("john@x.test"), "john@x.test")],
                &["mime.address-invalid", "mime.address-obsolete"],
            ),
            ("postmaster", &[(None, "postmaster")], &["mime.address-invalid"]),
            ("<>", &[(None, "")], &["mime.address-invalid"]),
            ("Joe <joe@x.test", &[(Some("Joe"), "joe@x.test")], &["mime.address-invalid"]),
            (
                "a@x.test b@y.test",
                &[(None, "a@x.test b@y.test")],
                &["mime.address-invalid", "mime.address-invalid"],
            ),
            (
                "Team: a@x.test",
                &[(None, "a@x.test")],
                &["mime.address-invalid"],
            ),
            ("\"unterminated <a@x.test>", &[(None, "\"unterminated <a@x.test>\"")], &["mime.address-invalid", "mime.address-invalid"]),
            ("", &[], &[]),
        ];
        for (raw, want, want_codes) in cases {
            let l = parse_address_list(raw.as_bytes());
            assert_eq!(
                (flat(&l), codes(&l)),
                (want.to_vec(), want_codes.to_vec()),
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn groups_and_spans() {
        let raw = "A Team: x@a.test, y@b.test; solo@c.test, Empty:;";
        let l = parse_address_list(raw.as_bytes());
        assert_eq!(l.entries.len(), 3, "{:?}", l.entries);
        match &l.entries[0] {
            Address::Group(g) => {
                assert_eq!((g.name.as_str(), g.members.len()), ("A Team", 2));
                assert_eq!(g.span.slice(raw.as_bytes()), b"A Team: x@a.test, y@b.test;");
                assert_eq!(g.members[1].span.slice(raw.as_bytes()), b"y@b.test");
            }
            other => panic!("expected a group, got {other:?}"),
        }
        match &l.entries[2] {
            Address::Group(g) => assert_eq!((g.name.as_str(), g.members.len()), ("Empty", 0)),
            other => panic!("expected a group, got {other:?}"),
        }
        let json = serde_json::to_string(&l.entries[1]).expect("serializes");
        assert!(json.contains("\"type\":\"mailbox\""), "{json}");
    }

    #[test]
    fn hostile_inputs() {
        let n = 100_000;
        let deep = format!("a@x.test {}{}, b@y.test", "(".repeat(n), ")".repeat(n));
        let l = parse_address_list(deep.as_bytes());
        let addrs: Vec<&str> = l.mailboxes().iter().map(|m| m.address.as_str()).collect();
        assert_eq!(addrs, vec!["a@x.test", "b@y.test"]);
        let open = format!("a@x.test {}", "(".repeat(n));
        let l = parse_address_list(open.as_bytes());
        assert_eq!(codes(&l), vec!["mime.address-invalid"]);
        let commas = ",".repeat(200_000);
        let l = parse_address_list(commas.as_bytes());
        assert_eq!(
            (l.entries.len(), l.lints.len()),
            (0, MAX_LINTS),
            "lints are capped"
        );
        let many = "<".repeat(50_000);
        let l = parse_address_list(many.as_bytes());
        assert!(l.lints.len() <= MAX_LINTS);
        let mut rng = crate::testutil::XorShift::new(0x0123_4567_89AB_CDEF);
        let alphabet = b"<>,:;@.\"()[]\\ ab=?Q_\r\n\xc3\xa9\x00";
        for round in 0..500 {
            let buf = rng.bytes(round % 90, alphabet, round % 4 == 0);
            let l = parse_address_list(&buf);
            for lint in &l.lints {
                assert!(
                    lint.span.start <= lint.span.end && lint.span.end <= buf.len(),
                    "{buf:?}: {:?}",
                    lint.span
                );
            }
            for m in l.mailboxes() {
                assert!(m.span.end <= buf.len(), "{buf:?}: {:?}", m.span);
            }
        }
    }
}
