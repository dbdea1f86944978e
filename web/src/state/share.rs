//! Shareable links: a transcript or a small message carried whole in the URL fragment, so
//! nothing is sent to any server (browsers do not send the fragment, RFC 3986 §3.5).
//!
//! Format, version 1 (the fragment, after `#`):
//!
//! ```text
//! /session?share=v1.t.<payload>     a transcript (its S:/C: text), opened in the Session view
//! /message?share=v1.m.<payload>     a message (.eml bytes), opened in the Message inspector
//! ```
//!
//! The kind letter may be followed by `z` (`v1.tz.`, `v1.mz.`) when the content is compressed
//! with the small LZ77 scheme below ([`compress`]); the encoder uses it only when it makes the
//! link shorter. `<payload>` is base64 ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4),
//! the core's [`base64`](mailscope_core::codec::base64), which has only the standard alphabet)
//! without padding, with `+` and `/` percent-escaped as `%2B` and `%2F` so the fragment keeps to
//! characters that survive copying. The decoder also accepts raw `+`/`/` and the URL-safe
//! `-`/`_` (RFC 4648 §5).
//!
//! Only the share parameter is written: a link is built from the page's origin and path, never
//! from its fragment, so the relay token (`#token=…`, see [`relay_link`](super::relay_link))
//! cannot leak into it.
//!
//! Decoding is total: anything that is not a well-formed version-1 link gives a [`ShareError`].

use mailscope_core::codec::base64::{self, Base64Error};
use mailscope_core::smtp::command::Command;
use mailscope_core::smtp::transcript::{Parsed, Transcript};

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::nav::View;

/// The format version written into links.
pub const VERSION: &str = "v1";

/// Largest content (before compression) put into a link: 32 KiB. Browsers accept far longer
/// URLs (Chromium about 2 MB), but chat tools, mail clients and address bars cut or choke on
/// long ones; beyond this, exporting the file is the better way to share.
pub const MAX_CONTENT_BYTES: usize = 32 * 1024;

/// Longest payload the decoder reads: enough for [`MAX_CONTENT_BYTES`] of incompressible
/// content with every base64 character percent-escaped. Longer payloads are refused before any
/// decoding.
pub const MAX_PAYLOAD_CHARS: usize = (MAX_CONTENT_BYTES + 64).div_ceil(3) * 4 * 3;

/// The fragment parameter holding a shared state.
pub const PARAM: &str = "share=";

/// What a link holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareKind {
    /// A transcript's S:/C: text.
    Transcript,
    /// A message's bytes (.eml).
    Message,
}

impl ShareKind {
    /// The letter in the link.
    fn letter(self) -> char {
        match self {
            ShareKind::Transcript => 't',
            ShareKind::Message => 'm',
        }
    }

    /// The view that opens it.
    pub fn view(self) -> View {
        match self {
            ShareKind::Transcript => View::Session,
            ShareKind::Message => View::Message,
        }
    }

    /// What it is called, in English (for [`ShareError`]'s `Display`; the UI words its own).
    pub fn label(self) -> &'static str {
        match self {
            ShareKind::Transcript => "transcript",
            ShareKind::Message => "message",
        }
    }
}

