//! A "Try it" run cut into steps: each step's part of the session ([`StepRun`]), so the page
//! shows every step under its own label even when a later step opens a new connection (which
//! starts a new wire and would otherwise hide what the earlier steps did).

use std::rc::Rc;

use mailscope_core::lint::Lint;

use super::demo::{demo_view, Demo, DemoView};
use super::error::LearnError;
use super::script::{apply_op, Lesson, Op};
use crate::state::session::live::SocketState;
use crate::state::session::notes::Note;
use crate::state::session::transport::RelayPhase;
use crate::state::session::SessionModel;
use crate::state::transcript::Row;

/// What one step of a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRun {
    /// The step (0-based).
    pub step: usize,
    /// Whether the step opened a new connection (its rows start at the greeting).
    pub connected: bool,
    /// The transcript rows this step added, read as the session stood after it.
    pub rows: Rc<Vec<Row>>,
    /// Session events of this step.
    pub notes: Vec<Note>,
    /// Findings about the dialogue that point into this step (an unanswered QUIT, …).
    pub lints: Vec<Lint>,
    /// Actions of this step the session refused.
    pub errors: Vec<LearnError>,
    /// The step's panel, filled from the session as it stood after the step.
    pub demo: Option<DemoView>,
}

impl StepRun {
    /// Whether the step sent or received anything.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.notes.is_empty() && self.lints.is_empty()
    }
}

/// Where a step stood when it started.
#[derive(Debug, Clone, Copy)]
struct Mark {
    connected: bool,
    wire_from: usize,
    notes_from: usize,
}

/// Runs a lesson's steps on a session, one op at a time: the next op goes only when the session
/// has its answers (the in-browser server answers at once; a server behind the relay later), and
/// a step's part ([`StepRun`]) is cut when its last op is answered. The same runner serves the
/// in-browser server ([`run_steps`]) and the sandbox through the relay (the Learn view calls
/// [`Runner::advance`] after each relay event).
#[derive(Debug, Clone)]
pub struct Runner {
    lesson: &'static Lesson,
    /// The last step to run.
    upto: usize,
    /// The step under way (or next).
    step: usize,
    /// The next op of that step.
    op: usize,
    mark: Option<Mark>,
    errors: Vec<LearnError>,
    clock: u64,
    stopped: bool,
    /// The parts of the steps that finished, in order.
    pub runs: Vec<StepRun>,
}

impl Runner {
    /// A run of steps `0..=upto` of `lesson`; ops get their own millisecond from `now` on.
    pub fn new(lesson: &'static Lesson, upto: usize, now: u64) -> Runner {
        Runner {
            lesson,
            upto: upto.min(lesson.steps.len().saturating_sub(1)),
            step: 0,
            op: 0,
            mark: None,
            errors: Vec::new(),
            clock: now,
            stopped: false,
            runs: Vec::new(),
        }
    }

    /// Whether every step ran (or the run stopped at a refused op).
    pub fn is_finished(&self) -> bool {
        self.stopped || self.step > self.upto || self.step >= self.lesson.steps.len()
    }

    /// Whether every step ran to its end (no op was refused).
    pub fn completed(&self) -> bool {
        !self.stopped && self.is_finished()
    }

    /// The step under way (0-based), while the run is not finished.
    pub fn current_step(&self) -> Option<usize> {
        (!self.is_finished()).then_some(self.step)
    }

