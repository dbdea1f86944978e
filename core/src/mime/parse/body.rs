//! The body of one entity: how it is structured (a multipart split at its delimiter lines, an
//! encapsulated message, or a leaf) and, for a leaf, its transfer and charset decoding.

use crate::lint::msg;
use crate::mime::charset;
use crate::mime::header::HeaderSection;
use crate::mime::lints;
use crate::mime::transfer::{Decoded, DefectKind, TransferEncoding};
use crate::span::Span;

use super::fields::Content;
use super::lines::LineScan;
use super::{Body, Parser, Pending, MAX_BOUNDARY, MAX_DEPTH, MAX_PARTS};

/// The entity being parsed: its index, where it sits, its body and its section number.
pub(super) struct Current<'a> {
    pub(super) id: usize,
    pub(super) item: &'a Pending,
    pub(super) body: Span,
    pub(super) section: &'a str,
    /// How many entities are parsed or waiting, this one included (for [`MAX_PARTS`]).
    pub(super) planned: usize,
}

impl Current<'_> {
    /// The `k`th part (from 1) of this multipart, from `start` to `end`.
    fn part(&self, k: usize, start: usize, end: usize, in_digest: bool) -> Pending {
        Pending {
            start,
            end,
            parent: Some(self.id),
            depth: self.item.depth + 1,
            section: if self.section.is_empty() {
                k.to_string()
            } else {
                format!("{}.{k}", self.section)
            },
            encapsulated: false,
            in_digest,
            utf8_header: self.item.utf8_header,
        }
    }
}

/// How the body of an entity is structured, and the entities inside it, reporting the limits
/// and defects of containers: nesting too deep, a container with a transfer encoding, the
/// boundary, the part count.
pub(super) fn structure(
    p: &mut Parser<'_>,
    scan: &LineScan<'_>,
    at: &Current<'_>,
    h: &HeaderSection,
    c: &Content,
) -> (Body, Vec<Pending>) {
    let (main, sub) = c.types();
    let is_multipart = main == "multipart";
    let is_message = main == "message" && (sub == "rfc822" || sub == "global");
    if !is_multipart && !is_message {
        return (Body::Leaf, Vec::new());
    }
    let mut child_depth_ok = true;
    if at.item.depth >= MAX_DEPTH {
        child_depth_ok = false;
        if !p.depth_reported {
            p.depth_reported = true;
            p.lint(
                at.id,
                &lints::NESTING_LIMIT,
                h.span,
                msg!(
                    "nesting deeper than {MAX_DEPTH} levels; this entity is read as an opaque body",
                    MAX_DEPTH
                ),
            );
        }
    }
    let te = &c.transfer_encoding;
    let te_readable = te.is_identity() || matches!(te, TransferEncoding::Unknown(_));
    if !te_readable {
        let span = h
            .get(p.input, "content-transfer-encoding")
            .map_or(h.span, |f| f.span);
        p.lint(
            at.id,
            &lints::MESSAGE_ENCODED,
            span,
            msg!(
                "{content_type} with Content-Transfer-Encoding {encoding}; only 7bit, 8bit or binary are allowed",
                content_type = &c.content_type,
                encoding = te.as_str()
            ),
        );
    }
    if !child_depth_ok {
        (Body::Leaf, Vec::new())
    } else if is_multipart {
        multipart(p, scan, at, h, c)
    } else if te_readable {
        encapsulated(p, at, sub == "global")
    } else {
        (Body::Leaf, Vec::new())
    }
}

