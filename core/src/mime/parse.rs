//! The message parser: a tree of entities with byte spans
//! ([RFC 5322](https://www.rfc-editor.org/rfc/rfc5322), [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045),
//! [RFC 2046 §5](https://www.rfc-editor.org/rfc/rfc2046#section-5)).
//!
//! ```text
//!  input ──► header section (header.rs) ──► Content-Type (params.rs) ──┬─► multipart/*: split at
//!            per entity                                              │   delimiter lines
//!                                                                    ├─► message/rfc822|global:
//!                                                                    │   the body is a message
//!                                                                    └─► leaf: transfer-decode
//!                                                                        (transfer.rs), charset-
//!                                                                        decode text (charset/)
//! ```
//!
//! [`parse_message`] never fails and never panics: every defect becomes a [`Lint`] attached to
//! the entity it was found in. Entities are kept in one flat `Vec` in depth-first pre-order with
//! parent and child indices; the parser walks the tree with an explicit stack, so neither
//! parsing nor dropping recurses, however deep the input nests. Depth, part count, header size
//! and line length are bounded by the constants below and reported when exceeded.
//!
//! Every span is an offset into the input given to [`parse_message`], including spans inside
//! nested messages. CRLF and bare-LF input are both read (bare LF gets one `mime.bare-lf`).

use std::collections::HashMap;

use serde::Serialize;

use crate::lint::{Lint, LintDef};
use crate::mime::header::{self, HeaderDefectKind, HeaderSection};
use crate::mime::transfer::{Decoded, DefectKind, TransferEncoding};
use crate::mime::{address, charset, date, encoded_word, lints, params};
use crate::span::Span;

/// Deepest nesting of multipart and message entities read; an entity at this depth is kept as
/// an opaque body (`mime.nesting-limit`).
pub const MAX_DEPTH: usize = 100;
/// Most entities read in one message (`mime.part-limit`).
pub const MAX_PARTS: usize = 10_000;
/// Longest line allowed without its CRLF ([RFC 5322 §2.1.1](https://www.rfc-editor.org/rfc/rfc5322#section-2.1.1)).
pub const MAX_LINE: usize = 998;
/// Longest boundary allowed ([RFC 2046 §5.1.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1)).
pub const MAX_BOUNDARY: usize = 70;
/// Most lints kept per message; later ones are counted in [`Message::suppressed_lints`].
pub const MAX_LINTS: usize = 10_000;

/// How an entity's body is structured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Body {
    /// A single body: text, an attachment, or a container read as opaque (limits, no boundary,
    /// forbidden encoding).
    Leaf,
    /// A multipart/* body split at its boundary ([RFC 2046 §5.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1)).
    Multipart {
        /// The boundary parameter.
        boundary: String,
        /// Text before the first delimiter line, if any (not including the line ending that
        /// belongs to the delimiter).
        preamble: Option<Span>,
        /// Text after the close delimiter line, if any.
        epilogue: Option<Span>,
        /// Whether the close delimiter `--boundary--` was found.
        closed: bool,
    },
    /// A message/rfc822 or message/global body: one child, the encapsulated message
    /// ([RFC 2046 §5.2.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1)).
    Message,
}

/// One MIME entity: a header section and a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    /// Index of the enclosing entity (a multipart, or the message/rfc822 entity whose body
    /// this message is); `None` for the root.
    pub parent: Option<usize>,
    /// Indices of the children, in order.
    pub children: Vec<usize>,
    /// Nesting depth: 0 for the root, one more for each enclosing entity.
    pub depth: usize,
    /// IMAP-style part number ([RFC 3501 §6.4.5](https://www.rfc-editor.org/rfc/rfc3501#section-6.4.5)):
    /// `""` for the root, `"1.2"` for the second part of the first part. The root of an
    /// encapsulated message shares the number of its message/rfc822 entity when it is a
    /// multipart and gets `N.1` otherwise, as in IMAP.
    pub section: String,
    /// Whether this entity is the root of a message (the top level or an encapsulated one),
    /// so RFC 5322 message rules apply to its header.
    pub is_message: bool,
    /// The whole entity, header and body.
    pub span: Span,
    /// The header section.
    pub header: HeaderSection,
    /// The body (after the empty line ending the header; for a multipart child, up to the
    /// line ending before the next delimiter).
    pub body: Span,
    /// Lowercase `type/subtype`, after the RFC 2045 §5.2 defaults.
    pub content_type: String,
    /// Whether a Content-Type field was present and valid (otherwise `content_type` is a default).
    pub content_type_explicit: bool,
    /// The Content-Type parameters (names lowercased, values decoded), in order.
    pub params: Vec<(String, String)>,
    /// The `charset` parameter, lowercased, as declared.
    pub charset: Option<String>,
    /// The Content-Transfer-Encoding (default 7bit).
    pub transfer_encoding: TransferEncoding,
    /// The Content-Disposition type, lowercased (`inline`, `attachment`).
    pub disposition: Option<String>,
    /// The file name: Content-Disposition `filename`, else Content-Type `name`, decoded.
    pub filename: Option<String>,
    /// How the body is structured.
    pub kind: Body,
    #[serde(skip)]
    decoded: Option<Vec<u8>>,
    #[serde(skip)]
    text: Option<String>,
}

impl Entity {
    /// Whether this entity has no child entities (it is not split further).
    pub fn is_leaf(&self) -> bool {
        matches!(self.kind, Body::Leaf)
    }

    /// The main type, such as `text`.
    pub fn main_type(&self) -> &str {
        self.content_type
            .split_once('/')
            .map_or(self.content_type.as_str(), |(t, _)| t)
    }

