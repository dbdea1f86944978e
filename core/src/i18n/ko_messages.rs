//! Korean templates of lint messages: `(English template, Korean template)` pairs, by the
//! English template of a `msg!` in the source. Values (`{name}`) are kept as they are; protocol
//! words (EHLO, MAIL FROM, CRLF, base64…), header and parameter names stay as on the wire.

pub(super) const ENTRIES: &[(&str, &str)] = &[
];
