//! The byte tools: base64, transfer encodings, dot-stuffing, a captured AUTH exchange and reply
//! code lookup, each a call into the core with its answer shown as text and hex.

use mailscope_core::codec::crlf::normalize_crlf;
use mailscope_core::codec::Defect;
use mailscope_core::mime::charset::decode as decode_charset;
use mailscope_core::mime::transfer::{
    decode_base64 as body_base64, decode_quoted_printable, encode_quoted_printable, LineEnding,
};
use mailscope_core::smtp::auth::{
    decode_base64, decode_exchange, encode_base64, guess_mechanism, to_hex, AuthLine, DecodedAuth,
    Mechanism,
};
use mailscope_core::smtp::command::{parse_command, Command};
use mailscope_core::smtp::data::{dot_unstuff, encode_data};
use mailscope_core::smtp::enhanced::EnhancedCode;
use mailscope_core::smtp::reply::explain_code;

use super::error::ToolsError;
use super::MAX_OUTPUT_CHARS;
use crate::state::transcript::visible_wire;

/// A byte result shown as text, visible control characters, and hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BytesView {
    /// Lossy UTF-8 with visible CR/LF.
    pub text: String,
    /// Hex of the bytes (capped).
    pub hex: String,
    /// Byte count.
    pub len: usize,
}

/// Shows `bytes`.
pub fn bytes_view(bytes: &[u8]) -> BytesView {
    let shown = bytes.get(..4096).unwrap_or(bytes);
    let mut hex = to_hex(shown);
    if shown.len() < bytes.len() {
        hex.push('…');
    }
    BytesView {
        text: visible_wire(bytes, MAX_OUTPUT_CHARS),
        hex,
        len: bytes.len(),
    }
}

/// base64 of the UTF-8 text (RFC 4648 §4, as the core writes it).
pub fn base64_encode(text: &str) -> String {
    encode_base64(text.as_bytes())
}

/// Decodes base64 (white space ignored by the core as in RFC 2045 §6.8): the bytes, and their
/// text in `charset`.
pub fn base64_decode(
    text: &str,
    charset: &str,
) -> Result<(BytesView, Result<AsText, ToolsError>), ToolsError> {
    let bytes = decode_base64(text.trim().as_bytes()).map_err(ToolsError::NotBase64)?;
    Ok((bytes_view(&bytes), as_text(&bytes, charset)))
}

/// Decoded bytes read as text in a chosen charset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsText {
    /// The text (malformed sequences are U+FFFD).
    pub text: String,
    /// The encoding actually used (`windows-1252` for `us-ascii`).
    pub encoding: &'static str,
    /// Whether some bytes were malformed in it.
    pub had_errors: bool,
}

/// Reads `bytes` as text in `charset` with the core's decoder, the one the Message view uses
/// (every charset it reads; RFC 2046 §4.1.2).
pub fn as_text(bytes: &[u8], charset: &str) -> Result<AsText, ToolsError> {
    let d = decode_charset(charset.trim(), bytes).map_err(ToolsError::Charset)?;
    Ok(AsText {
        text: d.text,
        encoding: d.encoding,
        had_errors: d.had_errors,
    })
}

/// What dot-stuffing does to a message: the wire form after `354` and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuffed {
    /// The bytes on the wire (CRLF, stuffed, terminated), visible.
    pub wire: String,
    /// Bare line endings made CRLF.
    pub changes: usize,
    /// The stuffed body read back (terminator removed, unstuffed), visible.
    pub unstuffed: String,
}

/// A Content-Transfer-Encoding decoded as a body is (RFC 2045 §6.7, §6.8): the bytes and every
/// defect with its offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDecoded {
    /// The bytes.
    pub bytes: BytesView,
    /// What the core found wrong, with offsets into the encoded text (the core's
    /// [`Defect::message`](mailscope_core::codec::DefectKind::message) says what, in any
    /// language).
    pub defects: Vec<Defect>,
    /// Defects found beyond those listed.
    pub suppressed: usize,
}

/// The UTF-8 of `text` in quoted-printable as the core's builder writes it (RFC 2045 §6.7):
/// typed line ends become CRLF hard breaks, long lines get `=` soft breaks at 76 columns.
pub fn encode_qp(text: &str) -> String {
    encode_quoted_printable(&normalize_crlf(text.as_bytes()).bytes, LineEnding::Crlf)
}

/// Decodes a body in quoted-printable (`qp`) or base64, as the core's MIME reader does.
/// Line ends typed in a text area are LF; they are read as CRLF.
pub fn decode_body(text: &str, qp: bool) -> BodyDecoded {
    let wire = normalize_crlf(text.as_bytes()).bytes;
    let d = if qp {
        decode_quoted_printable(&wire)
    } else {
        body_base64(&wire)
    };
    BodyDecoded {
        bytes: bytes_view(&d.bytes),
        defects: d.defects,
        suppressed: d.suppressed,
    }
}

