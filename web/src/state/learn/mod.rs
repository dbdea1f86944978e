//! The Learn view: guided lessons whose "Try it" is a script of Session-view actions applied to
//! the Session view's own reducer ([`SessionModel`]) against the in-browser server, so a lesson
//! shows exactly what the Session view would.
//!
//! A lesson is split in two tables that line up step by step:
//! - [`LESSONS`] (here): what each step *does* — the [`Op`]s sent to the session and the
//!   [`Demo`] panel computed by the core;
//! - [`lessons::en::TEXT`]: what each step *says*. A translation adds a table of the same
//!   shape (`lessons/ko.rs`), read through the language's catalog ([`texts`]); no logic
//!   changes.

use mailscope_core::mime::dsn::{parse_delivery_status, DeliveryStatus};
use mailscope_core::smtp::auth::{Credentials, DecodedAuth, Mechanism};
use mailscope_core::smtp::transcript::{Direction, Parsed};

pub mod lessons;

use crate::state::error::UserError;
use crate::state::i18n::{key, Lang};
use crate::state::session::form::{sample_message, ServerFlag};
use crate::state::session::{Action, SessionModel};
use crate::state::tools::{decode_auth, decode_words, dot_stuffing, Stuffed, WordsReading};
use lessons::LessonText;

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
    /// `AUTH <mechanism>` as user `alice`, password `wonderland`.
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