/// Why content cannot be shared, or a link cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareError {
    /// The content is over [`MAX_CONTENT_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The content is empty.
    Empty,
    /// The link's version is not [`VERSION`].
    UnknownVersion {
        /// What the link says (cut to 16 characters).
        found: String,
    },
    /// The kind is neither `t` nor `m` (with optional `z`).
    UnknownKind {
        /// What the link says (cut to 16 characters).
        found: String,
    },
    /// The parameter is not `<version>.<kind>.<payload>`.
    Malformed,
    /// The payload is not base64.
    BadPayload {
        /// Where and why the base64 decoder stopped.
        cause: Base64Error,
    },
    /// The compressed payload is damaged (truncated or tampered with).
    Damaged {
        /// Where decompression stopped, in compressed bytes.
        offset: usize,
    },
    /// The link is for another view than the one its route names.
    WrongView {
        /// What the link holds.
        kind: ShareKind,
    },
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::TooLarge { size, limit } => write!(
                f,
                "too large to share as a link: {} KB, the limit is {} KB — export the file instead",
                size.div_ceil(1024),
                limit / 1024
            ),
            ShareError::Empty => f.write_str("nothing to share"),
            ShareError::UnknownVersion { found } => {
                write!(f, "unknown link version {found:?} (expected {VERSION})")
            }
            ShareError::UnknownKind { found } => {
                write!(f, "unknown content kind {found:?} (expected t or m)")
            }
            ShareError::Malformed => f.write_str("the link is not v1.<kind>.<payload>"),
            ShareError::BadPayload { cause } => write!(f, "the payload is not base64: {cause}"),
            ShareError::Damaged { offset } => {
                write!(f, "the compressed content is damaged at byte {offset}")
            }
            ShareError::WrongView { kind } => {
                write!(
                    f,
                    "a {} link opens in the {} view",
                    kind.label(),
                    kind.view().label()
                )
            }
        }
    }
}

impl std::error::Error for ShareError {}

impl UserError for ShareError {
    fn what(&self, lang: Lang) -> String {
        match self {
            ShareError::TooLarge { size, limit } => trf(
                lang,
                "Too large to share as a link: {size} KB, the limit is {limit} KB — export the file instead.",
                &[("size", &size.div_ceil(1024)), ("limit", &(limit / 1024))],
            ),
            ShareError::Empty => tr(lang, "Nothing to share yet.").into(),
            ShareError::UnknownVersion { found } => trf(
                lang,
                "This link was made in another format version ({found}); this Mailscope reads v1 links.",
                &[("found", found)],
            ),
            ShareError::UnknownKind { found } => trf(
                lang,
                "This link holds an unknown kind of content ({found}).",
                &[("found", found)],
            ),
            ShareError::Malformed => tr(lang, "This is not a Mailscope share link.").into(),
            ShareError::BadPayload { cause } => trf(
                lang,
                "This link is damaged (cut short or changed): its content stops being base64 at character {offset}.",
                &[("offset", &cause.offset())],
            ),
            ShareError::Damaged { offset } => trf(
                lang,
                "This link is damaged (cut short or changed): the compressed content breaks at byte {offset}.",
                &[("offset", offset)],
            ),
            ShareError::WrongView {
                kind: ShareKind::Transcript,
            } => tr(
                lang,
                "This link holds a transcript, which opens in the Session view.",
            )
            .into(),
            ShareError::WrongView {
                kind: ShareKind::Message,
            } => tr(
                lang,
                "This link holds a message, which opens in the Message view.",
            )
            .into(),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            // The sentence already says what to do.
            ShareError::TooLarge { .. } => "",
            ShareError::Empty => tr(lang, "Run a session or open a message first."),
            ShareError::UnknownVersion { .. } | ShareError::UnknownKind { .. } => tr(
                lang,
                "Ask for a link made with this version of Mailscope, or for the exported file.",
            ),
            ShareError::Malformed | ShareError::BadPayload { .. } | ShareError::Damaged { .. } => {
                tr(
                    lang,
                    "Copy the whole link again: links are long, and some apps cut or change them.",
                )
            }
            ShareError::WrongView { .. } => tr(
                lang,
                "Open the link as it was shared, without changing the part after #.",
            ),
        }
        .to_string()
    }
}

/// Shared content read back from a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// What it is.
    pub kind: ShareKind,
    /// The content, as it was shared.
    pub content: Vec<u8>,
}

/// Content is shared when it is not empty and at most [`MAX_CONTENT_BYTES`], both ways.
fn check_size(content: &[u8]) -> Result<(), ShareError> {
    if content.is_empty() {
        return Err(ShareError::Empty);
    }
    if content.len() > MAX_CONTENT_BYTES {
        return Err(ShareError::TooLarge {
            size: content.len(),
            limit: MAX_CONTENT_BYTES,
        });
    }
    Ok(())
}

