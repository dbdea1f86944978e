//! Content-Type and Content-Disposition parameters with RFC 2231 extensions.
//!
//! ```text
//! content     := type "/" subtype *(";" parameter)          ; RFC 2045 §5.1
//! disposition := disposition-type *(";" parameter)          ; RFC 2183 §2
//! parameter   := attribute "=" value                        ; value := token / quoted-string
//! attribute   := name / name "*" / name "*" section ["*"]   ; RFC 2231 §3, §4
//! ext-value   := [charset] "'" [language] "'" *(attribute-char / "%" 2HEXDIG)
//! ```
//!
//! The parsers are total and linear: every byte is consumed once, parameters are grouped by
//! name through a hash map, continuation sections are concatenated once (sorted only when they
//! arrive out of order), and the number of parameters read is bounded by [`MAX_PARAMS`].
//! Comments (RFC 5322 §3.2.2) may nest to any depth; a counter, not recursion, tracks them.
//!
//! Leniency follows mail clients: unquoted values with tspecials (`boundary==_Part_1`) or spaces
//! (`name=my file.pdf`) are read up to the next `;` and reported; RFC 2047 encoded-words in
//! `name`/`filename` values are decoded and reported (RFC 2047 §5 forbids them there); `filename*` wins over `filename`
//! (RFC 6266 §4.3); the first of duplicate parameters counts.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::charset;
use crate::mime::encoded_word::{self, Context};
use crate::mime::header;
use crate::mime::lints;
use crate::span::Span;

/// Most `attribute=value` pairs (continuation sections included) read from one field; the rest
/// are ignored with `mime.param-limit`.
pub const MAX_PARAMS: usize = 4096;
/// Highest RFC 2231 section number accepted (`name*4095`); higher ones are ignored with
/// `mime.param-limit`.
pub const MAX_SECTION_NUMBER: u32 = 4095;
/// Most findings kept per field, so that hostile input cannot grow them beyond a bound.
pub const MAX_LINTS: usize = 64;

/// One parameter after RFC 2231 decoding and continuation assembly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The attribute name, lowercase, without RFC 2231 `*` suffixes.
    pub name: String,
    /// The decoded value.
    pub value: String,
    /// The charset of an RFC 2231 extended value, as written (`utf-8` in `utf-8'en'…`).
    pub charset: Option<String>,
    /// The language of an RFC 2231 extended value, if not empty.
    pub language: Option<String>,
    /// From the first byte of the first section's attribute to the end of the last section's
    /// value.
    pub span: Span,
    /// Whether the value came from RFC 2231 extended syntax or continuations.
    pub extended: bool,
}

/// A parsed Content-Type field body (RFC 2045 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentType {
    /// The media type, lowercase (`text`); `text` when the field is invalid (RFC 2045 §5.2).
    #[serde(rename = "type")]
    pub type_: String,
    /// The subtype, lowercase (`plain`); `plain` when the field is invalid.
    pub subtype: String,
    /// The parameters in order of first appearance.
    pub params: Vec<Param>,
    /// Whether `type/subtype` was well formed; if not, RFC 2045 §5.2 says to treat the entity as
    /// `text/plain; charset=us-ascii`, and callers should ignore [`params`](Self::params).
    pub valid: bool,
    /// Findings; spans are relative to the input.
    pub lints: Vec<Lint>,
}

impl ContentType {
    /// The value of parameter `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        get(&self.params, name)
    }

    /// `type/subtype`, lowercase.
    pub fn mime_type(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }

    /// Whether the type is `multipart`.
    pub fn is_multipart(&self) -> bool {
        self.type_ == "multipart"
    }
}

/// A parsed Content-Disposition field body (RFC 2183 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    /// The disposition type, lowercase (`inline`, `attachment`, …); empty when missing.
    pub kind: String,
    /// The parameters in order of first appearance.
    pub params: Vec<Param>,
    /// Findings; spans are relative to the input.
    pub lints: Vec<Lint>,
}

impl Disposition {
    /// The value of parameter `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        get(&self.params, name)
    }
}

fn get<'a>(params: &'a [Param], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.value.as_str())
}

/// Parses a Content-Type field body (folded or unfolded); spans are relative to `raw`.
pub fn parse_content_type(raw: &[u8]) -> ContentType {
    parse_content_type_counted(raw).0
}

