//! What the SMTP sessions report to people, in a [`Lang`]: client session errors
//! ([`ClientError`]), the server session's protocol violations ([`ServerEvent::Violation`])
//! and why an AUTH exchange failed ([`AuthFailure`]).
//!
//! Each text is an English template with `{name}` holes (the `Display` text with the values
//! taken out); the template is translated with the core's table and the values (counts, codes,
//! the parser's message) are put back unchanged. A hole is filled once, so a value that looks
//! like a hole stays as it is.
//!
//! [`ServerEvent::Violation`]: crate::smtp::session::ServerEvent::Violation

use super::{fill_strings as fill, text, Lang};
use crate::smtp::auth::AuthFailure;
use crate::smtp::session::ClientError;

/// The English template of a client error and its values: its `Display` text with holes.
fn client_error_template(e: &ClientError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        ClientError::BytesAfterStartTls { count } => (
            "{count} byte(s) arrived after the 220 reply to STARTTLS and before the TLS handshake (RFC 3207 §4.2); closing",
            vec![("count", count.to_string())],
        ),
        ClientError::BadReply { message } => (
            "server sent something that is not a reply: {message}",
            vec![("message", message.clone())],
        ),
        ClientError::UnexpectedReply { code } => (
            "reply {code} arrived with no command waiting for one",
            vec![("code", code.to_string())],
        ),
        ClientError::Timeout { waiting_for } => (
            "no reply to {waiting_for} within the RFC 5321 §4.5.3.2 timeout",
            vec![("waiting_for", waiting_for.clone())],
        ),
        ClientError::TlsUnavailable => (
            "STARTTLS is required but the server does not offer or refused it",
            Vec::new(),
        ),
        ClientError::GreetingRefused { code } => (
            "the server greeted with {code} instead of 220",
            vec![("code", code.to_string())],
        ),
        ClientError::Build { message } => (
            "cannot build command: {message}",
            vec![("message", message.clone())],
        ),
        ClientError::PipeliningNotOffered => (
            "command sent before the previous reply, but the server did not offer PIPELINING (RFC 5321 §4.3.1)",
            Vec::new(),
        ),
        ClientError::SizeExceeded { size, limit } => (
            "message of {size} bytes exceeds the server's SIZE limit of {limit} (RFC 1870)",
            vec![("size", size.to_string()), ("limit", limit.to_string())],
        ),
    }
}

/// A client session error in `lang`; in English exactly its `Display` text. Values (codes,
/// counts, the command waited for, the parser's message) are kept as they are.
pub fn client_error(lang: Lang, e: &ClientError) -> String {
    let (template, args) = client_error_template(e);
    fill(text(lang, template), &args)
}

/// The protocol violations the server session reports, as English templates whose only hole
/// is the leading `{count}` (RFC 3207 §4.2: bytes after STARTTLS).
const VIOLATIONS: [&str; 2] = [
    "{count} cleartext byte(s) arrived after the 220 reply to STARTTLS and before the TLS handshake; discarded",
    "{count} byte(s) were pipelined after STARTTLS; discarded, TLS not started",
];

/// The message of a server session `Violation` event in `lang`. A message that is not one of
/// the server's known violations comes back unchanged.
pub fn violation(lang: Lang, message: &str) -> String {
    let digits = message.bytes().take_while(u8::is_ascii_digit).count();
    let (count, rest) = message.split_at(digits);
    if digits > 0 {
        for template in VIOLATIONS {
            if template.strip_prefix("{count}") == Some(rest) {
                return fill(text(lang, template), &[("count", count.to_string())]);
            }
        }
    }
    message.to_owned()
}

/// Why an AUTH exchange failed (RFC 4954 §6), for people; the reply the server sent is
/// [`AuthFailure`]'s `Display`.
pub fn auth_failure(lang: Lang, failure: AuthFailure) -> &'static str {
    let english = auth_failure_english(failure);
    super::known(lang, english).unwrap_or(english)
}

fn auth_failure_english(failure: AuthFailure) -> &'static str {
    match failure {
        AuthFailure::Cancelled => "the client cancelled the exchange with *",
        AuthFailure::Malformed => {
            "a response was not base64, or not in the form the mechanism needs"
        }
        AuthFailure::BadCredentials => "wrong user name or password",
        AuthFailure::UnsupportedMechanism => "the server does not offer this mechanism",
        AuthFailure::LineTooLong => "a response line was longer than the server accepts",
    }
}

/// Every English template of this module, for the completeness tests.
#[cfg(test)]
pub(super) fn templates() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = sample_errors()
        .iter()
        .map(|e| client_error_template(e).0)
        .collect();
    out.extend(VIOLATIONS);
    out.extend(ALL_AUTH_FAILURES.map(auth_failure_english));
    out
}

