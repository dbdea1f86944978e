//! What can go wrong in the Mailbox: `mailscope serve`'s answers ([`ApiError`]) and the worker
//! that reads them ([`MailboxError`]).

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::worker::protocol::WorkerError;

/// Why talking to `mailscope serve` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No token in the URL or the session: the page was not opened from `mailscope serve`'s URL.
    NoToken,
    /// Nothing answered, or something other than `mailscope serve` did.
    NotRunning(String),
    /// The server refused the token (or the Host/Origin).
    Forbidden(String),
    /// `mailscope serve --no-sandbox`.
    SandboxOff(String),
    /// The message is gone.
    Gone(String),
    /// Anything else, with the server's words.
    Other(String),
}

impl ApiError {
    /// Classifies an answer: `status` is `None` when the request failed without one; `body` is
    /// the answer's text; `api_answer` tells whether it came from the API (plain text or JSON,
    /// not an HTML page served by something else).
    pub fn from_answer(status: Option<u16>, body: &str, api_answer: bool) -> ApiError {
        let body = body.trim().chars().take(300).collect::<String>();
        match status {
            None => ApiError::NotRunning("no answer (connection refused or blocked)".into()),
            Some(_) if !api_answer => ApiError::NotRunning(
                "the page is served by something other than mailscope serve (no API here)".into(),
            ),
            Some(403) => ApiError::Forbidden(body),
            Some(404) if body.contains("sandbox") && body.contains("not running") => {
                ApiError::SandboxOff(body)
            }
            Some(404) if body.starts_with("no message") => ApiError::Gone(body),
            Some(404) => ApiError::NotRunning(format!("404 {body}")),
            Some(code) => ApiError::Other(format!("{code} {body}")),
        }
    }
}

impl UserError for ApiError {
    fn what(&self, lang: Lang) -> String {
        match self {
            ApiError::NoToken => {
                tr(lang, "The page has no access token for mailscope serve.").into()
            }
            ApiError::NotRunning(detail) => trf(
                lang,
                "mailscope serve is not reachable: {detail}.",
                &[("detail", detail)],
            ),
            ApiError::Forbidden(detail) => trf(
                lang,
                "mailscope serve refused this page: {detail}.",
                &[("detail", detail)],
            ),
            ApiError::SandboxOff(detail) => trf(
                lang,
                "The sandbox SMTP server is off: {detail}.",
                &[("detail", detail)],
            ),
            ApiError::Gone(detail) => trf(
                lang,
                "This message is no longer in the sandbox: {detail}.",
                &[("detail", detail)],
            ),
            ApiError::Other(detail) => trf(
                lang,
                "mailscope serve answered {detail}.",
                &[("detail", detail)],
            ),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            ApiError::NoToken => tr(
                lang,
                "Open the URL that mailscope serve printed when it started: it ends in #token=…",
            ),
            ApiError::NotRunning(_) => {
                tr(lang, "Start mailscope serve and open the URL it prints.")
            }
            ApiError::Forbidden(_) => tr(
                lang,
                "Open the URL it printed this time: it makes a new token each time it starts.",
            ),
            ApiError::SandboxOff(_) => tr(
                lang,
                "Restart mailscope serve with its sandbox on (the default).",
            ),
            ApiError::Gone(_) => tr(lang, "Pick another message from the list."),
            ApiError::Other(_) => tr(
                lang,
                "Try again; if it keeps failing, read mailscope serve's log in its terminal.",
            ),
        }
        .into()
    }
}

/// Why the Mailbox could not show what `mailscope serve` sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxError {
    /// `mailscope serve` did not answer as it should.
    Api(ApiError),
    /// The worker that reads its answers failed (or never started).
    Worker(WorkerError),
}

impl From<ApiError> for MailboxError {
    fn from(e: ApiError) -> MailboxError {
        MailboxError::Api(e)
    }
}

impl From<WorkerError> for MailboxError {
    fn from(e: WorkerError) -> MailboxError {
        MailboxError::Worker(e)
    }
}

impl UserError for MailboxError {
    fn what(&self, lang: Lang) -> String {
        match self {
            MailboxError::Api(e) => e.what(lang),
            MailboxError::Worker(e) => e.what(lang),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            MailboxError::Api(e) => e.next_step(lang),
            MailboxError::Worker(e) => e.next_step(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn answers_are_classified_and_explained() {
        let cases = [
            (None, "", true, "NotRunning"),
            (Some(200), "<!DOCTYPE html>", false, "NotRunning"),
            (Some(404), "Not Found", true, "NotRunning"),
            (Some(403), "missing or wrong token", true, "Forbidden"),
            (
                Some(404),
                "the sandbox SMTP server is not running (--no-sandbox)",
                true,
                "SandboxOff",
            ),
            (Some(404), "no message 3: it was deleted", true, "Gone"),
            (Some(500), "boom", true, "Other"),
        ];
        for (status, body, api, want) in cases {
            let e = ApiError::from_answer(status, body, api);
            let got = format!("{e:?}");
            assert!(
                got.starts_with(want),
                "{status:?} {body:?}: want {want}, got {got}"
            );
            for lang in Lang::ALL {
                assert!(!e.what(lang).is_empty() && !e.next_step(lang).is_empty());
            }
        }
        let e = ApiError::from_answer(Some(500), "boom", true);
        assert_eq!(e.what(Lang::En), "mailscope serve answered 500 boom.");
    }
}
