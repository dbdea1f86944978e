//! Tests of the inspector's view-model.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

const EUC_KR: &[u8] = b"From: a@example.org\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\nvsiz58fPvLy/5C4=\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=euc-kr''%BE%C8%B3%E7.txt\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";

#[test]
fn euc_kr_multipart_is_read_into_parts() {
    let m = Inspected::new("t.eml", EUC_KR.to_vec());
    assert_eq!(m.subject(), Some("안녕하세요."), "subject");
    assert_eq!(m.parts.len(), 3, "root and two parts: {:#?}", m.parts);
    assert_eq!(m.parts[1].section, "1");
    assert_eq!(m.parts[1].text.as_deref(), Some("안녕하세요."));
    assert_eq!(m.parts[2].filename.as_deref(), Some("안녕.txt"));
    assert_eq!(m.body(2), b"hello");
    assert_eq!(m.body(0), b"", "containers have no decoded body");
    let subject = &m.parts[0].fields[1];
    assert_eq!(subject.words.len(), 1);
    let w = &subject.words[0];
    assert_eq!(
        w.span.slice(&m.input),
        b"=?EUC-KR?B?vsiz58fPvLy/5C4=?=",
        "absolute word span"
    );
    assert_eq!(hex_bytes(&w.raw_bytes[..2]), "BE C8");
}

#[test]
fn offsets_map_to_the_innermost_node() {
    let m = Inspected::new("t.eml", EUC_KR.to_vec());
    let subject_at = EUC_KR
        .windows(8)
        .position(|w| w == b"Subject:")
        .expect("subject");
    assert_eq!(m.node_at(subject_at), Node::Field { part: 0, field: 1 });
    let body_at = EUC_KR
        .windows(8)
        .position(|w| w == b"aGVsbG8=")
        .expect("body");
    assert_eq!(m.node_at(body_at), Node::Part(2));
    assert_eq!(m.node_at(usize::MAX), Node::Part(0), "outside: the root");
    assert_eq!(m.span_of(Node::Part(2)), Some(m.parts[2].span));
    assert_eq!(m.span_of(Node::Lint(999)), None);
    assert_eq!(m.part_of(Node::Field { part: 2, field: 0 }), 2);
}

#[test]
fn lines_are_indexed() {
    let cases: &[(&[u8], Vec<usize>)] = &[
        (b"", vec![0]),
        (b"a\r\nb", vec![0, 3]),
        (b"a\nb\n", vec![0, 2]),
        (b"\n\n", vec![0, 1]),
    ];
    for (input, want) in cases {
        assert_eq!(&line_starts(input), want, "input {input:?}");
    }
    let m = Inspected::new("x", b"A: b\r\n\r\nbody\r\n".to_vec());
    assert_eq!(m.line_count(), 3);
    assert_eq!(m.line_of(7), 1);
    assert_eq!(m.line_span(2), Some(Span::new(8, 14)));
    assert_eq!(m.line_span(3), None);
}

#[test]
fn segments_mark_line_ends_and_highlight() {
    let input = b"Subject: hi\r\n";
    let segs = line_segments(input, Span::new(0, 13), Some(Span::new(9, 13)));
    let got: Vec<(&str, SegmentKind, bool)> = segs
        .iter()
        .map(|s| (s.text.as_str(), s.kind, s.highlighted))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Subject: ", SegmentKind::Text, false),
            ("hi", SegmentKind::Text, true),
            ("CR", SegmentKind::Marker, true),
            ("LF", SegmentKind::Marker, true),
        ]
    );
    let long = vec![b'x'; MAX_LINE_SHOWN + 10];
    let segs = line_segments(&long, Span::new(0, long.len()), None);
    assert_eq!(
        segs.last().map(|s| s.kind),
        Some(SegmentKind::Cut),
        "{segs:?}"
    );
    assert!(line_segments(b"", Span::new(5, 9), None).is_empty());
    let caret = line_segments(input, Span::new(0, 13), Some(Span::new(9, 9)));
    assert_eq!(
        caret.iter().map(|s| (s.kind, s.offset)).collect::<Vec<_>>(),
        vec![
            (SegmentKind::Text, 0),
            (SegmentKind::Caret, 9),
            (SegmentKind::Text, 9),
            (SegmentKind::Marker, 11),
            (SegmentKind::Marker, 12)
        ],
        "an empty span shows as a caret"
    );
    let end = line_segments(input, Span::new(0, 13), Some(Span::new(13, 13)));
    assert_eq!(
        end.last().map(|s| s.kind),
        Some(SegmentKind::Caret),
        "at the end of input"
    );
}