/// A multipart body split at its delimiter lines
/// ([RFC 2046 §5.1.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1)), found in the
/// index of [`LineScan`]; without a usable boundary, a leaf.
fn multipart(
    p: &mut Parser<'_>,
    scan: &LineScan<'_>,
    at: &Current<'_>,
    h: &HeaderSection,
    c: &Content,
) -> (Body, Vec<Pending>) {
    let (id, body) = (at.id, at.body);
    let ct_span = h.get(p.input, "content-type").map_or(h.span, |f| f.span);
    let b = match c.param("boundary") {
        Some(b) if !b.is_empty() => b.to_owned(),
        unusable => {
            let msg = if unusable.is_none() {
                msg!("multipart Content-Type without a boundary parameter; the body is read as one opaque part")
            } else {
                msg!("multipart Content-Type with an empty boundary; the body is read as one opaque part")
            };
            p.lint(id, &lints::BOUNDARY_INVALID, ct_span, msg);
            return (Body::Leaf, Vec::new());
        }
    };
    if let Some(problem) = boundary_problem(&b) {
        p.lint(id, &lints::BOUNDARY_INVALID, ct_span, problem);
    }
    let input = p.input;
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
        if at.planned + parts.len() >= MAX_PARTS {
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
                msg!(
                    "more than {MAX_PARTS} entities; the rest of this multipart is not split",
                    MAX_PARTS
                ),
            );
        }
    } else if !found_any {
        p.lint(
            id,
            &lints::BOUNDARY_NOT_FOUND,
            body,
            msg!("no delimiter line \"--{b}\" in the multipart body", b),
        );
        if body.end > body.start {
            preamble = Some(body);
        }
    } else if !closed {
        p.lint(
            id,
            &lints::BOUNDARY_MISSING_CLOSE,
            Span::new(body.end, body.end),
            msg!(
                "no close delimiter \"--{b}--\"; the last part runs to the end",
                b
            ),
        );
    }
    let in_digest = c.types().1 == "digest";
    let children = parts
        .into_iter()
        .enumerate()
        .map(|(k, (start, end))| at.part(k + 1, start, end, in_digest))
        .collect();
    let kind = Body::Multipart {
        boundary: b,
        preamble,
        epilogue,
        closed,
    };
    (kind, children)
}

/// A message/rfc822 or message/global body: one child, the message inside
/// ([RFC 2046 §5.2.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1)), unless the part
/// limit is reached. Inside message/global, headers may be UTF-8 (RFC 6532 §3.7).
fn encapsulated(p: &mut Parser<'_>, at: &Current<'_>, global: bool) -> (Body, Vec<Pending>) {
    if at.planned >= MAX_PARTS {
        if !p.parts_reported {
            p.parts_reported = true;
            p.lint(
                at.id,
                &lints::PART_LIMIT,
                at.body,
                msg!(
                    "more than {MAX_PARTS} entities; this message is not parsed",
                    MAX_PARTS
                ),
            );
        }
        return (Body::Leaf, Vec::new());
    }
    let child = Pending {
        start: at.body.start,
        end: at.body.end,
        parent: Some(at.id),
        depth: at.item.depth + 1,
        section: at.section.to_owned(),
        encapsulated: true,
        in_digest: false,
        utf8_header: at.item.utf8_header || global,
    };
    (Body::Message, vec![child])
}

