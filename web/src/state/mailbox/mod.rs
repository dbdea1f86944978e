//! The Mailbox view: the sandbox server's received messages, kept up to date from
//! `/api/events`, and the selected one with its transcript and inspector. Plain reducers; the
//! network is in `services::api`, the headers are read by `mailscope-core`.
//!
//! The API's documents are the core's `mailscope_core::api` types. They are read in the worker,
//! not on the page: [`meta::views_from_json`] turns them into [`MetaView`]s, which cross to the
//! page in postcard's binary form. The page then links no JSON decoder for the core's
//! `Envelope` and `Lint`.

pub mod error;
pub mod meta;
pub mod search;
pub mod sse;

use std::rc::Rc;

use mailscope_core::api::StoreEvent;
use mailscope_core::lint::Lint;
use mailscope_core::mime::headline::Headline;
use mailscope_core::smtp::transcript::annotate;

use crate::state::message::{Action as MessageAction, Doc, MessageState, OpenError};
use crate::state::transcript::{rows, Row};
use crate::worker::protocol::WorkerError;

pub use error::{ApiError, MailboxError};
pub use meta::{views_from_json, ApiDoc, ApiViews, MetaView};
pub use search::SearchState;
pub use sse::SseBuffer;

/// Most messages listed (the sandbox keeps 100 by default).
pub const MAX_LISTED: usize = 1000;

/// First reconnect delay of the event stream, doubled up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u32 = 500;

/// Longest reconnect delay of the event stream.
pub const MAX_BACKOFF_MS: u32 = 15_000;

/// What the view must fetch after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// Nothing.
    Nothing,
    /// The new message's metadata and headers.
    Fetch(u64),
    /// The whole list.
    Reload,
}

/// The state of the link to the list and the event stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LinkState {
    /// Not started.
    #[default]
    Idle,
    /// Loading the list.
    Loading,
    /// The list is loaded and the event stream is open.
    Live,
    /// The list is loaded; the event stream dropped and reconnects after a delay.
    Reconnecting {
        /// The delay, in milliseconds.
        in_ms: u32,
    },
    /// The list could not be loaded.
    Failed(MailboxError),
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The metadata.
    pub meta: MetaView,
    /// The decoded headers, once the message was read.
    pub headline: Option<Headline>,
}

/// The selected message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// Its id.
    pub id: u64,
    /// Whether the message and its transcript are being fetched.
    pub loading: bool,
    /// The server-side transcript, annotated by the core.
    pub rows: Rc<Vec<Row>>,
    /// Findings about the whole dialogue.
    pub dialogue_lints: Vec<Lint>,
    /// The swaks-style transcript as received, for download.
    pub transcript: Vec<u8>,
    /// Why fetching failed.
    pub error: Option<ApiError>,
}

/// The Mailbox view's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MailboxState {
    /// The access token, if any.
    pub token: Option<String>,
    /// The list and stream.
    pub link: LinkState,
    /// Newest first.
    pub items: Vec<Item>,
    /// The selected message.
    pub detail: Option<Detail>,
    /// The selected message in the Message view's inspector.
    pub inspector: MessageState,
    /// The last failed delete, shown until the next success.
    pub notice: Option<ApiError>,
    /// The sandbox SMTP server's address, as the list names it.
    pub sandbox: Option<String>,
    /// The search box and what it found.
    pub search: SearchState,
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The token was read (or found missing).
    Token(Option<String>),
    /// Loading the list started.
    Loading,
    /// The list arrived (oldest first, as the API gives it), with the sandbox's address.
    Listed(ApiViews),
    /// The list could not be loaded.
    ListFailed(MailboxError),
    /// The event stream is open.
    StreamUp,
    /// The event stream dropped; it reconnects after `in_ms`.
    StreamDown {
        /// The delay.
        in_ms: u32,
    },
    /// An event from the stream.
    Event(StoreEvent),
    /// A message's metadata (after a `message` event).
    Arrived(Box<MetaView>),
    /// Select a message (or none).
    Select(Option<u64>),
    /// The selected message's bytes and transcript arrived; the message is parsed next (in
    /// the worker, see [`inspect_name`]) and comes back as [`Action::Parsed`].
    Opened {
        /// The message.
        id: u64,
        /// The message bytes.
        raw: Rc<[u8]>,
        /// The session transcript in swaks' form.
        transcript: Vec<u8>,
    },
    /// The selected message, parsed for the inspector.
    Parsed {
        /// The message.
        id: u64,
        /// The view-model.
        doc: Doc,
    },
    /// Parsing the selected message failed.
    ParseFailed {
        /// The message.
        id: u64,
        /// Why.
        error: WorkerError,
    },
    /// Fetching the selected message failed.
    OpenFailed {
        /// The message.
        id: u64,
        /// Why.
        error: ApiError,
    },
    /// A delete succeeded (`None`: all).
    Removed(Option<u64>),
    /// A delete failed.
    RemoveFailed(ApiError),
    /// An action of the embedded inspector.
    Inspect(MessageAction),
    /// The search box changed.
    Search(String),
    /// The sandbox answered a search.
    Found {
        /// The query.
        query: String,
        /// The ids it found.
        ids: Vec<u64>,
    },
    /// A search failed.
    SearchFailed {
        /// The query.
        query: String,
        /// Why.
        error: MailboxError,
    },
}