/// A panel next to a step, computed by the core from the step's data or the session so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// Each write on the wire with its size: what a socket client reads and writes.
    Writes,
    /// The capabilities of the last EHLO reply, explained by the core.
    Capabilities,
    /// The AUTH exchange in the transcript, base64 decoded by the core.
    AuthDecoded,
    /// Round trips made and saved.
    RoundTrips,
    /// Dot-stuffing of a text, as the core does it.
    DotStuff(&'static str),
    /// Encoded-words decoded step by step by the core.
    EncodedWord(&'static str),
    /// A bounce's `message/delivery-status` part read by the core.
    Bounce(&'static str),
    /// Messages the in-browser server accepted.
    Received,
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

/// The lesson texts in `lang`, in [`LESSONS`] order (English while the language's pack is
/// not in: see [`crate::state::i18n::lessons`]).
pub fn texts(lang: Lang) -> &'static [LessonText] {
    crate::state::i18n::lessons(lang)
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

const DOTS: &str = "Subject: dots\n\n.hidden? no: stuffed\n..two dots\n.\nlast line\n";

/// A bounce as a receiving MTA would write it (RFC 3464 §2), for the core to read.
pub const SAMPLE_DSN: &str = "Reporting-MTA: dns; mailscope.test\r\nArrival-Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; nobody@mailscope.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mailscope.test\r\nDiagnostic-Code: smtp; 550 5.1.1 Recipient address rejected: User unknown\r\n\r\nFinal-Recipient: rfc822; someone@greylist.test\r\nAction: delayed\r\nStatus: 4.7.1\r\nDiagnostic-Code: smtp; 451 4.7.1 Greylisted, try again later\r\nWill-Retry-Until: Tue, 24 Nov 2026 18:00:00 +0000\r\n";

const HELLO: &str =
    "From: alice@example.org\nTo: bob@example.net, carol@example.net\nSubject: Hello\n\nHi Bob, hi Carol.\n";

/// Every lesson, in order.
pub static LESSONS: [Lesson; 12] = [
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
                    Op::Line("RCPT TO:<nobody@mailscope.test>"),
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
                Op::Line("RCPT TO:<nobody@mailscope.test>"),
            ]),
            step(&[
                Op::Line("RCPT TO:<someone@greylist.test>"),
                Op::Line("RCPT TO:<full@mailscope.test>"),
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
];

/// Date written into the sample MIME message (the state has no clock).
pub const SAMPLE_DATE: &str = "Sun, 22 Nov 2026 18:00:00 +0000";

/// The lesson a URL fragment names (`#/learn?lesson=<id>`).
pub fn lesson_from_fragment(fragment: &str) -> Option<usize> {
    let (_, query) = fragment.split_once('?')?;
    let id = query.split('&').find_map(|kv| kv.strip_prefix("lesson="))?;
    LESSONS.iter().position(|l| l.id == id)
}

/// The fragment that opens lesson `index`.
pub fn fragment_for(index: usize) -> String {
    match LESSONS.get(index) {
        Some(l) => format!("/learn?lesson={}", l.id),
        None => "/learn".into(),
    }
}

/// Applies one op to the session; `now` is the script's clock.
fn apply_op(session: &mut SessionModel, op: Op, now: u64) -> Result<(), String> {
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
            credentials: Credentials::new("alice", "wonderland"),
            now,
        },
        Op::AuthContinue => Action::AuthContinue { now },
        Op::Message(text) => Action::Message {
            text: text.into(),
            now,
        },
        Op::SampleMessage => Action::Message {
            text: sample_message("alice@example.org", "bob@example.net", SAMPLE_DATE)
                .map_err(|e| e.what(Lang::En))?,
            now,
        },
        Op::Pipelining(on) => Action::SetPipelining(on),
        Op::SendGroup => Action::SendGroup { now },
    };
    session.apply(action);
    match session.error.take() {
        Some(e) => Err(e.what(Lang::En)),
        None => Ok(()),
    }
}

/// Runs the ops of steps `0..=upto` of `lesson` on a fresh session. Every op gets its own
/// millisecond on the script clock, starting at `now`. Errors are collected, not fatal.
pub fn run_script(lesson: &Lesson, upto: usize, now: u64) -> (SessionModel, Vec<String>) {
    let mut session = SessionModel::default();
    let mut errors = Vec::new();
    let mut clock = now;
    for (i, step) in lesson.steps.iter().enumerate().take(upto.saturating_add(1)) {
        for op in step.ops {
            clock = clock.saturating_add(1);
            if let Err(e) = apply_op(&mut session, op.clone(), clock) {
                errors.push(format!("step {}: {op:?}: {e}", i + 1));
            }
        }
    }
    (session, errors)
}

/// The reply codes the server sent, in order.
pub fn reply_codes(session: &SessionModel) -> Vec<u16> {
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

/// What the user can do in the Learn view. `now` is the page clock in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnAction {
    /// Open a lesson at its first step.
    Open(usize),
    /// Back to the lesson list.
    Close,
    /// Next step.
    Next,
    /// Previous step.
    Prev,
    /// Jump to a step.
    Goto(usize),
    /// Run the whole lesson script.
    TryAll {
        /// Clock.
        now: u64,
    },
    /// Run the script up to and including the current step.
    TryStep {
        /// Clock.
        now: u64,
    },
}

/// The Learn view's state.
#[derive(Default)]
pub struct LearnModel {
    /// The open lesson, by index into [`LESSONS`].
    pub lesson: Option<usize>,
    /// The step shown.
    pub step: usize,
    /// The session of the last "Try it", if any.
    pub session: Option<SessionModel>,
    /// Up to which step the last "Try it" ran.
    pub ran_to: Option<usize>,
    /// Problems the last script met (an op the session refused).
    pub errors: Vec<String>,
}

impl LearnModel {
    /// The open lesson.
    pub fn current(&self) -> Option<&'static Lesson> {
        self.lesson.and_then(|i| LESSONS.get(i))
    }

    /// Applies one action.
    pub fn apply(&mut self, action: LearnAction) {
        match action {
            LearnAction::Open(i) => {
                if i < LESSONS.len() {
                    self.lesson = Some(i);
                    self.reset();
                }
            }
            LearnAction::Close => {
                self.lesson = None;
                self.reset();
            }
            LearnAction::Next => self.goto(self.step.saturating_add(1)),
            LearnAction::Prev => self.goto(self.step.saturating_sub(1)),
            LearnAction::Goto(i) => self.goto(i),
            LearnAction::TryAll { now } => {
                if let Some(lesson) = self.current() {
                    self.run(lesson, lesson.steps.len().saturating_sub(1), now);
                }
            }
            LearnAction::TryStep { now } => {
                if let Some(lesson) = self.current() {
                    self.run(lesson, self.step, now);
                }
            }
        }
    }

    fn reset(&mut self) {
        self.step = 0;
        self.session = None;
        self.ran_to = None;
        self.errors.clear();
    }

    fn goto(&mut self, i: usize) {
        if let Some(lesson) = self.current() {
            self.step = i.min(lesson.steps.len().saturating_sub(1));
        }
    }

    fn run(&mut self, lesson: &Lesson, upto: usize, now: u64) {
        let (session, errors) = run_script(lesson, upto, now);
        self.session = Some(session);
        self.errors = errors;
        self.ran_to = Some(upto);
    }
}

/// One write on the wire, for the socket lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRow {
    /// `write()` by the client or `read()` of what the server wrote.
    pub client: bool,
    /// Bytes in the write.
    pub bytes: usize,
    /// CRLF-terminated lines in it.
    pub lines: usize,
}

