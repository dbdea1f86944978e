//! `mailscope auth` run as the real binary: records from a zone file (`--records`) and from a
//! DNS server on loopback (`--dns`), text and JSON output, exit codes.

mod common;

use std::path::PathBuf;

use common::{dns_server, Answer};
use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};

const MESSAGE: &str = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\n\r\nHello Bob,\r\nsee you.\r\n";

fn key() -> SigningKey {
    SigningKey::from_pem(include_str!("../../core/tests/fixtures/auth/ed25519.pem")).unwrap()
}

fn signed() -> String {
    let field = sign(
        MESSAGE.as_bytes(),
        &key(),
        &SignOptions::new("example.org", "sel"),
    )
    .unwrap();
    String::from_utf8(field).unwrap() + MESSAGE
}

fn zone() -> String {
    format!(
        "; records for the test\n$ORIGIN example.org.\n\
         sel._domainkey 300 IN TXT \"{}\"\n\
         @              300 IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.esp.test -all\"\n\
         _dmarc         300 IN TXT \"v=DMARC1; p=reject; adkim=s\"\n\
         _spf.esp.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"\n",
        key().key_record()
    )
}

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailscope-cli-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .arg("auth")
        .args(args)
        .env("RUST_LOG", "off")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run mailscope auth");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn records_give_pass_with_every_step() {
    let eml = file("signed.eml", signed().as_bytes());
    let zone = file("test.zone", zone().as_bytes());
    let (code, out, err) = run(
        &[
            eml.to_str().unwrap(),
            "--records",
            zone.to_str().unwrap(),
            "--ip",
            "198.51.100.9",
            "--mail-from",
            "bounce@example.org",
            "--helo",
            "mx.example.org",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    for needle in [
        "DKIM signature 1 of 1: d=example.org s=sel → pass",
        "Fetch the key: sel._domainkey.example.org TXT",
        "Hash the canonical body (sha256) and compare with bh= ✓",
        "│ from:Alice <alice@example.org>␍␊",
        "SPF (mailfrom identity example.org, client 198.51.100.9) → pass",
        "include:_spf.esp.test matched",
        "DMARC (example.org) → pass",
        "ARC → none (the message has no ARC fields)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    let (code, out, err) = run(
        &[
            eml.to_str().unwrap(),
            "--records",
            zone.to_str().unwrap(),
            "--ip",
            "10.0.0.1",
            "--mail-from",
            "bounce@example.org",
            "--json",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["dkim"][0]["domain"], "example.org");
    assert_eq!(doc["dkim"][0]["selector"], "sel");
    assert_eq!(doc["dkim"][0]["result"], "pass");
    assert_eq!(doc["spf"]["result"], "fail", "{doc}");
    assert_eq!(doc["spf"]["domain"], "example.org");
    assert_eq!(doc["dmarc"]["result"], "pass");
    assert_eq!(doc["dmarc"]["policy"], "reject");
    assert_eq!(doc["arc"]["result"], "none");
    assert!(doc["dkim"][0]["canonical_header"]
        .as_str()
        .unwrap()
        .starts_with("from:Alice"));
}

#[test]
fn edits_fail_at_their_step_and_still_exit_0() {
    let zone = file("edit.zone", zone().as_bytes());
    let body_edit = signed().replace("see you.", "see you!");
    let (code, out, err) = run(
        &["-", "--records", zone.to_str().unwrap(), "--json"],
        Some(body_edit.as_bytes()),
    );
    assert_eq!(code, 0, "verdicts are data: {err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["dkim"][0]["result"], "fail");
    assert!(
        doc["dkim"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("body hash"),
        "{doc}"
    );
    assert_eq!(doc["dmarc"]["result"], "fail");
    assert_eq!(doc["dmarc"]["disposition"], "reject");
    assert_eq!(doc["spf"]["result"], "none", "no --ip");
    // The receiving server's own verdict is set beside Mailscope's.
    let stated = format!(
        "Authentication-Results: mx.example.net; dkim=pass header.d=example.org\r\n{body_edit}"
    );
    let (_, out, _) = run(
        &["-", "--records", zone.to_str().unwrap()],
        Some(stated.as_bytes()),
    );
    assert!(out.contains("by mx.example.net"), "{out}");
    assert!(
        out.contains("dkim=pass (example.org)  Mailscope: fail ✗ differs"),
        "{out}"
    );
    let subject_edit = signed().replace("Subject: hello", "Subject: hello!");
    let (_, out, _) = run(
        &["-", "--records", zone.to_str().unwrap()],
        Some(subject_edit.as_bytes()),
    );
    assert!(
        out.contains("Verify b= over the header block (ed25519-sha256) ✗"),
        "{out}"
    );
    // No key published: permerror, and the name is NXDOMAIN.
    let empty = file("empty.zone", b"; nothing\n");
    let (_, out, _) = run(
        &["-", "--records", empty.to_str().unwrap(), "--json"],
        Some(signed().as_bytes()),
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["dkim"][0]["result"], "permerror");
    assert_eq!(doc["dmarc"]["result"], "none");
    assert!(
        doc["lints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["code"] == "auth.dmarc-no-record"),
        "{doc}"
    );
}

#[test]
fn arc_chains_are_validated() {
    let text = include_str!("../../core/tests/fixtures/auth/arc-002.txt");
    let (keys, message) = text.split_once("\n\n").unwrap();
    let zone: String = keys
        .lines()
        .map(|l| {
            let (name, record) = l.split_once(' ').unwrap();
            format!("{name}. IN TXT \"{record}\"\n")
        })
        .collect();
    let zone = file("arc.zone", zone.as_bytes());
    let (code, out, err) = run(
        &["-", "--records", zone.to_str().unwrap()],
        Some(message.as_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ARC → pass (2 ARC set(s)"), "{out}");
    assert!(
        out.contains("ARC-Seal i=1 d=scamorza.org s=ed → pass"),
        "{out}"
    );
    let (_, out, _) = run(
        &["-", "--records", zone.to_str().unwrap(), "--json"],
        Some(message.as_bytes()),
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["arc"]["result"], "pass", "{doc}");
    assert_eq!(doc["arc"]["sets"][0]["instance"], 2);
    assert_eq!(doc["arc"]["sets"][0]["cv"], "pass");
}

#[test]
fn checks_that_cannot_run_exit_2() {
    let eml = file("ok.eml", signed().as_bytes());
    let bad_zone = file("bad.zone", b"example.org. IN A 1.2.3\n");
    for (args, needle) in [
        (
            vec![
                "/nonexistent/message.eml",
                "--records",
                bad_zone.to_str().unwrap(),
            ],
            "cannot open",
        ),
        (
            vec![
                eml.to_str().unwrap(),
                "--records",
                bad_zone.to_str().unwrap(),
            ],
            "line 1",
        ),
        (
            vec![eml.to_str().unwrap(), "--records", "/nonexistent.zone"],
            "cannot open",
        ),
        (
            vec![eml.to_str().unwrap(), "--ip", "not-an-ip"],
            "invalid value",
        ),
        (
            vec![
                eml.to_str().unwrap(),
                "--records",
                bad_zone.to_str().unwrap(),
                "--dns",
                "127.0.0.1:53",
            ],
            "cannot be used with",
        ),
    ] {
        let (code, out, err) = run(&args, None);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn dns_server_answers_the_queries() {
    let record = key().key_record();
    // A 2048-bit RSA key record is longer than one 255-byte TXT string: the server splits it and
    // the resolver joins it again.
    let rsa =
        SigningKey::from_pem(include_str!("../../core/tests/fixtures/auth/rsa2048.pem")).unwrap();
    let rsa_record = rsa.key_record();
    assert!(rsa_record.len() > 255);
    let dns = dns_server(vec![
        (
            "sel._domainkey.example.org",
            "TXT",
            Answer::Txt(vec![record]),
        ),
        (
            "rsa._domainkey.example.org",
            "TXT",
            Answer::Txt(vec![rsa_record]),
        ),
        (
            "example.org",
            "TXT",
            Answer::Txt(vec!["v=spf1 a:mail.example.org -all".into()]),
        ),
        (
            "mail.example.org",
            "A",
            Answer::A(vec!["192.0.2.25".parse().unwrap()]),
        ),
        (
            "_dmarc.example.org",
            "TXT",
            Answer::Txt(vec!["v=DMARC1; p=quarantine".into()]),
        ),
    ])
    .await
    .to_string();
    let twice = signed();
    let field = sign(
        twice.as_bytes(),
        &rsa,
        &SignOptions::new("example.org", "rsa"),
    )
    .unwrap();
    let eml = file("dns.eml", &[field, twice.into_bytes()].concat());
    let eml = eml.to_str().unwrap().to_owned();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .args([
            "auth",
            &eml,
            "--dns",
            &dns,
            "--ip",
            "192.0.2.25",
            "--mail-from",
            "a@example.org",
            "--json",
        ])
        .env("RUST_LOG", "off")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["dkim"][0]["result"], "pass", "{doc}");
    assert_eq!(doc["dkim"][0]["key"]["bits"], 2048, "{doc}");
    assert_eq!(doc["dkim"][1]["result"], "pass", "{doc}");
    assert_eq!(doc["spf"]["result"], "pass", "{doc}");
    assert_eq!(doc["dmarc"]["result"], "pass", "{doc}");
    assert_eq!(doc["dmarc"]["policy"], "quarantine");
}