/// The fragment (without `#`) that carries `content`: `/session?share=v1.t…` or
/// `/message?share=v1.m…`, compressed when that is shorter.
pub fn fragment(kind: ShareKind, content: &[u8]) -> Result<String, ShareError> {
    check_size(content)?;
    let packed = compress(content);
    let (flag, bytes) = if packed.len() < content.len() {
        ("z", packed.as_slice())
    } else {
        ("", content)
    };
    Ok(format!(
        "{}?{PARAM}{VERSION}.{}{flag}.{}",
        kind.view().route(),
        kind.letter(),
        escape(&base64::encode(bytes))
    ))
}

/// The page address a link starts from: `href` without its fragment (and so without a relay
/// token, which lives in the fragment).
pub fn base_url(href: &str) -> &str {
    href.split('#').next().unwrap_or_default()
}

/// The whole link: [`base_url`] of the page plus `#` and [`fragment`].
pub fn link(href: &str, kind: ShareKind, content: &[u8]) -> Result<String, ShareError> {
    Ok(format!("{}#{}", base_url(href), fragment(kind, content)?))
}

/// Base64 without padding, `+` and `/` percent-escaped.
fn escape(b64: &str) -> String {
    b64.trim_end_matches('=')
        .replace('+', "%2B")
        .replace('/', "%2F")
}

/// The shared state a URL fragment (with or without `#`) holds: `None` without a `share=`
/// parameter, else the content or why it cannot be read. A link whose route names another
/// view than its kind is refused ([`ShareError::WrongView`]).
pub fn from_fragment(fragment: &str) -> Option<Result<Shared, ShareError>> {
    let value = fragment
        .split(['#', '?', '&'])
        .find_map(|piece| piece.strip_prefix(PARAM))?;
    Some(decode(value).and_then(|shared| {
        if View::from_fragment(fragment) == shared.kind.view() {
            Ok(shared)
        } else {
            Err(ShareError::WrongView { kind: shared.kind })
        }
    }))
}

fn cut(s: &str) -> String {
    s.chars().take(16).collect()
}

/// Reads a `share=` value: `v1.<kind>.<payload>`.
pub fn decode(value: &str) -> Result<Shared, ShareError> {
    let mut parts = value.splitn(3, '.');
    let (Some(version), Some(kind), Some(payload)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ShareError::Malformed);
    };
    if version != VERSION {
        return Err(ShareError::UnknownVersion {
            found: cut(version),
        });
    }
    let (kind, compressed) = match kind {
        "t" => (ShareKind::Transcript, false),
        "tz" => (ShareKind::Transcript, true),
        "m" => (ShareKind::Message, false),
        "mz" => (ShareKind::Message, true),
        other => return Err(ShareError::UnknownKind { found: cut(other) }),
    };
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(ShareError::TooLarge {
            size: payload.len() / 4 * 3,
            limit: MAX_CONTENT_BYTES,
        });
    }
    let mut b64 = payload
        .replace("%2B", "+")
        .replace("%2b", "+")
        .replace("%2F", "/")
        .replace("%2f", "/")
        .replace('-', "+")
        .replace('_', "/");
    while !b64.len().is_multiple_of(4) {
        b64.push('=');
    }
    let bytes =
        base64::decode_strict(b64.as_bytes()).map_err(|cause| ShareError::BadPayload { cause })?;
    let content = if compressed {
        decompress(&bytes, MAX_CONTENT_BYTES)?
    } else {
        bytes
    };
    check_size(&content)?;
    Ok(Shared { kind, content })
}

