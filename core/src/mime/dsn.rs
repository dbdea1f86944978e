//! Delivery status notifications ([RFC 3464](https://www.rfc-editor.org/rfc/rfc3464)).
//!
//! A DSN is a `multipart/report; report-type=delivery-status` ([RFC 6522](https://www.rfc-editor.org/rfc/rfc6522))
//! whose second part is `message/delivery-status` (or `message/global-delivery-status`,
//! [RFC 6533](https://www.rfc-editor.org/rfc/rfc6533)): groups of header-like fields separated
//! by empty lines, first the per-message fields, then one group per recipient (§2.1):
//!
//! ```text
//! delivery-status-content = per-message-fields 1*( CRLF per-recipient-fields )
//! ```
//!
//! [`parse_delivery_status`] reads such a body with the header parser (folding, bare LF) and
//! keeps at most [`MAX_RECIPIENTS`] groups. [`find_report`] finds the report in a parsed
//! message.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::header::{self, HeaderSection};
use crate::mime::lints;
use crate::mime::parse::Message;
use crate::span::Span;

/// Most per-recipient groups read from one report.
pub const MAX_RECIPIENTS: usize = 1000;

/// A field value of the form `type ; value`, such as `rfc822; user@example.com` or
/// `smtp; 550 5.1.1 User unknown` (RFC 3464 §2.1.2, §2.3.2, §2.3.5, §2.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedValue {
    /// The type before the `;`, lowercased (`rfc822`, `dns`, `smtp`, `x-postfix`); empty when
    /// the value had no `;`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value after the `;`, unfolded and trimmed.
    pub value: String,
}

impl TypedValue {
    /// Splits `type ; value`.
    pub fn parse(unfolded: &str) -> TypedValue {
        match unfolded.split_once(';') {
            Some((t, v)) => TypedValue {
                kind: t.trim().to_ascii_lowercase(),
                value: v.trim().to_string(),
            },
            None => TypedValue {
                kind: String::new(),
                value: unfolded.trim().to_string(),
            },
        }
    }
}

/// The fields about one recipient (RFC 3464 §2.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecipientStatus {
    /// `Final-Recipient` (required, §2.3.2).
    pub final_recipient: Option<TypedValue>,
    /// `Original-Recipient` (§2.3.1).
    pub original_recipient: Option<TypedValue>,
    /// `Action`, lowercased: failed, delayed, delivered, relayed or expanded (required, §2.3.3).
    pub action: Option<String>,
    /// `Status`, an enhanced status code such as `5.1.1` (required, §2.3.4; RFC 3463).
    pub status: Option<String>,
    /// `Remote-MTA` (§2.3.5).
    pub remote_mta: Option<TypedValue>,
    /// `Diagnostic-Code` (§2.3.6).
    pub diagnostic_code: Option<TypedValue>,
    /// `Last-Attempt-Date` (§2.3.7), as written.
    pub last_attempt_date: Option<String>,
    /// `Will-Retry-Until` (§2.3.9), as written.
    pub will_retry_until: Option<String>,
    /// The group's fields, as offsets into the parsed bytes.
    pub span: Span,
}

/// A decoded message/delivery-status body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// `Reporting-MTA` (required, §2.2.2).
    pub reporting_mta: Option<TypedValue>,
    /// `DSN-Gateway` (§2.2.3).
    pub dsn_gateway: Option<TypedValue>,
    /// `Received-From-MTA` (§2.2.4).
    pub received_from_mta: Option<TypedValue>,
    /// `Original-Envelope-Id` (§2.2.1).
    pub original_envelope_id: Option<String>,
    /// `Arrival-Date` (§2.2.5), as written.
    pub arrival_date: Option<String>,
    /// One entry per recipient group.
    pub recipients: Vec<RecipientStatus>,
    /// Findings (`mime.dsn-invalid`), spans as offsets into the parsed bytes.
    pub lints: Vec<Lint>,
}

const ACTIONS: &[&str] = &["failed", "delayed", "delivered", "relayed", "expanded"];

/// Whether `s` is `class "." subject "." detail` (RFC 3463 §2): class 2, 4 or 5, subject and
/// detail of 1–3 digits.
fn is_status_code(s: &str) -> bool {
    let mut it = s.split('.');
    let (Some(c), Some(sub), Some(det), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return false;
    };
    let digits = |x: &str| (1..=3).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit());
    matches!(c, "2" | "4" | "5") && digits(sub) && digits(det)
}

