//! Content-Transfer-Encoding: base64 and quoted-printable
//! ([RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6)).
//!
//! Both decoders are total and lenient: they decode whatever can be decoded, the way common
//! mail readers do, and record every deviation from the grammar as a [`Defect`] with the byte
//! span of the offending characters (offsets into the encoded input). The message parser turns
//! defects into `mime.base64-invalid` and `mime.qp-invalid` lints.
//!
//! Base64 decoding is [`crate::codec::base64::decode`], shared with encoded-words and SASL;
//! the defect model ([`Decoded`], [`Defect`], [`DefectKind`]) is [`crate::codec`]'s.

use serde::{Deserialize, Serialize};

use crate::codec::hex;
use crate::span::Span;

pub use crate::codec::base64::decode as decode_base64;
pub use crate::codec::{Decoded, Defect, DefectKind, MAX_DEFECTS};

/// Longest encoded line quoted-printable allows, without the line ending
/// ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7) rule 5).
pub const QP_MAX_LINE: usize = 76;

/// A Content-Transfer-Encoding value ([RFC 2045 §6.1](https://www.rfc-editor.org/rfc/rfc2045#section-6.1)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum TransferEncoding {
    /// `7bit`, the default: the body is sent as is.
    #[default]
    SevenBit,
    /// `8bit`: lines of octets, sent as is.
    EightBit,
    /// `binary`: arbitrary octets, sent as is.
    Binary,
    /// `base64` ([RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)).
    Base64,
    /// `quoted-printable` ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)).
    QuotedPrintable,
    /// Any other token (such as `x-uuencode`), lowercased; decoded as identity.
    Unknown(String),
}

impl TransferEncoding {
    /// Reads a field value: surrounding whitespace and a trailing comment are ignored and the
    /// token is matched case-insensitively (RFC 2045 §6.1).
    pub fn parse(value: &[u8]) -> TransferEncoding {
        let token_end = value
            .iter()
            .position(|&b| b == b'(' || b == b';')
            .unwrap_or(value.len());
        let token = value.get(..token_end).unwrap_or_default().trim_ascii();
        let lower = String::from_utf8_lossy(token).to_ascii_lowercase();
        match lower.as_str() {
            "" | "7bit" => TransferEncoding::SevenBit,
            "8bit" => TransferEncoding::EightBit,
            "binary" => TransferEncoding::Binary,
            "base64" => TransferEncoding::Base64,
            "quoted-printable" => TransferEncoding::QuotedPrintable,
            _ => TransferEncoding::Unknown(lower),
        }
    }

    /// The canonical lowercase token.
    pub fn as_str(&self) -> &str {
        match self {
            TransferEncoding::SevenBit => "7bit",
            TransferEncoding::EightBit => "8bit",
            TransferEncoding::Binary => "binary",
            TransferEncoding::Base64 => "base64",
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Unknown(s) => s,
        }
    }

    /// Whether the body is sent as is (7bit, 8bit, binary): no decoding step.
    pub fn is_identity(&self) -> bool {
        matches!(
            self,
            TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary
        )
    }

    /// Decodes `body` with this encoding. Identity and unknown encodings copy the bytes
    /// (unknown ones with no defect: the parser reports the unknown token itself).
    pub fn decode(&self, body: &[u8]) -> Decoded {
        match self {
            TransferEncoding::Base64 => decode_base64(body),
            TransferEncoding::QuotedPrintable => decode_quoted_printable(body),
            _ => Decoded {
                bytes: body.to_vec(),
                defects: Vec::new(),
                suppressed: 0,
            },
        }
    }
}

impl From<TransferEncoding> for String {
    fn from(t: TransferEncoding) -> String {
        t.as_str().to_string()
    }
}

impl From<String> for TransferEncoding {
    fn from(s: String) -> TransferEncoding {
        TransferEncoding::parse(s.as_bytes())
    }
}