    /// Applies the next ops while `session` can take them; cuts each step that is answered.
    /// The first refused op stops the run (what follows would be refused too).
    pub fn advance(&mut self, session: &mut SessionModel, now: u64) {
        self.clock = self.clock.max(now);
        while !self.is_finished() && can_go_on(session) {
            let Some(step) = self.lesson.steps.get(self.step) else {
                return;
            };
            let mark = *self.mark.get_or_insert_with(|| {
                // A Connect starts a new wire (and new notes): the part starts at its beginning.
                let connected = step.ops.contains(&Op::Connect);
                Mark {
                    connected,
                    wire_from: if connected { 0 } else { session.wire.len() },
                    notes_from: if connected { 0 } else { session.notes.len() },
                }
            });
            if let Some(op) = step.ops.get(self.op) {
                if *op == Op::Connect && socket_opening(session) {
                    return;
                }
                self.clock = self.clock.saturating_add(1);
                self.op += 1;
                if let Err(error) = apply_op(session, op.clone(), self.clock) {
                    self.errors.push(LearnError::StepRefused {
                        step: self.step + 1,
                        error,
                    });
                    self.stopped = true;
                } else {
                    continue;
                }
            }
            self.runs.push(cut(
                session,
                self.step,
                mark,
                std::mem::take(&mut self.errors),
                step.demo,
            ));
            self.mark = None;
            self.op = 0;
            self.step += 1;
        }
    }
}

/// Whether the session has every answer it waits for (or never will get one: closed).
fn can_go_on(session: &SessionModel) -> bool {
    match session.relay_phase() {
        // The in-browser server answers within the action (or there is no connection yet).
        None | Some(RelayPhase::Closed) => true,
        Some(RelayPhase::Open) => session.awaiting_replies() == 0,
        Some(RelayPhase::Connecting | RelayPhase::Handshake | RelayPhase::Untrusted) => false,
    }
}

/// Whether a connection through the relay must wait for the page's socket to the relay.
fn socket_opening(session: &SessionModel) -> bool {
    session.target.is_relay()
        && matches!(
            session.relay.socket,
            SocketState::Opening | SocketState::Checking
        )
}

/// The part of step `step`: what it added to `session` since `mark`.
fn cut(
    session: &SessionModel,
    step: usize,
    mark: Mark,
    errors: Vec<LearnError>,
    demo: Option<Demo>,
) -> StepRun {
    let rows: Vec<Row> = session
        .annotated
        .entries
        .iter()
        .zip(session.rows())
        .filter(|(e, _)| e.span.start >= mark.wire_from)
        .map(|(_, r)| r)
        .collect();
    StepRun {
        step,
        connected: mark.connected,
        rows: Rc::new(rows),
        notes: session
            .notes
            .get(mark.notes_from..)
            .unwrap_or_default()
            .to_vec(),
        lints: session
            .annotated
            .lints
            .iter()
            .filter(|l| l.span.start >= mark.wire_from)
            .cloned()
            .collect(),
        errors,
        demo: demo.map(|d| demo_view(d, Some(session))),
    }
}

/// Runs the ops of steps `0..=upto` of `lesson` on a fresh session with the in-browser server
/// and cuts the result into one [`StepRun`] per step (see [`Runner`]). Also returns the session
/// as it ends.
pub fn run_steps(lesson: &'static Lesson, upto: usize, now: u64) -> (SessionModel, Vec<StepRun>) {
    let mut session = SessionModel::default();
    let mut runner = Runner::new(lesson, upto, now);
    runner.advance(&mut session, now);
    (session, runner.runs)
}

