//! What annotation finds in a dialogue: lints and their spans, the DATA content, the JSON
//! document, hostile input, and masked secrets.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::smtp::reply::parse_reply;

/// (transcript in S:/C: form, expected lint codes)
const LINTS: &[(&str, &[&str])] = &[
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: RCPT TO:<a@b.example>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: DATA\nS: 503 need RCPT\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
    ),
    (
        "S: 220 x\nC: MAIL FROM:<a@b.example>\nS: 503 say hello\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
    ),
    (
        "S: 220 x\nC: QUIT\nS: 221 bye\nC: NOOP\n",
        &["smtp.out-of-sequence"],
    ),
    // Talking before the greeting breaks a SHOULD of RFC 5321 §4.3.1: a warning.
    (
        "C: EHLO c\nS: 220 x\nS: 250 x\nC: QUIT\nS: 221 bye\n",
        &["smtp.before-greeting"],
    ),
    (
        "S: 220 x\nS: 250 unasked\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 8BITMIME\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nS: 250 ok\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.pipelining-not-offered"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nC: DATA\nS: 250 ok\nS: 250 ok\nS: 354 go\nC: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &[],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: EHLO c\nC: NOOP\nS: 250 x\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.pipelining-not-offered"],
    ),
    ("S: 220 x\nC: EHLO c\nS: 250 x\n", &["smtp.no-quit"]),
    ("S: 220 x\nC: QUIT\n", &["smtp.quit-unanswered"]),
    ("S: 220 x\nC: EHLO c\nS: 421 4.3.2 shutting down\n", &[]),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGEAYg==\nS: 235 2.7.0 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.auth-without-tls"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE 1000\nC: MAIL FROM:<a@b.example> SIZE=5000\nS: 552 5.3.4 too big\nC: QUIT\nS: 221 bye\n",
        &["smtp.size-exceeded"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE 10\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: 0123456789abcdef\nC: .\nS: 552 too big\nC: QUIT\nS: 221 bye\n",
        &["smtp.size-exceeded"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE\nC: MAIL FROM:<a@b.example> SIZE=3\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: 0123456789abcdef\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.size-exceeded"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN Zm9v\nS: 535 5.7.8 no\nC: QUIT\nS: 221 bye\n",
        &["smtp.auth-plain-malformed", "smtp.auth-without-tls"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN\nS: 334 \nC: !!!\nS: 501 bad\nC: QUIT\nS: 221 bye\n",
        &["smtp.auth-plain-malformed", "smtp.auth-without-tls"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: h\u{e9}llo\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.8bit-without-8bitmime"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 8BITMIME\nC: MAIL FROM:<a@b.example> BODY=8BITMIME\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: h\u{e9}llo\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &[],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 550 4.1.1 odd\nC: QUIT\nS: 221 bye\n",
        &["smtp.enhanced-code-mismatch"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example> SIZE=100\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.extension-not-offered"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: STARTTLS\nS: 454 no TLS\nC: QUIT\nS: 221 bye\n",
        &["smtp.extension-not-offered"],
    ),
    (
        "S: 220 x\nC: HELO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: BDAT 4 LAST\nC: abcd\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.extension-not-offered"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<\u{fc}@b.example>\nS: 553 no\nC: QUIT\nS: 221 bye\n",
        &["smtp.utf8-without-smtputf8"],
    ),
    (
        "S: 220 x\nC: NOOP\nS: 25O oops\nC: QUIT\nS: 221 bye\n",
        &["smtp.reply-invalid"],
    ),
    (
        "S: 220 x\nC: NOOP\nS: 250-first\nC: QUIT\nS: 221 bye\n",
        &["smtp.reply-invalid"],
    ),
    (
        "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM: <a@b.example>\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        &["smtp.space-after-colon"],
    ),
    (
        "S: 220 x\nC: FOO\nS: 500 what\nC: QUIT\nS: 221 bye\n",
        &["smtp.unknown-command"],
    ),
    (
        "S: 220 x\nC: POST / HTTP/1.1\nS: 221 2.7.0 Error: not SMTP\n",
        &["smtp.http-request", "smtp.no-quit"],
    ),
    (
        "S: 220 x\nC: Host: 127.0.0.1:2525\nS: 221 2.7.0 Error: not SMTP\n",
        &["smtp.http-request", "smtp.no-quit"],
    ),
];

#[test]
fn dialogue_lints() {
    for &(input, expected) in LINTS {
        let a = annotate(input.as_bytes());
        assert_eq!(a.format, Format::Prefixed, "{input}");
        assert_eq!(
            codes(&a),
            expected,
            "lints of\n{input}\n{:#?}",
            a.all_lints()
        );
        for l in a.all_lints() {
            assert!(
                l.span.end <= input.len(),
                "span {:?} out of range in\n{input}",
                l.span
            );
        }
    }
}

#[test]
fn lint_spans_point_into_the_input() {
    let input = "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM: <a@b.example>\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
    let a = annotate(input.as_bytes());
    let lint = a.all_lints()[0].clone();
    let at = input.find("FROM: ").unwrap() + 5;
    assert_eq!(lint.span, Span::new(at, at + 1), "space after colon");
    let input = b"220 x\r\nEHLO c\r\n250 x\r\nMAIL FROM:<a@b.example>\r\n250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nbare\n.\r\n250 ok\r\nQUIT\r\n221 bye\r\n";
    let a = annotate(input);
    let lints = smtp_lints(&a);
    let got: Vec<&str> = lints.iter().map(|l| &*l.code).collect();
    // "\n.\r\n" does not end the data (RFC 5321 §4.1.1.4), but this server answered it as if
    // it did: the reply after the lenient '.' shows the smuggling it allows.
    assert_eq!(
        got,
        ["smtp.bare-lf", "smtp.smuggling-sequence"],
        "{lints:#?}"
    );
    assert_eq!(lints[0].span.slice(input), b"\n");
    assert_eq!(lints[0].span.start, find(input, b"bare\n") + 4);
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or(usize::MAX)
}

#[test]
fn message_seam_checks_lines() {
    let mut data = b"ok\r\nbare\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 1200));
    data.extend(b"\r\n.\r\n");
    let got: Vec<(String, usize)> = lint_message(&data)
        .into_iter()
        .filter(|l| l.code.starts_with("smtp."))
        .map(|l| (l.code.to_string(), l.span.start))
        .collect();
    assert_eq!(
        got,
        [
            ("smtp.bare-lf".to_string(), 8),
            ("smtp.line-too-long".to_string(), 9),
        ]
    );
    assert!(lint_message(b"").is_empty());
    assert!(lint_message(b"hello\r\n.\r\n")
        .iter()
        .all(|l| l.code.starts_with("mime.")));
    let codes: Vec<String> = lint_message(b"a\r\n.hidden\n.\nmore\r\n.\r\n")
        .into_iter()
        .map(|l| l.code.to_string())
        .collect();
    assert!(
        codes.iter().any(|c| c == "smtp.smuggling-sequence"),
        "smuggling found: {codes:?}"
    );
}

#[test]
fn elided_message_end() {
    let input = "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: Subject: hi\nS: 250 queued\nC: QUIT\nS: 221 bye\n";
    let a = annotate(input.as_bytes());
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    let Some(Parsed::Message {
        terminated, lines, ..
    }) = a
        .entries
        .iter()
        .map(|e| &e.parsed)
        .find(|p| matches!(p, Parsed::Message { .. }))
    else {
        panic!("no message entry")
    };
    assert_eq!((*terminated, *lines), (false, 1));
    assert_eq!(
        a.entries.last().map(|e| e.state_after),
        Some(SessionState::Closed)
    );
}

#[test]
fn json_document() {
    let a = annotate(LINTS[0].0.as_bytes());
    let v = a.to_json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["format"], "prefixed");
    let entries = v["entries"].as_array().expect("entries array");
    assert_eq!(entries.len(), a.entries.len());
    assert_eq!(entries[1]["parsed"]["kind"], "command");
    assert_eq!(entries[1]["parsed"]["command"]["verb"], "EHLO");
    assert_eq!(entries[0]["parsed"]["kind"], "reply");
    assert_eq!(entries[0]["state_after"], "greeted");
    let lint = &entries[3]["lints"][0];
    assert_eq!(lint["code"], "smtp.out-of-sequence");
    assert_eq!(lint["severity"], "error");
    assert!(lint["reference"]
        .as_str()
        .is_some_and(|r| r.starts_with("RFC ")));
    let a = annotate(b"S: 220 x\n");
    assert_eq!(a.to_json()["lints"][0]["code"], "smtp.no-quit");
}

#[test]
fn bdat_chunks_are_one_entry() {
    let input = "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250-PIPELINING\nS: 250 CHUNKING\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: BDAT 9\nC: abc\nC: def\nS: 250 ok\nC: BDAT 0 LAST\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
    let a = annotate(input.as_bytes());
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    let chunk = a.entries.iter().find_map(|e| match e.parsed {
        Parsed::Chunk { size, octets } => Some((size, octets)),
        _ => None,
    });
    assert_eq!(chunk, Some((9, 10)), "two lines with CRLF are 10 octets");
    assert_eq!(
        a.entries.last().map(|e| e.state_after),
        Some(SessionState::Closed)
    );
}

#[test]
fn hostile_input_never_panics() {
    use crate::smtp::command::parse_command;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    const PIECES: &[&[u8]] = &[
        b"S: ",
        b"C: ",
        b" -> ",
        b"<-  ",
        b" ~> ",
        b"<~ ",
        b"=== ",
        b"250",
        b"250-",
        b"354 ",
        b"220 ",
        b"334 ",
        b"221 ",
        b"421 ",
        b"550 5.1.1 ",
        b"EHLO x",
        b"MAIL FROM:<a@b>",
        b"RCPT TO:<",
        b"DATA",
        b"BDAT 5",
        b"BDAT 99999999999 LAST",
        b"AUTH PLAIN",
        b"STARTTLS",
        b"QUIT",
        b".",
        b"\r\n",
        b"\n",
        b"\r",
        b"\0",
        b"\xff\xfe",
        b" ",
        b"PIPELINING",
        b"\x16\x03\x01\x00\x05\x01",
        b"\x17\x03\x03\xff\xff",
        b"220 2.0.0 Ready to start TLS\r\n",
    ];
    for i in 0..3000 {
        let mut input = Vec::new();
        let n = next() % 40;
        for _ in 0..n {
            let r = next();
            if r % 4 == 0 {
                input.extend((0..r % 7).map(|k| (r >> (8 * k)) as u8));
            } else {
                input.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
            }
        }
        let _ = parse_command(&input);
        let _ = parse_reply(&input);
        for format in [Format::Prefixed, Format::Swaks, Format::Raw] {
            let t = Transcript::parse_as(&input, format);
            let a = t.annotate();
            for l in a.all_lints() {
                assert!(l.span.end <= input.len(), "iteration {i}: {l:?}");
                assert!(l.span.start <= l.span.end, "iteration {i}: {l:?}");
            }
            for e in &a.entries {
                assert!(
                    e.span.end <= input.len(),
                    "iteration {i}: entry span {:?}",
                    e.span
                );
            }
            let _ = a.to_json();
        }
    }
}

#[test]
fn data_is_linted_as_a_message_too() {
    let data = b"Subject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\r\nhello\r\n.\r\n";
    let codes: Vec<String> = lint_message(data)
        .into_iter()
        .map(|l| l.code.into_owned())
        .collect();
    assert!(codes.iter().any(|c| c == "mime.missing-from"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "mime.missing-date"), "{codes:?}");
    assert!(!codes.iter().any(|c| c == "mime.bare-lf"), "{codes:?}");
    for (input, want) in [
        (&b"a\r\n.\r\n"[..], &b"a\r\n"[..]),
        (b"a\n.\n", b"a\n"),
        (b".\r\n", b""),
        (b"a\r\nb", b"a\r\nb"),
    ] {
        assert_eq!(strip_end_of_data(input), want, "{input:?}");
    }
}

#[test]
fn secrets_are_masked_unless_revealed() {
    use base64_helper::b64;
    // (transcript, mechanism, user, password or token when revealed, masked lines)
    let plain = b64(b"\0alice\0wonderland");
    let xoauth = b64(b"user=alice@example.org\x01auth=Bearer ya29.secret-token\x01\x01");
    let cram = b64(b"alice 3dbc88f0624776a737b39093f6eb6427");
    let cases: Vec<(String, Option<&str>, Option<&str>, Vec<usize>)> = vec![
        (
            format!("S: 220 x\nC: EHLO c\nS: 250 AUTH PLAIN\nC: AUTH PLAIN {plain}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
            Some("alice"),
            Some("wonderland"),
            vec![3],
        ),
        (
            format!("S: 220 x\nC: EHLO c\nS: 250 AUTH PLAIN\nC: AUTH PLAIN\nS: 334 \nC: {plain}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
            Some("alice"),
            Some("wonderland"),
            vec![5],
        ),
        (
            format!("S: 220 x\nC: EHLO c\nS: 250 AUTH LOGIN\nC: AUTH LOGIN {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 ok\nC: QUIT\nS: 221 bye\n", b64(b"alice"), b64(b"wonderland")),
            Some("alice"),
            Some("wonderland"),
            vec![5],
        ),
        (
            format!("S: 220 x\nC: EHLO c\nS: 250 AUTH XOAUTH2\nC: AUTH XOAUTH2 {xoauth}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
            Some("alice@example.org"),
            Some("ya29.secret-token"),
            vec![3],
        ),
        (
            format!("S: 220 x\nC: EHLO c\nS: 250 AUTH CRAM-MD5\nC: AUTH CRAM-MD5\nS: 334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=\nC: {cram}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
            Some("alice"),
            None,
            vec![],
        ),
    ];
    for (input, user, secret, masked_entries) in cases {
        let t = Transcript::parse(input.as_bytes());
        let hidden = t.annotate();
        let shown = t.annotate_with(&AnnotateOptions {
            reveal_secrets: true,
        });
        assert!(!hidden.secrets_revealed && shown.secrets_revealed);
        let auth_of = |a: &AnnotatedTranscript| {
            a.entries
                .iter()
                .find_map(|e| e.auth.clone())
                .unwrap_or_else(|| panic!("no AUTH decoded in\n{input}"))
        };
        let (h, s) = (auth_of(&hidden), auth_of(&shown));
        assert_eq!(h.authcid.as_deref(), user, "user stays visible:\n{input}");
        assert_eq!(s.authcid.as_deref(), user, "{input}");
        let revealed = s.password.clone().or(s.token.clone());
        assert_eq!(revealed.as_deref(), secret, "revealed secret of\n{input}");
        if let Some(secret) = secret {
            let masked = mask_secret(secret);
            let hidden_secret = h.password.clone().or(h.token.clone());
            assert_eq!(hidden_secret, Some(masked), "{input}");
        } else {
            assert!(
                h.digest.is_some() && h.digest == s.digest,
                "CRAM-MD5 digest is shown"
            );
        }
        for (i, (he, se)) in hidden.entries.iter().zip(&shown.entries).enumerate() {
            let masked = he.text.contains(SECRET_MASK);
            assert_eq!(
                masked,
                masked_entries.contains(&i),
                "entry {i} {:?} of\n{input}",
                he.text
            );
            assert!(!se.text.contains(SECRET_MASK), "revealed entry {i}");
            if masked {
                // Nothing of the secret's base64 is left, in the text or the JSON.
                let json = serde_json::to_string(&hidden.to_json()).unwrap_or_default();
                let b64_line = se.text.rsplit(' ').next().unwrap_or_default();
                assert!(!he.text.contains(b64_line), "{}", he.text);
                assert!(!json.contains(b64_line), "JSON leaks {b64_line}");
                if let Some(secret) = secret {
                    assert!(!json.contains(secret), "JSON leaks {secret}");
                }
            }
        }
    }
}

mod base64_helper {
    pub(super) fn b64(bytes: &[u8]) -> String {
        crate::smtp::auth::encode_base64(bytes)
    }
}

/// Bug: every Mailbox transcript ended at `250 … queued` (the sandbox stores before QUIT) and
/// was flagged "no QUIT". A transcript that ends with the open-session note is not judged as
/// ended; the same dialogue without the note is.
#[test]
fn an_open_session_is_not_judged_as_ended() {
    let head = "<-  220 sandbox ESMTP\n -> EHLO c\n<-  250 sandbox\n -> MAIL FROM:<a@b.example>\n<-  250 2.1.0 Ok\n -> RCPT TO:<c@d.example>\n<-  250 2.1.5 Ok\n -> DATA\n<-  354 go\n -> hi\n -> .\n<-  250 2.0.0 Ok: queued as MS1\n";
    let open = annotate(format!("{head}{OPEN_NOTE}\n").as_bytes());
    assert!(open.open, "the note marks it open");
    assert!(
        open.lints.iter().all(|l| l.code != "smtp.no-quit"),
        "{:?}",
        open.lints
    );
    assert_eq!(open.to_json()["open"], true);
    let ended = annotate(head.as_bytes());
    assert!(!ended.open);
    assert!(
        ended.lints.iter().any(|l| l.code == "smtp.no-quit"),
        "{:?}",
        ended.lints
    );
    // The note counts only as the last line: a session that went on after it was judged.
    let went_on = annotate(format!("{head}{OPEN_NOTE}\n -> RSET\n<-  250 Ok\n").as_bytes());
    assert!(!went_on.open);
    assert!(went_on.lints.iter().any(|l| l.code == "smtp.no-quit"));
}

/// Bug: a malformed SASL response's finding was attached to the earlier AUTH line. It goes to
/// the response that caused it.
#[test]
fn a_bad_sasl_response_is_flagged_on_its_own_line() {
    let a = annotate(b"S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH CRAM-MD5\nC: AUTH CRAM-MD5\nS: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\nC: MAIL FROM:<a@example.org>\nS: 535 5.7.8 bad\nC: QUIT\nS: 221 bye\n");
    let codes = |i: usize| -> Vec<String> {
        a.entries[i]
            .lints
            .iter()
            .map(|l| l.code.to_string())
            .collect()
    };
    assert!(codes(3).is_empty(), "the AUTH line: {:?}", codes(3));
    assert_eq!(codes(5), vec!["smtp.auth-payload-malformed"]);
}
