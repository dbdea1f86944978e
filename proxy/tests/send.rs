//! `mailscope send` (the binary) against the sandbox of an in-process `mailscope serve`.

mod common;

use std::net::SocketAddr;

use common::*;

async fn send(smtp: SocketAddr, args: &[&str]) -> (u8, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .args([
            "send",
            "--server",
            &smtp.to_string(),
            "--from",
            "a@example.org",
        ])
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .await
        .expect("run mailscope send");
    (
        out.status.code().unwrap_or(-1) as u8,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn send_exit_codes_per_stage() {
    let server = serve(&[]).await;
    let smtp = server.sandbox.as_ref().unwrap().addr;
    let demo = ["--auth", "plain", "--user", "demo", "--password", "demo"];
    let cases: Vec<(Vec<&str>, u8, &str)> = vec![
        (
            [
                &[
                    "--to",
                    "b@example.org",
                    "--tls",
                    "starttls",
                    "--no-verify",
                    "--pipelining",
                ][..],
                &demo[..],
            ]
            .concat(),
            0,
            " ~> AUTH PLAIN",
        ),
        (
            vec!["--to", "b@example.org", "--tls", "starttls"],
            4,
            "did not verify",
        ),
        (vec!["--to", "unknown@sandbox.test"], 10, "550 5.1.1"),
        (
            vec![
                "--to",
                "b@example.org",
                "--auth",
                "login",
                "--user",
                "demo",
                "--password",
                "nope",
            ],
            8,
            "535",
        ),
        (
            vec!["--to", "b@example.org", "--quit-after", "rcpt"],
            0,
            " -> QUIT",
        ),
        (
            vec![
                "--to",
                "b@example.org",
                "--chunking",
                "--subject",
                "chunked",
            ],
            0,
            " -> BDAT",
        ),
    ];
    for (args, want, needle) in cases {
        let (code, stdout, stderr) = send(smtp, &args).await;
        assert_eq!(code, want, "{args:?}\n{stdout}\n{stderr}");
        assert!(
            stdout.contains(needle) || stderr.contains(needle),
            "{args:?}: expected {needle:?} in\n{stdout}\n{stderr}"
        );
    }
    let store = &server.sandbox.as_ref().unwrap().store;
    let list = store.list();
    assert_eq!(list.len(), 2, "two messages delivered");
    assert!(list[0].meta.tls && list[0].meta.auth_user.as_deref() == Some("demo"));
    assert!(list[1].meta.bdat, "--chunking used BDAT");
}

#[tokio::test]
async fn send_json_is_one_document() {
    let server = serve(&[]).await;
    let smtp = server.sandbox.as_ref().unwrap().addr;
    let (code, stdout, _) = send(
        smtp,
        &[
            "--to",
            "b@example.org",
            "--json",
            "--body",
            "line one\nline two",
        ],
    )
    .await;
    assert_eq!(code, 0, "{stdout}");
    let doc: serde_json::Value =
        serde_json::from_str(stdout.trim()).expect("stdout is one JSON document");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["outcomes"][0]["delivered"], true, "{doc}");
    assert!(doc["transcript"].as_array().is_some_and(|t| t.len() > 5));
    let data = &server.sandbox.as_ref().unwrap().store.list()[0].data;
    assert!(String::from_utf8_lossy(data).ends_with("\r\nline one\r\nline two\r\n"));
}

#[tokio::test]
async fn send_attachments_arrive_and_parse_back() {
    let server = serve(&[]).await;
    let smtp = server.sandbox.as_ref().unwrap().addr;
    let dir = std::env::temp_dir().join(format!("mailscope-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join("Bericht März.pdf");
    let pdf_bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let notes = dir.join("notes.TXT");
    std::fs::write(&notes, b"plain notes\r\n").unwrap();
    let (code, stdout, stderr) = send(
        smtp,
        &[
            "--to",
            "b@example.org",
            "--subject",
            "Grüße",
            "--body",
            "see attached",
            "--header",
            "X-Lesson: attachments",
            "--header",
            "Cc: Carol <c@example.org>",
            "--attach",
            pdf.to_str().unwrap(),
            "--attach",
            notes.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let store = &server.sandbox.as_ref().unwrap().store;
    let data = store.list()[0].data.clone();
    let msg = mailscope_core::mime::parse::parse_message(&data);
    let root = msg.root().expect("root");
    assert_eq!(root.content_type, "multipart/mixed");
    let parts: Vec<(String, Option<String>)> = root
        .children
        .iter()
        .filter_map(|&c| msg.entity(c))
        .map(|e| (e.content_type.clone(), e.filename.clone()))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("text/plain".to_string(), None),
            (
                "application/pdf".to_string(),
                Some("Bericht März.pdf".to_string())
            ),
            ("text/plain".to_string(), Some("notes.TXT".to_string())),
        ],
        "parts (type, RFC 2231 file name)"
    );
    assert_eq!(
        msg.body(root.children[1]),
        &pdf_bytes[..],
        "base64 round trip"
    );
    assert_eq!(msg.body(root.children[2]), b"plain notes\r\n");
    assert_eq!(msg.header_text(0, "subject").as_deref(), Some("Grüße"));
    assert_eq!(
        msg.header_text(0, "x-lesson").as_deref(),
        Some("attachments")
    );
    let raw = String::from_utf8_lossy(&data);
    assert!(raw.contains("\r\nCc: Carol <c@example.org>\r\n"), "{raw}");
    assert!(
        raw.contains("@client.mailscope.test>\r\n"),
        "Message-ID: {raw}"
    );
    let (code, _, stderr) = send(
        smtp,
        &[
            "--to",
            "b@example.org",
            "--header",
            "Content-Type: text/html",
        ],
    )
    .await;
    assert_eq!(
        code, 2,
        "the builder's MIME fields cannot be replaced: {stderr}"
    );
    let (code, _, stderr) = send(
        smtp,
        &["--to", "b@example.org", "--attach", "/nonexistent/file.pdf"],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--attach"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn send_via_the_relay_with_starttls() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let smtp = format!("127.0.0.1:{port}");
    let server = serve(&["--sandbox", &smtp, "--allow-target", &smtp]).await;
    let url = format!("http://{}/#token={TOKEN}", server.addr);
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .args([
            "send",
            "--server",
            &smtp,
            "--from",
            "a@example.org",
            "--to",
            "b@example.org",
        ])
        .args([
            "--tls",
            "starttls",
            "--no-verify",
            "--auth",
            "cram-md5",
            "--user",
            "demo",
            "--password",
            "demo",
        ])
        .args(["--via", &url, "--token", TOKEN])
        .env("RUST_LOG", "off")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("through the relay"), "{stdout}");
    assert!(stdout.contains(" ~> AUTH CRAM-MD5"), "{stdout}");
    let list = server.sandbox.as_ref().unwrap().store.list();
    assert_eq!(list.len(), 1);
    assert!(list[0].meta.tls);
    // A wrong token is refused before any SMTP (exit 3).
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .args(["send", "--server", &smtp, "--to", "b@example.org"])
        .args(["--via", &url, "--token", "wrong-token-wrong-token-wrong"])
        .env("RUST_LOG", "off")
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An implicit-TLS SMTP server on loopback that greets, answers QUIT and closes, once per
/// connection.
async fn tls_smtp_server(acceptor: tokio_rustls::TlsAcceptor) -> SocketAddr {
    use tokio::io::AsyncWriteExt;
    let (listener, _) = test_server().await;
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = tls.write_all(b"220 tls.test ESMTP\r\n").await;
                let _ = tls.flush().await;
                loop {
                    let line = read_line(&mut tls).await;
                    if line.is_empty() {
                        return;
                    }
                    let reply: &[u8] = if line.to_ascii_uppercase().starts_with(b"QUIT") {
                        b"221 bye\r\n"
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = tls.write_all(reply).await;
                    let _ = tls.flush().await;
                }
            });
        }
    });
    addr
}

