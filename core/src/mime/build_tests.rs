//! Tests of the message builder: round trips through the parser and the encoders.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::mime::address::parse_address_list;
use crate::mime::encoded_word::decode_unstructured;
use crate::mime::params::{parse_content_type, parse_disposition};

const DATE: &str = "Mon, 02 Jan 2006 15:04:05 +0900";

/// Splits a message into (folded header fields, body).
fn split(msg: &[u8]) -> (Vec<(String, Vec<u8>)>, Vec<u8>) {
    let end = msg
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header/body separator");
    let (head, body) = (&msg[..end + 2], &msg[end + 4..]);
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    for line in head.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            fields
                .last_mut()
                .expect("continuation")
                .1
                .extend_from_slice(line);
        } else {
            let colon = line.iter().position(|&b| b == b':').expect("colon");
            let mut v = line[colon + 1..].to_vec();
            if v.first() == Some(&b' ') {
                v.remove(0);
            }
            fields.push((String::from_utf8_lossy(&line[..colon]).to_lowercase(), v));
        }
    }
    for (_, v) in &mut fields {
        while v.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            v.pop();
        }
    }
    (fields, body.to_vec())
}

fn field<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &fields
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

fn parts(body: &[u8], boundary: &str) -> Vec<Vec<u8>> {
    let delim = format!("\r\n--{boundary}");
    let text = body.to_vec();
    let mut out = Vec::new();
    let mut rest: &[u8] = &text;
    // Skip the preamble up to the first delimiter (which may start the body).
    let first = format!("--{boundary}\r\n");
    let start = rest
        .windows(first.len())
        .position(|w| w == first.as_bytes())
        .expect("first boundary");
    rest = &rest[start + first.len()..];
    loop {
        let at = rest
            .windows(delim.len())
            .position(|w| w == delim.as_bytes())
            .expect("delimiter");
        out.push(rest[..at].to_vec());
        rest = &rest[at + delim.len()..];
        if rest.starts_with(b"--") {
            return out;
        }
        rest = &rest[2..];
    }
}

/// Decodes with the parser's base64 decoder, which must find nothing wrong.
fn unbase64(s: &[u8]) -> Vec<u8> {
    let d = crate::codec::base64::decode(s);
    assert!(d.defects.is_empty(), "base64 defects: {:?}", d.defects);
    d.bytes
}

/// Decodes with the parser's quoted-printable decoder, which must find nothing wrong.
fn unqp(s: &[u8]) -> Vec<u8> {
    let d = crate::mime::transfer::decode_quoted_printable(s);
    assert!(
        d.defects.is_empty(),
        "quoted-printable defects: {:?}",
        d.defects
    );
    d.bytes
}

fn sample() -> MessageBuilder {
    MessageBuilder {
        from: vec![NameAddr::new("김철수", "kim@example.kr")],
        to: vec![
            NameAddr::new("Doe, John", "john@example.com"),
            NameAddr::new("Jörg Müller", "j@example.de"),
            NameAddr::bare("plain@example.org"),
            NameAddr::new("Plain Name", "pn@example.org"),
        ],
        cc: vec![NameAddr::new("日本語の名前です", "jp@example.jp")],
        subject: Some(
            "안녕하세요. 이것은 아주 긴 한국어 제목입니다 — 접혀야 합니다, 78자에서!".into(),
        ),
        date: DATE.into(),
        message_id: "abc.123@example.kr".into(),
        text: Some("Hello 세계\nsecond line\n".into()),
        html: Some("<p>Hello</p>\n".into()),
        attachments: vec![
            Attachment {
                filename: "보고서 2024년 최종본 (수정) — 아주 긴 파일 이름입니다.pdf".into(),
                content_type: "application/pdf".into(),
                data: (0..=255u8).cycle().take(1000).collect(),
            },
            Attachment {
                filename: "notes.txt".into(),
                content_type: "text/plain; charset=us-ascii".into(),
                data: b"just text".to_vec(),
            },
        ],
        headers: vec![("X-Mailer".into(), "Mailscope test — ünïcode".into())],
    }
}

