//! The command-order rules of an SMTP session, in one place
//! ([RFC 5321 §4.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.4), with
//! [RFC 3207 §4](https://www.rfc-editor.org/rfc/rfc3207#section-4) STARTTLS,
//! [RFC 4954 §4](https://www.rfc-editor.org/rfc/rfc4954#section-4) AUTH and
//! [RFC 3030 §2](https://www.rfc-editor.org/rfc/rfc3030#section-2) BDAT).
//!
//! [`Order`] is what a server knows of a session that decides which command may come next:
//! greeted, EHLO/HELO accepted, TLS, authenticated, transaction open, recipients accepted, BDAT
//! under way, closed. [`Order::check`] says whether a command is allowed now;
//! [`Order::answer`] moves the state on by the server's reply to a command. Both are pure.
//!
//! Users: [`super::ServerSession`] asks [`Order::check`] before MAIL, RCPT, DATA, BDAT, AUTH
//! and STARTTLS (and its own transitions are tested to agree with [`Order::answer`]); the
//! transcript annotator ([`crate::smtp::transcript`]) replays a recorded dialogue through
//! [`Order::answer`] with the recorded replies and lints commands with [`Order::check`].

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::smtp::command::Command;

/// Which greeting the client's last accepted EHLO/HELO was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hello {
    /// `EHLO`: extensions may be used (RFC 5321 §4.1.1.1).
    Ehlo,
    /// `HELO`: no extensions.
    Helo,
}

/// What a reply answers: the step of the session a command (or the end of the message) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The server's greeting (RFC 5321 §4.3.1).
    Greeting,
    /// EHLO or HELO.
    Hello(Hello),
    /// MAIL FROM.
    Mail,
    /// RCPT TO.
    Rcpt,
    /// DATA (the reply is 354 or a refusal).
    Data,
    /// The end of the message sent after 354 (the `.` line).
    EndOfData,
    /// BDAT n [LAST] with its chunk.
    Bdat {
        /// Whether it is the last chunk.
        last: bool,
    },
    /// RSET.
    Rset,
    /// STARTTLS.
    StartTls,
    /// AUTH and each SASL response after a 334.
    Auth,
    /// QUIT.
    Quit,
    /// Any other command (NOOP, VRFY, EXPN, HELP, unknown verbs): no order rule.
    Other,
}

impl Step {
    /// The step a command is.
    pub fn of(command: &Command<'_>) -> Step {
        match command {
            Command::Ehlo { .. } => Step::Hello(Hello::Ehlo),
            Command::Helo { .. } => Step::Hello(Hello::Helo),
            Command::Mail { .. } => Step::Mail,
            Command::Rcpt { .. } => Step::Rcpt,
            Command::Data => Step::Data,
            Command::Bdat { last, .. } => Step::Bdat { last: *last },
            Command::Rset => Step::Rset,
            Command::StartTls => Step::StartTls,
            Command::Auth { .. } => Step::Auth,
            Command::Quit => Step::Quit,
            _ => Step::Other,
        }
    }

    /// The verb in messages.
    pub fn verb(self) -> &'static str {
        match self {
            Step::Greeting => "greeting",
            Step::Hello(Hello::Ehlo) => "EHLO",
            Step::Hello(Hello::Helo) => "HELO",
            Step::Mail => "MAIL",
            Step::Rcpt => "RCPT",
            Step::Data => "DATA",
            Step::EndOfData => "end of data",
            Step::Bdat { .. } => "BDAT",
            Step::Rset => "RSET",
            Step::StartTls => "STARTTLS",
            Step::Auth => "AUTH",
            Step::Quit => "QUIT",
            Step::Other => "command",
        }
    }

    /// The reply code a positive answer to this step has (RFC 5321 §4.3.2): what a client that
    /// pipelines assumes before the reply arrives. `None`: nothing to assume (AUTH may go on
    /// with 334 or end with 235; other commands do not change the order state).
    pub fn positive_code(self) -> Option<u16> {
        match self {
            Step::Greeting | Step::StartTls => Some(220),
            Step::Hello(_)
            | Step::Mail
            | Step::Rcpt
            | Step::EndOfData
            | Step::Bdat { .. }
            | Step::Rset => Some(250),
            Step::Data => Some(354),
            Step::Quit => Some(221),
            Step::Auth | Step::Other => None,
        }
    }
}

