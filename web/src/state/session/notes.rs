//! What the Session view says besides the wire: notes (an event of the client, the in-browser
//! server or the relay, kept language-free as [`NoteText`] and rendered in the reader's
//! language), the names of the sessions' states, and the translation of the core's session
//! events into notes.

use mailscope_core::i18n as core_i18n;
use mailscope_core::smtp::auth::AuthFailure;
use mailscope_core::smtp::session::{
    ClientError, ClientEvent, ClientState, ServerEvent, ServerState,
};

use super::certificate::VerifyFailure;
use super::SessionModel;
use crate::state::i18n::{key, trf, Lang};

/// Most notes kept.
pub const MAX_NOTES: usize = 1000;

/// How bad a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// Something happened.
    Info,
    /// Something went wrong.
    Error,
}

/// Who reported a note: English keys for [`tr`](crate::state::i18n::tr).
pub const SIDE_CLIENT: &str = key("client");
/// The server session (in the page) reported it.
pub const SIDE_SERVER: &str = key("server");
/// The relay reported it.
pub const SIDE_RELAY: &str = key("relay");

/// The words of a note (or of a problem in the server settings), kept apart from the language:
/// the view renders them for the reader with [`NoteText::render`]. Values that are data
/// (addresses, codes, cipher names, the server's or the relay's own text) are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteText {
    /// An English template with `{name}` holes, marked with [`key`], and its values.
    Template {
        /// The English template (the translation key).
        template: &'static str,
        /// The values, by hole name; free text last (so it is never searched for holes).
        args: Vec<(&'static str, String)>,
    },
    /// An error of the core's client session, worded by the core.
    Client(ClientError),
    /// A protocol violation the core's server session refused, worded by the core.
    Violation(String),
    /// A TLS handshake whose certificate did not verify, and why (said in the reader's
    /// language when the relay names the kind).
    Unverified {
        /// `TLSv1.3`…
        version: String,
        /// The cipher suite.
        cipher: String,
        /// Why.
        failure: VerifyFailure,
    },
    /// The in-browser server refused an AUTH exchange.
    AuthFailed {
        /// The mechanism.
        mechanism: String,
        /// Why (the core words it; its reply is data).
        reason: AuthFailure,
    },
}

impl NoteText {
    /// A template without values.
    pub fn fixed(template: &'static str) -> NoteText {
        NoteText::Template {
            template,
            args: Vec::new(),
        }
    }

    /// Whether this is `template` (with any values).
    pub fn is(&self, template: &str) -> bool {
        matches!(self, NoteText::Template { template: t, .. } if *t == template)
    }

    /// A template with values.
    pub fn with(template: &'static str, args: Vec<(&'static str, String)>) -> NoteText {
        NoteText::Template { template, args }
    }

    /// The note in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            NoteText::Template { template, args } => {
                let args: Vec<(&str, &dyn std::fmt::Display)> = args
                    .iter()
                    .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
                    .collect();
                trf(lang, template, &args)
            }
            NoteText::Unverified {
                version,
                cipher,
                failure,
            } => trf(
                lang,
                "TLS handshake done: {version}, {cipher}; certificate NOT verified ({error}).",
                &[
                    ("version", version),
                    ("cipher", cipher),
                    ("error", &failure.render(lang)),
                ],
            ),
            NoteText::Client(e) => core_i18n::client_error(lang, e),
            NoteText::Violation(message) => core_i18n::violation(lang, message),
            NoteText::AuthFailed { mechanism, reason } => trf(
                lang,
                "AUTH {mechanism} refused: {why} (the server answers {reply}).",
                &[
                    ("mechanism", mechanism),
                    ("why", &core_i18n::auth_failure(lang, *reason)),
                    ("reply", reason),
                ],
            ),
        }
    }
}

/// The name of a client session state as the status line shows it (English key).
pub fn client_state_label(state: ClientState) -> &'static str {
    match state {
        ClientState::Connecting => key("connecting"),
        ClientState::Greeting => key("waiting for the greeting"),
        ClientState::Ready => key("ready"),
        ClientState::TlsPending => key("TLS handshake pending"),
        ClientState::Auth => key("authenticating"),
        ClientState::Mail => key("mail"),
        ClientState::Rcpt => key("rcpt"),
        ClientState::Data => key("data"),
        ClientState::Quitting => key("quitting"),
        ClientState::Closed => key("closed"),
    }
}

