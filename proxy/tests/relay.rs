//! The `/relay` WebSocket against a real tokio-tungstenite client, fake servers and a DNS server
//! on loopback.

mod common;

use std::time::Duration;

use common::*;
use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use mailscope_proxy::serve::Running;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

async fn expect_refused(hello: impl FnOnce(std::net::SocketAddr) -> Hello<'static>) {
    let server = serve(&[]).await;
    let status = open_with(server.addr, hello(server.addr)).await.err();
    assert_eq!(status, Some(403), "expected HTTP 403 before the upgrade");
}

#[tokio::test]
async fn wrong_token_is_403() {
    expect_refused(|a| Hello {
        token: Some("relay-test-token-0123456789abcdeX"),
        ..good_hello(a)
    })
    .await;
}

#[tokio::test]
async fn missing_token_is_403() {
    expect_refused(|a| Hello {
        token: None,
        ..good_hello(a)
    })
    .await;
}

#[tokio::test]
async fn foreign_origin_is_403() {
    expect_refused(|a| Hello {
        origin: Some("http://evil.example".into()),
        ..good_hello(a)
    })
    .await;
}

#[tokio::test]
async fn missing_origin_is_403() {
    expect_refused(|a| Hello {
        origin: None,
        ..good_hello(a)
    })
    .await;
}

#[tokio::test]
async fn wrong_host_is_403() {
    expect_refused(|a| Hello {
        host: Some(format!("rebind.example:{}", a.port())),
        ..good_hello(a)
    })
    .await;
}

#[tokio::test]
async fn allowed_origins_are_accepted() {
    let server = serve(&["--allow-origin", "http://localhost:9999"]).await;
    let a = server.addr;
    for origin in [
        format!("http://{a}"),
        format!("http://localhost:{}", a.port()),
        "http://localhost:9999".to_string(),
    ] {
        let hello = Hello {
            origin: Some(origin.clone()),
            ..good_hello(a)
        };
        assert!(
            open_with(a, hello).await.is_ok(),
            "{origin} should be allowed"
        );
    }
}

/// Sends `frame` and expects `policy_denied` with no connection reaching `dog`.
async fn expect_denied(extra: &[&str], frame: ClientFrame, dog: Option<&Watchdog>) {
    let server = serve(extra).await;
    let mut c = open(server.addr).await;
    c.send(&frame).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::PolicyDenied,
            message,
            retrying: false,
        } => assert!(!message.is_empty()),
        other => panic!("expected policy_denied for {frame:?}, got {other:?}"),
    }
    if let Some(dog) = dog {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(dog.count(), 0, "no connection may reach {}", dog.addr);
    }
}

#[tokio::test]
async fn port_not_allowed_is_denied() {
    let dog = Watchdog::bind("127.0.0.1").await.unwrap();
    let port = dog.addr.port();
    expect_denied(&["--allow-private"], host("127.0.0.1", port), Some(&dog)).await;
    expect_denied(&[], host("mail.example", 22), None).await;
}

#[tokio::test]
async fn loopback_is_denied() {
    let dog = Watchdog::bind("127.0.0.1").await.unwrap();
    let port = dog.addr.port().to_string();
    let frame = host("127.0.0.1", dog.addr.port());
    expect_denied(&["--allow-port", &port], frame, Some(&dog)).await;
}

#[tokio::test]
async fn rfc1918_is_denied() {
    expect_denied(&[], host("10.0.0.1", 25), None).await;
    expect_denied(&[], host("192.168.1.1", 587), None).await;
}

#[tokio::test]
async fn metadata_address_is_denied() {
    expect_denied(&[], host("169.254.169.254", 25), None).await;
}

#[tokio::test]
async fn ipv6_loopback_is_denied() {
    let dog = Watchdog::bind("::1").await;
    if dog.is_none() {
        mailscope_testkit::skip::skip_part(
            "ipv6_loopback_is_denied",
            "no IPv6 loopback here (binding [::1] failed): the refusal is checked, not that no connection reached [::1]",
        );
    }
    let port = dog.as_ref().map_or(2525, |d| d.addr.port());
    let p = port.to_string();
    expect_denied(&["--allow-port", &p], host("::1", port), dog.as_ref()).await;
    expect_denied(&["--allow-port", &p], host("[::1]", port), dog.as_ref()).await;
}