/// Why a command is out of order; `verb` is the command's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OrderError {
    /// Sent before the server's greeting (RFC 5321 §4.3.1).
    BeforeGreeting {
        /// The command.
        verb: &'static str,
    },
    /// Sent after the connection closed (221 to QUIT, or 421).
    AfterClose {
        /// The command.
        verb: &'static str,
    },
    /// MAIL before an EHLO/HELO was accepted (RFC 5321 §4.1.4).
    NoHello {
        /// The command.
        verb: &'static str,
    },
    /// An extension command (AUTH) without an accepted EHLO (RFC 4954 §4).
    NoEhlo {
        /// The command.
        verb: &'static str,
    },
    /// MAIL, AUTH or STARTTLS inside an open mail transaction (RFC 5321 §4.1.4, RFC 4954 §4,
    /// RFC 3207 §4).
    TransactionOpen {
        /// The command.
        verb: &'static str,
    },
    /// RCPT, DATA or BDAT with no MAIL accepted (RFC 5321 §4.1.4).
    NoTransaction {
        /// The command.
        verb: &'static str,
    },
    /// DATA or BDAT with no recipient accepted (RFC 5321 §3.3, RFC 3030 §2).
    NoRecipients {
        /// The command.
        verb: &'static str,
    },
    /// DATA while BDAT chunks are under way (RFC 3030 §2).
    BdatInProgress {
        /// The command.
        verb: &'static str,
    },
    /// STARTTLS on a connection already under TLS (RFC 3207 §4.2).
    TlsActive,
    /// AUTH after a successful AUTH (RFC 4954 §4).
    AlreadyAuthenticated,
}

impl OrderError {
    /// The RFC section of the rule.
    pub fn reference(&self) -> &'static str {
        match self {
            OrderError::BeforeGreeting { .. } => "RFC 5321 §4.3.1",
            OrderError::AfterClose { .. } => "RFC 5321 §4.1.1.10",
            OrderError::NoHello { .. }
            | OrderError::NoTransaction { .. }
            | OrderError::TransactionOpen { verb: "MAIL" } => "RFC 5321 §4.1.4",
            OrderError::NoRecipients { verb: "DATA" } => "RFC 5321 §3.3",
            OrderError::NoRecipients { .. } | OrderError::BdatInProgress { .. } => "RFC 3030 §2",
            OrderError::TransactionOpen { verb: "STARTTLS" } => "RFC 3207 §4",
            OrderError::TlsActive => "RFC 3207 §4.2",
            OrderError::NoEhlo { .. }
            | OrderError::TransactionOpen { .. }
            | OrderError::AlreadyAuthenticated => "RFC 4954 §4",
        }
    }
}

