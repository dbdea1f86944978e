//! The `mailscope inspect --json` document, version 1 (documented in `docs/json.md`, section
//! "inspect").
//!
//! [`inspect`] parses a message with [`parse_message`] and summarises it as an
//! [`InspectReport`]: decoded top-level headers, every top-level field, every entity in
//! depth-first pre-order with its spans and content digests, every lint with the IMAP section
//! of the entity it was found in, and the delivery status report when there is one.
//! [`inspect_json`] gives the same as a `serde_json::Value`.

use serde::{Deserialize, Serialize};

use crate::mime::address;
use crate::mime::dsn::{self, RecipientStatus, TypedValue};
use crate::mime::parse::{decode_field_text, parse_message, FieldValue, Message};
use crate::span::Span;

/// The version of the document; changes only when a field changes meaning or goes away.
pub const VERSION: u32 = 1;

/// The whole document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectReport {
    /// Always [`VERSION`].
    pub version: u32,
    /// Decoded top-level headers.
    pub headers: Headers,
    /// Every top-level header field, in order.
    pub fields: Vec<FieldReport>,
    /// Every entity in depth-first pre-order, root first.
    pub parts: Vec<PartReport>,
    /// Every finding, ordered by position.
    pub lints: Vec<LintReport>,
    /// The delivery status report, when the message is (or contains) one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsn: Option<DsnReport>,
}

/// The decoded top-level headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headers {
    /// The Subject, encoded-words decoded ([RFC 2047](https://www.rfc-editor.org/rfc/rfc2047)), or null.
    pub subject: Option<String>,
    /// The From mailboxes.
    pub from: Vec<Mailbox>,
    /// The To mailboxes (group members flattened).
    pub to: Vec<Mailbox>,
    /// The Cc mailboxes (group members flattened).
    pub cc: Vec<Mailbox>,
    /// The Date as RFC 3339 with its original offset, or null when absent or invalid.
    pub date: Option<String>,
}

/// One mailbox ([RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The decoded display name, or null.
    pub name: Option<String>,
    /// The address `local@domain`.
    pub address: String,
}

/// One top-level header field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldReport {
    /// The field name as written.
    pub name: String,
    /// The raw value after the colon, folds included (lossy UTF-8).
    pub raw: String,
    /// The value unfolded, trimmed, encoded-words decoded.
    pub decoded: String,
    /// The whole field including its line ending.
    pub span: Span,
}

/// One entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartReport {
    /// IMAP-style section (`""` for the root, `"1.2"`).
    pub section: String,
    /// The IMAP part number to fetch this entity's body with ([`part_number`]), or null.
    #[serde(default)]
    pub part: Option<String>,
    /// Lowercase `type/subtype` after defaults.
    pub content_type: String,
    /// The declared charset, lowercase, or null.
    pub charset: Option<String>,
    /// The Content-Disposition type, lowercase, or null.
    pub disposition: Option<String>,
    /// The decoded file name, or null.
    pub filename: Option<String>,
    /// The Content-Transfer-Encoding, lowercase (`7bit` by default).
    pub transfer_encoding: String,
    /// The header fields (without the empty separator line).
    pub header_span: Span,
    /// The body.
    pub body_span: Span,
    /// Leaves: size of the transfer-decoded body in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_size: Option<usize>,
    /// Leaves: SHA-256 (hex) of the transfer-decoded body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_sha256: Option<String>,
    /// text/* leaves: SHA-256 (hex) of the UTF-8 of the charset-decoded text, CRLF → LF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_sha256: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintReport {
    /// Stable dotted code.
    pub code: String,
    /// `info`, `warning` or `error`.
    pub severity: String,
    /// What is wrong here.
    pub message: String,
    /// Where, in bytes of the input.
    pub span: Span,
    /// The section of the entity it was found in.
    pub section: String,
}

