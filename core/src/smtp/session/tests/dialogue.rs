//! Whole dialogues: transactions, pipelining, STARTTLS, AUTH, BDAT, SIZE and smuggling.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn plain_transaction_delivers_the_message() {
    for pipelining in [false, true] {
        let plan = ClientPlan {
            pipelining,
            transactions: vec![txn("a@example.org", &["b@example.net"], MSG)],
            ..ClientPlan::default()
        };
        let mut c = ClientSession::new(plan);
        let mut s = ServerSession::new(ServerConfig::default());
        let run = transfer(&mut c, &mut s);
        let msgs = run.messages();
        assert_eq!(msgs.len(), 1, "pipelining={pipelining}: one message");
        assert_eq!(msgs[0].data, MSG, "body round-trips through dot-stuffing");
        assert_eq!(msgs[0].envelope.from, "a@example.org");
        assert_eq!(msgs[0].envelope.rcpts[0].address, "b@example.net");
        assert_eq!(msgs[0].helo.as_deref(), Some("client.mailscope.test"));
        assert_eq!(
            run.reply_codes(),
            [220, 250, 250, 250, 354, 250, 221],
            "pipelining={pipelining}"
        );
        assert!(c.is_closed() && s.is_closed(), "both closed after QUIT");
        assert!(
            run.sent_text().contains("\r\n..dotted line\r\n"),
            "dot stuffed"
        );
        assert!(run.client_errors().is_empty(), "{:?}", run.client_errors());
    }
}

#[test]
fn pipelined_group_is_sent_at_once_only_when_offered() {
    // (server offers PIPELINING, expect MAIL..DATA in one write)
    for offered in [true, false] {
        let plan = ClientPlan {
            transactions: vec![txn("a@x.org", &["b@y.org", "c@y.org"], b"x\r\n")],
            ..ClientPlan::default()
        };
        let mut c = ClientSession::new(plan);
        let mut s = ServerSession::new(ServerConfig {
            pipelining: offered,
            ..ServerConfig::default()
        });
        // Greeting, then EHLO reply.
        c.handle_input(&s.poll_output().unwrap());
        s.handle_input(&c.poll_output().unwrap());
        c.handle_input(&s.poll_output().unwrap());
        let group = String::from_utf8(c.poll_output().unwrap()).unwrap();
        let expected = if offered {
            "MAIL FROM:<a@x.org>\r\nRCPT TO:<b@y.org>\r\nRCPT TO:<c@y.org>\r\nDATA\r\n"
        } else {
            "MAIL FROM:<a@x.org>\r\n"
        };
        assert_eq!(group, expected, "offered={offered}");
        s.handle_input(group.as_bytes());
        let mut rest = transfer(&mut c, &mut s);
        rest.server
            .splice(0..0, std::iter::from_fn(|| s.poll_event()));
        assert_eq!(rest.messages().len(), 1, "offered={offered}");
    }
}

#[test]
fn multi_transaction_with_rset_and_rejections() {
    let config = ServerConfig {
        recipient_rules: vec![
            RecipientRule {
                pattern: "nobody@example.net".into(),
                action: RecipientAction::Reject,
            },
            RecipientRule {
                pattern: "grey.example".into(),
                action: RecipientAction::Defer,
            },
            RecipientRule {
                pattern: "full@example.net".into(),
                action: RecipientAction::MailboxFull,
            },
        ],
        ..ServerConfig::default()
    };
    for pipelining in [false, true] {
        let plan = ClientPlan {
            pipelining,
            rset_between: true,
            transactions: vec![
                txn(
                    "a@x.org",
                    &["nobody@example.net", "ok@example.net"],
                    b"one\r\n",
                ),
                txn(
                    "a@x.org",
                    &["u@grey.example", "full@example.net"],
                    b"two\r\n",
                ),
                txn("", &["ok2@example.net"], b"three\r\n"),
            ],
            ..ClientPlan::default()
        };
        let mut c = ClientSession::new(plan);
        let mut s = ServerSession::new(config.clone());
        let run = transfer(&mut c, &mut s);
        let msgs = run.messages();
        let bodies: Vec<&[u8]> = msgs.iter().map(|m| m.data.as_slice()).collect();
        assert_eq!(
            bodies,
            [&b"one\r\n"[..], b"three\r\n"],
            "pipelining={pipelining}"
        );
        assert_eq!(msgs[1].envelope.from, "", "null reverse-path");
        let outcomes: Vec<(usize, bool, Vec<u16>)> = run
            .outcomes()
            .iter()
            .map(|o| {
                (
                    o.index,
                    o.delivered,
                    o.rejected.iter().map(|r| r.1).collect(),
                )
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                (0, true, vec![550]),
                (1, false, vec![451, 452]),
                (2, true, vec![])
            ],
            "pipelining={pipelining}"
        );
        let text = run.sent_text();
        assert!(text.matches("RSET\r\n").count() >= 2, "RSETs sent: {text}");
        assert!(c.is_closed(), "quit at the end");
    }
}