impl OrderError {
    /// What is wrong, as a message that can be translated ([`crate::i18n::message`]).
    pub fn message(&self) -> Message {
        let r = self.reference();
        match *self {
            OrderError::BeforeGreeting { verb } => {
                msg!("{verb} sent before the server's greeting ({r})", verb, r)
            }
            OrderError::AfterClose { verb } => {
                msg!("{verb} after the connection was closed ({r})", verb, r)
            }
            OrderError::NoHello { verb } => {
                msg!("{verb} before EHLO/HELO was accepted ({r})", verb, r)
            }
            OrderError::NoEhlo { verb } => msg!("{verb} before EHLO was accepted ({r})", verb, r),
            OrderError::TransactionOpen { verb: "MAIL" } => {
                msg!("MAIL inside an open transaction; send RSET first ({r})", r)
            }
            OrderError::TransactionOpen { verb } => {
                msg!("{verb} inside a mail transaction ({r})", verb, r)
            }
            OrderError::NoTransaction { verb } => {
                msg!("{verb} before MAIL: no transaction is open ({r})", verb, r)
            }
            OrderError::NoRecipients { verb } => msg!(
                "{verb} before any recipient was accepted ({r}); the server answers 503 or 554",
                verb,
                r
            ),
            OrderError::BdatInProgress { verb } => {
                msg!("{verb} while BDAT chunks are under way ({r})", verb, r)
            }
            OrderError::TlsActive => {
                msg!("STARTTLS on a connection that already uses TLS ({r})", r)
            }
            OrderError::AlreadyAuthenticated => msg!("AUTH after a successful AUTH ({r})", r),
        }
    }
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for OrderError {}

/// What the server knows of a session that decides which commands may come next
/// (RFC 5321 §4.1.4). The default is a fresh connection before the greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Order {
    /// The greeting has been sent (220 or 554).
    pub greeted: bool,
    /// The last accepted EHLO/HELO since the connection or STARTTLS.
    pub hello: Option<Hello>,
    /// The connection is under TLS.
    pub tls: bool,
    /// AUTH succeeded (reset by STARTTLS).
    pub authenticated: bool,
    /// MAIL was accepted: a transaction is open.
    pub mail: bool,
    /// Recipients accepted in the transaction.
    pub rcpts: usize,
    /// BDAT chunks were accepted and the LAST one has not come yet.
    pub bdat: bool,
    /// The connection closed (221 to QUIT, or 421).
    pub closed: bool,
}

impl Order {
    /// A session whose greeting was sent: where a server starts.
    pub fn greeted() -> Order {
        Order {
            greeted: true,
            ..Order::default()
        }
    }

    /// Whether `step` is allowed now. Only order is checked: whether the server offers an
    /// extension, and its policies (AUTH required, TLS required), are for the caller.
    pub fn check(&self, step: Step) -> Result<(), OrderError> {
        let verb = step.verb();
        if self.closed {
            return Err(OrderError::AfterClose { verb });
        }
        if !self.greeted {
            return Err(OrderError::BeforeGreeting { verb });
        }
        match step {
            Step::Mail if self.hello.is_none() => Err(OrderError::NoHello { verb }),
            Step::Mail if self.mail => Err(OrderError::TransactionOpen { verb }),
            Step::Rcpt | Step::Data | Step::Bdat { .. } if !self.mail => {
                Err(OrderError::NoTransaction { verb })
            }
            Step::Data if self.bdat => Err(OrderError::BdatInProgress { verb }),
            Step::Data | Step::Bdat { .. } if self.rcpts == 0 => {
                Err(OrderError::NoRecipients { verb })
            }
            Step::StartTls if self.tls => Err(OrderError::TlsActive),
            Step::Auth if self.hello != Some(Hello::Ehlo) => Err(OrderError::NoEhlo { verb }),
            Step::Auth if self.authenticated => Err(OrderError::AlreadyAuthenticated),
            Step::StartTls | Step::Auth if self.mail => Err(OrderError::TransactionOpen { verb }),
            _ => Ok(()),
        }
    }

    /// Moves the state on by the server's reply `code` to `step` (RFC 5321 §4.1.4, §4.3.2):
    ///
    /// - 421 to anything closes; so does 221 to QUIT.
    /// - a 220 or 554 greeting greets; 250 to EHLO/HELO records it and ends any transaction.
    /// - 2xx to MAIL opens a transaction; 2xx to RCPT adds a recipient; 2xx to RSET ends it.
    /// - any reply to the end of data, or to `BDAT … LAST`, ends the transaction (the message
    ///   was taken or refused); 2xx to another BDAT marks chunks under way, a refusal ends them.
    /// - 220 to STARTTLS starts TLS and forgets EHLO, AUTH and the transaction (RFC 3207 §4.2).
    /// - 235 to AUTH authenticates.
    pub fn answer(&mut self, step: Step, code: u16) {
        if self.closed {
            return;
        }
        if code == 421 {
            self.closed = true;
            return;
        }
        let positive = (200..400).contains(&code);
        match step {
            Step::Greeting => self.greeted |= code == 220 || code == 554,
            Step::Hello(h) if code / 100 == 2 => {
                self.hello = Some(h);
                self.end_transaction();
            }
            Step::Mail if code / 100 == 2 => {
                self.end_transaction();
                self.mail = true;
            }
            Step::Rcpt if code / 100 == 2 && self.mail => {
                self.rcpts = self.rcpts.saturating_add(1);
            }
            Step::Rset if code / 100 == 2 => self.end_transaction(),
            Step::EndOfData | Step::Bdat { last: true } => self.end_transaction(),
            Step::Bdat { last: false } => self.bdat = positive,
            Step::StartTls if code == 220 => {
                *self = Order {
                    greeted: true,
                    tls: true,
                    ..Order::default()
                };
            }
            Step::Auth if code == 235 => self.authenticated = true,
            Step::Quit if code == 221 => self.closed = true,
            _ => {}
        }
    }

