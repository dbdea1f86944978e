//! Content-Transfer-Encoding: base64 and quoted-printable
//! ([RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6)).
//!
//! Both decoders are total and lenient: they decode whatever can be decoded, the way common
//! mail readers do, and record every deviation from the grammar as a [`Defect`] with the byte
//! span of the offending characters (offsets into the encoded input). The message parser turns
//! defects into `mime.base64-invalid` and `mime.qp-invalid` lints.
//!
//! The base64 decoder is table-driven and decodes eight characters at a time when no line
//! break or padding is in the way, so MIME-wrapped input (76-character lines) decodes without
//! per-byte branching or allocation beyond one output buffer.

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Most defects recorded per decoded body; later ones are only counted
/// ([`Decoded::suppressed`]), so hostile input cannot make the defect list grow with its size.
pub const MAX_DEFECTS: usize = 64;

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

/// What is wrong with a stretch of encoded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DefectKind {
    /// Characters outside the base64 alphabet, `=` and whitespace; they are skipped
    /// (RFC 2045 §6.8: "must be ignored", but they signal corruption).
    Base64InvalidCharacter,
    /// `=` where no padding can be (after 0 or 1 characters of a quantum), too many `=`, or a
    /// final quantum with too few `=`.
    Base64BadPadding,
    /// Base64 characters after the padding that ended the data; they are decoded as a new
    /// quantum, as most readers do.
    Base64DataAfterPadding,
    /// The data ends with 2 or 3 characters of a quantum and no padding.
    Base64MissingPadding,
    /// The data ends with a single character of a quantum: 6 bits that cannot form an octet
    /// and are dropped.
    Base64Truncated,
    /// `=` not followed by two hexadecimal digits or a line ending; the `=` is kept literally.
    QpInvalidEscape,
    /// `=` followed by lowercase hexadecimal digits (RFC 2045 §6.7 rule 1 requires uppercase);
    /// decoded anyway.
    QpLowercaseEscape,
    /// An encoded line longer than 76 characters (RFC 2045 §6.7 rule 5).
    QpLineTooLong,
    /// Spaces or tabs at the end of an encoded line; deleted, as rule 3 requires of decoders.
    QpTrailingWhitespace,
    /// A soft line break (`=`) at the very end of the data, with nothing after it.
    QpSoftBreakAtEnd,
}

impl DefectKind {
    /// Whether this defect belongs to base64 (otherwise quoted-printable).
    pub fn is_base64(self) -> bool {
        matches!(
            self,
            DefectKind::Base64InvalidCharacter
                | DefectKind::Base64BadPadding
                | DefectKind::Base64DataAfterPadding
                | DefectKind::Base64MissingPadding
                | DefectKind::Base64Truncated
        )
    }

    /// A short explanation, used as the lint message.
    pub fn describe(self) -> &'static str {
        match self {
            DefectKind::Base64InvalidCharacter => {
                "characters outside the base64 alphabet (skipped)"
            }
            DefectKind::Base64BadPadding => "misplaced or wrong number of '=' padding characters",
            DefectKind::Base64DataAfterPadding => {
                "base64 data after the '=' padding that should end it"
            }
            DefectKind::Base64MissingPadding => "final base64 quantum lacks '=' padding",
            DefectKind::Base64Truncated => {
                "a single base64 character at the end cannot form an octet (6 bits dropped)"
            }
            DefectKind::QpInvalidEscape => {
                "'=' not followed by two hex digits or a line break (kept literally)"
            }
            DefectKind::QpLowercaseEscape => "'=' escape with lowercase hex digits",
            DefectKind::QpLineTooLong => "encoded line longer than 76 characters",
            DefectKind::QpTrailingWhitespace => {
                "whitespace at the end of an encoded line (deleted)"
            }
            DefectKind::QpSoftBreakAtEnd => "soft line break '=' at the very end of the body",
        }
    }
}

/// One defect and where it is, in offsets into the encoded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defect {
    /// What is wrong.
    pub kind: DefectKind,
    /// The offending characters (contiguous runs of the same kind are merged).
    pub span: Span,
}

/// The result of transfer decoding: the octets and the defects met on the way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Decoded {
    /// The decoded octets.
    pub bytes: Vec<u8>,
    /// Up to [`MAX_DEFECTS`] defects, in input order.
    pub defects: Vec<Defect>,
    /// Defects found beyond [`MAX_DEFECTS`] and not recorded.
    pub suppressed: usize,
}

impl Decoded {
    fn defect(&mut self, kind: DefectKind, span: Span) {
        if let Some(last) = self.defects.last_mut() {
            if last.kind == kind && last.span.end == span.start {
                last.span.end = span.end;
                return;
            }
        }
        if self.defects.len() < MAX_DEFECTS {
            self.defects.push(Defect { kind, span });
        } else {
            self.suppressed += 1;
        }
    }
}

const INVALID: u8 = 0xFF;
const SPACE: u8 = 0xFE;
const PAD: u8 = 0xFD;

