//! Lint definitions of the MIME and RFC 5322 family (`mime.*`), listed in [`super::CATALOG`]
//! and documented in `docs/lints.md`.

use crate::lint::{LintDef, Severity};

/// An RFC 2047 encoded-word that is malformed: bad base64 or Q text, an unknown encoding
/// letter, a word inside a quoted string, or a word longer than 75 characters.
pub const ENCODED_WORD_INVALID: LintDef = LintDef {
    code: "mime.encoded-word-invalid",
    severity: Severity::Error,
    reference: "RFC 2047 §2",
    summary: "a malformed encoded-word: bad base64 or Q text, unknown encoding, inside a quoted string, or longer than 75 characters",
};

/// A charset name that Mailscope does not know or cannot decode.
pub const CHARSET_UNKNOWN: LintDef = LintDef {
    code: "mime.charset-unknown",
    severity: Severity::Warning,
    reference: "RFC 2046 §4.1.2",
    summary: "a charset name that is not registered or not supported; the text cannot be decoded reliably",
};

/// Bytes that are not valid in the declared charset (including 8-bit bytes under US-ASCII).
pub const CHARSET_MISMATCH: LintDef = LintDef {
    code: "mime.charset-mismatch",
    severity: Severity::Warning,
    reference: "RFC 2046 §4.1.2",
    summary: "bytes that are not valid in the declared charset (replaced by U+FFFD), or 8-bit bytes under US-ASCII",
};

/// An encoded-word that touches other text without whitespace.
pub const ENCODED_WORD_UNSEPARATED: LintDef = LintDef {
    code: "mime.encoded-word-unseparated",
    severity: Severity::Error,
    reference: "RFC 2047 §5",
    summary: "an encoded-word is not separated from adjacent text by whitespace, which RFC 2047 §5 requires; many readers decode it anyway",
};

/// An RFC 2047 encoded-word used as a MIME parameter value.
pub const ENCODED_WORD_IN_PARAM: LintDef = LintDef {
    code: "mime.encoded-word-in-param",
    severity: Severity::Error,
    reference: "RFC 2047 §5",
    summary: "an encoded-word in a parameter value, which RFC 2047 §5 forbids (common for filenames; RFC 2231 is the standard way)",
};

/// A Content-Type or Content-Disposition parameter that does not follow the grammar.
pub const PARAM_INVALID: LintDef = LintDef {
    code: "mime.param-invalid",
    severity: Severity::Error,
    reference: "RFC 2045 §5.1",
    summary: "a parameter that is not `attribute=value` with a token or quoted-string value, or a malformed RFC 2231 value",
};

/// The same parameter given more than once.
pub const PARAM_DUPLICATE: LintDef = LintDef {
    code: "mime.param-duplicate",
    severity: Severity::Error,
    reference: "RFC 6838 §4.3",
    summary: "a parameter appears more than once, which RFC 6838 §4.3 calls an error; readers disagree about which one counts",
};

/// RFC 2231 continuation sections with gaps, duplicates or bad numbers.
pub const PARAM_CONTINUATION_INVALID: LintDef = LintDef {
    code: "mime.param-continuation-invalid",
    severity: Severity::Error,
    reference: "RFC 2231 §3",
    summary: "RFC 2231 continuations (`name*0`, `name*1`, …) with a gap, a duplicate, a leading zero or no section 0",
};

/// More parameters or sections than Mailscope reads.
pub const PARAM_LIMIT: LintDef = LintDef {
    code: "mime.param-limit",
    severity: Severity::Warning,
    reference: "RFC 2231 §3",
    summary:
        "more parameters or continuation sections than the parser's limit; the rest were ignored",
};

/// A Content-Type that is not `type/subtype`.
pub const CONTENT_TYPE_INVALID: LintDef = LintDef {
    code: "mime.content-type-invalid",
    severity: Severity::Error,
    reference: "RFC 2045 §5.2",
    summary: "a Content-Type that is not `type/subtype`; readers treat the part as text/plain; charset=us-ascii",
};

/// A Content-Disposition without a valid disposition type.
pub const DISPOSITION_INVALID: LintDef = LintDef {
    code: "mime.disposition-invalid",
    severity: Severity::Error,
    reference: "RFC 2183 §2",
    summary: "a Content-Disposition whose type is missing or not a token",
};

/// An address list that does not follow RFC 5322 §3.4.
pub const ADDRESS_INVALID: LintDef = LintDef {
    code: "mime.address-invalid",
    severity: Severity::Error,
    reference: "RFC 5322 §3.4",
    summary: "an address or address list that does not follow the grammar (unbalanced brackets or quotes, no domain, stray text)",
};