/// What a [`Demo`] shows, computed from the core.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoView {
    /// The writes so far.
    Writes(Vec<WriteRow>),
    /// `(keyword, explanation, reference)` per capability of the last EHLO reply.
    Capabilities(Vec<(String, String, String)>),
    /// The AUTH exchange decoded.
    Auth(Result<DecodedAuth, String>),
    /// `(round trips, saved)`.
    RoundTrips(usize, usize),
    /// Dot-stuffing.
    DotStuff(Stuffed),
    /// Encoded-words.
    Words(Box<WordsReading>),
    /// A delivery status report.
    Bounce(Box<DeliveryStatus>),
    /// `(queue id, size)` of each accepted message.
    Received(Vec<(String, usize)>),
    /// The demo needs the session: press Try it.
    NeedsRun,
}

/// The `S:`/`C:` lines of the last AUTH exchange, as the Tools view's AUTH decoder reads them.
fn auth_exchange(session: &SessionModel) -> Option<String> {
    let text = session.export_text();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().rposition(|l| l.starts_with("C: AUTH "))?;
    let mut out = Vec::new();
    for line in lines.iter().skip(start) {
        if let Some(c) = line.strip_prefix("C: ") {
            out.push(c.to_string());
        } else if let Some(s) = line.strip_prefix("S: ") {
            if s.starts_with("334") {
                out.push(s.to_string());
            } else {
                break;
            }
        }
    }
    Some(out.join("\n"))
}