/// Base64 alphabet (RFC 2045 Table 1) to sextet values; other classes above 63.
static BASE64: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[b'=' as usize] = PAD;
    t
};

/// Decodes base64 ([RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)),
/// skipping line breaks and whitespace and recording every other deviation.
pub fn decode_base64(input: &[u8]) -> Decoded {
    let mut out = vec![0u8; input.len() / 4 * 3 + 8];
    let mut o = 0usize;
    let mut d = Decoded::default();
    let mut i = 0usize;
    let mut acc: u32 = 0;
    let mut n = 0u32; // sextets in acc
    let mut padded = false; // a quantum was closed by '='
    let mut pads_left = 0u32; // '=' still expected to complete the padding
    loop {
        if n == 0 && !padded {
            // Fast path, at a quantum boundary: eight alphabet characters make six octets,
            // then single quanta, and line breaks are skipped without leaving the loop.
            'fast: loop {
                while let Some(c) = input
                    .get(i..i + 8)
                    .and_then(|c| <&[u8; 8]>::try_from(c).ok())
                {
                    let x = [
                        BASE64[c[0] as usize],
                        BASE64[c[1] as usize],
                        BASE64[c[2] as usize],
                        BASE64[c[3] as usize],
                        BASE64[c[4] as usize],
                        BASE64[c[5] as usize],
                        BASE64[c[6] as usize],
                        BASE64[c[7] as usize],
                    ];
                    if (x[0] | x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7]) & 0xC0 != 0 {
                        break;
                    }
                    let v = (x[0] as u64) << 58
                        | (x[1] as u64) << 52
                        | (x[2] as u64) << 46
                        | (x[3] as u64) << 40
                        | (x[4] as u64) << 34
                        | (x[5] as u64) << 28
                        | (x[6] as u64) << 22
                        | (x[7] as u64) << 16;
                    match out.get_mut(o..o + 8) {
                        Some(dst) => dst.copy_from_slice(&v.to_be_bytes()),
                        None => break 'fast,
                    }
                    o += 6;
                    i += 8;
                }
                if let Some(c) = input
                    .get(i..i + 4)
                    .and_then(|c| <&[u8; 4]>::try_from(c).ok())
                {
                    let x = [
                        BASE64[c[0] as usize],
                        BASE64[c[1] as usize],
                        BASE64[c[2] as usize],
                        BASE64[c[3] as usize],
                    ];
                    if (x[0] | x[1] | x[2] | x[3]) & 0xC0 == 0 {
                        let v = (x[0] as u32) << 26
                            | (x[1] as u32) << 20
                            | (x[2] as u32) << 14
                            | (x[3] as u32) << 8;
                        match out.get_mut(o..o + 4) {
                            Some(dst) => dst.copy_from_slice(&v.to_be_bytes()),
                            None => break 'fast,
                        }
                        o += 3;
                        i += 4;
                        continue 'fast;
                    }
                }
                if matches!(input.get(i), Some(b'\r' | b'\n')) {
                    i += 1;
                    continue 'fast;
                }
                break;
            }
        }
        let Some(&c) = input.get(i) else { break };
        let v = BASE64[c as usize];
        if v < 64 {
            if padded {
                d.defect(DefectKind::Base64DataAfterPadding, Span::new(i, i + 1));
                padded = false;
                pads_left = 0;
            }
            acc = acc << 6 | v as u32;
            n += 1;
            if n == 4 {
                if let Some(dst) = out.get_mut(o..o + 3) {
                    dst.copy_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                }
                o += 3;
                acc = 0;
                n = 0;
            }
        } else if v == PAD {
            match n {
                2 | 3 => {
                    o += flush(&mut out, o, acc, n);
                    pads_left = 3 - n; // this '=' is the first of 4 - n
                    padded = true;
                    acc = 0;
                    n = 0;
                }
                _ if padded && pads_left > 0 => pads_left -= 1,
                1 => {
                    d.defect(DefectKind::Base64Truncated, Span::new(i - 1, i + 1));
                    acc = 0;
                    n = 0;
                }
                _ => d.defect(DefectKind::Base64BadPadding, Span::new(i, i + 1)),
            }
        } else if v == INVALID {
            d.defect(DefectKind::Base64InvalidCharacter, Span::new(i, i + 1));
        }
        i += 1;
    }
    let end = input.len();
    match n {
        1 => d.defect(DefectKind::Base64Truncated, Span::new(end, end)),
        2 | 3 => {
            o += flush(&mut out, o, acc, n);
            d.defect(DefectKind::Base64MissingPadding, Span::new(end, end));
        }
        _ => {}
    }
    if padded && pads_left > 0 {
        d.defect(DefectKind::Base64BadPadding, Span::new(end, end));
    }
    out.truncate(o);
    d.bytes = out;
    d
}

/// Writes the octets of a partial quantum of `n` (2 or 3) sextets; returns how many.
fn flush(out: &mut [u8], o: usize, acc: u32, n: u32) -> usize {
    let (bytes, len) = if n == 2 {
        ([(acc >> 4) as u8, 0], 1)
    } else {
        ([(acc >> 10) as u8, (acc >> 2) as u8], 2)
    };
    if let Some(dst) = out.get_mut(o..o + len) {
        dst.copy_from_slice(&bytes[..len]);
    }
    len
}

