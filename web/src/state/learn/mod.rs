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
//!
//! By responsibility: [`script`] (what a lesson does), [`run`] (a Try it cut into steps),
//! [`demo`] (the panels beside a step), [`lessons`] (what a lesson says, per language),
//! [`progress`] (which steps the reader ran, kept between visits), [`error`] (what the reader
//! is told when a script or panel fails), and here the view's model.

pub mod alignment;
pub mod demo;
pub mod dkim;
pub mod error;
pub mod lessons;
pub mod progress;
pub mod run;
pub mod sandbox;
pub mod script;

use crate::state::i18n::Lang;
use crate::state::session::transport::Outgoing;
use crate::state::session::Action;
use lessons::LessonText;
use progress::Progress;
use run::{run_steps, StepRun};
use sandbox::{blocker, SandboxRun};
use script::{Lesson, LESSONS};

/// The lesson texts in `lang`, in [`LESSONS`] order (English while the language's pack is
/// not in: see [`crate::state::i18n::lessons`]).
pub fn texts(lang: Lang) -> &'static [LessonText] {
    crate::state::i18n::lessons(lang)
}

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

/// What the user can do in the Learn view. `now` is the page clock in milliseconds.
#[derive(Debug, Clone, PartialEq)]
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
    /// Run the whole lesson script; the step pointer then stands past the last step (done).
    TryAll {
        /// Clock.
        now: u64,
    },
    /// Run the script up to and including the current step.
    TryStep {
        /// Clock.
        now: u64,
    },
    /// Run the Try buttons on the sandbox of `mailscope serve` through the relay (`true`) or
    /// on the in-browser server.
    UseSandbox(bool),
    /// Something the relay socket delivered, for the sandbox run.
    Relay {
        /// The Session-view action it makes.
        action: Action,
        /// Clock.
        now: u64,
    },
    /// Stop the run on the sandbox.
    StopSandbox,
    /// Forget which steps were run, in every lesson.
    ResetProgress,
}

/// The Learn view's state.
#[derive(Default)]
pub struct LearnModel {
    /// The open lesson, by index into [`LESSONS`].
    pub lesson: Option<usize>,
    /// The step shown; the step count when the whole lesson ran ([`LearnModel::is_done`]).
    pub step: usize,
    /// The last "Try it", one part per step that ran, in order.
    pub runs: Vec<StepRun>,
    /// Which steps of which lessons the reader ran (kept between visits by the page).
    pub progress: Progress,
    /// Whether the Try buttons run on the sandbox (when the lesson holds there: [`blocker`]).
    pub use_sandbox: bool,
    /// Whether the last run went to the sandbox.
    pub ran_on_sandbox: bool,
    /// Runs on the sandbox through the relay (made at the first).
    pub sandbox: Option<SandboxRun>,
}

impl LearnModel {
    /// A model that starts from the progress kept from earlier visits.
    pub fn with_progress(progress: Progress) -> LearnModel {
        LearnModel {
            progress,
            ..LearnModel::default()
        }
    }

