//! Relay hardening (issue 16): a page that stops reading, connection amplification through MX
//! records, and the STARTTLS guard against replies it cannot frame. Real WebSocket clients,
//! fake servers and a DNS server, all on loopback.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use mailscope_core::relay::{ClientFrame, Closer, ErrorCode, RelayFrame, Target, TlsMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn mx(domain: &str) -> ClientFrame {
    ClientFrame::Connect {
        target: Target::Mx { mx: domain.into() },
        tls: TlsMode::None,
        sni: None,
    }
}

/// Waits until the server at `l`'s peer is gone: reads until EOF or an error.
async fn until_closed<S: AsyncReadExt + Unpin>(s: &mut S) {
    let mut sink = [0u8; 1024];
    while s.read(&mut sink).await.is_ok_and(|n| n > 0) {}
}

// ---- Item 2: a page that stops reading ------------------------------------------------------

/// A page that stops reading while the server floods it must not keep its session slot: the
/// relay's writes to the page time out after the idle timeout, the session ends, the server
/// connection is dropped and a new session is accepted, for the per-token and the total limit.
#[tokio::test]
async fn a_page_that_stops_reading_frees_its_slot() {
    for limit in ["--max-sessions-per-token", "--max-sessions"] {
        let (l, target) = test_server().await;
        let port = l.local_addr().unwrap().port();
        // Floods until the relay drops the connection (then the write fails and the task ends).
        let flood = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0usize;
            while s.write_all(&chunk).await.is_ok() {
                sent += chunk.len();
            }
            sent
        });
        let server = serve(&["--allow-target", &target, limit, "1", "--idle-timeout", "1"]).await;
        let mut stalled = open(server.addr).await;
        stalled.send(&host("127.0.0.1", port)).await;
        // `stalled` never reads again.
        let started = std::time::Instant::now();
        let sent = tokio::time::timeout(WAIT, flood)
            .await
            .unwrap_or_else(|_| {
                panic!("{limit} 1: the relay still holds the flooding server's connection after {WAIT:?} (the page stopped reading, --idle-timeout 1)")
            })
            .unwrap();
        eprintln!(
            "{limit}: the stalled session ended {} ms after its connect, {sent} bytes flooded",
            started.elapsed().as_millis()
        );
        let mut next = open_with(server.addr, good_hello(server.addr))
            .await
            .expect("upgrade accepted");
        match next.next().await {
            Event::Frame(RelayFrame::Hello { .. }) => {}
            other => panic!(
                "{limit} 1: expected the freed slot to take a new session (hello), got {other:?}"
            ),
        }
        drop(stalled);
    }
}

// ---- Item 4: amplification ------------------------------------------------------------------

/// Listeners on `ips`, all on one port, each counting the connections it accepts.
struct Listeners {
    port: u16,
    accepted: Vec<(IpAddr, Arc<AtomicUsize>)>,
}

impl Listeners {
    /// Binds one listener per address, on a port free on all of them.
    async fn bind(ips: &[IpAddr]) -> Listeners {
        for _ in 0..20 {
            let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = probe.local_addr().unwrap().port();
            let mut bound = Vec::new();
            for ip in ips {
                match TcpListener::bind(SocketAddr::new(*ip, port)).await {
                    Ok(l) => bound.push((*ip, l)),
                    Err(_) => break,
                }
            }
            if bound.len() < ips.len() {
                continue;
            }
            let mut accepted = Vec::new();
            for (ip, l) in bound {
                let count = Arc::new(AtomicUsize::new(0));
                let c = count.clone();
                tokio::spawn(async move {
                    while let Ok((_s, _)) = l.accept().await {
                        c.fetch_add(1, Ordering::SeqCst);
                    }
                });
                accepted.push((ip, count));
            }
            return Listeners { port, accepted };
        }
        panic!("no port free on all of {ips:?}");
    }

