//! The `/relay` WebSocket against a real tokio-tungstenite client and fake servers on loopback:
//! bytes passing through, timeouts, STARTTLS and implicit TLS, and connection failures.
//!
//! Who may open the relay and where it may connect are in `relay_access.rs`, name resolution in
//! `relay_dns.rs`.

mod common;

use std::time::Duration;

use common::*;
use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use mailscope_proxy::serve::Running;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

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
