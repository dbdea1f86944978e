//! Whether input can be read as text at all: an empty file, or one of only white space, holds no
//! message or transcript, and a binary file (an image, an archive, a TLS capture) is not one.
//! The CLI and the page refuse such input with the same rule and say why, instead of showing
//! an empty parse.

use serde::{Deserialize, Serialize};

/// How many leading bytes [`check_text`] looks at.
pub const SNIFF_BYTES: usize = 1024;

/// Why input is not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotText {
    /// Zero bytes.
    Empty,
    /// Only spaces, tabs and line breaks.
    OnlyWhiteSpace,
    /// The first bytes are binary data.
    Binary {
        /// A NUL byte is among them.
        nul: bool,
        /// How many control characters (tab, line breaks, form feed and escape excepted).
        controls: usize,
        /// How many bytes were looked at (at most [`SNIFF_BYTES`]).
        sampled: usize,
    },
}

/// Refuses input that holds no text: empty (or only white space), or binary, i.e. the first
/// [`SNIFF_BYTES`] of `text` hold a NUL or more than one control character in ten (tab, line
/// breaks, form feed and escape excepted; 8-bit bytes count as text, since legacy charsets use
/// them). `text` is the part of `input` that must be text (a raw SMTP capture carries TLS
/// records after STARTTLS; only the part before them is looked at).
pub fn check_text(input: &[u8], text: &[u8]) -> Result<(), NotText> {
    if input.is_empty() {
        return Err(NotText::Empty);
    }
    if input.trim_ascii().is_empty() {
        return Err(NotText::OnlyWhiteSpace);
    }
    let sample = text.get(..SNIFF_BYTES).unwrap_or(text);
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B)) || b == 0x7F)
        .count();
    let nul = sample.contains(&0);
    if nul || controls * 10 > sample.len() {
        return Err(NotText::Binary {
            nul,
            controls,
            sampled: sample.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn empty_white_space_and_binary_are_told_apart() {
        assert_eq!(check_text(b"", b""), Err(NotText::Empty));
        assert_eq!(
            check_text(b" \r\n\t\r\n", b" \r\n\t\r\n"),
            Err(NotText::OnlyWhiteSpace)
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(
            check_text(png, png),
            Err(NotText::Binary { nul: true, .. })
        ));
        let controls = [0x01u8, b'a', 0x02, b'b', 0x03, b'c'];
        assert_eq!(
            check_text(&controls, &controls),
            Err(NotText::Binary {
                nul: false,
                controls: 3,
                sampled: 6
            })
        );
    }

    #[test]
    fn messages_in_any_charset_are_text() {
        let euc_kr = b"Subject: \xbe\xc8\xb3\xe7\r\n\r\n\xc7\xd1\xb1\xdb\r\n";
        assert_eq!(check_text(euc_kr, euc_kr), Ok(()));
        // Escape (ISO-2022-JP) and form feed are text.
        let jis = b"Subject: x\r\n\r\n\x1b$B$3$s\x1b(B\x0c\r\n";
        assert_eq!(check_text(jis, jis), Ok(()));
        // Only the first SNIFF_BYTES of `text` are looked at.
        let mut late = vec![b'a'; SNIFF_BYTES];
        late.push(0);
        assert_eq!(check_text(&late, &late), Ok(()));
        // Binary after the text part (TLS records after STARTTLS) is not looked at.
        assert_eq!(
            check_text(b"EHLO x\r\n\x16\x03\x01\0", b"EHLO x\r\n"),
            Ok(())
        );
    }
}
