//! Composing messages from structured input.
//!
//! [`MessageBuilder`] turns addresses, a subject, text and HTML bodies and attachments into the
//! bytes of an RFC 5322 / MIME message with CRLF line endings:
//!
//! ```text
//! text only            → text/plain
//! html only            → text/html
//! text + html          → multipart/alternative (text first, RFC 2046 §5.1.4)
//! any + attachments    → multipart/mixed [ body, attachment… ]
//! ```
//!
//! - Header values with non-ASCII text become RFC 2047 encoded-words (Q when mostly ASCII,
//!   else B); headers are folded at whitespace to stay within 78 characters (RFC 5322 §2.1.1).
//! - Text bodies are UTF-8: `7bit` when ASCII with lines ≤ 998 octets, otherwise
//!   quoted-printable when mostly ASCII, else base64 (RFC 2045 §6). Line breaks become CRLF.
//! - Attachments are base64 at 76 columns (RFC 2045 §6.8), with RFC 2231 `filename*` and
//!   `name*` parameters for non-ASCII names (never encoded-words, which RFC 2047 §5 forbids in
//!   parameters). An attached message (`message/rfc822`) or multipart is sent as it is, with
//!   CRLF line ends and `7bit`, `8bit` or `binary`: RFC 2046 §5.2.1 allows no other encoding.
//! - Date and Message-ID come from the caller, and multipart boundaries from the caller's seed:
//!   the core reads no clock and draws no random numbers.
//! - CR, LF or NUL in any header input is an error ([`BuildError::HeaderInjection`]), never
//!   silently stripped.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codec::hex;
use crate::mime::date;
use crate::mime::encoded_word::{self, Encoding};
use crate::mime::params;

/// Longest header line written when folding can help (RFC 5322 §2.1.1 "SHOULD").
pub const FOLD_AT: usize = 78;
/// Longest line of base64 and quoted-printable bodies (RFC 2045 §6.7, §6.8).
pub const BODY_LINE: usize = 76;
/// Longest line, CRLF excluded, that a `7bit` body may have (RFC 5322 §2.1.1).
pub const MAX_7BIT_LINE: usize = 998;

/// A display name and address given to the builder.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NameAddr {
    /// The display name, any Unicode; `None` or empty for none.
    pub name: Option<String>,
    /// The address, `local@domain` (UTF-8 allowed per RFC 6532).
    pub address: String,
}

impl NameAddr {
    /// A mailbox with a display name.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        NameAddr {
            name: Some(name.into()),
            address: address.into(),
        }
    }

    /// A bare address.
    pub fn bare(address: impl Into<String>) -> Self {
        NameAddr {
            name: None,
            address: address.into(),
        }
    }
}

/// A file attached to the message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name, any Unicode.
    pub filename: String,
    /// The media type, e.g. `application/pdf` (parameters allowed, ASCII values only).
    pub content_type: String,
    /// The content.
    pub data: Vec<u8>,
}

