//! The header pass of one entity: the content fields (Content-Type, Content-Transfer-Encoding,
//! Content-Disposition), the header section's own defects, the RFC 5322 rules of a message
//! header, and the fields whose syntax other modules check (addresses, dates, encoded-words).

use crate::lint::msg;
use crate::lint::{Lint, LintDef};
use crate::mime::header::{self, HeaderDefectKind, HeaderSection};
use crate::mime::transfer::TransferEncoding;
use crate::mime::{address, date, encoded_word, lints, params};
use crate::span::Span;

use super::{FieldValue, Parser};

/// What the content fields of an entity say, after the RFC 2045 §5.2 defaults.
pub(super) struct Content {
    /// Lowercase `type/subtype`.
    pub(super) content_type: String,
    /// Whether a valid Content-Type field gave it.
    pub(super) explicit: bool,
    /// The Content-Type parameters (names lowercase, values decoded), in order.
    pub(super) params: Vec<(String, String)>,
    /// The `charset` parameter, trimmed and lowercased.
    pub(super) charset: Option<String>,
    pub(super) transfer_encoding: TransferEncoding,
    /// The Content-Disposition type, lowercased.
    pub(super) disposition: Option<String>,
    /// Content-Disposition `filename`, else Content-Type `name`.
    pub(super) filename: Option<String>,
}

impl Content {
    /// The main type and the subtype.
    pub(super) fn types(&self) -> (&str, &str) {
        self.content_type
            .split_once('/')
            .unwrap_or((self.content_type.as_str(), ""))
    }