    fn total(&self) -> usize {
        self.accepted
            .iter()
            .map(|(_, c)| c.load(Ordering::SeqCst))
            .sum()
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Reads `error` frames of a connect until one without `retrying`; returns them all.
async fn connect_errors(c: &mut Client) -> Vec<(ErrorCode, bool, String)> {
    let mut got = Vec::new();
    loop {
        match c.frame(&mut Vec::new()).await {
            RelayFrame::Error {
                code,
                message,
                retrying,
            } => {
                got.push((code, retrying, message));
                if !retrying {
                    return got;
                }
            }
            other => panic!("expected the connect's error frames, got {other:?} after {got:?}"),
        }
    }
}

/// One `connect {mx}` to a domain with 16 exchangers tries at most 5 addresses (Postfix's
/// `smtp_mx_address_limit`): the first five exchangers refuse, and none of the 44 listening
/// addresses of the other eleven is ever reached.
#[tokio::test]
async fn one_connect_tries_at_most_five_addresses() {
    // mx01..mx05: one address each, nothing listens there (connection refused).
    // mx06..mx16: four addresses each, all listening.
    let refusing: Vec<IpAddr> = (1..=5).map(|n| ip(&format!("127.0.{n}.1"))).collect();
    let listening: Vec<IpAddr> = (6..=16)
        .flat_map(|n| (1..=4).map(move |m| ip(&format!("127.0.{n}.{m}"))))
        .collect();
    let dogs = Listeners::bind(&listening).await;
    let names: Vec<&'static str> = (1..=16)
        .map(|n| &*Box::leak(format!("mx{n:02}.many.test.").into_boxed_str()))
        .collect();
    let mut zone = vec![(
        "many.test",
        "MX",
        Answer::Mx(
            names
                .iter()
                .zip(1u16..)
                .map(|(n, p)| (p * 10, *n))
                .collect(),
        ),
    )];
    for (i, name) in names.iter().enumerate() {
        let addrs = if i < 5 {
            vec![refusing[i]]
        } else {
            listening[(i - 5) * 4..(i - 4) * 4].to_vec()
        };
        zone.push((name.trim_end_matches('.'), "A", Answer::A(addrs)));
    }
    let dns = dns_server(zone).await.to_string();
    let p = dogs.port.to_string();
    let server = serve(&["--dns", &dns, "--mx-port", &p, "--allow-private"]).await;
    let mut c = open(server.addr).await;
    c.send(&mx("many.test")).await;
    let errors = connect_errors(&mut c).await;
    let retrying = errors.iter().filter(|(_, r, _)| *r).count();
    let (code, _, last) = errors.last().unwrap();
    assert_eq!(
        (retrying, *code),
        (4, ErrorCode::ConnectFailed),
        "4 retried attempts, then the final connect_failed: {errors:?}"
    );
    assert!(
        last.contains("44 more addresses were not tried") && last.contains("at most 5"),
        "{last}"
    );
    assert_eq!(
        dogs.total(),
        0,
        "no address beyond the fifth may be tried (one frame made {} connections)",
        dogs.total()
    );
}

/// Every connection attempt counts against `--connects-per-minute`, not every frame: with 7,
/// a connect that tries 5 addresses leaves 2 for the next one, which stops with `limit` before
/// its third address (a listener that must see no connection), and the next frame gets `limit`
/// at once.
#[tokio::test]
async fn every_attempt_counts_against_the_connect_rate() {
    let dogs = Listeners::bind(&[ip("127.0.28.1")]).await;
    let mut zone = vec![
        (
            "five.test",
            "MX",
            Answer::Mx(vec![
                (10, "a.five.test."),
                (20, "b.five.test."),
                (30, "c.five.test."),
                (40, "d.five.test."),
                (50, "e.five.test."),
            ]),
        ),
        (
            "three.test",
            "MX",
            Answer::Mx(vec![
                (10, "a.three.test."),
                (20, "b.three.test."),
                (30, "c.three.test."),
            ]),
        ),
        ("c.three.test", "A", Answer::A(vec![ip("127.0.28.1")])),
        ("a.three.test", "A", Answer::A(vec![ip("127.0.26.1")])),
        ("b.three.test", "A", Answer::A(vec![ip("127.0.27.1")])),
    ];
    for (name, n) in [
        ("a.five.test", 1),
        ("b.five.test", 2),
        ("c.five.test", 3),
        ("d.five.test", 4),
        ("e.five.test", 5),
    ] {
        zone.push((name, "A", Answer::A(vec![ip(&format!("127.0.2{n}.1"))])));
    }
    let dns = dns_server(zone).await.to_string();
    let p = dogs.port.to_string();
    let server = serve(&[
        "--dns",
        &dns,
        "--mx-port",
        &p,
        "--allow-private",
        "--connects-per-minute",
        "7",
    ])
    .await;
    let mut c = open(server.addr).await;
    c.send(&mx("five.test")).await;
    let errors = connect_errors(&mut c).await;
    assert_eq!(
        errors
            .iter()
            .map(|(code, r, _)| (*code, *r))
            .collect::<Vec<_>>(),
        [
            vec![(ErrorCode::ConnectFailed, true); 4],
            vec![(ErrorCode::ConnectFailed, false)]
        ]
        .concat(),
        "five refused attempts: {errors:?}"
    );
    c.send(&mx("three.test")).await;
    let errors = connect_errors(&mut c).await;
    let got: Vec<(ErrorCode, bool)> = errors.iter().map(|(code, r, _)| (*code, *r)).collect();
    assert_eq!(
        got,
        [
            (ErrorCode::ConnectFailed, true),
            (ErrorCode::ConnectFailed, true),
            (ErrorCode::Limit, false)
        ],
        "two attempts, then the limit: {errors:?}"
    );
    let why = &errors[2].2;
    assert!(
        why.contains("7 connection attempts") && why.contains("2 of 3 addresses tried"),
        "{why}"
    );
    assert_eq!(
        dogs.total(),
        0,
        "the third address of three.test is over the limit"
    );
    c.send(&mx("three.test")).await;
    match c.frame(&mut Vec::new()).await {
        RelayFrame::Error {
            code: ErrorCode::Limit,
            retrying: false,
            ..
        } => {}
        other => panic!("expected limit at once, got {other:?}"),
    }
    assert_eq!(dogs.total(), 0);
}

// ---- Item 8: the STARTTLS guard --------------------------------------------------------------

const INJECTED: &[u8] = b"MAIL FROM:<injected@evil.test>\r\n";

/// The server's answers to STARTTLS that the relay cannot frame, each with an injected command
/// behind it: none of it may reach the page, and the connection ends with `tls_failed`.
#[tokio::test]
async fn unframeable_starttls_replies_are_refused() {
    let long_line = [b"220 ".as_slice(), &[b'x'; 3000], b"\r\n", INJECTED].concat();
    let malformed = [b"220-Ready\r\n".as_slice(), INJECTED].concat();
    let no_code = [b"Ready to start TLS\r\n".as_slice(), INJECTED].concat();
    // 40 continuation lines of 2,000 bytes (80 KB): a reply that does not end within 64 KiB.
    let mut endless = Vec::new();
    for _ in 0..40 {
        endless.extend_from_slice(b"250-");
        endless.extend_from_slice(&[b'y'; 1994]);
        endless.extend_from_slice(b"\r\n");
    }
    // 1,100 short continuation lines (over the core's 1,000-line bound), then a 220.
    let many = [
        b"250-x\r\n".repeat(1100).as_slice(),
        b"220 go\r\n",
        INJECTED,
    ]
    .concat();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("a 3,000-byte line", long_line, "longer than"),
        (
            "a malformed continuation",
            malformed,
            "not a valid SMTP reply",
        ),
        ("a reply without a code", no_code, "not a valid SMTP reply"),
        (
            "80 KB of reply lines",
            endless,
            "did not end within 65536 bytes",
        ),
        ("1,100 reply lines", many, "more than"),
    ];
    for (label, answer, why) in cases {
        let (l, target) = test_server().await;
        let port = l.local_addr().unwrap().port();
        let fake = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            assert_eq!(read_line(&mut s).await, b"STARTTLS\r\n");
            // The relay may close while this is being written.
            let _ = s.write_all(&answer).await;
            until_closed(&mut s).await;
        });
        let server = serve(&["--allow-target", &target]).await;
        let mut c = open(server.addr).await;
        c.send(&host("127.0.0.1", port)).await;
        let mut data = Vec::new();
        match c.frame(&mut data).await {
            RelayFrame::Connected { .. } => {}
            other => panic!("{label}: expected connected, got {other:?}"),
        }
        c.read_until(b"220 fake ESMTP\r\n").await;
        c.send_data(b"STARTTLS\r\n").await;
        let mut data = Vec::new();
        match c.frame(&mut data).await {
            RelayFrame::Error {
                code: ErrorCode::TlsFailed,
                message,
                retrying: false,
            } => assert!(
                message.contains(why) && message.contains("RFC 3207"),
                "{label}: {message}"
            ),
            other => panic!(
                "{label}: expected tls_failed, got {other:?} after {} bytes passed: {:?}",
                data.len(),
                String::from_utf8_lossy(&data[data.len().saturating_sub(200)..])
            ),
        }
        match c.frame(&mut data).await {
            RelayFrame::Closed {
                by: Closer::Relay, ..
            } => {}
            other => panic!("{label}: expected closed by the relay, got {other:?}"),
        }
        assert!(
            !data.windows(INJECTED.len()).any(|w| w == INJECTED),
            "{label}: the injected command reached the page"
        );
        tokio::time::timeout(WAIT, fake)
            .await
            .unwrap_or_else(|_| panic!("{label}: the relay kept the server connection"))
            .unwrap();
    }
}