/// Whether a transcript's text includes an AUTH exchange, as the core's annotation reads it
/// (an AUTH command, or a line answering a 334 challenge): such a link reveals the
/// credentials, which AUTH PLAIN and LOGIN only base64-encode (RFC 4616 §2, RFC 4954 §4).
pub fn reveals_auth(transcript: &[u8]) -> bool {
    Transcript::parse(transcript)
        .annotate()
        .entries
        .iter()
        .any(|e| {
            e.auth.is_some()
                || matches!(
                    e.parsed,
                    Parsed::Command {
                        command: Command::Auth { .. }
                    } | Parsed::SaslResponse { .. }
                )
        })
}

// A small LZ77 scheme in the manner of LZ4's block format: a sequence is a token byte (high
// nibble: literal count, low nibble: match length − MIN_MATCH; 15 means "more follows" as bytes
// of 255 ending with one below 255), the literals, then a two-byte little-endian offset back
// into the output. The last sequence has literals only and ends the input.

/// Shortest match worth a sequence.
const MIN_MATCH: usize = 4;
/// Farthest a match may look back (the offset is two bytes).
const WINDOW: usize = 65_535;
/// Size of the match finder's hash table (entries).
const HASH_BITS: u32 = 12;

fn push_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

fn hash4(b: &[u8]) -> usize {
    let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

/// Compresses `input` (greedy matching, one candidate per hash bucket).
fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 16);
    let mut table = vec![usize::MAX; 1 << HASH_BITS];
    let mut anchor = 0; // first literal not yet written
    let mut i = 0;
    while i + MIN_MATCH <= input.len() {
        let h = hash4(&input[i..i + MIN_MATCH]);
        let candidate = table[h];
        table[h] = i;
        let found = candidate != usize::MAX
            && i - candidate <= WINDOW
            && input[candidate..candidate + MIN_MATCH] == input[i..i + MIN_MATCH];
        if !found {
            i += 1;
            continue;
        }
        let mut len = MIN_MATCH;
        while i + len < input.len() && input[candidate + len] == input[i + len] {
            len += 1;
        }
        emit(&mut out, &input[anchor..i], Some((i - candidate, len)));
        i += len;
        anchor = i;
    }
    emit(&mut out, &input[anchor..], None);
    out
}

fn emit(out: &mut Vec<u8>, literals: &[u8], matched: Option<(usize, usize)>) {
    let lit = literals.len();
    let extra = matched.map_or(0, |(_, len)| len - MIN_MATCH);
    out.push(((lit.min(15) as u8) << 4) | extra.min(15) as u8);
    if lit >= 15 {
        push_len(out, lit - 15);
    }
    out.extend_from_slice(literals);
    if let Some((offset, _)) = matched {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if extra >= 15 {
            push_len(out, extra - 15);
        }
    }
}

/// Reads an extended length starting at `*at`; errors at the end of input or past `limit`.
fn read_len(input: &[u8], at: &mut usize, limit: usize) -> Result<usize, ShareError> {
    let mut n = 0usize;
    loop {
        let b = *input.get(*at).ok_or(ShareError::Damaged { offset: *at })?;
        *at += 1;
        n += usize::from(b);
        if n > limit {
            return Err(ShareError::Damaged { offset: *at });
        }
        if b < 255 {
            return Ok(n);
        }
    }
}

