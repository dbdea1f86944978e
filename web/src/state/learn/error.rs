//! What can go wrong in the Learn view, as the reader is told it ([`UserError`]).

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::session::error::SessionError;
use crate::state::tools::error::ToolsError;

/// Why a lesson's "Try it" or one of its panels has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnError {
    /// The session refused an action of the lesson's script.
    StepRefused {
        /// The step (1-based).
        step: usize,
        /// What the session said.
        error: SessionError,
    },
    /// The AUTH panel has no AUTH exchange to decode yet.
    NoAuthYet,
    /// The AUTH panel could not decode the exchange.
    Decode(ToolsError),
}

impl UserError for LearnError {
    fn what(&self, lang: Lang) -> String {
        match self {
            LearnError::StepRefused { step, error } => trf(
                lang,
                "Step {n} of this lesson did not run as written: {why}",
                &[("n", step), ("why", &error.what(lang))],
            ),
            LearnError::NoAuthYet => tr(lang, "No AUTH command in the transcript yet.").into(),
            LearnError::Decode(e) => e.what(lang),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            LearnError::StepRefused { .. } => tr(
                lang,
                "Press “Try it: whole lesson” to run it again; what ran before that step is shown below.",
            )
            .into(),
            LearnError::NoAuthYet => tr(
                lang,
                "Press “Try this step” to run the lesson up to here.",
            )
            .into(),
            LearnError::Decode(e) => e.next_step(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::i18n::ready_for_tests;

    #[test]
    fn a_refused_step_names_the_step_and_the_sessions_reason() {
        ready_for_tests(Lang::Ko);
        let refused = LearnError::StepRefused {
            step: 3,
            error: SessionError::NotConnected,
        };
        for lang in [Lang::En, Lang::Ko] {
            let what = refused.what(lang);
            assert!(what.contains('3'), "{what}");
            assert!(
                what.contains(&SessionError::NotConnected.what(lang)),
                "{what}"
            );
        }
        assert_ne!(refused.next_step(Lang::En), refused.next_step(Lang::Ko));
        assert_ne!(
            LearnError::NoAuthYet.what(Lang::En),
            LearnError::NoAuthYet.what(Lang::Ko)
        );
    }
}