/// The delivery status report ([RFC 3464](https://www.rfc-editor.org/rfc/rfc3464)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsnReport {
    /// Section of the message/delivery-status entity.
    pub section: String,
    /// `Reporting-MTA`.
    pub reporting_mta: Option<TypedValue>,
    /// `Original-Envelope-Id`.
    pub original_envelope_id: Option<String>,
    /// `Arrival-Date`.
    pub arrival_date: Option<String>,
    /// Per-recipient fields.
    pub recipients: Vec<RecipientStatus>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The mailboxes of every top-level field called `name`, as the parser read them.
fn mailboxes(msg: &Message<'_>, name: &str) -> Vec<Mailbox> {
    let input = msg.input();
    let Some(root) = msg.root() else {
        return Vec::new();
    };
    root.header
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is(input, name))
        .filter_map(|(i, _)| match root.field_value(i) {
            Some(FieldValue::Addresses(entries)) => Some(entries),
            _ => None,
        })
        .flat_map(|entries| address::mailboxes(entries))
        .map(|m| Mailbox {
            name: m.name.clone(),
            address: m.address.clone(),
        })
        .collect()
}

/// The first top-level Date field as the parser read it, in RFC 3339.
fn date_rfc3339(msg: &Message<'_>) -> Option<String> {
    let root = msg.root()?;
    let index = root
        .header
        .fields
        .iter()
        .position(|f| f.is(msg.input(), "date"))?;
    match root.field_value(index) {
        Some(FieldValue::Date(date)) => date.map(|d| d.to_rfc3339()),
        _ => None,
    }
}

/// Builds the report for a message.
pub fn inspect(input: &[u8]) -> InspectReport {
    let msg = parse_message(input);
    report(&msg)
}

/// The IMAP part number of entity `id` ([RFC 3501 §6.4.5](https://www.rfc-editor.org/rfc/rfc3501#section-6.4.5)):
/// `1` for the body of a single-part message, the section (`1`, `2.1`, …) for every part of a
/// multipart, and none for a multipart message root, which IMAP does not number (the root of a
/// multipart message inside a `message/rfc822` part `N` is reached as `N`, that part's body).
pub fn part_number(msg: &Message<'_>, id: usize) -> Option<String> {
    let e = msg.entity(id)?;
    let multipart = e.content_type.starts_with("multipart/");
    if id == 0 {
        (!multipart).then(|| "1".to_string())
    } else if e.is_message && multipart {
        None
    } else {
        Some(e.section.clone())
    }
}

/// The report as JSON.
pub fn inspect_json(input: &[u8]) -> serde_json::Value {
    serde_json::to_value(inspect(input)).unwrap_or(serde_json::Value::Null)
}

/// Builds the report for an already parsed message.
pub fn report(msg: &Message<'_>) -> InspectReport {
    let input = msg.input();
    let section = |i: usize| msg.entity(i).map(|e| e.section.clone()).unwrap_or_default();
    let root_field = |name: &str| {
        msg.root()
            .and_then(|r| r.header.get(input, name))
            .map(|f| f.raw_value(input))
    };
    let headers = Headers {
        subject: root_field("subject").map(|v| decode_field_text(v).into_owned()),
        from: mailboxes(msg, "from"),
        to: mailboxes(msg, "to"),
        cc: mailboxes(msg, "cc"),
        date: date_rfc3339(msg),
    };
    let fields = msg
        .root()
        .map(|r| {
            r.header
                .fields
                .iter()
                .map(|f| FieldReport {
                    name: lossy(f.name(input)),
                    raw: lossy(f.raw_value(input)),
                    decoded: decode_field_text(f.raw_value(input)).into_owned(),
                    span: f.span,
                })
                .collect()
        })
        .unwrap_or_default();
    let parts = msg
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let leaf = e.is_leaf();
            let body = msg.body(i);
            PartReport {
                section: e.section.clone(),
                part: part_number(msg, i),
                content_type: e.content_type.clone(),
                charset: e.charset.clone(),
                disposition: e.disposition.clone(),
                filename: e.filename.clone(),
                transfer_encoding: e.transfer_encoding.as_str().to_string(),
                header_span: e.header.span,
                body_span: e.body,
                decoded_size: leaf.then_some(body.len()),
                decoded_sha256: leaf.then(|| sha256::hex(body)),
                text_sha256: msg
                    .text(i)
                    .map(|t| sha256::hex(t.replace("\r\n", "\n").as_bytes())),
            }
        })
        .collect();
    let mut lints: Vec<LintReport> = msg
        .lints
        .iter()
        .map(|l| LintReport {
            code: l.lint.code.to_string(),
            severity: l.lint.severity.as_str().to_string(),
            message: l.lint.message.clone(),
            span: l.lint.span,
            section: section(l.entity),
        })
        .collect();
    let found = dsn::find_report(msg);
    if let Some(r) = &found {
        lints.extend(r.status.lints.iter().map(|l| LintReport {
            code: l.code.to_string(),
            severity: l.severity.as_str().to_string(),
            message: l.message.clone(),
            span: l.span,
            section: section(r.status_entity),
        }));
    }
    lints.sort_by_key(|l| l.span.start);
    InspectReport {
        version: VERSION,
        headers,
        fields,
        parts,
        lints,
        dsn: found.map(|r| DsnReport {
            section: section(r.status_entity),
            reporting_mta: r.status.reporting_mta,
            original_envelope_id: r.status.original_envelope_id,
            arrival_date: r.status.arrival_date,
            recipients: r.status.recipients,
        }),
    }
}

