//! Answers to the Authenticity panel's DNS questions from `mailscope serve`'s resolver: the
//! relay's `lookup` frame, on a socket of its own that closes when every question is answered.
//! Only used when the reader opts in; the relay counts these questions (`MAX_LOOKUPS`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mailscope_core::auth::Query;
use mailscope_core::relay::{ClientFrame, ErrorCode, RelayFrame};
use yew::platform::pinned::oneshot;

use crate::services::api::relay_token;
use crate::services::relay::{relay_url, Delivery, RelaySocket};
use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::message::auth::LookedUp;
use crate::state::session::live::SocketEvent;
use crate::state::session::transport::Outgoing;

/// How long the answers may take, all together.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(20);

/// Why the questions got no answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The page was not opened from `mailscope serve`'s URL (no token).
    NoToken,
    /// The relay could not be reached, or closed the socket.
    Unreachable,
    /// The relay refused (a limit, a malformed question).
    Refused {
        /// Its code.
        code: ErrorCode,
        /// Its words.
        message: String,
    },
    /// No answer in [`LOOKUP_TIMEOUT`].
    NoAnswer,
}

impl UserError for LookupError {
    fn what(&self, lang: Lang) -> String {
        match self {
            LookupError::NoToken => tr(
                lang,
                "Records cannot be looked up: this page was not opened from mailscope serve.",
            )
            .into(),
            LookupError::Unreachable => tr(
                lang,
                "Records cannot be looked up: mailscope serve does not answer.",
            )
            .into(),
            LookupError::Refused { message, .. } => trf(
                lang,
                "mailscope serve refused the lookup: {message}",
                &[("message", message)],
            ),
            LookupError::NoAnswer => trf(
                lang,
                "The DNS answers did not come within {n} s.",
                &[("n", &LOOKUP_TIMEOUT.as_secs())],
            ),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            LookupError::NoToken | LookupError::Unreachable => tr(
                lang,
                "Open the URL mailscope serve printed, or paste the records instead.",
            )
            .into(),
            LookupError::Refused { .. } | LookupError::NoAnswer => {
                tr(lang, "Check again later, or paste the records instead.").into()
            }
        }
    }
}

type Done = Rc<RefCell<Option<oneshot::Sender<Result<Vec<LookedUp>, LookupError>>>>>;

fn finish(done: &Done, result: Result<Vec<LookedUp>, LookupError>) {
    if let Some(tx) = done.borrow_mut().take() {
        let _ = tx.send(result);
    }
}

/// Asks `mailscope serve` every question in `queries`; the answers come as the core's
/// `(Query, Answer)` in JSON, ready for the worker.
pub async fn look_up(queries: Vec<Query>) -> Result<Vec<LookedUp>, LookupError> {
    let (Some(token), Some(url)) = (relay_token(), relay_url()) else {
        return Err(LookupError::NoToken);
    };
    let (tx, rx) = oneshot::channel();
    let done: Done = Rc::new(RefCell::new(Some(tx)));
    let socket: Rc<RefCell<Option<RelaySocket>>> = Rc::default();
    let answers: Rc<RefCell<Vec<LookedUp>>> = Rc::default();
    let want = queries.len();
    let deliver = {
        let (done, socket, answers) = (done.clone(), socket.clone(), answers.clone());
        move |d: Delivery| match d {
            Delivery::Frame(RelayFrame::Hello { .. }) => {
                let sent = socket.borrow().as_ref().map(|s| {
                    queries.iter().try_for_each(|q| {
                        s.send(&Outgoing::Frame(ClientFrame::Lookup { query: q.clone() }))
                    })
                });
                if !matches!(sent, Some(Ok(()))) {
                    finish(&done, Err(LookupError::Unreachable));
                }
            }
            Delivery::Frame(RelayFrame::Answer { query, answer }) => {
                if let Ok(json) = serde_json::to_string(&(query, answer)) {
                    answers.borrow_mut().push(json);
                }
                if answers.borrow().len() >= want {
                    finish(&done, Ok(answers.borrow().clone()));
                }
            }
            Delivery::Frame(RelayFrame::Error { code, message, .. }) => {
                finish(&done, Err(LookupError::Refused { code, message }));
            }
            Delivery::Socket(SocketEvent::Closed { .. } | SocketEvent::Garbled(_)) => {
                finish(&done, Err(LookupError::Unreachable));
            }
            _ => {}
        }
    };
    match RelaySocket::open(&url, &token, deliver) {
        Ok(s) => *socket.borrow_mut() = Some(s),
        Err(_) => return Err(LookupError::Unreachable),
    }
    {
        let done = done.clone();
        yew::platform::spawn_local(async move {
            yew::platform::time::sleep(LOOKUP_TIMEOUT).await;
            finish(&done, Err(LookupError::NoAnswer));
        });
    }
    let result = rx.await.unwrap_or(Err(LookupError::Unreachable));
    // Dropping the socket closes it.
    socket.borrow_mut().take();
    result
}
