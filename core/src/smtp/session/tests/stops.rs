//! Stop points and manual steps: where the client quits when asked, and faults injected into
//! the server.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

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
