//! Base64 ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4), the alphabet of
//! [RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)): one encoder with
//! optional line wrapping, one fast lenient decoder that records [`Defect`]s, and a strict
//! decoder for SASL built on it.
//!
//! Users: `mime::transfer` (bodies, [`decode`]), `mime::encoded_word` (B words, [`decode`] and
//! [`encode`]), `mime::build` ([`encode_wrapped`] at 76 columns) and `smtp::auth` (SASL,
//! [`encode`] and [`decode_strict`]).

use serde::{Deserialize, Serialize};

use super::{Decoded, DefectKind};
use crate::span::Span;

/// The standard alphabet (RFC 4648 Table 1).
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding and no line breaks
/// ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4)).
pub fn encode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    encode_into(&mut out, input);
    // Only alphabet characters and '=' were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Base64 in lines of at most `width` characters joined by CRLF, with no final CRLF
/// ([RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8): at most 76). A
/// `width` of 0 means no wrapping.
pub fn encode_wrapped(input: &[u8], width: usize) -> Vec<u8> {
    let flat_len = input.len().div_ceil(3) * 4;
    if width == 0 || flat_len <= width {
        let mut out = Vec::with_capacity(flat_len);
        encode_into(&mut out, input);
        return out;
    }
    let mut flat = Vec::with_capacity(flat_len);
    encode_into(&mut flat, input);
    let mut out = Vec::with_capacity(flat_len + flat_len / width * 2 + 2);
    for (i, line) in flat.chunks(width).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line);
    }
    out
}

/// Appends the base64 of `input` to `out`.
fn encode_into(out: &mut Vec<u8>, input: &[u8]) {
    let sym = |v: u32| ALPHABET[(v & 63) as usize];
    let mut chunks = input.chunks_exact(3);
    for c in &mut chunks {
        let v = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        out.extend_from_slice(&[sym(v >> 18), sym(v >> 12), sym(v >> 6), sym(v)]);
    }
    match *chunks.remainder() {
        [a] => {
            let v = u32::from(a) << 16;
            out.extend_from_slice(&[sym(v >> 18), sym(v >> 12), b'=', b'=']);
        }
        [a, b] => {
            let v = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[sym(v >> 18), sym(v >> 12), sym(v >> 6), b'=']);
        }
        _ => {}
    }
}

/// Why bytes are not strict base64 ([`decode_strict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Base64Error {
    /// A byte outside the alphabet, or `=` where padding cannot be.
    InvalidByte {
        /// Offset of the byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The length is not a multiple of four.
    BadLength {
        /// The length found.
        len: usize,
    },
}

impl Base64Error {
    /// Offset where the problem shows (the end for a bad length).
    pub fn offset(&self) -> usize {
        match *self {
            Base64Error::InvalidByte { offset, .. } => offset,
            Base64Error::BadLength { len } => len,
        }
    }
}

impl std::fmt::Display for Base64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Base64Error::InvalidByte { offset, byte } => {
                write!(f, "byte 0x{byte:02x} at offset {offset} is not base64")
            }
            Base64Error::BadLength { len } => {
                write!(f, "length {len} is not a multiple of 4")
            }
        }
    }
}

impl std::error::Error for Base64Error {}

/// Strict base64 decoding: the standard alphabet, padding to a multiple of four, no whitespace
/// ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4), as RFC 4954 §4 requires
/// of SASL lines). Decodes with [`decode`] and accepts the result only if it recorded no defect
/// and skipped no whitespace; otherwise the error names the first offending byte.
pub fn decode_strict(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
    if !input.len().is_multiple_of(4) {
        return Err(Base64Error::BadLength { len: input.len() });
    }
    let d = decode(input);
    if d.defects.is_empty() && !input.iter().any(|&b| TABLE[usize::from(b)] == SPACE) {
        return Ok(d.bytes);
    }
    // Padding may only be the last one or two characters; everything before is alphabet.
    let pad = if input.ends_with(b"==") {
        2
    } else {
        usize::from(input.ends_with(b"="))
    };
    let data = input.get(..input.len() - pad).unwrap_or_default();
    let (offset, byte) = data
        .iter()
        .enumerate()
        .find(|&(_, &b)| TABLE[usize::from(b)] >= 64)
        .map_or((0, input.first().copied().unwrap_or(0)), |(o, &b)| (o, b));
    Err(Base64Error::InvalidByte { offset, byte })
}