#[test]
fn hex_rows_are_capped() {
    let rows = hex_rows(b"Hello, world! 0123456789", 64);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].starts_with("00000000  48 65 6c"), "{}", rows[0]);
    assert!(rows[0].ends_with("Hello, world! 01"), "{}", rows[0]);
    assert_eq!(hex_rows(&[0u8; 100], 32).len(), 2, "limit respected");
}

#[test]
fn garbage_input_gives_a_view() {
    let mut seed = 7u64;
    for len in [0usize, 1, 100, 5000] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        let m = Inspected::new("g", bytes);
        assert!(!m.parts.is_empty(), "a root part always exists");
        for l in 0..m.line_count() {
            let span = m.line_span(l).expect("line");
            let _ = line_segments(&m.input, span, Some(Span::new(3, 50)));
        }
    }
}

#[test]
fn the_ui_fixture_reads_as_the_e2e_test_expects() {
    let eml = include_bytes!("../../../../../tests/fixtures/ui/euc-kr-multipart.eml");
    let m = Inspected::new("euc-kr-multipart.eml", eml.to_vec());
    assert_eq!(m.subject(), Some("안녕하세요."));
    let sections: Vec<(&str, &str)> = m
        .parts
        .iter()
        .map(|p| (p.section.as_str(), p.content_type.as_str()))
        .collect();
    assert_eq!(
        sections,
        vec![
            ("", "multipart/mixed"),
            ("1", "multipart/alternative"),
            ("1.1", "text/plain"),
            ("1.2", "text/html"),
            ("2", "text/plain"),
        ]
    );
    let first = m.first_text_part().expect("a text part");
    assert!(
        m.parts[first]
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with("안녕하세요. 메일스코프")),
        "body: {:?}",
        m.parts[first].text
    );
    assert_eq!(m.parts[4].filename.as_deref(), Some("보고서.txt"));
    assert!(
        m.parts[3]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("<script>")),
        "the HTML is decoded (and sandboxed by the view)"
    );
}

const RELATED: &[u8] = b"From: a@example.org\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>cid:x@y in text</p><img src=\"cid:logo%40example.org\"><img src='cid:nothere'><img src=\"https://tracker.example/p.gif\"><div style=\"background:url(cid:logo@example.org)\"></div>\r\n--r\r\nContent-Type: image/png\r\nContent-ID: < logo@example.org >\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--r--\r\n";

#[test]
fn content_ids_are_found_and_cid_urls_inlined() {
    let m = Inspected::new("r.eml", RELATED.to_vec());
    assert_eq!(m.find_by_content_id("logo@example.org"), Some(2));
    assert_eq!(
        m.find_by_content_id("logo%40example.org"),
        Some(2),
        "%-encoded"
    );
    assert_eq!(m.find_by_content_id("other@example.org"), None);
    let html = m.parts[1].text.clone().expect("html text");
    let out = m.html_with_inline_parts(&html);
    let want = "data:image/png;base64,iVBORw==";
    assert_eq!(
        (out.inlined, out.missing, out.remote),
        (2, 1, 1),
        "inlined/missing/remote in {:?}",
        out.html
    );
    assert_eq!(out.html.matches(want).count(), 2, "{}", out.html);
    assert!(
        out.html.contains("<p>cid:x@y in text</p>"),
        "text is left alone: {}",
        out.html
    );
    assert!(out.html.contains("src='cid:nothere'"), "{}", out.html);
}

#[test]
fn cid_rewriting_survives_odd_html() {
    let m = Inspected::new("r.eml", RELATED.to_vec());
    let cases = [
        "",
        "cid:",
        "src=\"cid:",
        "src=cid:logo@example.org",
        "é src=\"cid:%zz\" ünï",
        "<<<cid:cid:cid:>>>",
    ];
    for html in cases {
        let out = m.html_with_inline_parts(html);
        assert!(out.inlined <= 1, "{html:?} gave {out:?}");
    }
    assert_eq!(
        m.html_with_inline_parts("src=cid:logo@example.org").inlined,
        1
    );
    assert_eq!(
        count_remote("<link rel=stylesheet href=\"http://x\"><a href=\"http://y\">"),
        1
    );
}