/// Parses a Content-Disposition field body; spans are relative to `raw`.
pub fn parse_disposition(raw: &[u8]) -> Disposition {
    let mut p = Parser::new(raw);
    p.skip_cfws();
    let start = p.pos;
    let kind = p.token().to_ascii_lowercase();
    if kind.is_empty() {
        p.lints.push(lints::DISPOSITION_INVALID.at(
            Span::new(start, raw.len().min(start + 1).max(start)),
            "no disposition type (expected `inline` or `attachment`)",
        ));
    }
    p.skip_cfws();
    if !p.at_end() && p.peek() != Some(b';') {
        let s = p.pos;
        p.skip_to_semicolon();
        p.lints.push(lints::DISPOSITION_INVALID.at(
            Span::new(s, p.pos),
            "unexpected text after the disposition type",
        ));
    }
    let params = p.params();
    Disposition {
        kind,
        params,
        lints: p.lints,
    }
}

/// [`parse_content_type`] plus the work done, for the linear-time tests.
fn parse_content_type_counted(raw: &[u8]) -> (ContentType, usize) {
    let mut p = Parser::new(raw);
    p.skip_cfws();
    let start = p.pos;
    let type_ = p.token().to_ascii_lowercase();
    p.skip_cfws();
    let slash = p.peek() == Some(b'/');
    let mut subtype = String::new();
    if slash {
        p.bump();
        p.skip_cfws();
        subtype = p.token().to_ascii_lowercase();
    }
    let valid = !type_.is_empty() && slash && !subtype.is_empty();
    p.skip_cfws();
    if valid && !p.at_end() && p.peek() != Some(b';') {
        let s = p.pos;
        p.skip_to_semicolon();
        p.lints.push(lints::CONTENT_TYPE_INVALID.at(
            Span::new(s, p.pos),
            "unexpected text after type/subtype (ignored)",
        ));
    }
    if !valid {
        p.skip_to_semicolon();
        p.lints.push(lints::CONTENT_TYPE_INVALID.at(
            Span::new(start, p.pos),
            format!(
                "{:?} is not type/subtype; treated as text/plain; charset=us-ascii",
                String::from_utf8_lossy(Span::new(start, p.pos).slice(raw))
            ),
        ));
    }
    let params = p.params();
    let work = p.work;
    let (type_, subtype) = if valid {
        (type_, subtype)
    } else {
        ("text".to_string(), "plain".to_string())
    };
    (
        ContentType {
            type_,
            subtype,
            params,
            valid,
            lints: p.lints,
        },
        work,
    )
}

/// One `attribute=value` pair as read; the value is borrowed from the input unless quoting or
/// folding had to be removed.
struct Section<'a> {
    number: Option<u32>,
    extended: bool,
    value: Cow<'a, [u8]>,
    span: Span,
}

/// All sections of one parameter name.
struct Group<'a> {
    name: String,
    simple: Option<Section<'a>>,
    ext: Option<Section<'a>>,
    sections: Vec<Section<'a>>,
}

/// Parameter names seen so far are looked up by a linear scan up to this many names, then
/// through a hash index (so that thousands of names stay linear time).
const LINEAR_LOOKUP: usize = 16;

