//! SMTP replies ([RFC 5321 §4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2)).
//!
//! ```text
//! Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//!                 Reply-code [ SP textstring ] CRLF
//! ```
//!
//! [`parse_reply`] reads one whole reply, single- or multi-line, from the front of a buffer. It
//! is total: any input yields a reply, `Ok(None)` (more bytes needed) or a [`ReplyError`]; it
//! never panics and looks at no more than [`MAX_REPLY_LINE`] bytes per line and
//! [`MAX_REPLY_LINES`] lines.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

/// Longest reply line accepted, CRLF included. RFC 5321 §4.5.3.1.5 sets 512; real servers send
/// longer ones, and Postfix's client accepts up to 2048 (`line_length_limit`).
pub const MAX_REPLY_LINE: usize = 2048;
/// Most lines accepted in one multi-line reply (an EHLO reply has a few dozen at most).
pub const MAX_REPLY_LINES: usize = 1000;
/// RFC 5321 §4.5.3.1.5: the limit a conforming server keeps to; longer lines get a lint.
pub const RFC_REPLY_LINE: usize = 512;

/// One line of a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyLine {
    /// The text after the code and separator, without the line ending (lossy UTF-8).
    pub text: String,
    /// The whole line including its line ending.
    pub span: Span,
}

/// A complete reply: a three-digit code and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The reply code, 200..=599.
    pub code: u16,
    /// Each line's text, in order.
    pub lines: Vec<ReplyLine>,
    /// The whole reply, from the first digit to the last line ending.
    pub span: Span,
    /// Defects tolerated while reading it.
    pub lints: Vec<Lint>,
}

impl Reply {
    /// First digit: 2 success, 3 intermediate, 4 transient failure, 5 permanent failure
    /// (RFC 5321 §4.2.1).
    pub fn class(&self) -> u8 {
        (self.code / 100) as u8
    }

    /// Whether the code is 2xx or 3xx.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// The text of all lines joined by `\n`.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Why bytes could not be read as a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line does not start with a three-digit code from 200 to 599 and a separator.
    Malformed {
        /// Offset of the offending line.
        offset: usize,
        /// What the parser expected there.
        expected: &'static str,
        /// The first bytes found, lossily decoded.
        found: String,
    },
    /// A line is longer than [`MAX_REPLY_LINE`] without an end.
    LineTooLong {
        /// Offset of the line.
        offset: usize,
    },
    /// A multi-line reply has more than [`MAX_REPLY_LINES`] lines.
    TooManyLines,
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyError::Malformed {
                offset,
                expected,
                found,
            } => {
                write!(
                    f,
                    "invalid reply at byte {offset}: expected {expected}, found {found:?}"
                )
            }
            ReplyError::LineTooLong { offset } => {
                write!(
                    f,
                    "reply line at byte {offset} is longer than {MAX_REPLY_LINE} bytes"
                )
            }
            ReplyError::TooManyLines => write!(f, "reply has more than {MAX_REPLY_LINES} lines"),
        }
    }
}

impl std::error::Error for ReplyError {}

/// Reads one reply from the front of `input`.
///
/// Returns `Ok(Some((reply, consumed)))` once a final line (`ddd SP` or `ddd CRLF`) has arrived,
/// `Ok(None)` when more bytes are needed, and an error for bytes that cannot be a reply. Lines
/// ended by a bare LF are accepted with an `smtp.bare-lf` lint.
pub fn parse_reply(input: &[u8]) -> Result<Option<(Reply, usize)>, ReplyError> {
    let mut pos = 0;
    let mut lines = Vec::new();
    let mut lints = Vec::new();
    let mut code = None;
    loop {
        if lines.len() >= MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines);
        }
        let rest = &input[pos..];
        let window = &rest[..rest.len().min(MAX_REPLY_LINE)];
        let Some(nl) = window.iter().position(|&b| b == b'\n') else {
            if window.len() >= MAX_REPLY_LINE {
                return Err(ReplyError::LineTooLong { offset: pos });
            }
            // Reject garbage early rather than waiting for a line end that may never come.
            check_prefix(window, pos)?;
            return Ok(None);
        };
        let line_end = pos + nl + 1;
        let mut content = &rest[..nl];
        if let [head @ .., b'\r'] = content {
            content = head;
        } else {
            lints.push(lints::BARE_LF.at(
                Span::new(pos + nl, line_end),
                "reply line ends in a bare LF; servers must send CRLF",
            ));
        }
        check_prefix(content, pos)?;
        if content.len() < 3 {
            return Err(malformed(content, pos, "a three-digit reply code"));
        }
        let this_code = u16::from(content[0] - b'0') * 100
            + u16::from(content[1] - b'0') * 10
            + u16::from(content[2] - b'0');
        let span = Span::new(pos, line_end);
        if line_end - pos > RFC_REPLY_LINE {
            lints.push(lints::LINE_TOO_LONG.at(
                span,
                format!(
                    "reply line is {} bytes; RFC 5321 allows 512",
                    line_end - pos
                ),
            ));
        }
        match code {
            None => code = Some(this_code),
            Some(first) if first != this_code => lints.push(lints::REPLY_INVALID.at(
                Span::new(pos, pos + 3),
                format!("line of a {first} reply carries code {this_code}; all lines must repeat the same code"),
            )),
            Some(_) => {}
        }
        let (last, text) = match content.get(3) {
            None => (true, &content[3..]),
            Some(b' ') => (true, &content[4..]),
            Some(b'-') => (false, &content[4..]),
            Some(_) => {
                return Err(malformed(
                    &content[3..],
                    pos + 3,
                    "a space, '-' or line end after the code",
                ))
            }
        };
        lines.push(ReplyLine {
            text: String::from_utf8_lossy(text).into_owned(),
            span,
        });
        pos = line_end;
        if last {
            let reply = Reply {
                code: code.unwrap_or(this_code),
                lines,
                span: Span::new(0, pos),
                lints,
            };
            return Ok(Some((reply, pos)));
        }
    }
}