/// Decodes quoted-printable ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)).
/// Hard line breaks are kept as they appear in the input (CRLF or bare LF); soft breaks (`=`
/// at the end of a line) are removed; trailing whitespace is deleted.
pub fn decode_quoted_printable(input: &[u8]) -> Decoded {
    let mut d = Decoded::default();
    let mut out = Vec::with_capacity(input.len());
    let mut pos = 0usize;
    // Every LF of the input, by one vectorised search instead of a loop per line.
    let mut lfs = memchr::memchr_iter(b'\n', input);
    while pos < input.len() {
        let (content_end, next) =
            crate::mime::header::line_bounds(input, pos, lfs.next(), input.len());
        if content_end - pos > QP_MAX_LINE {
            d.defect(DefectKind::QpLineTooLong, Span::new(pos, content_end));
        }
        let mut end = content_end;
        while end > pos && matches!(input.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        if end < content_end {
            d.defect(
                DefectKind::QpTrailingWhitespace,
                Span::new(end, content_end),
            );
        }
        let line = input.get(pos..end).unwrap_or_default();
        if decode_qp_line(line, pos, &mut out, &mut d) {
            if next == input.len() && content_end == input.len() {
                d.defect(DefectKind::QpSoftBreakAtEnd, Span::new(end - 1, end));
            }
        } else {
            out.extend_from_slice(input.get(content_end..next).unwrap_or_default());
        }
        pos = next;
    }
    d.bytes = out;
    d
}

/// Decodes one line of quoted-printable (without its line ending and trailing white space,
/// starting at offset `at` of the input) onto `out`; true when it ends in a soft line break.
///
/// Escapes are decoded where they stand and literal runs are copied whole, so that text that
/// is mostly escapes (any non-Latin script) and text that is mostly literal (English) both
/// take one step per escape or run.
fn decode_qp_line(line: &[u8], at: usize, out: &mut Vec<u8>, d: &mut Decoded) -> bool {
    let mut i = 0;
    while let Some(&b) = line.get(i) {
        if b != b'=' {
            let rest = line.get(i..).unwrap_or_default();
            let run = memchr::memchr(b'=', rest).unwrap_or(rest.len());
            out.extend_from_slice(rest.get(..run).unwrap_or_default());
            i += run;
            continue;
        }
        match (line.get(i + 1), line.get(i + 2)) {
            (None, _) => return true,
            (Some(&hi), Some(&lo)) => match (hex::digit(hi), hex::digit(lo)) {
                (Some(h), Some(l)) => {
                    // Valid digits are lowercase exactly when they are `a`–`f`.
                    if hi >= b'a' || lo >= b'a' {
                        d.defect(DefectKind::QpLowercaseEscape, Span::new(at + i, at + i + 3));
                    }
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => d.defect(DefectKind::QpInvalidEscape, Span::new(at + i, at + i + 3)),
            },
            (Some(_), None) => d.defect(
                DefectKind::QpInvalidEscape,
                Span::new(at + i, at + line.len()),
            ),
        }
        out.push(b'=');
        i += 1;
    }
    false
}

/// The line break [`encode_quoted_printable`] treats as a hard break and writes after each
/// line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    /// CR LF, the canonical form of text in MIME ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)
    /// rule 4) and the form on the wire.
    #[default]
    Crlf,
    /// A bare LF, for text stored the Unix way.
    Lf,
}

impl LineEnding {
    /// The bytes of the break: `"\r\n"` or `"\n"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Crlf => "\r\n",
            LineEnding::Lf => "\n",
        }
    }
}

