//! Errors the page shows a reader: typed, never `String` plus flags.
//!
//! Each area of the UI has its own error enum (what can go wrong there) and implements
//! [`UserError`]: one sentence for what happened and why, and one for what the reader can do
//! next, both in the reader's language and in the reader's terms — no library error text and no
//! command-line flags a browser user cannot use. Components render them with
//! `components::error::ErrorNote`.

use super::i18n::Lang;

/// An error as a reader sees it.
pub trait UserError {
    /// What happened, and why, in the reader's language.
    fn what(&self, lang: Lang) -> String;
    /// What the reader can do next, in the reader's language.
    fn next_step(&self, lang: Lang) -> String;
}

/// What a component renders: the two sentences of a [`UserError`], taken in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub what: String,
    pub next_step: String,
}

impl Shown {
    pub fn of(error: &impl UserError, lang: Lang) -> Shown {
        Shown {
            what: error.what(lang),
            next_step: error.next_step(lang),
        }
    }
}