/// Whether a boundary follows the `bchars` grammar of RFC 2046 §5.1.1.
fn boundary_problem(b: &str) -> Option<crate::lint::Message> {
    if b.is_empty() {
        return Some(msg!("the boundary parameter is empty"));
    }
    if b.len() > MAX_BOUNDARY {
        return Some(msg!(
            "boundary of {n} characters; at most {MAX_BOUNDARY} are allowed",
            n = b.len(),
            MAX_BOUNDARY
        ));
    }
    if b.ends_with(' ') {
        return Some(msg!("the boundary ends in a space"));
    }
    if let Some(c) = b
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c)))
    {
        return Some(msg!(
            "the boundary contains {c}, outside bchars",
            c = format_args!("{c:?}")
        ));
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

/// What [`decode_leaf`] gives an entity (nothing, for a container).
#[derive(Default)]
pub(super) struct Leaf {
    /// The transfer-decoded bytes; `None` when the encoding is the identity or unknown, or
    /// when they are the text (`text_is_body`).
    pub(super) decoded: Option<Vec<u8>>,
    /// The text of a text/* leaf.
    pub(super) text: Option<String>,
    /// Whether the decoded bytes are exactly the text's UTF-8 (kept once, as the text).
    pub(super) text_is_body: bool,
}

/// Transfer-decodes a leaf ([RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6))
/// and charset-decodes it when it is text, reporting the defects of both.
pub(super) fn decode_leaf(
    p: &mut Parser<'_>,
    id: usize,
    body: Span,
    h: &HeaderSection,
    c: &Content,
) -> Leaf {
    let raw = body.slice(p.input);
    let te = &c.transfer_encoding;
    let decoding = !te.is_identity() && !matches!(te, TransferEncoding::Unknown(_));
    let d = if decoding {
        te.decode(raw)
    } else {
        Decoded::default()
    };
    transfer_lints(p, id, body, &d);
    if c.types().0 != "text" {
        return Leaf {
            decoded: decoding.then_some(d.bytes),
            ..Leaf::default()
        };
    }
    let label = c.charset.as_deref().unwrap_or("us-ascii");
    if decoding && reads_as_utf8(label, &d.bytes) {
        if let Some(text) = charset::utf8(&d.bytes) {
            // The decoded bytes are the text: kept once.
            return Leaf {
                decoded: None,
                text: Some(text.to_owned()),
                text_is_body: true,
            };
        }
    }
    let bytes: &[u8] = if decoding { &d.bytes } else { raw };
    let ct_span = h.get(p.input, "content-type").map_or(h.span, |f| f.span);
    let text = decode_text(p, id, body, ct_span, label, bytes);
    Leaf {
        decoded: decoding.then_some(d.bytes),
        text: Some(text),
        text_is_body: false,
    }
}

/// Whether text in charset `label` is `bytes` read as UTF-8: the charset is UTF-8 and the
/// bytes start with no byte order mark (which decoding removes), or the charset is
/// ASCII-compatible and the bytes are ASCII. (Whether they are valid UTF-8 is checked after.)
fn reads_as_utf8(label: &str, bytes: &[u8]) -> bool {
    match charset::resolve(label) {
        Ok(charset::Charset::Whatwg(e)) if e == encoding_rs::UTF_8 => {
            !bytes.starts_with(b"\xEF\xBB\xBF")
        }
        Ok(charset::Charset::Whatwg(e)) => e.is_ascii_compatible() && bytes.is_ascii(),
        _ => false,
    }
}

/// One lint per kind of transfer-decoding defect, at its first place, with the count.
fn transfer_lints(p: &mut Parser<'_>, id: usize, body: Span, d: &Decoded) {
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
        let text = if n > 1 {
            msg!("{defect} ({n} places; the first is here)", n).text("defect", k.message())
        } else {
            k.message()
        };
        p.lint(id, def, span, text);
    }
}

/// The text of a text/* leaf in its declared charset
/// ([RFC 2046 §4.1.2](https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2)), reporting bytes
/// that do not fit it and an unknown charset (then read as UTF-8).
fn decode_text(
    p: &mut Parser<'_>,
    id: usize,
    body: Span,
    ct_span: Span,
    label: &str,
    bytes: &[u8],
) -> String {
    let as_utf8 = reads_as_utf8(label, bytes)
        .then(|| charset::utf8(bytes))
        .flatten();
    let decoded_text = match as_utf8 {
        Some(text) => Ok(charset::Decoded {
            text: text.to_owned(),
            encoding: "",
            had_errors: false,
            ascii_with_8bit: false,
        }),
        None => charset::decode(label, bytes),
    };
    match decoded_text {
        Ok(t) => {
            if t.had_errors {
                p.lint(
                    id,
                    &lints::CHARSET_MISMATCH,
                    body,
                    msg!("bytes that are not valid {label} (shown as U+FFFD)", label),
                );
            } else if t.ascii_with_8bit {
                p.lint(
                    id,
                    &lints::CHARSET_MISMATCH,
                    body,
                    msg!("8-bit bytes in a body declared (or defaulting to) US-ASCII; shown as windows-1252"),
                );
            }
            t.text
        }
        Err(e) => {
            p.lint(
                id,
                &lints::CHARSET_UNKNOWN,
                ct_span,
                msg!("{e}; the text is shown as UTF-8", e),
            );
            charset::decode_utf8_lossy(bytes).text
        }
    }
}