fn text(input: &[u8], h: &HeaderSection, name: &str) -> Option<String> {
    h.get(input, name)
        .map(|f| String::from_utf8_lossy(&f.unfolded(input)).into_owned())
}

/// The first token of a value, without a trailing comment.
fn first_token(v: &str) -> String {
    v.split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Parses a message/delivery-status body ([RFC 3464 §2](https://www.rfc-editor.org/rfc/rfc3464#section-2)).
/// Total; spans are offsets into `input`.
pub fn parse_delivery_status(input: &[u8]) -> DeliveryStatus {
    let mut ds = DeliveryStatus::default();
    let mut pos = 0usize;
    let mut first = true;
    while pos < input.len() {
        // Skip empty lines between groups.
        let (ce, next) = header::line_at(input, pos, input.len());
        if ce == pos {
            pos = next;
            continue;
        }
        let h = header::parse_header_section(input, pos, input.len());
        let advanced = h.body_start > pos;
        if first {
            first = false;
            let typed = |n: &str| text(input, &h, n).map(|v| TypedValue::parse(&v));
            ds.reporting_mta = typed("reporting-mta");
            ds.dsn_gateway = typed("dsn-gateway");
            ds.received_from_mta = typed("received-from-mta");
            ds.original_envelope_id = text(input, &h, "original-envelope-id");
            ds.arrival_date = text(input, &h, "arrival-date");
            if ds.reporting_mta.is_none() {
                ds.lints.push(lints::DSN_INVALID.at(
                    Span::new(h.span.start, h.span.start),
                    "the per-message group has no Reporting-MTA field",
                ));
            }
        } else if ds.recipients.len() < MAX_RECIPIENTS {
            let typed = |n: &str| text(input, &h, n).map(|v| TypedValue::parse(&v));
            let r = RecipientStatus {
                final_recipient: typed("final-recipient"),
                original_recipient: typed("original-recipient"),
                action: text(input, &h, "action").map(|v| first_token(&v).to_ascii_lowercase()),
                status: text(input, &h, "status").map(|v| first_token(&v)),
                remote_mta: typed("remote-mta"),
                diagnostic_code: typed("diagnostic-code"),
                last_attempt_date: text(input, &h, "last-attempt-date"),
                will_retry_until: text(input, &h, "will-retry-until"),
                span: h.span,
            };
            let mut problems = Vec::new();
            if r.final_recipient.is_none() {
                problems.push("no Final-Recipient".to_string());
            }
            match &r.action {
                None => problems.push("no Action".into()),
                Some(a) if !ACTIONS.contains(&a.as_str()) => {
                    problems.push(format!("Action {a:?} is not one of {}", ACTIONS.join(", ")))
                }
                Some(_) => {}
            }
            match &r.status {
                None => problems.push("no Status".into()),
                Some(s) if !is_status_code(s) => {
                    problems.push(format!("Status {s:?} is not class.subject.detail"))
                }
                Some(_) => {}
            }
            if !problems.is_empty() {
                ds.lints.push(
                    lints::DSN_INVALID
                        .at(h.span, format!("recipient group: {}", problems.join("; "))),
                );
            }
            ds.recipients.push(r);
        }
        if !advanced {
            // A line the header parser would not take: skip it.
            pos = next;
        } else {
            pos = h.body_start;
        }
    }
    if !first && ds.recipients.is_empty() {
        ds.lints.push(lints::DSN_INVALID.at(
            Span::new(input.len(), input.len()),
            "the report has no per-recipient group",
        ));
    }
    ds
}

/// A delivery status report found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Index of the multipart/report entity.
    pub report_entity: usize,
    /// Index of the message/delivery-status entity.
    pub status_entity: usize,
    /// The decoded status. Spans are offsets into the whole message when the part is not
    /// transfer-encoded, else into its decoded body.
    pub status: DeliveryStatus,
}

/// Finds the first `multipart/report; report-type=delivery-status` in `msg` and decodes its
/// `message/delivery-status` (or `message/global-delivery-status`) part.
pub fn find_report(msg: &Message<'_>) -> Option<Report> {
    msg.entities.iter().enumerate().find_map(|(i, e)| {
        if e.content_type != "multipart/report"
            || !e
                .param("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
        {
            return None;
        }
        let child = e.children.iter().copied().find(|&c| {
            msg.entity(c).is_some_and(|ce| {
                ce.content_type == "message/delivery-status"
                    || ce.content_type == "message/global-delivery-status"
            })
        })?;
        let ce = msg.entity(child)?;
        let bytes = msg.body(child);
        let mut status = parse_delivery_status(bytes);
        if ce.transfer_encoding.is_identity() {
            let base = ce.body.start;
            for r in &mut status.recipients {
                r.span = r.span.shift(base);
            }
            for l in &mut status.lints {
                l.span = l.span.shift(base);
            }
        }
        Some(Report {
            report_entity: i,
            status_entity: child,
            status,
        })
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const BODY: &str = "Reporting-MTA: dns; mx.example.net\r\n\
        Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\
        \r\n\
        Final-Recipient: rfc822; alice@example.com\r\n\
        Action: failed\r\n\
        Status: 5.1.1\r\n\
        Remote-MTA: dns; mail.example.com\r\n\
        Diagnostic-Code: smtp; 550 5.1.1 <alice@example.com>:\r\n \
        Recipient address rejected\r\n\
        \r\n\
        Final-Recipient: rfc822;bob@example.com\r\n\
        Action: delayed (will retry)\r\n\
        Status: 4.4.1\r\n";

    #[test]
    fn reads_per_message_and_per_recipient_fields() {
        for body in [BODY.to_string(), BODY.replace("\r\n", "\n")] {
            let ds = parse_delivery_status(body.as_bytes());
            assert_eq!(ds.lints, vec![], "lints");
            assert_eq!(
                ds.reporting_mta,
                Some(TypedValue {
                    kind: "dns".into(),
                    value: "mx.example.net".into()
                })
            );
            assert_eq!(ds.recipients.len(), 2);
            let a = &ds.recipients[0];
            assert_eq!(
                a.final_recipient.as_ref().unwrap().value,
                "alice@example.com"
            );
            assert_eq!(a.action.as_deref(), Some("failed"));
            assert_eq!(a.status.as_deref(), Some("5.1.1"));
            assert_eq!(a.remote_mta.as_ref().unwrap().value, "mail.example.com");
            let diag = a.diagnostic_code.as_ref().unwrap();
            assert_eq!(diag.kind, "smtp");
            assert_eq!(
                diag.value,
                "550 5.1.1 <alice@example.com>: Recipient address rejected"
            );
            let b = &ds.recipients[1];
            assert_eq!(b.action.as_deref(), Some("delayed"));
            assert_eq!(b.status.as_deref(), Some("4.4.1"));
        }
    }

    #[test]
    fn invalid_groups_are_reported() {
        let cases: &[(&str, usize)] = &[
            ("Reporting-MTA: dns; x\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n", 1),
            ("Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: bounced\r\nStatus: 5.1\r\n", 1),
            ("Reporting-MTA: dns; x\r\n", 1),
            ("Final-Recipient: rfc822; a@b\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: failed\r\nStatus: 5.0.0\r\n", 1),
            ("", 0),
        ];
        for (body, n) in cases {
            let ds = parse_delivery_status(body.as_bytes());
            assert_eq!(ds.lints.len(), *n, "lints of {body:?}: {:?}", ds.lints);
        }
    }

    #[test]
    fn status_codes() {
        for (s, ok) in [
            ("5.1.1", true),
            ("2.0.0", true),
            ("4.7.123", true),
            ("3.1.1", false),
            ("5.1", false),
            ("5.1.1.1", false),
            ("5.x.1", false),
            ("5.1111.1", false),
        ] {
            assert_eq!(is_status_code(s), ok, "{s}");
        }
    }

    #[test]
    fn garbage_is_bounded() {
        let mut g = Vec::new();
        for i in 0..(MAX_RECIPIENTS + 100) {
            g.extend_from_slice(format!("Final-Recipient: rfc822; u{i}@x\n\n").as_bytes());
        }
        g.extend_from_slice(b"\xff\xfe: \n \n:::\n\n\n");
        let ds = parse_delivery_status(&g);
        assert_eq!(ds.recipients.len(), MAX_RECIPIENTS);
    }
}