/// Runs the ops of steps `0..=upto` of `lesson` on a fresh session (see [`run_steps`]): the
/// session as it ends and every refused op (what the tests check).
#[cfg(test)]
pub(crate) fn run_script(
    lesson: &'static Lesson,
    upto: usize,
    now: u64,
) -> (SessionModel, Vec<LearnError>) {
    let (session, runs) = run_steps(lesson, upto, now);
    (session, runs.into_iter().flat_map(|r| r.errors).collect())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::learn::script::LESSONS;

    fn lesson(id: &str) -> &'static Lesson {
        LESSONS.iter().find(|l| l.id == id).expect("lesson")
    }

    fn kinds(run: &StepRun) -> Vec<&str> {
        run.rows.iter().map(|r| r.kind.as_str()).collect()
    }

    /// Bug: "whole lesson" showed only the last connection (lessons 7 and 11 open one per
    /// step). Each step keeps its own part: every AUTH of lesson 7 is there.
    #[test]
    fn every_step_keeps_its_own_session() {
        let l = lesson("auth");
        let (_, runs) = run_steps(l, usize::MAX, 0);
        assert_eq!(runs.len(), l.steps.len(), "one part per step");
        for (i, run) in runs.iter().enumerate().take(3) {
            assert_eq!(run.step, i);
            assert!(run.connected, "step {i} opens its own connection");
            assert_eq!(
                kinds(run).first().copied(),
                Some("reply 220"),
                "step {i}: {:?}",
                kinds(run)
            );
            assert!(
                kinds(run).contains(&"command AUTH"),
                "step {i}: {:?}",
                kinds(run)
            );
            assert!(
                matches!(run.demo, Some(DemoView::Auth(Ok(_)))),
                "step {i}: the panel is filled from its own session: {:?}",
                run.demo
            );
        }
        assert_eq!(kinds(&runs[3]), ["command QUIT", "reply 221"], "QUIT only");
        let (_, runs) = run_steps(lesson("errors"), usize::MAX, 0);
        let codes: Vec<Vec<&str>> = runs.iter().map(kinds).collect();
        for (step, code) in [(0, "reply 550"), (2, "reply 421"), (3, "reply 552")] {
            assert!(
                codes[step].contains(&code),
                "step {step}: {:?}",
                codes[step]
            );
        }
    }

    /// A step that continues a connection shows only what it added.
    #[test]
    fn a_continuing_step_shows_what_it_added() {
        let (_, runs) = run_steps(lesson("classic"), usize::MAX, 0);
        assert_eq!(kinds(&runs[0]), ["reply 220"]);
        assert_eq!(kinds(&runs[1]), ["command HELO", "reply 250"]);
        assert!(!runs[1].connected);
        assert_eq!(
            kinds(&runs[3]),
            ["command RCPT", "reply 250", "command RCPT", "reply 250"]
        );
        assert_eq!(kinds(&runs[5]), ["command QUIT", "reply 221"]);
        assert!(runs.iter().all(|r| r.lints.is_empty()), "a clean dialogue");
    }

    /// Bug: lesson 2 step 5 said "the 221 reply is missing" under `221 Bye`, and drew the
    /// refused message's lines as commands. The server reads them as message data (only
    /// CRLF.CRLF ends it), so the transcript does too.
    #[test]
    fn a_refused_smuggling_message_stays_one_message() {
        let (_, runs) = run_steps(lesson("by-hand"), usize::MAX, 0);
        let smuggle = &runs[3];
        assert_eq!(
            kinds(smuggle),
            [
                "reply 220",
                "command EHLO",
                "reply 250",
                "command MAIL",
                "reply 250",
                "command RCPT",
                "reply 250",
                "command DATA",
                "reply 354",
                "message",
                "reply 554"
            ],
            "the line after the bare-LF dot is content, not a command"
        );
        let quit = &runs[4];
        assert_eq!(kinds(quit), ["command QUIT", "reply 221"]);
        let codes: Vec<&str> = runs
            .iter()
            .flat_map(|r| {
                r.lints
                    .iter()
                    .chain(r.rows.iter().flat_map(|row| &row.lints))
            })
            .map(|l| &*l.code)
            .collect();
        assert!(
            !codes.contains(&"smtp.quit-unanswered") && !codes.contains(&"smtp.unknown-command"),
            "{codes:?}"
        );
        assert!(codes.contains(&"smtp.smuggling-sequence"), "{codes:?}");
    }

    #[test]
    fn a_step_without_actions_is_empty_and_keeps_its_panel() {
        let (_, runs) = run_steps(lesson("dot-stuffing"), 0, 0);
        assert!(runs[0].is_empty());
        assert!(matches!(runs[0].demo, Some(DemoView::DotStuff(_))));
    }
}