struct Parser<'a> {
    raw: &'a [u8],
    pos: usize,
    lints: Vec<Lint>,
    /// Operations done: bytes consumed, sections stored, bytes copied, comparisons.
    work: usize,
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
    fn new(raw: &'a [u8]) -> Self {
        Parser {
            raw,
            pos: 0,
            lints: Vec::new(),
            work: 0,
        }
    }

    /// Adds a finding unless [`MAX_LINTS`] are already there.
    fn lint(&mut self, lint: Lint) {
        if self.lints.len() < MAX_LINTS {
            self.lints.push(lint);
        }
    }

    fn peek(&self) -> Option<u8> {
        self.raw.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.raw.len()
    }

    fn bump(&mut self) {
        self.pos += 1;
        self.work += 1;
    }

    /// Skips whitespace, folding and comments (nested to any depth, counted not recursed).
    fn skip_cfws(&mut self) {
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
                            format!("comment not closed ({depth} unclosed '(')"),
                        ));
                    }
                }
                _ => break,
            }
        }
    }

    /// A run of token characters, borrowed (they are ASCII, so always UTF-8).
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_token) {
            self.bump();
        }
        std::str::from_utf8(Span::new(start, self.pos).slice(self.raw)).unwrap_or_default()
    }

    /// Skips to the next `;` outside quotes (or the end), not consuming it.
    fn skip_to_semicolon(&mut self) {
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
                        "quoted-string not closed before the end of the field",
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
    fn params(&mut self) -> Vec<Param> {
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
                    format!("more than {MAX_PARAMS} parameters; the rest are ignored"),
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
                            format!("{}* given again; the first counts", group.name),
                        ));
                    } else {
                        group.ext = Some(section);
                    }
                }
                (None, false) => {
                    if group.simple.is_some() {
                        self.lint(lints::PARAM_DUPLICATE.at(
                            section.span,
                            format!("{} given again; the first counts", group.name),
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
            self.lint(
                lints::PARAM_INVALID.at(Span::new(start, self.pos), "expected a parameter name"),
            );
            return None;
        }
        self.skip_cfws();
        if self.peek() != Some(b'=') {
            self.skip_to_semicolon();
            self.lint(lints::PARAM_INVALID.at(
                Span::new(start, self.pos),
                format!("parameter {attr:?} has no '=' and value"),
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
                    format!("parameter {attr:?} has an empty value (use \"\")"),
                ));
            } else if let Some(&b) = value.iter().find(|&&b| !is_token(b)) {
                self.lint(lints::PARAM_INVALID.at(
                    Span::new(value_start, self.pos),
                    format!(
                        "unquoted value contains {:?}, which needs a quoted-string (RFC 2045 §5.1)",
                        char::from(b)
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
                format!("unexpected text after the value of {attr:?}; a ';' is missing or the value needs quotes"),
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

    /// `name`, `name*`, `name*N`, `name*N*` (RFC 2231 §3–4).
    fn split_attribute(&mut self, attr: &str, span: Span) -> Option<(String, Option<u32>, bool)> {
        let lower = attr.to_ascii_lowercase();
        let Some((name, rest)) = lower.split_once('*') else {
            return Some((lower, None, false));
        };
        if rest.is_empty() {
            let mut name = lower;
            name.pop();
            return Some((name, None, true));
        }
        let (digits, extended) = match rest.strip_suffix('*') {
            Some(d) => (d, true),
            None => (rest, false),
        };
        if name.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            self.lint(lints::PARAM_INVALID.at(
                span,
                format!("{attr:?} is not name, name*, name*N or name*N*"),
            ));
            return Some((lower, None, false));
        }
        if digits.len() > 1 && digits.starts_with('0') {
            self.lint(lints::PARAM_CONTINUATION_INVALID.at(
                span,
                format!("section number {digits} has a leading zero (RFC 2231 §3)"),
            ));
        }
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_SECTION_NUMBER => Some((name.to_string(), Some(n), extended)),
            _ => {
                self.lint(lints::PARAM_LIMIT.at(
                    span,
                    format!("section number {digits} is above {MAX_SECTION_NUMBER}; ignored"),
                ));
                None
            }
        }
    }

    /// Turns the sections of one name into a parameter.
    fn assemble(&mut self, g: Group<'_>) -> Option<Param> {
        let Group {
            name,
            simple,
            ext,
            mut sections,
        } = g;
        if !sections.is_empty() {
            if let Some(e) = &ext {
                self.lint(lints::PARAM_DUPLICATE.at(
                    e.span,
                    format!("both {name}* and {name}*0… given; the continuations count"),
                ));
            }
            return Some(self.assemble_sections(name, &mut sections));
        }
        if let Some(e) = ext {
            let span = e.span;
            let (bytes, cs, lang) = self.split_ext_value(&e.value, span);
            let value = self.decode_bytes(&bytes, cs.as_deref(), span);
            return Some(Param {
                name,
                value,
                charset: cs,
                language: lang,
                span,
                extended: true,
            });
        }
        let s = simple?;
        let value = self.plain_value(&name, &s.value, s.span);
        Some(Param {
            name,
            value,
            charset: None,
            language: None,
            span: s.span,
            extended: false,
        })
    }

    fn assemble_sections(&mut self, name: String, sections: &mut [Section<'_>]) -> Param {
        let sorted = sections
            .windows(2)
            .all(|w| w.first().map(|a| a.number) <= w.get(1).map(|b| b.number));
        self.work += sections.len();
        if !sorted {
            let mut comparisons = 0usize;
            sections.sort_by(|a, b| {
                comparisons += 1;
                a.number.cmp(&b.number)
            });
            self.work += comparisons;
        }
        let span = Span::new(
            sections.iter().map(|s| s.span.start).min().unwrap_or(0),
            sections.iter().map(|s| s.span.end).max().unwrap_or(0),
        );
        let mut bytes = Vec::new();
        let mut cs = None;
        let mut lang = None;
        let mut expected = 0u32;
        let mut all_plain = true;
        for s in sections.iter() {
            let n = s.number.unwrap_or(0);
            if n < expected {
                self.lint(lints::PARAM_CONTINUATION_INVALID.at(
                    s.span,
                    format!("section {name}*{n} given again; the first counts"),
                ));
                continue;
            }
            if n > expected {
                let msg = if expected == 0 {
                    format!("{name}*0 is missing; continuations start at section {n}")
                } else if n == expected + 1 {
                    format!("section {name}*{expected} is missing")
                } else {
                    format!("sections {name}*{expected} to {name}*{} are missing", n - 1)
                };
                self.lints
                    .push(lints::PARAM_CONTINUATION_INVALID.at(s.span, msg));
            }
            expected = n.saturating_add(1);
            self.work += s.value.len();
            if s.extended {
                all_plain = false;
                if n == 0 {
                    let (b, c, l) = self.split_ext_value(&s.value, s.span);
                    bytes.extend_from_slice(&b);
                    cs = c;
                    lang = l;
                } else {
                    let b = self.percent_decode(&s.value, s.span);
                    bytes.extend_from_slice(&b);
                }
            } else {
                bytes.extend_from_slice(&s.value);
            }
        }
        let value = if all_plain {
            self.plain_value(&name, &bytes, span)
        } else {
            self.decode_bytes(&bytes, cs.as_deref(), span)
        };
        Param {
            name,
            value,
            charset: cs,
            language: lang,
            span,
            extended: true,
        }
    }

    /// `charset'language'percent-encoded` → (octets, charset, language).
    fn split_ext_value(
        &mut self,
        v: &[u8],
        span: Span,
    ) -> (Vec<u8>, Option<String>, Option<String>) {
        let mut parts = v.splitn(3, |&b| b == b'\'');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(cs), Some(lang), Some(rest)) => {
                let cs = String::from_utf8_lossy(cs).into_owned();
                let lang = String::from_utf8_lossy(lang).into_owned();
                let bytes = self.percent_decode(rest, span);
                (
                    bytes,
                    (!cs.is_empty()).then_some(cs),
                    (!lang.is_empty()).then_some(lang),
                )
            }
            _ => {
                self.lint(lints::PARAM_INVALID.at(
                    span,
                    "extended value lacks the charset'language' prefix (RFC 2231 §4)",
                ));
                (self.percent_decode(v, span), None, None)
            }
        }
    }

    fn percent_decode(&mut self, v: &[u8], span: Span) -> Vec<u8> {
        let mut out = Vec::with_capacity(v.len());
        let mut bad = false;
        let mut i = 0;
        while let Some(&b) = v.get(i) {
            i += 1;
            if b == b'%' {
                if let Some(octet) = crate::codec::hex::pair_at(v, i) {
                    out.push(octet);
                    i += 2;
                    continue;
                }
                bad = true;
            }
            out.push(b);
        }
        if bad {
            self.lint(lints::PARAM_INVALID.at(
                span,
                "'%' not followed by two hex digits in an extended value; kept as written",
            ));
        }
        out
    }

    fn decode_bytes(&mut self, bytes: &[u8], cs: Option<&str>, span: Span) -> String {
        let Some(label) = cs else {
            let d = charset::decode_utf8_lossy(bytes);
            if d.had_errors {
                self.lint(
                    lints::CHARSET_MISMATCH
                        .at(span, "extended value names no charset and is not UTF-8"),
                );
            }
            return d.text;
        };
        match charset::decode(label, bytes) {
            Ok(d) => {
                if d.had_errors {
                    self.lint(lints::CHARSET_MISMATCH.at(
                        span,
                        format!("value is not valid {}; replaced by U+FFFD", d.encoding),
                    ));
                } else if d.ascii_with_8bit {
                    self.lint(
                        lints::CHARSET_MISMATCH
                            .at(span, "value declares US-ASCII but holds 8-bit octets"),
                    );
                }
                d.text
            }
            Err(e) => {
                self.lints
                    .push(lints::CHARSET_UNKNOWN.at(span, format!("{e}; value shown as UTF-8")));
                charset::decode_utf8_lossy(bytes).text
            }
        }
    }

    /// A plain (non-extended) value: UTF-8 (RFC 6532), and encoded-words decoded in `name` and
    /// `filename`.
    fn plain_value(&mut self, name: &str, bytes: &[u8], span: Span) -> String {
        if matches!(name, "name" | "filename") && encoded_word::has_word_start(bytes) {
            let d = encoded_word::decode_text(bytes, Context::Parameter);
            if d.words.iter().any(|w| w.decoded) {
                self.lint(lints::ENCODED_WORD_IN_PARAM.at(
                    span,
                    format!("{name} holds RFC 2047 encoded-words, which RFC 2047 §5 forbids in a parameter; many readers decode them, and so does Mailscope (RFC 2231 is the standard form)"),
                ));
                for mut l in d.lints {
                    if l.code != lints::ENCODED_WORD_UNSEPARATED.code {
                        l.span = span;
                        self.lint(l);
                    }
                }
                return d.text;
            }
        }
        let d = charset::decode_utf8_lossy(bytes);
        if d.had_errors {
            self.lint(lints::CHARSET_MISMATCH.at(
                span,
                "raw 8-bit parameter value is not UTF-8; shown with U+FFFD",
            ));
        }
        d.text
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn codes(l: &[Lint]) -> Vec<&str> {
        l.iter().map(|l| l.code.as_ref()).collect()
    }

    #[test]
    fn content_types() {
        // (input, type/subtype, [(name, value)], lint codes)
        let cases: &[(&str, &str, &[(&str, &str)], &[&str])] = &[
            ("text/plain", "text/plain", &[], &[]),
            ("Text/HTML; Charset=\"UTF-8\"", "text/html", &[("charset", "UTF-8")], &[]),
            (
                "multipart/mixed;\r\n\tboundary=\"----=_Part_1\"",
                "multipart/mixed",
                &[("boundary", "----=_Part_1")],
                &[],
            ),
            (
                "text/plain; charset=us-ascii (Plain text)",
                "text/plain",
                &[("charset", "us-ascii")],
                &[],
            ),
            (
                "text/plain (a (nested) comment); format=flowed;",
                "text/plain",
                &[("format", "flowed")],
                &[],
            ),
            ("text/plain; name=\"a\\\"b\"", "text/plain", &[("name", "a\"b")], &[]),
            (
                "multipart/mixed; boundary==_Part_1",
                "multipart/mixed",
                &[("boundary", "=_Part_1")],
                &["mime.param-invalid"],
            ),
            (
                "application/pdf; name=my file.pdf; x=1",
                "application/pdf",
                &[("name", "my file.pdf"), ("x", "1")],
                &["mime.param-invalid"],
            ),
            ("text", "text/plain", &[], &["mime.content-type-invalid"]),
            ("", "text/plain", &[], &["mime.content-type-invalid"]),
            ("/plain", "text/plain", &[], &["mime.content-type-invalid"]),
            (
                "text/plain; charset",
                "text/plain",
                &[],
                &["mime.param-invalid"],
            ),
            (
                "text/plain; charset=a; charset=b",
                "text/plain",
                &[("charset", "a")],
                &["mime.param-duplicate"],
            ),
            (
                "text/plain; name=\"unterminated",
                "text/plain",
                &[("name", "unterminated")],
                &["mime.param-invalid"],
            ),
            // RFC 2231 §4 example.
            (
                "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
                "application/x-stuff",
                &[("title", "This is ***fun***")],
                &[],
            ),
            // RFC 2231 §4.1 example: mixed extended and plain sections.
            (
                "application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
                "application/x-stuff",
                &[("title", "This is even more ***fun*** isn't it!")],
                &[],
            ),
            // RFC 2231 §3: plain continuations.
            (
                "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
                "message/external-body",
                &[
                    ("access-type", "URL"),
                    ("url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"),
                ],
                &[],
            ),
            (
                "text/plain; name*=UTF-8''%EC%95%88%EB%85%95.txt",
                "text/plain",
                &[("name", "안녕.txt")],
                &[],
            ),
            (
                "text/plain; name*=EUC-KR''%BE%C8%B3%E7",
                "text/plain",
                &[("name", "안녕")],
                &[],
            ),
            // Multi-byte character split across sections.
            (
                "text/plain; name*0*=UTF-8''%EC%95; name*1*=%88",
                "text/plain",
                &[("name", "안")],
                &[],
            ),
            // Out of order, gap, duplicate, leading zero.
            (
                "a/b; n*1=b; n*0=a",
                "a/b",
                &[("n", "ab")],
                &[],
            ),
            (
                "a/b; n*0=a; n*2=c",
                "a/b",
                &[("n", "ac")],
                &["mime.param-continuation-invalid"],
            ),
            (
                "a/b; n*1=b",
                "a/b",
                &[("n", "b")],
                &["mime.param-continuation-invalid"],
            ),
            (
                "a/b; n*0=a; n*0=x; n*1=b",
                "a/b",
                &[("n", "ab")],
                &["mime.param-continuation-invalid"],
            ),
            (
                "a/b; n*00=a",
                "a/b",
                &[("n", "a")],
                &["mime.param-continuation-invalid"],
            ),
            (
                "a/b; n*99999999999=a",
                "a/b",
                &[],
                &["mime.param-limit"],
            ),
            (
                "a/b; n*=x-nope''abc",
                "a/b",
                &[("n", "abc")],
                &["mime.charset-unknown"],
            ),
            (
                "a/b; n*=abc%zz",
                "a/b",
                &[("n", "abc%zz")],
                &["mime.param-invalid", "mime.param-invalid"],
            ),
            // filename* wins over filename.
            (
                "a/b; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9el.txt",
                "a/b",
                &[("filename", "réel.txt")],
                &[],
            ),
            // RFC 2047 in a name: decoded with an info lint.
            (
                "application/pdf; name=\"=?UTF-8?B?7JWI64WV?= =?UTF-8?B?LnBkZg==?=\"",
                "application/pdf",
                &[("name", "안녕.pdf")],
                &["mime.encoded-word-in-param"],
            ),
            (
                "application/pdf; name=\"=?x-nope?B?7JWI64WV?=\"",
                "application/pdf",
                &[("name", "=?x-nope?B?7JWI64WV?=")],
                &[],
            ),
            // Raw 8-bit values: UTF-8 accepted, anything else reported.
            ("a/b; name=\"caf\u{e9}\"", "a/b", &[("name", "café")], &[]),
            (
                "text/plain; charset=\"utf-8\" (unclosed",
                "text/plain",
                &[("charset", "utf-8")],
                &["mime.param-invalid"],
            ),
        ];
        for (raw, mime, params, want_codes) in cases {
            let ct = parse_content_type(raw.as_bytes());
            let got: Vec<(&str, &str)> = ct
                .params
                .iter()
                .map(|p| (p.name.as_str(), p.value.as_str()))
                .collect();
            assert_eq!(
                (ct.mime_type().as_str(), got, codes(&ct.lints)),
                (*mime, params.to_vec(), want_codes.to_vec()),
                "input {raw:?}"
            );
            for l in &ct.lints {
                assert!(l.span.end <= raw.len(), "{raw:?}: span {:?}", l.span);
            }
        }
        let ct = parse_content_type(b"a/b; name=\"x\xffy\"");
        assert_eq!(
            (ct.get("NAME"), codes(&ct.lints)),
            (Some("x\u{FFFD}y"), vec!["mime.charset-mismatch"])
        );
    }

    #[test]
    fn extended_metadata_and_spans() {
        let raw = "application/x; title*=utf-8'ko'%ED%95%9C; x=1";
        let ct = parse_content_type(raw.as_bytes());
        let p = &ct.params[0];
        assert_eq!(
            (
                p.charset.as_deref(),
                p.language.as_deref(),
                p.extended,
                p.span.slice(raw.as_bytes())
            ),
            (
                Some("utf-8"),
                Some("ko"),
                true,
                &b"title*=utf-8'ko'%ED%95%9C"[..]
            )
        );
        assert_eq!(ct.get("x"), Some("1"));
        assert!(!ct.is_multipart());
    }

    #[test]
    fn dispositions() {
        let cases: &[(&str, &str, Option<&str>, &[&str])] = &[
            (
                "attachment; filename=\"a.pdf\"",
                "attachment",
                Some("a.pdf"),
                &[],
            ),
            ("INLINE", "inline", None, &[]),
            (
                "attachment;\r\n filename*0*=UTF-8''%ED%95%9C%EA%B8%80;\r\n filename*1*=.txt",
                "attachment",
                Some("한글.txt"),
                &[],
            ),
            ("; filename=a", "", Some("a"), &["mime.disposition-invalid"]),
            (
                "attachment junk; filename=a",
                "attachment",
                Some("a"),
                &["mime.disposition-invalid"],
            ),
        ];
        for (raw, kind, filename, want_codes) in cases {
            let d = parse_disposition(raw.as_bytes());
            assert_eq!(
                (d.kind.as_str(), d.get("filename"), codes(&d.lints)),
                (*kind, *filename, want_codes.to_vec()),
                "input {raw:?}"
            );
        }
    }

    fn continuation_input(n: usize, reversed: bool) -> String {
        let mut s = String::from("application/octet-stream");
        let order: Vec<usize> = if reversed {
            (0..n).rev().collect()
        } else {
            (0..n).collect()
        };
        for i in order {
            if i == 0 {
                s.push_str("; filename*0*=UTF-8''%41%42");
            } else {
                s.push_str(&format!(";\r\n filename*{i}*=%43%44"));
            }
        }
        s
    }

    #[test]
    fn rfc2231_continuations_are_linear() {
        for reversed in [false, true] {
            let (small, w1) =
                parse_content_type_counted(continuation_input(400, reversed).as_bytes());
            let (big, w8) =
                parse_content_type_counted(continuation_input(3200, reversed).as_bytes());
            assert_eq!(
                small.get("filename").map(str::len),
                Some(800),
                "small value"
            );
            assert_eq!(big.get("filename").map(str::len), Some(6400), "big value");
            assert!(
                small.lints.is_empty() && big.lints.is_empty(),
                "{:?}",
                big.lints
            );
            let ratio = w8 as f64 / w1 as f64;
            let limit = if reversed { 11.5 } else { 8.5 };
            assert!(
                ratio < limit,
                "work ratio 8n/n = {ratio:.2} (reversed={reversed}, {w1} vs {w8})"
            );
        }
    }

    #[test]
    fn hostile_inputs() {
        // Huge parameter counts are cut at the limit.
        let mut s = String::from("a/b");
        for i in 0..(MAX_PARAMS + 50) {
            s.push_str(&format!("; p{i}=v"));
        }
        let ct = parse_content_type(s.as_bytes());
        assert_eq!(ct.params.len(), MAX_PARAMS, "params kept");
        assert_eq!(codes(&ct.lints), vec!["mime.param-limit"]);
        // Many broken parameters: findings are capped.
        let broken = format!("a/b{}", "; x".repeat(10_000));
        let ct = parse_content_type(broken.as_bytes());
        assert_eq!(
            (ct.params.len(), ct.lints.len()),
            (0, MAX_LINTS),
            "capped findings"
        );
        // Deep comment nesting: no recursion.
        let deep = format!("a/b {}{}; x=1", "(".repeat(100_000), ")".repeat(100_000));
        let ct = parse_content_type(deep.as_bytes());
        assert_eq!((ct.mime_type().as_str(), ct.get("x")), ("a/b", Some("1")));
        let deep = format!("a/b; x=1 {}", "(".repeat(100_000));
        let ct = parse_content_type(deep.as_bytes());
        assert_eq!(codes(&ct.lints), vec!["mime.param-invalid"]);
        // Random bytes.
        let mut rng = crate::testutil::XorShift::new(0xDEAD_BEEF_CAFE_F00D);
        let alphabet = b"a/b;=*'%\"\\() \r\n0123456789xyzUTF-8\xff";
        for round in 0..400 {
            let buf = rng.bytes(round % 80, alphabet, round % 3 == 0);
            let ct = parse_content_type(&buf);
            let d = parse_disposition(&buf);
            for l in ct.lints.iter().chain(&d.lints) {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= buf.len(),
                    "{buf:?}: {:?}",
                    l.span
                );
            }
            for p in ct.params.iter().chain(&d.params) {
                assert!(p.span.end <= buf.len(), "{buf:?}: {:?}", p.span);
            }
        }
    }
}