    /// A Content-Type parameter by lowercase name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A lint and the entity it was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityLint {
    /// Index into [`Message::entities`].
    pub entity: usize,
    /// The finding.
    pub lint: Lint,
}

/// A parsed message: entities in depth-first pre-order (index 0 is the root) and findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message<'a> {
    #[serde(skip)]
    input: &'a [u8],
    /// The entities, root first, each followed by its descendants.
    pub entities: Vec<Entity>,
    /// Findings in the order they were made, at most [`MAX_LINTS`].
    pub lints: Vec<EntityLint>,
    /// Findings dropped beyond [`MAX_LINTS`].
    pub suppressed_lints: usize,
}

impl<'a> Message<'a> {
    /// The input the message was parsed from.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// The root entity.
    pub fn root(&self) -> Option<&Entity> {
        self.entities.first()
    }

    /// The entity with index `id`.
    pub fn entity(&self, id: usize) -> Option<&Entity> {
        self.entities.get(id)
    }

    /// The raw (still transfer-encoded) body of an entity.
    pub fn raw_body(&self, id: usize) -> &'a [u8] {
        self.entities
            .get(id)
            .map_or(&[][..], |e| e.body.slice(self.input))
    }

    /// The transfer-decoded body of a leaf ([RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6)):
    /// base64 and quoted-printable decoded, other encodings as is. Containers give their raw body.
    pub fn body(&self, id: usize) -> &[u8] {
        match self.entities.get(id) {
            Some(Entity {
                decoded: Some(d), ..
            }) => d,
            Some(e) => e.body.slice(self.input),
            None => &[],
        }
    }

    /// The charset-decoded text of a text/* leaf ([RFC 2046 §4.1.2](https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2)):
    /// the declared charset (US-ASCII by default), or lossy UTF-8 when it is unknown.
    pub fn text(&self, id: usize) -> Option<&str> {
        self.entities.get(id).and_then(|e| e.text.as_deref())
    }

    /// The header section of the message root (the top-level header).
    pub fn header(&self) -> Option<&HeaderSection> {
        self.entities.first().map(|e| &e.header)
    }

    /// The value of the first field called `name` in an entity's header, unfolded, with RFC
    /// 2047 encoded-words decoded ([RFC 2047 §6](https://www.rfc-editor.org/rfc/rfc2047#section-6)).
    pub fn header_text(&self, id: usize, name: &str) -> Option<String> {
        let e = self.entities.get(id)?;
        let f = e.header.get(self.input, name)?;
        Some(decode_field_text(f.raw_value(self.input)))
    }

    /// The innermost entity whose span contains `offset` (the root if none does).
    pub fn entity_at(&self, offset: usize) -> usize {
        self.entities
            .iter()
            .rposition(|e| e.span.start <= offset && offset < e.span.end)
            .unwrap_or(0)
    }
}

/// The decoded text of a raw field value: unfolded, encoded-words decoded, raw 8-bit bytes
/// read as UTF-8 (lossy).
pub fn decode_field_text(raw: &[u8]) -> String {
    trim_owned(encoded_word::decode_text_only(raw, encoded_word::Context::Unstructured).text)
}

/// `text` without leading and trailing whitespace, reusing its buffer.
pub(crate) fn trim_owned(mut text: String) -> String {
    let end = text.trim_end().len();
    text.truncate(end);
    let start = text.len() - text.trim_start().len();
    if start > 0 {
        text.drain(..start);
    }
    text
}

/// Where an entity waiting to be parsed sits.
struct Pending {
    start: usize,
    end: usize,
    parent: Option<usize>,
    depth: usize,
    /// Section number when known (multipart child, root); the base for an encapsulated root.
    section: String,
    encapsulated: bool,
    in_digest: bool,
    /// Inside a message/global, whose header may be UTF-8 (RFC 6532 §3.7).
    utf8_header: bool,
}

struct Parser<'a> {
    input: &'a [u8],
    entities: Vec<Entity>,
    lints: Vec<EntityLint>,
    suppressed: usize,
    depth_reported: bool,
    parts_reported: bool,
}

impl Parser<'_> {
    fn lint(&mut self, entity: usize, def: &'static LintDef, span: Span, msg: impl Into<String>) {
        if self.lints.len() < MAX_LINTS {
            self.lints.push(EntityLint {
                entity,
                lint: def.at(span, msg),
            });
        } else {
            self.suppressed += 1;
        }
    }

    fn push_lints(&mut self, entity: usize, found: Vec<Lint>) {
        for lint in found {
            if self.lints.len() < MAX_LINTS {
                self.lints.push(EntityLint { entity, lint });
            } else {
                self.suppressed += 1;
            }
        }
    }
}

/// Parses a message ([RFC 5322 §2.1](https://www.rfc-editor.org/rfc/rfc5322#section-2.1)) into
/// its entity tree. Total: any bytes give a message (an empty input gives one empty text/plain
/// entity). Time is linear in the input times the nesting depth, which is at most [`MAX_DEPTH`].
pub fn parse_message(input: &[u8]) -> Message<'_> {
    let mut p = Parser {
        input,
        entities: Vec::new(),
        lints: Vec::new(),
        suppressed: 0,
        depth_reported: false,
        parts_reported: false,
    };
    let mut stack = vec![Pending {
        start: 0,
        end: input.len(),
        parent: None,
        depth: 0,
        section: String::new(),
        encapsulated: false,
        in_digest: false,
        utf8_header: false,
    }];
    let scan = scan_lines(input);
    while let Some(item) = stack.pop() {
        let planned = p.entities.len() + stack.len() + 1;
        let children = parse_entity(&mut p, &scan, item, planned);
        stack.extend(children.into_iter().rev());
    }
    line_lints(&mut p, &scan);
    Message {
        input,
        entities: p.entities,
        lints: p.lints,
        suppressed_lints: p.suppressed,
    }
}