/// Dot-stuffs `text` as a client sends it after `354` (RFC 5321 §4.5.2).
pub fn dot_stuffing(text: &str) -> Stuffed {
    let encoded = encode_data(text.as_bytes());
    let body = encoded.wire.strip_suffix(b".\r\n").unwrap_or(&encoded.wire);
    Stuffed {
        wire: visible_wire(&encoded.wire, MAX_OUTPUT_CHARS),
        changes: encoded.changes.len(),
        unstuffed: visible_wire(&dot_unstuff(body), MAX_OUTPUT_CHARS),
    }
}

/// A bare base64 line: a payload captured without its AUTH command. Its shape tells the
/// mechanism (the core's rule, [`guess_mechanism`]); PLAIN and XOAUTH2 send it as the initial
/// response, LOGIN and CRAM-MD5 as the first answer (then it joins `rest`).
fn bare<'a>(
    first: &'a str,
    rest: &mut Vec<&'a str>,
) -> Result<(Mechanism, Option<String>), ToolsError> {
    match guess_mechanism(first.trim().as_bytes()) {
        Some(m @ (Mechanism::Plain | Mechanism::Xoauth2)) => {
            Ok((m, Some(first.trim().to_string())))
        }
        Some(m) => {
            rest.push(first.trim());
            Ok((m, None))
        }
        None => Err(ToolsError::NotACommand),
    }
}

/// Decodes a captured AUTH exchange: the `AUTH <mech> [initial]` line, then the `334 …`
/// challenges and the client's answers, one per line.
pub fn decode_auth(input: &str) -> Result<DecodedAuth, ToolsError> {
    let mut lines = input.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().ok_or(ToolsError::NoAuthLine)?;
    let wire = format!("{}\r\n", first.trim());
    let mut rest: Vec<&str> = Vec::new();
    let (mechanism, initial) = match parse_command(wire.as_bytes()) {
        Ok(Some((p, _))) => match p.command {
            Command::Auth {
                mechanism,
                initial_response,
            } => (
                Mechanism::parse(&mechanism),
                initial_response.map(|r| r.into_owned()),
            ),
            // Not a command this parser knows: perhaps a bare base64 payload.
            Command::Unknown { .. } => bare(first, &mut rest)?,
            other => {
                return Err(ToolsError::NotAuth {
                    verb: other.verb().to_string(),
                })
            }
        },
        Ok(None) | Err(_) => bare(first, &mut rest)?,
    };
    rest.extend(lines.map(str::trim));
    let auth_lines: Vec<AuthLine<'_>> = rest
        .iter()
        .map(|l| match l.strip_prefix("334") {
            Some(challenge) => AuthLine {
                from_client: false,
                payload: challenge.trim_start().as_bytes(),
                offset: 0,
            },
            None => AuthLine {
                from_client: true,
                payload: l.as_bytes(),
                offset: 0,
            },
        })
        .collect();
    Ok(decode_exchange(
        &mechanism,
        initial.as_deref().map(|i| (i.as_bytes(), 0)),
        &auth_lines,
    ))
}

/// What a reply code and/or enhanced status code mean.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeLookup {
    /// The reply code's meaning, with the RFC section.
    pub reply: Option<String>,
    /// The enhanced status code's meaning.
    pub enhanced: Option<String>,
}