/// Checks that what is present of a line can start a reply: digits 2-5, 0-9, 0-9.
fn check_prefix(line: &[u8], offset: usize) -> Result<(), ReplyError> {
    let ok = line.iter().take(3).enumerate().all(|(i, &b)| match i {
        0 => (b'2'..=b'5').contains(&b),
        _ => b.is_ascii_digit(),
    });
    if ok {
        Ok(())
    } else {
        Err(malformed(
            line,
            offset,
            "a three-digit reply code from 200 to 599",
        ))
    }
}

fn malformed(found: &[u8], offset: usize, expected: &'static str) -> ReplyError {
    let found = String::from_utf8_lossy(&found[..found.len().min(16)]).into_owned();
    ReplyError::Malformed {
        offset,
        expected,
        found,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// (input, code, texts, consumed, lint codes)
    type Case = (
        &'static [u8],
        u16,
        &'static [&'static str],
        usize,
        &'static [&'static str],
    );
    const COMPLETE: &[Case] = &[
        (
            b"220 mx.example.org ESMTP\r\n",
            220,
            &["mx.example.org ESMTP"],
            26,
            &[],
        ),
        (b"250 OK\r\nleft over", 250, &["OK"], 8, &[]),
        (b"354  Go ahead\r\n", 354, &[" Go ahead"], 15, &[]),
        (b"250\r\n", 250, &[""], 5, &[]),
        (
            b"250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
            250,
            &["mx.example.org", "PIPELINING", "8BITMIME"],
            50,
            &[],
        ),
        (b"250-\r\n250 \r\n", 250, &["", ""], 12, &[]),
        (
            b"550 5.1.1 no such user\n",
            550,
            &["5.1.1 no such user"],
            23,
            &["smtp.bare-lf"],
        ),
        (
            b"250-first\r\n251 second\r\n",
            250,
            &["first", "second"],
            23,
            &["smtp.reply-invalid"],
        ),
        (
            b"421 4.3.2 \xff\xfe bye\r\n",
            421,
            &["4.3.2 \u{fffd}\u{fffd} bye"],
            18,
            &[],
        ),
    ];

    #[test]
    fn parses_complete_replies() {
        for &(input, code, texts, consumed, lint_codes) in COMPLETE {
            let (reply, used) = parse_reply(input)
                .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
                .unwrap_or_else(|| panic!("{:?}: incomplete", String::from_utf8_lossy(input)));
            let got: Vec<&str> = reply.lines.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(
                (reply.code, got.as_slice(), used),
                (code, texts, consumed),
                "input {input:?}"
            );
            let got_lints: Vec<&str> = reply.lints.iter().map(|l| &*l.code).collect();
            assert_eq!(got_lints, lint_codes, "lints for {input:?}");
            assert_eq!(reply.span, Span::new(0, consumed));
        }
    }

    #[test]
    fn waits_for_the_last_line() {
        for input in [
            &b""[..],
            b"2",
            b"25",
            b"250",
            b"250-a\r\n",
            b"250-a\r\n250 b",
            b"250 OK\r",
        ] {
            assert_eq!(parse_reply(input), Ok(None), "input {input:?}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_a_reply() {
        let cases: &[(&[u8], usize)] = &[
            (b"hello\r\n", 0),
            (b"hel", 0),
            (b"650 no\r\n", 0),
            (b"25x ok\r\n", 0),
            (b"250_x\r\n", 3),
            (b"25\r\n", 0),
            (b"250-a\r\nEHLO\r\n", 7),
        ];
        for &(input, offset) in cases {
            match parse_reply(input) {
                Err(ReplyError::Malformed { offset: got, .. }) => {
                    assert_eq!(got, offset, "input {input:?}")
                }
                other => panic!("input {input:?}: expected Malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn limits_line_length_and_count() {
        let long = [b'2', b'5', b'0', b' ']
            .iter()
            .chain(std::iter::repeat(&b'x'))
            .take(MAX_REPLY_LINE)
            .copied()
            .collect::<Vec<_>>();
        assert_eq!(
            parse_reply(&long),
            Err(ReplyError::LineTooLong { offset: 0 })
        );
        let many = b"250-x\r\n".repeat(MAX_REPLY_LINES + 1);
        assert_eq!(parse_reply(&many), Err(ReplyError::TooManyLines));
        let mut wide = b"250 ".to_vec();
        wide.extend(std::iter::repeat_n(b'y', 600));
        wide.extend(b"\r\n");
        let (reply, _) = parse_reply(&wide).unwrap().unwrap();
        assert_eq!(reply.lints[0].code, "smtp.line-too-long");
    }
}
