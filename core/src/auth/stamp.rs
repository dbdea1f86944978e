//! The receiving server's own Authentication-Results field
//! ([RFC 8601 §2.2](https://www.rfc-editor.org/rfc/rfc8601#section-2.2)), written from a
//! [`Report`], and put on top of the message. Fields that already claim the same authserv-id are
//! removed first ([RFC 8601 §5](https://www.rfc-editor.org/rfc/rfc8601#section-5): a server
//! deletes fields that claim to come from inside its own boundary), so a sender cannot forge the
//! server's verdict.
//!
//! ```text
//! Authentication-Results: sandbox.mailscope.test;
//!     dkim=pass header.d=example.org header.s=sel;
//!     spf=pass smtp.mailfrom=alice@example.org;
//!     dmarc=pass header.from=example.org
//! ```

use crate::mime::header::parse_header_section;
use crate::span::Span;

use super::check::Report;
use super::{results, Verdict};

/// Longest `reason=` text written (RFC 5322's line limit is 998 octets).
const MAX_REASON: usize = 200;

/// `value` as an RFC 8601 `value`: a token when it is one, else a quoted-string.
fn value(value: &str) -> String {
    let token = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b));
    if token {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars().take(MAX_REASON) {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `pvalue`: an address or a domain as written, else a `value`.
fn pvalue(v: &str) -> String {
    let plain = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@.-_+".contains(&b));
    if plain {
        v.to_owned()
    } else {
        value(v)
    }
}

/// One resinfo: `method=result [reason="…"] props…`; the reason only where it says why a check
/// did not pass.
fn resinfo(method: &str, result: Verdict, reason: &str, props: &[(&str, Option<&str>)]) -> String {
    let mut out = format!("{method}={}", result.as_str());
    if !matches!(result, Verdict::Pass | Verdict::None) && !reason.is_empty() {
        out.push_str(&format!(" reason={}", value(reason)));
    }
    for (name, v) in props {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.push_str(&format!(" {name}={}", pvalue(v)));
        }
    }
    out
}

/// The whole field, `Authentication-Results: …` with each result on its own folded line and
/// the final CRLF.
pub fn field(authserv_id: &str, report: &Report) -> String {
    let mut parts = Vec::new();
    if report.dkim.is_empty() {
        parts.push("dkim=none".to_owned());
    }
    for d in &report.dkim {
        parts.push(resinfo(
            "dkim",
            d.result,
            &d.reason.english(),
            &[
                ("header.d", d.domain.as_deref()),
                ("header.s", d.selector.as_deref()),
            ],
        ));
    }
    if let Some(s) = &report.spf {
        let property = if s.identity == "helo" {
            "smtp.helo"
        } else {
            "smtp.mailfrom"
        };
        parts.push(resinfo(
            "spf",
            s.result,
            &s.reason.english(),
            &[(property, Some(&s.sender))],
        ));
    }
    let d = &report.dmarc;
    parts.push(resinfo(
        "dmarc",
        d.result,
        &d.reason.english(),
        &[("header.from", d.from_domain.as_deref())],
    ));
    if report.arc.result != Verdict::None {
        parts.push(resinfo(
            "arc",
            report.arc.result,
            &report.arc.reason.english(),
            &[],
        ));
    }
    format!(
        "Authentication-Results: {};\r\n\t{}\r\n",
        pvalue(authserv_id),
        parts.join(";\r\n\t")
    )
}

/// A message with the server's field on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// The new message.
    pub message: Vec<u8>,
    /// The bytes of the old message removed (fields that claimed the server's authserv-id).
    pub removed: Vec<Span>,
    /// Octets added on top.
    pub added: usize,
}

impl Stamped {
    /// Where `offset` of the old message is in the new one (`None`: it was removed).
    pub fn map(&self, offset: usize) -> Option<usize> {
        let mut gone = 0;
        for r in &self.removed {
            if (r.start..r.end).contains(&offset) {
                return None;
            }
            if r.end <= offset {
                gone += r.len();
            }
        }
        Some(offset - gone + self.added)
    }

    /// `span` of the old message in the new one (`None`: it touched removed bytes).
    pub fn map_span(&self, span: Span) -> Option<Span> {
        let start = self.map(span.start)?;
        let untouched = self
            .removed
            .iter()
            .all(|r| r.end <= span.start || r.start >= span.end);
        untouched.then_some(Span::new(start, start + span.len()))
    }
}

