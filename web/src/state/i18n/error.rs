//! Why a language pack could not be loaded.

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};

/// Why a language's pack is not in place. [`UserError::what`] is a clause that completes
/// "Korean text could not be loaded: …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangPackError {
    /// The pack's file could not be fetched (the server is gone, the network failed).
    Unreachable {
        /// The browser's words.
        detail: String,
    },
    /// The server has no such file (a UI built without its language files).
    Missing,
    /// The file is not a pack this page reads (cut short, or from another build).
    Damaged {
        /// What was wrong.
        detail: String,
    },
}

impl UserError for LangPackError {
    fn what(&self, lang: Lang) -> String {
        match self {
            LangPackError::Unreachable { detail } => trf(
                lang,
                "its file could not be fetched ({detail})",
                &[("detail", detail)],
            ),
            LangPackError::Missing => tr(lang, "its file is not on the server").into(),
            LangPackError::Damaged { detail } => trf(
                lang,
                "its file is damaged ({detail})",
                &[("detail", detail)],
            ),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            LangPackError::Unreachable { .. } => tr(
                lang,
                "Check that the page's server still runs, then choose the language again.",
            ),
            LangPackError::Missing | LangPackError::Damaged { .. } => tr(
                lang,
                "Rebuild the UI with cargo xtask run: the build writes the language files.",
            ),
        }
        .into()
    }
}
