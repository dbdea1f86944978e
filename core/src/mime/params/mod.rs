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
//!
//! The parts: the public types and entry points here, the parser of the parameter list in
//! `parser`, RFC 2231 sections and extended values in `rfc2231`.

mod parser;
mod rfc2231;
#[cfg(test)]
mod tests;

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::lints;
use crate::span::Span;

use parser::Parser;

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
            msg!("no disposition type (expected `inline` or `attachment`)"),
        ));
    }
    p.skip_cfws();
    if !p.at_end() && p.peek() != Some(b';') {
        let s = p.pos;
        p.skip_to_semicolon();
        p.lints.push(lints::DISPOSITION_INVALID.at(
            Span::new(s, p.pos),
            msg!("unexpected text after the disposition type"),
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
            msg!("unexpected text after type/subtype (ignored)"),
        ));
    }
    if !valid {
        p.skip_to_semicolon();
        p.lints.push(lints::CONTENT_TYPE_INVALID.at(
            Span::new(start, p.pos),
            msg!(
                "{value} is not type/subtype; treated as text/plain; charset=us-ascii",
                value = format_args!(
                    "{:?}",
                    String::from_utf8_lossy(Span::new(start, p.pos).slice(raw))
                )
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