#[test]
fn starttls_discards_capabilities_and_re_ehlos() {
    let config = ServerConfig {
        starttls: true,
        auth_mechanisms: vec![Mechanism::Plain],
        users: users(),
        require_tls_for_auth: true,
        ..ServerConfig::default()
    };
    let plan = ClientPlan {
        starttls: TlsPolicy::Required,
        auth: Some((Mechanism::Plain, Credentials::new("alice", "wonderland"))),
        transactions: vec![txn("alice@x.org", &["b@y.org"], b"secret\r\n")],
        ..ClientPlan::default()
    };
    let mut c = ClientSession::new(plan);
    let mut s = ServerSession::new(config);
    let run = transfer(&mut c, &mut s);
    let caps: Vec<&Capabilities> = run
        .client
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Capabilities(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(caps.len(), 2, "EHLO before and after TLS");
    assert!(
        caps[0].has(Extension::StartTls) && !caps[0].has(Extension::Auth),
        "pre-TLS: {:?}",
        caps[0]
    );
    assert!(
        !caps[1].has(Extension::StartTls) && caps[1].auth_mechanisms() == ["PLAIN"],
        "post-TLS: {:?}",
        caps[1]
    );
    let msgs = run.messages();
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].tls, "received under TLS");
    assert_eq!(msgs[0].auth_user.as_deref(), Some("alice"));
    let text = run.sent_text();
    assert_eq!(text.matches("EHLO ").count(), 2, "{text}");
    assert!(
        text.find("STARTTLS") < text.find("AUTH PLAIN"),
        "AUTH only after TLS: {text}"
    );
}