/// A bounce that puts every kind of value of the view-model on the wire: a DSN with every
/// optional field (some set, some not), encoded-words with and without a language suffix
/// and a broken one, quoted-printable and base64 leaves, a nested message, an unclosed
/// multipart, and lints from several places.
const RICH: &[u8] = b"From: =?UTF-8*ko?B?7JWI64WV?= <mailer-daemon@example.org>\r\n\
Subject: =?ISO-8859-1?Q?D=E9livr=E9?= =?ISO-8859-1?Q?_failed?= =?bogus?X?zz?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"rb\"\r\n\
\r\n\
--rb\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=C3=A9 delivery failed.=\r\n\
 Bare\nLF\r\n\
--rb\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.org\r\n\
Arrival-Date: Mon, 23 Nov 2026 02:00:00 +0000\r\n\
\r\n\
Final-Recipient: rfc822; bob@example.com\r\n\
Original-Recipient: rfc822; Bob@Example.com\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Remote-MTA: dns; mx.example.com\r\n\
Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\
\r\n\
Final-Recipient: rfc822; carol@example.com\r\n\
Action: delayed\r\n\
Status: 4.4.1\r\n\
Will-Retry-Until: Tue, 24 Nov 2026 02:00:00 +0000\r\n\
\r\n\
--rb\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: a@example.org\r\n\
Subject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\
Content-Type: multipart/mixed; boundary=inner\r\n\
\r\n\
--inner\r\n\
Content-Type: application/octet-stream; name=\"a.bin\"\r\n\
Content-Disposition: attachment; filename*=utf-8''%ED%95%9C.bin\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAECAwQF/w==\r\n\
--inner\r\n\
Content-Type: text/plain; charset=unknown-8bit\r\n\
\r\n\
\xff\xfe high bytes\r\n\
--rb--\r\n";

#[test]
fn a_transfer_round_trips() {
    let rich = Inspected::new("bounce.eml", RICH.to_vec());
    // The rich message must really carry what the wire format could get wrong.
    let dsn = rich.dsn.as_ref().expect("the bounce has a DSN");
    assert_eq!(dsn.status.recipients.len(), 2, "{:?}", dsn.status);
    assert!(
        dsn.status.recipients[1].will_retry_until.is_some()
            && dsn.status.recipients[1].original_recipient.is_none(),
        "{:?}",
        dsn.status.recipients[1]
    );
    let words: Vec<_> = rich
        .parts
        .iter()
        .flat_map(|p| &p.fields)
        .flat_map(|f| &f.words)
        .collect();
    assert!(
        words.iter().any(|w| w.language.as_deref() == Some("ko"))
            && words.iter().any(|w| w.language.is_none() && w.joined)
            && words.iter().any(|w| !w.decoded),
        "{words:?}"
    );
    assert!(rich.lints.len() >= 2, "{:?}", rich.lints);
    assert!(rich.parts.iter().any(|p| p.unclosed), "{:?}", rich.parts);
    assert!(
        rich.parts
            .iter()
            .any(|p| matches!(p.body, Some(PartBody::Decoded(_))))
            && rich
                .parts
                .iter()
                .any(|p| matches!(p.body, Some(PartBody::Raw(_)))),
        "both kinds of bodies"
    );
    let cases: [(&str, &[u8]); 5] = [
        ("rich", RICH),
        ("euc-kr", EUC_KR),
        ("related", RELATED),
        ("empty", b""),
        ("no header", b"no header at all"),
    ];
    for (name, input) in cases {
        let m = Inspected::new("t.eml", input.to_vec());
        let t = m.clone().into_transfer().expect("transfer");
        let json = serde_json::to_string(&m).expect("json").len();
        assert!(
            t.model.len() < json,
            "{name}: the model is {} bytes, its JSON {json}",
            t.model.len()
        );
        let back = Inspected::from_transfer(t).expect("back");
        assert_eq!(back, m, "round trip of {name}");
    }
    let m = Inspected::new("t.eml", EUC_KR.to_vec());
    let mut t = m.clone().into_transfer().expect("transfer");
    t.bodies.push(vec![1]);
    assert_eq!(
        Inspected::from_transfer(t).err().as_deref(),
        Some("more decoded bodies than parts")
    );
    let mut t = m.clone().into_transfer().expect("transfer");
    t.line_starts.push(u32::MAX);
    assert!(
        Inspected::from_transfer(t).is_err(),
        "offsets past the end are refused"
    );
    let t = m.into_transfer().expect("transfer");
    for cut in [0, 1, t.model.len() / 2, t.model.len() - 1] {
        let short = Transfer {
            model: t.model[..cut].to_vec(),
            ..t.clone()
        };
        assert!(
            Inspected::from_transfer(short).is_err(),
            "a model cut at {cut} of {} is refused",
            t.model.len()
        );
    }
    let mut long = t.clone();
    long.model.push(0);
    assert_eq!(
        Inspected::from_transfer(long).err().as_deref(),
        Some("cannot decode: bytes left over")
    );
    for garbage in [vec![0xff; 64], b"{\"name\":\"x\"}".to_vec()] {
        let garbage = Transfer {
            model: garbage,
            ..Transfer::default()
        };
        assert!(Inspected::from_transfer(garbage).is_err());
    }
}

#[test]
fn download_names() {
    let m = Inspected::new("t.eml", EUC_KR.to_vec());
    assert_eq!(m.parts[2].download_name(), "안녕.txt");
    assert_eq!(m.parts[1].download_name(), "part-1.txt");
    assert_eq!(m.parts[0].download_name(), "message.bin");
}
