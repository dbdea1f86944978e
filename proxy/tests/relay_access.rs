//! The `/relay` WebSocket's guards, against a real tokio-tungstenite client on loopback: who may
//! open it (token, Origin, Host), where it may connect (ports, private and loopback addresses),
//! and the limits it enforces (frame size, sessions, tasks).

mod common;

use std::time::Duration;

use common::*;
use mailscope_core::relay::{ClientFrame, ErrorCode, RelayFrame, Target, TlsMode};

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
