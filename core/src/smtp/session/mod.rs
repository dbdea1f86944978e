//! Client and server session state machines ([RFC 5321 §4.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.4)
//! command order, [§4.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.3.2) reply
//! sequences, [RFC 2920](https://www.rfc-editor.org/rfc/rfc2920) pipelining,
//! [RFC 3207](https://www.rfc-editor.org/rfc/rfc3207) STARTTLS,
//! [RFC 4954](https://www.rfc-editor.org/rfc/rfc4954) AUTH,
//! [RFC 3030](https://www.rfc-editor.org/rfc/rfc3030) BDAT).
//!
//! Both are sans-IO: the transport feeds received bytes in with `handle_input`, takes bytes to
//! send with `poll_output` and things that happened with `poll_event`, tells the session about
//! time with `handle_time(now)` (milliseconds, any epoch) and about a finished TLS handshake with
//! `tls_established`. Nothing inside reads a clock, a socket or randomness.
//!
//! ```text
//!              ┌──────────── poll_output ───────────►┐
//!  ClientSession                                     ServerSession
//!              └◄─────────── poll_output ────────────┘
//!   handle_input ◄── bytes                bytes ──► handle_input
//!   poll_event ──► ClientEvent            ServerEvent ◄── poll_event
//! ```

pub mod client;
pub mod order;
pub mod server;

pub use client::{
    ClientError, ClientEvent, ClientPlan, ClientSession, ClientState, StopPoint, TlsPolicy,
    Transaction, TransactionOutcome,
};
pub use order::{Hello, Order, OrderError, Step};
pub use server::{
    Envelope, FaultInjection, ReceivedMessage, RecipientAction, RecipientRule, ServerConfig,
    ServerEvent, ServerSession, ServerState,
};

/// The bytes queued in `output`, if any, leaving it empty: `poll_output` of both sessions.
fn take_output(output: &mut Vec<u8>) -> Option<Vec<u8>> {
    (!output.is_empty()).then(|| std::mem::take(output))
}

/// Timeouts a client waits for a reply ([RFC 5321 §4.5.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.2)),
/// in milliseconds.
pub mod timeouts {
    /// Initial 220 greeting: 5 minutes (§4.5.3.2.1).
    pub const GREETING: u64 = 5 * 60 * 1000;
    /// MAIL, RCPT and other commands: 5 minutes (§4.5.3.2.2, §4.5.3.2.3).
    pub const COMMAND: u64 = 5 * 60 * 1000;
    /// DATA initiation (the 354): 2 minutes (§4.5.3.2.4).
    pub const DATA_INIT: u64 = 2 * 60 * 1000;
    /// DATA termination (the reply after `.`): 10 minutes (§4.5.3.2.6).
    pub const DATA_TERMINATION: u64 = 10 * 60 * 1000;
    /// Server idle timeout waiting for the next command: 5 minutes (§4.5.3.2.7).
    pub const SERVER_IDLE: u64 = 5 * 60 * 1000;
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::smtp::auth::{Credentials, Mechanism};
    use crate::smtp::capability::{Capabilities, Extension};
    use crate::smtp::command::Command;
    use std::collections::BTreeMap;

    /// What a run of client against server produced.
    #[derive(Default)]
    struct Run {
        client: Vec<ClientEvent>,
        server: Vec<ServerEvent>,
        /// Everything the client sent and the server sent, in order.
        c2s: Vec<u8>,
        s2c: Vec<u8>,
    }

    impl Run {
        fn messages(&self) -> Vec<&server::ReceivedMessage> {
            self.server
                .iter()
                .filter_map(|e| match e {
                    ServerEvent::MessageReceived(m) => Some(&**m),
                    _ => None,
                })
                .collect()
        }

        fn outcomes(&self) -> Vec<&TransactionOutcome> {
            self.client
                .iter()
                .filter_map(|e| match e {
                    ClientEvent::TransactionDone(o) => Some(o),
                    _ => None,
                })
                .collect()
        }

        fn reply_codes(&self) -> Vec<u16> {
            self.client
                .iter()
                .filter_map(|e| match e {
                    ClientEvent::Reply { reply, .. } => Some(reply.code),
                    _ => None,
                })
                .collect()
        }

        fn client_errors(&self) -> Vec<&ClientError> {
            self.client
                .iter()
                .filter_map(|e| match e {
                    ClientEvent::Error(err) => Some(err),
                    _ => None,
                })
                .collect()
        }

        fn sent_text(&self) -> String {
            String::from_utf8_lossy(&self.c2s).into_owned()
        }
    }

