//! Enhanced mail system status codes ([RFC 3463](https://www.rfc-editor.org/rfc/rfc3463)),
//! carried at the start of reply text when the server offers ENHANCEDSTATUSCODES
//! ([RFC 2034 §3](https://www.rfc-editor.org/rfc/rfc2034#section-3)).
//!
//! ```text
//! status-code = class "." subject "." detail      ; e.g. 5.1.1
//! class       = "2" / "4" / "5"
//! subject     = 1*3digit
//! detail      = 1*3digit
//! ```
//!
//! Meanings come from RFC 3463 §3 and the IANA "Enumerated Status Codes" registry created by
//! [RFC 5248](https://www.rfc-editor.org/rfc/rfc5248), with the RFCs that registered later
//! entries.

use serde::{Deserialize, Serialize};

/// An enhanced status code `class.subject.detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EnhancedCode {
    /// 2 success, 4 persistent transient failure, 5 permanent failure (RFC 3463 §2).
    pub class: u8,
    /// The subject (RFC 3463 §2), 0-999.
    pub subject: u16,
    /// The detail within the subject, 0-999.
    pub detail: u16,
}

/// The registered meaning of one `X.subject.detail` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusMeaning {
    /// Subject number.
    pub subject: u16,
    /// Detail number.
    pub detail: u16,
    /// The registered title, such as "Bad destination mailbox address".
    pub title: &'static str,
    /// Where it is defined, such as `RFC 3463 §3.2` (address status, X.1.Y).
    pub reference: &'static str,
}

const fn m(
    subject: u16,
    detail: u16,
    title: &'static str,
    reference: &'static str,
) -> StatusMeaning {
    StatusMeaning {
        subject,
        detail,
        title,
        reference,
    }
}