/// Encodes `data` as quoted-printable ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)).
///
/// - Each `line_ending` in the input (CR LF, or LF) is a hard line break and is written as is
///   (rule 4); every other CR or LF is encoded (`=0D`, `=0A`), so binary data survives too.
/// - Printable ASCII except `=` is written literally (rule 2); `=`, controls and bytes above
///   0x7E become `=XX` with uppercase hex (rule 1).
/// - A space or tab at the end of a line (before a hard break or the end of the data) is
///   encoded (rule 3).
/// - Encoded lines are at most [`QP_MAX_LINE`] (76) characters: longer ones end in a soft
///   break `=` followed by `line_ending` (rule 5); an escape is never split.
/// - A `.` at the start of a line and a line starting `From ` get their first character
///   encoded (`=2E`, `=46`), so that neither SMTP dot-stuffing nor mbox `>From` quoting can
///   alter the body ([RFC 2049 §3](https://www.rfc-editor.org/rfc/rfc2049#section-3)).
///
/// [`decode_quoted_printable`] gives back exactly `data`, with no defect.
pub fn encode_quoted_printable(data: &[u8], line_ending: LineEnding) -> String {
    let brk = line_ending.as_str();
    let mut out = String::with_capacity(data.len() + data.len() / 2 + 16);
    let mut pos = 0;
    loop {
        let rest = data.get(pos..).unwrap_or_default();
        // The next hard break: an LF, preceded by a CR in CRLF mode.
        let mut search = 0;
        let hard = loop {
            let Some(lf) = rest
                .get(search..)
                .and_then(|r| memchr::memchr(b'\n', r))
                .map(|i| search + i)
            else {
                break None;
            };
            match line_ending {
                LineEnding::Lf => break Some((lf, lf + 1)),
                LineEnding::Crlf if lf > 0 && rest.get(lf - 1) == Some(&b'\r') => {
                    break Some((lf - 1, lf + 1))
                }
                LineEnding::Crlf => search = lf + 1,
            }
        };
        let line_end = hard.map_or(rest.len(), |h| h.0);
        encode_qp_line(rest.get(..line_end).unwrap_or_default(), brk, &mut out);
        match hard {
            Some((_, next)) => {
                out.push_str(brk);
                pos += next;
            }
            None => break,
        }
    }
    out
}

