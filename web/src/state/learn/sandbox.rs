//! Lessons on the sandbox of `mailscope serve`, through the relay: which lessons hold there as
//! they hold on the in-browser server ([`blocker`], decided from the lesson's script and the two
//! servers' configurations — the sandbox's is the core's [`sandbox::config`]), and the run
//! itself ([`SandboxRun`]: a [`Runner`] on a Session-view model whose target is the sandbox).

use mailscope_core::smtp::command::Command;
use mailscope_core::smtp::session::server::sandbox;
use mailscope_core::smtp::session::ServerConfig;

use super::run::Runner;
use super::script::{Lesson, Op, LESSON_USER};
use crate::state::i18n::{tr, trf, Lang};
use crate::state::session::form::{command_from_line, ServerFlag};
use crate::state::session::live::{TargetForm, TargetKind};
use crate::state::session::{tracked_command, Action, SessionModel};

/// Why a lesson runs on the in-browser server only: a step whose outcome on the sandbox would
/// not be what the lesson says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The lesson sends nothing: its steps are panels.
    NothingToSend,
    /// A step turns a server behaviour on or off; the sandbox's is fixed the other way.
    ServerSwitch {
        /// The step (1-based).
        step: usize,
        /// The switch.
        flag: ServerFlag,
    },
    /// A step sets a SIZE limit the sandbox does not have.
    SizeLimit {
        /// The step (1-based).
        step: usize,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A step sends to a recipient the two servers answer differently.
    Recipient {
        /// The step (1-based).
        step: usize,
        /// The address.
        address: String,
    },
    /// A step logs in with a mechanism or user the sandbox does not offer.
    Auth {
        /// The step (1-based).
        step: usize,
    },
    /// A step types lines outside the client session, so nothing tells when the server has
    /// answered them.
    RawLine {
        /// The step (1-based).
        step: usize,
    },
}

impl Blocker {
    /// Why the lesson runs on the in-browser server only, in `lang`; `None` for a lesson that
    /// sends nothing (the page offers no choice of server for it).
    pub fn why(&self, lang: Lang) -> Option<String> {
        Some(match self {
            Blocker::NothingToSend => return None,
            Blocker::ServerSwitch { step, flag } => trf(
                lang,
                "Step {n} changes a behaviour of the in-browser server (“{switch}”) that the sandbox does not have, so it runs on the in-browser server only.",
                &[("n", step), ("switch", &tr(lang, flag.label()))],
            ),
            Blocker::SizeLimit { step, limit } => trf(
                lang,
                "Step {n} gives the in-browser server a SIZE limit of {limit} bytes that the sandbox does not have, so it runs on the in-browser server only.",
                &[("n", step), ("limit", limit)],
            ),
            Blocker::Recipient { step, address } => trf(
                lang,
                "Step {n} sends to {address}, which the sandbox answers differently from the in-browser server, so it runs on the in-browser server only.",
                &[("n", step), ("address", address)],
            ),
            Blocker::Auth { step } => trf(
                lang,
                "Step {n} logs in in a way the sandbox does not offer, so it runs on the in-browser server only.",
                &[("n", step)],
            ),
            Blocker::RawLine { step } => trf(
                lang,
                "Step {n} types lines outside the client session; over a network nothing tells when the server has answered them, so it runs on the in-browser server only.",
                &[("n", step)],
            ),
        })
    }
}

/// Why `lesson` does not hold on the sandbox as it holds on the in-browser server, if it does
/// not: every step is checked against both servers' configurations.
pub fn blocker(lesson: &Lesson) -> Option<Blocker> {
    blocker_against(lesson, &SessionModel::default().config)
}

/// [`blocker`] with `local` as the in-browser server's configuration.
fn blocker_against(lesson: &Lesson, local: &ServerConfig) -> Option<Blocker> {
    let remote = sandbox::config();
    let mut sends = false;
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        for op in step.ops {
            let line = match op {
                Op::Flag(flag, on) if flag.get(&remote) != *on => {
                    return Some(Blocker::ServerSwitch {
                        step: n,
                        flag: *flag,
                    })
                }
                Op::SizeLimit(limit) if remote.size_limit != Some(*limit) => {
                    return Some(Blocker::SizeLimit {
                        step: n,
                        limit: *limit,
                    })
                }
                Op::Auth(mechanism)
                    if !remote.auth_mechanisms.contains(mechanism)
                        || remote.users.get(LESSON_USER.0).map(String::as_str)
                            != Some(LESSON_USER.1) =>
                {
                    return Some(Blocker::Auth { step: n })
                }
                Op::Raw(line) => match tracked_command(line) {
                    Some(command) => Some(command),
                    None => return Some(Blocker::RawLine { step: n }),
                },
                Op::Line(line) => command_from_line(line).ok(),
                Op::Connect => {
                    sends = true;
                    None
                }
                _ => None,
            };
            if let Some(Command::Rcpt { to, .. }) = line {
                let address = to.mailbox.to_string();
                if local.recipient_action(&address) != remote.recipient_action(&address) {
                    return Some(Blocker::Recipient { step: n, address });
                }
            }
        }
    }
    (!sends).then_some(Blocker::NothingToSend)
}