fn hex(b: u8) -> Option<(u8, bool)> {
    match b {
        b'0'..=b'9' => Some((b - b'0', false)),
        b'A'..=b'F' => Some((b - b'A' + 10, false)),
        b'a'..=b'f' => Some((b - b'a' + 10, true)),
        _ => None,
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
            let run = line.iter().position(|&b| b == b'=').unwrap_or(line.len());
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
            let h1 = input.get(i + 1).copied().and_then(hex);
            let h2 = if i + 2 < end {
                input.get(i + 2).copied().and_then(hex)
            } else {
                None
            };
            match (h1, h2) {
                (Some((hi, l1)), Some((lo, l2))) => {
                    if l1 || l2 {
                        d.defect(DefectKind::QpLowercaseEscape, Span::new(i, i + 3));
                    }
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
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

    /// Input, expected octets, expected defects (kind, start, end).
    type Case = (
        &'static str,
        &'static [u8],
        &'static [(DefectKind, usize, usize)],
    );

    fn kinds(d: &Decoded) -> Vec<(DefectKind, usize, usize)> {
        d.defects
            .iter()
            .map(|x| (x.kind, x.span.start, x.span.end))
            .collect()
    }

    #[test]
    fn base64_table() {
        use DefectKind::*;
        let cases: &[Case] = &[
            ("", b"", &[]),
            ("TWFu", b"Man", &[]),
            ("TWE=", b"Ma", &[]),
            ("TQ==", b"M", &[]),
            ("SGVsbG8sIFdvcmxkIQ==", b"Hello, World!", &[]),
            ("SGVs\r\nbG8s\nIFdv cmxk\tIQ==\r\n", b"Hello, World!", &[]),
            ("TW*Fu", b"Man", &[(Base64InvalidCharacter, 2, 3)]),
            ("TW**!Fu", b"Man", &[(Base64InvalidCharacter, 2, 5)]),
            ("TWE", b"Ma", &[(Base64MissingPadding, 3, 3)]),
            ("TQ", b"M", &[(Base64MissingPadding, 2, 2)]),
            ("TWFuT", b"Man", &[(Base64Truncated, 5, 5)]),
            ("TQ=", b"M", &[(Base64BadPadding, 3, 3)]),
            ("TQ===", b"M", &[(Base64BadPadding, 4, 5)]),
            ("=TWFu", b"Man", &[(Base64BadPadding, 0, 1)]),
            ("TQ==TQ==", b"MM", &[(Base64DataAfterPadding, 4, 5)]),
            ("TWFuT=", b"Man", &[(Base64Truncated, 4, 6)]),
            (
                "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                &[],
            ),
        ];
        for (input, want, defects) in cases {
            let d = decode_base64(input.as_bytes());
            assert_eq!(
                d.bytes,
                *want,
                "bytes of {input:?}: expected {:?}, got {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(&d.bytes)
            );
            assert_eq!(kinds(&d), *defects, "defects of {input:?}");
        }
    }

    #[test]
    fn base64_round_trips_every_length_and_wrapping() {
        // A reference encoder, to check the fast path against every alignment.
        fn encode(data: &[u8], wrap: usize, eol: &str) -> String {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut s = String::new();
            for c in data.chunks(3) {
                let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
                let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
                for k in 0..4 {
                    if k <= c.len() {
                        s.push(alphabet[(v >> (18 - 6 * k) & 63) as usize] as char);
                    } else {
                        s.push('=');
                    }
                }
            }
            let mut w = String::new();
            for (i, ch) in s.chars().enumerate() {
                if i > 0 && i % wrap == 0 {
                    w.push_str(eol);
                }
                w.push(ch);
            }
            w
        }
        let data: Vec<u8> = (0..600u32).map(|i| (i * 7 + i / 3) as u8).collect();
        for len in [0, 1, 2, 3, 4, 5, 56, 57, 58, 100, 599] {
            for (wrap, eol) in [(76, "\r\n"), (76, "\n"), (64, "\r\n"), (5, "\n")] {
                let enc = encode(&data[..len], wrap, eol);
                let d = decode_base64(enc.as_bytes());
                assert_eq!(d.bytes, &data[..len], "len {len} wrap {wrap}");
                assert!(d.defects.is_empty(), "len {len}: {:?}", d.defects);
            }
        }
    }

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
        for (input, want, defects) in cases {
            let d = decode_quoted_printable(input.as_bytes());
            assert_eq!(
                d.bytes,
                *want,
                "bytes of {input:?}: expected {:?}, got {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(&d.bytes)
            );
            assert_eq!(kinds(&d), *defects, "defects of {input:?}");
        }
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
        let mut seed = 0x1234_5678u32;
        let mut garbage = Vec::with_capacity(200_000);
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            garbage.push(seed as u8);
        }
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
