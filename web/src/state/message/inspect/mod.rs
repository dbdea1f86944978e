//! The inspector's view-model: a parsed message turned into owned data the views render.
//!
//! Every reading comes from `mailscope-core` ([`parse_message`], the RFC 2047 explanations of
//! [`decode_unstructured`], [`find_report`]); this module only copies the results out of the
//! borrowed [`Message`] so the UI can keep them, and answers span questions (which node holds
//! this offset, which lines show this span).

use std::rc::Rc;

use mailscope_core::codec::base64;
use mailscope_core::lint::Lint;
use mailscope_core::mime::cid::{cid_url_target, content_id, rewrite_cid_urls};
use mailscope_core::mime::dsn::{find_report, DeliveryStatus};
use mailscope_core::mime::encoded_word::{decode_unstructured, WordExplanation};
use mailscope_core::mime::parse::{parse_message, Body, Message};
use mailscope_core::sniff::{check_text, NotText};
use mailscope_core::span::Span;
use serde::{Deserialize, Serialize};

/// Longest line (in bytes) the source view renders before cutting it with "…".
pub const MAX_LINE_SHOWN: usize = 4096;

/// One header field with its raw and decoded value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldView {
    /// The field name as written.
    pub name: String,
    /// The raw value after the colon, folds included (lossy UTF-8).
    pub raw: String,
    /// The value unfolded with encoded-words decoded.
    pub decoded: String,
    /// The encoded-words of the value, spans absolute (offsets into the message).
    pub words: Vec<WordExplanation>,
    /// The whole field, line ending included.
    pub span: Span,
}

/// Where a part's transfer-decoded body lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PartBody {
    /// Identity encodings: the body bytes of the input as they are.
    Raw(Span),
    /// Base64 or quoted-printable, decoded.
    Decoded(Vec<u8>),
}

/// One entity of the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartView {
    /// IMAP section (`""` for the root).
    pub section: String,
    /// Nesting depth (0 for the root).
    pub depth: usize,
    /// Children indices.
    pub children: Vec<usize>,
    /// Lowercase `type/subtype`.
    pub content_type: String,
    /// Declared charset.
    pub charset: Option<String>,
    /// Content-Transfer-Encoding.
    pub transfer_encoding: String,
    /// Content-Disposition type.
    pub disposition: Option<String>,
    /// Decoded file name.
    pub filename: Option<String>,
    /// Whether this is a multipart or message container.
    pub container: bool,
    /// Whether the multipart's close delimiter is missing.
    pub unclosed: bool,
    /// The whole entity.
    pub span: Span,
    /// The header section.
    pub header_span: Span,
    /// The (encoded) body.
    pub body_span: Span,
    /// The header fields.
    pub fields: Vec<FieldView>,
    /// The transfer-decoded body (leaves only).
    pub body: Option<PartBody>,
    /// The charset-decoded text of text/* leaves.
    pub text: Option<String>,
}

impl PartView {
    /// The label of the part in the tree: section (or "message") and content type.
    pub fn label(&self, lang: crate::state::i18n::Lang) -> String {
        if self.section.is_empty() {
            format!(
                "{} · {}",
                crate::state::i18n::tr(lang, "message"),
                self.content_type
            )
        } else {
            format!("{} · {}", self.section, self.content_type)
        }
    }

    /// A file name to download the decoded body under.
    pub fn download_name(&self) -> String {
        match &self.filename {
            Some(f) if !f.trim().is_empty() => f.replace(['/', '\\'], "_"),
            _ => {
                let ext = match self.content_type.as_str() {
                    "text/plain" => "txt",
                    "text/html" => "html",
                    "message/rfc822" | "message/global" => "eml",
                    t if t.starts_with("image/") => t.trim_start_matches("image/"),
                    _ => "bin",
                };
                let section = if self.section.is_empty() {
                    "message".to_string()
                } else {
                    format!("part-{}", self.section)
                };
                format!("{section}.{ext}")
            }
        }
    }
}

/// A lint and the part it was found in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LintView {
    /// Index of the part.
    pub part: usize,
    /// The finding.
    pub lint: Lint,
}