/// Structured input for a message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MessageBuilder {
    /// Authors (RFC 5322 §3.6.2); at least one.
    pub from: Vec<NameAddr>,
    /// Primary recipients.
    pub to: Vec<NameAddr>,
    /// Carbon-copy recipients.
    pub cc: Vec<NameAddr>,
    /// The subject, any Unicode.
    pub subject: Option<String>,
    /// The Date field body, supplied by the caller (e.g. `Mon, 02 Jan 2006 15:04:05 +0000`).
    pub date: String,
    /// The Message-ID, supplied by the caller, with or without `<>`; empty for none.
    pub message_id: String,
    /// The plain-text body.
    pub text: Option<String>,
    /// The HTML body.
    pub html: Option<String>,
    /// Attachments, in order.
    pub attachments: Vec<Attachment>,
    /// Further header fields, name and value, written after the standard ones. Non-ASCII values
    /// are written as encoded-words (treated as unstructured text).
    pub headers: Vec<(String, String)>,
}

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A header input contains CR, LF or NUL, which would end or corrupt the field.
    HeaderInjection {
        /// Which input (`subject`, `to[1].name`, `attachments[0].filename`, …).
        field: String,
        /// The offending character.
        found: char,
    },
    /// An address is not `local@domain`.
    InvalidAddress {
        /// Which input.
        field: String,
        /// The address given.
        address: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// No From address.
    MissingFrom,
    /// The Date is empty or cannot be read as an RFC 5322 date-time.
    InvalidDate {
        /// The value given.
        value: String,
    },
    /// The Message-ID contains whitespace or angle brackets inside.
    InvalidMessageId {
        /// The value given.
        value: String,
    },
    /// A header name is empty or has characters outside printable ASCII or a colon.
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// An extra header would duplicate one the builder writes.
    ReservedHeader {
        /// The name given.
        name: String,
    },
    /// An attachment's media type is not `type/subtype` with ASCII parameters.
    InvalidContentType {
        /// The value given.
        value: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::HeaderInjection { field, found } => write!(
                f,
                "{field} contains {found:?}; CR, LF and NUL are not allowed in header values"
            ),
            BuildError::InvalidAddress {
                field,
                address,
                reason,
            } => write!(f, "{field}: {address:?} is not a valid address: {reason}"),
            BuildError::MissingFrom => write!(f, "a message needs a From address"),
            BuildError::InvalidDate { value } => write!(
                f,
                "Date {value:?} is not an RFC 5322 date-time (expected e.g. `Mon, 02 Jan 2006 15:04:05 +0000`)"
            ),
            BuildError::InvalidMessageId { value } => {
                write!(f, "Message-ID {value:?} must be `<left@right>` without whitespace")
            }
            BuildError::InvalidHeaderName { name } => write!(
                f,
                "header name {name:?} must be printable ASCII without ':' or spaces"
            ),
            BuildError::ReservedHeader { name } => write!(
                f,
                "header {name:?} is written by the builder; set the matching field instead"
            ),
            BuildError::InvalidContentType { value } => {
                write!(f, "{value:?} is not a media type `type/subtype`")
            }
        }
    }
}

impl std::error::Error for BuildError {}

const RESERVED: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
];

fn check_injection(field: &str, value: &str) -> Result<(), BuildError> {
    match value.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
        Some(found) => Err(BuildError::HeaderInjection {
            field: field.to_string(),
            found,
        }),
        None => Ok(()),
    }
}

/// A header field being folded at whitespace.
struct Folder {
    out: String,
    col: usize,
    words: usize,
}

impl Folder {
    fn new(name: &str) -> Self {
        let mut out = String::with_capacity(128);
        out.push_str(name);
        out.push(':');
        Folder {
            col: out.len(),
            out,
            words: 0,
        }
    }

    /// Appends a word preceded by one space, folding before it when the line would exceed
    /// [`FOLD_AT`]. The fold replaces the space, so unfolding restores the text exactly.
    fn word(&mut self, w: &str) {
        // Never before the first word: a leading fold would become leading blank text.
        if self.col + 1 + w.len() > FOLD_AT && self.words > 0 {
            self.out.push_str("\r\n ");
            self.col = 1;
        } else {
            self.out.push(' ');
            self.col += 1;
        }
        self.out.push_str(w);
        self.col += w.len();
        self.words += 1;
    }

    /// Appends text with no space before it (it never folds).
    fn glue(&mut self, s: &str) {
        self.out.push_str(s);
        self.col += s.len();
    }

    fn finish(mut self) -> String {
        self.out.push_str("\r\n");
        self.out
    }
}

/// Whether text can be written as-is in an unstructured field: printable ASCII words separated
/// by single spaces, none that looks like an encoded-word, and no word too long to fold.
fn plain_unstructured(s: &str) -> bool {
    s.bytes().all(|b| (b' '..0x7F).contains(&b))
        && !s.contains("=?")
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.split(' ').all(|w| w.len() <= FOLD_AT - 2)
}

