//! The server alone: reply sequences, limits on lines, errors and recipients, random bytes.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn server_reply_sequences() {
    // (input, expected reply lines after the greeting)
    let cases: &[(&[u8], &[&str])] = &[
        (
            b"MAIL FROM:<a@b.org>\r\n",
            &["503 5.5.1 Error: send HELO/EHLO first"],
        ),
        (
            b"HELO x\r\nRCPT TO:<a@b.org>\r\n",
            &["250 mailscope.test", "503 5.5.1 Error: need MAIL command"],
        ),
        (
            b"HELO x\r\nDATA\r\n",
            &["250 mailscope.test", "503 5.5.1 Error: need MAIL command"],
        ),
        (
            b"HELO x\r\nMAIL FROM:<a@b.org>\r\nDATA\r\n",
            &[
                "250 mailscope.test",
                "250 2.1.0 Ok",
                "554 5.5.1 Error: no valid recipients",
            ],
        ),
        (
            b"NOOP\r\nVRFY bob\r\nEXPN list\r\n",
            &[
                "250 2.0.0 Ok",
                "252 2.5.0 Cannot VRFY user, but will accept message",
                "502 5.5.1 Error: command not implemented",
            ],
        ),
        (b"FOO bar\r\n", &["500 5.5.2 Error: command not recognized"]),
        (
            b"EHLO\r\n",
            &["501 5.5.4 Syntax error in parameters or arguments"],
        ),
        (
            b"STARTTLS\r\n",
            &["502 5.5.1 Error: command not implemented"],
        ),
        (
            b"AUTH PLAIN\r\n",
            &["502 5.5.1 Error: authentication not enabled"],
        ),
        (b"QUIT\r\nNOOP\r\n", &["221 2.0.0 Bye"]),
        (
            b"HELO x\r\nMAIL FROM:<a@b.org> BODY=BINARYMIME\r\n",
            &["250 mailscope.test", "555 5.5.4 Unsupported option: BODY=BINARYMIME"],
        ),
        (
            b"HELO x\r\nMAIL FROM:<a@b.org> XFOO=1\r\n",
            &["250 mailscope.test", "555 5.5.4 Unsupported option: XFOO"],
        ),
        (
            b"HELO x\r\nMAIL FROM:<a@b.org> SIZE=10 BODY=8BITMIME SMTPUTF8 RET=HDRS\r\nRCPT TO:<c@d.org> NOTIFY=NEVER\r\nRSET\r\n",
            &["250 mailscope.test", "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.0.0 Ok"],
        ),
        (b"HELO x\r\nMAIL FROM:a@b.org\r\n", &["250 mailscope.test", "250 2.1.0 Ok"]),
        (b"HELO x\r\nMAIL FROM:<a@@b>\r\n", &["250 mailscope.test", "501 5.5.4 Syntax error in parameters"]),
    ];
    for &(input, expected) in cases {
        let mut s = ServerSession::new(ServerConfig::default());
        let _ = s.poll_output();
        s.handle_input(input);
        let out = String::from_utf8(s.poll_output().unwrap_or_default()).unwrap();
        let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("250-")).collect();
        assert_eq!(
            lines,
            expected,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    // Without ENHANCEDSTATUSCODES, no enhanced codes.
    let mut s = ServerSession::new(ServerConfig {
        enhanced_status_codes: false,
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(b"NOOP\r\n");
    assert_eq!(s.poll_output().as_deref(), Some(&b"250 Ok\r\n"[..]));
}

#[test]
fn server_limits_lines_errors_and_recipients() {
    let mut s = ServerSession::new(ServerConfig::default());
    let _ = s.poll_output();
    let mut long = vec![b'N'; 3000];
    long.extend_from_slice(b"\r\nNOOP\r\n");
    s.handle_input(&long);
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert_eq!(out, "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");

    let mut s = ServerSession::new(ServerConfig {
        error_limit: 3,
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(b"X\r\nX\r\nX\r\nNOOP\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(
        out.ends_with("421 4.7.0 mailscope.test Error: too many errors\r\n"),
        "{out}"
    );
    assert!(s.is_closed());

    let mut s = ServerSession::new(ServerConfig {
        max_recipients: 2,
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(b"HELO x\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<1@b.org>\r\nRCPT TO:<2@b.org>\r\nRCPT TO:<3@b.org>\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(
        out.ends_with("452 4.5.3 Error: too many recipients\r\n"),
        "{out}"
    );

    // An over-long AUTH response ends the exchange; its tail is not a command.
    let mut s = ServerSession::new(ServerConfig {
        auth_mechanisms: vec![Mechanism::Login],
        users: users(),
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(b"EHLO x\r\nAUTH LOGIN\r\n");
    let _ = s.poll_output();
    let mut long = vec![b'A'; 20_000];
    long.extend_from_slice(b"QUIT\r\nNOOP\r\n");
    s.handle_input(&long);
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert_eq!(
        out, "500 5.5.6 Authentication exchange line too long\r\n250 2.0.0 Ok\r\n",
        "tail with QUIT skipped, NOOP answered"
    );

    // A huge BDAT size: bytes are swallowed as chunk data, memory stays bounded.
    let mut s = ServerSession::new(ServerConfig {
        size_limit: Some(1000),
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(
        b"EHLO x\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<c@d.org>\r\nBDAT 18446744073709551615 LAST\r\n",
    );
    let _ = s.poll_output();
    for _ in 0..100 {
        s.handle_input(&[b'z'; 10_000]);
    }
    assert_eq!(s.state(), ServerState::Bdat);
    assert_eq!(s.poll_output(), None, "no reply until the chunk ends");

    // Idle timeout.
    let mut s = ServerSession::new(ServerConfig::default());
    let _ = s.poll_output();
    s.handle_time(0);
    s.handle_time(timeouts::SERVER_IDLE);
    assert!(s.is_closed());
    // Client reply timeout.
    let mut c = ClientSession::new(ClientPlan::default());
    c.handle_time(0);
    assert_eq!(c.poll_timeout(), Some(timeouts::GREETING));
    c.handle_time(timeouts::GREETING);
    assert!(c.is_closed());
}

#[test]
fn random_bytes_never_panic_and_stay_bounded() {
    let mut rng = crate::testutil::XorShift::new(0x1234_5678_9abc_def1);
    let mut next = move || rng.next_u64();
    let words: &[&[u8]] = &[
        b"EHLO x\r\n",
        b"MAIL FROM:<a@b.org>\r\n",
        b"RCPT TO:<c@d.org>\r\n",
        b"DATA\r\n",
        b"BDAT 5\r\n",
        b"BDAT 3 LAST\r\n",
        b".\r\n",
        b"\n.\n",
        b"AUTH LOGIN\r\n",
        b"*\r\n",
        b"STARTTLS\r\n",
        b"RSET\r\n",
        b"\r\n",
        b"\xff\x00",
        b"AUTH CRAM-MD5\r\n",
    ];
    let config = ServerConfig {
        starttls: true,
        auth_mechanisms: vec![Mechanism::Login, Mechanism::CramMd5, Mechanism::Plain],
        users: users(),
        size_limit: Some(4096),
        ..ServerConfig::default()
    };
    for _ in 0..300 {
        let mut s = ServerSession::new(config.clone());
        let mut c = ClientSession::new(ClientPlan::default());
        let mut out_total = 0usize;
        for _ in 0..40 {
            let mut chunk = Vec::new();
            for _ in 0..(next() % 6) {
                if next() % 3 == 0 {
                    chunk.extend((0..next() % 50).map(|_| next() as u8));
                } else {
                    chunk.extend_from_slice(words[(next() % words.len() as u64) as usize]);
                }
            }
            s.handle_input(&chunk);
            c.handle_input(&chunk);
            if next() % 7 == 0 {
                s.tls_established();
                c.tls_established();
            }
            while let Some(o) = s.poll_output() {
                out_total += o.len();
            }
            while s.poll_event().is_some() {}
            while c.poll_output().is_some() {}
            while c.poll_event().is_some() {}
        }
        assert!(
            out_total < 200_000,
            "server output stays bounded: {out_total}"
        );
    }
}
