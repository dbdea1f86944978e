//! The sandbox SMTP server of `mailscope serve` against swaks (an independent client), raw TCP
//! peers and the relay, and its `/api/messages`.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::sandbox::*;
use common::*;
use mailscope_core::relay::{ClientFrame, RelayFrame, Target, TlsMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn swaks_starttls_auth_plain_pipelining() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let (ok, out) = swaks(
        smtp,
        &[
            "--to",
            "bob@example.org",
            "--tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            "demo",
            "--auth-password",
            "demo",
            "--pipeline",
            "--header",
            "Subject: sandbox test",
        ],
    )
    .await;
    assert!(ok, "{out}");
    assert!(
        out.contains("PIPELINING") && out.contains("STARTTLS"),
        "{out}"
    );
    let list = messages(server.addr).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let m = &list[0];
    assert_eq!(m["tls"], true);
    assert_eq!(m["auth_user"], "demo");
    assert_eq!(m["envelope"]["from"], "sender@example.org");
    assert_eq!(m["envelope"]["rcpts"][0]["address"], "bob@example.org");
    let id = m["id"].as_u64().unwrap();
    let raw = api(server.addr, "GET", &format!("/api/messages/{id}/raw"), 200).await;
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("Subject: sandbox test\r\n"), "{raw}");
    let transcript = api(
        server.addr,
        "GET",
        &format!("/api/messages/{id}/transcript"),
        200,
    )
    .await;
    let transcript = String::from_utf8_lossy(&transcript);
    assert!(transcript.contains(" -> STARTTLS"), "{transcript}");
    assert!(transcript.contains(" ~> AUTH PLAIN"), "{transcript}");
    let annotated = api(
        server.addr,
        "GET",
        &format!("/api/messages/{id}/transcript?annotated=1"),
        200,
    )
    .await;
    let annotated: serde_json::Value = serde_json::from_slice(&annotated).unwrap();
    assert_eq!(annotated["version"], 1);
    api(server.addr, "DELETE", &format!("/api/messages/{id}"), 204).await;
    assert!(messages(server.addr).await.is_empty());
}

#[tokio::test]
async fn swaks_auth_login_and_cram_md5() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    for mech in ["LOGIN", "CRAM-MD5"] {
        let (ok, out) = swaks(
            smtp,
            &[
                "--to",
                "bob@example.org",
                "--tls",
                "--auth",
                mech,
                "--auth-user",
                "alice@sandbox.test",
                "--auth-password",
                "alice",
            ],
        )
        .await;
        assert!(ok, "{mech}: {out}");
        assert!(out.contains("235"), "{mech}: {out}");
    }
    let (ok, out) = swaks(
        smtp,
        &[
            "--to",
            "bob@example.org",
            "--auth",
            "PLAIN",
            "--auth-user",
            "demo",
            "--auth-password",
            "wrong",
        ],
    )
    .await;
    assert!(!ok, "a wrong password must fail: {out}");
    assert!(out.contains("535"), "{out}");
    assert_eq!(messages(server.addr).await.len(), 2);
}

#[tokio::test]
async fn lesson_recipients_fail_as_documented() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    for (rcpt, code) in [
        ("unknown@sandbox.test", "550 5.1.1"),
        ("full@sandbox.test", "452"),
        ("greylist@sandbox.test", "451"),
        ("policy@sandbox.test", "550 5.7.1"),
    ] {
        let (ok, out) = swaks(smtp, &["--to", rcpt]).await;
        assert!(!ok, "{rcpt} must be refused: {out}");
        assert!(out.contains(code), "{rcpt}: expected {code} in {out}");
    }
    assert!(messages(server.addr).await.is_empty());
}