/// Looks up `550`, `5.1.1` or `550 5.1.1`.
pub fn lookup_codes(input: &str) -> CodeLookup {
    let mut out = CodeLookup::default();
    for word in input.split_whitespace().take(4) {
        if let Some((code, _)) = EnhancedCode::parse_prefix(word.as_bytes()) {
            out.enhanced.get_or_insert_with(|| code.explain());
        } else if let Ok(code) = word.parse::<u16>() {
            if (200..600).contains(&code) {
                out.reply
                    .get_or_insert_with(|| explain_code(code).to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn base64_both_ways() {
        assert_eq!(base64_encode("한"), "7ZWc");
        let (v, text) = base64_decode("7ZWc\r\n", "UTF-8").expect("decodes");
        assert_eq!(
            (v.text.as_str(), v.hex.as_str(), v.len),
            ("한", "ed959c", 3)
        );
        assert_eq!(text.map(|t| t.text), Ok("한".into()));
        assert!(base64_decode("!!!", "UTF-8").is_err());
        // EUC-KR bytes: wrong as UTF-8, right when the reader picks the charset.
        let (_, utf8) = base64_decode("x9GxuQ==", "UTF-8").expect("decodes");
        assert!(utf8.is_ok_and(|t| t.had_errors && t.text.contains('\u{FFFD}')));
        let (_, euc) = base64_decode("x9GxuQ==", " euc-kr ").expect("decodes");
        assert_eq!(
            euc.map(|t| (t.text, t.encoding, t.had_errors)),
            Ok(("한국".into(), "EUC-KR", false))
        );
        let (_, unknown) = base64_decode("x9GxuQ==", "klingon").expect("decodes");
        assert!(matches!(unknown, Err(ToolsError::Charset(_))));
    }

    #[test]
    fn bodies_decode_with_their_defects() {
        let long = "é".repeat(40);
        let encoded = encode_qp(&format!("café = 1\n{long}"));
        assert!(encoded.starts_with("caf=C3=A9 =3D 1\r\n"), "{encoded:?}");
        assert!(
            encoded.lines().all(|l| l.len() <= 76),
            "76 columns: {encoded:?}"
        );
        let back = decode_body(&encoded, true);
        assert_eq!(
            back.bytes.text,
            format!("café = 1\r\n{long}").replace("\r\n", "␍␊\n"),
            "round trip"
        );
        assert!(back.defects.is_empty(), "{:?}", back.defects);
        let qp = decode_body("caf=C3=A9 =\nsoft=3d", true);
        assert_eq!(qp.bytes.text, "café soft=");
        assert_eq!(qp.defects.len(), 1, "lowercase escape: {:?}", qp.defects);
        let b = decode_body("7ZWc\n6rWt", false);
        assert_eq!((b.bytes.text.as_str(), b.defects.len()), ("한국", 0));
        assert!(
            !decode_body("7ZW", false).defects.is_empty(),
            "missing padding"
        );
    }

    #[test]
    fn dot_stuffing_shows_the_wire() {
        let s = dot_stuffing(".hidden\nline\n");
        assert_eq!(s.wire, "..hidden␍␊\nline␍␊\n.␍␊\n");
        assert_eq!(s.changes, 2, "two bare LFs made CRLF");
        assert_eq!(s.unstuffed, ".hidden␍␊\nline␍␊\n");
    }

    #[test]
    fn auth_exchanges_decode() {
        let d = decode_auth("AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=").expect("decodes");
        assert_eq!(
            (d.authcid.as_deref(), d.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );
        let d = decode_auth(
            "AUTH LOGIN\n334 VXNlcm5hbWU6\nYWxpY2U=\n334 UGFzc3dvcmQ6\nd29uZGVybGFuZA==",
        )
        .expect("decodes");
        assert_eq!(d.password.as_deref(), Some("wonderland"));
        assert_eq!(d.challenges, ["Username:", "Password:"]);
        assert!(decode_auth("MAIL FROM:<a@b>").is_err());
        assert!(decode_auth("").is_err());
        let bad = decode_auth("AUTH PLAIN %%%").expect("read with lints");
        assert!(!bad.lints.is_empty(), "malformed payload is a lint");
    }

    /// A bare base64 line (a payload copied without its AUTH command) is decoded by its shape.
    #[test]
    fn bare_base64_lines_are_decoded() {
        let plain = decode_auth("AGFsaWNlAHdvbmRlcmxhbmQ=").expect("PLAIN by its shape");
        assert_eq!(plain.mechanism, "PLAIN");
        assert_eq!(
            (plain.authcid.as_deref(), plain.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );
        let login = decode_auth("YWxpY2U=\nd29uZGVybGFuZA==").expect("LOGIN answers");
        assert_eq!(login.mechanism, "LOGIN");
        assert_eq!(
            (login.authcid.as_deref(), login.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );
        // "alice 2f6e…" (a CRAM-MD5 answer).
        let cram = encode_base64(b"alice 0123456789abcdef0123456789abcdef");
        let d = decode_auth(&cram).expect("CRAM-MD5 by its shape");
        assert_eq!(
            (d.mechanism.as_str(), d.digest.as_deref()),
            ("CRAM-MD5", Some("0123456789abcdef0123456789abcdef"))
        );
        // Commands that are valid base64 too (QUIT, NOOP) stay commands; junk is no command.
        assert!(matches!(
            decode_auth("QUIT"),
            Err(ToolsError::NotAuth { .. })
        ));
        assert!(matches!(
            decode_auth("not base64 !!"),
            Err(ToolsError::NotACommand)
        ));
    }

    #[test]
    fn codes_are_looked_up() {
        let l = lookup_codes("550 5.1.1");
        assert!(
            l.reply.as_deref().is_some_and(|r| r.starts_with("550")),
            "{l:?}"
        );
        assert!(
            l.enhanced
                .as_deref()
                .is_some_and(|e| e.contains("Bad destination mailbox")),
            "{l:?}"
        );
        assert_eq!(lookup_codes("hello"), CodeLookup::default());
        assert!(lookup_codes("4.7.1").enhanced.is_some());
    }
}