/// Q when at most a fifth of the UTF-8 octets are non-ASCII, else B.
fn pick_encoding(s: &str) -> Encoding {
    let non_ascii = s.bytes().filter(|b| !b.is_ascii()).count();
    if non_ascii * 5 <= s.len() {
        Encoding::Q
    } else {
        Encoding::B
    }
}

fn encoded_words(s: &str) -> Vec<String> {
    encoded_words_max(s, encoded_word::MAX_WORD_LEN)
}

fn encoded_words_max(s: &str, max: usize) -> Vec<String> {
    // UTF-8 encodes every character, so this cannot fail; fall back to nothing if it did.
    encoded_word::encode_words_max(s, "UTF-8", pick_encoding(s), max).unwrap_or_default()
}

/// Writes an unstructured field (Subject, extra headers).
fn unstructured(name: &str, value: &str) -> String {
    let mut f = Folder::new(name);
    if value.is_empty() {
        return f.finish();
    }
    if plain_unstructured(value) {
        for w in value.split(' ') {
            f.word(w);
        }
    } else {
        // Every word fits on the first line after `Name: `.
        for w in encoded_words_max(value, FOLD_AT.saturating_sub(name.len() + 2)) {
            f.word(&w);
        }
    }
    f.finish()
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// The words of a display name: atoms, a quoted-string, or encoded-words (RFC 5322 §3.2.5,
/// RFC 2047 §5(3)).
fn display_name_words(name: &str) -> Vec<String> {
    let ascii_printable = name.bytes().all(|b| (b' '..0x7F).contains(&b));
    if ascii_printable
        && !name.contains("=?")
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ")
    {
        if name.bytes().all(|b| b == b' ' || is_atext(b)) {
            return name.split(' ').map(str::to_string).collect();
        }
        let mut q = String::with_capacity(name.len() + 2);
        q.push('"');
        for c in name.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        return q.split(' ').map(str::to_string).collect();
    }
    encoded_words(name)
}

fn check_address(field: &str, address: &str) -> Result<(), BuildError> {
    check_injection(field, address)?;
    let bad = |reason| {
        Err(BuildError::InvalidAddress {
            field: field.to_string(),
            address: address.to_string(),
            reason,
        })
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return bad("no '@'");
    };
    if local.is_empty() || domain.is_empty() {
        return bad("empty local part or domain");
    }
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    let local_ok = if quoted {
        local.chars().all(|c| !c.is_control())
    } else {
        local.bytes().all(|b| b >= 0x80 || b == b'.' || is_atext(b))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
    };
    if !local_ok {
        return bad("the local part has characters that need quoting");
    }
    let literal = domain.starts_with('[') && domain.ends_with(']');
    let domain_ok = literal
        || domain
            .bytes()
            .all(|b| b >= 0x80 || b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !domain_ok {
        return bad("the domain has characters not allowed in a host name");
    }
    Ok(())
}

/// Writes an address field (From, To, Cc), one mailbox after another, folded between words.
fn address_field(name: &str, list: &[NameAddr], key: &str) -> Result<String, BuildError> {
    let mut f = Folder::new(name);
    for (i, m) in list.iter().enumerate() {
        let field = format!("{key}[{i}]");
        check_address(&field, &m.address)?;
        let display = m.name.as_deref().unwrap_or("");
        check_injection(&format!("{field}.name"), display)?;
        if display.is_empty() {
            f.word(&m.address);
        } else {
            for w in display_name_words(display) {
                f.word(&w);
            }
            f.word(&format!("<{}>", m.address));
        }
        if i + 1 < list.len() {
            f.glue(",");
        }
    }
    Ok(f.finish())
}

/// `text` with every line ending (LF, CR or CRLF) made CRLF:
/// [`normalize_crlf`](crate::codec::crlf::normalize_crlf), without its record of changes.
fn crlf(text: &str) -> Vec<u8> {
    crate::codec::crlf::normalize_crlf(text.as_bytes()).bytes
}

/// Base64 (RFC 2045 §6.8) in lines of [`BODY_LINE`] characters joined by CRLF, no final CRLF.
fn base64_lines(data: &[u8]) -> Vec<u8> {
    crate::codec::base64::encode_wrapped(data, BODY_LINE)
}

/// Quoted-printable (RFC 2045 §6.7) of CRLF text, through the public encoder
/// [`encode_quoted_printable`](crate::mime::transfer::encode_quoted_printable): hard breaks
/// stay CRLF, lines are at most [`BODY_LINE`] characters, trailing blanks are encoded, and a
/// `.` or `From ` at the start of a line is encoded.
fn quoted_printable(data: &[u8]) -> Vec<u8> {
    crate::mime::transfer::encode_quoted_printable(data, crate::mime::transfer::LineEnding::Crlf)
        .into_bytes()
}

/// One entity: header lines (each ending CRLF) and a body.
struct Entity {
    headers: Vec<String>,
    body: Vec<u8>,
    /// Whether the body is 7bit text that could contain a boundary line.
    literal: bool,
}

fn text_entity(subtype: &str, text: &str) -> Entity {
    let body = crlf(text);
    let ascii = body.iter().all(|&b| b.is_ascii() && b != 0);
    let short_lines = body
        .split(|&b| b == b'\n')
        .all(|l| l.strip_suffix(b"\r").unwrap_or(l).len() <= MAX_7BIT_LINE);
    let ct = format!("Content-Type: text/{subtype}; charset=utf-8\r\n");
    if ascii && short_lines {
        return Entity {
            headers: vec![ct, "Content-Transfer-Encoding: 7bit\r\n".to_string()],
            body,
            literal: true,
        };
    }
    let non_ascii = body.iter().filter(|b| !b.is_ascii()).count();
    let (cte, encoded) = if non_ascii * 6 <= body.len() {
        ("quoted-printable", quoted_printable(&body))
    } else {
        ("base64", base64_lines(&body))
    };
    Entity {
        headers: vec![ct, format!("Content-Transfer-Encoding: {cte}\r\n")],
        body: encoded,
        literal: false,
    }
}

fn quote_param(v: &str) -> String {
    let mut q = String::with_capacity(v.len() + 2);
    q.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// RFC 2231 §4: `charset''` then octets, attribute-chars as-is and the rest as `%XX`, split into
/// sections that fit a line and never split a `%XX` triple.
fn rfc2231_sections(value: &str) -> Vec<String> {
    const SECTION: usize = 60;
    let mut sections = Vec::new();
    let mut cur = String::from("UTF-8''");
    for &b in value.as_bytes() {
        let piece: String = if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            char::from(b).to_string()
        } else {
            let mut s = String::with_capacity(3);
            s.push('%');
            s.extend(hex::upper_pair(b).map(char::from));
            s
        };
        if cur.len() + piece.len() > SECTION {
            sections.push(std::mem::take(&mut cur));
        }
        cur.push_str(&piece);
    }
    sections.push(cur);
    sections
}

/// Parameter lines for a file name: `(name, value)` pairs already in wire form.
fn filename_params(param: &str, filename: &str) -> Vec<String> {
    let plain = filename.bytes().all(|b| (b' '..0x7F).contains(&b))
        && !filename.contains("=?")
        && filename.len() <= 60;
    if plain {
        return vec![format!("{param}={}", quote_param(filename))];
    }
    let sections = rfc2231_sections(filename);
    if sections.len() == 1 {
        return vec![format!("{param}*={}", sections.concat())];
    }
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{param}*{i}*={s}"))
        .collect()
}

/// A header whose parameters each go on their own folded line.
fn param_header(head: &str, params: &[Vec<String>]) -> String {
    let mut out = String::from(head);
    for p in params {
        out.push_str(";\r\n");
        for (i, piece) in p.iter().enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            out.push(' ');
            out.push_str(piece);
        }
    }
    out.push_str("\r\n");
    out
}

fn attachment_entity(i: usize, a: &Attachment) -> Result<Entity, BuildError> {
    check_injection(&format!("attachments[{i}].filename"), &a.filename)?;
    check_injection(&format!("attachments[{i}].content_type"), &a.content_type)?;
    let ct = params::parse_content_type(a.content_type.as_bytes());
    let bad = || BuildError::InvalidContentType {
        value: a.content_type.clone(),
    };
    if !ct.valid || !ct.lints.is_empty() {
        return Err(bad());
    }
    let mut ct_params: Vec<Vec<String>> = Vec::new();
    for p in &ct.params {
        if p.name == "name" {
            continue;
        }
        if !p.value.bytes().all(|b| (b' '..0x7F).contains(&b)) {
            return Err(bad());
        }
        ct_params.push(vec![format!("{}={}", p.name, quote_param(&p.value))]);
    }
    let mut disp_params = Vec::new();
    if !a.filename.is_empty() {
        ct_params.extend(
            filename_params("name", &a.filename)
                .into_iter()
                .map(|p| vec![p]),
        );
        disp_params.extend(
            filename_params("filename", &a.filename)
                .into_iter()
                .map(|p| vec![p]),
        );
    }
    let (cte, body, literal) = if identity_only(&ct) {
        let body = crate::smtp::data::normalize_crlf(&a.data).bytes;
        (identity_encoding(&body), body, true)
    } else {
        ("base64", base64_lines(&a.data), false)
    };
    Ok(Entity {
        headers: vec![
            param_header(&format!("Content-Type: {}", ct.mime_type()), &ct_params),
            param_header("Content-Disposition: attachment", &disp_params),
            format!("Content-Transfer-Encoding: {cte}\r\n"),
        ],
        body,
        literal,
    })
}

/// Whether a media type may only be sent unencoded: composite types other than `message/global`
/// allow no encoding but 7bit, 8bit or binary (RFC 2045 §6.4, RFC 2046 §5.2.1, RFC 6532 §3.5).
fn identity_only(ct: &params::ContentType) -> bool {
    ct.is_multipart() || (ct.type_ == "message" && ct.subtype != "global")
}

/// The identity encoding that describes a CRLF body (RFC 2045 §2.7–§2.9): `7bit` for short
/// ASCII lines, `8bit` when bytes above 127 occur, `binary` for NUL or lines over 998 octets.
fn identity_encoding(body: &[u8]) -> &'static str {
    let short_lines = body
        .split(|&b| b == b'\n')
        .all(|l| l.strip_suffix(b"\r").unwrap_or(l).len() <= MAX_7BIT_LINE);
    if !short_lines || body.contains(&0) {
        "binary"
    } else if body.is_ascii() {
        "7bit"
    } else {
        "8bit"
    }
}