/// The name of the in-browser server's state as the status line shows it (English key).
pub fn server_state_label(state: ServerState) -> &'static str {
    match state {
        ServerState::Connected => key("connected"),
        ServerState::Ready => key("ready"),
        ServerState::Mail => key("mail"),
        ServerState::Rcpt => key("rcpt"),
        ServerState::Data => key("data"),
        ServerState::Bdat => key("bdat"),
        ServerState::Auth => key("authenticating"),
        ServerState::TlsPending => key("TLS handshake pending"),
        ServerState::Closed => key("closed"),
    }
}

/// Something the client or the server session reported that is not a line on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// [`SIDE_CLIENT`], [`SIDE_SERVER`] or [`SIDE_RELAY`] (English keys).
    pub side: &'static str,
    /// What happened.
    pub text: NoteText,
    /// How bad.
    pub kind: NoteKind,
}

impl Note {
    /// What happened, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.text.render(lang)
    }
}

/// Keeping notes and reading the core's events as notes.
impl SessionModel {
    pub(super) fn note(&mut self, now: u64, side: &'static str, text: NoteText, kind: NoteKind) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(Note {
                at_ms: now.saturating_sub(self.started_at),
                side,
                text,
                kind,
            });
        }
    }

    pub(super) fn server_event(&mut self, event: ServerEvent, now: u64) {
        let (text, kind) = match event {
            ServerEvent::MessageReceived(m) => {
                self.received.push((m.queue_id.clone(), m.data.len()));
                (
                    NoteText::with(
                        key("Message accepted as {id} ({bytes} bytes, {rcpts} recipient(s))."),
                        vec![
                            ("bytes", m.data.len().to_string()),
                            ("rcpts", m.envelope.rcpts.len().to_string()),
                            ("id", m.queue_id),
                        ],
                    ),
                    NoteKind::Info,
                )
            }
            ServerEvent::MessageRejected { code, lints } => {
                let codes: Vec<String> = lints.iter().map(|l| l.code.to_string()).collect();
                let text = if codes.is_empty() {
                    NoteText::with(
                        key("Message refused with {code}."),
                        vec![("code", code.to_string())],
                    )
                } else {
                    NoteText::with(
                        key("Message refused with {code} ({lints})."),
                        vec![("code", code.to_string()), ("lints", codes.join(", "))],
                    )
                };
                (text, NoteKind::Error)
            }
            ServerEvent::Violation { message } => (NoteText::Violation(message), NoteKind::Error),
            ServerEvent::Authenticated { mechanism, user } => (
                NoteText::with(
                    key("{user} authenticated with {mechanism}."),
                    vec![("mechanism", mechanism), ("user", user)],
                ),
                NoteKind::Info,
            ),
            ServerEvent::AuthFailed { mechanism, reason } => (
                NoteText::AuthFailed { mechanism, reason },
                NoteKind::Error,
            ),
            ServerEvent::TlsRequested => (
                NoteText::fixed(key("TLS handshake (simulated): both sides are now under TLS; the client must EHLO again (RFC 3207 §4.2).")),
                NoteKind::Info,
            ),
            ServerEvent::Closed => {
                self.server_closed = true;
                (NoteText::fixed(key("Connection closed.")), NoteKind::Info)
            }
            _ => return,
        };
        self.note(now, SIDE_SERVER, text, kind);
    }

    pub(super) fn client_event(&mut self, event: ClientEvent, now: u64) {
        match event {
            ClientEvent::Reply { reply, .. } if reply.code == 334 => {
                self.challenge = Some(
                    reply
                        .lines
                        .first()
                        .map(|l| l.text.clone())
                        .unwrap_or_default(),
                );
            }
            ClientEvent::Error(e) => {
                self.note(now, SIDE_CLIENT, NoteText::Client(e), NoteKind::Error)
            }
            ClientEvent::AuthFailed { code } => {
                self.auth = None;
                self.challenge = None;
                self.note(
                    now,
                    SIDE_CLIENT,
                    NoteText::with(
                        key("AUTH failed ({code})."),
                        vec![("code", code.to_string())],
                    ),
                    NoteKind::Error,
                );
            }
            ClientEvent::Authenticated => {
                self.auth = None;
                self.challenge = None;
            }
            ClientEvent::TransactionDone(o) => {
                let (template, kind) = if o.delivered {
                    (
                        key("Transaction {n}: delivered (final code {code}); accepted: {accepted}; refused: {refused}."),
                        NoteKind::Info,
                    )
                } else {
                    (
                        key("Transaction {n}: not delivered (final code {code}); accepted: {accepted}; refused: {refused}."),
                        NoteKind::Error,
                    )
                };
                let list = |items: Vec<String>| {
                    if items.is_empty() {
                        "—".to_string()
                    } else {
                        items.join(", ")
                    }
                };
                let refused = o
                    .rejected
                    .iter()
                    .map(|(rcpt, code)| format!("{rcpt} ({code})"))
                    .collect();
                self.note(
                    now,
                    SIDE_CLIENT,
                    NoteText::with(
                        template,
                        vec![
                            ("n", (o.index + 1).to_string()),
                            ("code", o.code.to_string()),
                            ("accepted", list(o.accepted)),
                            ("refused", list(refused)),
                        ],
                    ),
                    kind,
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::session::form::SessionForm;
    use crate::state::session::tests::notes_in;
    use crate::state::session::Action;

    #[test]
    fn in_browser_notes_are_in_the_readers_language() {
        let mut form = SessionForm {
            message: "Subject: x\n\nhi\n".into(),
            ..SessionForm::default()
        };
        form.recipients = vec!["b@example.net".into()];
        let mut m = SessionModel::default();
        m.apply(Action::Run {
            plan: Box::new(form.plan()),
            now: 5,
        });
        let (en, ko) = (notes_in(&m, Lang::En), notes_in(&m, Lang::Ko));
        let queue_id = m.received.first().map(|r| r.0.clone()).unwrap_or_default();
        assert!(!queue_id.is_empty(), "a message was accepted: {en:?}");
        let cases = [
            (
                format!("Message accepted as {queue_id} ("),
                format!("메시지를 {queue_id}(으)로 접수했습니다"),
            ),
            (
                "Transaction 1: delivered (final code 250)".to_string(),
                "트랜잭션 1: 배달됨".to_string(),
            ),
            (
                "Connection closed.".to_string(),
                "연결이 닫혔습니다.".to_string(),
            ),
        ];
        for (english, korean) in cases {
            assert!(
                en.iter().any(|n| n.contains(&english)),
                "want {english:?} in {en:#?}"
            );
            assert!(
                ko.iter().any(|n| n.contains(&korean)),
                "want {korean:?} in {ko:#?}"
            );
        }
        assert!(
            ko.iter()
                .all(|n| n.chars().any(|c| ('가'..='힣').contains(&c))),
            "every note has Korean: {ko:#?}"
        );
        // Sides are English keys, translated in the view.
        assert!(m
            .notes
            .iter()
            .all(|n| [SIDE_CLIENT, SIDE_SERVER].contains(&n.side)));
        assert_eq!(crate::state::i18n::tr_text(Lang::Ko, SIDE_SERVER), "서버");
    }

    #[test]
    fn core_worded_notes_follow_the_language() {
        crate::state::i18n::ready_for_tests(Lang::Ko);
        let cases = [
            (
                NoteText::Client(ClientError::GreetingRefused { code: 554 }),
                "the server greeted with 554 instead of 220",
                "554",
            ),
            (
                NoteText::Violation(
                    "3 byte(s) were pipelined after STARTTLS; discarded, TLS not started".into(),
                ),
                "3 byte(s) were pipelined after STARTTLS; discarded, TLS not started",
                "3",
            ),
            (
                NoteText::AuthFailed {
                    mechanism: "PLAIN".into(),
                    reason: AuthFailure::BadCredentials,
                },
                "AUTH PLAIN refused: wrong user name or password (the server answers 535 5.7.8 Authentication credentials invalid).",
                "535 5.7.8 Authentication credentials invalid",
            ),
        ];
        for (note, english, kept) in cases {
            assert_eq!(note.render(Lang::En), english);
            let ko = note.render(Lang::Ko);
            assert!(
                ko.contains(kept) && ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{note:?}: Korean with {kept:?} kept, got {ko:?}"
            );
        }
    }
}