/// A line that starts with `--`: a possible delimiter line (RFC 2046 §5.1.1).
#[derive(Debug, Clone, Copy)]
struct DelimLine {
    /// Start of the line.
    line: usize,
    /// End of the line's content (before CR LF).
    content_end: usize,
    /// Start of the next line.
    next: usize,
    /// Whether the line is the close delimiter of the boundary it is filed under.
    close: bool,
}

/// What one pass over every line of the input finds.
struct LineScan<'a> {
    bare: usize,
    first_bare: Option<Span>,
    long: usize,
    first_long: Option<Span>,
    /// Lines starting with `--`, filed under the boundary they would delimit: the text after
    /// `--` without transport padding (as a delimiter), and that text without a final `--`
    /// (as a close delimiter). In input order.
    delimiters: HashMap<&'a [u8], Vec<DelimLine>>,
}

/// One pass over the lines: bare LF, over-long lines, and the index of candidate delimiter
/// lines, so that each multipart finds its delimiters without rescanning its body and the
/// whole parse stays linear however deep multiparts nest.
fn scan_lines(input: &[u8]) -> LineScan<'_> {
    let mut s = LineScan {
        bare: 0,
        first_bare: None,
        long: 0,
        first_long: None,
        delimiters: HashMap::new(),
    };
    let mut pos = 0;
    while pos < input.len() {
        let (content_end, next) = header::line_at(input, pos, input.len());
        if next > content_end && content_end + 1 == next {
            s.bare += 1;
            s.first_bare.get_or_insert(Span::new(content_end, next));
        }
        if content_end - pos > MAX_LINE {
            s.long += 1;
            s.first_long.get_or_insert(Span::new(pos, content_end));
        }
        let line = input.get(pos..content_end).unwrap_or_default();
        if let Some(rest) = line.strip_prefix(b"--") {
            let mut t = rest;
            while let [head @ .., b' ' | b'\t'] = t {
                t = head;
            }
            let entry = DelimLine {
                line: pos,
                content_end,
                next,
                close: false,
            };
            s.delimiters.entry(t).or_default().push(entry);
            if let Some(b) = t.strip_suffix(b"--") {
                s.delimiters.entry(b).or_default().push(DelimLine {
                    close: true,
                    ..entry
                });
            }
        }
        pos = next;
    }
    s
}

/// Reports bare LF line endings and over-long lines, once per message each.
fn line_lints(p: &mut Parser<'_>, scan: &LineScan<'_>) {
    let entity_at = |offset: usize| {
        p.entities
            .iter()
            .rposition(|e| e.span.start <= offset && offset < e.span.end)
            .unwrap_or(0)
    };
    let bare_entity = scan.first_bare.map(|s| entity_at(s.start));
    let long_entity = scan.first_long.map(|s| entity_at(s.start));
    if let (Some(span), Some(e)) = (scan.first_bare, bare_entity) {
        p.lint(
            e,
            &lints::BARE_LF,
            span,
            format!(
                "{} line(s) end in LF alone instead of CRLF; the first is here",
                scan.bare
            ),
        );
    }
    if let (Some(span), Some(e)) = (scan.first_long, long_entity) {
        p.lint(
            e,
            &lints::LINE_TOO_LONG,
            span,
            format!(
                "{} line(s) longer than {MAX_LINE} characters; the first has {}",
                scan.long,
                span.len()
            ),
        );
    }
}

fn header_lints(
    p: &mut Parser<'_>,
    id: usize,
    h: &HeaderSection,
    header_like_body: bool,
    utf8_header: bool,
) {
    for d in &h.defects {
        let (def, msg): (&'static LintDef, String) = match d.kind {
            HeaderDefectKind::EightBit => {
                let bytes = d.span.slice(p.input);
                let utf8 = std::str::from_utf8(bytes).is_ok();
                if utf8 && utf8_header {
                    continue;
                }
                (
                    &lints::EIGHT_BIT_HEADER,
                    if utf8 {
                        "raw UTF-8 in a header field: allowed only with SMTPUTF8 (RFC 6532)".into()
                    } else {
                        "raw 8-bit bytes that are not UTF-8 in a header field; use RFC 2047 encoded-words".into()
                    },
                )
            }
            HeaderDefectKind::InvalidName => (
                &lints::HEADER_INVALID,
                "field name with characters outside printable ASCII or with spaces".into(),
            ),
            HeaderDefectKind::SpaceBeforeColon => (
                &lints::HEADER_OBSOLETE,
                "whitespace between the field name and the colon".into(),
            ),
            HeaderDefectKind::NotAField => (
                &lints::HEADER_INVALID,
                "line without a colon in the header section: the body starts here, without the empty line".into(),
            ),
            HeaderDefectKind::ContinuationWithoutField => (
                &lints::HEADER_INVALID,
                "continuation line (starting with whitespace) before the first field".into(),
            ),
            HeaderDefectKind::TooManyFields => (
                &lints::HEADER_LIMIT,
                format!(
                    "more than {} header fields; {} skipped",
                    header::MAX_FIELDS,
                    h.skipped_fields
                ),
            ),
            HeaderDefectKind::SectionTooLarge => (
                &lints::HEADER_LIMIT,
                format!(
                    "header section larger than {} bytes",
                    header::MAX_HEADER_BYTES
                ),
            ),
            HeaderDefectKind::HeaderInBody => {
                if header_like_body {
                    continue;
                }
                let line = d.span.slice(p.input);
                let name_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
                (
                    &lints::HEADER_IN_BODY,
                    format!(
                        "the body starts with a header-like line ({:?}) right after the empty line that ended the header section",
                        String::from_utf8_lossy(line.get(..name_end).unwrap_or_default())
                    ),
                )
            }
            HeaderDefectKind::MboxFromLine => (
                &lints::MBOX_SEPARATOR,
                "mbox `From ` separator line before the header; skipped".into(),
            ),
        };
        p.lint(id, def, d.span, msg);
    }
}

