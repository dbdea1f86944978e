//! Tests of the session reducer (shared helpers are used by the other modules' tests).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mailscope_core::smtp::session::StopPoint;

use super::*;
use crate::state::i18n::Lang;

pub(super) fn codes(m: &SessionModel) -> Vec<String> {
    m.rows().iter().map(|r| r.kind.clone()).collect()
}

pub(super) fn send(m: &mut SessionModel, line: &str, now: u64) {
    m.apply(Action::SendLine {
        line: line.into(),
        now,
    });
    assert_eq!(m.error, None, "after {line}");
}

/// The notes of a session, rendered in `lang`.
pub(super) fn notes_in(m: &SessionModel, lang: Lang) -> Vec<String> {
    crate::state::i18n::ready_for_tests(lang);
    m.notes.iter().map(|n| n.render(lang)).collect()
}

const KOREAN: &str = "Subject: =?UTF-8?B?7JWI64WV?=\nFrom: a@example.org\n\n.안녕하세요\n";

/// Bug: an open live session already listed "no QUIT". It is judged when it ends.
#[test]
fn a_session_in_progress_is_not_judged_as_ended() {
    let mut m = SessionModel::default();
    m.apply(Action::Connect { now: 0 });
    send(&mut m, "EHLO c", 1);
    let no_quit = |m: &SessionModel| m.annotated.lints.iter().any(|l| l.code == "smtp.no-quit");
    assert!(!no_quit(&m), "open: {:?}", m.annotated.lints);
    m.apply(Action::Disconnect);
    assert!(no_quit(&m), "closed without QUIT: {:?}", m.annotated.lints);
}

#[test]
fn full_manual_session_against_the_in_browser_server() {
    let mut m = SessionModel::default();
    m.apply(Action::Connect { now: 1000 });
    assert_eq!(m.client_state(), Some(ClientState::Greeting));
    send(&mut m, "EHLO client.example", 1010);
    m.apply(Action::AuthStart {
        mechanism: Mechanism::Plain,
        credentials: Credentials::new("alice", "wonderland"),
        now: 1020,
    });
    assert!(m.is_authenticated(), "AUTH PLAIN accepted: {:?}", m.notes);
    send(&mut m, "MAIL FROM:<a@example.org> BODY=8BITMIME", 1030);
    send(&mut m, "RCPT TO:<b@example.net>", 1040);
    send(&mut m, "RCPT TO:<c@example.net>", 1050);
    send(&mut m, "DATA", 1060);
    assert!(m.ready_for_data(), "354 asks for the message");
    m.apply(Action::Message {
        text: KOREAN.into(),
        now: 1070,
    });
    send(&mut m, "QUIT", 1080);
    assert_eq!(
        codes(&m),
        [
            "reply 220",
            "command EHLO",
            "reply 250",
            "command AUTH",
            "reply 235",
            "command MAIL",
            "reply 250",
            "command RCPT",
            "reply 250",
            "command RCPT",
            "reply 250",
            "command DATA",
            "reply 354",
            "message",
            "reply 250",
            "command QUIT",
            "reply 221"
        ],
        "transcript entries"
    );
    let rows = m.rows();
    assert!(rows[4].wire.starts_with("235 2.7.0"), "{}", rows[4].wire);
    assert!(
        rows[1].wire.ends_with("␍␊\n"),
        "CRLF visible: {}",
        rows[1].wire
    );
    assert_eq!(rows[1].at_ms, Some(10), "timing from the passed clock");
    assert_eq!(rows[16].at_ms, Some(80));
    assert!(
        rows[13].wire.contains("..안녕하세요"),
        "dot-stuffed: {}",
        rows[13].wire
    );
    assert_eq!(m.received.len(), 1, "server took the message");
    assert!(!m.is_connected(), "closed after QUIT");
    let lints: Vec<String> = m
        .annotated
        .all_lints()
        .iter()
        .map(|l| l.code.to_string())
        .collect();
    let smtp: Vec<&String> = lints.iter().filter(|c| c.starts_with("smtp.")).collect();
    assert_eq!(smtp, ["smtp.auth-without-tls"], "only AUTH before TLS");
    // The typed message is linted as a message too: it has no Date field.
    assert!(lints.iter().any(|c| c == "mime.missing-date"), "{lints:?}");
    assert_eq!(m.ladder.round_trips.len(), 8);
    assert_eq!(m.ladder.saved_by_pipelining, 0);
    let text = m.export_text();
    assert!(
        text.starts_with("S: 220 mailscope.test"),
        "S:/C: export: {text}"
    );
    assert!(text.contains("C: RCPT TO:<c@example.net>\n"), "{text}");
    // The worker's JSON reads the session back exactly as the page did.
    let source = m.export_source();
    assert_eq!(
        source.transcript(),
        m.transcript,
        "the same lines, spans and directions"
    );
    let through = crate::state::binary::decode::<ExportSource>(
        &crate::state::binary::encode(&source).expect("encodes"),
    )
    .expect("decodes");
    let written = through.json();
    assert_eq!(written, crate::state::transcript::export_json(&m.annotated));
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(json["version"], 1);
}