    /// The rustls-style transfer loop: move bytes until neither side has any, doing the
    /// "handshake" when the client asks for TLS. No sleeps; the clock is simulated.
    fn transfer(client: &mut ClientSession, server: &mut ServerSession) -> Run {
        let mut run = Run::default();
        let mut now = 1_000;
        for _ in 0..10_000 {
            now += 10;
            client.handle_time(now);
            server.handle_time(now);
            let mut moved = false;
            while let Some(bytes) = server.poll_output() {
                run.s2c.extend_from_slice(&bytes);
                client.handle_input(&bytes);
                moved = true;
            }
            while let Some(e) = server.poll_event() {
                run.server.push(e);
            }
            let mut tls = false;
            while let Some(e) = client.poll_event() {
                tls |= e == ClientEvent::TlsRequested;
                run.client.push(e);
            }
            if tls {
                server.tls_established();
                client.tls_established();
            }
            while let Some(bytes) = client.poll_output() {
                run.c2s.extend_from_slice(&bytes);
                server.handle_input(&bytes);
                moved = true;
            }
            while let Some(e) = client.poll_event() {
                run.client.push(e);
            }
            if !moved && !tls {
                break;
            }
        }
        run
    }

    fn txn(from: &str, rcpts: &[&str], message: &[u8]) -> Transaction {
        Transaction {
            from: from.into(),
            rcpts: rcpts.iter().map(|r| r.to_string()).collect(),
            message: message.to_vec(),
            ..Transaction::default()
        }
    }

    fn users() -> BTreeMap<String, String> {
        [("alice".to_owned(), "wonderland".to_owned())].into()
    }

