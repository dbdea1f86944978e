//! Searching the Mailbox: the query is read on the page by the core
//! ([`mailscope_core::api::search`]), so a malformed one is said at once in the reader's
//! language, and run by `mailscope serve` over the messages it keeps (`GET /api/messages?q=`),
//! which can read their decoded text.

use mailscope_core::api::search::{Query, QueryError, MAX_QUERY_BYTES, MAX_TERMS};

use super::error::MailboxError;
use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};

/// The search box and what it found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchState {
    /// What is typed.
    pub text: String,
    /// Why the typed query cannot be run.
    pub error: Option<SearchError>,
    /// The last answer: the query it was for and the ids found (oldest first).
    pub found: Option<(String, Vec<u64>)>,
    /// Why the last search failed.
    pub failed: Option<MailboxError>,
}

/// A query the core cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchError(pub QueryError);

/// The query to send for `text`: `None` when there is nothing to search or it is malformed.
pub fn runnable(text: &str) -> Option<String> {
    let q = text.trim();
    (!q.is_empty() && Query::parse(q).is_ok()).then(|| q.to_string())
}

impl SearchState {
    /// The box changed.
    pub fn set_text(&mut self, text: String) {
        self.error = Query::parse(text.trim()).err().map(SearchError);
        self.failed = None;
        if text.trim().is_empty() {
            self.found = None;
        }
        self.text = text;
    }

    /// The sandbox answered `query` with `ids`; an answer to an earlier query is dropped.
    pub fn found(&mut self, query: String, ids: Vec<u64>) {
        if runnable(&self.text).as_deref() == Some(query.as_str()) {
            self.failed = None;
            self.found = Some((query, ids));
        }
    }

    /// The search for `query` failed.
    pub fn failed(&mut self, query: &str, error: MailboxError) {
        if runnable(&self.text).as_deref() == Some(query) {
            self.failed = Some(error);
        }
    }

    /// Whether message `id` is listed: every message without a search; with one, those it
    /// found (the previous answer stays while a new one is on its way).
    pub fn shows(&self, id: u64) -> bool {
        match &self.found {
            Some((_, ids)) if !self.text.trim().is_empty() => ids.contains(&id),
            _ => true,
        }
    }

    /// Whether a search narrows the list.
    pub fn narrows(&self) -> bool {
        self.found.is_some() && !self.text.trim().is_empty()
    }
}

impl UserError for SearchError {
    fn what(&self, lang: Lang) -> String {
        match self.0 {
            QueryError::TooLong => trf(
                lang,
                "The search is longer than {n} bytes.",
                &[("n", &MAX_QUERY_BYTES)],
            ),
            QueryError::TooManyTerms => trf(
                lang,
                "The search has more than {n} terms.",
                &[("n", &MAX_TERMS)],
            ),
            QueryError::UnclosedQuote => tr(lang, "A quoted phrase has no closing \".").into(),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self.0 {
            QueryError::TooLong | QueryError::TooManyTerms => {
                tr(lang, "Use fewer or shorter words.").into()
            }
            QueryError::UnclosedQuote => {
                tr(lang, "Add the closing \" or remove the opening one.").into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_list_narrows_to_what_the_latest_query_found() {
        let mut s = SearchState::default();
        assert!(s.shows(1) && !s.narrows(), "no search: everything");
        s.set_text("from:alice".into());
        assert_eq!(runnable(&s.text).as_deref(), Some("from:alice"));
        assert!(s.shows(1), "until the answer comes, nothing is hidden");
        s.found("from:alice".into(), vec![2]);
        assert!(!s.shows(1) && s.shows(2) && s.narrows());
        // A late answer to an earlier query is dropped.
        s.set_text("from:alice to:bob".into());
        s.found("from:alice".into(), vec![1]);
        assert!(s.shows(2) && !s.shows(1), "the previous answer stays");
        // A malformed query is said at once and not run.
        s.set_text("subject:\"open".into());
        assert_eq!(s.error, Some(SearchError(QueryError::UnclosedQuote)));
        assert_eq!(runnable(&s.text), None);
        assert!(s.error.is_some_and(|e| e.next_step(Lang::En).contains('"')));
        // Cleared: everything again.
        s.set_text("  ".into());
        assert!(s.shows(1) && !s.narrows() && s.error.is_none());
    }
}