/// splitmix64: a fixed bijective mixer, so boundaries look random but follow from the seed.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A multipart entity over `children`, with a boundary that no 7bit child contains. The `=_`
/// in the boundary cannot occur in base64 or quoted-printable output (RFC 2045 §6.7 note 8).
fn multipart(subtype: &str, children: Vec<Entity>, seed: u64, counter: &mut u64) -> Entity {
    let boundary = loop {
        *counter += 1;
        let b = format!("=_mailscope_{:016x}_{}", mix(seed ^ mix(*counter)), counter);
        let needle = format!("--{b}");
        let clash = children
            .iter()
            .any(|c| c.literal && c.body.windows(needle.len()).any(|w| w == needle.as_bytes()));
        if !clash {
            break b;
        }
    };
    let literal = children.iter().any(|c| c.literal);
    let mut body = Vec::new();
    body.extend_from_slice(b"This is a multi-part message in MIME format.\r\n");
    for c in children {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\n");
        for h in &c.headers {
            body.extend_from_slice(h.as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&c.body);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    Entity {
        headers: vec![format!(
            "Content-Type: multipart/{subtype};\r\n boundary=\"{boundary}\"\r\n"
        )],
        body,
        literal,
    }
}

impl MessageBuilder {
    /// Builds the message. Multipart boundaries are derived from `boundary_seed` (the same input
    /// and seed give the same bytes). Lines end in CRLF; a single-part body gets a final CRLF
    /// if it lacks one.
    pub fn build(&self, boundary_seed: u64) -> Result<Vec<u8>, BuildError> {
        if self.from.is_empty() {
            return Err(BuildError::MissingFrom);
        }
        let mut head = String::new();
        head.push_str(&address_field("From", &self.from, "from")?);
        if !self.to.is_empty() {
            head.push_str(&address_field("To", &self.to, "to")?);
        }
        if !self.cc.is_empty() {
            head.push_str(&address_field("Cc", &self.cc, "cc")?);
        }
        if let Some(s) = &self.subject {
            check_injection("subject", s)?;
            head.push_str(&unstructured("Subject", s));
        }
        check_injection("date", &self.date)?;
        let date_ok = date::parse_date(self.date.as_bytes()).value.is_some();
        if self.date.trim().is_empty() || !date_ok || !self.date.is_ascii() {
            return Err(BuildError::InvalidDate {
                value: self.date.clone(),
            });
        }
        head.push_str(&format!("Date: {}\r\n", self.date.trim()));
        check_injection("message_id", &self.message_id)?;
        let mid = self.message_id.trim();
        if !mid.is_empty() {
            let inner = mid
                .strip_prefix('<')
                .and_then(|m| m.strip_suffix('>'))
                .unwrap_or(mid);
            let ok = !inner.is_empty()
                && inner.is_ascii()
                && !inner
                    .bytes()
                    .any(|b| b <= b' ' || b == 0x7F || b == b'<' || b == b'>');
            if !ok {
                return Err(BuildError::InvalidMessageId {
                    value: self.message_id.clone(),
                });
            }
            head.push_str(&format!("Message-ID: <{inner}>\r\n"));
        }
        head.push_str("MIME-Version: 1.0\r\n");
        for (name, value) in &self.headers {
            let name_ok =
                !name.is_empty() && name.bytes().all(|b| (33..127).contains(&b) && b != b':');
            if !name_ok {
                return Err(BuildError::InvalidHeaderName { name: name.clone() });
            }
            if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(BuildError::ReservedHeader { name: name.clone() });
            }
            check_injection(&format!("headers[{name}]"), value)?;
            head.push_str(&unstructured(name, value));
        }

        let mut counter = 0u64;
        let body = match (&self.text, &self.html) {
            (Some(t), Some(h)) => Some(multipart(
                "alternative",
                vec![text_entity("plain", t), text_entity("html", h)],
                boundary_seed,
                &mut counter,
            )),
            (Some(t), None) => Some(text_entity("plain", t)),
            (None, Some(h)) => Some(text_entity("html", h)),
            (None, None) if self.attachments.is_empty() => Some(text_entity("plain", "")),
            (None, None) => None,
        };
        let root = if self.attachments.is_empty() {
            body.unwrap_or_else(|| text_entity("plain", ""))
        } else {
            let mut children: Vec<Entity> = body.into_iter().collect();
            for (i, a) in self.attachments.iter().enumerate() {
                children.push(attachment_entity(i, a)?);
            }
            multipart("mixed", children, boundary_seed, &mut counter)
        };
        let mut out = head.into_bytes();
        for h in &root.headers {
            out.extend_from_slice(h.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&root.body);
        if !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
