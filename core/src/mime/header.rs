//! Header fields: unfolding, names, raw and decoded values
//! ([RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2)).
//!
//! ```text
//! field       = field-name ":" unstructured CRLF        ; RFC 5322 §2.2, §3.6.8
//! field-name  = 1*ftext                                 ; %d33-57 / %d59-126
//! obs-field   = field-name *WSP ":" ...                 ; RFC 5322 §4.5
//! fold        = CRLF 1*WSP                              ; §2.2.3
//! ```
//!
//! [`parse_header_section`] reads the header section of one entity, from a start offset up to
//! the first empty line, and records every field with the byte spans of its name, its raw
//! (folded) value and the whole field. It works on any range of a larger input, so nested
//! entities get spans into the outermost message. It is total, linear, accepts CRLF and bare
//! LF line endings, and reports deviations as [`HeaderDefect`]s; it keeps at most
//! [`MAX_FIELDS`] fields per section.

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Most fields recorded per header section; later ones are skipped (and reported). Real
/// messages have a few dozen; mail that went through many relays a few hundred.
pub const MAX_FIELDS: usize = 1000;

/// Header sections larger than this are reported (Postfix's `header_size_limit` default is
/// 102,400 bytes). Parsing goes on.
pub const MAX_HEADER_BYTES: usize = 102_400;

/// Most per-line defects (invalid names, obsolete syntax, 8-bit fields, stray lines) recorded
/// per header section; the rest are counted in [`HeaderSection::suppressed_defects`].
pub const MAX_DEFECTS: usize = 100;

/// One header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The field name, without the colon (and without spaces before it, in the obsolete form).
    pub name: Span,
    /// The raw value after the colon up to the line ending that ends the field, folds included.
    pub value: Span,
    /// The whole field, from its name to its final line ending inclusive.
    pub span: Span,
}

impl Field {
    /// The field name's bytes.
    pub fn name<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        self.name.slice(input)
    }

    /// The raw value's bytes (folded, untrimmed).
    pub fn raw_value<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        self.value.slice(input)
    }

    /// Whether the field is called `name` (ASCII case-insensitive, RFC 5322 §1.2.2).
    pub fn is(&self, input: &[u8], name: &str) -> bool {
        self.name(input).eq_ignore_ascii_case(name.as_bytes())
    }

    /// The value unfolded (RFC 5322 §2.2.3) and trimmed of surrounding whitespace.
    pub fn unfolded(&self, input: &[u8]) -> Vec<u8> {
        unfold(self.raw_value(input))
    }
}

/// Unfolds a raw field value: every CR and LF inside a field value is part of a fold
/// (RFC 5322 §2.2.3), so they are removed; leading and trailing whitespace is trimmed.
pub fn unfold(raw: &[u8]) -> Vec<u8> {
    raw.iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect::<Vec<u8>>()
        .trim_ascii()
        .to_vec()
}

/// What is wrong in a header section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HeaderDefectKind {
    /// A field contains octets above 127 (allowed only as UTF-8 under RFC 6532).
    EightBit,
    /// A field name contains characters outside `ftext` (RFC 5322 §3.6.8).
    InvalidName,
    /// Whitespace between field name and colon, the obsolete syntax of RFC 5322 §4.5.
    SpaceBeforeColon,
    /// A line that is neither a field nor a fold ends the header section without the empty
    /// line that should separate it from the body (RFC 5322 §2.1).
    NotAField,
    /// A continuation line (starting with whitespace) with no field before it.
    ContinuationWithoutField,
    /// More than [`MAX_FIELDS`] fields; the rest were skipped.
    TooManyFields,
    /// The section is larger than [`MAX_HEADER_BYTES`].
    SectionTooLarge,
    /// The first line of the body looks like a header field: a stray empty line probably
    /// ended the header section early (or a header was smuggled into the body).
    HeaderInBody,
    /// An mbox `From ` separator line before the first field; skipped.
    MboxFromLine,
}

/// One defect and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderDefect {
    /// What is wrong.
    pub kind: HeaderDefectKind,
    /// Where, as offsets into the whole input.
    pub span: Span,
}

/// The header section of one entity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeaderSection {
    /// Fields in order (at most [`MAX_FIELDS`]).
    pub fields: Vec<Field>,
    /// From the first field to the end of the last line of the section (the empty separator
    /// line not included).
    pub span: Span,
    /// The empty line that ended the section, if there was one.
    pub separator: Option<Span>,
    /// Where the body starts: after the separator, at the line that was not a field, or at
    /// the end of the range.
    pub body_start: usize,
    /// Defects, in input order (header-in-body last).
    pub defects: Vec<HeaderDefect>,
    /// Fields found beyond [`MAX_FIELDS`] and not recorded.
    pub skipped_fields: usize,
    /// Defects found beyond [`MAX_DEFECTS`] and not recorded.
    pub suppressed_defects: usize,
}

