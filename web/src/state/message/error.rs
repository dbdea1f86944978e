//! What can go wrong while a message is opened: reading its file ([`FileError`], on the page
//! or in the worker) and opening it at all ([`OpenError`]).

use serde::{Deserialize, Serialize};

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::worker::protocol::WorkerError;

/// Why a file could not be read. Made where the file is read (the worker, or the page when no
/// worker runs), so it crosses the worker's channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    /// The browser gives the file no size.
    NoSize,
    /// Larger than the inspector reads.
    TooLarge {
        /// The file's name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The most the inspector reads.
        max: u64,
    },
    /// The browser refused to read it (deleted, moved, no permission).
    Unreadable {
        /// The browser's words.
        detail: String,
    },
}

impl UserError for FileError {
    fn what(&self, lang: Lang) -> String {
        match self {
            FileError::NoSize => tr(
                lang,
                "The browser gives this file no size, so it cannot be read.",
            )
            .into(),
            FileError::TooLarge { name, size, max } => trf(
                lang,
                "{name} is {size} bytes; the inspector reads at most {max}.",
                &[("name", name), ("size", size), ("max", max)],
            ),
            FileError::Unreadable { detail } => trf(
                lang,
                "The file could not be read: {detail}.",
                &[("detail", detail)],
            ),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            FileError::NoSize => tr(lang, "Save it as a regular file and open that."),
            FileError::TooLarge { .. } => tr(
                lang,
                "Open a smaller message, or remove its large attachments first.",
            ),
            FileError::Unreadable { .. } => tr(
                lang,
                "Check that the file still exists and can be read, then open it again.",
            ),
        }
        .into()
    }
}

/// Why a message did not open in the inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Something was dropped, but no file.
    NoFile,
    /// "Inspect pasted text" with nothing pasted.
    EmptyPaste,
    /// The file could not be read on the page.
    File(FileError),
    /// The worker that reads and parses messages failed.
    Worker(WorkerError),
}

impl UserError for OpenError {
    fn what(&self, lang: Lang) -> String {
        match self {
            OpenError::NoFile => tr(lang, "What was dropped is not a file.").into(),
            OpenError::EmptyPaste => tr(lang, "The paste box is empty.").into(),
            OpenError::File(e) => e.what(lang),
            OpenError::Worker(e) => e.what(lang),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            OpenError::NoFile => tr(lang, "drop a file (an .eml)").into(),
            OpenError::EmptyPaste => tr(lang, "paste a message first").into(),
            OpenError::File(e) => e.next_step(lang),
            OpenError::Worker(e) => e.next_step(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn every_error_says_what_happened_and_what_to_do() {
        let errors = [
            OpenError::NoFile,
            OpenError::EmptyPaste,
            OpenError::File(FileError::NoSize),
            OpenError::File(FileError::TooLarge {
                name: "big.eml".into(),
                size: 300,
                max: 256,
            }),
            OpenError::File(FileError::Unreadable {
                detail: "NotFoundError".into(),
            }),
            OpenError::Worker(WorkerError::NoAnswer { seconds: 20 }),
        ];
        for e in &errors {
            for lang in Lang::ALL {
                assert!(!e.what(lang).is_empty(), "{e:?}");
                assert!(!e.next_step(lang).is_empty(), "{e:?}");
            }
        }
        assert_eq!(
            errors[3].what(Lang::En),
            "big.eml is 300 bytes; the inspector reads at most 256."
        );
    }
}
