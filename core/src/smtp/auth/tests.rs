#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use super::*;
use crate::span::Span;

fn users() -> BTreeMap<String, String> {
    [("alice", "wonderland"), ("tim", "tanstaaftanstaaf")]
        .into_iter()
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .collect()
}

#[test]
fn md5_matches_rfc_1321_test_suite() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "d41d8cd98f00b204e9800998ecf8427e"),
        (b"a", "0cc175b9c0f1b6a831c399e269772661"),
        (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
        (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            b"abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for &(input, hex) in cases {
        assert_eq!(to_hex(&md5(input)), hex, "md5 of {input:?}");
    }
}

#[test]
fn hmac_md5_matches_rfc_2104_vectors() {
    let cases: &[(&[u8], &[u8], &str)] = &[
        (&[0x0b; 16], b"Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
        (
            b"Jefe",
            b"what do ya want for nothing?",
            "750c783e6ab0b503eaa86e310a5db738",
        ),
        (&[0xaa; 16], &[0xdd; 50], "56be34521d144c88dbb8c733f0e8b3f6"),
        // RFC 2202 test 6: key longer than the block size.
        (
            &[0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
        ),
    ];
    for &(key, msg, hex) in cases {
        assert_eq!(to_hex(&hmac_md5(key, msg)), hex, "hmac of {msg:?}");
    }
}

#[test]
fn rfc_2195_worked_example_verifies() {
    let challenge_b64 = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    let challenge = decode_base64(challenge_b64.as_bytes()).unwrap();
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    let mut client = ClientExchange::new(
        Mechanism::CramMd5,
        Credentials::new("tim", "tanstaaftanstaaf"),
    )
    .unwrap();
    assert_eq!(client.initial_response(), None);
    let response = client.respond(challenge_b64).unwrap();
    assert_eq!(
        response, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
        "RFC 2195 client response"
    );
    assert!(verify_cram_md5(
        &challenge,
        "tanstaaftanstaaf",
        b"b913a602c7eda7a495b4e6e7334d3890"
    ));
    let (mut server, first) = ServerExchange::start(
        Mechanism::CramMd5,
        None,
        "<1896.697170952@postoffice.reston.mci.net>",
        &users(),
    );
    assert_eq!(first, ServerStep::Challenge(challenge_b64.to_owned()));
    assert_eq!(
        server.handle_line(response.as_bytes(), &users()),
        ServerStep::Success("tim".into())
    );
}

#[test]
fn client_exchanges_build_expected_lines() {
    // (mechanism, credentials, expected initial, challenges, expected responses)
    type Case = (
        Mechanism,
        Credentials,
        Option<&'static str>,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: Vec<Case> = vec![
        (
            Mechanism::Plain,
            Credentials::new("alice", "wonderland"),
            Some("AGFsaWNlAHdvbmRlcmxhbmQ="),
            &[],
            &[],
        ),
        (
            Mechanism::Plain,
            Credentials { authzid: "admin".into(), ..Credentials::new("alice", "wonderland") },
            Some("YWRtaW4AYWxpY2UAd29uZGVybGFuZA=="),
            &[""],
            &["YWRtaW4AYWxpY2UAd29uZGVybGFuZA=="],
        ),
        (
            Mechanism::Login,
            Credentials::new("alice", "wonderland"),
            None,
            &[LOGIN_USERNAME_PROMPT, LOGIN_PASSWORD_PROMPT],
            &["YWxpY2U=", "d29uZGVybGFuZA=="],
        ),
        (
            Mechanism::Xoauth2,
            Credentials::new("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
            Some("dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="),
            &["eyJzdGF0dXMiOiI0MDEifQ=="],
            &[""],
        ),
    ];
    for (mech, creds, initial, challenges, responses) in cases {
        let mut ex = ClientExchange::new(mech.clone(), creds).unwrap();
        assert_eq!(ex.initial_response().as_deref(), initial, "{mech} initial");
        for (c, r) in challenges.iter().zip(responses.iter()) {
            assert_eq!(ex.respond(c).as_deref(), Ok(*r), "{mech} answer to {c}");
        }
    }
    let mut login = ClientExchange::new(Mechanism::Login, Credentials::new("a", "b")).unwrap();
    let _ = login.respond(LOGIN_USERNAME_PROMPT);
    let _ = login.respond(LOGIN_PASSWORD_PROMPT);
    assert!(
        matches!(
            login.respond("x"),
            Err(AuthError::UnexpectedChallenge { step: 2, .. })
        ),
        "third LOGIN challenge must fail"
    );
    assert_eq!(
        ClientExchange::new(Mechanism::Plain, Credentials::new("a\0b", "c")).err(),
        Some(AuthError::ForbiddenByte {
            field: "username",
            byte: 0
        })
    );
    assert!(matches!(
        ClientExchange::new(Mechanism::parse("gssapi"), Credentials::new("a", "b")),
        Err(AuthError::Unsupported(m)) if m == "GSSAPI"
    ));
}

#[test]
fn decodes_captured_exchanges() {
    let plain = decode_exchange(
        &Mechanism::Plain,
        Some((b"AGFsaWNlAHdvbmRlcmxhbmQ=", 11)),
        &[],
    );
    assert_eq!(
        (
            plain.authzid.as_deref(),
            plain.authcid.as_deref(),
            plain.password.as_deref()
        ),
        (Some(""), Some("alice"), Some("wonderland"))
    );
    assert!(plain.lints.is_empty(), "lints: {:?}", plain.lints);

    let login = decode_exchange(
        &Mechanism::Login,
        None,
        &[
            AuthLine {
                from_client: false,
                payload: b"VXNlcm5hbWU6",
                offset: 0,
            },
            AuthLine {
                from_client: true,
                payload: b"YWxpY2U=",
                offset: 20,
            },
            AuthLine {
                from_client: false,
                payload: b"UGFzc3dvcmQ6",
                offset: 30,
            },
            AuthLine {
                from_client: true,
                payload: b"d29uZGVybGFuZA==",
                offset: 50,
            },
        ],
    );
    assert_eq!(login.challenges, ["Username:", "Password:"]);
    assert_eq!(
        (login.authcid.as_deref(), login.password.as_deref()),
        (Some("alice"), Some("wonderland"))
    );

    let cram = decode_exchange(
        &Mechanism::CramMd5,
        None,
        &[
            AuthLine {
                from_client: false,
                payload: b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
                offset: 0,
            },
            AuthLine {
                from_client: true,
                payload: b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
                offset: 70,
            },
        ],
    );
    assert_eq!(
        cram.challenges,
        ["<1896.697170952@postoffice.reston.mci.net>"]
    );
    assert_eq!(
        (cram.authcid.as_deref(), cram.digest.as_deref()),
        (Some("tim"), Some("b913a602c7eda7a495b4e6e7334d3890"))
    );

    let xo = decode_exchange(
        &Mechanism::Xoauth2,
        Some((b"dXNlcj1hQGIBYXV0aD1CZWFyZXIgdG9rAQE=", 0)),
        &[],
    );
    assert_eq!(
        (xo.authcid.as_deref(), xo.token.as_deref()),
        (Some("a@b"), Some("tok"))
    );
}

#[test]
fn flags_malformed_payloads() {
    // (mechanism, initial response, offset, expected lint code, expected span)
    let cases: &[(Mechanism, &[u8], usize, &str, Span)] = &[
        // "alice\0wonderland": one NUL only.
        (
            Mechanism::Plain,
            b"YWxpY2UAd29uZGVybGFuZA==",
            5,
            "smtp.auth-plain-malformed",
            Span::new(5, 29),
        ),
        // "\0a\0b\0c": three NULs.
        (
            Mechanism::Plain,
            b"AGEAYgBj",
            0,
            "smtp.auth-plain-malformed",
            Span::new(0, 8),
        ),
        // "\0\0pw": empty authcid.
        (
            Mechanism::Plain,
            b"AABwdw==",
            0,
            "smtp.auth-plain-malformed",
            Span::new(0, 8),
        ),
        (
            Mechanism::Plain,
            b"not base64!",
            10,
            "smtp.auth-plain-malformed",
            Span::new(21, 21),
        ),
        (
            Mechanism::Plain,
            b"AGFs*WNl",
            0,
            "smtp.auth-plain-malformed",
            Span::new(4, 8),
        ),
        // "tim short" — digest not 32 hex.
        (
            Mechanism::CramMd5,
            b"dGltIHNob3J0",
            0,
            "smtp.auth-payload-malformed",
            Span::new(0, 12),
        ),
        // "user=a" without the ^A^A trailer.
        (
            Mechanism::Xoauth2,
            b"dXNlcj1h",
            0,
            "smtp.auth-payload-malformed",
            Span::new(0, 8),
        ),
        (
            Mechanism::Login,
            b"%%%%",
            3,
            "smtp.auth-payload-malformed",
            Span::new(3, 7),
        ),
    ];
    for (mech, payload, offset, code, span) in cases {
        let d = decode_exchange(mech, Some((payload, *offset)), &[]);
        let got: Vec<(&str, Span)> = d.lints.iter().map(|l| (&*l.code, l.span)).collect();
        assert_eq!(got, [(*code, *span)], "{mech} {payload:?}");
    }
    let cancelled = decode_exchange(
        &Mechanism::Login,
        None,
        &[AuthLine {
            from_client: true,
            payload: b"*",
            offset: 0,
        }],
    );
    assert!(
        cancelled.cancelled && cancelled.lints.is_empty(),
        "{cancelled:?}"
    );
}

#[test]
fn server_exchanges_accept_and_refuse() {
    let u = users();
    // (mechanism, initial, client lines, expected final step)
    type Case = (
        Mechanism,
        Option<&'static [u8]>,
        &'static [&'static [u8]],
        ServerStep,
    );
    let cases: &[Case] = &[
        (
            Mechanism::Plain,
            Some(b"AGFsaWNlAHdvbmRlcmxhbmQ="),
            &[],
            ServerStep::Success("alice".into()),
        ),
        (
            Mechanism::Plain,
            None,
            &[b"AGFsaWNlAHdvbmRlcmxhbmQ="],
            ServerStep::Success("alice".into()),
        ),
        // wrong password "wonderlan"
        (
            Mechanism::Plain,
            Some(b"AGFsaWNlAHdvbmRlcmxhbg=="),
            &[],
            ServerStep::Failure(AuthFailure::BadCredentials),
        ),
        (
            Mechanism::Plain,
            Some(b"@@@@"),
            &[],
            ServerStep::Failure(AuthFailure::Malformed),
        ),
        (
            Mechanism::Plain,
            Some(b"="),
            &[],
            ServerStep::Failure(AuthFailure::Malformed),
        ),
        (
            Mechanism::Login,
            None,
            &[b"YWxpY2U=", b"d29uZGVybGFuZA=="],
            ServerStep::Success("alice".into()),
        ),
        (
            Mechanism::Login,
            None,
            &[b"YWxpY2U=", b"eA=="],
            ServerStep::Failure(AuthFailure::BadCredentials),
        ),
        (
            Mechanism::Login,
            None,
            &[b"*"],
            ServerStep::Failure(AuthFailure::Cancelled),
        ),
        (
            Mechanism::CramMd5,
            None,
            &[b"dGltIDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"],
            ServerStep::Failure(AuthFailure::BadCredentials),
        ),
        (
            Mechanism::Other("NTLM".into()),
            None,
            &[],
            ServerStep::Failure(AuthFailure::UnsupportedMechanism),
        ),
    ];
    for (mech, initial, lines, expected) in cases {
        let (mut ex, mut step) = ServerExchange::start(mech.clone(), *initial, "<1@x>", &u);
        for line in *lines {
            assert!(
                matches!(step, ServerStep::Challenge(_)),
                "{mech}: expected a challenge before {line:?}, got {step:?}"
            );
            step = ex.handle_line(line, &u);
        }
        assert_eq!(&step, expected, "{mech} {initial:?} {lines:?}");
    }
    let long = vec![b'A'; MAX_AUTH_LINE + 4];
    let (mut ex, _) = ServerExchange::start(Mechanism::Login, None, "", &u);
    assert_eq!(
        ex.handle_line(&long, &u),
        ServerStep::Failure(AuthFailure::LineTooLong)
    );
}

#[test]
fn garbage_never_panics() {
    let mut rng = crate::testutil::XorShift::new(0x9e37_79b9_7f4a_7c15);
    let mut next = move || rng.next_u64();
    let u = users();
    let alphabet = b"AZaz09+/=\0\x01 *";
    for _ in 0..2000 {
        let len = (next() % 40) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    r as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        for mech in [
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::CramMd5,
            Mechanism::Xoauth2,
        ] {
            let d = decode_exchange(
                &mech,
                Some((&bytes, 0)),
                &[AuthLine {
                    from_client: true,
                    payload: &bytes,
                    offset: 50,
                }],
            );
            for l in &d.lints {
                assert!(
                    l.span.end <= 50 + bytes.len(),
                    "span {:?} out of input",
                    l.span
                );
            }
            let (mut ex, _) = ServerExchange::start(mech.clone(), None, "<c>", &u);
            let _ = ex.handle_line(&bytes, &u);
            let _ = ex.handle_line(&bytes, &u);
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let mut c = ClientExchange::new(Mechanism::Login, Credentials::new("a", "b")).unwrap();
            let _ = c.respond(text);
            let mut c =
                ClientExchange::new(Mechanism::CramMd5, Credentials::new("a", "b")).unwrap();
            let _ = c.respond(text);
        }
    }
}

#[test]
fn a_bare_payload_is_told_by_its_shape() {
    let b = |bytes: &[u8]| encode_base64(bytes);
    assert_eq!(
        guess_mechanism(b(b"\0alice\0wonderland").as_bytes()),
        Some(Mechanism::Plain)
    );
    assert_eq!(
        guess_mechanism(b(b"user=a@b\x01auth=Bearer t\x01\x01").as_bytes()),
        Some(Mechanism::Xoauth2)
    );
    assert_eq!(
        guess_mechanism(b(b"alice 0123456789abcdef0123456789abcdef").as_bytes()),
        Some(Mechanism::CramMd5)
    );
    assert_eq!(
        guess_mechanism(b(b"alice").as_bytes()),
        Some(Mechanism::Login)
    );
    assert_eq!(guess_mechanism(b"not base64!"), None);
}