/// A delivery status report found in the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DsnView {
    /// The message/delivery-status part.
    pub part: usize,
    /// The parsed report.
    pub status: DeliveryStatus,
}

/// A shared, immutable [`Inspected`] that compares by identity, so views re-render cheaply
/// (comparing two 25 MB inputs byte by byte on every render would not be).
#[derive(Debug, Clone)]
pub struct Doc(pub Rc<Inspected>);

impl PartialEq for Doc {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Doc {
    type Target = Inspected;

    fn deref(&self) -> &Inspected {
        &self.0
    }
}

impl From<Inspected> for Doc {
    fn from(i: Inspected) -> Doc {
        Doc(Rc::new(i))
    }
}

/// A message as the inspector shows it.
///
/// It crosses from the worker to the page as a [`Transfer`]: the bytes travel as
/// transferable buffers, the rest in postcard's binary form (`input` and `line_starts` are not
/// in it). Postcard is not self-describing: the page decodes field by field in declaration
/// order, so every type in here (the core's included) must serialize every field every time —
/// no `skip_serializing_if`, `flatten`, `untagged` or internally tagged enums (`#[serde(skip)]`
/// on both sides is fine). `a_transfer_round_trips` checks a rich message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspected {
    /// Where it came from (file name or "pasted").
    pub name: String,
    /// The message bytes.
    #[serde(skip)]
    pub input: Vec<u8>,
    /// Offsets where each line starts (the first is 0).
    #[serde(skip)]
    pub line_starts: Vec<usize>,
    /// Entities in depth-first pre-order (index 0 is the root).
    pub parts: Vec<PartView>,
    /// Findings.
    pub lints: Vec<LintView>,
    /// Findings the core dropped beyond its limit.
    pub suppressed_lints: usize,
    /// The delivery status report, if the message is a DSN.
    pub dsn: Option<DsnView>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn shift_word(mut w: WordExplanation, by: usize) -> WordExplanation {
    w.span = w.span.shift(by);
    w
}

fn part_view(msg: &Message<'_>, id: usize) -> Option<PartView> {
    let input = msg.input();
    let e = msg.entity(id)?;
    let fields = e
        .header
        .fields
        .iter()
        .map(|f| {
            let raw = f.raw_value(input);
            let decoded = decode_unstructured(raw);
            FieldView {
                name: lossy(f.name(input)),
                raw: lossy(raw),
                decoded: decoded.text.trim().to_string(),
                words: decoded
                    .words
                    .into_iter()
                    .map(|w| shift_word(w, f.value.start))
                    .collect(),
                span: f.span,
            }
        })
        .collect();
    let body = e.is_leaf().then(|| {
        if e.transfer_encoding.is_identity() {
            PartBody::Raw(e.body)
        } else {
            PartBody::Decoded(msg.body(id).to_vec())
        }
    });
    Some(PartView {
        section: e.section.clone(),
        depth: e.depth,
        children: e.children.clone(),
        content_type: e.content_type.clone(),
        charset: e.charset.clone(),
        transfer_encoding: e.transfer_encoding.as_str().to_string(),
        disposition: e.disposition.clone(),
        filename: e.filename.clone(),
        container: !e.is_leaf(),
        unclosed: matches!(e.kind, Body::Multipart { closed: false, .. }),
        span: e.span,
        header_span: e.header.span,
        body_span: e.body,
        fields,
        body,
        text: msg.text(id).map(str::to_string),
    })
}

/// Where each line of `input` starts (after LF; a lone CR does not end a line).
pub fn line_starts(input: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        input
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < input.len()),
    );
    starts
}

/// A node of the message the user can select; each has a byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A part (entity).
    Part(usize),
    /// A header field of a part.
    Field {
        /// The part.
        part: usize,
        /// Index into its fields.
        field: usize,
    },
    /// A finding.
    Lint(usize),
}

impl Inspected {
    /// Parses an opened file or paste, refusing input that holds no message: empty, only white
    /// space, or binary (the core's rule, [`check_text`], which the CLI applies too).
    pub fn open(name: impl Into<String>, input: Vec<u8>) -> Result<Inspected, NotText> {
        check_text(&input, &input)?;
        Ok(Inspected::new(name, input))
    }