/// The name message `id` has in the inspector (and its downloads).
pub fn inspect_name(id: u64) -> String {
    format!("sandbox-{id}.eml")
}

/// What to fetch after `event`.
pub fn follow(event: &StoreEvent) -> Follow {
    match event {
        StoreEvent::Message { id } => Follow::Fetch(*id),
        StoreEvent::Lagged { .. } => Follow::Reload,
        StoreEvent::Deleted { .. } | StoreEvent::Cleared => Follow::Nothing,
    }
}

/// The next reconnect delay after `previous` (none yet: [`FIRST_BACKOFF_MS`]).
pub fn next_backoff(previous: Option<u32>) -> u32 {
    previous.map_or(FIRST_BACKOFF_MS, |p| {
        p.saturating_mul(2).clamp(FIRST_BACKOFF_MS, MAX_BACKOFF_MS)
    })
}

impl MailboxState {
    /// The items the list shows: all, or those the search found.
    pub fn shown(&self) -> Vec<Item> {
        self.items
            .iter()
            .filter(|i| self.search.shows(i.meta.id))
            .cloned()
            .collect()
    }

    /// The selected item.
    pub fn selected(&self) -> Option<&Item> {
        let id = self.detail.as_ref()?.id;
        self.items.iter().find(|i| i.meta.id == id)
    }

    fn upsert(&mut self, meta: MetaView) {
        match self.items.iter_mut().find(|i| i.meta.id == meta.id) {
            Some(item) => {
                if meta.headline.is_some() {
                    item.headline = meta.headline.clone();
                }
                item.meta = meta;
            }
            None => {
                let at = self
                    .items
                    .iter()
                    .position(|i| i.meta.id < meta.id)
                    .unwrap_or(self.items.len());
                self.items.insert(
                    at,
                    Item {
                        headline: meta.headline.clone(),
                        meta,
                    },
                );
                self.items.truncate(MAX_LISTED);
            }
        }
    }

    fn remove(&mut self, id: Option<u64>) {
        match id {
            Some(id) => self.items.retain(|i| i.meta.id != id),
            None => self.items.clear(),
        }
        if self
            .detail
            .as_ref()
            .is_some_and(|d| id.is_none_or(|id| d.id == id))
        {
            self.detail = None;
            self.inspector = MessageState::default();
        }
    }