/// Whether a boundary follows the `bchars` grammar of RFC 2046 §5.1.1.
fn boundary_problem(b: &str) -> Option<String> {
    if b.is_empty() {
        return Some("the boundary parameter is empty".into());
    }
    if b.len() > MAX_BOUNDARY {
        return Some(format!(
            "boundary of {} characters; at most {MAX_BOUNDARY} are allowed",
            b.len()
        ));
    }
    if b.ends_with(' ') {
        return Some("the boundary ends in a space".into());
    }
    if let Some(c) = b
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c)))
    {
        return Some(format!("the boundary contains {c:?}, outside bchars"));
    }
    None
}

/// Where the line ending before the line at `line` starts (it belongs to the delimiter,
/// RFC 2046 §5.1.1), or `line` itself at the start of the body.
fn line_ending_before(input: &[u8], line: usize, body_start: usize) -> usize {
    if line > body_start && input.get(line - 1) == Some(&b'\n') {
        if line - 1 > body_start && input.get(line - 2) == Some(&b'\r') {
            line - 2
        } else {
            line - 1
        }
    } else {
        line
    }
}

struct ContentInfo {
    content_type: String,
    explicit: bool,
    params: Vec<(String, String)>,
}

fn content_info(p: &mut Parser<'_>, id: usize, h: &HeaderSection, in_digest: bool) -> ContentInfo {
    let default = if in_digest {
        "message/rfc822"
    } else {
        "text/plain"
    };
    let Some(field) = h.get(p.input, "content-type") else {
        return ContentInfo {
            content_type: default.into(),
            explicit: false,
            params: Vec::new(),
        };
    };
    let raw = field.raw_value(p.input);
    let ct = params::parse_content_type(raw);
    let base = field.value.start;
    let lints = ct
        .lints
        .into_iter()
        .map(|mut l| {
            l.span = l.span.shift(base);
            l
        })
        .collect();
    p.push_lints(id, lints);
    let params: Vec<(String, String)> = ct
        .params
        .into_iter()
        // Names are already lowercase (params::Param::name).
        .map(|prm| (prm.name, prm.value))
        .collect();
    if !ct.valid || ct.type_.is_empty() || ct.subtype.is_empty() {
        return ContentInfo {
            content_type: default.into(),
            explicit: false,
            params: Vec::new(),
        };
    }
    ContentInfo {
        // Type and subtype are already lowercase (params::ContentType).
        content_type: format!("{}/{}", ct.type_, ct.subtype),
        explicit: true,
        params,
    }
}

fn disposition_info(
    p: &mut Parser<'_>,
    id: usize,
    h: &HeaderSection,
) -> (Option<String>, Option<String>) {
    let Some(field) = h.get(p.input, "content-disposition") else {
        return (None, None);
    };
    let d = params::parse_disposition(field.raw_value(p.input));
    let lints = d
        .lints
        .iter()
        .cloned()
        .map(|mut l| {
            l.span = l.span.shift(field.value.start);
            l
        })
        .collect();
    p.push_lints(id, lints);
    let filename = d
        .params
        .iter()
        .find(|prm| prm.name.eq_ignore_ascii_case("filename"))
        .map(|prm| prm.value.clone());
    let kind = (!d.kind.is_empty()).then(|| d.kind.to_ascii_lowercase());
    (kind, filename)
}

fn address_lints(raw: &[u8]) -> Vec<Lint> {
    address::parse_address_list(raw).lints
}

fn date_lints(raw: &[u8]) -> Vec<Lint> {
    date::parse_date(raw).lints
}

/// Lints for the fields of a message header whose syntax other modules check: addresses,
/// the date, and encoded-words in unstructured fields.
fn field_lints(p: &mut Parser<'_>, id: usize, h: &HeaderSection) {
    const ADDRESS: &[&str] = &[
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "resent-from",
        "resent-to",
        "resent-cc",
        "resent-bcc",
        "resent-sender",
    ];
    for f in &h.fields {
        let name = f.name(p.input);
        let raw = f.raw_value(p.input);
        let base = f.value.start;
        let found: Vec<Lint> = if ADDRESS
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
        {
            address_lints(raw)
        } else if name.eq_ignore_ascii_case(b"date") || name.eq_ignore_ascii_case(b"resent-date") {
            date_lints(raw)
        } else if name.len() > 8
            && name
                .get(..8)
                .is_some_and(|n| n.eq_ignore_ascii_case(b"content-"))
        {
            Vec::new()
        } else if encoded_word::has_word_start(raw) {
            encoded_word::decode_text_only(raw, encoded_word::Context::Unstructured).lints
        } else {
            Vec::new()
        };
        let shifted = found
            .into_iter()
            .map(|mut l| {
                l.span = l.span.shift(base);
                l
            })
            .collect();
        p.push_lints(id, shifted);
    }
}