/// `message` with `authserv_id`'s field from `report` on top and every field that already
/// claimed that authserv-id removed.
pub fn stamp(message: &[u8], authserv_id: &str, report: &Report) -> Stamped {
    let headers = parse_header_section(message, 0, message.len());
    let removed: Vec<Span> = headers
        .fields
        .iter()
        .filter(|f| f.is(message, "Authentication-Results"))
        .filter(|f| {
            results::parse(f.raw_value(message), f.value.start)
                .is_ok_and(|r| r.authserv_id.eq_ignore_ascii_case(authserv_id))
        })
        .map(|f| f.span)
        .collect();
    let top = field(authserv_id, report);
    let mut out = Vec::with_capacity(top.len() + message.len());
    out.extend_from_slice(top.as_bytes());
    let mut at = 0;
    for r in &removed {
        out.extend_from_slice(message.get(at..r.start).unwrap_or_default());
        at = r.end;
    }
    out.extend_from_slice(message.get(at..).unwrap_or_default());
    Stamped {
        message: out,
        removed,
        added: top.len(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::auth::dkim::sign::{sign, SignOptions, SigningKey};
    use crate::auth::zone::Zone;
    use crate::auth::{Check, Envelope};

    const ID: &str = "sandbox.mailscope.test";

    fn check(message: &[u8], zone: &Zone) -> Report {
        let env = Envelope {
            ip: Some("192.0.2.1".parse().unwrap()),
            helo: Some("mail.example.org".into()),
            mail_from: Some("alice@example.org".into()),
        };
        Check::new(message, env, 0).run(|q| zone.answer(q))
    }

    /// The field says what the checks found, in words the core's own reader of
    /// Authentication-Results takes back and agrees with; a forged field claiming the same
    /// authserv-id goes, another server's stays.
    #[test]
    fn the_field_reads_back_as_the_same_verdicts_and_forgeries_are_removed() {
        let key =
            SigningKey::from_pem(include_str!("../../tests/fixtures/auth/ed25519.pem")).unwrap();
        let body = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nHello.\r\n";
        let signature = sign(
            body.as_bytes(),
            &key,
            &SignOptions::new("example.org", "sel"),
        )
        .unwrap();
        let forged = format!("Authentication-Results: {ID}; dkim=pass header.d=bank.test\r\n");
        let other =
            "Authentication-Results: mx.other.test; spf=fail smtp.mailfrom=x@other.test\r\n";
        let message = [
            forged.as_bytes(),
            other.as_bytes(),
            &signature,
            body.as_bytes(),
        ]
        .concat();
        let zone = Zone::parse(&format!(
            "sel._domainkey.example.org. TXT \"{}\"\nexample.org. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n_dmarc.example.org. TXT \"v=DMARC1; p=reject\"\n",
            key.key_record()
        ))
        .unwrap();
        let report = check(&message, &zone);
        let stamped = stamp(&message, ID, &report);
        let text = String::from_utf8(stamped.message.clone()).unwrap();
        assert!(
            text.starts_with(&format!(
                "Authentication-Results: {ID};\r\n\tdkim=pass header.d=example.org header.s=sel;\r\n\tspf=pass smtp.mailfrom=alice@example.org;\r\n\tdmarc=pass header.from=example.org\r\n"
            )),
            "{text}"
        );
        assert!(!text.contains("bank.test"), "the forged field is gone");
        assert!(text.contains(other), "another server's field stays");
        assert_eq!(stamped.removed, [Span::new(0, forged.len())]);

        let again = check(&stamped.message, &zone);
        assert_eq!(
            again.dkim[0].result,
            Verdict::Pass,
            "the field is not signed"
        );
        let ours = &again.authentication_results[0];
        assert_eq!(ours.parsed.as_ref().unwrap().authserv_id, ID);
        let agree: Vec<(&str, Option<bool>)> = ours
            .comparisons
            .iter()
            .map(|c| (c.method.as_str(), c.agrees))
            .collect();
        assert_eq!(
            agree,
            [
                ("dkim", Some(true)),
                ("spf", Some(true)),
                ("dmarc", Some(true))
            ]
        );

        // Offsets of the old message in the new one.
        let body_at = message.len() - body.len();
        let moved = stamped.map(body_at).unwrap();
        assert_eq!(&stamped.message[moved..], body.as_bytes());
        assert_eq!(stamped.map(3), None, "inside the removed field");
        assert_eq!(
            stamped.map_span(Span::new(body_at, body_at + 4)),
            Some(Span::new(moved, moved + 4))
        );
    }

    #[test]
    fn failures_say_why_in_a_quoted_reason() {
        let message = b"From: a@example.org\r\nSubject: s\r\n\r\nx\r\n";
        let zone = Zone::parse("example.org. TXT \"v=spf1 -all\"\n").unwrap();
        let field = field(ID, &check(message, &zone));
        assert!(field.contains("\tdkim=none;"), "{field}");
        assert!(field.contains("\tspf=fail reason=\""), "{field}");
        let parsed = results::parse(
            field
                .strip_prefix("Authentication-Results:")
                .unwrap()
                .as_bytes(),
            0,
        )
        .unwrap();
        let methods: Vec<(&str, &str)> = parsed
            .results
            .iter()
            .map(|r| (r.method.as_str(), r.result.as_str()))
            .collect();
        assert_eq!(
            methods,
            [("dkim", "none"), ("spf", "fail"), ("dmarc", "none")]
        );
        assert!(parsed.results[1]
            .reason
            .as_deref()
            .is_some_and(|r| !r.is_empty()));
    }
}