#[tokio::test]
async fn ipv4_mapped_loopback_is_denied() {
    let dog = Watchdog::bind("127.0.0.1").await.unwrap();
    let port = dog.addr.port();
    let p = port.to_string();
    expect_denied(
        &["--allow-port", &p],
        host("::ffff:127.0.0.1", port),
        Some(&dog),
    )
    .await;
}

#[tokio::test]
async fn nat64_loopback_is_denied() {
    let dog = Watchdog::bind("127.0.0.1").await.unwrap();
    let port = dog.addr.port();
    let p = port.to_string();
    expect_denied(
        &["--allow-port", &p],
        host("64:ff9b::7f00:1", port),
        Some(&dog),
    )
    .await;
}

#[tokio::test]
async fn name_resolving_to_loopback_is_denied() {
    let dog = Watchdog::bind("127.0.0.1").await.unwrap();
    let port = dog.addr.port();
    let p = port.to_string();
    let dns = dns_server(vec![(
        "evil.test",
        "A",
        Answer::A(vec!["127.0.0.1".parse().unwrap()]),
    )])
    .await
    .to_string();
    expect_denied(
        &["--allow-port", &p, "--dns", &dns],
        host("evil.test", port),
        Some(&dog),
    )
    .await;
    // The same through an MX record.
    let dns = dns_server(vec![
        ("evil.test", "MX", Answer::Mx(vec![(10, "mx.evil.test.")])),
        (
            "mx.evil.test",
            "A",
            Answer::A(vec!["127.0.0.1".parse().unwrap()]),
        ),
    ])
    .await
    .to_string();
    expect_denied(
        &["--mx-port", &p, "--dns", &dns],
        ClientFrame::Connect {
            target: Target::Mx {
                mx: "evil.test".into(),
            },
            tls: TlsMode::None,
            sni: None,
        },
        Some(&dog),
    )
    .await;
}

#[tokio::test]
async fn oversize_frame_closes_with_1009() {
    let server = serve(&["--max-frame", "1024"]).await;
    let mut c = open(server.addr).await;
    c.send_data(&[b'x'; 4096]).await;
    loop {
        match c.next().await {
            Event::Close(code) => {
                assert_eq!(code, Some(1009), "close code for an oversize frame");
                break;
            }
            Event::Frame(RelayFrame::Error { .. }) => continue,
            other => panic!("expected close 1009, got {other:?}"),
        }
    }
}

/// `mailscope serve` allowed to reach the test server at `target` (plus `extra` flags) and a
/// session connected to it, its `connected` frame read. Keep the `Running` alive.
async fn connected(target: &str, extra: &[&str]) -> (Running, Client) {
    let port: u16 = target
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("target is host:port");
    let mut flags = vec!["--allow-target", target];
    flags.extend_from_slice(extra);
    let server = serve(&flags).await;
    let mut c = open(server.addr).await;
    c.send(&host("127.0.0.1", port)).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Connected { .. } => {}
        other => panic!("expected connected, got {other:?}"),
    }
    (server, c)
}

#[tokio::test]
async fn silent_server_times_out() {
    let (l, target) = test_server().await;
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    });
    let (_server, mut c) = connected(&target, &["--idle-timeout", "1"]).await;
    let mut data = Vec::new();
    match c.frame(&mut data).await {
        RelayFrame::Error {
            code: ErrorCode::Timeout,
            message,
            retrying: false,
        } => assert!(message.contains("idle"), "{message}"),
        other => panic!("expected a timeout error, got {other:?}"),
    }
    assert!(matches!(
        c.frame(&mut data).await,
        RelayFrame::Closed {
            by: Closer::Relay,
            ..
        }
    ));
    assert!(data.is_empty());
}