    /// Applies an action.
    pub fn reduce(&mut self, action: Action) {
        match action {
            Action::Token(token) => {
                self.link = if token.is_some() {
                    LinkState::Idle
                } else {
                    LinkState::Failed(MailboxError::Api(ApiError::NoToken))
                };
                self.token = token;
            }
            Action::Loading => self.link = LinkState::Loading,
            Action::Listed(list) => {
                if list.sandbox.is_some() {
                    self.sandbox = list.sandbox;
                }
                let old: Vec<Item> = std::mem::take(&mut self.items);
                for meta in list.views {
                    self.upsert(meta);
                }
                // Keep headlines already read when the metadata has none.
                for item in self.items.iter_mut().filter(|i| i.headline.is_none()) {
                    item.headline = old
                        .iter()
                        .find(|o| o.meta.id == item.meta.id)
                        .and_then(|o| o.headline.clone());
                }
                if let Some(id) = self.detail.as_ref().map(|d| d.id) {
                    if !self.items.iter().any(|i| i.meta.id == id) {
                        self.remove(Some(id));
                    }
                }
                if !matches!(self.link, LinkState::Reconnecting { .. }) {
                    self.link = LinkState::Live;
                }
            }
            Action::ListFailed(e) => self.link = LinkState::Failed(e),
            Action::StreamUp => {
                if !matches!(self.link, LinkState::Failed(_)) {
                    self.link = LinkState::Live;
                }
            }
            Action::StreamDown { in_ms } => {
                if !matches!(self.link, LinkState::Failed(_)) {
                    self.link = LinkState::Reconnecting { in_ms };
                }
            }
            Action::Event(event) => match event {
                StoreEvent::Deleted { id } => self.remove(Some(id)),
                StoreEvent::Cleared => self.remove(None),
                StoreEvent::Message { .. } | StoreEvent::Lagged { .. } => {}
            },
            Action::Arrived(meta) => self.upsert(*meta),
            Action::Select(None) => {
                self.detail = None;
                self.inspector = MessageState::default();
            }
            Action::Select(Some(id)) => {
                if self.items.iter().any(|i| i.meta.id == id) {
                    self.detail = Some(Detail {
                        id,
                        loading: true,
                        ..Detail::default()
                    });
                    self.inspector = MessageState::default();
                }
            }
            Action::Opened {
                id,
                raw,
                transcript,
            } => {
                let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) else {
                    return;
                };
                let annotated = annotate(&transcript);
                detail.rows = Rc::new(rows(&annotated, &transcript, |_| None));
                detail.dialogue_lints = annotated.lints;
                detail.transcript = transcript;
                detail.loading = false;
                detail.error = None;
                if let Some(item) = self.items.iter_mut().find(|i| i.meta.id == id) {
                    item.headline = Some(Headline::read(&raw));
                }
                self.inspector.reduce(MessageAction::Parsing {
                    name: inspect_name(id),
                    size: raw.len(),
                });
            }
            Action::Parsed { id, doc } => {
                if self.detail.as_ref().is_some_and(|d| d.id == id) {
                    self.inspector.reduce(MessageAction::Loaded(doc));
                }
            }
            Action::ParseFailed { id, error } => {
                if self.detail.as_ref().is_some_and(|d| d.id == id) {
                    self.inspector
                        .reduce(MessageAction::Failed(OpenError::Worker(error)));
                }
            }
            Action::OpenFailed { id, error } => {
                if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
                    detail.loading = false;
                    detail.error = Some(error.clone());
                }
                if matches!(error, ApiError::Gone(_)) {
                    self.remove(Some(id));
                }
            }
            Action::Removed(id) => {
                self.notice = None;
                self.remove(id);
            }
            Action::RemoveFailed(e) => self.notice = Some(e),
            Action::Inspect(a) => self.inspector.reduce(a),
            Action::Search(text) => self.search.set_text(text),
            Action::Found { query, ids } => self.search.found(query, ids),
            Action::SearchFailed { query, error } => self.search.failed(&query, error),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::message::{Inspected, Loading};
    use mailscope_core::api::MessageMeta;

    fn meta(id: u64) -> MetaView {
        api_meta(id).into()
    }

