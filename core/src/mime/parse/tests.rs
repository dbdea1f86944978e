//! Tests of the message parser: trees, sections, spans, lints and limits.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn codes(m: &Message<'_>) -> Vec<String> {
    m.lints.iter().map(|l| l.lint.code.to_string()).collect()
}

fn tree(m: &Message<'_>) -> Vec<String> {
    m.entities
        .iter()
        .map(|e| format!("{}:{}", e.section, e.content_type))
        .collect()
}

const HEAD: &str =
    "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n";

#[test]
fn simple_message() {
    let input = format!("{HEAD}Subject: hi\r\n\r\nHello\r\n");
    let m = parse_message(input.as_bytes());
    assert_eq!(tree(&m), [":text/plain"]);
    assert_eq!(codes(&m), Vec::<String>::new());
    assert_eq!(m.body(0), b"Hello\r\n");
    assert_eq!(m.text(0), Some("Hello\r\n"));
    assert_eq!(m.header_text(0, "subject").as_deref(), Some("hi"));
}

#[test]
fn address_and_date_fields_are_read_once_and_kept() {
    let input = "From: Ann <ann@example.com>\r\nTo: dee@example.net, \
                 team: bo@example.org, cy@example.org;\r\nSubject: hi\r\nDate: Mon, 1 Jan 2024 10:20:30 +0900\r\n\
                 Resent-Date: not a date\r\n\r\nbody\r\n";
    let m = parse_message(input.as_bytes());
    let root = &m.entities[0];
    let got: Vec<String> = (0..root.header.fields.len())
        .map(|i| match root.field_value(i) {
            Some(FieldValue::Addresses(entries)) => crate::mime::address::mailboxes(entries)
                .map(|mb| mb.address.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Some(FieldValue::Date(Some(d))) => d.to_rfc3339(),
            Some(FieldValue::Date(None)) => "invalid date".into(),
            None => "-".into(),
        })
        .collect();
    assert_eq!(
        got,
        [
            "ann@example.com",
            "dee@example.net bo@example.org cy@example.org",
            "-",
            "2024-01-01T10:20:30+09:00",
            "invalid date",
        ]
    );
    assert_eq!(root.field_value(5), None);
    assert_eq!(codes(&m), ["mime.date-invalid"], "{:?}", m.lints);
}

#[test]
fn multipart_tree_sections_and_spans() {
    let input = format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
         preamble\r\n\
         --outer\r\n\
         Content-Type: multipart/alternative; boundary=inner\r\n\r\n\
         --inner\r\n\r\nplain\r\n\
         --inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n\
         --inner--\r\n\
         --outer \r\n\
         Content-Type: message/rfc822\r\n\r\n\
         From: b@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nnested\r\n\
         --outer\r\n\
         Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         AAEC\r\n\
         --outer--\r\nepilogue\r\n"
    );
    let m = parse_message(input.as_bytes());
    assert_eq!(
        tree(&m),
        [
            ":multipart/mixed",
            "1:multipart/alternative",
            "1.1:text/plain",
            "1.2:text/html",
            "2:message/rfc822",
            "2.1:text/plain",
            "3:application/octet-stream",
        ]
    );
    assert_eq!(codes(&m), Vec::<String>::new(), "{:?}", m.lints);
    assert_eq!(m.raw_body(2), b"plain");
    assert_eq!(m.raw_body(3), b"<p>html</p>");
    assert_eq!(m.raw_body(5), b"nested");
    assert_eq!(m.body(6), [0u8, 1, 2]);
    assert_eq!(m.entities[0].children, [1, 4, 6]);
    assert_eq!(m.entities[5].parent, Some(4));
    match &m.entities[0].kind {
        Body::Multipart {
            preamble,
            epilogue,
            closed,
            ..
        } => {
            assert_eq!(
                preamble.map(|s| s.slice(input.as_bytes())),
                Some(&b"preamble"[..])
            );
            assert_eq!(
                epilogue.map(|s| s.slice(input.as_bytes())),
                Some(&b"epilogue\r\n"[..])
            );
            assert!(closed);
        }
        other => panic!("expected multipart, got {other:?}"),
    }
}