    /// Parses `input` with the core and keeps what the views need.
    pub fn new(name: impl Into<String>, input: Vec<u8>) -> Inspected {
        let (parts, lints, suppressed_lints, dsn) = {
            let msg = parse_message(&input);
            let parts: Vec<PartView> = (0..msg.entities.len())
                .filter_map(|i| part_view(&msg, i))
                .collect();
            let lints = msg
                .lints
                .iter()
                .map(|l| LintView {
                    part: l.entity,
                    lint: l.lint.clone(),
                })
                .collect();
            let dsn = find_report(&msg).map(|r| DsnView {
                part: r.status_entity,
                status: r.status,
            });
            (parts, lints, msg.suppressed_lints, dsn)
        };
        Inspected {
            name: name.into(),
            line_starts: line_starts(&input),
            input,
            parts,
            lints,
            suppressed_lints,
            dsn,
        }
    }

    /// The decoded subject of the top-level header, if any.
    pub fn subject(&self) -> Option<&str> {
        self.parts
            .first()?
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("subject"))
            .map(|f| f.decoded.as_str())
    }

    /// The first text/plain or text/html leaf, if any.
    pub fn first_text_part(&self) -> Option<usize> {
        self.parts
            .iter()
            .position(|p| !p.container && p.text.is_some() && p.content_type.starts_with("text/"))
    }

    /// The transfer-decoded body of a part (empty for containers).
    pub fn body(&self, part: usize) -> &[u8] {
        match self.parts.get(part).and_then(|p| p.body.as_ref()) {
            Some(PartBody::Raw(span)) => span.slice(&self.input),
            Some(PartBody::Decoded(bytes)) => bytes,
            None => &[],
        }
    }

    /// The bytes a node covers in the input.
    pub fn span_of(&self, node: Node) -> Option<Span> {
        match node {
            Node::Part(p) => self.parts.get(p).map(|p| p.span),
            Node::Field { part, field } => self.parts.get(part)?.fields.get(field).map(|f| f.span),
            Node::Lint(l) => self.lints.get(l).map(|l| l.lint.span),
        }
    }

    /// The part a node belongs to.
    pub fn part_of(&self, node: Node) -> usize {
        match node {
            Node::Part(p) | Node::Field { part: p, .. } => p,
            Node::Lint(l) => self.lints.get(l).map_or(0, |l| l.part),
        }
    }

    /// The innermost node holding `offset`: a header field if the offset is in one, else the
    /// innermost part (the root when none holds it).
    pub fn node_at(&self, offset: usize) -> Node {
        let part = self
            .parts
            .iter()
            .rposition(|p| p.span.start <= offset && offset < p.span.end)
            .unwrap_or(0);
        let field = self.parts.get(part).and_then(|p| {
            p.fields
                .iter()
                .position(|f| f.span.start <= offset && offset < f.span.end)
        });
        match field {
            Some(field) => Node::Field { part, field },
            None => Node::Part(part),
        }
    }

    /// The line (0-based) holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The byte range of line `line` (line ending included), if it exists.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.line_starts.get(line)?;
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.input.len());
        Some(Span::new(start, end))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// How a piece of a source line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Plain bytes.
    Text,
    /// A line-ending marker (CR or LF).
    Marker,
    /// The line was cut here ("…").
    Cut,
    /// An empty marked span (a finding about something missing) sits here; no text.
    Caret,
}

/// A run of a rendered line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// What to show.
    pub text: String,
    /// How.
    pub kind: SegmentKind,
    /// Whether it lies in the highlighted span.
    pub highlighted: bool,
    /// Offset of its first byte in the input.
    pub offset: usize,
}

/// Splits the line `span` of `input` into segments: text (lossy UTF-8, at most
/// [`MAX_LINE_SHOWN`] bytes), CR and LF markers, each marked as in or out of `highlight`.
pub fn line_segments(input: &[u8], span: Span, highlight: Option<Span>) -> Vec<Segment> {
    marked_segments(input, span, highlight.as_slice())
}

