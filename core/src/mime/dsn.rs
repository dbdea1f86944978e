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
//! message. [`DsnBuilder`] writes one (a bounce, as a mail server sends it), using the
//! [`MessageBuilder`] for the header fields and the explanation part.

use crate::lint::msg;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::build::{BuildError, MessageBuilder, NameAddr};
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
                    msg!("the per-message group has no Reporting-MTA field"),
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
                ds.lints.push(lints::DSN_INVALID.at(
                    h.span,
                    msg!(
                        "recipient group: {problems}",
                        problems = problems.join("; ")
                    ),
                ));
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
            msg!("the report has no per-recipient group"),
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

/// Most bytes of the original header section returned in a built DSN; longer sections are cut
/// at a line boundary (Postfix `bounce_size_limit` is 50000).
pub const MAX_RETURNED_HEADERS: usize = 50_000;

/// Longest delivery-status field line the builder writes before folding (RFC 5322 §2.1.1).
const DS_FOLD_AT: usize = 78;

/// One recipient of a DSN being built (the per-recipient fields of RFC 3464 §2.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DsnRecipient {
    /// The recipient address, written as `Final-Recipient: rfc822; …` (or `utf-8; …` when it
    /// is not ASCII, RFC 6533 §3).
    pub final_recipient: String,
    /// The ORCPT value as given in RCPT (`rfc822;…`), written as `Original-Recipient` (§2.3.1).
    pub original_recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded` (§2.3.3).
    pub action: String,
    /// Enhanced status code such as `5.1.1` (§2.3.4, RFC 3463).
    pub status: String,
    /// The SMTP reply that decided it, written as `Diagnostic-Code: smtp; …` (§2.3.6).
    pub diagnostic: Option<String>,
    /// The MTA that gave the reply, written as `Remote-MTA: dns; …` (§2.3.5).
    pub remote_mta: Option<String>,
    /// `Last-Attempt-Date` (§2.3.7), an RFC 5322 date-time from the caller.
    pub last_attempt_date: Option<String>,
}

/// Structured input for a delivery status notification: a `multipart/report;
/// report-type=delivery-status` (RFC 6522) with three parts, as RFC 3464 §2 lays out:
///
/// ```text
/// multipart/report; report-type=delivery-status
/// ├ text/plain                 explanation for people
/// ├ message/delivery-status    per-message fields, then one group per recipient
/// └ text/rfc822-headers        the header section of the original message
/// ```
///
/// When a field value is not ASCII the report uses `message/global-delivery-status` and
/// `message/global-headers` (RFC 6533). Clock, names and boundary seed come from the caller.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DsnBuilder {
    /// The message's From, usually `MAILER-DAEMON@host`.
    pub from: NameAddr,
    /// Whom the report goes to: the original envelope sender.
    pub to: NameAddr,
    /// The subject, e.g. `Undelivered Mail Returned to Sender`.
    pub subject: String,
    /// The Date field body (RFC 5322 date-time).
    pub date: String,
    /// The Message-ID, with or without `<>`.
    pub message_id: String,
    /// The text/plain explanation.
    pub explanation: String,
    /// `Reporting-MTA: dns; …` (required, §2.2.2).
    pub reporting_mta: String,
    /// The ENVID of the original MAIL command (§2.2.1).
    pub original_envelope_id: Option<String>,
    /// `Arrival-Date` (§2.2.5), an RFC 5322 date-time.
    pub arrival_date: Option<String>,
    /// One group per recipient; at least one.
    pub recipients: Vec<DsnRecipient>,
    /// The original message (or only its header section); its header section is returned.
    pub original: Vec<u8>,
}

/// Why a DSN could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DsnBuildError {
    /// The message header or explanation was refused by the [`MessageBuilder`].
    Message(BuildError),
    /// A delivery-status field value contains CR, LF or NUL.
    FieldInjection {
        /// Which input (`recipients[0].diagnostic`, `reporting_mta`, …).
        field: String,
        /// The offending character.
        found: char,
    },
    /// The Action is not one of RFC 3464 §2.3.3's five.
    InvalidAction {
        /// Which recipient.
        index: usize,
        /// The value given.
        value: String,
    },
    /// The Status is not `class.subject.detail` (RFC 3463 §2).
    InvalidStatus {
        /// Which recipient.
        index: usize,
        /// The value given.
        value: String,
    },
    /// No recipient group: RFC 3464 §2.1 requires at least one.
    NoRecipients,
}