#[tokio::test]
async fn bounce_recipient_gets_a_generated_dsn() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let (ok, out) = swaks(
        smtp,
        &[
            "--to",
            "bounce@sandbox.test,bob@example.org",
            "--header",
            "Subject: will bounce",
        ],
    )
    .await;
    assert!(ok, "bounce@ is accepted with 250: {out}");
    let list = messages(server.addr).await;
    assert_eq!(list.len(), 2, "the message and its DSN: {list:?}");
    let dsn = &list[1];
    assert_eq!(dsn["envelope"]["from"], "", "a DSN has a null reverse-path");
    assert_eq!(
        dsn["envelope"]["rcpts"][0]["address"], "sender@example.org",
        "to the envelope sender"
    );
    let id = dsn["id"].as_u64().unwrap();
    let raw = api(server.addr, "GET", &format!("/api/messages/{id}/raw"), 200).await;
    let msg = mailscope_core::mime::parse::parse_message(&raw);
    let root = msg.root().expect("a root entity");
    assert_eq!(root.content_type, "multipart/report");
    let kinds: Vec<&str> = root
        .children
        .iter()
        .filter_map(|&c| msg.entity(c))
        .map(|e| e.content_type.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "text/plain",
            "message/delivery-status",
            "text/rfc822-headers"
        ]
    );
    let report = mailscope_core::mime::dsn::find_report(&msg).expect("a delivery-status report");
    assert_eq!(report.status.lints, vec![]);
    let got: Vec<(String, Option<&str>, Option<&str>)> = report
        .status
        .recipients
        .iter()
        .map(|r| {
            (
                r.final_recipient
                    .as_ref()
                    .map(|t| t.value.clone())
                    .unwrap_or_default(),
                r.action.as_deref(),
                r.status.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(
            "bounce@sandbox.test".to_string(),
            Some("failed"),
            Some("5.1.1")
        )],
        "only bounce@ failed"
    );
    let diag = report.status.recipients[0].diagnostic_code.clone().unwrap();
    assert!(diag.value.starts_with("550 5.1.1"), "{diag:?}");
    let headers = String::from_utf8_lossy(msg.body(root.children[2]));
    assert!(headers.contains("Subject: will bounce"), "{headers}");
    assert_eq!(
        msg.header_text(0, "to").as_deref(),
        Some("sender@example.org")
    );
}

/// Sends one SMTP command and returns the reply.
async fn cmd(s: &mut TcpStream, line: &str) -> String {
    s.write_all(line.as_bytes()).await.unwrap();
    read_reply(s).await
}

#[tokio::test]
async fn no_dsn_for_a_null_sender_or_notify_never() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    for (mail, rcpt) in [
        ("MAIL FROM:<>\r\n", "RCPT TO:<bounce@sandbox.test>\r\n"),
        (
            "MAIL FROM:<a@example.org>\r\n",
            "RCPT TO:<bounce@sandbox.test> NOTIFY=NEVER\r\n",
        ),
    ] {
        let mut s = TcpStream::connect(smtp).await.unwrap();
        assert!(read_reply(&mut s).await.starts_with("220"));
        assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
        assert!(cmd(&mut s, mail).await.starts_with("250"), "{mail}");
        assert!(cmd(&mut s, rcpt).await.starts_with("250"), "{rcpt}");
        assert!(cmd(&mut s, "DATA\r\n").await.starts_with("354"));
        let reply = cmd(&mut s, "Subject: x\r\n\r\nhi\r\n.\r\n").await;
        assert!(reply.starts_with("250"), "{reply}");
        cmd(&mut s, "QUIT\r\n").await;
    }
    let list = messages(server.addr).await;
    assert_eq!(list.len(), 2, "two messages and no DSN: {list:?}");
}

async fn read_reply(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).to_string();
        if text.ends_with("\r\n")
            && text
                .trim_end()
                .rsplit("\r\n")
                .next()
                .is_some_and(|l| l.as_bytes().get(3) == Some(&b' '))
        {
            return text;
        }
        let n = tokio::time::timeout(WAIT, s.read(&mut buf))
            .await
            .expect("a reply in time")
            .unwrap();
        assert!(n > 0, "closed after {text:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn smuggling_vectors_never_make_a_second_message() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    for (i, end) in ["\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r"]
        .iter()
        .enumerate()
    {
        let mut s = TcpStream::connect(smtp).await.unwrap();
        read_reply(&mut s).await;
        for cmd in [
            "EHLO x",
            "MAIL FROM:<a@example.org>",
            "RCPT TO:<b@example.org>",
            "DATA",
        ] {
            s.write_all(format!("{cmd}\r\n").as_bytes()).await.unwrap();
            read_reply(&mut s).await;
        }
        let body = format!(
            "Subject: {i}\r\n\r\nhello{end}MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nsmuggled\r\n.\r\n"
        );
        s.write_all(body.as_bytes()).await.unwrap();
        let reply = read_reply(&mut s).await;
        s.write_all(b"QUIT\r\n").await.unwrap();
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut rest)).await;
        let rest = String::from_utf8_lossy(&rest);
        assert!(
            !rest.contains("354"),
            "vector {end:?}: a second DATA was accepted: {reply}{rest}"
        );
    }
    for m in messages(server.addr).await {
        assert_ne!(m["envelope"]["from"], "evil@example.org", "smuggled: {m}");
    }
}