/// One line of [`encode_quoted_printable`] (without its hard break), with soft breaks.
fn encode_qp_line(line: &[u8], brk: &str, out: &mut String) {
    let mut col = 0;
    for (i, &b) in line.iter().enumerate() {
        let last = i + 1 == line.len();
        let literal = match b {
            b'=' => false,
            b' ' | b'\t' => !last,
            b'.' if i == 0 => false,
            b'F' if i == 0 && line.starts_with(b"From ") => false,
            33..=126 => true,
            _ => false,
        };
        let width = if literal { 1 } else { 3 };
        // Keep room for the soft break's '=' unless this is the line's last token.
        let limit = if last { QP_MAX_LINE } else { QP_MAX_LINE - 1 };
        if col + width > limit {
            out.push('=');
            out.push_str(brk);
            col = 0;
        }
        if literal {
            out.push(char::from(b));
        } else {
            let [h, l] = hex::upper_pair(b);
            out.push('=');
            out.push(char::from(h));
            out.push(char::from(l));
        }
        col += width;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    use crate::testutil::{check_decoder, defect_kinds as kinds, DecodeCase as Case};

    #[test]
    fn qp_table() {
        use DefectKind::*;
        let cases: &[Case] = &[
            ("", b"", &[]),
            ("plain text", b"plain text", &[]),
            ("a=3Db\r\nc", b"a=b\r\nc", &[]),
            ("soft=\r\nbreak", b"softbreak", &[]),
            ("soft=\nbreak\n", b"softbreak\n", &[]),
            ("caf=C3=A9", "café".as_bytes(), &[]),
            ("caf=c3=a9", "café".as_bytes(), &[(QpLowercaseEscape, 3, 9)]),
            ("a=ZZb", b"a=ZZb", &[(QpInvalidEscape, 1, 4)]),
            ("a=4", b"a=4", &[(QpInvalidEscape, 1, 3)]),
            (
                "trail  \r\nx",
                b"trail\r\nx",
                &[(QpTrailingWhitespace, 5, 7)],
            ),
            ("soft= \r\nx", b"softx", &[(QpTrailingWhitespace, 5, 6)]),
            ("end=", b"end", &[(QpSoftBreakAtEnd, 3, 4)]),
        ];
        check_decoder(decode_quoted_printable, cases);
        let long = "x".repeat(77);
        let d = decode_quoted_printable(long.as_bytes());
        assert_eq!(kinds(&d), [(QpLineTooLong, 0, 77)]);
    }

    #[test]
    fn qp_encoder_table() {
        use LineEnding::{Crlf, Lf};
        let long_a = "a".repeat(80);
        let long_a_qp = format!("{}=\r\n{}", "a".repeat(75), "a".repeat(5));
        let cases: &[(&[u8], LineEnding, &str)] = &[
            (b"", Crlf, ""),
            (b"plain", Crlf, "plain"),
            (b"a=b", Crlf, "a=3Db"),
            (b"trailing \r\nx", Crlf, "trailing=20\r\nx"),
            (b"tab\t", Crlf, "tab=09"),
            (b"mid space", Crlf, "mid space"),
            (b".\r\nFrom x\r\nFrom", Crlf, "=2E\r\n=46rom x\r\nFrom"),
            ("caf\u{e9}".as_bytes(), Crlf, "caf=C3=A9"),
            (b"a\nb\rc\r\n", Crlf, "a=0Ab=0Dc\r\n"),
            (b"a\nb\r\nc", Lf, "a\nb=0D\nc"),
            (b"\r\n\r\n", Crlf, "\r\n\r\n"),
            (long_a.as_bytes(), Crlf, &long_a_qp),
            (b"x", Lf, "x"),
        ];
        for (input, le, want) in cases {
            let got = encode_quoted_printable(input, *le);
            assert_eq!(
                got,
                *want,
                "{:?} with {le:?}",
                String::from_utf8_lossy(input)
            );
        }
        // An escape is never split by a soft break, and the '=' fits in 76 columns.
        let e = "\u{e9}".repeat(40);
        let qp = encode_quoted_printable(e.as_bytes(), Lf);
        for line in qp.split('\n') {
            assert!(line.len() <= QP_MAX_LINE, "{} > 76: {line}", line.len());
            assert!(
                line.len() % 3 == 0 || line.ends_with('='),
                "split escape: {line}"
            );
        }
    }

    /// decode(encode(x)) == x with no defect, for random bytes and random text, with both
    /// line endings; every encoded line fits in 76 columns and is ASCII.
    #[test]
    fn qp_round_trip_property() {
        let mut rng = crate::testutil::XorShift::new(0x51_7E57);
        let alphabet = b"ab =.\t\r\nF From\xc3\xa9\xff\x00";
        for round in 0..2000 {
            let len = rng.below(if round % 10 == 0 { 600 } else { 90 });
            let data = rng.bytes(len, alphabet, round % 3 == 0);
            for le in [LineEnding::Crlf, LineEnding::Lf] {
                let qp = encode_quoted_printable(&data, le);
                assert!(qp.is_ascii(), "non-ASCII output for {data:?}");
                for line in qp.split(le.as_str()) {
                    assert!(
                        line.len() <= QP_MAX_LINE,
                        "line of {} for {data:?} with {le:?}: {line:?}",
                        line.len()
                    );
                }
                let d = decode_quoted_printable(qp.as_bytes());
                assert_eq!(
                    d.bytes, data,
                    "round trip of {data:?} with {le:?} via {qp:?}"
                );
                assert!(d.defects.is_empty(), "defects {:?} in {qp:?}", d.defects);
            }
        }
    }

    #[test]
    fn encoding_tokens() {
        let cases = [
            ("base64", TransferEncoding::Base64),
            (" BASE64 ", TransferEncoding::Base64),
            (
                "Quoted-Printable (comment)",
                TransferEncoding::QuotedPrintable,
            ),
            ("", TransferEncoding::SevenBit),
            ("8BIT", TransferEncoding::EightBit),
            ("binary", TransferEncoding::Binary),
            ("x-uuencode", TransferEncoding::Unknown("x-uuencode".into())),
        ];
        for (raw, want) in cases {
            let got = TransferEncoding::parse(raw.as_bytes());
            assert_eq!(got, want, "{raw:?}");
            assert_eq!(TransferEncoding::from(String::from(got.clone())), got);
        }
        let unknown = TransferEncoding::Unknown("x-uuencode".into());
        assert_eq!(unknown.decode(b"abc").bytes, b"abc");
    }

    #[test]
    fn hostile_input_is_bounded() {
        let garbage = crate::testutil::XorShift::new(0x1234_5678).bytes(200_000, b"", true);
        for d in [decode_base64(&garbage), decode_quoted_printable(&garbage)] {
            assert!(d.defects.len() <= MAX_DEFECTS, "{}", d.defects.len());
            assert!(d.bytes.len() <= garbage.len());
        }
        let eqs = vec![b'='; 100_000];
        let d = decode_base64(&eqs);
        assert!(
            d.bytes.is_empty() && d.defects.len() == 1,
            "{:?}",
            d.defects
        );
        let d = decode_quoted_printable(&eqs);
        assert_eq!(d.bytes.len(), 99_999);
    }
}
