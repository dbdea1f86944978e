//! Lines that are not SMTP at all: an HTTP request line or a header field where a command was
//! expected.
//!
//! A web page can make a browser `POST` to an SMTP port (`fetch('http://host:25/', {mode:
//! 'no-cors', body})`): the request line and the header lines are refused one by one, and the
//! body, written as SMTP commands, then runs as a session (HTTP → SMTP cross-protocol request
//! forgery). Postfix closes the session as soon as it reads such a line (`smtpd_forbidden_commands`,
//! default `CONNECT GET POST regexp:{{/^[^ ]+: /}}`, replying `221 2.7.0`), which the server
//! session does too before the client's first SMTP command.

use crate::lint::msg;

/// What a non-SMTP line looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonSmtp {
    /// An HTTP request line: `METHOD SP request-target [SP HTTP-version]`
    /// ([RFC 9112 §3](https://www.rfc-editor.org/rfc/rfc9112#section-3)).
    HttpRequest,
    /// A header field line: `field-name ":" …`
    /// ([RFC 9110 §5.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.1), RFC 5322 §2.2).
    HeaderField,
}

impl NonSmtp {
    /// A short description for messages.
    pub fn message(self) -> crate::lint::Message {
        match self {
            NonSmtp::HttpRequest => msg!("an HTTP request line"),
            NonSmtp::HeaderField => msg!("a header field line"),
        }
    }
}

/// HTTP methods ([RFC 9110 §9](https://www.rfc-editor.org/rfc/rfc9110#section-9), RFC 5789).
/// None of them is an SMTP verb.
const HTTP_METHODS: [&[u8]; 9] = [
    b"GET", b"POST", b"PUT", b"HEAD", b"OPTIONS", b"CONNECT", b"DELETE", b"PATCH", b"TRACE",
];

/// Whether `line` (with or without its CRLF) is an HTTP request line or a header field line.
///
/// A request line is an HTTP method (case-sensitive, RFC 9110 §9.1), one space and a target
/// that is a path (`/…`), an absolute URI (`…://…`), `*`, or anything followed by
/// ` HTTP/d.d`; `CONNECT` takes any authority. A header field line starts with a field name
/// (one or more `tchar`, RFC 9110 §5.6.2) directly followed by `:`. SMTP verbs are letters
/// only, and `MAIL FROM:`/`RCPT TO:` have a space before their colon, so no SMTP command
/// matches either shape.
pub fn non_smtp_line(line: &[u8]) -> Option<NonSmtp> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let verb_end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let (verb, rest) = line.split_at(verb_end);
    if let Some(colon) = verb.iter().position(|&b| b == b':') {
        let name = verb.get(..colon).unwrap_or_default();
        return (!name.is_empty() && name.iter().all(|&b| is_tchar(b)))
            .then_some(NonSmtp::HeaderField);
    }
    if !HTTP_METHODS.contains(&verb) {
        return None;
    }
    let rest = rest.strip_prefix(b" ")?;
    let target_end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    let (target, version) = rest.split_at(target_end);
    if target.is_empty() {
        return None;
    }
    let has_version = version.strip_prefix(b" ").is_some_and(is_http_version);
    let looks_like_target = target.starts_with(b"/")
        || target == b"*"
        || target.windows(3).any(|w| w == b"://")
        || verb == b"CONNECT";
    (has_version || looks_like_target).then_some(NonSmtp::HttpRequest)
}

/// `HTTP/` DIGIT `.` DIGIT, or `HTTP/` DIGIT (RFC 9112 §2.3; HTTP/2 and /3 names).
fn is_http_version(v: &[u8]) -> bool {
    match v.strip_prefix(b"HTTP/") {
        Some([major]) => major.is_ascii_digit(),
        Some([major, b'.', minor]) => major.is_ascii_digit() && minor.is_ascii_digit(),
        _ => false,
    }
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn http_and_header_lines_are_recognised() {
        let http = Some(NonSmtp::HttpRequest);
        let header = Some(NonSmtp::HeaderField);
        for (line, want) in [
            (&b"POST / HTTP/1.1\r\n"[..], http),
            (b"GET /index.html HTTP/1.0", http),
            (b"GET / HTTP/2", http),
            (b"PUT /x", http),
            (b"HEAD http://127.0.0.1:2525/ HTTP/1.1", http),
            (b"OPTIONS * HTTP/1.1", http),
            (b"CONNECT mail.example:25 HTTP/1.1", http),
            (b"DELETE /m/1 HTTP/1.1", http),
            (b"PATCH /a HTTP/1.1", http),
            (b"TRACE / HTTP/1.1", http),
            (b"GET x HTTP/1.1", http),
            (b"Host: 127.0.0.1:2525\r\n", header),
            (b"Content-Type: text/plain;charset=UTF-8", header),
            (b"sec-ch-ua-platform: \"Linux\"", header),
            (b"Connection:keep-alive", header),
            (b"Subject: hi", header),
            (b"X:", header),
            // SMTP, and lines that are neither.
            (b"EHLO client.example\r\n", None),
            (b"MAIL FROM:<a@b.example>", None),
            (b"MAIL FROM: <a@b.example>", None),
            (b"RCPT TO:<c@d.example> NOTIFY=NEVER", None),
            (b"HELP", None),
            (b"NOOP", None),
            (b"AUTH PLAIN AGFsaWNlAHg=", None),
            (b"GET", None),
            (b"GET ", None),
            (b"get / HTTP/1.1", None),
            (b"GET x", None),
            (b"GET x HTTP/x", None),
            (b": value", None),
            (b"Bad Name: value", None),
            (b"na(me: value", None),
            (b"", None),
        ] {
            assert_eq!(
                non_smtp_line(line),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
