//! Lint definitions of the MIME and RFC 5322 family (`mime.*`), listed in [`super::CATALOG`]
//! and documented in `docs/lints.md`.

use crate::lint::{LintDef, Severity};

/// An RFC 2047 encoded-word that is malformed: bad base64 or Q text, an unknown encoding
/// letter, a word inside a quoted string, or a word longer than 75 characters.
pub const ENCODED_WORD_INVALID: LintDef = LintDef {
    code: "mime.encoded-word-invalid",
    severity: Severity::Warning,
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
    severity: Severity::Info,
    reference: "RFC 2047 §5",
    summary: "an encoded-word is not separated from adjacent text by whitespace; strict decoders leave it undecoded",
};

/// An RFC 2047 encoded-word used as a MIME parameter value.
pub const ENCODED_WORD_IN_PARAM: LintDef = LintDef {
    code: "mime.encoded-word-in-param",
    severity: Severity::Info,
    reference: "RFC 2047 §5",
    summary: "an encoded-word in a parameter value (common for filenames, but RFC 2231 is the standard way)",
};

/// A Content-Type or Content-Disposition parameter that does not follow the grammar.
pub const PARAM_INVALID: LintDef = LintDef {
    code: "mime.param-invalid",
    severity: Severity::Warning,
    reference: "RFC 2045 §5.1",
    summary: "a parameter that is not `attribute=value` with a token or quoted-string value, or a malformed RFC 2231 value",
};

/// The same parameter given more than once.
pub const PARAM_DUPLICATE: LintDef = LintDef {
    code: "mime.param-duplicate",
    severity: Severity::Warning,
    reference: "RFC 2231 §3",
    summary: "a parameter appears more than once; readers disagree about which one counts",
};

/// RFC 2231 continuation sections with gaps, duplicates or bad numbers.
pub const PARAM_CONTINUATION_INVALID: LintDef = LintDef {
    code: "mime.param-continuation-invalid",
    severity: Severity::Warning,
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
    severity: Severity::Warning,
    reference: "RFC 2045 §5.2",
    summary: "a Content-Type that is not `type/subtype`; readers treat the part as text/plain; charset=us-ascii",
};

/// A Content-Disposition without a valid disposition type.
pub const DISPOSITION_INVALID: LintDef = LintDef {
    code: "mime.disposition-invalid",
    severity: Severity::Warning,
    reference: "RFC 2183 §2",
    summary: "a Content-Disposition whose type is missing or not a token",
};

/// An address list that does not follow RFC 5322 §3.4.
pub const ADDRESS_INVALID: LintDef = LintDef {
    code: "mime.address-invalid",
    severity: Severity::Warning,
    reference: "RFC 5322 §3.4",
    summary: "an address or address list that does not follow the grammar (unbalanced brackets or quotes, no domain, stray text)",
};

/// An obsolete but readable address form.
pub const ADDRESS_OBSOLETE: LintDef = LintDef {
    code: "mime.address-obsolete",
    severity: Severity::Info,
    reference: "RFC 5322 §4.4",
    summary: "an obsolete address form (source route, dots in a display name, empty list elements, comment as name)",
};

/// A Date field that cannot be read or names an impossible time.
pub const DATE_INVALID: LintDef = LintDef {
    code: "mime.date-invalid",
    severity: Severity::Error,
    reference: "RFC 5322 §3.3",
    summary: "a Date that does not follow the date-time grammar or names an impossible date (day out of range, wrong weekday)",
};

/// A Date in an obsolete but readable form.
pub const DATE_OBSOLETE: LintDef = LintDef {
    code: "mime.date-obsolete",
    severity: Severity::Info,
    reference: "RFC 5322 §4.3",
    summary: "a Date in an obsolete form: two- or three-digit year, named or military zone, or missing fields",
};