/// Parses one entity, appends it, and returns its children (in order) for the stack.
fn parse_entity(
    p: &mut Parser<'_>,
    scan: &LineScan<'_>,
    item: Pending,
    planned: usize,
) -> Vec<Pending> {
    let input = p.input;
    let id = p.entities.len();
    let h = header::parse_header_section(input, item.start, item.end);
    let info = content_info(p, id, &h, item.in_digest);
    let te = h
        .get(input, "content-transfer-encoding")
        .map(|f| TransferEncoding::parse(f.raw_value(input)))
        .unwrap_or_default();
    if let TransferEncoding::Unknown(name) = &te {
        if let Some(f) = h.get(input, "content-transfer-encoding") {
            p.lint(
                id,
                &lints::TRANSFER_ENCODING_UNKNOWN,
                f.span,
                format!("unknown transfer encoding {name:?}; the body is shown undecoded"),
            );
        }
    }
    let (disposition, disp_filename) = disposition_info(p, id, &h);
    let ct_name = info
        .params
        .iter()
        .find(|(n, _)| n == "name")
        .map(|(_, v)| v.clone());
    if let (Some(a), Some(b)) = (&disp_filename, &ct_name) {
        if a != b {
            let span = h
                .get(input, "content-disposition")
                .map_or(h.span, |f| f.span);
            p.lint(
                id,
                &lints::FILENAME_MISMATCH,
                span,
                format!("Content-Disposition filename {a:?} differs from Content-Type name {b:?}"),
            );
        }
    }
    let filename = disp_filename.or(ct_name);
    let charset = info
        .params
        .iter()
        .find(|(n, _)| n == "charset")
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    let body = Span::new(h.body_start, item.end.max(h.body_start));
    let (main, sub) = info
        .content_type
        .split_once('/')
        .unwrap_or((info.content_type.as_str(), ""));
    let is_multipart = main == "multipart";
    let is_message = main == "message" && (sub == "rfc822" || sub == "global");
    let is_container = is_multipart || is_message;

    let mut kind = Body::Leaf;
    let mut children = Vec::new();
    let mut child_depth_ok = true;
    if is_container && item.depth >= MAX_DEPTH {
        child_depth_ok = false;
        if !p.depth_reported {
            p.depth_reported = true;
            p.lint(
                id,
                &lints::NESTING_LIMIT,
                h.span,
                format!(
                    "nesting deeper than {MAX_DEPTH} levels; this entity is read as an opaque body"
                ),
            );
        }
    }
    let section = if item.encapsulated {
        if is_multipart {
            item.section.clone()
        } else if item.section.is_empty() {
            "1".to_string()
        } else {
            format!("{}.1", item.section)
        }
    } else {
        item.section.clone()
    };
    let child_section = |k: usize| {
        if section.is_empty() {
            k.to_string()
        } else {
            format!("{section}.{k}")
        }
    };
    if is_container && !te.is_identity() && !matches!(te, TransferEncoding::Unknown(_)) {
        let span = h
            .get(input, "content-transfer-encoding")
            .map_or(h.span, |f| f.span);
        p.lint(
            id,
            &lints::MESSAGE_ENCODED,
            span,
            format!(
                "{} with Content-Transfer-Encoding {}; only 7bit, 8bit or binary are allowed",
                info.content_type,
                te.as_str()
            ),
        );
    }
    let ct_span = h.get(input, "content-type").map_or(h.span, |f| f.span);
    if is_multipart && child_depth_ok {
        let boundary = info
            .params
            .iter()
            .find(|(n, _)| n == "boundary")
            .map(|(_, v)| v.clone());
        match boundary {
            None => p.lint(
                id,
                &lints::BOUNDARY_INVALID,
                ct_span,
                "multipart Content-Type without a boundary parameter; the body is read as one opaque part",
            ),
            Some(b) if b.is_empty() => p.lint(
                id,
                &lints::BOUNDARY_INVALID,
                ct_span,
                "multipart Content-Type with an empty boundary; the body is read as one opaque part",
            ),
            Some(b) => {
                if let Some(problem) = boundary_problem(&b) {
                    p.lint(id, &lints::BOUNDARY_INVALID, ct_span, problem);
                }
                let in_digest = sub == "digest";
                let mut preamble = None;
                let mut epilogue = None;
                let mut closed = false;
                let mut part_start: Option<usize> = None;
                let mut found_any = false;
                let mut parts: Vec<(usize, usize)> = Vec::new();
                let mut limited = false;
                let lines = scan
                    .delimiters
                    .get(b.as_bytes())
                    .map_or(&[][..], Vec::as_slice);
                let first = lines.partition_point(|d| d.line < body.start);
                for d in lines.get(first..).unwrap_or_default() {
                    if d.line >= body.end || d.content_end > body.end {
                        break;
                    }
                    if part_start.is_some_and(|s| d.line < s) {
                        continue;
                    }
                    found_any = true;
                    let before = line_ending_before(input, d.line, body.start);
                    let after = d.next.min(body.end);
                    match part_start {
                        None => {
                            if before > body.start {
                                preamble = Some(Span::new(body.start, before));
                            }
                        }
                        Some(s) => parts.push((s, before.max(s))),
                    }
                    if d.close {
                        closed = true;
                        if after < body.end {
                            epilogue = Some(Span::new(after, body.end));
                        }
                        part_start = None;
                        break;
                    }
                    if planned + parts.len() >= MAX_PARTS {
                        limited = true;
                        part_start = None;
                        break;
                    }
                    part_start = Some(after);
                }
                if let Some(s) = part_start {
                    parts.push((s, body.end));
                }
                if limited {
                    if !p.parts_reported {
                        p.parts_reported = true;
                        p.lint(
                            id,
                            &lints::PART_LIMIT,
                            body,
                            format!("more than {MAX_PARTS} entities; the rest of this multipart is not split"),
                        );
                    }
                } else if !found_any {
                    p.lint(
                        id,
                        &lints::BOUNDARY_NOT_FOUND,
                        body,
                        format!("no delimiter line \"--{b}\" in the multipart body"),
                    );
                    if body.end > body.start {
                        preamble = Some(body);
                    }
                } else if !closed {
                    p.lint(
                        id,
                        &lints::BOUNDARY_MISSING_CLOSE,
                        Span::new(body.end, body.end),
                        format!("no close delimiter \"--{b}--\"; the last part runs to the end"),
                    );
                }
                for (k, (s, e)) in parts.into_iter().enumerate() {
                    children.push(Pending {
                        start: s,
                        end: e,
                        parent: Some(id),
                        depth: item.depth + 1,
                        section: child_section(k + 1),
                        encapsulated: false,
                        in_digest,
                        utf8_header: item.utf8_header,
                    });
                }
                kind = Body::Multipart {
                    boundary: b,
                    preamble,
                    epilogue,
                    closed,
                };
            }
        }
    } else if is_message
        && child_depth_ok
        && (te.is_identity() || matches!(te, TransferEncoding::Unknown(_)))
    {
        if planned >= MAX_PARTS {
            if !p.parts_reported {
                p.parts_reported = true;
                p.lint(
                    id,
                    &lints::PART_LIMIT,
                    body,
                    format!("more than {MAX_PARTS} entities; this message is not parsed"),
                );
            }
        } else {
            kind = Body::Message;
            children.push(Pending {
                start: body.start,
                end: body.end,
                parent: Some(id),
                depth: item.depth + 1,
                section: section.clone(),
                encapsulated: true,
                in_digest: false,
                utf8_header: item.utf8_header || sub == "global",
            });
        }
    }

    // Bodies that are header sections by design: an encapsulated message, a delivery status
    // (RFC 3464 §2), or a copy of headers (RFC 6522 §4, text/rfc822-headers).
    let header_like_body = matches!(kind, Body::Message)
        || main == "message"
        || info.content_type == "text/rfc822-headers";
    header_lints(p, id, &h, header_like_body, item.utf8_header);
    let is_message_root = item.parent.is_none() || item.encapsulated;
    if is_message_root {
        message_lints(p, id, &h);
    }
    field_lints(p, id, &h);

    // Leaves: transfer-decode, and charset-decode text.
    let mut decoded = None;
    let mut text = None;
    if matches!(kind, Body::Leaf) {
        let raw = body.slice(input);
        let decoding = !te.is_identity() && !matches!(te, TransferEncoding::Unknown(_));
        let d = if decoding {
            te.decode(raw)
        } else {
            Decoded::default()
        };
        let bytes: &[u8] = if decoding { &d.bytes } else { raw };
        let mut counts: Vec<(DefectKind, usize, Span)> = Vec::new();
        for defect in &d.defects {
            match counts.iter_mut().find(|(k, _, _)| *k == defect.kind) {
                Some((_, n, _)) => *n += 1,
                None => counts.push((defect.kind, 1, defect.span.shift(body.start))),
            }
        }
        for (k, n, span) in counts {
            let def = if k.is_base64() {
                &lints::BASE64_INVALID
            } else {
                &lints::QP_INVALID
            };
            let more = if n > 1 {
                format!(" ({n} places; the first is here)")
            } else {
                String::new()
            };
            p.lint(id, def, span, format!("{}{more}", k.describe()));
        }
        if main == "text" {
            let label = charset.as_deref().unwrap_or("us-ascii");
            let ascii_fast = bytes.is_ascii()
                && matches!(
                    charset::resolve(label),
                    Ok(charset::Charset::Whatwg(e)) if e.is_ascii_compatible()
                );
            let decoded_text = if ascii_fast {
                Ok(charset::Decoded {
                    // ASCII is UTF-8: the checked conversion takes its ASCII fast path.
                    text: std::str::from_utf8(bytes)
                        .map(str::to_owned)
                        .unwrap_or_default(),
                    encoding: "",
                    had_errors: false,
                    ascii_with_8bit: false,
                })
            } else {
                charset::decode(label, bytes)
            };
            let t = match decoded_text {
                Ok(t) => {
                    if t.had_errors {
                        p.lint(
                            id,
                            &lints::CHARSET_MISMATCH,
                            body,
                            format!("bytes that are not valid {label} (shown as U+FFFD)"),
                        );
                    } else if t.ascii_with_8bit {
                        p.lint(
                            id,
                            &lints::CHARSET_MISMATCH,
                            body,
                            "8-bit bytes in a body declared (or defaulting to) US-ASCII; shown as windows-1252",
                        );
                    }
                    t.text
                }
                Err(e) => {
                    p.lint(
                        id,
                        &lints::CHARSET_UNKNOWN,
                        ct_span,
                        format!("{e}; the text is shown as UTF-8"),
                    );
                    charset::decode_utf8_lossy(bytes).text
                }
            };
            text = Some(t);
        }
        if decoding {
            decoded = Some(d.bytes);
        }
    }

    let entity = Entity {
        parent: item.parent,
        children: Vec::new(),
        depth: item.depth,
        section,
        is_message: is_message_root,
        span: Span::new(item.start.min(body.end), body.end),
        header: h,
        body,
        content_type: info.content_type,
        content_type_explicit: info.explicit,
        params: info.params,
        charset,
        transfer_encoding: te,
        disposition,
        filename,
        kind,
        decoded,
        text,
    };
    if let Some(parent) = item.parent.and_then(|i| p.entities.get_mut(i)) {
        parent.children.push(id);
    }
    p.entities.push(entity);
    children
}