const INVALID: u8 = 0xFF;
const SPACE: u8 = 0xFE;
const PAD: u8 = 0xFD;

/// Base64 alphabet (RFC 2045 Table 1) to sextet values; other classes above 63.
static TABLE: [u8; 256] = {
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

/// Set in a [`SHIFTED`] entry for a byte outside the alphabet (above the 24 data bits).
const BAD: u32 = 1 << 31;

/// Per position in a quantum of four characters, each alphabet character's sextet already
/// shifted to its place in the quantum's 24 bits, [`BAD`] for other bytes: a quantum decodes
/// with four loads and three ORs, and one test says whether all four were alphabet.
///
/// The 24 bits are stored in output order, first octet lowest (a little-endian `u32`), so a
/// quantum is written with `to_le_bytes`: no byte swap, which WebAssembly has no instruction
/// for (a `u64` swap there is some twenty instructions).
static SHIFTED: [[u32; 256]; 4] = {
    let mut t = [[BAD; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut i = 0;
        while i < 64 {
            t[k][ALPHABET[i] as usize] = ((i as u32) << (26 - 6 * k)).swap_bytes();
            i += 1;
        }
        k += 1;
    }
    t
};

/// The three octets of a quantum of four characters, first octet lowest, or a value with
/// [`BAD`] set.
fn quantum(c: &[u8; 4]) -> u32 {
    SHIFTED[0][c[0] as usize]
        | SHIFTED[1][c[1] as usize]
        | SHIFTED[2][c[2] as usize]
        | SHIFTED[3][c[3] as usize]
}

/// Decodes base64 ([RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)),
/// skipping line breaks and whitespace and recording every other deviation.
///
/// Table-driven ([`SHIFTED`]): eight characters decode at a time when no line break or padding
/// is in the way, so MIME-wrapped input (76-character lines) decodes without per-byte
/// branching or allocation beyond one output buffer.
pub fn decode(input: &[u8]) -> Decoded {
    decode_onto(input, Vec::new())
}

/// [`decode`], appending the octets to `out` (returned in [`Decoded::bytes`]): several short
/// inputs, such as the encoded-words of one header field, then share one buffer.
pub(crate) fn decode_onto(input: &[u8], mut out: Vec<u8>) -> Decoded {
    // Reserved, not zero-filled: the octets are appended (filling a buffer first took a pass
    // of its own over every output byte).
    out.reserve(input.len() / 4 * 3 + 3);
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
                while let Some((a, b)) = input
                    .get(i..i + 8)
                    .and_then(|c| c.split_first_chunk::<4>())
                    .and_then(|(a, b)| Some((a, b.first_chunk::<4>()?)))
                {
                    let (a, b) = (quantum(a), quantum(b));
                    if (a | b) & BAD != 0 {
                        break;
                    }
                    let v = u64::from(a) | u64::from(b) << 24;
                    if let Some(octets) = v.to_le_bytes().first_chunk::<6>() {
                        out.extend_from_slice(octets);
                    }
                    i += 8;
                }
                // A line break (the usual reason the loop above stopped): skipped whole.
                match input.get(i..i + 2) {
                    Some(b"\r\n") => {
                        i += 2;
                        continue 'fast;
                    }
                    Some([b'\n', _]) => {
                        i += 1;
                        continue 'fast;
                    }
                    _ => {}
                }
                if let Some(c) = input.get(i..i + 4).and_then(|c| c.first_chunk::<4>()) {
                    let v = quantum(c);
                    if v & BAD == 0 {
                        if let Some(octets) = v.to_le_bytes().first_chunk::<3>() {
                            out.extend_from_slice(octets);
                        }
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
        let v = TABLE[c as usize];
        if v < 64 {
            if padded {
                d.defect(DefectKind::Base64DataAfterPadding, Span::new(i, i + 1));
                padded = false;
                pads_left = 0;
            }
            acc = acc << 6 | v as u32;
            n += 1;
            if n == 4 {
                out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                acc = 0;
                n = 0;
            }
        } else if v == PAD {
            match n {
                2 | 3 => {
                    flush(&mut out, acc, n);
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
            flush(&mut out, acc, n);
            d.defect(DefectKind::Base64MissingPadding, Span::new(end, end));
        }
        _ => {}
    }
    if padded && pads_left > 0 {
        d.defect(DefectKind::Base64BadPadding, Span::new(end, end));
    }
    d.bytes = out;
    d
}

/// Appends the octets of a partial quantum of `n` (2 or 3) sextets.
fn flush(out: &mut Vec<u8>, acc: u32, n: u32) {
    if n == 2 {
        out.push((acc >> 4) as u8);
    } else {
        out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    use crate::testutil::{check_decoder, DecodeCase as Case};

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
        check_decoder(decode, cases);
    }

    #[test]
    fn base64_round_trips_every_length_and_wrapping() {
        // The wrapped encoder, re-wrapped to other line endings, against every alignment.
        fn encode(data: &[u8], wrap: usize, eol: &str) -> String {
            String::from_utf8(encode_wrapped(data, wrap))
                .expect("base64 is ASCII")
                .replace("\r\n", eol)
        }
        let data: Vec<u8> = (0..600u32).map(|i| (i * 7 + i / 3) as u8).collect();
        for len in [0, 1, 2, 3, 4, 5, 56, 57, 58, 100, 599] {
            for (wrap, eol) in [(76, "\r\n"), (76, "\n"), (64, "\r\n"), (5, "\n")] {
                let enc = encode(&data[..len], wrap, eol);
                let d = decode(enc.as_bytes());
                assert_eq!(d.bytes, &data[..len], "len {len} wrap {wrap}");
                assert!(d.defects.is_empty(), "len {len}: {:?}", d.defects);
            }
        }
    }

    #[test]
    fn strict_round_trips_and_rejects() {
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (b"\0alice\0wonderland", "AGFsaWNlAHdvbmRlcmxhbmQ="),
        ];
        for &(raw, enc) in cases {
            assert_eq!(encode(raw), enc, "encode {raw:?}");
            assert_eq!(
                decode_strict(enc.as_bytes()).as_deref(),
                Ok(raw),
                "decode {enc}"
            );
        }
        let bad: &[(&[u8], Base64Error)] = &[
            (b"Zg=", Base64Error::BadLength { len: 3 }),
            (
                b"Z===",
                Base64Error::InvalidByte {
                    offset: 1,
                    byte: b'=',
                },
            ),
            (
                b"Zg=a",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b'=',
                },
            ),
            (
                b"Zm9v Yg=",
                Base64Error::InvalidByte {
                    offset: 4,
                    byte: b' ',
                },
            ),
            (
                b"Zm=vYg==",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b'=',
                },
            ),
            (
                b"Zm9\xff",
                Base64Error::InvalidByte {
                    offset: 3,
                    byte: 0xff,
                },
            ),
        ];
        for (input, err) in bad {
            assert_eq!(decode_strict(input), Err(*err), "decode {input:?}");
        }
    }

    #[test]
    fn wrapped_lines() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let wrapped = encode_wrapped(&data, 76);
        for line in wrapped.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(line.len() <= 76, "line of {} characters", line.len());
        }
        assert!(!wrapped.ends_with(b"\r\n"), "no final CRLF");
        assert_eq!(decode(&wrapped).bytes, data, "wrapped round trip");
        assert_eq!(encode_wrapped(b"ab", 76), b"YWI=");
        assert_eq!(encode_wrapped(b"", 76), b"");
        assert_eq!(encode_wrapped(b"abcdef", 0), b"YWJjZGVm");
        assert_eq!(encode_wrapped(b"abcdef", 4), b"YWJj\r\nZGVm");
    }
}