#[test]
fn round_trip_headers_and_parts() {
    let b = sample();
    let msg = b.build(42).expect("builds");
    assert_eq!(
        msg,
        b.build(42).expect("builds"),
        "deterministic for a seed"
    );
    assert_ne!(msg, b.build(43).expect("builds"), "seed changes boundaries");
    for line in msg.split(|&c| c == b'\n') {
        assert!(
            line.is_empty() || line.ends_with(b"\r"),
            "bare LF in {:?}",
            String::from_utf8_lossy(line)
        );
        assert!(
            line.len() <= FOLD_AT + 1,
            "line of {} > 78: {:?}",
            line.len() - 1,
            String::from_utf8_lossy(line)
        );
    }
    let (fields, body) = split(&msg);
    let subject = decode_unstructured(field(&fields, "subject"));
    assert_eq!(
        subject.text,
        b.subject.clone().unwrap_or_default(),
        "subject"
    );
    assert!(subject.lints.is_empty(), "{:?}", subject.lints);
    let xm = decode_unstructured(field(&fields, "x-mailer"));
    assert_eq!(xm.text, "Mailscope test — ünïcode");
    for (name, want) in [("from", &b.from), ("to", &b.to), ("cc", &b.cc)] {
        let l = parse_address_list(field(&fields, name));
        assert!(l.lints.is_empty(), "{name}: {:?}", l.lints);
        let got: Vec<NameAddr> = l
            .mailboxes()
            .iter()
            .map(|m| NameAddr {
                name: m.name.clone(),
                address: m.address.clone(),
            })
            .collect();
        assert_eq!(&got, want, "{name}");
    }
    assert_eq!(field(&fields, "date"), DATE.as_bytes());
    assert_eq!(field(&fields, "message-id"), b"<abc.123@example.kr>");
    assert_eq!(field(&fields, "mime-version"), b"1.0");
    let ct = parse_content_type(field(&fields, "content-type"));
    assert_eq!(ct.mime_type(), "multipart/mixed");
    let boundary = ct.get("boundary").expect("boundary").to_string();
    let top = parts(&body, &boundary);
    assert_eq!(top.len(), 3, "alternative + 2 attachments");

    let (alt_fields, alt_body) = split(&top[0]);
    let alt = parse_content_type(field(&alt_fields, "content-type"));
    assert_eq!(alt.mime_type(), "multipart/alternative");
    let alts = parts(&alt_body, alt.get("boundary").expect("boundary"));
    assert_eq!(alts.len(), 2);
    let (tf, tb) = split(&alts[0]);
    let tct = parse_content_type(field(&tf, "content-type"));
    assert_eq!(
        (tct.mime_type().as_str(), tct.get("charset")),
        ("text/plain", Some("utf-8"))
    );
    let cte = String::from_utf8_lossy(field(&tf, "content-transfer-encoding")).to_string();
    let decoded = match cte.as_str() {
        "quoted-printable" => unqp(&tb),
        "base64" => unbase64(&tb),
        other => panic!("unexpected {other}"),
    };
    assert_eq!(
        decoded,
        "Hello 세계\r\nsecond line\r\n".as_bytes(),
        "text body via {cte}"
    );
    let (hf, hb) = split(&alts[1]);
    assert_eq!(field(&hf, "content-transfer-encoding"), b"7bit");
    assert_eq!(hb, b"<p>Hello</p>\r\n");

    for (i, a) in b.attachments.iter().enumerate() {
        let (af, ab) = split(&top[i + 1]);
        let act = parse_content_type(field(&af, "content-type"));
        let disp = parse_disposition(field(&af, "content-disposition"));
        assert_eq!(disp.kind, "attachment");
        assert_eq!(
            disp.get("filename"),
            Some(a.filename.as_str()),
            "filename* of {i}"
        );
        assert_eq!(act.get("name"), Some(a.filename.as_str()), "name of {i}");
        assert!(disp.lints.is_empty(), "{:?}", disp.lints);
        let want_ct = parse_content_type(a.content_type.as_bytes());
        assert_eq!(act.mime_type(), want_ct.mime_type());
        assert_eq!(field(&af, "content-transfer-encoding"), b"base64");
        assert_eq!(unbase64(&ab), a.data, "attachment {i} data");
    }
    assert_eq!(
        parse_content_type(field(&split(&top[2]).0, "content-type")).get("charset"),
        Some("us-ascii")
    );
}

#[test]
fn simple_messages() {
    let mut b = MessageBuilder {
        from: vec![NameAddr::bare("a@example.com")],
        to: vec![NameAddr::bare("b@example.com")],
        subject: Some("Hello world".into()),
        date: DATE.into(),
        text: Some("Hi.\n.\nFrom me".into()),
        ..Default::default()
    };
    let msg = String::from_utf8(b.build(1).expect("builds")).expect("ascii");
    assert_eq!(
        msg,
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: Hello world\r\nDate: Mon, 02 Jan 2006 15:04:05 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHi.\r\n.\r\nFrom me\r\n"
    );
    b.text = None;
    b.html = Some("<b>x</b>".into());
    let msg = String::from_utf8(b.build(1).expect("builds")).expect("ascii");
    assert!(
        msg.contains("Content-Type: text/html; charset=utf-8\r\n"),
        "{msg}"
    );
    b.html = None;
    let msg = String::from_utf8(b.build(1).expect("builds")).expect("ascii");
    assert!(
        msg.ends_with("Content-Transfer-Encoding: 7bit\r\n\r\n"),
        "{msg}"
    );
    // Subjects that need encoded-words even though ASCII.
    for s in ["  leading", "a  b", "=?utf-8?q?x?=", &"x".repeat(100)] {
        b.subject = Some(s.to_string());
        let msg = b.build(1).expect("builds");
        let (fields, _) = split(&msg);
        assert_eq!(
            decode_unstructured(field(&fields, "subject")).text,
            s,
            "subject {s:?}"
        );
    }
}

