//! Line endings made CRLF, for the SMTP side (DATA, [RFC 5321 §2.3.8]) and the MIME side
//! (built messages, [RFC 5322 §2.1]) alike, with a record of every bare CR or LF replaced.
//!
//! [RFC 5321 §2.3.8]: https://www.rfc-editor.org/rfc/rfc5321#section-2.3.8
//! [RFC 5322 §2.1]: https://www.rfc-editor.org/rfc/rfc5322#section-2.1

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Which line ending a normalisation fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineEndingFix {
    /// A LF without CR before it became CRLF.
    BareLf,
    /// A CR without LF after it became CRLF.
    BareCr,
}

/// One change made by [`normalize_crlf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEndingChange {
    /// What was fixed.
    pub kind: LineEndingFix,
    /// The bare byte, in the input.
    pub span: Span,
}

/// Text with every line ending made CRLF, and the record of what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Normalized {
    /// The text with CRLF line endings only.
    pub bytes: Vec<u8>,
    /// Each bare LF or CR that was replaced, in input order.
    pub changes: Vec<LineEndingChange>,
}

/// Turns every bare LF and bare CR into CRLF ([RFC 5321 §2.3.8](https://www.rfc-editor.org/rfc/rfc5321#section-2.3.8)),
/// recording where each one was.
pub fn normalize_crlf(input: &[u8]) -> Normalized {
    let mut out = Normalized {
        bytes: Vec::with_capacity(input.len() + input.len() / 32),
        changes: Vec::new(),
    };
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'\r' if input.get(i + 1) == Some(&b'\n') => {
                out.bytes.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => {
                out.bytes.extend_from_slice(b"\r\n");
                out.changes.push(LineEndingChange {
                    kind: if b == b'\r' {
                        LineEndingFix::BareCr
                    } else {
                        LineEndingFix::BareLf
                    },
                    span: Span::new(i, i + 1),
                });
            }
            _ => out.bytes.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn normalizes_line_endings_and_records_changes() {
        type Case = (
            &'static [u8],
            &'static [u8],
            &'static [(LineEndingFix, usize)],
        );
        let cases: &[Case] = &[
            (b"a\r\nb\r\n", b"a\r\nb\r\n", &[]),
            (
                b"a\nb\n",
                b"a\r\nb\r\n",
                &[(LineEndingFix::BareLf, 1), (LineEndingFix::BareLf, 3)],
            ),
            (b"a\rb", b"a\r\nb", &[(LineEndingFix::BareCr, 1)]),
            (
                b"\r\r\n\n",
                b"\r\n\r\n\r\n",
                &[(LineEndingFix::BareCr, 0), (LineEndingFix::BareLf, 3)],
            ),
            (b"", b"", &[]),
        ];
        for &(input, bytes, changes) in cases {
            let n = normalize_crlf(input);
            let got: Vec<(LineEndingFix, usize)> =
                n.changes.iter().map(|c| (c.kind, c.span.start)).collect();
            assert_eq!(
                (n.bytes.as_slice(), got.as_slice()),
                (bytes, changes),
                "input {input:?}"
            );
        }
    }
}