#[tokio::test]
async fn bytes_pass_unchanged() {
    let (l, target) = test_server().await;
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        echo(s).await;
    });
    let server = serve(&["--allow-target", &target]).await;
    let mut c = open(server.addr).await;
    c.send(&host("127.0.0.1", port)).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Connected { peer, mx: None, .. } => assert_eq!(peer, target),
        other => panic!("expected connected, got {other:?}"),
    }
    let all: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    c.send_data(&all).await;
    let mut got = Vec::new();
    while got.len() < all.len() {
        match c.next().await {
            Event::Data(d) => got.extend(d),
            other => panic!("expected data, got {other:?}"),
        }
    }
    assert!(got == all, "echoed bytes differ");
    c.send(&ClientFrame::Close).await;
    assert!(matches!(
        c.frame(&mut Vec::new()).await,
        RelayFrame::Closed {
            by: Closer::Client,
            ..
        }
    ));
}

#[tokio::test]
async fn bytes_injected_after_starttls_reply_are_refused() {
    for split in [false, true] {
        let (l, target) = test_server().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let line = read_line(&mut s).await;
            assert_eq!(line, b"STARTTLS\r\n");
            if split {
                s.write_all(b"220 Ready to start TLS\r\n").await.unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
                s.write_all(b"250 injected\r\n").await.unwrap();
            } else {
                s.write_all(b"220 Ready to start TLS\r\n250 injected\r\n")
                    .await
                    .unwrap();
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let (_server, mut c) = connected(&target, &[]).await;
        let mut data = Vec::new();
        c.read_until(b"220 fake ESMTP\r\n").await;
        c.send_data(b"STARTTLS\r\n").await;
        match c.frame(&mut data).await {
            RelayFrame::Error {
                code: ErrorCode::TlsFailed,
                message,
                retrying: false,
            } => assert!(message.contains("after its 220"), "{message}"),
            other => panic!("expected tls_failed (split {split}), got {other:?}"),
        }
        assert!(matches!(
            c.frame(&mut data).await,
            RelayFrame::Closed {
                by: Closer::Relay,
                ..
            }
        ));
        assert_eq!(
            String::from_utf8_lossy(&data),
            "220 Ready to start TLS\r\n",
            "only the reply may pass (split {split})"
        );
    }
}

/// Sends `frames` as separate binary frames in one flush, so they reach the relay together and
/// it gathers them into one server write.
async fn send_together(c: &mut Client, frames: &[&[u8]]) {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    for f in frames {
        c.ws.feed(Message::Binary(f.to_vec().into())).await.unwrap();
    }
    c.ws.flush().await.unwrap();
}

#[tokio::test]
async fn gathered_frames_keep_their_order() {
    let (l, target) = test_server().await;
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        echo(s).await;
    });
    let (_server, mut c) = connected(&target, &[]).await;
    // 3,000 frames of 1 to 97 bytes (≈ 150 KB, more than one gathered write), then a control
    // frame right behind them: it must be handled after all of their bytes were written.
    let frames: Vec<Vec<u8>> = (0..3000u32)
        .map(|i| {
            (0..=(i % 97))
                .map(|j| (i.wrapping_mul(31) ^ j) as u8)
                .collect()
        })
        .collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    send_together(&mut c, &refs).await;
    c.send(&ClientFrame::Close).await;
    let all: Vec<u8> = frames.concat();
    let mut got = Vec::new();
    match c.frame(&mut got).await {
        RelayFrame::Closed {
            by: Closer::Client, ..
        } => {}
        other => panic!("expected closed by the client, got {other:?}"),
    }
    // The echo may still be on its way back when the close is handled; what came back is a
    // prefix of what was sent, in order.
    assert!(
        all.starts_with(&got),
        "echoed bytes differ from the frames' bytes in order ({} of {} bytes back)",
        got.len(),
        all.len()
    );
}

