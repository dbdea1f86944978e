//! The `/relay` WebSocket's name resolution against a DNS server on loopback: typed DNS
//! failures, MX order and failover, and a resolver that never answers.

mod common;

use std::time::Duration;

use common::*;
use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

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
        } => {
            assert!(
                message.contains("attempt 1 of 2") && message.contains("a.mx.test"),
                "{message}"
            );
            // Said in the reader's terms, not as the OS's error text.
            assert!(
                message.contains("refused") && !message.contains("os error"),
                "{message}"
            );
        }
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

/// `lookup` answers the authentication checks' questions from the relay's resolver: records,
/// NXDOMAIN, a resolver failure in words; after `MAX_LOOKUPS` questions a socket is refused.
#[tokio::test]
async fn lookups_answer_the_authentication_checks() {
    use mailscope_core::auth::{Answer as Dns, Query, Record, RecordType};
    let dns = dns_server(vec![
        (
            "sel._domainkey.example.test",
            "TXT",
            Answer::Txt(vec!["v=DKIM1; k=ed25519; p=abc".into()]),
        ),
        ("broken.test", "TXT", Answer::ServFail),
    ])
    .await
    .to_string();
    let server = serve(&["--dns", &dns]).await;
    let mut c = open(server.addr).await;
    let ask = |name: &str| Query::new(name, RecordType::Txt);
    let cases = [
        (
            ask("Sel._domainkey.example.test."),
            Some(Dns::Records(vec![Record::Txt(
                b"v=DKIM1; k=ed25519; p=abc".to_vec(),
            )])),
        ),
        (ask("_dmarc.example.test"), Some(Dns::Nxdomain)),
        (ask("broken.test"), None),
    ];
    let asked = cases.len();
    for (query, want) in cases {
        c.send(&ClientFrame::Lookup {
            query: query.clone(),
        })
        .await;
        match c.frame(&mut Vec::new()).await {
            RelayFrame::Answer { query: q, answer } => {
                assert_eq!(q, query);
                match want {
                    Some(want) => assert_eq!(answer, want),
                    None => assert!(matches!(answer, Dns::Error(_)), "{answer:?}"),
                }
            }
            other => panic!("expected an answer for {query}, got {other:?}"),
        }
    }
    for _ in asked..mailscope_core::relay::MAX_LOOKUPS {
        c.send(&ClientFrame::Lookup {
            query: ask("_dmarc.example.test"),
        })
        .await;
        assert!(matches!(
            c.frame(&mut Vec::new()).await,
            RelayFrame::Answer { .. }
        ));
    }
    c.send(&ClientFrame::Lookup {
        query: ask("_dmarc.example.test"),
    })
    .await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::Limit,
            message,
            ..
        } => assert!(message.contains("DNS questions"), "{message}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}
