//! Canonicalization ([RFC 6376 §3.4](https://www.rfc-editor.org/rfc/rfc6376#section-3.4)):
//! the exact bytes a signature covers, exposed so that a reader can see them.
//!
//! Input is the message as on the wire: every line ends in CRLF (see
//! [`crate::auth::check::to_wire`]).

use serde::{Deserialize, Serialize};

/// A canonicalization algorithm (`c=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Canon {
    /// Bytes as they are (§3.4.1, §3.4.3).
    Simple,
    /// Whitespace and header-name case normalized (§3.4.2, §3.4.4).
    Relaxed,
}

impl Canon {
    /// The name used in `c=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Canon::Simple => "simple",
            Canon::Relaxed => "relaxed",
        }
    }

    /// Reads one name of `c=`.
    pub fn from_name(name: &str) -> Option<Canon> {
        match name {
            "simple" => Some(Canon::Simple),
            "relaxed" => Some(Canon::Relaxed),
            _ => None,
        }
    }
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Appends the canonical form of one header field, `name` and the raw `value` after the colon
/// (folds included, final CRLF excluded), and a CRLF.
pub fn header(out: &mut Vec<u8>, canon: Canon, name: &[u8], value: &[u8]) {
    match canon {
        Canon::Simple => {
            out.extend_from_slice(name);
            out.push(b':');
            out.extend_from_slice(value);
        }
        Canon::Relaxed => {
            out.extend(name.iter().map(u8::to_ascii_lowercase));
            // Trailing whitespace of the name (obsolete `Name :` form) goes too.
            while out.last().is_some_and(|&b| is_wsp(b)) {
                out.pop();
            }
            out.push(b':');
            let start = out.len();
            let mut space = false;
            for &b in value.iter().filter(|&&b| b != b'\r' && b != b'\n') {
                if is_wsp(b) {
                    space = true;
                } else {
                    if space && out.len() > start {
                        out.push(b' ');
                    }
                    space = false;
                    out.push(b);
                }
            }
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// The canonical body (§3.4.3, §3.4.4), whole; a length limit applies to its result.
pub fn body(body: &[u8], canon: Canon) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    match canon {
        Canon::Simple => out.extend_from_slice(body),
        Canon::Relaxed => {
            for line in body.split_inclusive(|&b| b == b'\n') {
                let (content, ending) = match line.strip_suffix(b"\r\n") {
                    Some(c) => (c, &b"\r\n"[..]),
                    None => (line, &b""[..]),
                };
                let mut space = false;
                for &b in content {
                    if is_wsp(b) {
                        space = true;
                    } else {
                        if space {
                            out.push(b' ');
                        }
                        space = false;
                        out.push(b);
                    }
                }
                out.extend_from_slice(ending);
            }
        }
    }
    while out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    if out == b"\r\n" && canon == Canon::Relaxed {
        out.clear();
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    if out.is_empty() && canon == Canon::Simple {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The example of RFC 6376 §3.4.5.
    #[test]
    fn rfc6376_example() {
        let mut h = Vec::new();
        header(&mut h, Canon::Relaxed, b"A", b" X");
        header(&mut h, Canon::Relaxed, b"B ", b" Y\t\r\n\tZ  ");
        assert_eq!(h, b"a:X\r\nb:Y Z\r\n");
        let mut s = Vec::new();
        header(&mut s, Canon::Simple, b"B ", b" Y\t\r\n\tZ  ");
        assert_eq!(s, b"B : Y\t\r\n\tZ  \r\n");
        let b = b" C \r\nD \t E\r\n\r\n\r\n";
        assert_eq!(body(b, Canon::Relaxed), b" C\r\nD E\r\n");
        assert_eq!(body(b, Canon::Simple), b" C \r\nD \t E\r\n");
    }

    #[test]
    fn empty_bodies_and_missing_final_crlf() {
        for (input, simple, relaxed) in [
            (&b""[..], &b"\r\n"[..], &b""[..]),
            (b"\r\n\r\n", b"\r\n", b""),
            (b"x", b"x\r\n", b"x\r\n"),
            (b"x \r\n \r\n", b"x \r\n \r\n", b"x\r\n"),
        ] {
            assert_eq!(body(input, Canon::Simple), simple, "simple {input:?}");
            assert_eq!(body(input, Canon::Relaxed), relaxed, "relaxed {input:?}");
        }
    }
}