#[tokio::test]
async fn gathered_frames_ending_in_starttls_arm_the_reply_watch() {
    // [frames sent together], what the server answers, whether the relay must refuse.
    let cases: [(&[&[u8]], &[u8], bool); 3] = [
        // STARTTLS split over frames and last: the bytes after the 220 are an injection.
        (
            &[b"EHLO x\r\n", b"STARTT", b"LS\r\n"],
            b"250 x\r\n220 Ready to start TLS\r\n250 injected\r\n",
            true,
        ),
        // Another command after STARTTLS in the same gathered write: no watch, bytes pass.
        (
            &[b"STARTTLS\r\n", b"NOOP\r\n"],
            b"220 Ready to start TLS\r\n250 ok\r\n",
            false,
        ),
        // An unfinished line after STARTTLS: no watch either.
        (
            &[b"STARTTLS\r\n", b"NO"],
            b"220 Ready to start TLS\r\n250 ok\r\n",
            false,
        ),
    ];
    for (frames, answer, refused) in cases {
        let (l, target) = test_server().await;
        let want: Vec<u8> = frames.concat();
        let expect = want.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut got = vec![0u8; expect.len()];
            s.read_exact(&mut got).await.unwrap();
            assert_eq!(got, expect, "the server got the frames' bytes in order");
            s.write_all(answer).await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let (_server, mut c) = connected(&target, &[]).await;
        let mut data = Vec::new();
        c.read_until(b"220 fake ESMTP\r\n").await;
        send_together(&mut c, frames).await;
        let label = String::from_utf8_lossy(&want).into_owned();
        if refused {
            match c.frame(&mut data).await {
                RelayFrame::Error {
                    code: ErrorCode::TlsFailed,
                    message,
                    retrying: false,
                } => assert!(message.contains("after its 220"), "{message}"),
                other => panic!("{label:?}: expected tls_failed, got {other:?}"),
            }
            let passed = String::from_utf8_lossy(&data).into_owned();
            assert_eq!(
                passed, "250 x\r\n220 Ready to start TLS\r\n",
                "{label:?}: only the replies up to the 220 may pass"
            );
        } else {
            let got = c.read_until(b"250 ok\r\n").await;
            assert_eq!(got, answer, "{label:?}: the answer passes unchanged");
        }
    }
}

#[tokio::test]
async fn implicit_tls_reports_an_untrusted_certificate() {
    let (l, target) = test_server().await;
    let port = l.local_addr().unwrap().port();
    let (acceptor, _pem) = tls_acceptor();
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let mut s = acceptor.accept(s).await.unwrap();
        s.write_all(b"220 tls.test ESMTP\r\n").await.unwrap();
        echo(s).await;
    });
    let server = serve(&["--allow-target", &target]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Connect {
        target: Target::Host {
            host: "127.0.0.1".into(),
            port,
        },
        tls: TlsMode::Implicit,
        sni: None,
    })
    .await;
    let mut data = Vec::new();
    assert!(matches!(
        c.frame(&mut data).await,
        RelayFrame::Connected { .. }
    ));
    match c.frame(&mut data).await {
        RelayFrame::Tls {
            version,
            chain,
            verified,
            verify_error,
            sni,
            ..
        } => {
            assert_eq!(version, "TLSv1.3");
            assert!(!verified);
            assert_eq!(sni, None, "no SNI for an IP address");
            let why = verify_error.unwrap_or_default();
            assert!(why.contains("not signed by a trusted authority"), "{why}");
            assert_eq!(chain.len(), 1);
            assert_eq!(chain[0].sans, vec!["localhost", "127.0.0.1"]);
        }
        other => panic!("expected tls, got {other:?}"),
    }
    c.read_until(b"220 tls.test ESMTP\r\n").await;
    c.send_data(b"NOOP\r\n").await;
    c.read_until(b"NOOP\r\n").await;
}

/// A server that answers STARTTLS with 220 and then speaks TLS, echoing.
async fn starttls_server(l: TcpListener) {
    let (acceptor, _) = tls_acceptor();
    let (mut s, _) = l.accept().await.unwrap();
    s.write_all(b"220 plain.test ESMTP\r\n").await.unwrap();
    let line = read_line(&mut s).await;
    assert_eq!(line, b"STARTTLS\r\n");
    s.write_all(b"220 2.0.0 Ready to start TLS\r\n")
        .await
        .unwrap();
    let mut s = acceptor.accept(s).await.unwrap();
    echo(&mut s).await;
}