#[test]
fn lint_table() {
    let cases: &[(&str, &[&str])] = &[
        ("Subject: x\r\n\r\nbody", &["mime.missing-date", "mime.missing-from"]),
        (
            "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nx",
            &["mime.missing-mime-version"],
        ),
        (
            &format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n"),
            &["mime.boundary-missing-close"],
        ),
        (
            &format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\nno parts\r\n"),
            &["mime.boundary-not-found"],
        ),
        (
            &format!("{HEAD}Content-Type: multipart/mixed\r\n\r\nx\r\n"),
            &["mime.boundary-invalid"],
        ),
        (
            &format!("{HEAD}Content-Transfer-Encoding: base64\r\n\r\nQU*JD\r\n"),
            &["mime.base64-invalid"],
        ),
        (
            &format!("{HEAD}Content-Transfer-Encoding: quoted-printable\r\n\r\na=ZZ\r\n"),
            &["mime.qp-invalid"],
        ),
        (
            &format!("{HEAD}\r\nBcc: hidden@example.com\r\n"),
            &["mime.header-in-body"],
        ),
        (&format!("{HEAD}X-Raw: caf\u{e9}\r\n\r\nx"), &["mime.utf8-header"]),
        (
            &format!("{HEAD}Content-Type: message/global\r\n\r\n{HEAD}Subject: caf\u{e9}\r\n\r\nx"),
            &[],
        ),
        (
            &format!("{HEAD}Content-Type: message/rfc822\r\n\r\n{HEAD}Subject: caf\u{e9}\r\n\r\nx"),
            &["mime.utf8-header"],
        ),
        (
            "From: a@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nx\n",
            &["mime.bare-lf"],
        ),
        (
            &format!("{HEAD}\r\n{}\r\n", "x".repeat(1200)),
            &["mime.line-too-long"],
        ),
        (
            &format!(
                "{HEAD}Content-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.exe\r\n\r\nx"
            ),
            &["mime.filename-mismatch"],
        ),
        (
            &format!("{HEAD}Content-Transfer-Encoding: x-uuencode\r\n\r\nx"),
            &["mime.transfer-encoding-unknown"],
        ),
    ];
    for (input, want) in cases {
        let m = parse_message(input.as_bytes());
        assert_eq!(codes(&m), *want, "lints of {input:?}: {:?}", m.lints);
    }
}

#[test]
fn digest_children_default_to_message_rfc822() {
    let input = format!(
        "{HEAD}Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n\
         From: x@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: one\r\n\r\nbody one\r\n--d--\r\n"
    );
    let m = parse_message(input.as_bytes());
    assert_eq!(
        tree(&m),
        [":multipart/digest", "1:message/rfc822", "1.1:text/plain"]
    );
    assert_eq!(codes(&m), Vec::<String>::new(), "{:?}", m.lints);
    assert_eq!(m.header_text(2, "subject").as_deref(), Some("one"));
}

#[test]
fn lf_and_crlf_give_the_same_tree() {
    let crlf = format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n"
    );
    let lf = crlf.replace("\r\n", "\n");
    let a = parse_message(crlf.as_bytes());
    let b = parse_message(lf.as_bytes());
    assert_eq!(tree(&a), tree(&b));
    assert_eq!(a.raw_body(1), b"one");
    assert_eq!(b.raw_body(1), b"one");
    assert_eq!(b.raw_body(2), b"two");
    assert_eq!(codes(&b), ["mime.bare-lf"]);
}

