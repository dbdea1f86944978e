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

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::enhanced::EnhancedCode;
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

    /// The enhanced status code at the start of the first line's text (RFC 2034 §3, RFC 3463),
    /// only when its class digit matches the reply class (a `550 4.1.1` carries none).
    pub fn enhanced(&self) -> Option<EnhancedStatus> {
        self.enhanced_any().filter(|e| e.code.class == self.class())
    }

    /// Like [`Reply::enhanced`] but also when the class digit disagrees with the reply code,
    /// for reporting that disagreement.
    pub fn enhanced_any(&self) -> Option<EnhancedStatus> {
        let line = self.lines.first()?;
        let bytes = line.text.as_bytes();
        let skip = bytes.iter().take_while(|&&b| b == b' ').count();
        let (code, len) = EnhancedCode::parse_prefix(bytes.get(skip..)?)?;
        // Text starts after `ddd` and the separator, when there is one.
        let start = line.span.start + 4 + skip;
        Some(EnhancedStatus {
            code,
            span: Span::new(start, start + len),
        })
    }

    /// What the reply code means (RFC 5321 §4.2).
    pub fn explain(&self) -> CodeExplanation {
        explain_code(self.code)
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

/// An enhanced status code found in a reply, with its place in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EnhancedStatus {
    /// The code.
    pub code: EnhancedCode,
    /// Where it is, in the input the reply was parsed from.
    pub span: Span,
}

/// What a reply code means: its class, its category and, for well-known codes, the specific
/// meaning, with the RFC section (RFC 5321 §4.2.1-§4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeExplanation {
    /// The code explained.
    pub code: u16,
    /// The first digit's meaning (RFC 5321 §4.2.1).
    pub class: &'static str,
    /// The second digit's meaning (RFC 5321 §4.2.1).
    pub category: &'static str,
    /// The meaning of this exact code, when it is a well-known one.
    pub specific: Option<&'static str>,
    /// The RFC section defining the code (or its class).
    pub reference: &'static str,
}

impl std::fmt::Display for CodeExplanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.specific {
            Some(s) => write!(
                f,
                "{}: {s} — {}; {} ({})",
                self.code, self.class, self.category, self.reference
            ),
            None => write!(
                f,
                "{}: {}; {} ({})",
                self.code, self.class, self.category, self.reference
            ),
        }
    }
}

/// Well-known reply codes: (code, meaning, reference).
pub const KNOWN_CODES: &[(u16, &str, &str)] = &[
    (211, "System status, or system help reply", "RFC 5321 §4.2.2"),
    (214, "Help message", "RFC 5321 §4.2.2"),
    (220, "Service ready: the server's greeting, or ready to start TLS after STARTTLS", "RFC 5321 §4.2.2"),
    (221, "Service closing transmission channel (answer to QUIT)", "RFC 5321 §4.2.2"),
    (235, "Authentication succeeded", "RFC 4954 §6"),
    (250, "Requested mail action okay, completed", "RFC 5321 §4.2.2"),
    (251, "User not local; will forward", "RFC 5321 §4.2.2"),
    (252, "Cannot VRFY user, but will accept the message and attempt delivery", "RFC 5321 §4.2.2"),
    (334, "Server challenge: continue the SASL exchange with a base64 response", "RFC 4954 §4"),
    (354, "Start mail input; end with <CRLF>.<CRLF>", "RFC 5321 §4.2.2"),
    (421, "Service not available, closing transmission channel", "RFC 5321 §4.2.2"),
    (432, "A password transition is needed", "RFC 4954 §6"),
    (450, "Requested mail action not taken: mailbox unavailable (busy or temporarily blocked)", "RFC 5321 §4.2.2"),
    (451, "Requested action aborted: local error in processing", "RFC 5321 §4.2.2"),
    (452, "Requested action not taken: insufficient system storage (or too many recipients)", "RFC 5321 §4.2.2"),
    (454, "Temporary authentication failure, or TLS not available for now", "RFC 4954 §6"),
    (455, "Server unable to accommodate parameters", "RFC 5321 §4.2.2"),
    (500, "Syntax error, command unrecognized (or command line too long)", "RFC 5321 §4.2.2"),
    (501, "Syntax error in parameters or arguments", "RFC 5321 §4.2.2"),
    (502, "Command not implemented", "RFC 5321 §4.2.2"),
    (503, "Bad sequence of commands", "RFC 5321 §4.2.2"),
    (504, "Command parameter not implemented", "RFC 5321 §4.2.2"),
    (521, "Host does not accept mail", "RFC 7504 §3"),
    (530, "Authentication required (or must issue STARTTLS first)", "RFC 4954 §6"),
    (534, "Authentication mechanism is too weak", "RFC 4954 §6"),
    (535, "Authentication credentials invalid", "RFC 4954 §6"),
    (538, "Encryption required for requested authentication mechanism", "RFC 4954 §6"),
    (550, "Requested action not taken: mailbox unavailable (not found, no access, or policy rejection)", "RFC 5321 §4.2.2"),
    (551, "User not local; please try the forward-path given", "RFC 5321 §4.2.2"),
    (552, "Requested mail action aborted: exceeded storage allocation", "RFC 5321 §4.2.2"),
    (553, "Requested action not taken: mailbox name not allowed (syntax)", "RFC 5321 §4.2.2"),
    (554, "Transaction failed (or, as a greeting, no SMTP service here)", "RFC 5321 §4.2.2"),
    (555, "MAIL FROM/RCPT TO parameters not recognized or not implemented", "RFC 5321 §4.2.2"),
    (556, "Domain does not accept mail", "RFC 7504 §3"),
];