    const MSG: &[u8] = b"Subject: hi\r\n\r\n.dotted line\r\nbye\r\n";

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
    fn stop_points_quit_where_asked() {
        // (stop point, last command before QUIT)
        let cases = [
            (StopPoint::Connect, None),
            (StopPoint::FirstHelo, Some("EHLO")),
            (StopPoint::Helo, Some("EHLO")),
            (StopPoint::Mail, Some("MAIL")),
            (StopPoint::Rcpt, Some("RCPT")),
            (StopPoint::Dot, Some("<message data>")),
        ];
        for (stop, last) in cases {
            let plan = ClientPlan {
                quit_after: Some(stop),
                transactions: vec![
                    txn("a@x.org", &["b@y.org"], b"1\r\n"),
                    txn("a@x.org", &["b@y.org"], b"2\r\n"),
                ],
                ..ClientPlan::default()
            };
            let mut c = ClientSession::new(plan);
            let mut s = ServerSession::new(ServerConfig::default());
            let run = transfer(&mut c, &mut s);
            let sent: Vec<&str> = run
                .client
                .iter()
                .filter_map(|e| match e {
                    ClientEvent::Reply {
                        command: Some(c), ..
                    } => Some(c.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(sent.last(), Some(&"QUIT"), "{stop:?}: {sent:?}");
            let before = sent.len().checked_sub(2).and_then(|i| sent.get(i)).copied();
            assert_eq!(
                before.map(|b| b.split(' ').next().unwrap_or(b)),
                last.map(|l: &str| l.split(' ').next().unwrap_or(l)),
                "{stop:?}: {sent:?}"
            );
            assert!(run.messages().len() <= 1, "{stop:?}");
        }
    }

    #[test]
    fn stop_points_around_tls_auth_and_data() {
        // (stop point, commands the server saw, whether the connection ends with QUIT)
        let cases: [(StopPoint, &[&str], bool); 3] = [
            (StopPoint::Tls, &["EHLO", "STARTTLS", "QUIT"], true),
            (
                StopPoint::Auth,
                &["EHLO", "STARTTLS", "EHLO", "AUTH", "QUIT"],
                true,
            ),
            (
                StopPoint::Data,
                &["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA"],
                false,
            ),
        ];
        for (stop, verbs, quits) in cases {
            let config = ServerConfig {
                starttls: true,
                auth_mechanisms: vec![Mechanism::Login],
                users: users(),
                ..ServerConfig::default()
            };
            let plan = ClientPlan {
                starttls: TlsPolicy::IfOffered,
                auth: Some((Mechanism::Login, Credentials::new("alice", "wonderland"))),
                quit_after: Some(stop),
                transactions: vec![txn("a@x.org", &["b@y.org"], b"1\r\n")],
                ..ClientPlan::default()
            };
            let mut c = ClientSession::new(plan);
            let mut s = ServerSession::new(config);
            let run = transfer(&mut c, &mut s);
            let seen: Vec<&str> = run
                .server
                .iter()
                .filter_map(|e| match e {
                    ServerEvent::Command { command, .. } => Some(command.verb()),
                    _ => None,
                })
                .collect();
            assert_eq!(seen, verbs, "{stop:?}");
            assert!(c.is_closed(), "{stop:?}: client closed");
            assert_eq!(
                s.is_closed(),
                quits,
                "{stop:?}: server closed only after QUIT"
            );
            assert!(run.messages().is_empty(), "{stop:?}");
        }
    }

    #[test]
    fn manual_steps_and_faults() {
        let mut s = ServerSession::new(ServerConfig {
            faults: FaultInjection {
                data_451: true,
                ..FaultInjection::default()
            },
            ..ServerConfig::default()
        });
        let mut c = ClientSession::manual();
        let pump = |c: &mut ClientSession, s: &mut ServerSession| {
            for _ in 0..4 {
                while let Some(b) = c.poll_output() {
                    s.handle_input(&b);
                }
                while let Some(b) = s.poll_output() {
                    c.handle_input(&b);
                }
            }
            std::iter::from_fn(|| c.poll_event()).collect::<Vec<_>>()
        };
        let _ = pump(&mut c, &mut s);
        for cmd in [
            Command::ehlo("me.example"),
            Command::mail_from("a@x.org"),
            Command::rcpt_to("b@y.org"),
            Command::Data,
        ] {
            c.send(&cmd).unwrap();
            let _ = pump(&mut c, &mut s);
        }
        c.send(&Command::Data).unwrap();
        let events = pump(&mut c, &mut s);
        let codes: Vec<u16> = events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { reply, .. } => Some(reply.code),
                _ => None,
            })
            .collect();
        assert_eq!(codes, [451], "injected 4xx on DATA");

        // Greeting fault: 421 and closed.
        let mut s = ServerSession::new(ServerConfig {
            faults: FaultInjection {
                greeting_421: true,
                ..FaultInjection::default()
            },
            ..ServerConfig::default()
        });
        let mut c = ClientSession::new(ClientPlan::default());
        let run = transfer(&mut c, &mut s);
        assert_eq!(run.reply_codes(), [421]);
        assert!(c.is_closed() && s.is_closed());

        // Manual DATA with send_message.
        let mut s = ServerSession::new(ServerConfig::default());
        let mut c = ClientSession::manual();
        let _ = pump(&mut c, &mut s);
        for cmd in [
            Command::helo("me.example"),
            Command::mail_from("a@x.org"),
            Command::rcpt_to("b@y.org"),
            Command::Data,
        ] {
            c.send(&cmd).unwrap();
        }
        let events = pump(&mut c, &mut s);
        assert!(
            events.contains(&ClientEvent::Error(ClientError::PipeliningNotOffered))
                || events.contains(&ClientEvent::ReadyForData),
            "{events:?}"
        );
        c.send_message(b".leading dot\nbare lf");
        let _ = pump(&mut c, &mut s);
        let got = std::iter::from_fn(|| s.poll_event()).find_map(|e| match e {
            ServerEvent::MessageReceived(m) => Some(m.data),
            _ => None,
        });
        assert_eq!(got.as_deref(), Some(&b".leading dot\r\nbare lf\r\n"[..]));

        // Manual BDAT: the chunks arrive byte for byte.
        c.send(&Command::Rset).unwrap();
        c.send(&Command::mail_from("a@x.org")).unwrap();
        c.send(&Command::rcpt_to("b@y.org")).unwrap();
        c.send_bdat(b"line one\r\n", false);
        c.send_bdat(b"\n.\n", true);
        let events = pump(&mut c, &mut s);
        let codes: Vec<u16> = events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { reply, .. } => Some(reply.code),
                _ => None,
            })
            .collect();
        assert_eq!(codes, [250, 250, 250, 250, 250], "{events:?}");
        let got = std::iter::from_fn(|| s.poll_event()).find_map(|e| match e {
            ServerEvent::MessageReceived(m) => Some(m.data),
            _ => None,
        });
        assert_eq!(
            got.as_deref(),
            Some(&b"line one\r\n\n.\n"[..]),
            "BDAT carries bytes unchanged"
        );
    }

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
        s.handle_input(b"EHLO x\r\nMAIL FROM:<a@b.org>\r\nRCPT TO:<c@d.org>\r\nBDAT 18446744073709551615 LAST\r\n");
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
}