#[test]
fn builder_output_reads_back_to_the_same_structure() {
    use crate::mime::build::{Attachment, MessageBuilder, NameAddr};
    let long = "long ".repeat(40);
    let subjects = ["plain", "안녕하세요.", "Grüße — “quotes”", long.trim_end()];
    for (i, subject) in subjects.iter().enumerate() {
        let b = MessageBuilder {
            from: vec![NameAddr::new("김철수", "kim@example.kr")],
            to: vec![NameAddr::bare("lee@example.com")],
            subject: Some(subject.to_string()),
            date: "Wed, 03 Jan 2024 10:00:00 +0900".into(),
            message_id: "<rt@example.kr>".into(),
            text: Some(format!("text {i}: é\n{}\n", "x".repeat(i * 500))),
            html: (i % 2 == 0).then(|| "<p>html</p>\n".to_string()),
            attachments: vec![Attachment {
                filename: "회의록 2024.pdf".into(),
                content_type: "application/pdf".into(),
                data: (0..=255u8).cycle().take(1000 + i).collect(),
            }],
            ..MessageBuilder::default()
        };
        let bytes = b.build(i as u64 + 1).expect("build");
        let m = parse_message(&bytes);
        // The builder writes nothing the parser calls a defect.
        let serious: Vec<&EntityLint> = m
            .lints
            .iter()
            .filter(|l| l.lint.severity > crate::lint::Severity::Info)
            .collect();
        assert!(
            serious.is_empty(),
            "lints for subject {subject:?}: {serious:?}"
        );
        assert_eq!(m.header_text(0, "subject").as_deref(), Some(*subject));
        let att = m
            .entities
            .iter()
            .position(|e| e.filename.is_some())
            .expect("attachment entity");
        assert_eq!(m.entities[att].filename.as_deref(), Some("회의록 2024.pdf"));
        assert_eq!(m.body(att), &b.attachments[0].data[..]);
        let text = m
            .entities
            .iter()
            .position(|e| e.content_type == "text/plain")
            .expect("text entity");
        let got = m.text(text).unwrap_or_default().replace("\r\n", "\n");
        assert_eq!(Some(got.as_str()), b.text.as_deref());
    }
}

#[test]
fn deep_message_rfc822_nesting_is_limited() {
    let level = "Content-Type: message/rfc822\r\n\r\n";
    let input = level.repeat(100_000);
    let m = parse_message(input.as_bytes());
    assert_eq!(m.entities.len(), MAX_DEPTH + 1);
    let nesting = m
        .lints
        .iter()
        .filter(|l| l.lint.code == "mime.nesting-limit")
        .count();
    assert_eq!(nesting, 1, "nesting-limit lints");
    drop(m);
}

#[test]
fn deep_multipart_nesting_is_limited() {
    let mut input = String::with_capacity(100_000 * 48);
    for i in 0..100_000u32 {
        input.push_str(&format!(
            "Content-Type:multipart/mixed;boundary={i:x}\n\n--{i:x}\n"
        ));
    }
    let m = parse_message(input.as_bytes());
    assert_eq!(m.entities.len(), MAX_DEPTH + 1);
    assert!(
        codes(&m).iter().any(|c| c == "mime.nesting-limit"),
        "{:?}",
        codes(&m)
    );
}

#[test]
fn part_count_is_limited() {
    let mut input = format!("{HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for _ in 0..(MAX_PARTS + 50) {
        input.push_str("--b\r\n\r\nx\r\n");
    }
    let m = parse_message(input.as_bytes());
    assert!(m.entities.len() <= MAX_PARTS, "{}", m.entities.len());
    assert!(codes(&m).iter().any(|c| c == "mime.part-limit"));
}

#[test]
fn garbage_never_panics() {
    let mut rng = crate::testutil::XorShift::new(7);
    let alphabet: &[u8] =
        b"-\r\n:=?; \"bB\x80\xffContent-Type multipart/mixed boundary=b message/rfc822 base64";
    for len in [0usize, 1, 3, 10, 100, 1000, 20_000] {
        for _ in 0..20 {
            let g = rng.bytes(len, alphabet, false);
            let m = parse_message(&g);
            assert!(!m.entities.is_empty());
            for (i, e) in m.entities.iter().enumerate() {
                assert!(e.body.end <= g.len() && e.span.start <= e.span.end);
                let _ = (m.body(i), m.text(i));
            }
        }
    }
}