#[tokio::test]
async fn starttls_upgrades_and_verifies_with_ca() {
    let (acceptor_probe, pem) = tls_acceptor();
    drop(acceptor_probe);
    // The server makes its own certificate: without --ca it is untrusted.
    let (l, target) = test_server().await;
    tokio::spawn(starttls_server(l));
    let (_server, mut c) = connected(&target, &[]).await;
    let mut data = Vec::new();
    c.read_until(b"ESMTP\r\n").await;
    c.send_data(b"STARTTLS\r\n").await;
    c.read_until(b"Ready to start TLS\r\n").await;
    c.send(&ClientFrame::Starttls {
        sni: Some("localhost".into()),
    })
    .await;
    match c.frame(&mut data).await {
        RelayFrame::Tls {
            verified,
            sni,
            verify_error,
            ..
        } => {
            assert!(!verified);
            assert_eq!(sni.as_deref(), Some("localhost"));
            assert!(verify_error.is_some());
        }
        other => panic!("expected tls, got {other:?}"),
    }
    c.send_data(b"EHLO after.tls\r\n").await;
    c.read_until(b"EHLO after.tls\r\n").await;

    // With the server's certificate given by --ca the same chain verifies.
    let dir = std::env::temp_dir().join(format!("mailscope-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (l, target) = test_server().await;
    let port = l.local_addr().unwrap().port();
    let (acceptor, pem2) = tls_acceptor();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pem2).unwrap();
    assert_ne!(pem, pem2);
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let s = acceptor.accept(s).await.unwrap();
        echo(s).await;
    });
    let server = serve(&["--allow-target", &target, "--ca", ca.to_str().unwrap()]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Connect {
        target: Target::Host {
            host: "127.0.0.1".into(),
            port,
        },
        tls: TlsMode::Implicit,
        sni: Some("localhost".into()),
    })
    .await;
    assert!(matches!(
        c.frame(&mut data).await,
        RelayFrame::Connected { .. }
    ));
    match c.frame(&mut data).await {
        RelayFrame::Tls {
            verified,
            verify_error,
            ..
        } => assert!(
            verified,
            "expected verified with --ca, got {verify_error:?}"
        ),
        other => panic!("expected tls, got {other:?}"),
    }
}