#[test]
fn encoders() {
    let cases: &[(&[u8], &str)] = &[
        (b"a=b", "a=3Db"),
        (b"trailing \r\nx", "trailing=20\r\nx"),
        (b"tab\t", "tab=09"),
        (b".\r\nFrom x", "=2E\r\n=46rom x"),
        ("é".as_bytes(), "=C3=A9"),
    ];
    for (input, want) in cases {
        assert_eq!(
            String::from_utf8_lossy(&quoted_printable(input)),
            *want,
            "qp {input:?}"
        );
    }
    let long = "é".repeat(100);
    let qp = quoted_printable(long.as_bytes());
    for line in qp.split(|&b| b == b'\n') {
        assert!(line.len() <= BODY_LINE + 1, "qp line {}", line.len());
    }
    assert_eq!(unqp(&qp), long.as_bytes(), "qp round trip");
    let data: Vec<u8> = (0..=255u8).collect();
    let b64 = base64_lines(&data);
    assert!(b64.split(|&b| b == b'\n').all(|l| l.len() <= BODY_LINE + 1));
    assert_eq!(unbase64(&b64), data);
    assert_eq!(base64_lines(b"ab"), b"YWI=");
    assert_eq!(base64_lines(b""), b"");
    assert_eq!(crlf("a\nb\rc\r\nd"), b"a\r\nb\r\nc\r\nd");
}