/// Computes the panel of `demo` with the session of the last "Try it".
pub fn demo_view(demo: Demo, session: Option<&SessionModel>) -> DemoView {
    match demo {
        Demo::DotStuff(text) => return DemoView::DotStuff(dot_stuffing(text)),
        Demo::EncodedWord(text) => return DemoView::Words(Box::new(decode_words(text))),
        Demo::Bounce(text) => {
            return DemoView::Bounce(Box::new(parse_delivery_status(text.as_bytes())))
        }
        _ => {}
    }
    let Some(s) = session else {
        return DemoView::NeedsRun;
    };
    match demo {
        Demo::Writes => DemoView::Writes(
            s.chunks
                .iter()
                .map(|c| {
                    let bytes = c.span.slice(&s.wire);
                    WriteRow {
                        client: c.direction == Direction::Client,
                        bytes: bytes.len(),
                        lines: bytes.windows(2).filter(|w| w == b"\r\n").count(),
                    }
                })
                .collect(),
        ),
        Demo::Capabilities => DemoView::Capabilities(
            s.annotated
                .entries
                .iter()
                .rev()
                .find_map(|e| match &e.parsed {
                    Parsed::Reply {
                        capabilities: Some(caps),
                        ..
                    } => Some(
                        caps.entries
                            .iter()
                            .map(|c| {
                                (
                                    c.capability.keyword().to_string(),
                                    c.capability.explain().to_string(),
                                    c.capability.reference().to_string(),
                                )
                            })
                            .collect(),
                    ),
                    _ => None,
                })
                .unwrap_or_default(),
        ),
        Demo::AuthDecoded => DemoView::Auth(
            auth_exchange(s)
                .ok_or_else(|| key("No AUTH command in the transcript yet.").to_string())
                .and_then(|t| decode_auth(&t)),
        ),
        Demo::RoundTrips => DemoView::RoundTrips(s.round_trips, s.round_trips_saved),
        Demo::Received => DemoView::Received(s.received.clone()),
        Demo::DotStuff(_) | Demo::EncodedWord(_) | Demo::Bounce(_) => DemoView::NeedsRun,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn every_lesson_script_runs_to_its_expected_final_replies() {
        for lesson in &LESSONS {
            let (session, errors) = run_script(lesson, usize::MAX, 1000);
            assert_eq!(errors, Vec::<String>::new(), "lesson {}", lesson.id);
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
    fn navigation_is_clamped_and_try_it_runs() {
        let mut m = LearnModel::default();
        m.apply(LearnAction::Next);
        assert_eq!((m.lesson, m.step), (None, 0), "no lesson open");
        m.apply(LearnAction::Open(99));
        assert_eq!(m.lesson, None, "out of range ignored");
        m.apply(LearnAction::Open(0));
        m.apply(LearnAction::Prev);
        assert_eq!(m.step, 0);
        for _ in 0..20 {
            m.apply(LearnAction::Next);
        }
        assert_eq!(m.step, LESSONS[0].steps.len() - 1, "clamped at the last");
        m.apply(LearnAction::Goto(1));
        m.apply(LearnAction::TryStep { now: 5 });
        let codes = reply_codes(m.session.as_ref().expect("ran"));
        assert_eq!(codes, [220, 250], "greeting and HELO only");
        m.apply(LearnAction::TryAll { now: 5 });
        let codes = reply_codes(m.session.as_ref().expect("ran"));
        assert_eq!(codes, [220, 250, 250, 250, 250, 354, 250, 221]);
        m.apply(LearnAction::Close);
        assert!(m.session.is_none() && m.lesson.is_none());
    }

    #[test]
    fn fragments_name_lessons() {
        assert_eq!(lesson_from_fragment("#/learn?lesson=auth"), Some(6));
        assert_eq!(fragment_for(6), "/learn?lesson=auth");
        for bad in ["#/learn", "#/learn?lesson=", "#/learn?lesson=nope", "?&&="] {
            assert_eq!(lesson_from_fragment(bad), None, "{bad}");
        }
        assert_eq!(fragment_for(999), "/learn");
    }

    #[test]
    fn demos_come_from_the_core() {
        let (s, _) = run_script(&LESSONS[6], 0, 0);
        match demo_view(Demo::AuthDecoded, Some(&s)) {
            DemoView::Auth(Ok(d)) => assert_eq!(
                (d.authcid.as_deref(), d.password.as_deref()),
                (Some("alice"), Some("wonderland")),
                "PLAIN decoded"
            ),
            other => panic!("expected decoded AUTH, got {other:?}"),
        }
        let (s, _) = run_script(&LESSONS[6], 2, 0);
        match demo_view(Demo::AuthDecoded, Some(&s)) {
            DemoView::Auth(Ok(d)) => assert_eq!(d.authcid.as_deref(), Some("alice"), "CRAM-MD5"),
            other => panic!("expected decoded CRAM-MD5, got {other:?}"),
        }
        match demo_view(Demo::EncodedWord("=?EUC-KR?B?vsiz58fPvLy/5C4=?="), None) {
            DemoView::Words(w) => assert_eq!(w.text, "안녕하세요.", "EUC-KR decoded"),
            other => panic!("expected words, got {other:?}"),
        }
        match demo_view(Demo::DotStuff(DOTS), None) {
            DemoView::DotStuff(d) => assert!(d.wire.contains("..two"), "{}", d.wire),
            other => panic!("expected dot-stuffing, got {other:?}"),
        }
        match demo_view(Demo::Bounce(SAMPLE_DSN), None) {
            DemoView::Bounce(d) => {
                let status: Vec<_> = d.recipients.iter().map(|r| r.status.clone()).collect();
                assert_eq!(
                    status,
                    [Some("5.1.1".to_string()), Some("4.7.1".to_string())]
                );
                assert!(d.lints.is_empty(), "{:?}", d.lints);
            }
            other => panic!("expected a DSN, got {other:?}"),
        }
        let sample = sample_message("alice@example.org", "bob@example.net", SAMPLE_DATE)
            .expect("sample message");
        assert!(
            sample.contains("multipart/mixed")
                && sample.contains("Content-Transfer-Encoding: base64"),
            "the MIME lesson's claims hold: {sample}"
        );
        let (s, _) = run_script(&LESSONS[4], 0, 0);
        match demo_view(Demo::Capabilities, Some(&s)) {
            DemoView::Capabilities(c) => {
                assert!(c.iter().any(|(k, _, _)| k == "PIPELINING"), "{c:?}")
            }
            other => panic!("expected capabilities, got {other:?}"),
        }
        let keywords = |upto| match demo_view(
            Demo::Capabilities,
            Some(&run_script(&LESSONS[5], upto, 0).0),
        ) {
            DemoView::Capabilities(c) => c.into_iter().map(|(k, _, _)| k).collect::<Vec<_>>(),
            other => panic!("expected capabilities, got {other:?}"),
        };
        let before = keywords(0);
        let after = keywords(2);
        assert!(
            before.iter().any(|k| k == "STARTTLS") && !before.iter().any(|k| k == "AUTH"),
            "before TLS: {before:?}"
        );
        assert!(
            after.iter().any(|k| k == "AUTH") && !after.iter().any(|k| k == "STARTTLS"),
            "after TLS: {after:?}"
        );
        let (s, _) = run_script(&LESSONS[2], 1, 0);
        match demo_view(Demo::Writes, Some(&s)) {
            DemoView::Writes(w) => {
                assert_eq!(w.len(), 3, "greeting, EHLO, reply: {w:?}");
                assert!(w[2].lines > 1, "multi-line EHLO reply");
            }
            other => panic!("expected writes, got {other:?}"),
        }
        assert_eq!(demo_view(Demo::Received, None), DemoView::NeedsRun);
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