#[test]
fn starttls_injection_is_refused_on_both_sides() {
    // Server: a command pipelined after STARTTLS is not run after TLS.
    let mut s = ServerSession::new(ServerConfig {
        starttls: true,
        ..ServerConfig::default()
    });
    let _ = s.poll_output();
    s.handle_input(b"EHLO x\r\n");
    let _ = s.poll_output();
    s.handle_input(b"STARTTLS\r\nMAIL FROM:<evil@x.org>\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(out.starts_with("554 5.5.1"), "refused: {out}");
    assert!(
        !s.is_tls() && s.state() == ServerState::Ready,
        "no TLS, no MAIL: {:?}",
        s.state()
    );
    // Bytes after the 220 and before the handshake close the session.
    s.handle_input(b"STARTTLS\r\n");
    assert!(String::from_utf8(s.poll_output().unwrap())
        .unwrap()
        .starts_with("220"));
    s.handle_input(b"RSET\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(out.starts_with("421 4.7.0") && s.is_closed(), "{out}");

    // Client: bytes buffered past the 220 reply to STARTTLS are an error.
    let mut c = ClientSession::new(ClientPlan {
        starttls: TlsPolicy::Required,
        ..ClientPlan::default()
    });
    c.handle_input(b"220 mx ESMTP\r\n");
    let _ = c.poll_output();
    c.handle_input(b"250-mx\r\n250 STARTTLS\r\n");
    assert_eq!(c.poll_output().as_deref(), Some(&b"STARTTLS\r\n"[..]));
    c.handle_input(b"220 go ahead\r\n250 injected\r\n");
    let events: Vec<ClientEvent> = std::iter::from_fn(|| c.poll_event()).collect();
    assert!(
        events.contains(&ClientEvent::Error(ClientError::BytesAfterStartTls {
            count: 14
        })),
        "{events:?}"
    );
    assert!(c.is_closed());
}

#[test]
fn auth_mechanisms_succeed_and_fail() {
    // (mechanism, password, expect success)
    let cases = [
        (Mechanism::Plain, "wonderland", true),
        (Mechanism::Login, "wonderland", true),
        (Mechanism::CramMd5, "wonderland", true),
        (Mechanism::Xoauth2, "wonderland", true),
        (Mechanism::Plain, "wrong", false),
        (Mechanism::Login, "wrong", false),
        (Mechanism::CramMd5, "wrong", false),
    ];
    for (mech, password, success) in cases {
        let config = ServerConfig {
            auth_mechanisms: vec![
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::CramMd5,
                Mechanism::Xoauth2,
            ],
            users: users(),
            require_auth: true,
            ..ServerConfig::default()
        };
        let plan = ClientPlan {
            auth: Some((mech.clone(), Credentials::new("alice", password))),
            transactions: vec![txn("alice@x.org", &["b@y.org"], b"hi\r\n")],
            ..ClientPlan::default()
        };
        let mut c = ClientSession::new(plan);
        let mut s = ServerSession::new(config);
        s.set_auth_challenge("<12345.1700000000@mailscope.test>");
        let run = transfer(&mut c, &mut s);
        let authed = run.client.contains(&ClientEvent::Authenticated);
        assert_eq!(authed, success, "{mech} with {password}");
        assert_eq!(
            run.messages().len(),
            usize::from(success),
            "{mech} with {password}"
        );
        let last_auth_code = run.client.iter().find_map(|e| match e {
            ClientEvent::AuthFailed { code } => Some(*code),
            _ => None,
        });
        assert_eq!(last_auth_code, (!success).then_some(535), "{mech}");
        assert!(c.is_closed(), "{mech}: quit after AUTH");
    }
    // require_auth: MAIL without AUTH gets 530.
    let mut s = ServerSession::new(ServerConfig {
        require_auth: true,
        auth_mechanisms: vec![Mechanism::Plain],
        ..ServerConfig::default()
    });
    s.handle_input(b"EHLO x\r\nMAIL FROM:<a@b.org>\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(
        out.ends_with("530 5.7.0 Authentication required\r\n"),
        "{out}"
    );
}

#[test]
fn bdat_transfers_exact_chunks() {
    let message = b"Subject: bdat\r\n\r\n.no stuffing\r\nbinary \x00\xff ok\r\n";
    for pipelining in [false, true] {
        let mut t = txn("a@x.org", &["b@y.org"], message);
        t.bdat_chunk = Some(7);
        let plan = ClientPlan {
            pipelining,
            transactions: vec![t],
            ..ClientPlan::default()
        };
        let mut c = ClientSession::new(plan);
        let mut s = ServerSession::new(ServerConfig::default());
        let run = transfer(&mut c, &mut s);
        let msgs = run.messages();
        assert_eq!(msgs.len(), 1, "pipelining={pipelining}");
        assert_eq!(msgs[0].data, message, "exact bytes");
        assert!(msgs[0].bdat);
        let text = run.sent_text();
        assert!(
            text.contains("BDAT 7\r\n") && text.contains("LAST\r\n"),
            "{text}"
        );
        assert!(!text.contains("DATA\r\n"), "{text}");
    }
}

#[test]
fn size_limit_is_enforced() {
    let big = vec![b'x'; 300];
    let mut wire = big.clone();
    wire.extend_from_slice(b"\r\n");
    // Declared SIZE too large: 552 at MAIL.
    let mut s = ServerSession::new(ServerConfig {
        size_limit: Some(100),
        ..ServerConfig::default()
    });
    s.handle_input(b"EHLO x\r\nMAIL FROM:<a@b.org> SIZE=500\r\n");
    let out = String::from_utf8(s.poll_output().unwrap()).unwrap();
    assert!(out.contains("250-SIZE 100\r\n"), "{out}");
    assert!(
        out.ends_with("552 5.3.4 Message size exceeds fixed limit\r\n"),
        "{out}"
    );
    // Undeclared, but the data is too large: 552 after the dot.
    let plan = ClientPlan {
        transactions: vec![txn("a@x.org", &["b@y.org"], &wire)],
        ..ClientPlan::default()
    };
    let mut c = ClientSession::new(plan);
    let mut s = ServerSession::new(ServerConfig {
        size_limit: Some(100),
        ..ServerConfig::default()
    });
    let run = transfer(&mut c, &mut s);
    assert!(run.messages().is_empty());
    assert_eq!(run.outcomes()[0].code, 552);
    assert!(
        run.client_errors().contains(&&ClientError::SizeExceeded {
            size: 302,
            limit: 100
        }),
        "client warned: {:?}",
        run.client_errors()
    );
}

#[test]
fn smuggling_never_yields_a_second_message() {
    // (data after 354 as sent raw, whether the server refuses the message)
    let cases: &[&[u8]] = &[
        b"a\n.\nMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
        b"a\r\n.\nMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
        b"a\n.\r\nMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
        b"a\r.\rMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
        b"a\r.\r\nMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
        b"a\r\n.\rMAIL FROM:<evil@x.org>\r\nRCPT TO:<v@y.org>\r\nDATA\r\nsmuggled\r\n.\r\n",
    ];
    for reject in [true, false] {
        for &data in cases {
            let mut t = txn("a@x.org", &["b@y.org"], data);
            t.raw_data = true;
            let plan = ClientPlan {
                transactions: vec![t],
                ..ClientPlan::default()
            };
            let mut c = ClientSession::new(plan);
            let mut s = ServerSession::new(ServerConfig {
                reject_bare_newlines: reject,
                ..ServerConfig::default()
            });
            let run = transfer(&mut c, &mut s);
            let msgs = run.messages();
            assert_eq!(msgs.len(), usize::from(!reject), "reject={reject} {data:?}");
            if let Some(m) = msgs.first() {
                assert_eq!(m.envelope.from, "a@x.org", "no smuggled envelope");
                assert!(
                    m.lints.iter().any(|l| l.code == "smtp.smuggling-sequence"),
                    "lint reported: {:?}",
                    m.lints
                );
            }
            let mails = run
                .server
                .iter()
                .filter(|e| {
                    matches!(
                        e,
                        ServerEvent::Command {
                            command: Command::Mail { .. },
                            ..
                        }
                    )
                })
                .count();
            assert_eq!(
                mails, 1,
                "the smuggled MAIL is never read as a command: {data:?}"
            );
        }
    }
}

#[test]
fn awaiting_replies_counts_what_is_unanswered() {
    let mut c = ClientSession::manual();
    let mut s = ServerSession::new(ServerConfig::default());
    assert_eq!(c.awaiting_replies(), 1, "the greeting");
    c.handle_input(&s.poll_output().unwrap());
    assert_eq!(c.awaiting_replies(), 0, "greeted");
    c.send(&Command::ehlo("client.example")).unwrap();
    c.send(&Command::Noop { arg: None }).unwrap();
    assert_eq!(c.awaiting_replies(), 2, "two commands out");
    s.handle_input(&c.poll_output().unwrap());
    let replies = s.poll_output().unwrap();
    // The NOOP reply is the last line.
    let last_line = replies[..replies.len() - 2]
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .unwrap()
        + 2;
    let (ehlo_reply, noop_reply) = replies.split_at(last_line);
    c.handle_input(ehlo_reply);
    assert_eq!(c.awaiting_replies(), 1, "EHLO answered, NOOP not yet");
    c.handle_input(noop_reply);
    assert_eq!(c.awaiting_replies(), 0, "all answered");
}