/// The registry of enumerated status codes (class-independent), RFC 3463 §3 and RFC 5248.
pub const REGISTRY: &[StatusMeaning] = &[
    m(0, 0, "Other undefined status", "RFC 3463 §3.1"),
    m(1, 0, "Other address status", "RFC 3463 §3.2"),
    m(1, 1, "Bad destination mailbox address", "RFC 3463 §3.2"),
    m(1, 2, "Bad destination system address", "RFC 3463 §3.2"),
    m(
        1,
        3,
        "Bad destination mailbox address syntax",
        "RFC 3463 §3.2",
    ),
    m(
        1,
        4,
        "Destination mailbox address ambiguous",
        "RFC 3463 §3.2",
    ),
    m(1, 5, "Destination mailbox address valid", "RFC 3463 §3.2"),
    m(
        1,
        6,
        "Mailbox has moved, no forwarding address",
        "RFC 3463 §3.2",
    ),
    m(1, 7, "Bad sender's mailbox address syntax", "RFC 3463 §3.2"),
    m(1, 8, "Bad sender's system address", "RFC 3463 §3.2"),
    m(
        1,
        9,
        "Message relayed to non-compliant mailer",
        "RFC 3886 §4.3",
    ),
    m(1, 10, "Recipient address has null MX", "RFC 7505 §4.2"),
    m(2, 0, "Other or undefined mailbox status", "RFC 3463 §3.3"),
    m(
        2,
        1,
        "Mailbox disabled, not accepting messages",
        "RFC 3463 §3.3",
    ),
    m(2, 2, "Mailbox full", "RFC 3463 §3.3"),
    m(
        2,
        3,
        "Message length exceeds administrative limit",
        "RFC 3463 §3.3",
    ),
    m(2, 4, "Mailing list expansion problem", "RFC 3463 §3.3"),
    m(
        3,
        0,
        "Other or undefined mail system status",
        "RFC 3463 §3.4",
    ),
    m(3, 1, "Mail system full", "RFC 3463 §3.4"),
    m(
        3,
        2,
        "System not accepting network messages",
        "RFC 3463 §3.4",
    ),
    m(
        3,
        3,
        "System not capable of selected features",
        "RFC 3463 §3.4",
    ),
    m(3, 4, "Message too big for system", "RFC 3463 §3.4"),
    m(3, 5, "System incorrectly configured", "RFC 3463 §3.4"),
    m(3, 6, "Requested priority was changed", "RFC 6710 §6"),
    m(
        4,
        0,
        "Other or undefined network or routing status",
        "RFC 3463 §3.5",
    ),
    m(4, 1, "No answer from host", "RFC 3463 §3.5"),
    m(4, 2, "Bad connection", "RFC 3463 §3.5"),
    m(4, 3, "Directory server failure", "RFC 3463 §3.5"),
    m(4, 4, "Unable to route", "RFC 3463 §3.5"),
    m(4, 5, "Mail system congestion", "RFC 3463 §3.5"),
    m(4, 6, "Routing loop detected", "RFC 3463 §3.5"),
    m(4, 7, "Delivery time expired", "RFC 3463 §3.5"),
    m(5, 0, "Other or undefined protocol status", "RFC 3463 §3.6"),
    m(5, 1, "Invalid command", "RFC 3463 §3.6"),
    m(5, 2, "Syntax error", "RFC 3463 §3.6"),
    m(5, 3, "Too many recipients", "RFC 3463 §3.6"),
    m(5, 4, "Invalid command arguments", "RFC 3463 §3.6"),
    m(5, 5, "Wrong protocol version", "RFC 3463 §3.6"),
    m(
        5,
        6,
        "Authentication exchange line is too long",
        "RFC 4954 §6",
    ),
    m(6, 0, "Other or undefined media error", "RFC 3463 §3.7"),
    m(6, 1, "Media not supported", "RFC 3463 §3.7"),
    m(6, 2, "Conversion required and prohibited", "RFC 3463 §3.7"),
    m(
        6,
        3,
        "Conversion required but not supported",
        "RFC 3463 §3.7",
    ),
    m(6, 4, "Conversion with loss performed", "RFC 3463 §3.7"),
    m(6, 5, "Conversion failed", "RFC 3463 §3.7"),
    m(6, 6, "Message content not available", "RFC 4468 §5"),
    m(
        6,
        7,
        "Non-ASCII addresses not permitted for that sender/recipient",
        "RFC 6531 §4",
    ),
    m(
        6,
        8,
        "UTF-8 string reply is required, but not permitted by the SMTP client",
        "RFC 6531 §4",
    ),
    m(
        6,
        9,
        "UTF-8 header message cannot be transferred to one or more recipients",
        "RFC 6531 §4",
    ),
    m(7, 0, "Other or undefined security status", "RFC 3463 §3.8"),
    m(
        7,
        1,
        "Delivery not authorized, message refused",
        "RFC 3463 §3.8",
    ),
    m(7, 2, "Mailing list expansion prohibited", "RFC 3463 §3.8"),
    m(
        7,
        3,
        "Security conversion required but not possible",
        "RFC 3463 §3.8",
    ),
    m(7, 4, "Security features not supported", "RFC 3463 §3.8"),
    m(7, 5, "Cryptographic failure", "RFC 3463 §3.8"),
    m(
        7,
        6,
        "Cryptographic algorithm not supported",
        "RFC 3463 §3.8",
    ),
    m(7, 7, "Message integrity failure", "RFC 3463 §3.8"),
    m(7, 8, "Authentication credentials invalid", "RFC 4954 §6"),
    m(7, 9, "Authentication mechanism is too weak", "RFC 4954 §6"),
    m(7, 10, "Encryption needed", "RFC 5248 §2.4"),
    m(
        7,
        11,
        "Encryption required for requested authentication mechanism",
        "RFC 4954 §6",
    ),
    m(7, 12, "A password transition is needed", "RFC 4954 §6"),
    m(7, 13, "User account disabled", "RFC 5248 §2.4"),
    m(7, 14, "Trust relationship required", "RFC 5248 §2.4"),
    m(7, 15, "Priority level is too low", "RFC 6710 §6"),
    m(
        7,
        16,
        "Message is too big for the specified priority",
        "RFC 6710 §6",
    ),
    m(7, 17, "Mailbox owner has changed", "RFC 7293 §3.3"),
    m(7, 18, "Domain owner has changed", "RFC 7293 §3.3"),
    m(7, 19, "RRVS test cannot be completed", "RFC 7293 §3.3"),
    m(7, 20, "No passing DKIM signature found", "RFC 7372 §3.1"),
    m(7, 21, "No acceptable DKIM signature found", "RFC 7372 §3.1"),
    m(
        7,
        22,
        "No valid author-matched DKIM signature found",
        "RFC 7372 §3.1",
    ),
    m(7, 23, "SPF validation failed", "RFC 7372 §3.2"),
    m(7, 24, "SPF validation error", "RFC 7372 §3.2"),
    m(7, 25, "Reverse DNS validation failed", "RFC 7372 §3.3"),
    m(
        7,
        26,
        "Multiple authentication checks failed",
        "RFC 7372 §3.4",
    ),
    m(7, 27, "Sender address has null MX", "RFC 7505 §4.1"),
    m(7, 30, "REQUIRETLS support required", "RFC 8689 §5"),
];

/// Longest enhanced code text: `5.999.999`.
pub const MAX_ENHANCED_LEN: usize = 9;

