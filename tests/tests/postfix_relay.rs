//! Full SMTP dialogues from a relay v1 client through `mailscope serve`'s `/relay` into a real
//! private Postfix on loopback, on its three listeners; the delivered Maildir file is compared
//! with the bytes sent.

use base64::Engine;
use mailscope_core::relay::{ClientFrame, Closer, RelayFrame, Target, TlsMode};
use mailscope_e2e::postfix::{delivered_intact, Postfix, PASSWORD, USER};
use mailscope_e2e::relay_client::RelayClient;
use mailscope_e2e::Serve;

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.test>\r\n\
         To: Bob <bob@example.test>\r\n\
         Subject: {subject}\r\n\
         Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n\
         Message-ID: <{subject}@mailscope.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Hello through the relay.\r\n\
         A long line: {}\r\n\
         Last line.\r\n",
        "x".repeat(900)
    )
    .into_bytes()
}

fn expect(reply: &str, code: &str) {
    assert!(
        reply.lines().last().is_some_and(|l| l.starts_with(code)),
        "expected {code}, got {reply:?}"
    );
}

async fn connect(c: &mut RelayClient, addr: std::net::SocketAddr, tls: TlsMode, sni: Option<&str>) {
    c.send(&ClientFrame::Connect {
        target: Target::Host {
            host: addr.ip().to_string(),
            port: addr.port(),
        },
        tls,
        sni: sni.map(str::to_string),
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Connected { peer, .. } => assert_eq!(peer, addr.to_string()),
        other => panic!("expected connected, got {other:?}"),
    }
}

async fn tls_frame(c: &mut RelayClient) -> (bool, Option<String>) {
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Tls {
            verified,
            verify_error,
            version,
            chain,
            ..
        } => {
            assert!(version.starts_with("TLSv1."), "{version}");
            assert!(
                chain
                    .first()
                    .is_some_and(|cert| cert.sans.contains(&"mail.test".to_string())),
                "{chain:?}"
            );
            (verified, verify_error)
        }
        other => panic!("expected tls, got {other:?}"),
    }
}

async fn send_mail(c: &mut RelayClient, to: &str, body: &[u8]) {
    expect(&c.command("MAIL FROM:<alice@example.test>").await, "250");
    expect(&c.command(&format!("RCPT TO:<{to}>")).await, "250");
    expect(&c.command("DATA").await, "354");
    let mut data = body.to_vec();
    data.extend_from_slice(b".\r\n");
    c.send_data(&data).await;
    expect(&c.reply().await, "250");
    expect(&c.command("QUIT").await, "221");
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Closed { by, .. } => assert_eq!(by, Closer::Server),
        other => panic!("expected closed by the server, got {other:?}"),
    }
}

fn auth_plain() -> String {
    let raw = format!("\0{USER}\0{PASSWORD}");
    format!(
        "AUTH PLAIN {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

#[tokio::test]
async fn relay_starttls_into_postfix_port_25_role() {
    let pf = Postfix::start();
    let serve = Serve::start(&["--allow-target", &pf.smtp.to_string()]);
    let mut c = RelayClient::open(&serve).await;
    connect(&mut c, pf.smtp, TlsMode::None, None).await;
    expect(&c.reply().await, "220");
    let ehlo = c.command("EHLO client.test").await;
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    expect(&c.command("STARTTLS").await, "220");
    c.send(&ClientFrame::Starttls {
        sni: Some("mail.test".into()),
    })
    .await;
    let (verified, why) = tls_frame(&mut c).await;
    assert!(!verified, "a self-signed certificate must not verify");
    assert!(why.is_some_and(|w| w.contains("trusted authority")));
    expect(&c.command("EHLO client.test").await, "250");
    let body = message("relay-starttls");
    send_mail(&mut c, "bob@example.test", &body).await;
    let got = pf.wait_for("bob", 1);
    assert!(
        delivered_intact(&got[0], &body),
        "delivered message differs:\n{}",
        String::from_utf8_lossy(&got[0])
    );
}

#[tokio::test]
async fn relay_submission_starttls_auth_into_postfix() {
    let pf = Postfix::start();
    let ca = pf.dir.join("etc/cert.pem");
    let serve = Serve::start(&[
        "--allow-target",
        &pf.submission.to_string(),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    let mut c = RelayClient::open(&serve).await;
    connect(&mut c, pf.submission, TlsMode::None, None).await;
    expect(&c.reply().await, "220");
    expect(&c.command("EHLO client.test").await, "250");
    // Submission refuses mail before TLS and AUTH.
    expect(&c.command("MAIL FROM:<alice@example.test>").await, "530");
    expect(&c.command("STARTTLS").await, "220");
    c.send(&ClientFrame::Starttls {
        sni: Some("mail.test".into()),
    })
    .await;
    let (verified, why) = tls_frame(&mut c).await;
    assert!(verified, "verifies with --ca: {why:?}");
    let ehlo = c.command("EHLO client.test").await;
    assert!(ehlo.contains("AUTH"), "{ehlo}");
    expect(&c.command(&auth_plain()).await, "235");
    let body = message("relay-submission");
    send_mail(&mut c, "bob@example.test", &body).await;
    let got = pf.wait_for("bob", 1);
    assert!(delivered_intact(&got[0], &body), "{}", pf.log());
}

#[tokio::test]
async fn relay_implicit_tls_auth_into_postfix() {
    let pf = Postfix::start();
    let serve = Serve::start(&["--allow-target", &pf.smtps.to_string()]);
    let mut c = RelayClient::open(&serve).await;
    connect(&mut c, pf.smtps, TlsMode::Implicit, Some("mail.test")).await;
    let (verified, _) = tls_frame(&mut c).await;
    assert!(!verified);
    expect(&c.reply().await, "220");
    expect(&c.command("EHLO client.test").await, "250");
    expect(&c.command(&auth_plain()).await, "235");
    let body = message("relay-implicit");
    send_mail(&mut c, "alice@example.test", &body).await;
    let got = pf.wait_for("alice", 1);
    assert!(delivered_intact(&got[0], &body), "{}", pf.log());
}