impl fmt::Display for DsnBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DsnBuildError::Message(e) => write!(f, "{e}"),
            DsnBuildError::FieldInjection { field, found } => write!(
                f,
                "{field} contains {found:?}; CR, LF and NUL are not allowed in delivery-status fields"
            ),
            DsnBuildError::InvalidAction { index, value } => write!(
                f,
                "recipients[{index}].action {value:?} is not one of {} (RFC 3464 §2.3.3)",
                ACTIONS.join(", ")
            ),
            DsnBuildError::InvalidStatus { index, value } => write!(
                f,
                "recipients[{index}].status {value:?} is not class.subject.detail, e.g. 5.1.1 (RFC 3463 §2)"
            ),
            DsnBuildError::NoRecipients => {
                write!(f, "a DSN needs at least one recipient group (RFC 3464 §2.1)")
            }
        }
    }
}

impl std::error::Error for DsnBuildError {}

impl From<BuildError> for DsnBuildError {
    fn from(e: BuildError) -> Self {
        DsnBuildError::Message(e)
    }
}

fn check_field(field: &str, value: &str) -> Result<(), DsnBuildError> {
    match value.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
        Some(found) => Err(DsnBuildError::FieldInjection {
            field: field.to_string(),
            found,
        }),
        None => Ok(()),
    }
}

/// Writes `Name: value` CRLF, folded at spaces to stay near [`DS_FOLD_AT`] columns.
fn push_field(out: &mut String, name: &str, value: &str) {
    let mut col = name.len() + 1;
    out.push_str(name);
    out.push(':');
    for word in value.split(' ').filter(|w| !w.is_empty()) {
        if col > name.len() + 1 && col + 1 + word.len() > DS_FOLD_AT {
            out.push_str("\r\n");
            col = 0;
        }
        out.push(' ');
        out.push_str(word);
        col += 1 + word.len();
    }
    out.push_str("\r\n");
}