#[cfg(test)]
const ALL_AUTH_FAILURES: [AuthFailure; 5] = [
    AuthFailure::Cancelled,
    AuthFailure::Malformed,
    AuthFailure::BadCredentials,
    AuthFailure::UnsupportedMechanism,
    AuthFailure::LineTooLong,
];

/// One error of every kind, with values that look like holes and markup.
#[cfg(test)]
fn sample_errors() -> Vec<ClientError> {
    vec![
        ClientError::BytesAfterStartTls { count: 7 },
        ClientError::BadReply {
            message: "{code} not a <reply>".into(),
        },
        ClientError::UnexpectedReply { code: 250 },
        ClientError::Timeout {
            waiting_for: "DATA".into(),
        },
        ClientError::TlsUnavailable,
        ClientError::GreetingRefused { code: 554 },
        ClientError::Build {
            message: "bad address".into(),
        },
        ClientError::PipeliningNotOffered,
        ClientError::SizeExceeded {
            size: 2000,
            limit: 1000,
        },
    ]
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::smtp::session::{ServerConfig, ServerEvent, ServerSession};

    fn has_hangul(s: &str) -> bool {
        s.chars().any(|c| ('가'..='힣').contains(&c))
    }

    #[test]
    fn client_errors_read_like_their_display_in_english_and_keep_values_in_korean() {
        crate::i18n::ready_for_tests(Lang::Ko);
        for e in sample_errors() {
            let en = client_error(Lang::En, &e);
            assert_eq!(en, e.to_string(), "English template vs Display of {e:?}");
            let ko = client_error(Lang::Ko, &e);
            assert!(has_hangul(&ko), "{e:?}: no Korean in {ko:?}");
            for (_, value) in client_error_template(&e).1 {
                assert!(ko.contains(&value), "{e:?}: value {value:?} lost in {ko:?}");
            }
        }
    }

    /// The server session's real violation messages, from a session driven into them.
    fn real_violations() -> Vec<String> {
        let config = ServerConfig {
            starttls: true,
            ..ServerConfig::default()
        };
        let mut out = Vec::new();
        for inputs in [
            &[&b"EHLO c.example\r\nSTARTTLS\r\nNOOP\r\n"[..]][..],
            &[&b"EHLO c.example\r\n"[..], b"STARTTLS\r\n", b"NOOP\r\n"][..],
        ] {
            let mut s = ServerSession::new(config.clone());
            s.handle_time(0);
            for input in inputs {
                s.handle_input(input);
                while s.poll_output().is_some() {}
            }
            while let Some(e) = s.poll_event() {
                if let ServerEvent::Violation { message } = e {
                    out.push(message);
                }
            }
        }
        out
    }

    #[test]
    fn server_violations_are_translated() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let messages = real_violations();
        assert_eq!(messages.len(), 2, "one violation per script: {messages:?}");
        for m in &messages {
            assert_eq!(violation(Lang::En, m), *m);
            let ko = violation(Lang::Ko, m);
            assert!(has_hangul(&ko), "no Korean for the server's {m:?}: {ko:?}");
            let count: String = m.chars().take_while(char::is_ascii_digit).collect();
            assert!(!count.is_empty() && ko.contains(&count), "{m:?} → {ko:?}");
        }
        for other in [
            "",
            "7",
            "byte(s) were pipelined after STARTTLS; discarded, TLS not started",
            "7 unknown violation",
            "99999999999999999999999 byte(s) were pipelined after STARTTLS; discarded, TLS not started x",
        ] {
            assert_eq!(violation(Lang::Ko, other), other, "unknown text unchanged");
        }
    }

    #[test]
    fn auth_failures_have_korean() {
        crate::i18n::ready_for_tests(Lang::Ko);
        for f in ALL_AUTH_FAILURES {
            assert_eq!(auth_failure(Lang::En, f), auth_failure_english(f));
            assert!(has_hangul(auth_failure(Lang::Ko, f)), "{f:?}");
        }
    }

    #[test]
    fn holes_are_filled_once() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let cases = [
            ("{a} and {b}", vec![("a", "{b}"), ("b", "2")], "{b} and 2"),
            ("{a", vec![("a", "1")], "{a"),
            ("{x} {a}}", vec![("a", "1")], "{x} 1}"),
            ("", vec![], ""),
            ("한{a}글", vec![("a", "—")], "한—글"),
        ];
        for (template, args, want) in cases {
            let args: Vec<(&str, String)> =
                args.into_iter().map(|(n, v)| (n, v.to_string())).collect();
            assert_eq!(fill(template, &args), want, "{template:?}");
        }
        let mut rng = crate::testutil::XorShift::new(11);
        for _ in 0..300 {
            let len = rng.below(40);
            let bytes = rng.bytes(len, b"{}ab 12", true);
            let s = String::from_utf8_lossy(&bytes);
            let _ = fill(&s, &[("a", "x".into())]);
            let _ = violation(Lang::Ko, &s);
        }
    }
}