#[test]
fn rejects_bad_input() {
    let ok = MessageBuilder {
        from: vec![NameAddr::bare("a@example.com")],
        date: DATE.into(),
        ..Default::default()
    };
    assert!(ok.build(0).is_ok());
    type Mutate = fn(&mut MessageBuilder);
    let cases: &[(&str, Mutate, &str)] = &[
        (
            "subject CRLF",
            |b| b.subject = Some("hi\r\nBcc: x@y".into()),
            "HeaderInjection",
        ),
        (
            "subject LF",
            |b| b.subject = Some("hi\nx".into()),
            "HeaderInjection",
        ),
        (
            "subject NUL",
            |b| b.subject = Some("hi\0".into()),
            "HeaderInjection",
        ),
        (
            "name CR",
            |b| b.to = vec![NameAddr::new("a\rb", "x@y.z")],
            "HeaderInjection",
        ),
        (
            "address LF",
            |b| b.to = vec![NameAddr::bare("x@y.z\nBcc: q@r")],
            "HeaderInjection",
        ),
        (
            "filename",
            |b| {
                b.attachments = vec![Attachment {
                    filename: "a\r\n.txt".into(),
                    content_type: "text/plain".into(),
                    data: vec![],
                }]
            },
            "HeaderInjection",
        ),
        (
            "extra value",
            |b| b.headers = vec![("X-A".into(), "1\r\n2".into())],
            "HeaderInjection",
        ),
        ("date", |b| b.date = "now\r\n".into(), "HeaderInjection"),
        (
            "message id",
            |b| b.message_id = "<a@b>\n".into(),
            "HeaderInjection",
        ),
        ("no from", |b| b.from.clear(), "MissingFrom"),
        (
            "no at",
            |b| b.to = vec![NameAddr::bare("nobody")],
            "InvalidAddress",
        ),
        (
            "space",
            |b| b.to = vec![NameAddr::bare("a b@c.d")],
            "InvalidAddress",
        ),
        (
            "angle",
            |b| b.to = vec![NameAddr::bare("a@c.d>")],
            "InvalidAddress",
        ),
        ("bad date", |b| b.date = "yesterday".into(), "InvalidDate"),
        ("empty date", |b| b.date = String::new(), "InvalidDate"),
        (
            "bad mid",
            |b| b.message_id = "a b@c".into(),
            "InvalidMessageId",
        ),
        (
            "header name",
            |b| b.headers = vec![("X A".into(), "1".into())],
            "InvalidHeaderName",
        ),
        (
            "reserved",
            |b| b.headers = vec![("subject".into(), "1".into())],
            "ReservedHeader",
        ),
        (
            "content type",
            |b| {
                b.attachments = vec![Attachment {
                    filename: "a".into(),
                    content_type: "pdf".into(),
                    data: vec![],
                }]
            },
            "InvalidContentType",
        ),
    ];
    for (what, mutate, want) in cases {
        let mut b = ok.clone();
        mutate(&mut b);
        let err = b.build(0).expect_err(what);
        let got = format!("{err:?}");
        assert!(got.starts_with(want), "{what}: expected {want}, got {got}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn boundary_avoids_body_text() {
    // A 7bit body that contains the boundary the seed would give first.
    let probe = MessageBuilder {
        from: vec![NameAddr::bare("a@example.com")],
        date: DATE.into(),
        text: Some("x".into()),
        html: Some("y".into()),
        ..Default::default()
    };
    let msg = probe.build(7).expect("builds");
    let (fields, _) = split(&msg);
    let first = parse_content_type(field(&fields, "content-type"))
        .get("boundary")
        .expect("b")
        .to_string();
    let mut b = probe.clone();
    b.text = Some(format!("--{first}\n"));
    let msg = b.build(7).expect("builds");
    let (fields, body) = split(&msg);
    let second = parse_content_type(field(&fields, "content-type"))
        .get("boundary")
        .expect("b")
        .to_string();
    assert_ne!(first, second, "boundary changed to avoid the body");
    assert_eq!(parts(&body, &second).len(), 2);
}

/// Regression: an attached `.eml` was base64, which RFC 2046 §5.2.1 forbids for message/rfc822
/// (the inspector then flagged the composer's own output as `mime.message-encoded`).
#[test]
fn attached_message_is_sent_unencoded() {
    let inner =
        "From: c@example.com\nDate: Mon, 02 Jan 2006 15:04:05 +0900\nSubject: inner\n\nHello\n";
    let cases: [(&str, String, &[u8]); 3] = [
        ("7bit", inner.to_string(), b"7bit"),
        (
            "8bit",
            inner.replace(
                "\n\n",
                "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n안녕\n",
            ),
            b"8bit",
        ),
        (
            "binary",
            format!("{inner}{}\n", "x".repeat(1200)),
            b"binary",
        ),
    ];
    for (name, data, want) in cases {
        let b = MessageBuilder {
            from: vec![NameAddr::bare("a@example.com")],
            to: vec![NameAddr::bare("b@example.com")],
            date: DATE.into(),
            text: Some("see attached".into()),
            attachments: vec![Attachment {
                filename: "forwarded.eml".into(),
                content_type: "message/rfc822".into(),
                data: data.clone().into_bytes(),
            }],
            ..Default::default()
        };
        let msg = b.build(3).expect("builds");
        let (fields, body) = split(&msg);
        let boundary = parse_content_type(field(&fields, "content-type"))
            .get("boundary")
            .expect("boundary")
            .to_string();
        let top = parts(&body, &boundary);
        let (af, ab) = split(&top[1]);
        assert_eq!(field(&af, "content-transfer-encoding"), want, "{name}");
        assert_eq!(
            ab,
            data.replace('\n', "\r\n").into_bytes(),
            "{name}: CRLF body"
        );
        let parsed = crate::mime::parse::parse_message(&msg);
        let codes: Vec<&str> = parsed
            .lints
            .iter()
            .filter(|l| l.lint.severity > crate::lint::Severity::Info)
            .map(|l| l.lint.code.as_ref())
            .collect();
        let allowed: &[&str] = if name == "binary" {
            &["mime.line-too-long"]
        } else {
            &[]
        };
        assert!(
            codes.iter().all(|c| allowed.contains(c)),
            "{name}: {codes:?}"
        );
        assert!(
            !codes.contains(&"mime.message-encoded"),
            "{name}: {codes:?}"
        );
    }
}

/// Regression: a non-ASCII file name also went into an encoded-word `name=` parameter, which
/// RFC 2047 §5 forbids; `name*` (RFC 2231) carries it now.
#[test]
fn non_ascii_name_uses_rfc2231() {
    let b = MessageBuilder {
        from: vec![NameAddr::bare("a@example.com")],
        date: DATE.into(),
        attachments: vec![Attachment {
            filename: "보고서.pdf".into(),
            content_type: "application/pdf".into(),
            data: vec![1, 2, 3],
        }],
        ..Default::default()
    };
    let msg = String::from_utf8(b.build(1).expect("builds")).expect("ascii");
    assert!(!msg.contains("=?"), "{msg}");
    assert!(msg.contains("\r\n name*=UTF-8''%EB%B3%B4"), "{msg}");
}