    /// [`Order::answer`] with the positive reply a pipelining client assumes
    /// ([`Step::positive_code`]) when the step is in order; no change when there is no such
    /// reply or the step is out of order (a conforming server refuses it).
    pub fn assume_positive(&mut self, step: Step) {
        if let (Some(code), Ok(())) = (step.positive_code(), self.check(step)) {
            self.answer(step, code);
        }
    }

    fn end_transaction(&mut self) {
        self.mail = false;
        self.rcpts = 0;
        self.bdat = false;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn after(steps: &[(Step, u16)]) -> Order {
        let mut o = Order::default();
        for &(s, c) in steps {
            o.answer(s, c);
        }
        o
    }

    const EHLO: Step = Step::Hello(Hello::Ehlo);
    const HELO: Step = Step::Hello(Hello::Helo);

    #[test]
    fn checks_follow_rfc_5321_order() {
        let greeted = after(&[(Step::Greeting, 220)]);
        let ready = after(&[(Step::Greeting, 220), (EHLO, 250)]);
        let helo = after(&[(Step::Greeting, 220), (HELO, 250)]);
        let mail = after(&[(Step::Greeting, 220), (EHLO, 250), (Step::Mail, 250)]);
        let rcpt = after(&[
            (Step::Greeting, 220),
            (EHLO, 250),
            (Step::Mail, 250),
            (Step::Rcpt, 250),
        ]);
        let mut chunking = rcpt;
        chunking.answer(Step::Bdat { last: false }, 250);
        let mut tls = ready;
        tls.answer(Step::StartTls, 220);
        let mut authed = ready;
        authed.answer(Step::Auth, 235);
        let closed = after(&[(Step::Greeting, 220), (Step::Quit, 221)]);
        // (state, step, expected)
        let cases: &[(Order, Step, Result<(), OrderError>)] = &[
            (
                Order::default(),
                EHLO,
                Err(OrderError::BeforeGreeting { verb: "EHLO" }),
            ),
            (greeted, EHLO, Ok(())),
            (
                greeted,
                Step::Mail,
                Err(OrderError::NoHello { verb: "MAIL" }),
            ),
            (ready, Step::Mail, Ok(())),
            (
                mail,
                Step::Mail,
                Err(OrderError::TransactionOpen { verb: "MAIL" }),
            ),
            (
                ready,
                Step::Rcpt,
                Err(OrderError::NoTransaction { verb: "RCPT" }),
            ),
            (mail, Step::Rcpt, Ok(())),
            (
                mail,
                Step::Data,
                Err(OrderError::NoRecipients { verb: "DATA" }),
            ),
            (rcpt, Step::Data, Ok(())),
            (
                chunking,
                Step::Data,
                Err(OrderError::BdatInProgress { verb: "DATA" }),
            ),
            (rcpt, Step::Bdat { last: true }, Ok(())),
            (
                mail,
                Step::Bdat { last: false },
                Err(OrderError::NoRecipients { verb: "BDAT" }),
            ),
            (ready, Step::StartTls, Ok(())),
            (tls, Step::StartTls, Err(OrderError::TlsActive)),
            (
                mail,
                Step::StartTls,
                Err(OrderError::TransactionOpen { verb: "STARTTLS" }),
            ),
            (ready, Step::Auth, Ok(())),
            (helo, Step::Auth, Err(OrderError::NoEhlo { verb: "AUTH" })),
            (tls, Step::Auth, Err(OrderError::NoEhlo { verb: "AUTH" })),
            (authed, Step::Auth, Err(OrderError::AlreadyAuthenticated)),
            (
                mail,
                Step::Auth,
                Err(OrderError::TransactionOpen { verb: "AUTH" }),
            ),
            (
                closed,
                Step::Other,
                Err(OrderError::AfterClose { verb: "command" }),
            ),
            (greeted, Step::Other, Ok(())),
            (greeted, Step::Quit, Ok(())),
        ];
        for (i, &(state, step, expected)) in cases.iter().enumerate() {
            assert_eq!(
                state.check(step),
                expected,
                "case {i}: {step:?} in {state:?}"
            );
            if let Err(e) = state.check(step) {
                let text = e.to_string();
                assert!(text.contains(e.reference()), "case {i}: {text}");
            }
        }
    }

    #[test]
    fn answers_move_the_state() {
        // (steps with reply codes, expected state)
        let base = [(Step::Greeting, 220), (EHLO, 250)];
        let with = |more: &[(Step, u16)]| {
            let mut v = base.to_vec();
            v.extend_from_slice(more);
            after(&v)
        };
        let ready = Order {
            greeted: true,
            hello: Some(Hello::Ehlo),
            ..Order::default()
        };
        let cases: Vec<(Order, Order)> = vec![
            (
                after(&[(Step::Greeting, 421)]),
                Order {
                    closed: true,
                    ..Order::default()
                },
            ),
            (after(&[(Step::Greeting, 554)]), Order::greeted()),
            (with(&[(Step::Mail, 550)]), ready),
            (
                with(&[(Step::Mail, 250), (Step::Rcpt, 550), (Step::Rcpt, 251)]),
                Order {
                    mail: true,
                    rcpts: 1,
                    ..ready
                },
            ),
            (
                with(&[
                    (Step::Mail, 250),
                    (Step::Rcpt, 250),
                    (Step::Data, 354),
                    (Step::EndOfData, 554),
                ]),
                ready,
            ),
            (
                with(&[(Step::Mail, 250), (Step::Rcpt, 250), (Step::Rset, 250)]),
                ready,
            ),
            (
                with(&[(Step::Mail, 250), (Step::Rcpt, 250), (EHLO, 250)]),
                ready,
            ),
            (
                with(&[
                    (Step::Mail, 250),
                    (Step::Rcpt, 250),
                    (Step::Bdat { last: false }, 250),
                ]),
                Order {
                    mail: true,
                    rcpts: 1,
                    bdat: true,
                    ..ready
                },
            ),
            (
                with(&[
                    (Step::Mail, 250),
                    (Step::Rcpt, 250),
                    (Step::Bdat { last: false }, 250),
                    (Step::Bdat { last: false }, 552),
                ]),
                Order {
                    mail: true,
                    rcpts: 1,
                    ..ready
                },
            ),
            (
                with(&[
                    (Step::Mail, 250),
                    (Step::Rcpt, 250),
                    (Step::Bdat { last: true }, 250),
                ]),
                ready,
            ),
            (
                with(&[(Step::Auth, 334), (Step::Auth, 235), (Step::StartTls, 220)]),
                Order {
                    greeted: true,
                    tls: true,
                    ..Order::default()
                },
            ),
            (with(&[(Step::Auth, 334), (Step::Auth, 535)]), ready),
            (
                with(&[(Step::Auth, 235)]),
                Order {
                    authenticated: true,
                    ..ready
                },
            ),
            (with(&[(Step::StartTls, 454)]), ready),
            (
                with(&[(Step::Quit, 221), (EHLO, 250)]),
                Order {
                    closed: true,
                    ..ready
                },
            ),
            (
                with(&[(Step::Other, 421)]),
                Order {
                    closed: true,
                    ..ready
                },
            ),
            (with(&[(EHLO, 501)]), ready),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn assumed_answers_are_the_positive_ones() {
        let mut o = Order::greeted();
        for step in [EHLO, Step::Mail, Step::Rcpt, Step::Rcpt, Step::Data] {
            assert_eq!(o.check(step), Ok(()), "{step:?} in {o:?}");
            o.assume_positive(step);
        }
        assert_eq!((o.mail, o.rcpts), (true, 2));
        o.assume_positive(Step::EndOfData);
        o.assume_positive(Step::Auth);
        assert_eq!(o.check(Step::Auth), Ok(()), "AUTH assumes nothing: {o:?}");
        o.assume_positive(Step::Quit);
        assert!(o.closed);
        // Hostile counts saturate.
        let mut o = Order {
            rcpts: usize::MAX,
            ..Order::greeted()
        };
        o.answer(Step::Rcpt, 250);
        assert_eq!(o.rcpts, usize::MAX);
        // An out-of-order step is assumed refused.
        let mut o = Order::greeted();
        o.assume_positive(Step::Rcpt);
        o.assume_positive(Step::Mail);
        assert_eq!(
            o,
            Order::greeted(),
            "RCPT and MAIL before EHLO change nothing"
        );
    }

    /// The server session's own transitions agree with [`Order::answer`]: replaying its
    /// replies gives the order state it reports, after every command of random dialogues.
    #[test]
    fn server_session_agrees_with_the_rules() {
        use crate::smtp::auth::{encode_base64, Mechanism};
        use crate::smtp::command::parse_command;
        use crate::smtp::session::{ServerConfig, ServerSession};
        const COMMANDS: &[&str] = &[
            "EHLO c.example",
            "HELO c.example",
            "MAIL FROM:<a@b.example>",
            "RCPT TO:<c@d.example>",
            "RCPT TO:<nobody@d.example>",
            "DATA",
            "BDAT 3",
            "BDAT 3 LAST",
            "RSET",
            "NOOP",
            "STARTTLS",
            "AUTH PLAIN",
            "QUIT",
        ];
        let plain = encode_base64(b"\0alice\0wonderland");
        let mut rng = crate::testutil::XorShift::new(0x0dde_c0de_5eed_0001);
        for round in 0..300 {
            let mut s = ServerSession::new(ServerConfig {
                starttls: true,
                auth_mechanisms: vec![Mechanism::Plain],
                users: [("alice".to_owned(), "wonderland".to_owned())].into(),
                recipient_rules: vec![crate::smtp::session::RecipientRule {
                    pattern: "nobody@d.example".into(),
                    action: crate::smtp::session::RecipientAction::Reject,
                }],
                error_limit: 1000,
                ..ServerConfig::default()
            });
            let mut order = Order::default();
            let greeting = s.poll_output().unwrap_or_default();
            order.answer(Step::Greeting, code_of(&greeting));
            let mut log = Vec::new();
            for _ in 0..30 {
                let line = COMMANDS[(rng.next_u64() % COMMANDS.len() as u64) as usize];
                let wire = format!("{line}\r\n");
                let Ok(Some((parsed, _))) = parse_command(wire.as_bytes()) else {
                    panic!("{line} parses");
                };
                let step = Step::of(&parsed.command);
                let mut input = wire.clone().into_bytes();
                if let Step::Bdat { .. } = step {
                    input.extend_from_slice(b"xyz");
                }
                if line == "AUTH PLAIN" {
                    input = format!("AUTH PLAIN {plain}\r\n").into_bytes();
                }
                s.handle_input(&input);
                let out = s.poll_output().unwrap_or_default();
                let code = code_of(&out);
                order.answer(step, code);
                log.push(format!("{line} -> {code}"));
                if step == Step::Data && code == 354 {
                    s.handle_input(b"Subject: x\r\n\r\nhi\r\n.\r\n");
                    let code = code_of(&s.poll_output().unwrap_or_default());
                    order.answer(Step::EndOfData, code);
                    log.push(format!(". -> {code}"));
                }
                if step == Step::StartTls && code == 220 {
                    s.tls_established();
                }
                assert_eq!(order, s.order(), "round {round}: {log:?}");
                if s.is_closed() {
                    break;
                }
            }
        }
    }

    /// The code of the first reply in `out` (0 when there is none).
    fn code_of(out: &[u8]) -> u16 {
        std::str::from_utf8(out.get(..3).unwrap_or_default())
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}