/// Undoes [`compress`], producing at most `limit` bytes: damaged input gives
/// [`ShareError::Damaged`], output beyond `limit` gives [`ShareError::TooLarge`].
fn decompress(input: &[u8], limit: usize) -> Result<Vec<u8>, ShareError> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len().saturating_mul(2).min(limit));
    let mut at = 0;
    let too_large = |size| ShareError::TooLarge { size, limit };
    while let Some(&token) = input.get(at) {
        at += 1;
        let mut lit = usize::from(token >> 4);
        if lit == 15 {
            lit += read_len(input, &mut at, limit)?;
        }
        let literals = input
            .get(at..at + lit)
            .ok_or(ShareError::Damaged { offset: at })?;
        if out.len() + lit > limit {
            return Err(too_large(out.len() + lit));
        }
        out.extend_from_slice(literals);
        at += lit;
        if at == input.len() {
            // The last sequence: literals only.
            return Ok(out);
        }
        let offset = input
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .ok_or(ShareError::Damaged { offset: at })?;
        at += 2;
        if offset == 0 || offset > out.len() {
            return Err(ShareError::Damaged { offset: at - 2 });
        }
        let mut len = usize::from(token & 15);
        if len == 15 {
            len += read_len(input, &mut at, limit)?;
        }
        len += MIN_MATCH;
        if out.len() + len > limit {
            return Err(too_large(out.len() + len));
        }
        let start = out.len() - offset;
        for k in 0..len {
            let b = out[start + k];
            out.push(b);
        }
    }
    // Empty input, or a match as the last sequence: not what the encoder writes.
    Err(ShareError::Damaged { offset: at })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const TRANSCRIPT: &str = "S: 220 mx.example.org ESMTP Postfix\nC: EHLO client.example\nS: 250-mx.example.org\nS: 250-PIPELINING\nS: 250-SIZE 10240000\nS: 250-STARTTLS\nS: 250-ENHANCEDSTATUSCODES\nS: 250-8BITMIME\nS: 250 SMTPUTF8\nC: MAIL FROM:<alice@example.org> SIZE=312\nS: 250 2.1.0 Ok\nC: RCPT TO:<bob@example.org>\nS: 250 2.1.5 Ok\nC: RCPT TO:<carol@example.org>\nS: 550 5.1.1 <carol@example.org>: Recipient address rejected: User unknown in local recipient table\nC: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\nC: From: Alice <alice@example.org>\nC: To: Bob <bob@example.org>\nC: Subject: Quarterly report\nC: Date: Mon, 2 Nov 2026 10:00:00 +0000\nC: Message-ID: <1234.5678@example.org>\nC: MIME-Version: 1.0\nC: Content-Type: text/plain; charset=utf-8\nC: \nC: Hello Bob,\nC: the report is attached to the next message.\nC: .\nS: 250 2.0.0 Ok: queued as 4F2A91C03B\nC: QUIT\nS: 221 2.0.0 Bye\n";

    const MESSAGE: &str = "From: a@example.org\r\nTo: b@example.org\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <x@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n";

    fn round_trip(kind: ShareKind, content: &[u8]) -> String {
        let frag = fragment(kind, content).expect("shareable");
        let back = from_fragment(&format!("#{frag}"))
            .expect("a share parameter")
            .expect("decodes");
        assert_eq!(back.kind, kind, "kind of {frag}");
        assert_eq!(back.content, content, "content of {frag}");
        frag
    }

    #[test]
    fn contents_round_trip() {
        let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let cases: [(ShareKind, &[u8], &str); 6] = [
            (
                ShareKind::Transcript,
                TRANSCRIPT.as_bytes(),
                "/session?share=v1.tz.",
            ),
            (
                ShareKind::Message,
                MESSAGE.as_bytes(),
                "/message?share=v1.m",
            ),
            (ShareKind::Transcript, b"C: QUIT\n", "/session?share=v1.t."),
            (ShareKind::Message, b"x", "/message?share=v1.m."),
            (
                ShareKind::Message,
                "한국어 ☃ \u{0}\r\n".as_bytes(),
                "/message?share=v1.m",
            ),
            (ShareKind::Message, &binary, "/message?share=v1.m"),
        ];
        for (kind, content, prefix) in cases {
            let frag = round_trip(kind, content);
            assert!(frag.starts_with(prefix), "{prefix} expected, got {frag}");
            assert!(
                frag.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/?=.%".contains(&b)),
                "only safe characters: {frag}"
            );
            assert!(
                !frag.contains('+') && !frag.ends_with('='),
                "escaped: {frag}"
            );
        }
    }

    #[test]
    fn compression_pays_on_a_typical_transcript() {
        let raw = fragment(ShareKind::Transcript, TRANSCRIPT.as_bytes()).expect("ok");
        let plain_len = escape(&base64::encode(TRANSCRIPT.as_bytes())).len();
        assert!(
            raw.len() * 10 < plain_len * 8,
            "compressed link {} vs uncompressed {plain_len} (content {})",
            raw.len(),
            TRANSCRIPT.len()
        );
        // Long repeats use the extended lengths.
        let runs = format!("{}{}", "a".repeat(1000), "b".repeat(300));
        assert!(compress(runs.as_bytes()).len() < 30);
        round_trip(ShareKind::Transcript, runs.as_bytes());
        let lits: Vec<u8> = (0..700u32).map(|i| (i * 7919 % 251) as u8).collect();
        round_trip(ShareKind::Message, &lits);
    }

    #[test]
    fn limits_are_explicit() {
        let at = vec![b'a'; MAX_CONTENT_BYTES];
        round_trip(ShareKind::Message, &at);
        let over = vec![b'a'; MAX_CONTENT_BYTES + 1];
        let err = fragment(ShareKind::Message, &over).expect_err("too large");
        assert_eq!(
            err,
            ShareError::TooLarge {
                size: MAX_CONTENT_BYTES + 1,
                limit: MAX_CONTENT_BYTES
            }
        );
        assert_eq!(
            err.to_string(),
            "too large to share as a link: 33 KB, the limit is 32 KB — export the file instead"
        );
        assert_eq!(fragment(ShareKind::Message, b""), Err(ShareError::Empty));
        // A compressed payload that expands beyond the limit (a "zip bomb") is refused.
        let mut bomb = vec![0x1F, b'a', 1, 0];
        push_len(&mut bomb, MAX_CONTENT_BYTES);
        bomb.push(0x00); // final empty literal run... preceded by the match above
        let value = format!("v1.mz.{}", escape(&base64::encode(&bomb)));
        assert!(
            matches!(decode(&value), Err(ShareError::TooLarge { .. })),
            "bomb: {:?}",
            decode(&value)
        );
        let long = format!("v1.m.{}", "A".repeat(MAX_PAYLOAD_CHARS + 1));
        assert!(matches!(decode(&long), Err(ShareError::TooLarge { .. })));
    }

    #[test]
    fn bad_links_give_typed_errors() {
        let good = fragment(ShareKind::Transcript, TRANSCRIPT.as_bytes()).expect("ok");
        let value = good.split_once(PARAM).expect("param").1.to_string();
        let truncated = &value[..value.len() - 9];
        let cases: Vec<(String, ShareError)> = vec![
            (
                "v2.t.QUJD".into(),
                ShareError::UnknownVersion { found: "v2".into() },
            ),
            (
                "v1.x.QUJD".into(),
                ShareError::UnknownKind { found: "x".into() },
            ),
            ("v1.t".into(), ShareError::Malformed),
            ("".into(), ShareError::Malformed),
            ("v1.t.".into(), ShareError::Empty),
            (
                "v1.t.QU*D".into(),
                ShareError::BadPayload {
                    cause: Base64Error::InvalidByte {
                        offset: 2,
                        byte: 0x2a,
                    },
                },
            ),
            (
                "v1.t.Q".into(),
                ShareError::BadPayload {
                    cause: Base64Error::InvalidByte {
                        offset: 1,
                        byte: 0x3d,
                    },
                },
            ),
            ("v1.tz.AAAA".into(), ShareError::Damaged { offset: 1 }),
        ];
        for (value, want) in cases {
            assert_eq!(decode(&value), Err(want), "value {value:?}");
        }
        assert!(
            matches!(
                decode(truncated),
                Err(ShareError::Damaged { .. }) | Err(ShareError::BadPayload { .. })
            ),
            "truncated: {:?}",
            decode(truncated)
        );
        assert_eq!(from_fragment("#/session"), None, "no share parameter");
        assert_eq!(from_fragment("#/session?token=abc"), None);
        let wrong = good.replace("/session", "/message");
        assert_eq!(
            from_fragment(&wrong),
            Some(Err(ShareError::WrongView {
                kind: ShareKind::Transcript
            }))
        );
        // Next to a relay token, in either order, the share still opens.
        let with_token = format!("#{good}&token=0123abcd");
        assert!(matches!(from_fragment(&with_token), Some(Ok(_))));
    }

    #[test]
    fn links_never_carry_the_token() {
        let cases = [
            (
                "http://127.0.0.1:8025/#token=0123abcd",
                "http://127.0.0.1:8025/",
            ),
            (
                "http://127.0.0.1:8025/#/mailbox&token=ff",
                "http://127.0.0.1:8025/",
            ),
            (
                "http://h/app/?x=1#/session?share=v1.t.QQ&token=ff",
                "http://h/app/?x=1",
            ),
            ("http://h/", "http://h/"),
        ];
        for (href, base) in cases {
            assert_eq!(base_url(href), base, "href {href}");
            let l = link(href, ShareKind::Transcript, b"C: QUIT\n").expect("link");
            assert!(!l.contains("token"), "token leaked: {l}");
            assert!(l.starts_with(&format!("{base}#/session?share=v1.t")), "{l}");
        }
    }

    #[test]
    fn auth_is_found_by_the_core() {
        let auth = "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\nC: c2VjcmV0\nS: 235 2.7.0 ok\n";
        let plain =
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: AUTH PLAIN AGFsaWNlAHNlY3JldA==\nS: 235 ok\n";
        let cases = [
            (auth, true),
            (plain, true),
            (TRANSCRIPT, false),
            ("C: MAIL FROM:<auth@example.org>\nS: 250 AUTH ok\n", false),
            ("", false),
        ];
        for (text, want) in cases {
            assert_eq!(reveals_auth(text.as_bytes()), want, "transcript {text:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        // Every prefix and many corruptions of good links, and pseudo-random garbage.
        let good = fragment(ShareKind::Transcript, TRANSCRIPT.as_bytes()).expect("ok");
        for end in 0..good.len() {
            let _ = from_fragment(&good[..end]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let value = good.split_once(PARAM).expect("param").1.as_bytes().to_vec();
        for _ in 0..2000 {
            let mut v = value.clone();
            let i = (next() as usize) % v.len();
            v[i] = b"AZaz09+/%-_.="[(next() as usize) % 13];
            let _ = decode(&String::from_utf8_lossy(&v));
            let garbage: Vec<u8> = (0..(next() % 200)).map(|_| next() as u8).collect();
            let _ = decompress(&garbage, MAX_CONTENT_BYTES);
            let _ = from_fragment(&String::from_utf8_lossy(&garbage));
            let _ = decode(&format!("v1.mz.{}", escape(&base64::encode(&garbage))));
        }
        for junk in [
            "share=",
            "#share=v1",
            "#?share=v1..",
            "share=v1.t.%2",
            "share=v1.t.%%%%",
            "share=v1.mz.____",
            "share=é.t.é",
        ] {
            assert!(
                matches!(from_fragment(junk), Some(Err(_))),
                "{junk:?} gives an error"
            );
        }
    }
    #[test]
    fn errors_say_what_happened_and_what_to_do() {
        crate::state::i18n::ready_for_tests(Lang::Ko);
        let cut = decode("v1.t.QU*D").expect_err("not base64");
        assert!(
            cut.what(Lang::En).contains("damaged"),
            "{}",
            cut.what(Lang::En)
        );
        assert!(!cut.what(Lang::En).contains("0x2a"), "no decoder text");
        let other = decode("v9.t.QUJD").expect_err("another version");
        assert!(
            other.what(Lang::En).contains("v9"),
            "{}",
            other.what(Lang::En)
        );
        for e in [cut, other, ShareError::Malformed] {
            assert!(!e.next_step(Lang::En).is_empty(), "{e:?}");
            assert_ne!(e.what(Lang::En), e.what(Lang::Ko), "{e:?} in Korean");
            assert_ne!(
                e.next_step(Lang::En),
                e.next_step(Lang::Ko),
                "{e:?} in Korean"
            );
        }
    }
}