#[tokio::test]
async fn pipelined_bytes_after_starttls_are_refused() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let mut s = TcpStream::connect(smtp).await.unwrap();
    read_reply(&mut s).await;
    s.write_all(b"EHLO x\r\n").await.unwrap();
    read_reply(&mut s).await;
    s.write_all(b"STARTTLS\r\nMAIL FROM:<a@example.org>\r\n")
        .await
        .unwrap();
    // The two commands arrive in one segment, so the server sees the MAIL pipelined behind the
    // STARTTLS: it refuses with 554 (RFC 3207 §4.2, CVE-2011-0411) and discards the MAIL rather
    // than saying 220 and keeping bytes sent before the handshake.
    let reply = read_reply(&mut s).await;
    assert!(
        reply.starts_with("554 5.5.1 ") && reply.lines().count() == 1,
        "STARTTLS with bytes pipelined behind it: {reply}"
    );
    // The MAIL was never seen: the next reply answers RCPT, and says no transaction is open.
    s.write_all(b"RCPT TO:<b@example.org>\r\n").await.unwrap();
    let reply = read_reply(&mut s).await;
    assert!(
        reply.starts_with("503 5.5.1 Error: need MAIL command"),
        "the MAIL pipelined after STARTTLS was kept: {reply}"
    );
}

#[tokio::test]
async fn relay_reaches_the_sandbox() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let mut c = open_with(server.addr, good_hello(server.addr))
        .await
        .unwrap();
    match c.next().await {
        Event::Frame(RelayFrame::Hello { sandbox, .. }) => {
            assert_eq!(sandbox, Some(smtp.to_string()))
        }
        other => panic!("expected hello, got {other:?}"),
    }
    c.send(&ClientFrame::Connect {
        target: Target::Sandbox { sandbox: true },
        tls: TlsMode::None,
        sni: None,
    })
    .await;
    assert!(matches!(
        c.frame(&mut Vec::new()).await,
        RelayFrame::Connected { .. }
    ));
    c.read_until(b"sandbox.mailscope.test ESMTP").await;
    c.send_data(b"EHLO page\r\n").await;
    c.read_until(b"STARTTLS").await;
    c.send_data(b"STARTTLS\r\n").await;
    c.read_until(b"220").await;
    c.send(&ClientFrame::Starttls { sni: None }).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Tls {
            chain, verified, ..
        } => {
            assert!(!verified, "the sandbox's certificate is self-signed");
            assert!(chain[0]
                .sans
                .contains(&"sandbox.mailscope.test".to_string()));
        }
        other => panic!("expected tls, got {other:?}"),
    }
    c.send_data(b"EHLO page\r\n").await;
    c.read_until(b"AUTH").await;
}

