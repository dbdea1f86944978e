//! The message parser: a tree of entities with byte spans
//! ([RFC 5322](https://www.rfc-editor.org/rfc/rfc5322), [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045),
//! [RFC 2046 §5](https://www.rfc-editor.org/rfc/rfc2046#section-5)).
//!
//! ```text
//!  input ──► header section (header.rs) ──► Content-Type (params/) ────┬─► multipart/*: split at
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

use std::borrow::Cow;

use serde::Serialize;

use crate::lint::{Lint, LintDef};
use crate::mime::address::Address;
use crate::mime::date::DateTime;
use crate::mime::encoded_word;
use crate::mime::header::{self, HeaderSection};
use crate::mime::transfer::TransferEncoding;
use crate::span::Span;

mod body;
mod fields;
mod lines;

use body::Current;
use lines::{line_lints, scan_lines, LineScan};

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
    /// Whether the transfer-decoded body is `text`'s bytes (then kept only there).
    #[serde(skip)]
    text_is_body: bool,
    /// What the header pass read from address and date fields, by index into `header.fields`.
    #[serde(skip)]
    values: Vec<(usize, FieldValue)>,
}

/// What the parser read from a header field whose syntax it checks, kept so that readers
/// (such as [`report`](super::report)) use it without parsing the field again. The field's
/// lints are in [`Message::lints`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// An address field (From, To, Cc, Bcc, Reply-To, Sender and their Resent- forms): its
    /// mailboxes and groups, in order ([RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4)).
    Addresses(Vec<Address>),
    /// A Date or Resent-Date field: the date, or `None` when it cannot be read
    /// ([RFC 5322 §3.3](https://www.rfc-editor.org/rfc/rfc5322#section-3.3)).
    Date(Option<DateTime>),
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

    /// What the parser read from the field at `index` of [`Entity::header`]'s fields: its
    /// addresses or its date; `None` for other fields.
    pub fn field_value(&self, index: usize) -> Option<&FieldValue> {
        self.values
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| v)
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
            Some(Entity {
                text: Some(t),
                text_is_body: true,
                ..
            }) => t.as_bytes(),
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
        Some(decode_field_text(f.raw_value(self.input)).into_owned())
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
/// read as UTF-8 (lossy). Borrowed from `raw` when there is nothing to decode: most fields are
/// printable ASCII on one line with no `=`.
pub fn decode_field_text(raw: &[u8]) -> Cow<'_, str> {
    if raw
        .iter()
        .all(|&b| matches!(b, b' '..=b'~' | b'\t') && b != b'=')
    {
        if let Ok(text) = std::str::from_utf8(raw) {
            return Cow::Borrowed(text.trim());
        }
    }
    Cow::Owned(trim_owned(
        encoded_word::decode_text_only(raw, encoded_word::Context::Unstructured).text,
    ))
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
    fn lint(
        &mut self,
        entity: usize,
        def: &'static LintDef,
        span: Span,
        msg: crate::lint::Message,
    ) {
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

/// Parses one entity, appends it, and returns its children (in order) for the stack.
///
/// The steps, in the order their lints are made: the content fields
/// ([`fields::content_fields`]), the structure of the body and the entities inside it
/// ([`body::structure`]), the header section's own defects, the RFC 5322 rules of a message
/// header, the fields whose syntax other modules check ([`fields::read_fields`]), and for a
/// leaf its transfer and charset decoding ([`body::decode_leaf`]).
fn parse_entity(
    p: &mut Parser<'_>,
    scan: &LineScan<'_>,
    item: Pending,
    planned: usize,
) -> Vec<Pending> {
    let id = p.entities.len();
    let h = header::parse_header_section(p.input, item.start, item.end);
    let content = fields::content_fields(p, id, &h, item.in_digest);
    let body = Span::new(h.body_start, item.end.max(h.body_start));
    let (main, _) = content.types();
    let section = section_number(&item, main == "multipart");
    let at = Current {
        id,
        item: &item,
        body,
        section: &section,
        planned,
    };
    let (kind, children) = body::structure(p, scan, &at, &h, &content);

    // Bodies that are header sections by design: an encapsulated message, a delivery status
    // (RFC 3464 §2), or a copy of headers (RFC 6522 §4, text/rfc822-headers).
    let header_like_body = matches!(kind, Body::Message)
        || main == "message"
        || content.content_type == "text/rfc822-headers";
    fields::header_lints(p, id, &h, header_like_body, item.utf8_header);
    let is_message_root = item.parent.is_none() || item.encapsulated;
    if is_message_root {
        fields::message_lints(p, id, &h);
    }
    let values = fields::read_fields(p, id, &h);

    let leaf = if matches!(kind, Body::Leaf) {
        body::decode_leaf(p, id, body, &h, &content)
    } else {
        body::Leaf::default()
    };

    let entity = Entity {
        parent: item.parent,
        children: Vec::new(),
        depth: item.depth,
        section,
        is_message: is_message_root,
        span: Span::new(item.start.min(body.end), body.end),
        header: h,
        body,
        content_type: content.content_type,
        content_type_explicit: content.explicit,
        params: content.params,
        charset: content.charset,
        transfer_encoding: content.transfer_encoding,
        disposition: content.disposition,
        filename: content.filename,
        kind,
        decoded: leaf.decoded,
        text: leaf.text,
        text_is_body: leaf.text_is_body,
        values,
    };
    if let Some(parent) = item.parent.and_then(|i| p.entities.get_mut(i)) {
        parent.children.push(id);
    }
    p.entities.push(entity);
    children
}

/// The section number of an entity: as planned by its parent, except that the root of an
/// encapsulated message that is not a multipart gets `N.1` (IMAP, RFC 3501 §6.4.5).
fn section_number(item: &Pending, is_multipart: bool) -> String {
    if !item.encapsulated || is_multipart {
        item.section.clone()
    } else if item.section.is_empty() {
        "1".to_string()
    } else {
        format!("{}.1", item.section)
    }
}

#[cfg(test)]
mod tests;