/// Like [`line_segments`], with any number of marked ranges.
pub fn marked_segments(input: &[u8], span: Span, marks: &[Span]) -> Vec<Segment> {
    let bytes = span.slice(input);
    let inside = |o: usize| marks.iter().any(|h| h.start <= o && o < h.end);
    let mut content_end = bytes.len();
    while content_end > 0 && matches!(bytes.get(content_end - 1), Some(b'\r' | b'\n')) {
        content_end -= 1;
    }
    let shown_end = content_end.min(MAX_LINE_SHOWN);
    // Cut points: the mark edges that fall inside the shown text.
    let mut cuts = vec![0, shown_end];
    for h in marks {
        for edge in [h.start, h.end] {
            if edge > span.start && edge < span.start + shown_end {
                cuts.push(edge - span.start);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a < b {
            out.push(Segment {
                text: lossy(bytes.get(a..b).unwrap_or_default()),
                kind: SegmentKind::Text,
                highlighted: inside(span.start + a),
                offset: span.start + a,
            });
        }
    }
    if shown_end < content_end {
        out.push(Segment {
            text: format!("… ({} more bytes)", content_end - shown_end),
            kind: SegmentKind::Cut,
            highlighted: inside(span.start + shown_end),
            offset: span.start + shown_end,
        });
    }
    for (i, b) in bytes.iter().enumerate().skip(content_end) {
        out.push(Segment {
            text: if *b == b'\r' { "CR" } else { "LF" }.to_string(),
            kind: SegmentKind::Marker,
            highlighted: inside(span.start + i),
            offset: span.start + i,
        });
    }
    // Empty marks show as a caret before the byte they point at (or at the end of the input).
    let at_end = span.end >= input.len();
    for m in marks.iter().filter(|m| m.is_empty()) {
        if m.start >= span.start && (m.start < span.end || (at_end && m.start == span.end)) {
            let at = out
                .iter()
                .position(|s| s.offset >= m.start)
                .unwrap_or(out.len());
            out.insert(
                at,
                Segment {
                    text: String::new(),
                    kind: SegmentKind::Caret,
                    highlighted: true,
                    offset: m.start,
                },
            );
        }
    }
    out
}

/// An [`Inspected`] taken apart to cross a worker boundary: the big byte buffers separately
/// (they are transferred, not copied), everything else in postcard's binary form (smaller to
/// decode on the page than JSON: no field names, no self-describing visitors).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transfer {
    /// The view-model without its bytes, postcard-encoded.
    pub model: Vec<u8>,
    /// The message bytes.
    pub input: Vec<u8>,
    /// The decoded bodies of base64/quoted-printable leaves, in part order.
    pub bodies: Vec<Vec<u8>>,
    /// Line starts (the inspector reads at most 256 MiB, so they fit in 32 bits).
    pub line_starts: Vec<u32>,
}

impl Inspected {
    /// Splits the view-model for the trip from the worker.
    pub fn into_transfer(mut self) -> Result<Transfer, String> {
        let mut bodies = Vec::new();
        for part in &mut self.parts {
            if let Some(PartBody::Decoded(bytes)) = &mut part.body {
                bodies.push(std::mem::take(bytes));
            }
        }
        let line_starts = self
            .line_starts
            .iter()
            .map(|&s| u32::try_from(s).map_err(|_| format!("line offset {s} exceeds 32 bits")))
            .collect::<Result<Vec<u32>, String>>()?;
        let input = std::mem::take(&mut self.input);
        let model = crate::state::binary::encode(&self)?;
        Ok(Transfer {
            model,
            input,
            bodies,
            line_starts,
        })
    }

    /// Puts a [`Transfer`] back together, checking that its pieces fit each other.
    pub fn from_transfer(t: Transfer) -> Result<Inspected, String> {
        let mut m: Inspected = crate::state::binary::decode(&t.model)?;
        let mut bodies = t.bodies.into_iter();
        for part in &mut m.parts {
            if let Some(PartBody::Decoded(bytes)) = &mut part.body {
                *bytes = bodies.next().ok_or("fewer decoded bodies than parts")?;
            }
        }
        if bodies.next().is_some() {
            return Err("more decoded bodies than parts".into());
        }
        let len = t.input.len();
        if t.line_starts.first() != Some(&0)
            || t.line_starts.windows(2).any(|w| w[0] >= w[1])
            || t.line_starts.iter().any(|&s| s as usize > len)
        {
            return Err("line offsets do not fit the message".into());
        }
        m.input = t.input;
        m.line_starts = t.line_starts.into_iter().map(|s| s as usize).collect();
        Ok(m)
    }

    /// The part whose `Content-ID` is the one the `cid:` URL part `cid` names (RFC 2392 §2,
    /// matched as the core's `mime::cid` says). The first such part wins.
    pub fn find_by_content_id(&self, cid: &str) -> Option<usize> {
        self.find_content_id(&cid_url_target(cid))
    }

    /// The part whose `Content-ID` is `id` (without brackets, already %-decoded).
    fn find_content_id(&self, id: &str) -> Option<usize> {
        self.parts.iter().position(|p| {
            p.fields.iter().any(|f| {
                f.name.eq_ignore_ascii_case("content-id") && content_id(&f.decoded) == Some(id)
            })
        })
    }

    /// The HTML of `part` with every `cid:` reference to a leaf of this message replaced by a
    /// `data:` URL of that part's decoded body (RFC 2392, RFC 2557; the core's
    /// [`rewrite_cid_urls`] finds them), plus what was found. Remote references are left as
    /// they are (the sandbox's policy blocks them) and counted.
    pub fn html_with_inline_parts(&self, html: &str) -> InlinedHtml {
        let out = rewrite_cid_urls(html, |id| {
            let p = self
                .find_content_id(id)
                .filter(|&p| self.parts.get(p).is_some_and(|p| !p.container))?;
            let body = self.body(p);
            if body.len() > MAX_INLINE_PART {
                return None;
            }
            let mime = self.parts.get(p).map_or("", |p| p.content_type.as_str());
            Some(format!("data:{mime};base64,{}", base64::encode(body)))
        });
        InlinedHtml {
            remote: count_remote(&html.to_ascii_lowercase()),
            html: out.text,
            inlined: out.replaced,
            missing: out.unresolved + out.over_limit,
        }
    }
}

/// Largest inline part put into the HTML as a `data:` URL.
pub const MAX_INLINE_PART: usize = 8 * 1024 * 1024;

/// An HTML body prepared for the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlinedHtml {
    /// The HTML with `cid:` references replaced.
    pub html: String,
    /// References replaced by the part they name.
    pub inlined: usize,
    /// `cid:` references to no part of this message (or to one too large to inline).
    pub missing: usize,
    /// Remote (`http:`, `https:`, `//`) loads in `src`, `background` or `url()`, blocked.
    pub remote: usize,
}