impl HeaderSection {
    /// The first field called `name` (case-insensitive).
    pub fn get(&self, input: &[u8], name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.is(input, name))
    }
}

/// The line starting at `pos` within `..end`: (end of content without CR/LF, start of next line).
pub(crate) fn line_at(input: &[u8], pos: usize, end: usize) -> (usize, usize) {
    let hay = input.get(pos..end).unwrap_or_default();
    line_bounds(input, pos, memchr::memchr(b'\n', hay).map(|i| pos + i), end)
}

/// [`line_at`] when the line's LF is already known: `lf` is its offset, `None` when the line
/// runs to `end`.
pub(crate) fn line_bounds(
    input: &[u8],
    pos: usize,
    lf: Option<usize>,
    end: usize,
) -> (usize, usize) {
    match lf {
        Some(lf) if lf > pos && input.get(lf - 1) == Some(&b'\r') => (lf - 1, lf + 1),
        Some(lf) => (lf, lf + 1),
        None => (end, end),
    }
}

/// An mbox separator `From sender date`, as opposed to the obsolete field `From : value`.
/// Scans the comment that opens at `raw[start]` (a `(`) per
/// [RFC 5322 §3.2.2](https://www.rfc-editor.org/rfc/rfc5322#section-3.2.2): nested comments
/// are counted, not recursed into, and `\` quotes the next octet. Returns the offset just
/// after the closing `)` (or the end of `raw`) and how many `(` are still open there (0 when
/// the comment is closed). With `text`, the comment's content is appended to it: without the
/// outer parentheses, quoting backslashes and CR/LF, nested parentheses kept.
pub(crate) fn scan_comment(
    raw: &[u8],
    start: usize,
    mut text: Option<&mut Vec<u8>>,
) -> (usize, usize) {
    let mut i = start;
    let mut depth = 0usize;
    while let Some(&c) = raw.get(i) {
        i += 1;
        match c {
            b'\\' => {
                if let Some(&e) = raw.get(i) {
                    if let Some(t) = text.as_deref_mut() {
                        t.push(e);
                    }
                    i += 1;
                }
                continue;
            }
            b'(' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b'\r' | b'\n' => continue,
            _ => {}
        }
        if let Some(t) = text.as_deref_mut() {
            t.push(c);
        }
    }
    (i, depth)
}

fn is_mbox_from(line: &[u8]) -> bool {
    line.strip_prefix(b"From ")
        .is_some_and(|rest| !rest.trim_ascii_start().starts_with(b":"))
}

fn is_ftext(b: u8) -> bool {
    (33..=126).contains(&b) && b != b':'
}

/// Header fields that commonly appear in a header section but whose names contain no `-`
/// (names with a `-` count as header-like anyway).
const COMMON_NAMES: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "sender",
    "received",
    "references",
    "keywords",
    "comments",
];

/// Whether a body line looks like a header field: `name:` with a plausible field name.
fn looks_like_field(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = line.get(..colon).unwrap_or_default();
    if name.is_empty()
        || name.len() > 76
        || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        || !name.first().is_some_and(u8::is_ascii_alphabetic)
    {
        return false;
    }
    name.contains(&b'-')
        || COMMON_NAMES
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
}