impl EnhancedCode {
    /// Reads a status code at the very start of `text` (RFC 3463 §2), followed by a space, a tab
    /// or the end. Returns the code and the number of bytes it takes.
    pub fn parse_prefix(text: &[u8]) -> Option<(EnhancedCode, usize)> {
        let class = *text.first()?;
        if !matches!(class, b'2' | b'4' | b'5') || text.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, n1) = number(text.get(2..)?)?;
        let after_subject = 2 + n1;
        if text.get(after_subject) != Some(&b'.') {
            return None;
        }
        let (detail, n2) = number(text.get(after_subject + 1..)?)?;
        let end = after_subject + 1 + n2;
        match text.get(end) {
            None | Some(b' ' | b'\t') => Some((
                EnhancedCode {
                    class: class - b'0',
                    subject,
                    detail,
                },
                end,
            )),
            _ => None,
        }
    }

    /// The registered meaning of `X.subject.detail`, if registered.
    pub fn meaning(&self) -> Option<&'static StatusMeaning> {
        REGISTRY
            .iter()
            .find(|e| e.subject == self.subject && e.detail == self.detail)
    }

    /// What the class says (RFC 3463 §2).
    pub fn class_meaning(&self) -> &'static str {
        match self.class {
            2 => "Success: the action succeeded",
            4 => "Persistent transient failure: the message as sent is valid, and a later attempt may succeed",
            _ => "Permanent failure: resending the message as it is will not succeed",
        }
    }

    /// What the subject says (RFC 3463 §2).
    pub fn subject_meaning(&self) -> &'static str {
        match self.subject {
            0 => "Other or undefined status",
            1 => "Addressing status",
            2 => "Mailbox status",
            3 => "Mail system status",
            4 => "Network and routing status",
            5 => "Mail delivery protocol status",
            6 => "Message content or media status",
            7 => "Security or policy status",
            _ => "Unregistered subject",
        }
    }

    /// One line explaining the code: class, subject and registered detail.
    pub fn explain(&self) -> String {
        match self.meaning() {
            Some(m) => format!(
                "{self}: {} ({}; {}; {})",
                m.title,
                self.class_meaning(),
                self.subject_meaning(),
                m.reference
            ),
            None => format!(
                "{self}: unregistered detail ({}; {}; RFC 3463 §3)",
                self.class_meaning(),
                self.subject_meaning()
            ),
        }
    }
}

impl std::fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// 1-3 digits without overflow; returns the value and digit count.
fn number(s: &[u8]) -> Option<(u16, usize)> {
    let n = s.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 3 {
        return None;
    }
    let v = s
        .get(..n)?
        .iter()
        .fold(0u16, |v, &d| v * 10 + u16::from(d - b'0'));
    Some((v, n))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn parses_codes_at_the_start_of_text() {
        type Case = (&'static [u8], Option<(u8, u16, u16, usize)>);
        let cases: &[Case] = &[
            (b"5.1.1 no such user", Some((5, 1, 1, 5))),
            (b"2.0.0 Ok", Some((2, 0, 0, 5))),
            (b"4.7.1\tgreylisted", Some((4, 7, 1, 5))),
            (b"5.7.8", Some((5, 7, 8, 5))),
            (b"5.999.999 x", Some((5, 999, 999, 9))),
            (b"5.7.30 need REQUIRETLS", Some((5, 7, 30, 6))),
            (b"5.1000.1 x", None),
            (b"3.0.0 x", None),
            (b"5.1 x", None),
            (b"5.1.1x", None),
            (b"5..1 x", None),
            (b"Ok 5.1.1", None),
            (b"", None),
            (b"5.", None),
        ];
        for &(text, expected) in cases {
            let got =
                EnhancedCode::parse_prefix(text).map(|(c, n)| (c.class, c.subject, c.detail, n));
            assert_eq!(got, expected, "text {:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn registered_meanings() {
        let cases: &[(&str, &str)] = &[
            ("5.1.1", "Bad destination mailbox address"),
            ("4.2.2", "Mailbox full"),
            ("4.7.1", "Delivery not authorized, message refused"),
            ("5.7.8", "Authentication credentials invalid"),
            ("5.7.0", "Other or undefined security status"),
            ("2.0.0", "Other undefined status"),
            ("5.3.4", "Message too big for system"),
            ("4.4.7", "Delivery time expired"),
            ("5.5.2", "Syntax error"),
            (
                "5.6.7",
                "Non-ASCII addresses not permitted for that sender/recipient",
            ),
            ("5.9.9", ""),
            ("5.7.26", "Multiple authentication checks failed"),
        ];
        for &(code, title) in cases {
            let (c, _) = EnhancedCode::parse_prefix(code.as_bytes())
                .unwrap_or_else(|| panic!("{code} did not parse"));
            assert_eq!(c.to_string(), code);
            assert_eq!(
                c.meaning().map(|m| m.title).unwrap_or(""),
                title,
                "meaning of {code}"
            );
            assert!(c.explain().starts_with(code), "explain {}", c.explain());
        }
    }

    #[test]
    fn registry_is_unique_and_cited() {
        let mut seen = std::collections::BTreeSet::new();
        for e in REGISTRY {
            assert!(
                seen.insert((e.subject, e.detail)),
                "duplicate X.{}.{}",
                e.subject,
                e.detail
            );
            assert!(
                e.reference.starts_with("RFC "),
                "X.{}.{} cites no RFC",
                e.subject,
                e.detail
            );
        }
        for subject in 0..=7 {
            assert!(
                REGISTRY
                    .iter()
                    .any(|e| e.subject == subject && e.detail == 0),
                "X.{subject}.0 missing"
            );
        }
    }
}