#[test]
fn starttls_and_challenge_mechanisms() {
    let mut m = SessionModel::default();
    m.apply(Action::Connect { now: 0 });
    send(&mut m, "EHLO c", 1);
    send(&mut m, "STARTTLS", 2);
    assert!(m.is_tls(), "simulated handshake: {:?}", m.notes);
    send(&mut m, "EHLO c", 3);
    m.apply(Action::AuthStart {
        mechanism: Mechanism::Login,
        credentials: Credentials::new("alice", "wonderland"),
        now: 4,
    });
    assert!(m.challenge.is_some(), "334 Username:");
    // Bug: a command clicked during the exchange went out as the SASL answer.
    let wire = m.wire.len();
    m.apply(Action::SendLine {
        line: "MAIL FROM:<a@example.org>".into(),
        now: 5,
    });
    assert_eq!(m.error, Some(SessionError::SaslInProgress));
    assert_eq!(m.wire.len(), wire, "nothing was sent");
    m.apply(Action::AuthContinue { now: 5 });
    m.apply(Action::AuthContinue { now: 6 });
    assert!(m.is_authenticated(), "LOGIN: {:?}", m.notes);
    assert!(m.rows().iter().skip(5).all(|r| r.tls), "after STARTTLS");
    m.apply(Action::AuthContinue { now: 7 });
    assert!(m.error.is_some(), "nothing to answer");
}

#[test]
fn raw_lines_keep_their_defects() {
    let mut m = SessionModel::default();
    m.apply(Action::Connect { now: 0 });
    m.apply(Action::Raw {
        line: "EHLO c".into(),
        now: 1,
    });
    assert_eq!(m.client_state(), Some(ClientState::Ready), "tracked");
    m.apply(Action::Raw {
        line: "MAIL FROM: <a@example.org>".into(),
        now: 2,
    });
    let lints: Vec<String> = m
        .annotated
        .all_lints()
        .iter()
        .map(|l| l.code.to_string())
        .collect();
    assert!(
        lints.iter().any(|c| c == "smtp.space-after-colon"),
        "{lints:?}"
    );
    assert!(
        m.wire.windows(9).any(|w| w == b"FROM: <a@"),
        "sent as typed"
    );
}

#[test]
fn run_whole_transaction_with_stop_after() {
    let plan = PlanInput {
        helo: "client.example".into(),
        starttls: false,
        auth: Some((Mechanism::Plain, Credentials::new("alice", "wonderland"))),
        from: "a@example.org".into(),
        mail_params: "BODY=8BITMIME".into(),
        rcpts: vec!["b@example.net".into(), "c@example.net".into()],
        message: KOREAN.into(),
        stop_after: None,
    };
    let mut m = SessionModel::default();
    m.apply(Action::Run {
        plan: Box::new(plan.clone()),
        now: 0,
    });
    assert_eq!(m.received.len(), 1, "delivered: {:?}", m.notes);
    let last = m.rows().last().map(|r| r.kind.clone());
    assert_eq!(last.as_deref(), Some("reply 221"));
    m.apply(Action::Run {
        plan: Box::new(PlanInput {
            stop_after: Some(StopPoint::Mail),
            ..plan.clone()
        }),
        now: 0,
    });
    let kinds = codes(&m);
    assert!(
        !kinds.iter().any(|k| k == "command RCPT"),
        "stopped after MAIL: {kinds:?}"
    );
    assert_eq!(kinds.last().map(String::as_str), Some("reply 221"));
    m.apply(Action::Run {
        plan: Box::new(PlanInput {
            from: "bad mailbox".into(),
            ..plan
        }),
        now: 0,
    });
    assert!(
        !codes(&m).iter().any(|k| k == "command MAIL")
            && m.notes.iter().any(|n| n.kind == NoteKind::Error),
        "a MAIL path that cannot be written is reported, not sent: {:?}",
        m.notes
    );
}

#[test]
fn hostile_raw_input_never_panics() {
    let mut m = SessionModel::default();
    m.apply(Action::Connect { now: 0 });
    for line in [
        "\u{0}\u{1}\u{2}",
        &"A".repeat(20_000),
        "BDAT 99999999999999999999",
        "AUTH PLAIN !!!!",
        "",
        "DATA",
        ".",
    ] {
        m.apply(Action::Raw {
            line: line.into(),
            now: 1,
        });
    }
    m.apply(Action::Bdat {
        text: "x".into(),
        last: true,
        now: 2,
    });
    m.apply(Action::Tick { now: 10_000_000 });
    assert!(!m.rows().is_empty(), "the greeting at least");
}