#[tokio::test]
async fn api_is_guarded() {
    let server = serve(&[]).await;
    let (status, _) = http(server.addr, "GET", "/api/messages", None).await;
    assert_eq!(status, 403, "no token");
    let (status, _) = http(
        server.addr,
        "GET",
        "/api/messages",
        Some("wrong-token-0123456789abcdefgh"),
    )
    .await;
    assert_eq!(status, 403, "wrong token");
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        format!("GET /api/messages HTTP/1.1\r\nHost: rebind.example\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.unwrap();
    assert!(resp.starts_with("HTTP/1.1 403"), "{resp}");
    api(server.addr, "GET", "/api/messages/99/raw", 404).await;
    let off = serve(&["--no-sandbox"]).await;
    assert!(off.sandbox.is_none());
    api(off.addr, "GET", "/api/messages", 404).await;
}

#[tokio::test]
async fn maildir_gets_a_copy() {
    let dir =
        std::env::temp_dir().join(format!("mailscope-sandbox-maildir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.display().to_string();
    let server = serve(&["--maildir", &d]).await;
    let (ok, out) = swaks(
        sandbox_addr(&server),
        &["--to", "bob@example.org", "--header", "Subject: to maildir"],
    )
    .await;
    assert!(ok, "{out}");
    let files: Vec<_> = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(files.len(), 1);
    let data = std::fs::read(files[0].path()).unwrap();
    assert!(String::from_utf8_lossy(&data).contains("Subject: to maildir\r\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn events_stream_reports_new_messages() {
    let server = serve(&[]).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let req = format!(
        "GET /api/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n",
        server.addr
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // Wait for the response head before sending mail.
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(WAIT, s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    let (ok, out) = swaks(sandbox_addr(&server), &["--to", "bob@example.org"]).await;
    assert!(ok, "{out}");
    let want = br#"data: {"type":"message","id":1}"#;
    while !got.windows(want.len()).any(|w| w == want) {
        let n = tokio::time::timeout(WAIT, s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "stream ended: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
}

// ---- Hardening (issue 16): cross-protocol requests, stalled and slow clients, memory, restart.

/// Reads until the server closes (or `WAIT` passes without a byte); returns what came.
async fn read_to_close(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tokio::time::timeout(WAIT, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&got).into_owned(),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "the sandbox kept the connection open: {}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
}

/// Sends a whole message of about `size` body bytes and QUIT; returns the 250 reply's text.
async fn send_message(smtp: SocketAddr, subject: &str, size: usize) -> String {
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
    assert!(cmd(&mut s, "MAIL FROM:<a@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "RCPT TO:<b@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "DATA\r\n").await.starts_with("354"));
    let line = format!("{}\r\n", "x".repeat(76));
    let body = line.repeat(size / line.len() + 1);
    let reply = cmd(&mut s, &format!("Subject: {subject}\r\n\r\n{body}.\r\n")).await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as"), "{reply}");
    cmd(&mut s, "QUIT\r\n").await;
    reply
}

/// The exact request of issue 16: a request line, 15 header lines and a body of SMTP commands,
/// in one write, as Chromium sends `fetch(…, {method: 'POST', mode: 'no-cors', body})`.
#[tokio::test]
async fn http_post_to_the_sandbox_is_closed_and_stores_nothing() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let headers = [
        "Host: 127.0.0.1:2525",
        "Connection: keep-alive",
        "Content-Length: 118",
        "sec-ch-ua-platform: \"Linux\"",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36",
        "sec-ch-ua: \"Chromium\";v=\"156\"",
        "Content-Type: text/plain;charset=UTF-8",
        "sec-ch-ua-mobile: ?0",
        "Accept: */*",
        "Origin: http://evil.test",
        "Sec-Fetch-Site: cross-site",
        "Sec-Fetch-Mode: no-cors",
        "Sec-Fetch-Dest: empty",
        "Referer: http://evil.test/",
        "Accept-Encoding: gzip, deflate, br, zstd",
    ];
    let request = format!(
        "POST / HTTP/1.1\r\n{}\r\n\r\nEHLO x\r\nMAIL FROM:<a@evil.test>\r\nRCPT TO:<v@sandbox.test>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
        headers.join("\r\n")
    );
    let mut s = TcpStream::connect(smtp).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let got = read_to_close(&mut s).await;
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 2, "{got}");
    assert!(lines[0].starts_with("220 "), "{got}");
    assert!(lines[1].starts_with("221 2.7.0 "), "{got}");
    assert!(!got.contains("queued"), "{got}");
    assert!(messages(server.addr).await.is_empty());
    // A header line first closes as well.
    let mut s = TcpStream::connect(smtp).await.unwrap();
    s.write_all(b"Host: 127.0.0.1\r\nEHLO x\r\n").await.unwrap();
    let got = read_to_close(&mut s).await;
    assert!(got.ends_with("221 2.7.0 Error: this is an SMTP server and that was not an SMTP command (HTTP?); closing\r\n"), "{got}");
}

/// A client socket with a small receive buffer, so that replies it does not read back up.
async fn small_window_client(addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.set_send_buffer_size(4096).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Whether a new client gets the greeting (a free slot) rather than `421 … too many
/// connections`.
async fn slot_free(smtp: SocketAddr) -> bool {
    let mut s = TcpStream::connect(smtp).await.unwrap();
    read_reply(&mut s).await.starts_with("220")
}

#[tokio::test]
async fn clients_that_never_read_free_their_slots_after_the_timeout() {
    // The command timeout stays long, so only the write timeout can free a slot.
    let server = serve(&["--sandbox-write-timeout", "3"]).await;
    let smtp = sandbox_addr(&server);
    let mut hogs = Vec::new();
    for _ in 0..100 {
        let mut s = small_window_client(smtp).await;
        assert!(read_reply(&mut s).await.starts_with("220"));
        hogs.push(s);
    }
    assert!(!slot_free(smtp).await, "100 clients take every slot");
    // Each sends 1,000 EHLOs and never reads a reply: the ~190 KB of replies are about twice
    // what the socket buffers hold, and the sandbox's write stalls.
    let flood = "EHLO hog\r\n".repeat(1000);
    for s in &mut hogs {
        s.write_all(flood.as_bytes()).await.unwrap();
    }
    // The stalled clients are dropped after the write timeout: 100 new clients are then served
    // at once (they stay connected; the command timeout is 300 s). Bounded wait.
    let mut fresh = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while fresh.len() < 100 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stalled clients still hold {} slots",
            100 - fresh.len()
        );
        let mut s = TcpStream::connect(smtp).await.unwrap();
        if read_reply(&mut s).await.starts_with("220") {
            fresh.push(s);
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    drop(hogs);
}

#[tokio::test]
async fn a_trickled_command_or_slow_data_is_closed() {
    let server = serve(&["--sandbox-timeout", "2", "--sandbox-min-data-rate", "1000"]).await;
    let smtp = sandbox_addr(&server);
    // A command one byte at a time, 4 bytes a second, never finished: before, each byte
    // restarted the idle timer.
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    let mut closed_with = None;
    for (i, b) in b"EHLO trickle.example.org.and.on.and.on".iter().enumerate() {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(250), s.read(&mut buf)).await
        {
            closed_with = Some((i, String::from_utf8_lossy(&buf[..n]).into_owned()));
            break;
        }
    }
    let (_, reply) = closed_with.expect("the trickling client was not closed");
    assert!(reply.starts_with("421 4.4.2 "), "{reply}");
    // Message content at 100 bytes a second against a minimum of 1000.
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
    assert!(cmd(&mut s, "MAIL FROM:<a@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "RCPT TO:<b@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "DATA\r\n").await.starts_with("354"));
    let chunk = "x".repeat(25);
    let mut reply = None;
    for _ in 0..400 {
        if s.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(250), s.read(&mut buf)).await
        {
            reply = Some(String::from_utf8_lossy(&buf[..n]).into_owned());
            break;
        }
    }
    let reply = reply.expect("the slow client was not closed");
    assert!(reply.starts_with("421 4.4.2 "), "{reply}");
    assert!(messages(server.addr).await.is_empty());
}

#[tokio::test]
async fn noop_flood_gets_421() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
    let flood = "NOOP\r\nRSET\r\nVRFY a\r\nHELP\r\n".repeat(50);
    s.write_all(flood.as_bytes()).await.unwrap();
    let got = read_to_close(&mut s).await;
    assert!(
        got.ends_with("421 4.7.0 sandbox.mailscope.test Error: too many errors\r\n"),
        "{got}"
    );
    // 100 junk commands, then 20 more that count as errors.
    assert_eq!(got.lines().count(), 121, "{got}");
}

#[tokio::test]
async fn store_byte_cap_drops_the_oldest() {
    let cap = 1_000_000;
    let server = serve(&["--sandbox-max-bytes", &cap.to_string()]).await;
    let smtp = sandbox_addr(&server);
    for i in 0..8 {
        send_message(smtp, &format!("m{i}"), 100_000).await;
    }
    let list = messages(server.addr).await;
    let total: u64 = list.iter().map(|m| m["size"].as_u64().unwrap()).sum();
    assert!(total <= cap, "{total} bytes kept, cap {cap}");
    // Messages and their transcripts (which hold the content too) count: ~200 KB each.
    let store = &server.sandbox.as_ref().unwrap().store;
    assert!(store.bytes() <= cap as usize, "{}", store.bytes());
    let ids: Vec<u64> = list.iter().map(|m| m["id"].as_u64().unwrap()).collect();
    let first = 9 - ids.len() as u64;
    assert!(ids.len() >= 2, "{ids:?}");
    assert_eq!(
        ids,
        (first..=8).collect::<Vec<u64>>(),
        "the newest kept, oldest dropped first"
    );
}

#[tokio::test]
async fn maildir_store_survives_a_restart() {
    let dir =
        std::env::temp_dir().join(format!("mailscope-sandbox-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.display().to_string();
    let listed = |list: Vec<serde_json::Value>| -> Vec<(u64, String, String)> {
        list.iter()
            .map(|m| {
                (
                    m["id"].as_u64().unwrap(),
                    m["queue_id"].as_str().unwrap().to_string(),
                    m["headline"]["subject"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    };
    let first = serve(&["--maildir", &d]).await;
    for subject in ["one", "two", "three"] {
        send_message(sandbox_addr(&first), subject, 100).await;
    }
    let before = listed(messages(first.addr).await);
    assert_eq!(before.len(), 3);
    let transcript = api(first.addr, "GET", "/api/messages/2/transcript", 200).await;
    first.task.abort();
    drop(first);
    let second = serve(&["--maildir", &d]).await;
    let after = listed(messages(second.addr).await);
    assert_eq!(after, before);
    let subjects: Vec<&str> = after.iter().map(|m| m.2.as_str()).collect();
    assert_eq!(subjects, ["one", "two", "three"]);
    assert_eq!(
        api(second.addr, "GET", "/api/messages/2/transcript", 200).await,
        transcript
    );
    // New messages are numbered after them.
    send_message(sandbox_addr(&second), "four", 100).await;
    let ids: Vec<u64> = listed(messages(second.addr).await)
        .iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 14, item 4: every message had "queued as MS000001".
#[tokio::test]
async fn queue_ids_are_unique() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let mut replies = Vec::new();
    for _ in 0..3 {
        replies.push(send_message(smtp, "one per connection", 10).await);
    }
    // Two on one connection.
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
    for _ in 0..2 {
        cmd(&mut s, "MAIL FROM:<a@example.org>\r\n").await;
        cmd(&mut s, "RCPT TO:<b@example.org>\r\n").await;
        cmd(&mut s, "DATA\r\n").await;
        replies.push(cmd(&mut s, "Subject: same connection\r\n\r\nhi\r\n.\r\n").await);
    }
    cmd(&mut s, "QUIT\r\n").await;
    let mut ids: Vec<String> = messages(server.addr)
        .await
        .iter()
        .map(|m| m["queue_id"].as_str().unwrap().to_string())
        .collect();
    for (reply, id) in replies.iter().zip(&ids) {
        assert_eq!(reply.trim_end(), format!("250 2.0.0 Ok: queued as {id}"));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "{replies:?}");
}

#[tokio::test]
async fn the_sandbox_certificate_is_served_and_verifies_the_sandbox() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let (status, _) = http(server.addr, "GET", "/api/sandbox/certificate", None).await;
    assert_eq!(
        status, 403,
        "the certificate is behind the token like the rest of the API"
    );
    let pem = api(server.addr, "GET", "/api/sandbox/certificate", 200).await;
    let pem = String::from_utf8(pem).expect("PEM is text");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let file =
        std::env::temp_dir().join(format!("mailscope-sandbox-ca-{}.pem", std::process::id()));
    std::fs::write(&file, &pem).expect("write the PEM");
    let send = |ca: Option<&std::path::Path>| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"));
        cmd.args([
            "send",
            "--server",
            &smtp.to_string(),
            "--from",
            "a@example.org",
        ])
        .args(["--to", "b@example.org", "--tls", "starttls"])
        .env("RUST_LOG", "off");
        if let Some(ca) = ca {
            cmd.arg("--ca").arg(ca);
        }
        cmd.output()
    };
    let untrusted = send(None).await.expect("run mailscope send");
    assert_eq!(
        untrusted.status.code(),
        Some(4),
        "without --ca the self-signed sandbox does not verify: {}",
        String::from_utf8_lossy(&untrusted.stderr)
    );
    let trusted = send(Some(&file)).await.expect("run mailscope send");
    assert!(
        trusted.status.success(),
        "with the served certificate as --ca it verifies: {}{}",
        String::from_utf8_lossy(&trusted.stdout),
        String::from_utf8_lossy(&trusted.stderr)
    );
    let _ = std::fs::remove_file(&file);
    assert_eq!(messages(server.addr).await.len(), 1);
}

/// Bug: every Mailbox transcript ended at `250 … queued` (the sandbox stores before QUIT) and
/// was flagged "no QUIT". While the session goes on, the stored transcript says it is still
/// open and is not judged as ended; once the session ends, it is the whole session.
#[tokio::test]
async fn a_stored_transcript_is_the_whole_session_once_it_ends() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    let mut s = TcpStream::connect(smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    assert!(cmd(&mut s, "EHLO t\r\n").await.starts_with("250"));
    assert!(cmd(&mut s, "MAIL FROM:<a@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "RCPT TO:<b@example.org>\r\n")
        .await
        .starts_with("250"));
    assert!(cmd(&mut s, "DATA\r\n").await.starts_with("354"));
    let reply = cmd(&mut s, "Subject: open\r\n\r\nhi\r\n.\r\n").await;
    assert!(reply.starts_with("250"), "{reply}");
    let id = messages(server.addr).await[0]["id"]
        .as_u64()
        .expect("an id");
    let path = format!("/api/messages/{id}/transcript");
    let open = String::from_utf8(api(server.addr, "GET", &path, 200).await).unwrap();
    assert!(
        open.trim_end()
            .ends_with(mailscope_core::smtp::transcript::OPEN_NOTE),
        "{open}"
    );
    let annotated: serde_json::Value =
        serde_json::from_slice(&api(server.addr, "GET", &format!("{path}?annotated=1"), 200).await)
            .unwrap();
    assert_eq!(annotated["transcript"]["open"], true, "{annotated}");
    let lints = annotated["transcript"]["lints"].to_string();
    assert!(!lints.contains("smtp.no-quit"), "{lints}");
    assert!(cmd(&mut s, "RSET\r\n").await.starts_with("250"));
    assert!(cmd(&mut s, "QUIT\r\n").await.starts_with("221"));
    read_to_close(&mut s).await;
    let whole = String::from_utf8(api(server.addr, "GET", &path, 200).await).unwrap();
    assert!(
        whole.contains(" -> RSET") && whole.contains(" -> QUIT"),
        "{whole}"
    );
    assert!(whole.contains("<-  221"), "{whole}");
    assert!(
        !whole.contains(mailscope_core::smtp::transcript::OPEN_NOTE),
        "{whole}"
    );
    let annotated: serde_json::Value =
        serde_json::from_slice(&api(server.addr, "GET", &format!("{path}?annotated=1"), 200).await)
            .unwrap();
    assert_eq!(annotated["transcript"]["open"], false, "{annotated}");
    assert_eq!(
        annotated["transcript"]["lints"],
        serde_json::json!([]),
        "{annotated}"
    );
}

/// With `--sandbox-auth` the sandbox checks each message as a receiving server does (the
/// client's address, HELO and MAIL FROM) with serve's resolver, and puts its
/// Authentication-Results field on top; a field forging the sandbox's name is removed first
/// (RFC 8601 §5), another server's stays. Without the flag nothing is added.
#[tokio::test]
async fn sandbox_auth_adds_its_authentication_results_and_removes_forged_ones() {
    let dns = dns_server(vec![
        (
            "example.org",
            "TXT",
            Answer::Txt(vec!["v=spf1 ip4:127.0.0.1 -all".into()]),
        ),
        (
            "_dmarc.example.org",
            "TXT",
            Answer::Txt(vec!["v=DMARC1; p=none".into()]),
        ),
    ])
    .await
    .to_string();
    let forged = "Authentication-Results: sandbox.mailscope.test; dkim=pass header.d=bank.test";
    let other = "Authentication-Results: mx.other.test; spf=fail smtp.mailfrom=x@other.test";
    for on in [true, false] {
        let mut flags = vec!["--dns", dns.as_str()];
        if on {
            flags.push("--sandbox-auth");
        }
        let server = serve(&flags).await;
        let (ok, out) = swaks(
            sandbox_addr(&server),
            &[
                "--to",
                "bob@example.org",
                "--add-header",
                forged,
                "--add-header",
                other,
            ],
        )
        .await;
        assert!(ok, "{out}");
        let list = messages(server.addr).await;
        let id = list[0]["id"].as_u64().unwrap();
        let raw = api(server.addr, "GET", &format!("/api/messages/{id}/raw"), 200).await;
        let raw = String::from_utf8_lossy(&raw);
        assert!(raw.contains(other), "another server's field stays: {raw}");
        if on {
            assert!(
                raw.starts_with(
                    "Authentication-Results: sandbox.mailscope.test;\r\n\tdkim=none;\r\n\tspf=pass smtp.mailfrom=sender@example.org;\r\n\tdmarc=pass header.from=example.org\r\n"
                ),
                "{raw}"
            );
            assert!(
                !raw.contains("bank.test"),
                "the forged field is gone: {raw}"
            );
            assert_eq!(list[0]["size"].as_u64(), Some(raw.len() as u64));
        } else {
            assert!(raw.contains(forged), "off: the message as sent: {raw}");
        }
    }
}