/// Remote loads in lowercased HTML: `src=`/`background=`/`url(` values starting with
/// `http:`, `https:` or `//`.
fn count_remote(lower: &str) -> usize {
    let mut n = 0;
    for key in ["src=", "background=", "url(", "srcset=", "href="] {
        for (at, _) in lower.match_indices(key) {
            if key == "href=" {
                // Style sheets only: links are not loaded.
                let tag_start = lower.get(..at).and_then(|b| b.rfind('<')).unwrap_or(0);
                if !lower
                    .get(tag_start..at)
                    .is_some_and(|t| t.starts_with("<link"))
                {
                    continue;
                }
            }
            let value = lower
                .get(at + key.len()..)
                .unwrap_or_default()
                .trim_start_matches(['"', '\'', ' ']);
            if value.starts_with("http:") || value.starts_with("https:") || value.starts_with("//")
            {
                n += 1;
            }
        }
    }
    n
}

/// Hex dump rows of the first `limit` bytes: offset, 16 hex bytes, printable ASCII.
pub fn hex_rows(bytes: &[u8], limit: usize) -> Vec<String> {
    bytes
        .get(..limit.min(bytes.len()))
        .unwrap_or_default()
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  {}", i * 16, hex.join(" "), ascii)
        })
        .collect()
}

/// Bytes as space-separated hex pairs (for the encoded-word explanation).
pub fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