/// The header section of `original` with CRLF line ends, cut at [`MAX_RETURNED_HEADERS`].
fn returned_headers(original: &[u8]) -> Vec<u8> {
    let h = header::parse_header_section(original, 0, original.len());
    let section = original.get(..h.span.end).unwrap_or(original);
    let mut out = Vec::with_capacity(section.len().min(MAX_RETURNED_HEADERS) + 2);
    for line in section.split_inclusive(|&b| b == b'\n') {
        let body = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        if out.len() + body.len() + 2 > MAX_RETURNED_HEADERS {
            break;
        }
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// splitmix64, for boundaries that follow from the caller's seed.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl DsnBuilder {
    /// The message/delivery-status body (RFC 3464 §2.1): per-message fields, then one group per
    /// recipient, each group ended by an empty line.
    pub fn delivery_status(&self) -> Result<String, DsnBuildError> {
        if self.recipients.is_empty() {
            return Err(DsnBuildError::NoRecipients);
        }
        let mut out = String::new();
        check_field("reporting_mta", &self.reporting_mta)?;
        push_field(
            &mut out,
            "Reporting-MTA",
            &format!("dns; {}", self.reporting_mta),
        );
        if let Some(v) = &self.original_envelope_id {
            check_field("original_envelope_id", v)?;
            push_field(&mut out, "Original-Envelope-Id", v);
        }
        if let Some(v) = &self.arrival_date {
            check_field("arrival_date", v)?;
            push_field(&mut out, "Arrival-Date", v);
        }
        for (i, r) in self.recipients.iter().enumerate() {
            out.push_str("\r\n");
            let field = |name: &str| format!("recipients[{i}].{name}");
            check_field(&field("final_recipient"), &r.final_recipient)?;
            let kind = if r.final_recipient.is_ascii() {
                "rfc822"
            } else {
                "utf-8"
            };
            if let Some(v) = &r.original_recipient {
                check_field(&field("original_recipient"), v)?;
                push_field(&mut out, "Original-Recipient", v);
            }
            push_field(
                &mut out,
                "Final-Recipient",
                &format!("{kind}; {}", r.final_recipient),
            );
            let action = r.action.to_ascii_lowercase();
            if !ACTIONS.contains(&action.as_str()) {
                return Err(DsnBuildError::InvalidAction {
                    index: i,
                    value: r.action.clone(),
                });
            }
            push_field(&mut out, "Action", &action);
            if !is_status_code(&r.status) {
                return Err(DsnBuildError::InvalidStatus {
                    index: i,
                    value: r.status.clone(),
                });
            }
            push_field(&mut out, "Status", &r.status);
            if let Some(v) = &r.remote_mta {
                check_field(&field("remote_mta"), v)?;
                push_field(&mut out, "Remote-MTA", &format!("dns; {v}"));
            }
            if let Some(v) = &r.diagnostic {
                check_field(&field("diagnostic"), v)?;
                push_field(&mut out, "Diagnostic-Code", &format!("smtp; {v}"));
            }
            if let Some(v) = &r.last_attempt_date {
                check_field(&field("last_attempt_date"), v)?;
                push_field(&mut out, "Last-Attempt-Date", v);
            }
        }
        Ok(out)
    }

    /// Builds the report. The header fields (From, To, Subject, Date, Message-ID, encoded-words,
    /// folding, injection checks) and the explanation part come from the [`MessageBuilder`];
    /// the boundary follows from `boundary_seed` and never occurs in the returned headers.
    pub fn build(&self, boundary_seed: u64) -> Result<Vec<u8>, DsnBuildError> {
        let status = self.delivery_status()?;
        let message = MessageBuilder {
            from: vec![self.from.clone()],
            to: vec![self.to.clone()],
            subject: Some(self.subject.clone()),
            date: self.date.clone(),
            message_id: self.message_id.clone(),
            text: Some(self.explanation.clone()),
            headers: vec![("Auto-Submitted".into(), "auto-replied".into())],
            ..MessageBuilder::default()
        }
        .build(boundary_seed)?;
        // The builder writes the message fields, then the text part's Content-Type (a name
        // callers cannot add, so the first line starting with it), the rest of that entity's
        // fields, an empty line and the text body.
        let mut at = 0usize;
        let mut split = None;
        for line in message.split_inclusive(|&b| b == b'\n') {
            if line == b"\r\n" {
                break;
            }
            if line
                .get(..13)
                .is_some_and(|n| n.eq_ignore_ascii_case(b"content-type:"))
            {
                split = Some(at);
                break;
            }
            at += line.len();
        }
        let split = split.unwrap_or(at);
        let (head, text_part) = message.split_at(split.min(message.len()));
        let headers = returned_headers(&self.original);
        let global = !status.is_ascii() || !headers.is_ascii();
        let (status_type, headers_type) = if global {
            ("message/global-delivery-status", "message/global-headers")
        } else {
            ("message/delivery-status", "text/rfc822-headers")
        };
        let mut counter = 0u64;
        let boundary = loop {
            counter += 1;
            let b = format!(
                "=_mailscope_report_{:016x}_{counter}",
                mix(boundary_seed ^ mix(counter))
            );
            let needle = format!("--{b}");
            let clash = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
            if !clash(&headers) && !clash(status.as_bytes()) && !clash(text_part) {
                break b;
            }
        };
        let mut out = head.to_vec();
        out.extend_from_slice(
            format!(
                "Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"{boundary}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(b"This is a MIME-encapsulated delivery status notification.\r\n");
        let mut part = |headers: &[u8], body: &[u8]| {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            out.extend_from_slice(headers);
            out.extend_from_slice(body);
            // The CRLF before a delimiter belongs to it (RFC 2046 §5.1.1): keep the body's own.
            out.extend_from_slice(b"\r\n");
        };
        part(b"", text_part);
        let ds_head = format!("Content-Type: {status_type}\r\n\r\n");
        part(ds_head.as_bytes(), status.as_bytes());
        let h_head = format!("Content-Type: {headers_type}\r\n\r\n");
        part(h_head.as_bytes(), &headers);
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok(out)
    }
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

    const ORIGINAL: &[u8] = b"From: Alice <alice@example.org>\r\n\
        To: bounce@sandbox.test\r\n\
        Subject: hello\r\n\
        Message-ID: <orig@example.org>\r\n\
        \r\n\
        body that is not returned\r\n";

    fn sample() -> DsnBuilder {
        DsnBuilder {
            from: NameAddr::new("Mail Delivery System", "MAILER-DAEMON@sandbox.mailscope.test"),
            to: NameAddr::bare("alice@example.org"),
            subject: "Undelivered Mail Returned to Sender".into(),
            date: "Sun, 22 Nov 2026 21:00:00 +0000".into(),
            message_id: "<dsn.1@sandbox.mailscope.test>".into(),
            explanation: "Your message could not be delivered to bounce@sandbox.test.\n".into(),
            reporting_mta: "sandbox.mailscope.test".into(),
            original_envelope_id: Some("env-1".into()),
            arrival_date: Some("Sun, 22 Nov 2026 20:59:59 +0000".into()),
            recipients: vec![DsnRecipient {
                final_recipient: "bounce@sandbox.test".into(),
                original_recipient: Some("rfc822;bounce@sandbox.test".into()),
                action: "failed".into(),
                status: "5.1.1".into(),
                diagnostic: Some(
                    "550 5.1.1 <bounce@sandbox.test>: Recipient address rejected: this sandbox address always bounces (a generated DSN for lessons)"
                        .into(),
                ),
                remote_mta: Some("sandbox.mailscope.test".into()),
                last_attempt_date: None,
            }],
            original: ORIGINAL.to_vec(),
        }
    }

    #[test]
    fn built_dsn_round_trips_through_the_parser() {
        let bytes = sample().build(7).expect("builds");
        let msg = crate::mime::parse::parse_message(&bytes);
        let root = msg.root().expect("root entity");
        assert_eq!(root.content_type, "multipart/report", "root type");
        assert_eq!(root.param("report-type"), Some("delivery-status"));
        let kinds: Vec<&str> = root
            .children
            .iter()
            .filter_map(|&c| msg.entity(c))
            .map(|e| e.content_type.as_str())
            .collect();
        assert_eq!(
            kinds,
            vec![
                "text/plain",
                "message/delivery-status",
                "text/rfc822-headers"
            ],
            "parts"
        );
        let report = find_report(&msg).expect("the parser finds the report");
        assert_eq!(report.status.lints, vec![], "no findings in our own report");
        let st = &report.status;
        assert_eq!(
            st.reporting_mta
                .as_ref()
                .map(|t| (t.kind.as_str(), t.value.as_str())),
            Some(("dns", "sandbox.mailscope.test"))
        );
        assert_eq!(st.original_envelope_id.as_deref(), Some("env-1"));
        assert_eq!(st.recipients.len(), 1, "groups");
        let r = &st.recipients[0];
        assert_eq!(r.action.as_deref(), Some("failed"));
        assert_eq!(r.status.as_deref(), Some("5.1.1"));
        assert_eq!(
            r.final_recipient
                .as_ref()
                .map(|t| (t.kind.as_str(), t.value.as_str())),
            Some(("rfc822", "bounce@sandbox.test"))
        );
        let diag = r.diagnostic_code.as_ref().expect("diagnostic");
        assert_eq!(diag.kind, "smtp");
        assert_eq!(
            diag.value,
            sample().recipients[0].diagnostic.clone().unwrap(),
            "folded Diagnostic-Code unfolds to the input"
        );
        let headers_part = root.children[2];
        let returned = msg.body(headers_part);
        assert!(
            returned.starts_with(b"From: Alice <alice@example.org>\r\n"),
            "{:?}",
            String::from_utf8_lossy(returned)
        );
        assert!(
            !returned.windows(8).any(|w| w == b"not retu"),
            "the body is not returned"
        );
        let text = msg.text(root.children[0]).unwrap_or_default();
        assert!(text.contains("could not be delivered"), "{text:?}");
        let head = msg.header().expect("header");
        for name in [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "auto-submitted",
        ] {
            assert!(head.get(&bytes, name).is_some(), "missing {name}");
        }
        for line in bytes.split(|&b| b == b'\n') {
            assert!(line.len() <= 999, "line of {} bytes", line.len());
        }
    }

    #[test]
    fn boundary_avoids_the_returned_headers() {
        let seed = 3u64;
        let first = format!("=_mailscope_report_{:016x}_1", mix(seed ^ mix(1)));
        let mut b = sample();
        b.original = format!("X-Trap: --{first}\r\nSubject: x\r\n\r\n").into_bytes();
        let bytes = b.build(seed).expect("builds");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&format!("boundary=\"{first}\"")), "{text}");
        let msg = crate::mime::parse::parse_message(&bytes);
        assert_eq!(msg.root().map(|r| r.children.len()), Some(3), "{text}");
    }

    #[test]
    fn non_ascii_uses_the_global_types() {
        let mut b = sample();
        b.recipients[0].final_recipient = "jörg@sandbox.test".into();
        let bytes = b.build(1).expect("builds");
        let msg = crate::mime::parse::parse_message(&bytes);
        let report = find_report(&msg).expect("global report found");
        let r = &report.status.recipients[0];
        assert_eq!(
            r.final_recipient
                .as_ref()
                .map(|t| (t.kind.as_str(), t.value.as_str())),
            Some(("utf-8", "jörg@sandbox.test"))
        );
        let root = msg.root().unwrap();
        assert_eq!(
            msg.entity(root.children[2])
                .map(|e| e.content_type.as_str()),
            Some("message/global-headers")
        );
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let cases: Vec<(Box<dyn Fn(&mut DsnBuilder)>, DsnBuildError)> = vec![
            (
                Box::new(|b| b.recipients.clear()),
                DsnBuildError::NoRecipients,
            ),
            (
                Box::new(|b| b.recipients[0].status = "5.1".into()),
                DsnBuildError::InvalidStatus {
                    index: 0,
                    value: "5.1".into(),
                },
            ),
            (
                Box::new(|b| b.recipients[0].action = "bounced".into()),
                DsnBuildError::InvalidAction {
                    index: 0,
                    value: "bounced".into(),
                },
            ),
            (
                Box::new(|b| b.recipients[0].diagnostic = Some("550 x\r\nX-Evil: 1".into())),
                DsnBuildError::FieldInjection {
                    field: "recipients[0].diagnostic".into(),
                    found: '\r',
                },
            ),
            (
                Box::new(|b| b.reporting_mta = "a\nb".into()),
                DsnBuildError::FieldInjection {
                    field: "reporting_mta".into(),
                    found: '\n',
                },
            ),
            (
                Box::new(|b| b.subject = "x\r\nBcc: y".into()),
                DsnBuildError::Message(BuildError::HeaderInjection {
                    field: "subject".into(),
                    found: '\r',
                }),
            ),
        ];
        for (i, (change, want)) in cases.into_iter().enumerate() {
            let mut b = sample();
            change(&mut b);
            let got = b.build(1);
            assert_eq!(got.as_ref().err(), Some(&want), "case {i}");
            assert!(!want.to_string().is_empty());
        }
    }

    #[test]
    fn hostile_originals_are_bounded() {
        let mut huge = Vec::new();
        for i in 0..20_000 {
            huge.extend_from_slice(format!("X-H{i}: {}\n", "v".repeat(40)).as_bytes());
        }
        for original in [
            huge,
            vec![0xff; 100_000],
            b"\r\r\n\n:::".to_vec(),
            Vec::new(),
        ] {
            let mut b = sample();
            b.original = original;
            let bytes = b.build(9).expect("builds");
            let msg = crate::mime::parse::parse_message(&bytes);
            let root = msg.root().expect("root");
            assert_eq!(root.children.len(), 3, "parts");
            let returned = msg.body(root.children[2]).len();
            assert!(
                returned <= MAX_RETURNED_HEADERS + 2,
                "returned {returned} bytes"
            );
            assert!(find_report(&msg).is_some());
        }
    }
}
