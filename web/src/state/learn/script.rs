//! What each lesson *does*: the script of Session-view actions ([`Op`]) run against the
//! in-browser server by the Session view's own reducer, and the table of every lesson
//! ([`LESSONS`]).

use mailscope_core::smtp::auth::{Credentials, Mechanism};

use super::alignment::AlignDemo;
use super::demo::Demo;
use super::dkim::DkimDemo;
use crate::state::session::error::SessionError;
use crate::state::session::form::{sample_message, ServerFlag};
use crate::state::session::{Action, SessionModel};

/// One thing a lesson script does to the in-browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Flip a server switch (takes effect at the next [`Op::Connect`]).
    Flag(ServerFlag, bool),
    /// Set the server's SIZE limit (takes effect at the next [`Op::Connect`]).
    SizeLimit(u64),
    /// Open a new connection: the server greets.
    Connect,
    /// Send a command line through the client session.
    Line(&'static str),
    /// Send a line exactly as typed, plus CRLF, like telnet.
    Raw(&'static str),
    /// `AUTH <mechanism>` as [`LESSON_USER`].
    Auth(Mechanism),
    /// Answer the last `334` challenge.
    AuthContinue,
    /// Send the message after `354` (CRLF-normalised, dot-stuffed and terminated by the core).
    Message(&'static str),
    /// Send the core-built sample MIME message (multipart/mixed, Korean subject, attachment).
    SampleMessage,
    /// Pipelining on (queue commands) or off.
    Pipelining(bool),
    /// Send the queued commands in one write.
    SendGroup,
}

/// What one step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The actions of this step, applied after those of every earlier step.
    pub ops: &'static [Op],
    /// A panel shown with the step.
    pub demo: Option<Demo>,
}

/// What one lesson does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    /// Stable id, used in the URL (`#/learn?lesson=<id>`) and to line up translations.
    pub id: &'static str,
    /// The steps.
    pub steps: &'static [Step],
    /// The reply codes the whole script must end with, in order (checked by the tests).
    pub final_replies: &'static [u16],
}

const fn step(ops: &'static [Op]) -> Step {
    Step { ops, demo: None }
}

const fn demo(ops: &'static [Op], demo: Demo) -> Step {
    Step {
        ops,
        demo: Some(demo),
    }
}

pub(super) const DOTS: &str = "Subject: dots\n\n.hidden? no: stuffed\n..two dots\n.\nlast line\n";

/// A bounce as a receiving MTA would write it (RFC 3464 §2), for the core to read.
pub const SAMPLE_DSN: &str = "Reporting-MTA: dns; mailscope.test\r\nArrival-Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; nobody@mailscope.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mailscope.test\r\nDiagnostic-Code: smtp; 550 5.1.1 Recipient address rejected: User unknown\r\n\r\nFinal-Recipient: rfc822; someone@greylist.test\r\nAction: delayed\r\nStatus: 4.7.1\r\nDiagnostic-Code: smtp; 451 4.7.1 Greylisted, try again later\r\nWill-Retry-Until: Tue, 24 Nov 2026 18:00:00 +0000\r\n";

const HELLO: &str =
    "From: alice@example.org\nTo: bob@example.net, carol@example.net\nSubject: Hello\n\nHi Bob, hi Carol.\n";