/// An obsolete but readable address form.
pub const ADDRESS_OBSOLETE: LintDef = LintDef {
    code: "mime.address-obsolete",
    severity: Severity::Info,
    reference: "RFC 5322 §4.4",
    summary: "an obsolete address form (source route, dots in a display name, empty list elements)",
};

/// A Date field that cannot be read or names an impossible time.
pub const DATE_INVALID: LintDef = LintDef {
    code: "mime.date-invalid",
    severity: Severity::Error,
    reference: "RFC 5322 §3.3",
    summary: "a Date outside the date-time grammar of RFC 5322 §3.3 (read leniently where possible) or naming an impossible date (day out of range, wrong weekday)",
};

/// A Date in an obsolete but readable form.
pub const DATE_OBSOLETE: LintDef = LintDef {
    code: "mime.date-obsolete",
    severity: Severity::Info,
    reference: "RFC 5322 §4.3",
    summary: "a Date in an obsolete form of RFC 5322 §4.3: a two- or three-digit year, or a named or military zone",
};

/// The first line of a body looks like a header field: an empty line ended the header section early, or a header was smuggled into the body.
pub const HEADER_IN_BODY: LintDef = LintDef {
    code: "mime.header-in-body",
    severity: Severity::Warning,
    reference: "RFC 5322 §2.1",
    summary: "the first line of a body looks like a header field: an empty line ended the header section early, or a header was smuggled into the body",
};

/// A message has no Date field, which RFC 5322 requires.
pub const MISSING_DATE: LintDef = LintDef {
    code: "mime.missing-date",
    severity: Severity::Error,
    reference: "RFC 5322 §3.6",
    summary: "a message has no Date field, which RFC 5322 requires",
};

/// A message has no From field, which RFC 5322 requires.
pub const MISSING_FROM: LintDef = LintDef {
    code: "mime.missing-from",
    severity: Severity::Error,
    reference: "RFC 5322 §3.6",
    summary: "a message has no From field, which RFC 5322 requires",
};

/// MIME header fields are used but the message has no MIME-Version field.
pub const MISSING_MIME_VERSION: LintDef = LintDef {
    code: "mime.missing-mime-version",
    severity: Severity::Error,
    reference: "RFC 2045 §4",
    summary: "MIME header fields are used but the message has no MIME-Version field",
};

/// A header field contains raw 8-bit bytes instead of RFC 2047 encoded-words.
pub const EIGHT_BIT_HEADER: LintDef = LintDef {
    code: "mime.8bit-header",
    severity: Severity::Error,
    reference: "RFC 5322 §2.2",
    summary: "a header field contains raw 8-bit bytes that are not UTF-8; legacy charsets must use RFC 2047 encoded-words",
};

/// A header line that is not a valid field: bad field name, no colon, or a continuation line with no field.
pub const HEADER_INVALID: LintDef = LintDef {
    code: "mime.header-invalid",
    severity: Severity::Error,
    reference: "RFC 5322 §2.2",
    summary: "a header line that is not a valid field: bad field name, no colon, or a continuation line with no field",
};

/// Whitespace between a field name and its colon (obsolete syntax).
pub const HEADER_OBSOLETE: LintDef = LintDef {
    code: "mime.header-obsolete",
    severity: Severity::Info,
    reference: "RFC 5322 §4.5",
    summary: "whitespace between a field name and its colon (obsolete syntax)",
};

/// The input starts with an mbox `From ` separator line, which is not part of the message.
pub const MBOX_SEPARATOR: LintDef = LintDef {
    code: "mime.mbox-separator",
    severity: Severity::Info,
    reference: "RFC 4155 §2",
    summary:
        "the input starts with an mbox `From ` separator line, which is not part of the message",
};

/// A header section has more fields or bytes than Mailscope's limit.
pub const HEADER_LIMIT: LintDef = LintDef {
    code: "mime.header-limit",
    severity: Severity::Warning,
    reference: "RFC 5322 §2.2",
    summary: "a header section has more fields or bytes than Mailscope's limit",
};

/// A multipart body has no closing delimiter `--boundary--`; the last part runs to the end.
pub const BOUNDARY_MISSING_CLOSE: LintDef = LintDef {
    code: "mime.boundary-missing-close",
    severity: Severity::Error,
    reference: "RFC 2046 §5.1.1",
    summary:
        "a multipart body has no closing delimiter `--boundary--`; the last part runs to the end",
};

/// A multipart body contains no delimiter line with its boundary.
pub const BOUNDARY_NOT_FOUND: LintDef = LintDef {
    code: "mime.boundary-not-found",
    severity: Severity::Error,
    reference: "RFC 2046 §5.1.1",
    summary: "a multipart body contains no delimiter line with its boundary",
};