/// Bug: `--ca server.pem` with the server's own CA:TRUE self-signed certificate failed with
/// webpki's `CaUsedAsEndEntity`. Trusting that exact certificate works; another self-signed
/// certificate is still refused.
#[tokio::test]
async fn send_trusts_the_servers_own_ca_true_certificate() {
    let (acceptor, pem) = ca_true_acceptor();
    let (_, other_pem) = ca_true_acceptor();
    let smtp = tls_smtp_server(acceptor).await;
    let dir = std::env::temp_dir().join(format!("mailscope-ca-true-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let own = dir.join("server.pem");
    std::fs::write(&own, &pem).unwrap();
    let other = dir.join("other.pem");
    std::fs::write(&other, &other_pem).unwrap();
    let base = [
        "--to",
        "b@example.org",
        "--tls",
        "implicit",
        "--quit-after",
        "connect",
    ];
    let (code, stdout, stderr) = send(
        smtp,
        &[&base[..], &["--ca", own.to_str().unwrap()]].concat(),
    )
    .await;
    assert_eq!(code, 0, "own certificate trusted\n{stdout}\n{stderr}");
    assert!(stdout.contains("221 bye"), "{stdout}");
    let (code, stdout, stderr) = send(
        smtp,
        &[&base[..], &["--ca", other.to_str().unwrap()]].concat(),
    )
    .await;
    assert_eq!(
        code, 4,
        "another certificate is refused\n{stdout}\n{stderr}"
    );
    assert!(stderr.contains("did not verify") || stdout.contains("did not verify"));
}

/// New: `send --dkim-key` signs what it sends; the sandbox's stored copy verifies with the key
/// record the core derives from the same key, for RSA and Ed25519 keys.
#[tokio::test]
async fn send_signs_with_dkim() {
    use mailscope_core::auth::dkim::sign::SigningKey;
    use mailscope_core::auth::zone::Zone;
    use mailscope_core::auth::{Check, Envelope, Verdict};
    let server = serve(&[]).await;
    let smtp = server.sandbox.as_ref().unwrap().addr;
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/auth/");
    for (i, name) in ["ed25519.pem", "rsa2048.pem"].iter().enumerate() {
        let path = format!("{fixtures}{name}");
        let (code, out, err) = send(
            smtp,
            &[
                "--to",
                "b@example.org",
                "--body",
                "signed\nbody",
                "--dkim-key",
                &path,
                "--dkim-selector",
                "sel",
                "--dkim-domain",
                "example.org",
            ],
        )
        .await;
        assert_eq!(code, 0, "{out}{err}");
        let data = server.sandbox.as_ref().unwrap().store.list()[i]
            .data
            .clone();
        assert!(
            data.starts_with(b"DKIM-Signature: v=1; a="),
            "{}",
            String::from_utf8_lossy(&data)
        );
        let key = SigningKey::from_pem(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let zone = Zone::parse(&format!(
            "sel._domainkey.example.org. IN TXT \"{}\"",
            key.key_record()
        ))
        .unwrap();
        let report = Check::new(&data, Envelope::default(), u64::MAX / 2).run(|q| zone.answer(q));
        assert_eq!(
            report.dkim[0].result,
            Verdict::Pass,
            "{name}: {}",
            report.dkim[0].reason
        );
    }
    let (code, _, err) = send(
        smtp,
        &[
            "--to",
            "b@example.org",
            "--dkim-key",
            "/nonexistent.pem",
            "--dkim-selector",
            "s",
            "--dkim-domain",
            "d.test",
        ],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--dkim-key"), "{err}");
    let (code, _, err) = send(smtp, &["--to", "b@example.org", "--dkim-key", "/x.pem"]).await;
    assert_eq!(code, 2, "the selector and domain are required: {err}");
}

/// `send --via URL --sandbox`: the relay's own sandbox, without naming its address or allowing
/// it as a target (the page's "Sandbox" target).
#[tokio::test]
async fn send_via_the_relay_to_its_sandbox() {
    let server = serve(&[]).await;
    let url = format!("http://{}/#token={TOKEN}", server.addr);
    let run = |extra: &[&str]| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
            .args(["send", "--from", "a@example.org", "--to", "b@example.org"])
            .args(extra)
            .env("RUST_LOG", "off")
            .output()
    };
    let out = run(&["--via", &url, "--token", TOKEN, "--sandbox"])
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("through the relay"), "{stdout}");
    assert_eq!(server.sandbox.as_ref().unwrap().store.list().len(), 1);
    // --sandbox names the relay's sandbox: without --via there is none.
    let out = run(&["--sandbox"]).await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--via"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