/// A lesson run on the sandbox through the relay: the Session view's model (its relay status
/// and connection) and the runner feeding it the lesson's ops as answers come back.
pub struct SandboxRun {
    /// The session, targeting the sandbox; it stays between runs (it holds the relay status).
    pub session: SessionModel,
    /// The run under way or last run.
    pub runner: Option<Runner>,
    /// Whether the run is of the whole lesson (the step pointer then ends past the last step).
    pub whole: bool,
}

impl Default for SandboxRun {
    /// A model whose target is the sandbox.
    fn default() -> SandboxRun {
        let mut session = SessionModel::default();
        session.apply(Action::SetTarget(TargetForm {
            kind: TargetKind::Sandbox,
            ..TargetForm::default()
        }));
        SandboxRun {
            session,
            runner: None,
            whole: false,
        }
    }
}

impl SandboxRun {
    /// Starts running `lesson` up to step `upto`, ending any earlier run's connection.
    pub fn start(&mut self, lesson: &'static Lesson, upto: usize, whole: bool, now: u64) {
        self.session.apply(Action::Disconnect);
        self.whole = whole;
        let mut runner = Runner::new(lesson, upto, now);
        runner.advance(&mut self.session, now);
        self.runner = Some(runner);
    }

    /// A relay event (socket, frame, bytes): applied to the session, then the run goes on.
    pub fn on_relay(&mut self, action: Action, now: u64) {
        self.session.apply(action);
        if let Some(runner) = self.runner.as_mut() {
            runner.advance(&mut self.session, now);
        }
    }

    /// Stops the run and closes its connection.
    pub fn stop(&mut self) {
        self.runner = None;
        self.session.apply(Action::Disconnect);
    }

    /// Whether a run is under way.
    pub fn is_running(&self) -> bool {
        self.runner.as_ref().is_some_and(|r| !r.is_finished())
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::relay::{ClientFrame, RelayFrame};

    use super::*;
    use crate::state::learn::demo::DemoView;
    use crate::state::learn::run::{run_steps, StepRun};
    use crate::state::learn::script::{Step, LESSONS};
    use crate::state::learn::{LearnAction, LearnModel};
    use crate::state::session::live::SocketEvent;
    use crate::state::session::transport::tests::{relay_to_core_server, Relayed};
    use crate::state::session::transport::Outgoing;

    /// The lessons that hold on both servers.
    const SANDBOX_LESSONS: [&str; 8] = [
        "classic",
        "socket",
        "ehlo",
        "auth",
        "pipelining",
        "dot-stuffing",
        "transactions",
        "mime",
    ];

    fn lesson(id: &str) -> &'static Lesson {
        LESSONS.iter().find(|l| l.id == id).expect("lesson")
    }

    #[test]
    fn lessons_that_hold_on_both_servers_run_on_the_sandbox() {
        for id in SANDBOX_LESSONS {
            assert_eq!(blocker(lesson(id)), None, "lesson {id}");
        }
    }

    #[test]
    fn lessons_that_need_the_in_browser_server_say_which_step_and_why() {
        assert_eq!(
            blocker(lesson("mx-ports")),
            Some(Blocker::ServerSwitch {
                step: 3,
                flag: ServerFlag::RequireAuth
            })
        );
        assert_eq!(
            blocker(lesson("by-hand")),
            Some(Blocker::RawLine { step: 4 }),
            "the smuggling lines are typed outside the client session"
        );
        assert_eq!(
            blocker(lesson("errors")),
            Some(Blocker::ServerSwitch {
                step: 3,
                flag: ServerFlag::FaultGreeting421
            }),
            "its failing recipients are the sandbox's; its injected faults are not"
        );
        // A recipient the two servers answer differently.
        static OTHER: Lesson = Lesson {
            id: "other",
            steps: &[Step {
                ops: &[
                    Op::Connect,
                    Op::Line("EHLO c"),
                    Op::Line("MAIL FROM:<a@example.org>"),
                    Op::Line("RCPT TO:<bounce@sandbox.test>"),
                ],
                demo: None,
            }],
            final_replies: &[],
        };
        let mut local = SessionModel::default();
        local.apply(Action::SetRecipientRules("bounce@sandbox.test 550".into()));
        assert_eq!(
            blocker_against(&OTHER, &local.config),
            Some(Blocker::Recipient {
                step: 1,
                address: "bounce@sandbox.test".into()
            })
        );
        assert!(matches!(
            blocker(lesson("starttls")),
            Some(Blocker::ServerSwitch { step: 1, .. })
        ));
    }

    impl Relayed for LearnModel {
        fn take_outbox(&mut self) -> Vec<Outgoing> {
            LearnModel::take_outbox(self)
        }
        fn deliver(&mut self, action: Action, now: u64) {
            self.apply(LearnAction::Relay { action, now });
        }
    }