    /// A Content-Type parameter by lowercase name.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the content fields of an entity's header and reports their defects: the parameter
/// lints of Content-Type and Content-Disposition, an unknown transfer encoding, a file name
/// that differs between the two fields.
pub(super) fn content_fields(
    p: &mut Parser<'_>,
    id: usize,
    h: &HeaderSection,
    in_digest: bool,
) -> Content {
    let input = p.input;
    let info = content_info(p, id, h, in_digest);
    let cte = h.get(input, "content-transfer-encoding");
    let transfer_encoding = cte
        .map(|f| TransferEncoding::parse(f.raw_value(input)))
        .unwrap_or_default();
    if let (TransferEncoding::Unknown(name), Some(f)) = (&transfer_encoding, cte) {
        p.lint(
            id,
            &lints::TRANSFER_ENCODING_UNKNOWN,
            f.span,
            msg!(
                "unknown transfer encoding {name}; the body is shown undecoded",
                name = format_args!("{name:?}")
            ),
        );
    }
    let (disposition, disp_filename) = disposition_info(p, id, h);
    let mut content = Content {
        content_type: info.content_type,
        explicit: info.explicit,
        params: info.params,
        charset: None,
        transfer_encoding,
        disposition,
        filename: None,
    };
    let ct_name = content.param("name").map(str::to_owned);
    if let (Some(a), Some(b)) = (&disp_filename, &ct_name) {
        if a != b {
            let span = h
                .get(input, "content-disposition")
                .map_or(h.span, |f| f.span);
            p.lint(
                id,
                &lints::FILENAME_MISMATCH,
                span,
                msg!(
                    "Content-Disposition filename {a} differs from Content-Type name {b}",
                    a = format_args!("{a:?}"),
                    b = format_args!("{b:?}")
                ),
            );
        }
    }
    content.filename = disp_filename.or(ct_name);
    content.charset = content
        .param("charset")
        .map(|v| v.trim().to_ascii_lowercase());
    content
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
        content_type: [ct.type_.as_str(), "/", ct.subtype.as_str()].concat(),
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

/// Reports the defects the header section parser found.
pub(super) fn header_lints(
    p: &mut Parser<'_>,
    id: usize,
    h: &HeaderSection,
    header_like_body: bool,
    utf8_header: bool,
) {
    for d in &h.defects {
        let (def, msg): (&'static LintDef, crate::lint::Message) = match d.kind {
            HeaderDefectKind::EightBit => {
                let bytes = d.span.slice(p.input);
                let utf8 = std::str::from_utf8(bytes).is_ok();
                if utf8 && utf8_header {
                    continue;
                }
                if utf8 {
                    (
                        &lints::UTF8_HEADER,
                        msg!("raw UTF-8 in a header field: an internationalized message (RFC 6532 §3), which may travel by SMTP only with SMTPUTF8 (RFC 6531 §3.2)"),
                    )
                } else {
                    (
                        &lints::EIGHT_BIT_HEADER,
                        msg!("raw 8-bit bytes that are not UTF-8 in a header field; use RFC 2047 encoded-words"),
                    )
                }
            }
            HeaderDefectKind::InvalidName => (
                &lints::HEADER_INVALID,
                msg!("field name with characters outside printable ASCII or with spaces"),
            ),
            HeaderDefectKind::SpaceBeforeColon => (
                &lints::HEADER_OBSOLETE,
                msg!("whitespace between the field name and the colon"),
            ),
            HeaderDefectKind::NotAField => (
                &lints::HEADER_INVALID,
                msg!("line without a colon in the header section: the body starts here, without the empty line"),
            ),
            HeaderDefectKind::ContinuationWithoutField => (
                &lints::HEADER_INVALID,
                msg!("continuation line (starting with whitespace) before the first field"),
            ),
            HeaderDefectKind::TooManyFields => (
                &lints::HEADER_LIMIT,
                msg!(
                    "more than {max} header fields; {skipped} skipped",
                    max = header::MAX_FIELDS,
                    skipped = h.skipped_fields
                ),
            ),
            HeaderDefectKind::SectionTooLarge => (
                &lints::HEADER_LIMIT,
                msg!(
                    "header section larger than {max} bytes",
                    max = header::MAX_HEADER_BYTES
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
                    msg!(
                        "the body starts with a header-like line ({line}) right after the empty line that ended the header section",
                        line = format_args!("{:?}", String::from_utf8_lossy(line.get(..name_end).unwrap_or_default()))
                    ),
                )
            }
            HeaderDefectKind::MboxFromLine => (
                &lints::MBOX_SEPARATOR,
                msg!("mbox `From ` separator line before the header; skipped"),
            ),
        };
        p.lint(id, def, d.span, msg);
    }
}

/// Reads the fields whose syntax other modules check (addresses, dates, encoded-words in
/// unstructured fields) and reports their lints. Returns what was read from the address and
/// date fields, by field index, so that nothing parses them again.
pub(super) fn read_fields(
    p: &mut Parser<'_>,
    id: usize,
    h: &HeaderSection,
) -> Vec<(usize, FieldValue)> {
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
    let mut values = Vec::new();
    for (index, f) in h.fields.iter().enumerate() {
        let name = f.name(p.input);
        let raw = f.raw_value(p.input);
        let base = f.value.start;
        let found: Vec<Lint> = if ADDRESS
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
        {
            let list = address::parse_address_list(raw);
            values.push((index, FieldValue::Addresses(list.entries)));
            list.lints
        } else if name.eq_ignore_ascii_case(b"date") || name.eq_ignore_ascii_case(b"resent-date") {
            let parsed = date::parse_date(raw);
            values.push((index, FieldValue::Date(parsed.value)));
            parsed.lints
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
    values
}

/// RFC 5322 §3.6 and RFC 2045 §4 rules for a message header.
pub(super) fn message_lints(p: &mut Parser<'_>, id: usize, h: &HeaderSection) {
    let input = p.input;
    let at = Span::new(h.span.start, h.span.start);
    if h.get(input, "date").is_none() {
        p.lint(
            id,
            &lints::MISSING_DATE,
            at,
            msg!("the message has no Date field"),
        );
    }
    if h.get(input, "from").is_none() {
        p.lint(
            id,
            &lints::MISSING_FROM,
            at,
            msg!("the message has no From field"),
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
            msg!("MIME header fields without MIME-Version: 1.0"),
        );
    }
}
