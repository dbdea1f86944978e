//! RFC 2231 parameters: sections (`name*N`), their assembly into one value, extended values
//! (`charset'language'%xx`) and their decoding.

use crate::lint::msg;
use std::borrow::Cow;

use crate::mime::charset;
use crate::mime::encoded_word::{self, Context};
use crate::mime::lints;
use crate::span::Span;

use super::parser::Parser;
use super::{Param, MAX_SECTION_NUMBER};

/// One `attribute=value` pair as read; the value is borrowed from the input unless quoting or
/// folding had to be removed.
pub(super) struct Section<'a> {
    pub(super) number: Option<u32>,
    pub(super) extended: bool,
    pub(super) value: Cow<'a, [u8]>,
    pub(super) span: Span,
}

/// All sections of one parameter name.
pub(super) struct Group<'a> {
    pub(super) name: String,
    pub(super) simple: Option<Section<'a>>,
    pub(super) ext: Option<Section<'a>>,
    pub(super) sections: Vec<Section<'a>>,
}

impl<'a> Parser<'a> {
    /// `name`, `name*`, `name*N`, `name*N*` (RFC 2231 §3–4).
    pub(super) fn split_attribute(
        &mut self,
        attr: &str,
        span: Span,
    ) -> Option<(String, Option<u32>, bool)> {
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
                msg!(
                    "{attr} is not name, name*, name*N or name*N*",
                    attr = format_args!("{attr:?}")
                ),
            ));
            return Some((lower, None, false));
        }
        if digits.len() > 1 && digits.starts_with('0') {
            self.lint(lints::PARAM_CONTINUATION_INVALID.at(
                span,
                msg!(
                    "section number {digits} has a leading zero (RFC 2231 §3)",
                    digits
                ),
            ));
        }
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_SECTION_NUMBER => Some((name.to_string(), Some(n), extended)),
            _ => {
                self.lint(lints::PARAM_LIMIT.at(
                    span,
                    msg!(
                        "section number {digits} is above {MAX_SECTION_NUMBER}; ignored",
                        digits,
                        MAX_SECTION_NUMBER
                    ),
                ));
                None
            }
        }
    }

    /// Turns the sections of one name into a parameter.
    pub(super) fn assemble(&mut self, g: Group<'_>) -> Option<Param> {
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
                    msg!(
                        "both {name}* and {name}*0… given; the continuations count",
                        name
                    ),
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
                    msg!("section {name}*{n} given again; the first counts", name, n),
                ));
                continue;
            }
            if n > expected {
                let msg = if expected == 0 {
                    msg!(
                        "{name}*0 is missing; continuations start at section {n}",
                        name,
                        n
                    )
                } else if n == expected + 1 {
                    msg!("section {name}*{expected} is missing", name, expected)
                } else {
                    msg!(
                        "sections {name}*{expected} to {name}*{last} are missing",
                        name,
                        expected,
                        last = n - 1
                    )
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
                    msg!("extended value lacks the charset'language' prefix (RFC 2231 §4)"),
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
                msg!("'%' not followed by two hex digits in an extended value; kept as written"),
            ));
        }
        out
    }

    fn decode_bytes(&mut self, bytes: &[u8], cs: Option<&str>, span: Span) -> String {
        let Some(label) = cs else {
            let d = charset::decode_utf8_lossy(bytes);
            if d.had_errors {
                self.lint(lints::CHARSET_MISMATCH.at(
                    span,
                    msg!("extended value names no charset and is not UTF-8"),
                ));
            }
            return d.text;
        };
        match charset::decode(label, bytes) {
            Ok(d) => {
                if d.had_errors {
                    self.lint(lints::CHARSET_MISMATCH.at(
                        span,
                        msg!(
                            "value is not valid {encoding}; replaced by U+FFFD",
                            encoding = d.encoding
                        ),
                    ));
                } else if d.ascii_with_8bit {
                    self.lint(
                        lints::CHARSET_MISMATCH
                            .at(span, msg!("value declares US-ASCII but holds 8-bit octets")),
                    );
                }
                d.text
            }
            Err(e) => {
                self.lints.push(lints::CHARSET_UNKNOWN.at(
                    span,
                    msg!("{e}; value shown as UTF-8").text("e", e.message()),
                ));
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
                    msg!("{name} holds RFC 2047 encoded-words, which RFC 2047 §5 forbids in a parameter; many readers decode them, and so does Mailscope (RFC 2231 is the standard form)", name),
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
                msg!("raw 8-bit parameter value is not UTF-8; shown with U+FFFD"),
            ));
        }
        d.text
    }
}
