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
    while pos < input.len() {
        let rest = input.get(pos..).unwrap_or_default();
        let (content_end, next) = match crate::mime::header::find_byte(b'\n', rest) {
            Some(lf) => {
                let lf = pos + lf;
                let ce = if lf > pos && input.get(lf - 1) == Some(&b'\r') {
                    lf - 1
                } else {
                    lf
                };
                (ce, lf + 1)
            }
            None => (input.len(), input.len()),
        };
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
        let mut soft = false;
        let mut i = pos;
        while i < end {
            let line = input.get(i..end).unwrap_or_default();
            let run = crate::mime::header::find_byte(b'=', line).unwrap_or(line.len());
            out.extend_from_slice(line.get(..run).unwrap_or_default());
            i += run;
            if i >= end {
                break;
            }
            // input[i] == '='
            if i + 1 == end {
                soft = true;
                break;
            }
            let escape = if i + 2 < end {
                hex::pair_at(input, i + 1)
            } else {
                None
            };
            match escape {
                Some(octet) => {
                    if input
                        .get(i + 1..i + 3)
                        .is_some_and(|h| h.iter().any(u8::is_ascii_lowercase))
                    {
                        d.defect(DefectKind::QpLowercaseEscape, Span::new(i, i + 3));
                    }
                    out.push(octet);
                    i += 3;
                }
                None => {
                    d.defect(DefectKind::QpInvalidEscape, Span::new(i, (i + 3).min(end)));
                    out.push(b'=');
                    i += 1;
                }
            }
        }
        if soft {
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
