#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn codes(l: &[Lint]) -> Vec<&str> {
    l.iter().map(|l| l.code.as_ref()).collect()
}

#[test]
fn content_types() {
    // (input, type/subtype, [(name, value)], lint codes)
    let cases: &[(&str, &str, &[(&str, &str)], &[&str])] = &[
        ("text/plain", "text/plain", &[], &[]),
        ("Text/HTML; Charset=\"UTF-8\"", "text/html", &[("charset", "UTF-8")], &[]),
        (
            "multipart/mixed;\r\n\tboundary=\"----=_Part_1\"",
            "multipart/mixed",
            &[("boundary", "----=_Part_1")],
            &[],
        ),
        (
            "text/plain; charset=us-ascii (Plain text)",
            "text/plain",
            &[("charset", "us-ascii")],
            &[],
        ),
        (
            "text/plain (a (nested) comment); format=flowed;",
            "text/plain",
            &[("format", "flowed")],
            &[],
        ),
        ("text/plain; name=\"a\\\"b\"", "text/plain", &[("name", "a\"b")], &[]),
        (
            "multipart/mixed; boundary==_Part_1",
            "multipart/mixed",
            &[("boundary", "=_Part_1")],
            &["mime.param-invalid"],
        ),
        (
            "application/pdf; name=my file.pdf; x=1",
            "application/pdf",
            &[("name", "my file.pdf"), ("x", "1")],
            &["mime.param-invalid"],
        ),
        ("text", "text/plain", &[], &["mime.content-type-invalid"]),
        ("", "text/plain", &[], &["mime.content-type-invalid"]),
        ("/plain", "text/plain", &[], &["mime.content-type-invalid"]),
        (
            "text/plain; charset",
            "text/plain",
            &[],
            &["mime.param-invalid"],
        ),
        (
            "text/plain; charset=a; charset=b",
            "text/plain",
            &[("charset", "a")],
            &["mime.param-duplicate"],
        ),
        (
            "text/plain; name=\"unterminated",
            "text/plain",
            &[("name", "unterminated")],
            &["mime.param-invalid"],
        ),
        // RFC 2231 §4 example.
        (
            "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
            "application/x-stuff",
            &[("title", "This is ***fun***")],
            &[],
        ),
        // RFC 2231 §4.1 example: mixed extended and plain sections.
        (
            "application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
            "application/x-stuff",
            &[("title", "This is even more ***fun*** isn't it!")],
            &[],
        ),
        // RFC 2231 §3: plain continuations.
        (
            "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
            "message/external-body",
            &[
                ("access-type", "URL"),
                ("url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"),
            ],
            &[],
        ),
        (
            "text/plain; name*=UTF-8''%EC%95%88%EB%85%95.txt",
            "text/plain",
            &[("name", "안녕.txt")],
            &[],
        ),
        (
            "text/plain; name*=EUC-KR''%BE%C8%B3%E7",
            "text/plain",
            &[("name", "안녕")],
            &[],
        ),
        // Multi-byte character split across sections.
        (
            "text/plain; name*0*=UTF-8''%EC%95; name*1*=%88",
            "text/plain",
            &[("name", "안")],
            &[],
        ),
        // Out of order, gap, duplicate, leading zero.
        (
            "a/b; n*1=b; n*0=a",
            "a/b",
            &[("n", "ab")],
            &[],
        ),
        (
            "a/b; n*0=a; n*2=c",
            "a/b",
            &[("n", "ac")],
            &["mime.param-continuation-invalid"],
        ),
        (
            "a/b; n*1=b",
            "a/b",
            &[("n", "b")],
            &["mime.param-continuation-invalid"],
        ),
        (
            "a/b; n*0=a; n*0=x; n*1=b",
            "a/b",
            &[("n", "ab")],
            &["mime.param-continuation-invalid"],
        ),
        (
            "a/b; n*00=a",
            "a/b",
            &[("n", "a")],
            &["mime.param-continuation-invalid"],
        ),
        (
            "a/b; n*99999999999=a",
            "a/b",
            &[],
            &["mime.param-limit"],
        ),
        (
            "a/b; n*=x-nope''abc",
            "a/b",
            &[("n", "abc")],
            &["mime.charset-unknown"],
        ),
        (
            "a/b; n*=abc%zz",
            "a/b",
            &[("n", "abc%zz")],
            &["mime.param-invalid", "mime.param-invalid"],
        ),
        // filename* wins over filename.
        (
            "a/b; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9el.txt",
            "a/b",
            &[("filename", "réel.txt")],
            &[],
        ),
        // RFC 2047 in a name: decoded with an info lint.
        (
            "application/pdf; name=\"=?UTF-8?B?7JWI64WV?= =?UTF-8?B?LnBkZg==?=\"",
            "application/pdf",
            &[("name", "안녕.pdf")],
            &["mime.encoded-word-in-param"],
        ),
        (
            "application/pdf; name=\"=?x-nope?B?7JWI64WV?=\"",
            "application/pdf",
            &[("name", "=?x-nope?B?7JWI64WV?=")],
            &[],
        ),
        // Raw 8-bit values: UTF-8 accepted, anything else reported.
        ("a/b; name=\"caf\u{e9}\"", "a/b", &[("name", "café")], &[]),
        (
            "text/plain; charset=\"utf-8\" (unclosed",
            "text/plain",
            &[("charset", "utf-8")],
            &["mime.param-invalid"],
        ),
    ];
    for (raw, mime, params, want_codes) in cases {
        let ct = parse_content_type(raw.as_bytes());
        let got: Vec<(&str, &str)> = ct
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            (ct.mime_type().as_str(), got, codes(&ct.lints)),
            (*mime, params.to_vec(), want_codes.to_vec()),
            "input {raw:?}"
        );
        for l in &ct.lints {
            assert!(l.span.end <= raw.len(), "{raw:?}: span {:?}", l.span);
        }
    }
    let ct = parse_content_type(b"a/b; name=\"x\xffy\"");
    assert_eq!(
        (ct.get("NAME"), codes(&ct.lints)),
        (Some("x\u{FFFD}y"), vec!["mime.charset-mismatch"])
    );
}