/// Every lesson, in order.
pub static LESSONS: [Lesson; 14] = [
    Lesson {
        id: "classic",
        steps: &[
            step(&[Op::Connect]),
            step(&[Op::Line("HELO client.example")]),
            step(&[Op::Line("MAIL FROM:<alice@example.org>")]),
            step(&[
                Op::Line("RCPT TO:<bob@example.net>"),
                Op::Line("RCPT TO:<carol@example.net>"),
            ]),
            demo(&[Op::Line("DATA"), Op::Message(HELLO)], Demo::Received),
            step(&[Op::Line("QUIT")]),
        ],
        final_replies: &[250, 250, 250, 250, 354, 250, 221],
    },
    Lesson {
        id: "by-hand",
        steps: &[
            step(&[Op::Connect, Op::Raw("EHLO client.example")]),
            step(&[
                Op::Raw("MAIL FROM:<alice@example.org>"),
                Op::Raw("RCPT TO:<bob@example.net>"),
                Op::Raw("DATA"),
            ]),
            demo(
                &[Op::Message("Subject: typed by hand\n\nHello.\n")],
                Demo::Received,
            ),
            step(&[
                Op::Flag(ServerFlag::RejectBareNewlines, true),
                Op::Connect,
                Op::Raw("EHLO client.example"),
                Op::Raw("MAIL FROM:<alice@example.org>"),
                Op::Raw("RCPT TO:<bob@example.net>"),
                Op::Raw("DATA"),
                Op::Raw("Subject: smuggled?\n.\nMAIL FROM:<mallory@example.org>"),
                Op::Raw("."),
            ]),
            step(&[Op::Raw("QUIT")]),
        ],
        final_replies: &[354, 554, 221],
    },
    Lesson {
        id: "socket",
        steps: &[
            demo(&[Op::Connect], Demo::Writes),
            demo(&[Op::Line("EHLO client.example")], Demo::Writes),
            demo(&[Op::Line("NOOP")], Demo::Writes),
            demo(&[Op::Line("QUIT")], Demo::Writes),
        ],
        final_replies: &[250, 250, 221],
    },
    Lesson {
        id: "mx-ports",
        steps: &[
            step(&[]),
            step(&[]),
            step(&[
                Op::Flag(ServerFlag::RequireAuth, true),
                Op::Connect,
                Op::Line("EHLO laptop.example"),
                Op::Line("MAIL FROM:<alice@example.org>"),
            ]),
            step(&[
                Op::Auth(Mechanism::Plain),
                Op::Line("MAIL FROM:<alice@example.org>"),
                Op::Line("RCPT TO:<bob@example.net>"),
                Op::Line("QUIT"),
            ]),
        ],
        final_replies: &[530, 235, 250, 250, 221],
    },
    Lesson {
        id: "ehlo",
        steps: &[
            demo(
                &[Op::Connect, Op::Line("EHLO client.example")],
                Demo::Capabilities,
            ),
            step(&[Op::Line(
                "MAIL FROM:<alice@example.org> SIZE=2048 BODY=8BITMIME",
            )]),
            step(&[Op::Line("QUIT")]),
        ],
        final_replies: &[250, 250, 221],
    },
    Lesson {
        id: "starttls",
        steps: &[
            demo(
                &[
                    Op::Flag(ServerFlag::RequireTlsForAuth, true),
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                ],
                Demo::Capabilities,
            ),
            step(&[Op::Line("STARTTLS")]),
            demo(&[Op::Line("EHLO client.example")], Demo::Capabilities),
            step(&[
                Op::Connect,
                Op::Line("EHLO client.example"),
                Op::Raw("STARTTLS\r\nMAIL FROM:<mallory@example.org>"),
            ]),
        ],
        final_replies: &[250, 554],
    },
    Lesson {
        id: "auth",
        steps: &[
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Auth(Mechanism::Plain),
                ],
                Demo::AuthDecoded,
            ),
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Auth(Mechanism::Login),
                    Op::AuthContinue,
                    Op::AuthContinue,
                ],
                Demo::AuthDecoded,
            ),
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Auth(Mechanism::CramMd5),
                    Op::AuthContinue,
                ],
                Demo::AuthDecoded,
            ),
            step(&[Op::Line("QUIT")]),
        ],
        final_replies: &[334, 235, 221],
    },
    Lesson {
        id: "pipelining",
        steps: &[
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Line("MAIL FROM:<alice@example.org>"),
                    Op::Line("RCPT TO:<bob@example.net>"),
                    Op::Line("DATA"),
                    Op::Message(HELLO),
                    Op::Line("QUIT"),
                ],
                Demo::RoundTrips,
            ),
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Pipelining(true),
                    Op::Line("MAIL FROM:<alice@example.org>"),
                    Op::Line("RCPT TO:<bob@example.net>"),
                    Op::Line("RCPT TO:<unknown@sandbox.test>"),
                    Op::Line("DATA"),
                    Op::SendGroup,
                    Op::Pipelining(false),
                ],
                Demo::RoundTrips,
            ),
            demo(&[Op::Message(HELLO), Op::Line("QUIT")], Demo::RoundTrips),
        ],
        final_replies: &[250, 250, 550, 354, 250, 221],
    },
    Lesson {
        id: "dot-stuffing",
        steps: &[
            demo(&[], Demo::DotStuff(DOTS)),
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Line("MAIL FROM:<alice@example.org>"),
                    Op::Line("RCPT TO:<bob@example.net>"),
                    Op::Line("DATA"),
                    Op::Message(DOTS),
                    Op::Line("QUIT"),
                ],
                Demo::Received,
            ),
        ],
        final_replies: &[354, 250, 221],
    },
    Lesson {
        id: "transactions",
        steps: &[
            step(&[
                Op::Connect,
                Op::Line("EHLO client.example"),
                Op::Line("MAIL FROM:<alice@example.org>"),
                Op::Line("RCPT TO:<bob@example.net>"),
                Op::Line("DATA"),
                Op::Message("Subject: first\n\nOne.\n"),
            ]),
            step(&[
                Op::Line("MAIL FROM:<alice@example.org>"),
                Op::Line("RCPT TO:<carol@example.net>"),
                Op::Line("RSET"),
            ]),
            demo(
                &[
                    Op::Line("MAIL FROM:<alice@example.org>"),
                    Op::Line("RCPT TO:<dave@example.net>"),
                    Op::Line("DATA"),
                    Op::Message("Subject: second\n\nTwo.\n"),
                    Op::Line("QUIT"),
                ],
                Demo::Received,
            ),
        ],
        final_replies: &[250, 354, 250, 221],
    },
    Lesson {
        id: "errors",
        steps: &[
            step(&[
                Op::Connect,
                Op::Line("EHLO client.example"),
                Op::Line("MAIL FROM:<alice@example.org>"),
                Op::Line("RCPT TO:<unknown@sandbox.test>"),
            ]),
            step(&[
                Op::Line("RCPT TO:<greylist@sandbox.test>"),
                Op::Line("RCPT TO:<full@sandbox.test>"),
                Op::Line("QUIT"),
            ]),
            step(&[
                Op::Flag(ServerFlag::FaultGreeting421, true),
                Op::Connect,
                Op::Flag(ServerFlag::FaultGreeting421, false),
            ]),
            step(&[
                Op::SizeLimit(1000),
                Op::Connect,
                Op::Line("EHLO client.example"),
                Op::Line("MAIL FROM:<alice@example.org> SIZE=50000"),
            ]),
            step(&[
                Op::Flag(ServerFlag::FaultMessage554, true),
                Op::Connect,
                Op::Line("EHLO client.example"),
                Op::Line("MAIL FROM:<alice@example.org> SIZE=100"),
                Op::Line("RCPT TO:<bob@example.net>"),
                Op::Line("DATA"),
                Op::Message("Subject: buy now\n\nSpam, say the filters.\n"),
            ]),
            demo(&[Op::Line("QUIT")], Demo::Bounce(SAMPLE_DSN)),
        ],
        final_replies: &[354, 554, 221],
    },
    Lesson {
        id: "mime",
        steps: &[
            step(&[]),
            step(&[]),
            demo(&[], Demo::EncodedWord("=?EUC-KR?B?vsiz58fPvLy/5C4=?=")),
            demo(
                &[
                    Op::Connect,
                    Op::Line("EHLO client.example"),
                    Op::Line("MAIL FROM:<alice@example.org> BODY=8BITMIME"),
                    Op::Line("RCPT TO:<bob@example.net>"),
                    Op::Line("DATA"),
                    Op::SampleMessage,
                    Op::Line("QUIT"),
                ],
                Demo::Received,
            ),
        ],
        final_replies: &[354, 250, 221],
    },
    // Signing and verification run in the worker (the panels); there is no SMTP to try.
    Lesson {
        id: "dkim",
        steps: &[
            demo(&[], Demo::Dkim(DkimDemo::Sign)),
            demo(&[], Demo::Dkim(DkimDemo::Verify)),
            demo(&[], Demo::Dkim(DkimDemo::EditBody)),
            demo(&[], Demo::Dkim(DkimDemo::EditHeader)),
            demo(&[], Demo::Dkim(DkimDemo::Composer)),
        ],
        final_replies: &[],
    },
    Lesson {
        id: "alignment",
        steps: &[
            demo(&[], Demo::Alignment(AlignDemo::EspReturnPath)),
            demo(&[], Demo::Alignment(AlignDemo::ShopReturnPath)),
            demo(&[], Demo::Alignment(AlignDemo::Strict)),
            demo(&[], Demo::Alignment(AlignDemo::DkimAligned)),
        ],
        final_replies: &[],
    },
];