/// RFC 5322 §3.6 and RFC 2045 §4 rules for a message header.
fn message_lints(p: &mut Parser<'_>, id: usize, h: &HeaderSection) {
    let input = p.input;
    let at = Span::new(h.span.start, h.span.start);
    if h.get(input, "date").is_none() {
        p.lint(
            id,
            &lints::MISSING_DATE,
            at,
            "the message has no Date field",
        );
    }
    if h.get(input, "from").is_none() {
        p.lint(
            id,
            &lints::MISSING_FROM,
            at,
            "the message has no From field",
        );
    }
    let uses_mime = h
        .get(input, "content-type")
        .or_else(|| h.get(input, "content-transfer-encoding"));
    if let (Some(f), None) = (uses_mime, h.get(input, "mime-version")) {
        p.lint(
            id,
            &lints::MISSING_MIME_VERSION,
            f.span,
            "MIME header fields without MIME-Version: 1.0",
        );
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn codes(m: &Message<'_>) -> Vec<String> {
        m.lints.iter().map(|l| l.lint.code.to_string()).collect()
    }

    fn tree(m: &Message<'_>) -> Vec<String> {
        m.entities
            .iter()
            .map(|e| format!("{}:{}", e.section, e.content_type))
            .collect()
    }

    const HEAD: &str =
        "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n";

    #[test]
    fn simple_message() {
        let input = format!("{HEAD}Subject: hi\r\n\r\nHello\r\n");
        let m = parse_message(input.as_bytes());
        assert_eq!(tree(&m), [":text/plain"]);
        assert_eq!(codes(&m), Vec::<String>::new());
        assert_eq!(m.body(0), b"Hello\r\n");
        assert_eq!(m.text(0), Some("Hello\r\n"));
        assert_eq!(m.header_text(0, "subject").as_deref(), Some("hi"));
    }

    #[test]
    fn multipart_tree_sections_and_spans() {
        let input = format!(
            "{HEAD}Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
             preamble\r\n\
             --outer\r\n\
             Content-Type: multipart/alternative; boundary=inner\r\n\r\n\
             --inner\r\n\r\nplain\r\n\
             --inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n\
             --inner--\r\n\
             --outer \r\n\
             Content-Type: message/rfc822\r\n\r\n\
             From: b@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nnested\r\n\
             --outer\r\n\
             Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             AAEC\r\n\
             --outer--\r\nepilogue\r\n"
        );
        let m = parse_message(input.as_bytes());
        assert_eq!(
            tree(&m),
            [
                ":multipart/mixed",
                "1:multipart/alternative",
                "1.1:text/plain",
                "1.2:text/html",
                "2:message/rfc822",
                "2.1:text/plain",
                "3:application/octet-stream",
            ]
        );
        assert_eq!(codes(&m), Vec::<String>::new(), "{:?}", m.lints);
        assert_eq!(m.raw_body(2), b"plain");
        assert_eq!(m.raw_body(3), b"<p>html</p>");
        assert_eq!(m.raw_body(5), b"nested");
        assert_eq!(m.body(6), [0u8, 1, 2]);
        assert_eq!(m.entities[0].children, [1, 4, 6]);
        assert_eq!(m.entities[5].parent, Some(4));
        match &m.entities[0].kind {
            Body::Multipart {
                preamble,
                epilogue,
                closed,
                ..
            } => {
                assert_eq!(
                    preamble.map(|s| s.slice(input.as_bytes())),
                    Some(&b"preamble"[..])
                );
                assert_eq!(
                    epilogue.map(|s| s.slice(input.as_bytes())),
                    Some(&b"epilogue\r\n"[..])
                );
                assert!(closed);
            }
            other => panic!("expected multipart, got {other:?}"),
        }
    }

    #[test]
    fn lint_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Subject: x\r\n\r\nbody", &["mime.missing-date", "mime.missing-from"]),
            (
                "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nx",
                &["mime.missing-mime-version"],
            ),
            (
                &format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n"),
                &["mime.boundary-missing-close"],
            ),
            (
                &format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\nno parts\r\n"),
                &["mime.boundary-not-found"],
            ),
            (
                &format!("{HEAD}Content-Type: multipart/mixed\r\n\r\nx\r\n"),
                &["mime.boundary-invalid"],
            ),
            (
                &format!("{HEAD}Content-Transfer-Encoding: base64\r\n\r\nQU*JD\r\n"),
                &["mime.base64-invalid"],
            ),
            (
                &format!("{HEAD}Content-Transfer-Encoding: quoted-printable\r\n\r\na=ZZ\r\n"),
                &["mime.qp-invalid"],
            ),
            (
                &format!("{HEAD}\r\nBcc: hidden@example.com\r\n"),
                &["mime.header-in-body"],
            ),
            (&format!("{HEAD}X-Raw: caf\u{e9}\r\n\r\nx"), &["mime.8bit-header"]),
            (
                &format!("{HEAD}Content-Type: message/global\r\n\r\n{HEAD}Subject: caf\u{e9}\r\n\r\nx"),
                &[],
            ),
            (
                &format!("{HEAD}Content-Type: message/rfc822\r\n\r\n{HEAD}Subject: caf\u{e9}\r\n\r\nx"),
                &["mime.8bit-header"],
            ),
            (
                "From: a@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nx\n",
                &["mime.bare-lf"],
            ),
            (
                &format!("{HEAD}\r\n{}\r\n", "x".repeat(1200)),
                &["mime.line-too-long"],
            ),
            (
                &format!(
                    "{HEAD}Content-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.exe\r\n\r\nx"
                ),
                &["mime.filename-mismatch"],
            ),
            (
                &format!("{HEAD}Content-Transfer-Encoding: x-uuencode\r\n\r\nx"),
                &["mime.transfer-encoding-unknown"],
            ),
        ];
        for (input, want) in cases {
            let m = parse_message(input.as_bytes());
            assert_eq!(codes(&m), *want, "lints of {input:?}: {:?}", m.lints);
        }
    }

    #[test]
    fn digest_children_default_to_message_rfc822() {
        let input = format!(
            "{HEAD}Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n\
             From: x@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: one\r\n\r\nbody one\r\n--d--\r\n"
        );
        let m = parse_message(input.as_bytes());
        assert_eq!(
            tree(&m),
            [":multipart/digest", "1:message/rfc822", "1.1:text/plain"]
        );
        assert_eq!(codes(&m), Vec::<String>::new(), "{:?}", m.lints);
        assert_eq!(m.header_text(2, "subject").as_deref(), Some("one"));
    }

    #[test]
    fn lf_and_crlf_give_the_same_tree() {
        let crlf = format!(
            "{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n"
        );
        let lf = crlf.replace("\r\n", "\n");
        let a = parse_message(crlf.as_bytes());
        let b = parse_message(lf.as_bytes());
        assert_eq!(tree(&a), tree(&b));
        assert_eq!(a.raw_body(1), b"one");
        assert_eq!(b.raw_body(1), b"one");
        assert_eq!(b.raw_body(2), b"two");
        assert_eq!(codes(&b), ["mime.bare-lf"]);
    }

    #[test]
    fn builder_output_reads_back_to_the_same_structure() {
        use crate::mime::build::{Attachment, MessageBuilder, NameAddr};
        let long = "long ".repeat(40);
        let subjects = ["plain", "안녕하세요.", "Grüße — “quotes”", long.trim_end()];
        for (i, subject) in subjects.iter().enumerate() {
            let b = MessageBuilder {
                from: vec![NameAddr::new("김철수", "kim@example.kr")],
                to: vec![NameAddr::bare("lee@example.com")],
                subject: Some(subject.to_string()),
                date: "Wed, 03 Jan 2024 10:00:00 +0900".into(),
                message_id: "<rt@example.kr>".into(),
                text: Some(format!("text {i}: é\n{}\n", "x".repeat(i * 500))),
                html: (i % 2 == 0).then(|| "<p>html</p>\n".to_string()),
                attachments: vec![Attachment {
                    filename: "회의록 2024.pdf".into(),
                    content_type: "application/pdf".into(),
                    data: (0..=255u8).cycle().take(1000 + i).collect(),
                }],
                ..MessageBuilder::default()
            };
            let bytes = b.build(i as u64 + 1).expect("build");
            let m = parse_message(&bytes);
            // Info lints are expected: the builder adds an encoded-word `name=` fallback next
            // to RFC 2231 `filename*` for old readers (`mime.encoded-word-in-param`).
            let serious: Vec<&EntityLint> = m
                .lints
                .iter()
                .filter(|l| l.lint.severity > crate::lint::Severity::Info)
                .collect();
            assert!(
                serious.is_empty(),
                "lints for subject {subject:?}: {serious:?}"
            );
            assert_eq!(m.header_text(0, "subject").as_deref(), Some(*subject));
            let att = m
                .entities
                .iter()
                .position(|e| e.filename.is_some())
                .expect("attachment entity");
            assert_eq!(m.entities[att].filename.as_deref(), Some("회의록 2024.pdf"));
            assert_eq!(m.body(att), &b.attachments[0].data[..]);
            let text = m
                .entities
                .iter()
                .position(|e| e.content_type == "text/plain")
                .expect("text entity");
            let got = m.text(text).unwrap_or_default().replace("\r\n", "\n");
            assert_eq!(Some(got.as_str()), b.text.as_deref());
        }
    }

    #[test]
    fn deep_message_rfc822_nesting_is_limited() {
        let level = "Content-Type: message/rfc822\r\n\r\n";
        let input = level.repeat(100_000);
        let m = parse_message(input.as_bytes());
        assert_eq!(m.entities.len(), MAX_DEPTH + 1);
        let nesting = m
            .lints
            .iter()
            .filter(|l| l.lint.code == "mime.nesting-limit")
            .count();
        assert_eq!(nesting, 1, "nesting-limit lints");
        drop(m);
    }

    #[test]
    fn deep_multipart_nesting_is_limited() {
        let mut input = String::with_capacity(100_000 * 48);
        for i in 0..100_000u32 {
            input.push_str(&format!(
                "Content-Type:multipart/mixed;boundary={i:x}\n\n--{i:x}\n"
            ));
        }
        let m = parse_message(input.as_bytes());
        assert_eq!(m.entities.len(), MAX_DEPTH + 1);
        assert!(
            codes(&m).iter().any(|c| c == "mime.nesting-limit"),
            "{:?}",
            codes(&m)
        );
    }

    #[test]
    fn part_count_is_limited() {
        let mut input = format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n");
        for _ in 0..(MAX_PARTS + 50) {
            input.push_str("--b\r\n\r\nx\r\n");
        }
        let m = parse_message(input.as_bytes());
        assert!(m.entities.len() <= MAX_PARTS, "{}", m.entities.len());
        assert!(codes(&m).iter().any(|c| c == "mime.part-limit"));
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = crate::testutil::XorShift::new(7);
        let alphabet: &[u8] =
            b"-\r\n:=?; \"bB\x80\xffContent-Type multipart/mixed boundary=b message/rfc822 base64";
        for len in [0usize, 1, 3, 10, 100, 1000, 20_000] {
            for _ in 0..20 {
                let g = rng.bytes(len, alphabet, false);
                let m = parse_message(&g);
                assert!(!m.entities.is_empty());
                for (i, e) in m.entities.iter().enumerate() {
                    assert!(e.body.end <= g.len() && e.span.start <= e.span.end);
                    let _ = (m.body(i), m.text(i));
                }
            }
        }
    }
}
