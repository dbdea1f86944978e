//! MIME and Internet Message Format ([RFC 5322](https://www.rfc-editor.org/rfc/rfc5322),
//! [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045)–2049): parse with byte spans, decode every
//! charset, build, and lint.

pub mod address;
pub mod build;
pub mod charset;
pub mod date;
pub mod dsn;
pub mod encoded_word;
pub mod header;
pub mod params;
pub mod parse;
pub mod transfer;

use crate::lint::LintDef;

/// Every MIME lint, in catalog order.
pub const CATALOG: &[&LintDef] = &[];