/// The user and password of every AUTH in the lessons (the in-browser server's and the
/// sandbox's demo user).
pub const LESSON_USER: (&str, &str) = ("alice", "wonderland");

/// Date written into the sample MIME message (the state has no clock).
pub const SAMPLE_DATE: &str = "Sun, 22 Nov 2026 18:00:00 +0000";

/// Applies one op to the session; `now` is the script's clock.
pub(super) fn apply_op(session: &mut SessionModel, op: Op, now: u64) -> Result<(), SessionError> {
    let action = match op {
        Op::Flag(flag, on) => Action::SetFlag(flag, on),
        Op::SizeLimit(n) => {
            session.config.size_limit = Some(n);
            return Ok(());
        }
        Op::Connect => Action::Connect { now },
        Op::Line(line) => Action::SendLine {
            line: line.into(),
            now,
        },
        Op::Raw(line) => Action::Raw {
            line: line.into(),
            now,
        },
        Op::Auth(mechanism) => Action::AuthStart {
            mechanism,
            credentials: Credentials::new(LESSON_USER.0, LESSON_USER.1),
            now,
        },
        Op::AuthContinue => Action::AuthContinue { now },
        Op::Message(text) => Action::Message {
            text: text.into(),
            now,
        },
        Op::SampleMessage => Action::Message {
            text: sample_message("alice@example.org", "bob@example.net", SAMPLE_DATE)?,
            now,
        },
        Op::Pipelining(on) => Action::SetPipelining(on),
        Op::SendGroup => Action::SendGroup { now },
    };
    session.apply(action);
    match session.error.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::smtp::transcript::Parsed;

    use super::*;
    use crate::state::i18n::Lang;
    use crate::state::learn::error::LearnError;
    use crate::state::learn::run::run_script;
    use crate::state::learn::texts;

    /// The reply codes the server sent, in order.
    fn reply_codes(session: &SessionModel) -> Vec<u16> {
        session
            .annotated
            .entries
            .iter()
            .filter_map(|e| match &e.parsed {
                Parsed::Reply { reply, .. } => Some(reply.code),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_lesson_script_runs_to_its_expected_final_replies() {
        for lesson in &LESSONS {
            let (session, errors) = run_script(lesson, usize::MAX, 1000);
            assert_eq!(errors, Vec::<LearnError>::new(), "lesson {}", lesson.id);
            let codes = reply_codes(&session);
            let tail = codes
                .get(codes.len().saturating_sub(lesson.final_replies.len())..)
                .unwrap_or_default();
            assert_eq!(
                tail, lesson.final_replies,
                "lesson {}: expected final replies {:?}, got all {:?}",
                lesson.id, lesson.final_replies, codes
            );
        }
    }

    #[test]
    fn error_lessons_show_the_codes_they_explain() {
        for (id, want) in [
            ("errors", &[550, 451, 452, 421, 552, 554][..]),
            ("mx-ports", &[530, 235][..]),
            ("by-hand", &[554][..]),
            ("auth", &[334, 235][..]),
        ] {
            let lesson = LESSONS.iter().find(|l| l.id == id).expect("lesson");
            let mut codes = Vec::new();
            for upto in 0..lesson.steps.len() {
                codes.extend(reply_codes(&run_script(lesson, upto, 0).0));
            }
            for code in want {
                assert!(codes.contains(code), "lesson {id}: {code} in {codes:?}");
            }
        }
    }

    #[test]
    fn texts_line_up_with_scripts() {
        crate::state::i18n::ready_for_tests(Lang::Ko);
        for lang in Lang::ALL {
            let texts = texts(lang);
            assert_eq!(texts.len(), LESSONS.len(), "one text per lesson");
            for (lesson, text) in LESSONS.iter().zip(texts) {
                assert_eq!(text.id, lesson.id, "same order");
                assert_eq!(
                    text.steps.len(),
                    lesson.steps.len(),
                    "lesson {}: step texts vs step scripts",
                    lesson.id
                );
                assert!(
                    text.references.contains("RFC"),
                    "lesson {} cites RFCs",
                    lesson.id
                );
            }
        }
    }

    #[test]
    fn smuggling_and_starttls_injection_are_flagged() {
        let (s, _) = run_script(&LESSONS[1], usize::MAX, 0);
        let lints: Vec<String> = s
            .annotated
            .all_lints()
            .iter()
            .map(|l| l.code.to_string())
            .collect();
        assert!(
            lints.iter().any(|c| c == "smtp.bare-lf"),
            "bare LF flagged: {lints:?}"
        );
        assert_eq!(s.received.len(), 0, "smuggling message refused");
        let (s, _) = run_script(&LESSONS[5], usize::MAX, 0);
        assert!(
            s.notes
                .iter()
                .any(|n| n.render(crate::state::i18n::Lang::En).contains("STARTTLS")),
            "injection after STARTTLS reported: {:?}",
            s.notes
        );
    }
}