#[test]
fn extended_metadata_and_spans() {
    let raw = "application/x; title*=utf-8'ko'%ED%95%9C; x=1";
    let ct = parse_content_type(raw.as_bytes());
    let p = &ct.params[0];
    assert_eq!(
        (
            p.charset.as_deref(),
            p.language.as_deref(),
            p.extended,
            p.span.slice(raw.as_bytes())
        ),
        (
            Some("utf-8"),
            Some("ko"),
            true,
            &b"title*=utf-8'ko'%ED%95%9C"[..]
        )
    );
    assert_eq!(ct.get("x"), Some("1"));
    assert!(!ct.is_multipart());
}

#[test]
fn dispositions() {
    let cases: &[(&str, &str, Option<&str>, &[&str])] = &[
        (
            "attachment; filename=\"a.pdf\"",
            "attachment",
            Some("a.pdf"),
            &[],
        ),
        ("INLINE", "inline", None, &[]),
        (
            "attachment;\r\n filename*0*=UTF-8''%ED%95%9C%EA%B8%80;\r\n filename*1*=.txt",
            "attachment",
            Some("한글.txt"),
            &[],
        ),
        ("; filename=a", "", Some("a"), &["mime.disposition-invalid"]),
        (
            "attachment junk; filename=a",
            "attachment",
            Some("a"),
            &["mime.disposition-invalid"],
        ),
    ];
    for (raw, kind, filename, want_codes) in cases {
        let d = parse_disposition(raw.as_bytes());
        assert_eq!(
            (d.kind.as_str(), d.get("filename"), codes(&d.lints)),
            (*kind, *filename, want_codes.to_vec()),
            "input {raw:?}"
        );
    }
}

fn continuation_input(n: usize, reversed: bool) -> String {
    let mut s = String::from("application/octet-stream");
    let order: Vec<usize> = if reversed {
        (0..n).rev().collect()
    } else {
        (0..n).collect()
    };
    for i in order {
        if i == 0 {
            s.push_str("; filename*0*=UTF-8''%41%42");
        } else {
            s.push_str(&format!(";\r\n filename*{i}*=%43%44"));
        }
    }
    s
}

#[test]
fn rfc2231_continuations_are_linear() {
    for reversed in [false, true] {
        let (small, w1) = parse_content_type_counted(continuation_input(400, reversed).as_bytes());
        let (big, w8) = parse_content_type_counted(continuation_input(3200, reversed).as_bytes());
        assert_eq!(
            small.get("filename").map(str::len),
            Some(800),
            "small value"
        );
        assert_eq!(big.get("filename").map(str::len), Some(6400), "big value");
        assert!(
            small.lints.is_empty() && big.lints.is_empty(),
            "{:?}",
            big.lints
        );
        let ratio = w8 as f64 / w1 as f64;
        let limit = if reversed { 11.5 } else { 8.5 };
        assert!(
            ratio < limit,
            "work ratio 8n/n = {ratio:.2} (reversed={reversed}, {w1} vs {w8})"
        );
    }
}

#[test]
fn hostile_inputs() {
    // Huge parameter counts are cut at the limit.
    let mut s = String::from("a/b");
    for i in 0..(MAX_PARAMS + 50) {
        s.push_str(&format!("; p{i}=v"));
    }
    let ct = parse_content_type(s.as_bytes());
    assert_eq!(ct.params.len(), MAX_PARAMS, "params kept");
    assert_eq!(codes(&ct.lints), vec!["mime.param-limit"]);
    // Many broken parameters: findings are capped.
    let broken = format!("a/b{}", "; x".repeat(10_000));
    let ct = parse_content_type(broken.as_bytes());
    assert_eq!(
        (ct.params.len(), ct.lints.len()),
        (0, MAX_LINTS),
        "capped findings"
    );
    // Deep comment nesting: no recursion.
    let deep = format!("a/b {}{}; x=1", "(".repeat(100_000), ")".repeat(100_000));
    let ct = parse_content_type(deep.as_bytes());
    assert_eq!((ct.mime_type().as_str(), ct.get("x")), ("a/b", Some("1")));
    let deep = format!("a/b; x=1 {}", "(".repeat(100_000));
    let ct = parse_content_type(deep.as_bytes());
    assert_eq!(codes(&ct.lints), vec!["mime.param-invalid"]);
    // Random bytes.
    let mut rng = crate::testutil::XorShift::new(0xDEAD_BEEF_CAFE_F00D);
    let alphabet = b"a/b;=*'%\"\\() \r\n0123456789xyzUTF-8\xff";
    for round in 0..400 {
        let buf = rng.bytes(round % 80, alphabet, round % 3 == 0);
        let ct = parse_content_type(&buf);
        let d = parse_disposition(&buf);
        for l in ct.lints.iter().chain(&d.lints) {
            assert!(
                l.span.start <= l.span.end && l.span.end <= buf.len(),
                "{buf:?}: {:?}",
                l.span
            );
        }
        for p in ct.params.iter().chain(&d.params) {
            assert!(p.span.end <= buf.len(), "{buf:?}: {:?}", p.span);
        }
    }
}
