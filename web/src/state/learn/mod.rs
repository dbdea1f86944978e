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
//! By responsibility: [`script`] (what a lesson does), [`demo`] (the panels beside a step),
//! [`lessons`] (what a lesson says, per language), [`error`] (what the reader is told when a
//! script or panel fails), and here the view's model.

pub mod demo;
pub mod error;
pub mod lessons;
pub mod script;

use crate::state::i18n::Lang;
use crate::state::session::SessionModel;
use error::LearnError;
use lessons::LessonText;
use script::{run_script, Lesson, LESSONS};

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
    pub errors: Vec<LearnError>,
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::learn::script::reply_codes;

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
}