    fn kinds(runs: &[StepRun]) -> Vec<Vec<String>> {
        runs.iter()
            .map(|r| r.rows.iter().map(|row| row.kind.clone()).collect())
            .collect()
    }

    /// A lesson run on the sandbox through the relay (the sandbox's real configuration behind
    /// a relay that answers later): each op waits for the answers to the one before, so every
    /// step's part is what the in-browser server shows, reply for reply.
    #[test]
    fn a_lesson_on_the_sandbox_waits_for_each_answer_and_matches_the_in_browser_run() {
        for id in SANDBOX_LESSONS {
            let index = LESSONS.iter().position(|l| l.id == id).expect("lesson");
            let mut m = LearnModel::default();
            m.apply(LearnAction::Open(index));
            m.apply(LearnAction::Relay {
                action: Action::Socket(SocketEvent::Opening),
                now: 0,
            });
            m.apply(LearnAction::UseSandbox(true));
            m.apply(LearnAction::TryAll { now: 1 });
            assert!(m.sandbox_running(), "lesson {id}: waits for the socket");
            assert!(
                m.take_outbox().is_empty(),
                "nothing sent before the socket opens"
            );
            m.apply(LearnAction::Relay {
                action: Action::Socket(SocketEvent::Opened),
                now: 2,
            });
            relay_to_core_server(&mut m, sandbox::config());
            assert!(!m.sandbox_running(), "lesson {id}: the run ended");
            assert!(
                m.is_done(),
                "lesson {id}: the pointer is past the last step"
            );
            let (_, local) = run_steps(lesson(id), usize::MAX, 0);
            assert_eq!(kinds(&m.runs), kinds(&local), "lesson {id}");
            let errors: Vec<_> = m.runs.iter().flat_map(|r| &r.errors).collect();
            assert!(errors.is_empty(), "lesson {id}: {errors:?}");
            let session = &m.sandbox.as_ref().expect("sandbox").session;
            assert!(
                session
                    .wire
                    .windows(22)
                    .any(|w| w == b"sandbox.mailscope.test"),
                "lesson {id}: the sandbox answered"
            );
            let lints: Vec<_> = m
                .runs
                .iter()
                .flat_map(|r| &r.lints)
                .map(|l| &l.code)
                .collect();
            assert!(lints.is_empty(), "lesson {id}: {lints:?}");
            assert!(m.progress.lesson_done(index), "lesson {id}: progress kept");
            if id == "classic" {
                // The page cannot see the sandbox's store: the panel shows the server's answer.
                match &m.runs[4].demo {
                    Some(DemoView::Answered(a)) => {
                        assert_eq!(a.len(), 1, "{a:?}");
                        assert_eq!(a[0].code, 250);
                        assert!(a[0].text.contains("queued as"), "{a:?}");
                        assert!(a[0].octets > 80, "{a:?}");
                    }
                    other => panic!("the message step's panel: {other:?}"),
                }
            }
        }
    }

    /// Without the relay's answers, the run stays at its first step: nothing is sent ahead.
    #[test]
    fn a_step_waits_for_the_servers_answer() {
        let index = LESSONS
            .iter()
            .position(|l| l.id == "classic")
            .expect("lesson");
        let mut m = LearnModel::default();
        m.apply(LearnAction::Open(index));
        m.apply(LearnAction::Relay {
            action: Action::Socket(SocketEvent::Opened),
            now: 0,
        });
        m.apply(LearnAction::UseSandbox(true));
        m.apply(LearnAction::TryAll { now: 1 });
        let out = m.take_outbox();
        assert!(
            matches!(
                out.as_slice(),
                [Outgoing::Frame(ClientFrame::Connect { .. })]
            ),
            "only the connect: {out:?}"
        );
        m.apply(LearnAction::Relay {
            action: Action::Frame {
                frame: RelayFrame::Connected {
                    peer: "127.0.0.1:2525".into(),
                    mx: None,
                    connect_ms: 1,
                    attempts: Vec::new(),
                },
                now: 2,
            },
            now: 2,
        });
        assert!(m.take_outbox().is_empty(), "no HELO before the greeting");
        assert!(m.runs.is_empty(), "step 1 waits for the greeting");
        m.apply(LearnAction::Relay {
            action: Action::Bytes {
                bytes: b"220 sandbox.mailscope.test ESMTP\r\n".to_vec(),
                now: 3,
            },
            now: 3,
        });
        assert_eq!(m.runs.len(), 1, "step 1 done at the greeting");
        let out = m.take_outbox();
        assert!(
            matches!(out.as_slice(), [Outgoing::Bytes(b)] if b == b"HELO client.example\r\n"),
            "step 2 sends HELO: {out:?}"
        );
        assert!(m.take_outbox().is_empty(), "and waits for its reply");
        m.apply(LearnAction::StopSandbox);
        assert!(!m.sandbox_running());
    }
}
