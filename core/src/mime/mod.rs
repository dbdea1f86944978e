//! MIME and Internet Message Format ([RFC 5322](https://www.rfc-editor.org/rfc/rfc5322),
//! [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045)–2049): parse with byte spans, decode every
//! charset, build, and lint.

pub mod address;
pub mod build;
pub mod charset;
pub mod cid;
pub mod date;
pub mod dsn;
pub mod encoded_word;
pub mod header;
pub mod headline;
pub mod lints;
pub mod params;
pub mod parse;
pub mod report;
pub mod transfer;

use crate::lint::LintDef;

/// Every MIME lint, in catalog order.
pub const CATALOG: &[&LintDef] = &[
    &lints::ENCODED_WORD_INVALID,
    &lints::CHARSET_UNKNOWN,
    &lints::CHARSET_MISMATCH,
    &lints::ENCODED_WORD_UNSEPARATED,
    &lints::ENCODED_WORD_IN_PARAM,
    &lints::PARAM_INVALID,
    &lints::PARAM_DUPLICATE,
    &lints::PARAM_CONTINUATION_INVALID,
    &lints::PARAM_LIMIT,
    &lints::CONTENT_TYPE_INVALID,
    &lints::DISPOSITION_INVALID,
    &lints::ADDRESS_INVALID,
    &lints::ADDRESS_OBSOLETE,
    &lints::DATE_INVALID,
    &lints::DATE_OBSOLETE,
    &lints::HEADER_IN_BODY,
    &lints::MISSING_DATE,
    &lints::MISSING_FROM,
    &lints::MISSING_MIME_VERSION,
    &lints::EIGHT_BIT_HEADER,
    &lints::HEADER_INVALID,
    &lints::HEADER_OBSOLETE,
    &lints::MBOX_SEPARATOR,
    &lints::HEADER_LIMIT,
    &lints::BOUNDARY_MISSING_CLOSE,
    &lints::BOUNDARY_NOT_FOUND,
    &lints::BOUNDARY_INVALID,
    &lints::BASE64_INVALID,
    &lints::QP_INVALID,
    &lints::LINE_TOO_LONG,
    &lints::NESTING_LIMIT,
    &lints::PART_LIMIT,
    &lints::FILENAME_MISMATCH,
    &lints::BARE_LF,
    &lints::TRANSFER_ENCODING_UNKNOWN,
    &lints::MESSAGE_ENCODED,
    &lints::DSN_INVALID,
    &lints::UTF8_HEADER,
];
