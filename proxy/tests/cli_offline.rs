//! The offline commands (`header`, `inspect`, `transcript`) and `--help` texts, run as the real
//! binary.

use std::path::PathBuf;

fn run(args: &[&str]) -> (i32, String, String) {
    let (code, stdout, stderr) = run_bytes(args);
    (code, String::from_utf8_lossy(&stdout).into_owned(), stderr)
}

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailscope-cli-offline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Bug: `header decode ''` printed a blank line and exited 0.
#[test]
fn header_decode_refuses_an_empty_value() {
    for value in ["", "  "] {
        let (code, out, err) = run(&["header", "decode", value]);
        assert_eq!(code, 2, "{value:?}: {out}{err}");
        assert!(out.is_empty(), "{out:?}");
        assert!(err.contains("the header value is empty"), "{err}");
    }
}

/// Bug: words that are not words came back unchanged without a finding.
#[test]
fn header_decode_says_why_nothing_was_decoded() {
    for (value, needle) in [
        ("=?UTF-8?B?not base64!!?=", "contains white space"),
        ("=?EUC-KR?B?vsiz58fPvLy/5C4=", "no closing \"?=\""),
    ] {
        let (code, out, err) = run(&["header", "decode", value]);
        // mime.encoded-word-invalid is an error (RFC 2047 §2), so the exit code is 1.
        assert_eq!(code, 1, "an error-level finding: {out}{err}");
        assert!(out.starts_with(&format!("{value}\n")), "{out}");
        assert!(out.contains("! mime.encoded-word-invalid [error]"), "{out}");
        assert!(out.contains(needle), "{out}");
        let (_, out, _) = run(&["header", "decode", "--json", value]);
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(
            doc["lints"][0]["code"], "mime.encoded-word-invalid",
            "{doc}"
        );
        assert_eq!(doc["lints"][0]["span"]["start"], 0, "{doc}");
    }
    // The same finding in a message's Subject, through `inspect`.
    let eml = file(
        "near-miss.eml",
        b"From: a@example.org\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=\r\n\r\nhi\r\n",
    );
    let (_, out, err) = run(&["inspect", eml.to_str().unwrap()]);
    assert!(out.contains("mime.encoded-word-invalid"), "{out}{err}");
    assert!(out.contains("no closing"), "{out}");
}

/// Bug: an empty file was inspected as an empty message; a binary one as a message of garbage.
#[test]
fn empty_and_binary_inputs_are_refused() {
    let empty = file("empty.eml", b"");
    let blank = file("blank.txt", b"\r\n  \n");
    let png = file(
        "image.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa",
    );
    let controls: Vec<u8> = (0..200u8).map(|i| i % 32).collect();
    let noise = file("noise.bin", &controls);
    for cmd in ["inspect", "transcript"] {
        let what = if cmd == "inspect" {
            "message"
        } else {
            "transcript"
        };
        for (path, needle) in [
            (&empty, "is empty".to_string()),
            (&blank, "is empty (only white space)".to_string()),
            (
                &png,
                format!("is not a {what}: its first bytes are binary data (NUL bytes)"),
            ),
            (&noise, format!("is not a {what}")),
        ] {
            let (code, out, err) = run(&[cmd, path.to_str().unwrap()]);
            assert_eq!(code, 2, "{cmd} {}: {out}{err}", path.display());
            assert!(err.contains(&needle), "{cmd} {}: {err}", path.display());
            assert!(out.is_empty(), "{out}");
        }
    }
    // 8-bit text is text.
    let latin = file(
        "latin.eml",
        "From: a@example.org\r\nSubject: caf\u{e9}\r\n\r\nGr\u{fc}\u{df}e\r\n".as_bytes(),
    );
    let (code, out, err) = run(&["inspect", latin.to_str().unwrap()]);
    assert_ne!(code, 2, "{out}{err}");
}

/// Bug: transcript lines that could not be read were dropped without a word.
#[test]
fn transcript_lists_ignored_lines() {
    let t = file(
        "session.txt",
        b"S: 220 x\nC: EHLO c\nS 250 no colon\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
    );
    let (code, out, err) = run(&["transcript", t.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("1 line ignored (not S:/C: lines):\n      3: S 250 no colon\n"),
        "{out}"
    );
    let (_, out, _) = run(&["transcript", "--json", t.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["ignored"][0]["line"], 3, "{doc}");
    assert_eq!(doc["ignored"][0]["text"], "S 250 no colon", "{doc}");
}

/// Bug: `send --help` had no exit-code table, and a missing `--server` listed `--from`, which
/// is optional, among the required arguments.
#[test]
fn send_help_and_usage() {
    let (code, out, _) = run(&["send", "--help"]);
    assert_eq!(code, 0);
    for needle in ["Exit codes", "  4  TLS handshake", " 12  protocol error"] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let (code, _, err) = run(&["send", "--to", "b@example.org"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("<--server <SERVER>|--mx <DOMAIN>|--sandbox>"),
        "{err}"
    );
    assert!(!err.contains("--from"), "--from is optional: {err}");
    let (_, out, _) = run(&["send", "--help"]);
    assert!(
        out.contains("optional: without it the reverse-path is null"),
        "{out}"
    );
    let (_, out, _) = run(&["mx", "--help"]);
    assert!(
        out.contains("Exit codes") && out.contains("SERVFAIL"),
        "{out}"
    );
}

fn run_bytes(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("run mailscope");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// New: `inspect --part N` prints a part's decoded body; the tree and JSON show the numbers.
#[test]
fn inspect_part_prints_decoded_bodies_by_imap_number() {
    let eml = file(
        "parts.eml",
        b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\nvsiz58fPvLy/5C4=\r\n\
--a\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAH/gA==\r\n\
--a\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n\
--a--\r\n",
    );
    let path = eml.to_str().unwrap();
    let (code, out, err) = run_bytes(&["inspect", "--part", "1", path]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out),
        "안녕하세요.",
        "EUC-KR text printed as UTF-8"
    );
    let (code, out, err) = run_bytes(&["inspect", "--part", "2", path]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, vec![0x00, 0x01, 0xFF, 0x80], "binary raw");
    let (_, out, _) = run_bytes(&["inspect", "--part", "3.2", path]);
    assert_eq!(String::from_utf8_lossy(&out), "<p>x</p>");
    let (code, out, err) = run_bytes(&["inspect", "--part", "4", path]);
    assert_eq!(code, 2, "{}", String::from_utf8_lossy(&out));
    assert!(
        err.contains("no part 4; its parts are 1, 2, 3, 3.1, 3.2"),
        "{err}"
    );
    let (_, out, _) = run(&["inspect", path]);
    for needle in [
        "(root) multipart/mixed",
        "\n  2 application/octet-stream",
        "\n    3.2 text/html",
    ] {
        assert!(out.contains(needle), "{needle:?} in\n{out}");
    }
    let (_, out, _) = run(&["inspect", "--json", path]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["parts"][0]["part"], serde_json::Value::Null);
    assert_eq!(doc["parts"][5]["part"], "3.1", "{}", doc["parts"]);
    // A single-part message's body is part 1.
    let single = file("single.eml", b"Subject: s\r\n\r\nonly body\r\n");
    let (_, out, _) = run_bytes(&["inspect", "--part", "1", single.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out), "only body\r\n");
}