/// Parses the header section that starts at `start`, looking no further than `end`
/// ([RFC 5322 §2.1–2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.1)). Spans are
/// offsets into `input`. Total; linear in the section's size.
pub fn parse_header_section(input: &[u8], start: usize, end: usize) -> HeaderSection {
    let end = end.min(input.len());
    let start = start.min(end);
    let mut s = HeaderSection {
        span: Span::new(start, start),
        body_start: end,
        // A typical message header has a dozen or two fields.
        fields: Vec::with_capacity(16),
        ..HeaderSection::default()
    };
    fn defect(s: &mut HeaderSection, kind: HeaderDefectKind, span: Span) {
        let per_line = !matches!(
            kind,
            HeaderDefectKind::TooManyFields
                | HeaderDefectKind::SectionTooLarge
                | HeaderDefectKind::HeaderInBody
        );
        if per_line && s.defects.len() >= MAX_DEFECTS {
            s.suppressed_defects += 1;
        } else {
            s.defects.push(HeaderDefect { kind, span });
        }
    }
    let mut pos = start;
    // Whether the field being continued was recorded, and whether its 8-bit use was reported.
    let mut current: Option<usize> = None;
    let mut eight_bit_reported = false;
    let mut too_large_reported = false;
    loop {
        if pos >= end {
            s.body_start = end;
            s.span.end = end;
            break;
        }
        let (content_end, next) = line_at(input, pos, end);
        let line = input.get(pos..content_end).unwrap_or_default();
        if line.is_empty() {
            s.span.end = pos;
            s.separator = Some(Span::new(pos, next));
            s.body_start = next;
            let (bce, _) = line_at(input, next, end);
            let first = input.get(next..bce).unwrap_or_default();
            if looks_like_field(first) {
                defect(&mut s, HeaderDefectKind::HeaderInBody, Span::new(next, bce));
            }
            break;
        }
        if !too_large_reported && next - start > MAX_HEADER_BYTES {
            too_large_reported = true;
            defect(
                &mut s,
                HeaderDefectKind::SectionTooLarge,
                Span::new(start, next),
            );
        }
        if pos == start && is_mbox_from(line) {
            defect(
                &mut s,
                HeaderDefectKind::MboxFromLine,
                Span::new(pos, content_end),
            );
            pos = next;
            s.span.start = pos;
            continue;
        }
        let eight_bit = line.iter().any(|&b| b >= 0x80);
        let first = line.first().copied().unwrap_or(b' ');
        if first == b' ' || first == b'\t' {
            match current {
                Some(i) => {
                    if let Some(f) = s.fields.get_mut(i) {
                        f.value.end = content_end;
                        f.span.end = next;
                    }
                    if eight_bit && !eight_bit_reported {
                        eight_bit_reported = true;
                        let span = s.fields.get(i).map_or(Span::new(pos, next), |f| f.span);
                        defect(&mut s, HeaderDefectKind::EightBit, span);
                    }
                }
                None if s.fields.is_empty() && s.skipped_fields == 0 => defect(
                    &mut s,
                    HeaderDefectKind::ContinuationWithoutField,
                    Span::new(pos, content_end),
                ),
                None => {}
            }
            pos = next;
            continue;
        }
        let colon = line.iter().position(|&b| b == b':');
        let name_end = colon.map(|c| {
            let mut e = c;
            while e > 0 && matches!(line.get(e - 1), Some(b' ' | b'\t')) {
                e -= 1;
            }
            e
        });
        let (Some(colon), Some(name_end @ 1..)) = (colon, name_end) else {
            defect(
                &mut s,
                HeaderDefectKind::NotAField,
                Span::new(pos, content_end),
            );
            s.span.end = pos;
            s.body_start = pos;
            break;
        };
        let name = Span::new(pos, pos + name_end);
        if name_end < colon {
            defect(
                &mut s,
                HeaderDefectKind::SpaceBeforeColon,
                Span::new(pos, pos + colon + 1),
            );
        }
        if !line
            .get(..name_end)
            .unwrap_or_default()
            .iter()
            .all(|&b| is_ftext(b))
        {
            defect(&mut s, HeaderDefectKind::InvalidName, name);
        }
        if s.fields.len() >= MAX_FIELDS {
            if s.skipped_fields == 0 {
                defect(
                    &mut s,
                    HeaderDefectKind::TooManyFields,
                    Span::new(pos, next),
                );
            }
            s.skipped_fields += 1;
            current = None;
        } else {
            s.fields.push(Field {
                name,
                value: Span::new(pos + colon + 1, content_end),
                span: Span::new(pos, next),
            });
            current = Some(s.fields.len() - 1);
            eight_bit_reported = false;
            if eight_bit {
                eight_bit_reported = true;
                defect(&mut s, HeaderDefectKind::EightBit, Span::new(pos, next));
            }
        }
        pos = next;
    }
    // An 8-bit continuation line widens the field after its defect was recorded: report the
    // whole field.
    for d in &mut s.defects {
        if d.kind == HeaderDefectKind::EightBit {
            if let Some(f) = s.fields.iter().find(|f| f.span.start == d.span.start) {
                d.span = f.span;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use HeaderDefectKind::*;

    fn names(input: &[u8], s: &HeaderSection) -> Vec<String> {
        s.fields
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    String::from_utf8_lossy(f.name(input)),
                    String::from_utf8_lossy(&f.unfolded(input))
                )
            })
            .collect()
    }

    #[test]
    fn header_sections() {
        let cases: &[(&str, &[&str], usize, &[HeaderDefectKind])] = &[
            ("", &[], 0, &[]),
            ("A: b\r\n\r\nbody", &["A=b"], 8, &[]),
            ("A: b\n\nbody", &["A=b"], 6, &[]),
            (
                "Subject: one\r\n two\r\n\tthree\r\nX: y\r\n\r\n",
                &["Subject=one two\tthree", "X=y"],
                36,
                &[],
            ),
            ("A: b", &["A=b"], 4, &[]),
            ("A: b\r\nnot a field\r\nmore", &["A=b"], 6, &[NotAField]),
            (
                "Subject : old\r\n\r\n",
                &["Subject=old"],
                17,
                &[SpaceBeforeColon],
            ),
            ("Bad Name: x\r\n\r\n", &["Bad Name=x"], 15, &[InvalidName]),
            (
                "Subject: caf\u{e9}\r\n\r\n",
                &["Subject=caf\u{e9}"],
                18,
                &[EightBit],
            ),
            (
                "A: b\r\n\r\nBcc: evil@example.com\r\n",
                &["A=b"],
                8,
                &[HeaderInBody],
            ),
            ("A: b\r\n\r\nHello: world\r\n", &["A=b"], 8, &[]),
            ("A: b\r\n\r\nX-Foo: 1\r\n", &["A=b"], 8, &[HeaderInBody]),
            (
                " lead\r\nA: b\r\n\r\n",
                &["A=b"],
                15,
                &[ContinuationWithoutField],
            ),
            (
                "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nA: b\n\n",
                &["A=b"],
                50,
                &[MboxFromLine],
            ),
            (": empty\r\n\r\n", &[], 0, &[NotAField]),
        ];
        for (input, want, body_start, defects) in cases {
            let s = parse_header_section(input.as_bytes(), 0, input.len());
            assert_eq!(names(input.as_bytes(), &s), *want, "fields of {input:?}");
            assert_eq!(s.body_start, *body_start, "body start of {input:?}");
            let got: Vec<_> = s.defects.iter().map(|d| d.kind).collect();
            assert_eq!(got, *defects, "defects of {input:?}");
        }
    }

    #[test]
    fn spans_are_absolute_within_a_range() {
        let input = b"prefix--A: b\r\n c\r\n\r\nbody";
        let s = parse_header_section(input, 8, input.len());
        let f = s.fields[0];
        assert_eq!(f.name, Span::new(8, 9));
        assert_eq!(f.value.slice(input), b" b\r\n c");
        assert_eq!(f.span.slice(input), b"A: b\r\n c\r\n");
        assert_eq!(s.span, Span::new(8, 18));
        assert_eq!(s.separator, Some(Span::new(18, 20)));
        assert_eq!(&input[s.body_start..], b"body");
    }

    #[test]
    fn eight_bit_continuation_reports_the_whole_field() {
        let input = "Subject: a\r\n caf\u{e9}\r\nX: y\r\n\r\n".as_bytes();
        let s = parse_header_section(input, 0, input.len());
        assert_eq!(s.defects.len(), 1, "{:?}", s.defects);
        assert_eq!(s.defects[0].span, s.fields[0].span);
    }

    #[test]
    fn limits_are_reported_not_exceeded() {
        let mut input = Vec::new();
        for i in 0..(MAX_FIELDS + 500) {
            input.extend_from_slice(format!("X-{i}: {}\r\n", "v".repeat(100)).as_bytes());
        }
        input.extend_from_slice(b"\r\nbody");
        let s = parse_header_section(&input, 0, input.len());
        assert_eq!(s.fields.len(), MAX_FIELDS);
        assert_eq!(s.skipped_fields, 500);
        let kinds: Vec<_> = s.defects.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, [SectionTooLarge, TooManyFields]);
        assert_eq!(input.get(s.body_start..), Some(&b"body"[..]));
    }

    #[test]
    fn defects_are_capped() {
        let input = "Bad Name: x\r\n".repeat(10_000) + "\r\nBcc: x\r\n";
        let s = parse_header_section(input.as_bytes(), 0, input.len());
        assert_eq!(s.defects.len(), MAX_DEFECTS + 3, "defects");
        assert_eq!(s.suppressed_defects, 10_000 - MAX_DEFECTS);
        let last: Vec<_> = s.defects.iter().rev().take(3).map(|d| d.kind).collect();
        assert_eq!(last, [HeaderInBody, SectionTooLarge, TooManyFields]);
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = crate::testutil::XorShift::new(42);
        for len in [0usize, 1, 2, 7, 100, 5000] {
            let g = rng.bytes(len, b"", true);
            let s = parse_header_section(&g, 0, g.len());
            assert!(s.body_start <= g.len());
            let s = parse_header_section(&g, len + 5, 3);
            assert!(s.fields.is_empty());
        }
    }
}