/// Explains any reply code by class, category and, when well known, its exact meaning
/// (RFC 5321 §4.2.1-§4.2.3). Codes outside 200-599 are explained as invalid.
pub fn explain_code(code: u16) -> CodeExplanation {
    let class = match code / 100 {
        2 => "2yz positive completion: the action succeeded",
        3 => "3yz positive intermediate: the command was accepted, send the rest",
        4 => "4yz transient negative completion: not done now, the client should try again later",
        5 => "5yz permanent negative completion: not done, do not repeat the same request",
        _ => "not a valid reply class (must be 2 to 5)",
    };
    let category = match (code / 10) % 10 {
        0 => "x0z syntax: syntax errors, commands that fit no category, unimplemented commands",
        1 => "x1z information: replies to requests for information such as status or help",
        2 => "x2z connections: replies about the transmission channel",
        3 => "x3z unspecified (used by AUTH, RFC 4954)",
        4 => "x4z unspecified",
        5 => "x5z mail system: the state of the receiver's mail system for the requested transfer",
        _ => "unspecified category",
    };
    let known = KNOWN_CODES.iter().find(|(c, _, _)| *c == code);
    CodeExplanation {
        code,
        class,
        category,
        specific: known.map(|(_, s, _)| *s),
        reference: known.map_or("RFC 5321 §4.2.1", |(_, _, r)| *r),
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

impl ReplyError {
    /// What is wrong, as a message that can be translated ([`crate::i18n::message`]; what the
    /// parser expected is one of the core's explanation strings).
    pub fn message(&self) -> Message {
        match self {
            ReplyError::Malformed {
                offset,
                expected,
                found,
            } => msg!(
                "invalid reply at byte {offset}: expected {expected}, found {found}",
                offset,
                found = format_args!("{found:?}")
            )
            .text("expected", Message::new(expected)),
            ReplyError::LineTooLong { offset } => msg!(
                "reply line at byte {offset} is longer than {MAX_REPLY_LINE} bytes",
                offset,
                MAX_REPLY_LINE
            ),
            ReplyError::TooManyLines => {
                msg!(
                    "reply has more than {MAX_REPLY_LINES} lines",
                    MAX_REPLY_LINES
                )
            }
        }
    }
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
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
                msg!("reply line ends in a bare LF; servers must send CRLF"),
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
                msg!(
                    "reply line is {n} bytes; RFC 5321 allows 512",
                    n = line_end - pos
                ),
            ));
        }
        match code {
            None => code = Some(this_code),
            Some(first) if first != this_code => lints.push(lints::REPLY_INVALID.at(
                Span::new(pos, pos + 3),
                msg!("line of a {first} reply carries code {this_code}; all lines must repeat the same code", first, this_code),
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
    fn enhanced_codes_match_the_reply_class() {
        let cases: &[(&[u8], Option<&str>, Option<&str>)] = &[
            (
                b"550 5.1.1 <x@y>: no such user\r\n",
                Some("5.1.1"),
                Some("5.1.1"),
            ),
            (b"250 2.0.0 Ok: queued\r\n", Some("2.0.0"), Some("2.0.0")),
            (
                b"250-2.0.0 first\r\n250 2.0.0 second\r\n",
                Some("2.0.0"),
                Some("2.0.0"),
            ),
            (b"550 4.1.1 mismatch\r\n", None, Some("4.1.1")),
            (b"354 End data with <CR><LF>.<CR><LF>\r\n", None, None),
            (b"451  4.3.0 double space\r\n", Some("4.3.0"), Some("4.3.0")),
            (b"250 OK\r\n", None, None),
        ];
        for &(input, filtered, any) in cases {
            let (reply, _) = parse_reply(input).unwrap().unwrap();
            let got = reply.enhanced().map(|e| e.code.to_string());
            assert_eq!(got.as_deref(), filtered, "enhanced of {input:?}");
            let got_any = reply.enhanced_any();
            assert_eq!(
                got_any.map(|e| e.code.to_string()).as_deref(),
                any,
                "any of {input:?}"
            );
            if let Some(e) = got_any {
                assert_eq!(
                    e.span.slice(input),
                    e.code.to_string().as_bytes(),
                    "span of {input:?}"
                );
            }
        }
    }

    #[test]
    fn every_code_is_explained() {
        let cases: &[(u16, Option<&str>, &str)] = &[
            (220, Some("Service ready"), "x2z connections"),
            (221, Some("Service closing"), "x2z connections"),
            (235, Some("Authentication succeeded"), "x3z"),
            (250, Some("Requested mail action okay"), "x5z mail system"),
            (251, Some("User not local"), "x5z"),
            (252, Some("Cannot VRFY"), "x5z"),
            (334, Some("Server challenge"), "x3z"),
            (354, Some("Start mail input"), "x5z"),
            (421, Some("Service not available"), "x2z"),
            (450, Some("mailbox unavailable"), "x5z"),
            (451, Some("local error"), "x5z"),
            (452, Some("insufficient system storage"), "x5z"),
            (455, Some("accommodate parameters"), "x5z"),
            (500, Some("command unrecognized"), "x0z syntax"),
            (501, Some("Syntax error in parameters"), "x0z"),
            (502, Some("not implemented"), "x0z"),
            (503, Some("Bad sequence"), "x0z"),
            (504, Some("parameter not implemented"), "x0z"),
            (530, Some("Authentication required"), "x3z"),
            (534, Some("too weak"), "x3z"),
            (535, Some("credentials invalid"), "x3z"),
            (538, Some("Encryption required"), "x3z"),
            (550, Some("mailbox unavailable"), "x5z"),
            (551, Some("forward-path"), "x5z"),
            (552, Some("storage allocation"), "x5z"),
            (553, Some("mailbox name not allowed"), "x5z"),
            (554, Some("Transaction failed"), "x5z"),
            (555, Some("parameters not recognized"), "x5z"),
            (211, Some("System status"), "x1z information"),
            (214, Some("Help message"), "x1z"),
            (299, None, "unspecified category"),
            (244, None, "x4z"),
            (599, None, "unspecified category"),
            (600, None, "x0z"),
        ];
        for &(code, specific, category) in cases {
            let e = explain_code(code);
            match specific {
                Some(s) => assert!(
                    e.specific.is_some_and(|t| t.contains(s)),
                    "{code}: expected {s:?} in {:?}",
                    e.specific
                ),
                None => assert_eq!(e.specific, None, "{code}"),
            }
            assert!(
                e.category.starts_with(category),
                "{code}: category {:?}, want {category}",
                e.category
            );
            assert!(e.reference.starts_with("RFC "), "{code} cites no RFC");
            assert!(e.to_string().starts_with(&code.to_string()));
        }
        assert!(explain_code(600).class.starts_with("not a valid"));
        assert!(explain_code(421).class.starts_with("4yz"));
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
