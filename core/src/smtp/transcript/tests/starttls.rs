//! Raw captures after STARTTLS: the encrypted part becomes opaque TLS runs.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

/// A TLS record: content type, TLS 1.2 legacy version, length, payload.
fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![
        kind,
        3,
        if kind == 22 && payload.first() == Some(&1) {
            1
        } else {
            3
        },
    ];
    r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    r.extend_from_slice(payload);
    r
}

/// A handshake message: type, 24-bit length, body.
fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len() as u32;
    let mut h = vec![kind, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    h.extend_from_slice(body);
    h
}

/// A ClientHello as a real client sends it: random, session id, cipher suites, SNI.
fn client_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend((0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5));
    body.push(32);
    body.extend((0u8..32).map(|i| i.wrapping_mul(11) ^ 0x5a));
    body.extend_from_slice(&[0, 6, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 1, 0]);
    let host = b"mx.example.org";
    let mut sni = vec![0, 0];
    let list = (host.len() + 3) as u16;
    sni.extend_from_slice(&(list + 2).to_be_bytes());
    sni.extend_from_slice(&list.to_be_bytes());
    sni.push(0);
    sni.extend_from_slice(&(host.len() as u16).to_be_bytes());
    sni.extend_from_slice(host);
    body.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    body.extend_from_slice(&sni);
    record(22, &handshake(1, &body))
}

#[test]
fn raw_capture_after_starttls_is_opaque_tls() {
    let mut input = b"220 mx.example.org ESMTP\r\nEHLO client.example\r\n250-mx.example.org\r\n250-PIPELINING\r\n250 STARTTLS\r\nSTARTTLS\r\n220 2.0.0 Ready to start TLS\r\n".to_vec();
    let clear = input.len();
    let hello = client_hello();
    input.extend_from_slice(&hello);
    let mut server = record(22, &handshake(2, &[3, 3, 0x11, 0x22, 0x0d, 0x0a]));
    server.extend(record(20, &[1]));
    server.extend(record(23, b"\x8f\r\n250 looks like text\r\n\x00\x17\x03"));
    input.extend_from_slice(&server);
    let t = Transcript::parse(&input);
    assert_eq!(t.format, Format::Raw);
    assert!(!t.truncated);
    let opaque: Vec<(Direction, usize)> = t
        .lines
        .iter()
        .filter(|l| l.opaque)
        .map(|l| (l.direction, l.bytes.len()))
        .collect();
    assert_eq!(
        opaque,
        [
            (Direction::Client, hello.len()),
            (Direction::Server, server.len())
        ],
        "one run per side"
    );
    let a = t.annotate();
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    assert_eq!(
        kinds(&a),
        ["reply", "command", "reply", "command", "reply", "tls", "tls"]
    );
    let tls: Vec<&Entry> = a
        .entries
        .iter()
        .filter(|e| matches!(e.parsed, Parsed::Tls { .. }))
        .collect();
    assert_eq!(tls[0].span, Span::new(clear, clear + hello.len()));
    assert_eq!(tls[1].span.end, input.len());
    assert_eq!(
        tls[0].text,
        format!(
            "TLS ({} bytes, encrypted — not decodable without keys)",
            hello.len()
        )
    );
    for e in &tls {
        assert!(e.tls && e.lints.is_empty(), "{e:?}");
        assert_eq!(e.state_after, SessionState::Tls);
    }
    assert_eq!(tls[0].state_before, SessionState::Greeted, "after the 220");
    assert_eq!(a.to_json()["entries"][6]["parsed"]["kind"], "tls");
    assert_eq!(a.to_json()["entries"][6]["state_after"], "tls");
    // The 220 itself is read in the clear.
    assert!(!a.entries[4].tls);

    // A message line reading STARTTLS asks for nothing.
    let body = b"220 x\r\nHELO c\r\n250 x\r\nMAIL FROM:<a@b.example>\r\n250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nSTARTTLS\r\n.\r\n220 odd but clear\r\nQUIT\r\n221 bye\r\n";
    assert!(Transcript::parse(body).lines.iter().all(|l| !l.opaque));

    // Refused STARTTLS: the dialogue goes on in the clear, lines stay lines.
    let refused = b"220 x\r\nEHLO c\r\n250-x\r\n250 STARTTLS\r\nSTARTTLS\r\n454 4.7.0 TLS not available\r\nQUIT\r\n221 bye\r\n";
    let t = Transcript::parse(refused);
    assert!(t.lines.iter().all(|l| !l.opaque));
    assert_eq!(codes(&t.annotate()), Vec::<String>::new());

    // S:/C: transcripts have no records: a 220 to STARTTLS leaves the lines as they are,
    // marked as inside TLS.
    let prefixed = "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go\nC: EHLO c\nS: 250 x\nC: QUIT\nS: 221 bye\n";
    let a = annotate(prefixed.as_bytes());
    assert_eq!(kinds(&a).iter().filter(|k| **k == "tls").count(), 0);
    assert!(a.entries[5..].iter().all(|e| e.tls), "after STARTTLS");
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
}

#[test]
fn garbage_after_starttls_stays_bounded() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    const HEAD: &[u8] = b"220 x\r\nSTARTTLS\r\n220 go\r\n";
    for round in 0..200 {
        let mut input = HEAD.to_vec();
        let n = (round * 37) % 3000;
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly record-looking bytes, to exercise the record walk.
            input.push(match x % 5 {
                0 => 0x16,
                1 => 0x03,
                2 => 0x17,
                _ => (x >> 8) as u8,
            });
        }
        let t = Transcript::parse_as(&input, Format::Raw);
        let covered: usize = t
            .lines
            .iter()
            .filter(|l| l.opaque)
            .map(|l| l.span.len())
            .sum();
        assert_eq!(
            covered,
            input.len() - HEAD.len(),
            "round {round}: every byte in a run"
        );
        let a = t.annotate();
        assert!(a.entries.iter().all(|e| e.span.end <= input.len()));
        for l in a.all_lints() {
            assert!(
                l.span.start <= HEAD.len() && (n == 0 || l.code != "smtp.no-quit"),
                "round {round}: no lint on TLS bytes, no QUIT expected inside TLS: {l:?}"
            );
        }
    }
    // Runs are capped by the line limit: the last one takes the rest.
    let mut many = HEAD.to_vec();
    for i in 0..50 {
        many.extend(record(22, &handshake(if i % 2 == 0 { 1 } else { 2 }, b"x")));
    }
    let lines = tls::opaque_runs(&many, HEAD.len(), many.len(), 10);
    assert_eq!(lines.len(), 10);
    assert_eq!(lines.last().map(|l| l.span.end), Some(many.len()));
}