/// SHA-256 ([FIPS 180-4 §6.2](https://doi.org/10.6028/NIST.FIPS.180-4)), for the content digests
/// of the report. Private: not a general-purpose hashing API.
mod sha256 {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    const H0: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    fn compress(h: &mut [u32; 8], block: &[u8; 64]) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }

    /// The digest of `data`.
    pub(super) fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = H0;
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            let mut b = [0u8; 64];
            b.copy_from_slice(block);
            compress(&mut h, &b);
        }
        let rest = blocks.remainder();
        let mut tail = [0u8; 128];
        tail[..rest.len()].copy_from_slice(rest);
        tail[rest.len()] = 0x80;
        let tail_len = if rest.len() < 56 { 64 } else { 128 };
        let bits = (data.len() as u64).wrapping_mul(8);
        tail[tail_len - 8..tail_len].copy_from_slice(&bits.to_be_bytes());
        for block in tail[..tail_len].chunks_exact(64) {
            let mut b = [0u8; 64];
            b.copy_from_slice(block);
            compress(&mut h, &b);
        }
        let mut out = [0u8; 32];
        for (o, v) in out.chunks_exact_mut(4).zip(h) {
            o.copy_from_slice(&v.to_be_bytes());
        }
        out
    }

    /// The digest of `data` as lowercase hex.
    pub(super) fn hex(data: &[u8]) -> String {
        crate::codec::hex::lower(&digest(data))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn euc_kr_subject_and_document_shape() {
        let input = b"From: =?EUC-KR?B?sejDtrz2?= <kim@example.kr>\r\n\
To: a@example.com, Group: b@example.com, \"C\" <c@example.com>;\r\n\
Date: Wed, 3 Jan 2024 10:00:00 +0900\r\n\
Subject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=EUC-KR\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
vsiz58fPvLy/5C4=\r\n\
--b--\r\n";
        let v = inspect_json(input);
        assert_eq!(v["version"], 1);
        assert_eq!(v["headers"]["subject"], "안녕하세요.");
        assert_eq!(v["headers"]["from"][0]["name"], "김철수");
        assert_eq!(v["headers"]["from"][0]["address"], "kim@example.kr");
        let to: Vec<&str> = v["headers"]["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["address"].as_str().unwrap())
            .collect();
        assert_eq!(to, ["a@example.com", "b@example.com", "c@example.com"]);
        assert_eq!(v["headers"]["cc"], serde_json::json!([]));
        assert_eq!(v["headers"]["date"], "2024-01-03T10:00:00+09:00");
        assert_eq!(v["fields"][3]["name"], "Subject");
        assert_eq!(v["fields"][3]["raw"], " =?EUC-KR?B?vsiz58fPvLy/5C4=?=");
        assert_eq!(v["fields"][3]["decoded"], "안녕하세요.");
        let parts = v["parts"].as_array().unwrap();
        assert_eq!(parts.len(), 2);
        let root = &parts[0];
        assert_eq!(root["section"], "");
        assert_eq!(root["content_type"], "multipart/mixed");
        assert!(
            root.get("decoded_sha256").is_none(),
            "containers have no digest"
        );
        let leaf = &parts[1];
        assert_eq!(leaf["section"], "1");
        assert_eq!(leaf["charset"], "euc-kr");
        assert_eq!(leaf["transfer_encoding"], "base64");
        assert_eq!(leaf["decoded_size"], 11);
        assert_eq!(
            leaf["text_sha256"],
            sha256::hex("안녕하세요.".as_bytes()).as_str()
        );
        let body = &leaf["body_span"];
        let (s, e) = (
            body["start"].as_u64().unwrap() as usize,
            body["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&input[s..e], b"vsiz58fPvLy/5C4=");
        assert_eq!(v["lints"], serde_json::json!([]));
        assert!(v.get("dsn").is_none());
    }

    /// IMAP part numbers (RFC 3501 §6.4.5), the numbers `inspect --part` takes.
    #[test]
    fn parts_carry_imap_part_numbers() {
        let single = inspect(b"Subject: x\r\n\r\nhi\r\n");
        assert_eq!(
            single.parts[0].part.as_deref(),
            Some("1"),
            "a single part is 1"
        );
        let nested = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain\r\n\r\none\r\n\
--a\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: inner\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n\
--a\r\nContent-Type: message/rfc822\r\n\r\nSubject: solo\r\n\r\nsolo body\r\n\
--a--\r\n";
        let r = inspect(nested);
        let got: Vec<(Option<&str>, &str)> = r
            .parts
            .iter()
            .map(|p| (p.part.as_deref(), p.content_type.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, "multipart/mixed"),
                (Some("1"), "text/plain"),
                (Some("2"), "message/rfc822"),
                (None, "multipart/alternative"),
                (Some("2.1"), "text/plain"),
                (Some("2.2"), "text/html"),
                (Some("3"), "message/rfc822"),
                (Some("3.1"), "text/plain"),
            ]
        );
    }

    #[test]
    fn lints_carry_sections_and_dsn_is_reported() {
        let input = b"From: MAILER-DAEMON@example.org\r\nDate: Wed, 3 Jan 2024 10:00:00 +0900\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\nbounce\r\n\
--r\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; x@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 no such user\r\n\
--r\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n";
        let r = inspect(input);
        let dsn = r.dsn.expect("dsn");
        assert_eq!(dsn.section, "2");
        assert_eq!(dsn.recipients.len(), 1);
        assert_eq!(dsn.recipients[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(
            dsn.recipients[0]
                .diagnostic_code
                .as_ref()
                .map(|d| d.value.as_str()),
            Some("550 no such user")
        );
        let lints: Vec<(&str, &str)> = r
            .lints
            .iter()
            .map(|l| (l.code.as_str(), l.section.as_str()))
            .collect();
        assert_eq!(
            lints,
            [
                ("mime.base64-invalid", "3"),
                ("mime.boundary-missing-close", "")
            ]
        );
    }

    #[test]
    fn garbage_gives_a_document() {
        let mut seed = 99u32;
        for len in [0usize, 1, 50, 4000] {
            let g: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 24) as u8
                })
                .collect();
            let v = inspect_json(&g);
            assert_eq!(v["version"], 1, "len {len}");
            assert!(!v["parts"].as_array().unwrap().is_empty());
        }
    }

    #[test]
    fn sha256_known_answers() {
        let a_million = vec![b'a'; 1_000_000];
        let cases: &[(&[u8], &str)] = &[
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ),
            (
                &a_million,
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            ),
        ];
        for (data, want) in cases {
            assert_eq!(sha256::hex(data), *want, "sha256 of {} bytes", data.len());
        }
        // Lengths around the padding boundary (55, 56, 63, 64 bytes) against a chained check:
        // the digest is deterministic and distinct for each length.
        let mut seen = std::collections::BTreeSet::new();
        for len in 50..70 {
            assert!(
                seen.insert(sha256::hex(&vec![0u8; len])),
                "collision at {len}"
            );
        }
    }
}