/// Bug: the relay's `--ca` with the server's own `CA:TRUE` self-signed certificate (as
/// `openssl req -x509` makes it) reported `CaUsedAsEndEntity`; that exact certificate is now
/// trusted, and another self-signed one still is not.
#[tokio::test]
async fn relay_ca_trusts_the_servers_own_ca_true_certificate() {
    let dir = std::env::temp_dir().join(format!("mailscope-ca-true-relay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (acceptor, pem) = ca_true_acceptor();
    let (_, other_pem) = ca_true_acceptor();
    let own = dir.join("own.pem");
    std::fs::write(&own, &pem).unwrap();
    let other = dir.join("other.pem");
    std::fs::write(&other, &other_pem).unwrap();
    for (ca, trusted) in [(&own, true), (&other, false)] {
        let (l, target) = test_server().await;
        let port = l.local_addr().unwrap().port();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let (s, _) = l.accept().await.unwrap();
            if let Ok(s) = acceptor.accept(s).await {
                echo(s).await;
            }
        });
        let server = serve(&["--allow-target", &target, "--ca", ca.to_str().unwrap()]).await;
        let mut c = open(server.addr).await;
        c.send(&ClientFrame::Connect {
            target: Target::Host {
                host: "127.0.0.1".into(),
                port,
            },
            tls: TlsMode::Implicit,
            sni: Some("localhost".into()),
        })
        .await;
        let mut data = Vec::new();
        assert!(matches!(
            c.frame(&mut data).await,
            RelayFrame::Connected { .. }
        ));
        match c.frame(&mut data).await {
            RelayFrame::Tls {
                verified,
                verify_error,
                ..
            } => assert_eq!(verified, trusted, "--ca {}: {verify_error:?}", ca.display()),
            other => panic!("expected tls, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn tls_handshake_failure_is_typed() {
    let (l, target) = test_server().await;
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        s.write_all(b"220 not tls\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    let server = serve(&["--allow-target", &target]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Connect {
        target: Target::Host {
            host: "127.0.0.1".into(),
            port,
        },
        tls: TlsMode::Implicit,
        sni: None,
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::TlsFailed,
            message,
            retrying: false,
        } => assert!(message.contains("TLS handshake failed"), "{message}"),
        other => panic!("expected tls_failed, got {other:?}"),
    }
}

#[tokio::test]
async fn server_reset_mid_data_is_reported() {
    let (l, target) = test_server().await;
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        s.write_all(b"220 x\r\n").await.unwrap();
        let _ = read_line(&mut s).await;
        #[allow(deprecated)]
        s.set_linger(Some(Duration::ZERO)).unwrap();
        drop(s);
    });
    let (_server, mut c) = connected(&target, &[]).await;
    let mut data = Vec::new();
    c.read_until(b"220 x\r\n").await;
    c.send_data(b"DATA\r\n").await;
    loop {
        match c.frame(&mut data).await {
            RelayFrame::Closed { by, .. } => {
                assert!(matches!(by, Closer::Server | Closer::Relay), "{by:?}");
                break;
            }
            RelayFrame::Error {
                code: ErrorCode::ConnectFailed,
                ..
            } => continue,
            other => panic!("expected closed after a reset, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn dns_failures_are_typed() {
    let dns = dns_server(vec![
        ("gone.test", "MX", Answer::NxDomain),
        ("broken.test", "MX", Answer::ServFail),
        ("broken.test", "A", Answer::ServFail),
    ])
    .await
    .to_string();
    let server = serve(&["--dns", &dns]).await;
    let mut c = open(server.addr).await;
    for domain in ["gone.test", "broken.test", "unknown.test"] {
        c.send(&ClientFrame::Resolve {
            domain: domain.into(),
        })
        .await;
        match c.frame(&mut Vec::new()).await {
            RelayFrame::Error {
                code: ErrorCode::DnsFailed,
                message,
                retrying: false,
            } => {
                assert!(message.contains(domain), "{message}");
                // In the reader's terms: no resolver library text, no command-line flags.
                for library in ["proto error", "Err(", "--dns", "ResolveError"] {
                    assert!(!message.contains(library), "{library}: {message}");
                }
            }
            other => panic!("expected dns_failed for {domain}, got {other:?}"),
        }
        c.send(&ClientFrame::Connect {
            target: Target::Mx { mx: domain.into() },
            tls: TlsMode::None,
            sni: None,
        })
        .await;
        match c.frame(&mut Vec::new()).await {
            RelayFrame::Error {
                code: ErrorCode::DnsFailed,
                ..
            } => {}
            other => panic!("expected dns_failed for connect {domain}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn mx_order_failover_and_implicit_mx() {
    // b.mx.test (preference 20) listens; a.mx.test (preference 10) refuses.
    let l = TcpListener::bind("127.0.0.3:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        s.write_all(b"220 b.mx.test ESMTP\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    let dns = dns_server(vec![
        (
            "mx.test",
            "MX",
            Answer::Mx(vec![(20, "b.mx.test."), (10, "a.mx.test.")]),
        ),
        (
            "a.mx.test",
            "A",
            Answer::A(vec!["127.0.0.2".parse().unwrap()]),
        ),
        (
            "b.mx.test",
            "A",
            Answer::A(vec!["127.0.0.3".parse().unwrap()]),
        ),
        ("plain.test", "MX", Answer::NoData),
        (
            "plain.test",
            "A",
            Answer::A(vec!["127.0.0.4".parse().unwrap()]),
        ),
        // Every exchanger refuses: one retrying error, then the final one.
        (
            "dead.test",
            "MX",
            Answer::Mx(vec![(10, "a.mx.test."), (20, "plain.test.")]),
        ),
    ])
    .await
    .to_string();
    let p = port.to_string();
    let server = serve(&["--dns", &dns, "--mx-port", &p, "--allow-private"]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Resolve {
        domain: "mx.test".into(),
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Resolved {
            records, implicit, ..
        } => {
            assert!(!implicit);
            let got: Vec<(u16, &str, Vec<String>)> = records
                .iter()
                .map(|r| (r.preference, r.exchange.as_str(), r.addresses.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (10, "a.mx.test", vec!["127.0.0.2".to_string()]),
                    (20, "b.mx.test", vec!["127.0.0.3".to_string()]),
                ]
            );
        }
        other => panic!("expected resolved, got {other:?}"),
    }
    c.send(&ClientFrame::Resolve {
        domain: "plain.test".into(),
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Resolved {
            records, implicit, ..
        } => {
            assert!(implicit, "no MX: the domain is its own exchanger");
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].exchange, "plain.test");
            assert_eq!(records[0].addresses, vec!["127.0.0.4"]);
        }
        other => panic!("expected implicit MX, got {other:?}"),
    }
    c.send(&ClientFrame::Connect {
        target: Target::Mx {
            mx: "mx.test".into(),
        },
        tls: TlsMode::None,
        sni: None,
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::ConnectFailed,
            message,
            retrying: true,
        } => assert!(
            message.contains("attempt 1 of 2") && message.contains("a.mx.test"),
            "{message}"
        ),
        other => panic!("expected the failed first attempt, got {other:?}"),
    }
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Connected {
            peer, mx, attempts, ..
        } => {
            assert_eq!(peer, format!("127.0.0.3:{port}"));
            assert_eq!(mx.as_deref(), Some("b.mx.test"));
            let got: Vec<(Option<&str>, &str, bool)> = attempts
                .iter()
                .map(|a| (a.mx.as_deref(), a.address.as_str(), a.error.is_some()))
                .collect();
            let (first, second) = (format!("127.0.0.2:{port}"), format!("127.0.0.3:{port}"));
            assert_eq!(
                got,
                vec![
                    (Some("a.mx.test"), first.as_str(), true),
                    (Some("b.mx.test"), second.as_str(), false),
                ],
                "attempts in preference order, the refused one with its error"
            );
            let why = attempts[0].error.as_deref().unwrap_or_default();
            assert!(why.to_ascii_lowercase().contains("refused"), "{why}");
        }
        other => panic!("expected connected to b.mx.test, got {other:?}"),
    }
    c.read_until(b"220 b.mx.test ESMTP\r\n").await;
    c.send(&ClientFrame::Close).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Closed { by, .. } => assert_eq!(by, Closer::Client),
        other => panic!("expected closed by the client, got {other:?}"),
    }
    c.send(&ClientFrame::Connect {
        target: Target::Mx {
            mx: "dead.test".into(),
        },
        tls: TlsMode::None,
        sni: None,
    })
    .await;
    let mut got = Vec::new();
    for _ in 0..2 {
        match c.frame(&mut Vec::new()).await {
            RelayFrame::Error {
                code: ErrorCode::ConnectFailed,
                message,
                retrying,
            } => got.push((retrying, message)),
            other => panic!("expected connect_failed errors, got {other:?}"),
        }
    }
    assert_eq!(
        got.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [true, false],
        "the first attempt goes on, the last error ends the connect: {got:?}"
    );
    assert!(
        got[1].1.starts_with("could not connect") && got[1].1.contains("plain.test"),
        "{got:?}"
    );
}

#[tokio::test]
async fn hello_announces_the_enforced_limits() {
    let server = serve(&[
        "--max-sessions",
        "7",
        "--max-sessions-per-token",
        "3",
        "--connects-per-minute",
        "11",
        "--handshake-timeout",
        "9",
        "--connect-timeout",
        "8",
        "--idle-timeout",
        "70",
    ])
    .await;
    let mut c = open_with(server.addr, good_hello(server.addr))
        .await
        .expect("upgrade accepted");
    match c.next().await {
        Event::Frame(RelayFrame::Hello {
            limits, sandbox, ..
        }) => {
            let got = (
                limits.max_sessions,
                limits.max_sessions_per_token,
                limits.connects_per_minute,
                limits.handshake_timeout_secs,
                limits.connect_timeout_secs,
                limits.idle_timeout_secs,
            );
            assert_eq!(got, (7, 3, 11, 9, 8, 70), "announced vs flags");
            assert!(limits.write_buffer > limits.max_frame, "{limits:?}");
            assert_eq!(limits.allowed_ports, vec![25, 465, 587]);
            assert!(sandbox.is_some());
        }
        other => panic!("expected hello, got {other:?}"),
    }
}

#[tokio::test]
async fn sandbox_target_without_sandbox_is_typed() {
    let server = serve(&["--no-sandbox"]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Connect {
        target: Target::Sandbox { sandbox: true },
        tls: TlsMode::None,
        sni: None,
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::SandboxUnavailable,
            message,
            retrying: false,
        } => assert!(
            message.contains("--no-sandbox") && message.contains("cargo xtask run"),
            "{message}"
        ),
        other => panic!("expected sandbox_unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn session_limit_and_bad_frames() {
    let server = serve(&["--max-sessions-per-token", "1"]).await;
    let mut first = open(server.addr).await;
    let mut second = open_with(server.addr, good_hello(server.addr))
        .await
        .unwrap();
    match second.next().await {
        Event::Frame(RelayFrame::Error {
            code: ErrorCode::Limit,
            ..
        }) => {}
        other => panic!("expected a limit error, got {other:?}"),
    }
    first.ws.send_text_raw("{\"type\":\"shell\"}").await;
    match first.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::BadRequest,
            ..
        } => {}
        other => panic!("expected bad_request, got {other:?}"),
    }
    first.send_data(b"EHLO x\r\n").await;
    match first.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::BadRequest,
            message,
            retrying: false,
        } => assert!(message.contains("connect"), "{message}"),
        other => panic!("expected bad_request, got {other:?}"),
    }
}

trait RawText {
    async fn send_text_raw(&mut self, text: &str);
}

impl RawText for Ws {
    async fn send_text_raw(&mut self, text: &str) {
        use futures_util::SinkExt;
        self.send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_return_to_baseline() {
    let (l, target) = test_server().await;
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(echo(s));
        }
    });
    let server = serve(&["--allow-target", &target]).await;
    // `serve` returns once its listener task is spawned (the sandbox runs on its own thread and
    // runtime), and a spawned task counts as alive at once: the count is settled now, with no
    // wait.
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    for _ in 0..5 {
        let mut c = open(server.addr).await;
        c.send(&host("127.0.0.1", port)).await;
        assert!(matches!(
            c.frame(&mut Vec::new()).await,
            RelayFrame::Connected { .. }
        ));
        c.send_data(b"ping\r\n").await;
        c.read_until(b"ping\r\n").await;
        drop(c);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let now = metrics.num_alive_tasks();
        if now <= baseline {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "tasks: baseline {baseline}, now {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Bug: a resolver that never answers was reported as "request timed out … (SERVFAIL)" with
/// the resolver library's text and a command-line flag. A timeout is said as a timeout.
#[tokio::test]
async fn a_silent_resolver_is_a_timeout_in_the_readers_terms() {
    // Takes every query and answers none.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dns = silent.local_addr().unwrap().to_string();
    let server = serve(&["--dns", &dns]).await;
    let mut c = open(server.addr).await;
    c.send(&ClientFrame::Resolve {
        domain: "slow.test".into(),
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::DnsFailed,
            message,
            ..
        } => {
            assert!(message.contains("no answer in time"), "{message}");
            for wrong in ["SERVFAIL", "proto error", "--dns"] {
                assert!(!message.contains(wrong), "{wrong}: {message}");
            }
        }
        other => panic!("expected dns_failed, got {other:?}"),
    }
    drop(silent);
}
