//! Hexadecimal digits, as used by quoted-printable `=XX`
//! ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)), Q-encoding
//! ([RFC 2047 §4.2](https://www.rfc-editor.org/rfc/rfc2047#section-4.2)), RFC 2231 `%XX`
//! ([RFC 2231 §4](https://www.rfc-editor.org/rfc/rfc2231#section-4)) and digests.

/// Uppercase digits, as quoted-printable and Q-encoding write them.
pub const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Lowercase digits, as digests are shown.
pub const LOWER: &[u8; 16] = b"0123456789abcdef";

/// The value of one hexadecimal digit of either case.
pub fn digit(b: u8) -> Option<u8> {
    let v = DIGITS[usize::from(b)];
    (v < 16).then_some(v)
}

/// Digit values by octet, 0xFF for an octet that is not a hexadecimal digit: one load per
/// digit in the decoders' inner loops.
static DIGITS: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 16 {
        t[UPPER[i] as usize] = i as u8;
        t[LOWER[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The octet written by the two digits at `text[i]` and `text[i + 1]`, if both are
/// hexadecimal digits (of either case).
pub fn pair_at(text: &[u8], i: usize) -> Option<u8> {
    let hi = digit(*text.get(i)?)?;
    let lo = digit(*text.get(i + 1)?)?;
    Some(hi << 4 | lo)
}

/// The two uppercase digits of `b`, as `=XX` escapes write them.
pub fn upper_pair(b: u8) -> [u8; 2] {
    [UPPER[usize::from(b >> 4)], UPPER[usize::from(b & 15)]]
}

/// Lowercase hex of `bytes`.
pub fn lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(LOWER[usize::from(b >> 4)]));
        s.push(char::from(LOWER[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn digits_pairs_and_strings() {
        for (b, want) in [
            (b'0', Some(0)),
            (b'9', Some(9)),
            (b'a', Some(10)),
            (b'F', Some(15)),
            (b'g', None),
            (b'/', None),
        ] {
            assert_eq!(digit(b), want, "digit {:?}", char::from(b));
        }
        for (text, i, want) in [
            (&b"=3D"[..], 1, Some(0x3D)),
            (b"=c3", 1, Some(0xC3)),
            (b"=3", 1, None),
            (b"=Z3", 1, None),
            (b"", 5, None),
        ] {
            assert_eq!(pair_at(text, i,), want, "pair_at {text:?} {i}");
        }
        assert_eq!(upper_pair(0xAB), *b"AB");
        assert_eq!(upper_pair(0x05), *b"05");
        assert_eq!(lower(&[0x00, 0xFF, 0x1a]), "00ff1a");
        assert_eq!(lower(&[]), "");
    }
}