/// A multipart Content-Type without a boundary, or with one longer than 70 characters or containing characters outside `bchars`.
pub const BOUNDARY_INVALID: LintDef = LintDef {
    code: "mime.boundary-invalid",
    severity: Severity::Error,
    reference: "RFC 2046 §5.1.1",
    summary: "a multipart Content-Type without a boundary, or with one longer than 70 characters or containing characters outside `bchars`",
};

/// Base64 body with characters outside the alphabet, bad or missing padding, data after padding, or a truncated quantum.
pub const BASE64_INVALID: LintDef = LintDef {
    code: "mime.base64-invalid",
    severity: Severity::Warning,
    reference: "RFC 2045 §6.8",
    summary: "base64 body with characters outside the alphabet, bad or missing padding, data after padding, or a truncated quantum",
};

/// Quoted-printable body with invalid `=XY` escapes, lowercase hex, lines over 76 characters, trailing whitespace or a final soft break.
pub const QP_INVALID: LintDef = LintDef {
    code: "mime.qp-invalid",
    severity: Severity::Error,
    reference: "RFC 2045 §6.7",
    summary: "quoted-printable body with invalid `=XY` escapes, lowercase hex, lines over 76 characters, trailing whitespace or a final soft break",
};

/// A line longer than 998 characters (excluding CRLF).
pub const LINE_TOO_LONG: LintDef = LintDef {
    code: "mime.line-too-long",
    severity: Severity::Error,
    reference: "RFC 5322 §2.1.1",
    summary: "a line longer than 998 characters (excluding CRLF)",
};

/// Entities nested deeper than Mailscope's limit (100); deeper content is kept as an opaque body.
pub const NESTING_LIMIT: LintDef = LintDef {
    code: "mime.nesting-limit",
    severity: Severity::Warning,
    reference: "RFC 2046 §5.1",
    summary: "entities nested deeper than Mailscope's limit (100); deeper content is kept as an opaque body",
};

/// A message has more entities than Mailscope's limit (10,000); the rest are not parsed.
pub const PART_LIMIT: LintDef = LintDef {
    code: "mime.part-limit",
    severity: Severity::Warning,
    reference: "RFC 2046 §5.1",
    summary: "a message has more entities than Mailscope's limit (10,000); the rest are not parsed",
};

/// Content-Type `name` and Content-Disposition `filename` give different file names.
pub const FILENAME_MISMATCH: LintDef = LintDef {
    code: "mime.filename-mismatch",
    severity: Severity::Warning,
    reference: "RFC 2183 §2.3",
    summary: "Content-Type `name` and Content-Disposition `filename` give different file names; no RFC rule forbids it, but readers pick different ones",
};

/// Lines end in LF alone instead of CRLF.
pub const BARE_LF: LintDef = LintDef {
    code: "mime.bare-lf",
    severity: Severity::Info,
    reference: "RFC 5322 §2.3",
    summary: "lines end in LF alone instead of CRLF",
};

/// A Content-Transfer-Encoding that is not 7bit, 8bit, binary, base64 or quoted-printable.
pub const TRANSFER_ENCODING_UNKNOWN: LintDef = LintDef {
    code: "mime.transfer-encoding-unknown",
    severity: Severity::Warning,
    reference: "RFC 2045 §6.1",
    summary:
        "a Content-Transfer-Encoding that is not 7bit, 8bit, binary, base64 or quoted-printable",
};

/// A message/rfc822 or multipart entity with base64 or quoted-printable transfer encoding.
pub const MESSAGE_ENCODED: LintDef = LintDef {
    code: "mime.message-encoded",
    severity: Severity::Error,
    reference: "RFC 2046 §5.2.1",
    summary:
        "a message/rfc822 or multipart entity with base64 or quoted-printable transfer encoding",
};

/// A delivery-status report with a missing or malformed required field (Final-Recipient, Action, Status).
pub const DSN_INVALID: LintDef = LintDef {
    code: "mime.dsn-invalid",
    severity: Severity::Error,
    reference: "RFC 3464 §2.3",
    summary: "a delivery-status report with a missing or malformed required field (Final-Recipient, Action, Status)",
};

/// Raw UTF-8 in a header field: an internationalized message (RFC 6532), which needs SMTPUTF8.
pub const UTF8_HEADER: LintDef = LintDef {
    code: "mime.utf8-header",
    severity: Severity::Warning,
    reference: "RFC 6532 §3",
    summary: "raw UTF-8 in a header field: valid in an internationalized message (RFC 6532), which needs SMTPUTF8 to travel by SMTP; readers without RFC 6532 support show it garbled",
};