    fn api_meta(id: u64) -> MessageMeta {
        let json = format!(
            r#"{{"id":{id},"received_at":"2026-11-22T19:30:05Z","queue_id":"Q{id}",
            "envelope":{{"from":"b@example.org","params":{{"size":null,"body":null,"smtputf8":false,
            "ret":null,"envid":null,"auth":null,"other":[]}},
            "rcpts":[{{"address":"a@example.org","params":{{"notify":null,"orcpt":null,"other":[]}}}}]}},
            "tls":true,"tls_version":"TLSv1.3","auth_user":"demo","helo":"client.test",
            "peer":"127.0.0.1:5000","bdat":false,"size":42,"lints":[]}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("meta JSON: {e}"))
    }

    fn ids(s: &MailboxState) -> Vec<u64> {
        s.items.iter().map(|i| i.meta.id).collect()
    }

    fn live(list: &[u64]) -> MailboxState {
        let mut s = MailboxState::default();
        s.reduce(Action::Token(Some("t".into())));
        s.reduce(Action::Loading);
        s.reduce(Action::Listed(ApiViews {
            views: list.iter().map(|&i| meta(i)).collect(),
            sandbox: Some("127.0.0.1:2600".into()),
        }));
        assert_eq!(s.sandbox.as_deref(), Some("127.0.0.1:2600"));
        s
    }

    fn parsed(raw: &[u8]) -> Doc {
        Inspected::new("m.eml", raw.to_vec()).into()
    }

    const RAW: &[u8] = b"From: b@example.org\r\nTo: a@example.org\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\r\nhi\r\n";

    const TRANSCRIPT: &[u8] = b"<-  220 sandbox.mailscope.test ESMTP\r\n -> EHLO client.test\r\n<-  250 sandbox.mailscope.test\r\n -> MAIL FROM:<b@example.org>\r\n<-  250 2.1.0 Ok\r\n";

    #[test]
    fn metadata_reads_the_proxy_shape() {
        let m = meta(7);
        assert_eq!(m.time_label(), "2026-11-22 19:30:05 UTC");
        let mut precise = meta(1);
        precise.received_at = "2026-11-22T19:59:09.749852003Z".into();
        assert_eq!(precise.time_label(), "2026-11-22 19:59:09 UTC");
        assert_eq!(m.mail_params, Vec::<String>::new(), "defaults hidden");
        let mut sized = api_meta(1);
        sized.envelope.params.size = Some(1234);
        assert_eq!(
            MetaView::from(sized).mail_params,
            vec!["size=1234".to_string()]
        );
        assert_eq!(m.rcpt_list(), "a@example.org");
        assert_eq!(m.tls_label(), "TLSv1.3");
        assert_eq!(m.auth_user.as_deref(), Some("demo"));
    }

    #[test]
    fn list_is_newest_first_and_events_update_it() {
        let mut s = live(&[1, 2, 3]);
        assert_eq!(ids(&s), vec![3, 2, 1], "newest first");
        assert_eq!(s.link, LinkState::Live);

        assert_eq!(follow(&StoreEvent::Message { id: 4 }), Follow::Fetch(4));
        s.reduce(Action::Arrived(Box::new(meta(4))));
        s.reduce(Action::Arrived(Box::new(meta(4))));
        assert_eq!(ids(&s), vec![4, 3, 2, 1], "arrival on top, once");

        s.reduce(Action::Event(StoreEvent::Deleted { id: 2 }));
        assert_eq!(ids(&s), vec![4, 3, 1]);
        s.reduce(Action::Event(StoreEvent::Cleared));
        assert_eq!(ids(&s), Vec::<u64>::new());

        assert_eq!(follow(&StoreEvent::Lagged { missed: 9 }), Follow::Reload);
    }

    #[test]
    fn headlines_come_with_the_metadata() {
        let json = serde_json::to_value(serde_json::json!({
            "id": 5, "envelope": serde_json::to_value(&api_meta(5).envelope).unwrap_or_default(),
            "headline": {"from": "앨리스 <a@example.org>", "to": null, "subject": "안녕"}
        }))
        .unwrap_or_default();
        let with: MessageMeta =
            serde_json::from_value(json).unwrap_or_else(|e| panic!("meta with headline: {e}"));
        let with = MetaView::from(with);
        let mut s = live(&[1]);
        s.reduce(Action::Arrived(Box::new(with)));
        let h = s.items.first().and_then(|i| i.headline.clone());
        assert_eq!(
            h,
            Some(Headline {
                from: Some("앨리스 <a@example.org>".into()),
                to: None,
                subject: Some("안녕".into())
            }),
            "no /raw needed for the list"
        );
        assert!(
            s.items.get(1).is_some_and(|i| i.headline.is_none()),
            "older proxy: none"
        );
    }

    #[test]
    fn headlines_are_decoded_by_the_core_and_survive_reloads() {
        let mut s = live(&[1]);
        if let Some(item) = s.items.first_mut() {
            item.headline = Some(Headline::read(RAW));
        }
        let h = s.items.first().and_then(|i| i.headline.clone());
        assert_eq!(
            h.as_ref().and_then(|h| h.subject.as_deref()),
            Some("안녕하세요."),
            "EUC-KR subject decoded: {h:?}"
        );
        assert_eq!(
            h.as_ref().and_then(|h| h.to.as_deref()),
            Some("a@example.org")
        );
        s.reduce(Action::Listed(ApiViews {
            views: vec![meta(1), meta(2)],
            sandbox: None,
        }));
        assert_eq!(ids(&s), vec![2, 1]);
        assert!(s.items.get(1).is_some_and(|i| i.headline.is_some()));
        assert!(s.items.first().is_some_and(|i| i.headline.is_none()));
    }

    #[test]
    fn selecting_opens_transcript_and_inspector_and_deleting_closes() {
        let mut s = live(&[1, 2]);
        s.reduce(Action::Select(Some(9)));
        assert_eq!(s.detail, None, "unknown id not selected");
        s.reduce(Action::Select(Some(2)));
        assert!(s.detail.as_ref().is_some_and(|d| d.loading));
        s.reduce(Action::Opened {
            id: 2,
            raw: RAW.into(),
            transcript: TRANSCRIPT.to_vec(),
        });
        assert_eq!(
            s.inspector.loading,
            Loading::Parsing {
                name: inspect_name(2),
                size: RAW.len()
            },
            "parsed off the main thread"
        );
        assert!(s.inspector.doc.is_none());
        // A late parse of another message is ignored.
        s.reduce(Action::Parsed {
            id: 1,
            doc: parsed(b"Subject: other\r\n\r\n"),
        });
        assert!(s.inspector.doc.is_none(), "not the selected message");
        s.reduce(Action::Parsed {
            id: 2,
            doc: parsed(RAW),
        });
        assert_eq!(s.inspector.loading, Loading::Idle);
        let d = s.detail.clone().unwrap_or_default();
        assert!(!d.loading);
        assert_eq!(d.rows.len(), 5, "one row per line: {:?}", d.rows);
        assert!(
            d.rows.iter().any(|r| r.kind == "command MAIL"),
            "{:?}",
            d.rows
        );
        assert_eq!(
            s.inspector.doc.as_ref().and_then(|doc| doc.subject()),
            Some("안녕하세요.")
        );
        assert!(s.selected().is_some_and(|i| i.headline.is_some()));

        // A late answer for another message is ignored.
        s.reduce(Action::Opened {
            id: 1,
            raw: b"Subject: other\r\n\r\n"[..].into(),
            transcript: Vec::new(),
        });
        assert_eq!(s.detail.as_ref().map(|d| d.id), Some(2));
        assert_eq!(
            s.inspector.loading,
            Loading::Idle,
            "{:?}",
            s.inspector.loading
        );
        s.reduce(Action::ParseFailed {
            id: 1,
            error: WorkerError::NoAnswer { seconds: 1 },
        });
        assert_eq!(s.inspector.loading, Loading::Idle, "late failure ignored");
        s.reduce(Action::ParseFailed {
            id: 2,
            error: WorkerError::Stopped {
                detail: "out of memory".into(),
            },
        });
        assert_eq!(
            s.inspector.loading,
            Loading::Failed(OpenError::Worker(WorkerError::Stopped {
                detail: "out of memory".into()
            }))
        );

        s.reduce(Action::Removed(Some(2)));
        assert_eq!(ids(&s), vec![1]);
        assert_eq!(s.detail, None, "deleted message closed");
        assert!(s.inspector.doc.is_none());

        s.reduce(Action::Select(Some(1)));
        s.reduce(Action::Removed(None));
        assert!(s.items.is_empty() && s.detail.is_none());
    }

    #[test]
    fn error_states() {
        let mut s = MailboxState::default();
        s.reduce(Action::Token(None));
        assert_eq!(
            s.link,
            LinkState::Failed(MailboxError::Api(ApiError::NoToken))
        );

        let mut s = live(&[1]);
        s.reduce(Action::Select(Some(1)));
        s.reduce(Action::OpenFailed {
            id: 1,
            error: ApiError::Gone("no message 1".into()),
        });
        assert!(s.items.is_empty(), "a gone message leaves the list");
        s.reduce(Action::RemoveFailed(ApiError::Other("500 x".into())));
        assert_eq!(s.notice, Some(ApiError::Other("500 x".into())));
        s.reduce(Action::StreamDown { in_ms: 500 });
        assert_eq!(s.link, LinkState::Reconnecting { in_ms: 500 });
        s.reduce(Action::StreamUp);
        assert_eq!(s.link, LinkState::Live);
        s.reduce(Action::ListFailed(ApiError::NotRunning("x".into()).into()));
        s.reduce(Action::StreamUp);
        assert!(matches!(s.link, LinkState::Failed(_)), "failure sticks");
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let next = next_backoff(d);
            seen.push(next);
            d = Some(next);
        }
        assert_eq!(seen, vec![500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        let mut s = live(&[]);
        for id in 0..(MAX_LISTED as u64 + 50) {
            s.reduce(Action::Arrived(Box::new(meta(id))));
        }
        assert_eq!(s.items.len(), MAX_LISTED, "list bounded");
        assert_eq!(
            s.items.first().map(|i| i.meta.id),
            Some(MAX_LISTED as u64 + 49)
        );

        for junk in [&b"\xff\xfe\x00"[..], b"", b"Subject", b":::\r\n\r\n"] {
            let _ = Headline::read(junk);
        }
    }
}