    /// The open lesson.
    pub fn current(&self) -> Option<&'static Lesson> {
        self.lesson.and_then(|i| LESSONS.get(i))
    }

    /// Whether the pointer stands past the last step: the whole lesson ran.
    pub fn is_done(&self) -> bool {
        self.current().is_some_and(|l| self.step >= l.steps.len())
    }

    /// The part of the last run that `step` did, if it ran.
    pub fn run_of(&self, step: usize) -> Option<&StepRun> {
        self.runs.iter().find(|r| r.step == step)
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
            LearnAction::Next => {
                // Past the last step there is no next one (and no stepping back onto the last).
                if !self.is_done() {
                    self.goto(self.step.saturating_add(1));
                }
            }
            LearnAction::Prev => self.goto(self.step.saturating_sub(1)),
            LearnAction::Goto(i) => self.goto(i),
            LearnAction::TryAll { now } => {
                if let Some(lesson) = self.current() {
                    self.run(lesson, lesson.steps.len().saturating_sub(1), true, now);
                }
            }
            LearnAction::TryStep { now } => {
                if let Some(lesson) = self.current().filter(|_| !self.is_done()) {
                    self.run(lesson, self.step, false, now);
                }
            }
            LearnAction::UseSandbox(on) => {
                self.use_sandbox = on;
                if !on {
                    if let Some(run) = self.sandbox.as_mut() {
                        run.stop();
                    }
                }
            }
            LearnAction::Relay { action, now } => {
                self.sandbox
                    .get_or_insert_with(SandboxRun::default)
                    .on_relay(action, now);
                self.follow_sandbox();
            }
            LearnAction::StopSandbox => {
                if let Some(run) = self.sandbox.as_mut() {
                    run.stop();
                }
            }
            LearnAction::ResetProgress => self.progress = Progress::default(),
        }
    }

    /// Whether a run on the sandbox is under way.
    pub fn sandbox_running(&self) -> bool {
        self.sandbox.as_ref().is_some_and(SandboxRun::is_running)
    }

    /// Frames for the relay socket (drained by the component after each action).
    pub fn take_outbox(&mut self) -> Vec<Outgoing> {
        self.sandbox
            .as_mut()
            .map(|r| r.session.take_outbox())
            .unwrap_or_default()
    }

    /// Shows what the sandbox run has done so far; when it ends, takes note of the progress.
    fn follow_sandbox(&mut self) {
        let Some(run) = self.sandbox.as_mut() else {
            return;
        };
        let Some(runner) = run.runner.as_ref() else {
            return;
        };
        self.runs = runner.runs.clone();
        if !runner.is_finished() {
            return;
        }
        let whole = run.whole && runner.completed();
        run.runner = None;
        if let (Some(index), Some(last)) = (self.lesson, self.runs.last()) {
            self.progress.mark(index, last.step);
            if whole {
                self.step = self.current().map_or(0, |l| l.steps.len());
            }
        }
    }

    fn reset(&mut self) {
        self.step = 0;
        self.runs.clear();
        if let Some(run) = self.sandbox.as_mut() {
            run.stop();
        }
    }

    fn goto(&mut self, i: usize) {
        if let Some(lesson) = self.current() {
            self.step = i.min(lesson.steps.len().saturating_sub(1));
        }
    }

    /// Whether the next Try runs on the sandbox: chosen, and the lesson holds there.
    pub fn runs_on_sandbox(&self) -> bool {
        self.use_sandbox && self.current().is_some_and(|l| blocker(l).is_none())
    }

    /// Runs steps `0..=upto`: at once on the in-browser server, or on the sandbox as its
    /// answers come ([`LearnAction::Relay`]).
    fn run(&mut self, lesson: &'static Lesson, upto: usize, whole: bool, now: u64) {
        self.ran_on_sandbox = self.runs_on_sandbox();
        if self.ran_on_sandbox {
            self.sandbox
                .get_or_insert_with(SandboxRun::default)
                .start(lesson, upto, whole, now);
            self.runs.clear();
            self.follow_sandbox();
            return;
        }
        self.runs = run_steps(lesson, upto, now).1;
        if let Some(index) = self.lesson {
            self.progress.mark(index, upto);
        }
        if whole {
            self.step = lesson.steps.len();
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The reply codes of every step of the last run, in order.
    fn codes(m: &LearnModel) -> Vec<String> {
        m.runs
            .iter()
            .flat_map(|r| r.rows.iter())
            .filter_map(|r| r.kind.strip_prefix("reply "))
            .map(String::from)
            .collect()
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
        assert!(!m.is_done(), "stepping through is not running");
        m.apply(LearnAction::Goto(1));
        m.apply(LearnAction::TryStep { now: 5 });
        assert_eq!(codes(&m), ["220", "250"], "greeting and HELO only");
        assert_eq!(m.step, 1, "the step stays beside its panel");
        m.apply(LearnAction::TryAll { now: 5 });
        assert_eq!(
            codes(&m),
            ["220", "250", "250", "250", "250", "354", "250", "221"]
        );
        m.apply(LearnAction::Close);
        assert!(m.runs.is_empty() && m.lesson.is_none());
    }

    /// Bug: "Ran steps 1–6" but the pointer stayed on step 1 and only the last connection
    /// was shown. After a whole-lesson run every step has its part and the pointer is done.
    #[test]
    fn a_whole_lesson_run_shows_every_step_and_ends_done() {
        let mut m = LearnModel::default();
        let auth = LESSONS.iter().position(|l| l.id == "auth").expect("auth");
        m.apply(LearnAction::Open(auth));
        m.apply(LearnAction::TryAll { now: 0 });
        let steps: Vec<usize> = m.runs.iter().map(|r| r.step).collect();
        assert_eq!(steps, (0..LESSONS[auth].steps.len()).collect::<Vec<_>>());
        assert!(m.is_done(), "pointer past the last step: {}", m.step);
        assert_eq!(
            codes(&m).iter().filter(|c| *c == "220").count(),
            3,
            "three connections, three greetings: {:?}",
            codes(&m)
        );
        m.apply(LearnAction::TryStep { now: 0 });
        assert_eq!(m.runs.len(), 4, "nothing to try past the end");
        m.apply(LearnAction::Next);
        assert!(m.is_done(), "no next step past the end");
        m.apply(LearnAction::Prev);
        assert_eq!(
            m.step,
            LESSONS[auth].steps.len() - 1,
            "back to the last step"
        );
        assert!(m.run_of(m.step).is_some(), "its part of the run is kept");
    }

    #[test]
    fn runs_mark_progress_and_reset_forgets_it() {
        let mut m = LearnModel::with_progress(Progress::from_stored(
            "classic 1
",
        ));
        m.apply(LearnAction::Open(1));
        m.apply(LearnAction::Goto(1));
        m.apply(LearnAction::TryStep { now: 0 });
        assert_eq!(
            m.progress.to_stored(),
            "classic 1
by-hand 1 2
"
        );
        m.apply(LearnAction::TryAll { now: 0 });
        assert!(m.progress.lesson_done(1));
        m.apply(LearnAction::Close);
        assert!(m.progress.lesson_done(1), "kept when the lesson closes");
        m.apply(LearnAction::ResetProgress);
        assert!(m.progress.is_empty());
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
}
