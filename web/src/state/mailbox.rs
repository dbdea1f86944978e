//! The Mailbox view: the sandbox server's received messages, kept up to date from
//! `/api/events`, and the selected one with its transcript and inspector. Plain reducers; the
//! network is in `services::api`, the headers are read by `mailscope-core`.
//!
//! The API's JSON ([`Meta`], with the core's `Envelope` and `Lint`s) is read in the parse
//! worker, not on the page: [`views_from_json`] turns it into [`MetaView`]s, which cross to the
//! page in postcard's binary form ([`encode_views`], [`decode_views`]). The page then links no
//! JSON decoder for those types (about 17 KB of its gzip).

use std::rc::Rc;

use mailscope_core::lint::Lint;
use mailscope_core::smtp::session::Envelope;
use mailscope_core::smtp::transcript::annotate;
use serde::{Deserialize, Serialize};

use crate::state::message::{Action as MessageAction, MessageState};
use crate::state::message_inspect::Doc;
use crate::state::transcript::{rows, Row};

/// Most messages listed (the sandbox keeps 100 by default).
pub const MAX_LISTED: usize = 1000;

/// Most bytes of an SSE line kept while waiting for its end (events are a few dozen bytes).
pub const MAX_SSE_LINE: usize = 64 * 1024;

/// First reconnect delay of the event stream, doubled up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u32 = 500;

/// Longest reconnect delay of the event stream.
pub const MAX_BACKOFF_MS: u32 = 15_000;

/// A message's metadata as `GET /api/messages` gives it (the proxy's `StoredMessage`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Meta {
    /// Id in the store (increasing).
    pub id: u64,
    /// When it arrived, RFC 3339 UTC.
    #[serde(default)]
    pub received_at: String,
    /// The queue id of the 250 reply.
    #[serde(default)]
    pub queue_id: String,
    /// MAIL FROM and RCPT TO, with their parameters.
    pub envelope: Envelope,
    /// Whether the session was under TLS.
    #[serde(default)]
    pub tls: bool,
    /// The TLS version, if any.
    #[serde(default)]
    pub tls_version: Option<String>,
    /// The authenticated user, if any.
    #[serde(default)]
    pub auth_user: Option<String>,
    /// The EHLO/HELO name.
    #[serde(default)]
    pub helo: Option<String>,
    /// The client's address.
    #[serde(default)]
    pub peer: String,
    /// Whether it came with BDAT.
    #[serde(default)]
    pub bdat: bool,
    /// Size in bytes.
    #[serde(default)]
    pub size: usize,
    /// The core's findings in the data, made by the server.
    #[serde(default)]
    pub lints: Vec<Lint>,
    /// From, To and Subject decoded by the proxy with the core (absent from older proxies).
    #[serde(default)]
    pub headline: Option<Headline>,
}

impl Meta {
    /// The MAIL parameters that were given (`size=1234`, `body="8bitmime"`), for display.
    pub fn mail_params(&self) -> Vec<String> {
        let value = serde_json::to_value(&self.envelope.params).unwrap_or_default();
        let Some(map) = value.as_object() else {
            return Vec::new();
        };
        map.iter()
            .filter(|(_, v)| match v {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::Array(a) => !a.is_empty(),
                _ => true,
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// What the Mailbox shows of it.
    pub fn view(self) -> MetaView {
        MetaView {
            id: self.id,
            mail_params: self.mail_params(),
            received_at: self.received_at,
            queue_id: self.queue_id,
            rcpts: self.envelope.rcpts.into_iter().map(|r| r.address).collect(),
            from: self.envelope.from,
            tls: self.tls,
            tls_version: self.tls_version,
            auth_user: self.auth_user,
            helo: self.helo,
            peer: self.peer,
            bdat: self.bdat,
            size: self.size,
            findings: self.lints.len(),
            headline: self.headline,
        }
    }
}

/// A message's metadata as the Mailbox shows it: a [`Meta`] reduced to display values.
///
/// Made in the parse worker and sent to the page in postcard's binary form, which is not
/// self-describing: every field is always written, in this order (no `skip_serializing_if`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetaView {
    /// Id in the store (increasing).
    pub id: u64,
    /// When it arrived, RFC 3339 UTC.
    pub received_at: String,
    /// The queue id of the 250 reply.
    pub queue_id: String,
    /// The MAIL FROM address.
    pub from: String,
    /// The MAIL parameters that were given (`size=1234`), see [`Meta::mail_params`].
    pub mail_params: Vec<String>,
    /// The accepted recipients' addresses.
    pub rcpts: Vec<String>,
    /// Whether the session was under TLS.
    pub tls: bool,
    /// The TLS version, if any.
    pub tls_version: Option<String>,
    /// The authenticated user, if any.
    pub auth_user: Option<String>,
    /// The EHLO/HELO name.
    pub helo: Option<String>,
    /// The client's address.
    pub peer: String,
    /// Whether it came with BDAT.
    pub bdat: bool,
    /// Size in bytes.
    pub size: usize,
    /// How many findings the core made in the data.
    pub findings: usize,
    /// From, To and Subject decoded by the proxy with the core.
    pub headline: Option<Headline>,
}

impl MetaView {
    /// `received_at` shown as `2026-11-22 19:30:05 UTC`.
    pub fn time_label(&self) -> String {
        match self.received_at.strip_suffix('Z') {
            Some(t) => {
                let whole = t.split('.').next().unwrap_or(t);
                format!("{} UTC", whole.replacen('T', " ", 1))
            }
            None => self.received_at.replacen('T', " ", 1),
        }
    }

    /// The accepted recipients, comma-separated.
    pub fn rcpt_list(&self) -> String {
        self.rcpts.join(", ")
    }

    /// "TLSv1.3" / "TLS" / "plain".
    pub fn tls_label(&self) -> String {
        match (&self.tls_version, self.tls) {
            (Some(v), true) => v.clone(),
            (None, true) => "TLS".into(),
            _ => "plain".into(),
        }
    }
}

/// Which answer of the API a JSON document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiDoc {
    /// `GET /api/messages` ([`MessageList`]).
    List,
    /// `GET /api/messages/{id}` ([`OneMessage`]).
    One,
}

impl ApiDoc {
    /// The name used in the parse worker's protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiDoc::List => "list",
            ApiDoc::One => "one",
        }
    }

    /// Reads [`ApiDoc::as_str`]'s names.
    pub fn from_name(name: &str) -> Option<ApiDoc> {
        match name {
            "list" => Some(ApiDoc::List),
            "one" => Some(ApiDoc::One),
            _ => None,
        }
    }
}

/// Reads an API answer (in the parse worker) into the views the Mailbox shows; the error is
/// the text the page shows when the answer is not `mailscope serve`'s.
pub fn views_from_json(doc: ApiDoc, body: &[u8]) -> Result<Vec<MetaView>, String> {
    let text = std::str::from_utf8(body).map_err(|e| {
        format!("the answer is not UTF-8 JSON ({e}); is the page served by something else?")
    })?;
    let refused = |e: serde_json::Error| {
        format!(
            "the answer is not mailscope serve's JSON ({e}); is the page served by something else?"
        )
    };
    let metas = match doc {
        ApiDoc::List => {
            serde_json::from_str::<MessageList>(text)
                .map_err(refused)?
                .messages
        }
        ApiDoc::One => vec![
            serde_json::from_str::<OneMessage>(text)
                .map_err(refused)?
                .message,
        ],
    };
    Ok(metas.into_iter().map(Meta::view).collect())
}

/// Encodes views for the trip from the parse worker to the page.
pub fn encode_views(views: &[MetaView]) -> Result<Vec<u8>, String> {
    crate::state::binary::encode(&views)
}

/// Decodes [`encode_views`]'s bytes (on the page).
pub fn decode_views(bytes: &[u8]) -> Result<Vec<MetaView>, String> {
    crate::state::binary::decode(bytes)
}

/// The list of `GET /api/messages`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessageList {
    /// The document version.
    pub version: u32,
    /// Oldest first.
    pub messages: Vec<Meta>,
}

/// One message of `GET /api/messages/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OneMessage {
    /// The document version.
    pub version: u32,
    /// The metadata.
    pub message: Meta,
}

/// A change in the store, from `/api/events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreEvent {
    /// A message arrived.
    Message {
        /// Its id.
        id: u64,
    },
    /// A message was deleted (or dropped as the oldest).
    Deleted {
        /// Its id.
        id: u64,
    },
    /// Everything was deleted.
    Cleared,
    /// The stream fell behind and dropped events: reload the list.
    Lagged {
        /// How many.
        missed: u64,
    },
}

/// An event's JSON as it is read: a flat struct, not an internally tagged enum, whose decoder
/// (serde's buffering of the whole object before it sees `type`) costs the page more.
#[derive(Deserialize)]
struct EventJson {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    missed: Option<u64>,
}

impl StoreEvent {
    /// Reads one `data:` payload; `None` for anything else (unknown types are ignored).
    pub fn parse(data: &str) -> Option<StoreEvent> {
        let e: EventJson = serde_json::from_str(data).ok()?;
        match e.kind.as_str() {
            "message" => Some(StoreEvent::Message { id: e.id? }),
            "deleted" => Some(StoreEvent::Deleted { id: e.id? }),
            "cleared" => Some(StoreEvent::Cleared),
            "lagged" => Some(StoreEvent::Lagged {
                missed: e.missed.unwrap_or(0),
            }),
            _ => None,
        }
    }
}

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

/// Splits a `text/event-stream` into the `data:` payloads of its events (the HTML Living
/// Standard, "Server-sent events", §9.2.6: lines end in CR LF, LF or CR; a blank line ends an
/// event; several `data:` lines join with LF; comments and other fields are ignored).
#[derive(Debug, Clone, Default)]
pub struct SseBuffer {
    line: String,
    data: Option<String>,
    after_cr: bool,
}

impl SseBuffer {
    /// Feeds a chunk of the stream; returns the payloads of the events it completed.
    pub fn push(&mut self, chunk: &str) -> Vec<String> {
        let mut out = Vec::new();
        for ch in chunk.chars() {
            if self.after_cr && ch == '\n' {
                self.after_cr = false;
                continue;
            }
            self.after_cr = ch == '\r';
            if ch == '\r' || ch == '\n' {
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, &mut out);
            } else if self.line.len() < MAX_SSE_LINE {
                self.line.push(ch);
            }
        }
        out
    }

    fn line_done(&mut self, line: &str, out: &mut Vec<String>) {
        if line.is_empty() {
            if let Some(data) = self.data.take() {
                out.push(data);
            }
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        if field == "data" {
            let data = self.data.get_or_insert_with(String::new);
            if !data.is_empty() {
                data.push('\n');
            }
            if data.len() < MAX_SSE_LINE {
                data.push_str(value);
            }
        }
    }
}

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

    /// One line for the UI.
    pub fn summary(&self) -> String {
        match self {
            ApiError::NoToken => "No relay token: open the URL printed by mailscope serve.".into(),
            ApiError::NotRunning(d) => format!("mailscope serve is not reachable: {d}"),
            ApiError::Forbidden(d) => format!("Refused by mailscope serve: {d}"),
            ApiError::SandboxOff(d) => format!("The sandbox is off: {d}"),
            ApiError::Gone(d) => d.clone(),
            ApiError::Other(d) => format!("mailscope serve answered {d}"),
        }
    }
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
    Failed(ApiError),
}

pub use mailscope_core::mime::headline::Headline;

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
    pub error: Option<String>,
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
    pub notice: Option<String>,
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The token was read (or found missing).
    Token(Option<String>),
    /// Loading the list started.
    Loading,
    /// The list arrived (oldest first, as the API gives it).
    Listed(Vec<MetaView>),
    /// The list could not be loaded.
    ListFailed(ApiError),
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
    /// the parse worker, see [`inspect_name`]) and comes back as [`Action::Parsed`].
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
        error: String,
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
                    LinkState::Failed(ApiError::NoToken)
                };
                self.token = token;
            }
            Action::Loading => self.link = LinkState::Loading,
            Action::Listed(list) => {
                let old: Vec<Item> = std::mem::take(&mut self.items);
                for meta in list {
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
                    self.inspector.reduce(MessageAction::Failed(error));
                }
            }
            Action::OpenFailed { id, error } => {
                if let Some(detail) = self.detail.as_mut().filter(|d| d.id == id) {
                    detail.loading = false;
                    detail.error = Some(error.summary());
                }
                if matches!(error, ApiError::Gone(_)) {
                    self.remove(Some(id));
                }
            }
            Action::Removed(id) => {
                self.notice = None;
                self.remove(id);
            }
            Action::RemoveFailed(e) => self.notice = Some(e.summary()),
            Action::Inspect(a) => self.inspector.reduce(a),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::message::Loading;
    use crate::state::message_inspect::Inspected;

    fn meta(id: u64) -> MetaView {
        api_meta(id).view()
    }

    fn api_meta(id: u64) -> Meta {
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
        s.reduce(Action::Listed(list.iter().map(|&i| meta(i)).collect()));
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
        assert_eq!(sized.view().mail_params, vec!["size=1234".to_string()]);
        assert_eq!(m.rcpt_list(), "a@example.org");
        assert_eq!(m.tls_label(), "TLSv1.3");
        assert_eq!(m.auth_user.as_deref(), Some("demo"));
        let list: MessageList = serde_json::from_str(r#"{"version":1,"messages":[]}"#)
            .unwrap_or_else(|e| panic!("list JSON: {e}"));
        assert!(list.messages.is_empty());
    }

    #[test]
    fn list_is_newest_first_and_events_update_it() {
        let mut s = live(&[1, 2, 3]);
        assert_eq!(ids(&s), vec![3, 2, 1], "newest first");
        assert_eq!(s.link, LinkState::Live);

        let event = StoreEvent::parse(r#"{"type":"message","id":4}"#);
        assert_eq!(event, Some(StoreEvent::Message { id: 4 }));
        assert_eq!(follow(&StoreEvent::Message { id: 4 }), Follow::Fetch(4));
        s.reduce(Action::Arrived(Box::new(meta(4))));
        s.reduce(Action::Arrived(Box::new(meta(4))));
        assert_eq!(ids(&s), vec![4, 3, 2, 1], "arrival on top, once");

        s.reduce(Action::Event(StoreEvent::Deleted { id: 2 }));
        assert_eq!(ids(&s), vec![4, 3, 1]);
        s.reduce(Action::Event(StoreEvent::Cleared));
        assert_eq!(ids(&s), Vec::<u64>::new());

        let lagged = StoreEvent::parse(r#"{"type":"lagged","missed":9}"#);
        assert_eq!(lagged, Some(StoreEvent::Lagged { missed: 9 }));
        assert_eq!(follow(&StoreEvent::Lagged { missed: 9 }), Follow::Reload);
        assert_eq!(StoreEvent::parse(r#"{"type":"surprise"}"#), None);
        let cases = [
            (
                r#"{"type":"deleted","id":2}"#,
                Some(StoreEvent::Deleted { id: 2 }),
            ),
            (
                r#"{"id":3,"type":"message"}"#,
                Some(StoreEvent::Message { id: 3 }),
            ),
            (r#"{"type":"cleared"}"#, Some(StoreEvent::Cleared)),
            (
                r#"{"type":"lagged"}"#,
                Some(StoreEvent::Lagged { missed: 0 }),
            ),
            (r#"{"type":"message"}"#, None),
            (r#"{"type":"deleted","id":"x"}"#, None),
            (r#"{"id":1}"#, None),
            (r#"[]"#, None),
        ];
        for (data, want) in cases {
            assert_eq!(StoreEvent::parse(data), want, "{data}");
        }
        assert_eq!(StoreEvent::parse("not json"), None);
    }

    #[test]
    fn headlines_come_with_the_metadata() {
        let json = serde_json::to_value(serde_json::json!({
            "id": 5, "envelope": serde_json::to_value(&api_meta(5).envelope).unwrap_or_default(),
            "headline": {"from": "앨리스 <a@example.org>", "to": null, "subject": "안녕"}
        }))
        .unwrap_or_default();
        let with: Meta =
            serde_json::from_value(json).unwrap_or_else(|e| panic!("meta with headline: {e}"));
        let with = with.view();
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
        s.reduce(Action::Listed(vec![meta(1), meta(2)]));
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
            error: "late".into(),
        });
        assert_eq!(s.inspector.loading, Loading::Idle, "late failure ignored");
        s.reduce(Action::ParseFailed {
            id: 2,
            error: "the parse worker stopped".into(),
        });
        assert_eq!(
            s.inspector.loading,
            Loading::Failed("the parse worker stopped".into())
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
        assert_eq!(s.link, LinkState::Failed(ApiError::NoToken));

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
            assert!(!e.summary().is_empty());
        }

        let mut s = live(&[1]);
        s.reduce(Action::Select(Some(1)));
        s.reduce(Action::OpenFailed {
            id: 1,
            error: ApiError::Gone("no message 1".into()),
        });
        assert!(s.items.is_empty(), "a gone message leaves the list");
        s.reduce(Action::RemoveFailed(ApiError::Other("500 x".into())));
        assert!(s.notice.as_deref().is_some_and(|n| n.contains("500")));
        s.reduce(Action::StreamDown { in_ms: 500 });
        assert_eq!(s.link, LinkState::Reconnecting { in_ms: 500 });
        s.reduce(Action::StreamUp);
        assert_eq!(s.link, LinkState::Live);
        s.reduce(Action::ListFailed(ApiError::NotRunning("x".into())));
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
    fn sse_lines_split_across_chunks() {
        let mut b = SseBuffer::default();
        assert_eq!(b.push(": keep-alive\n\nda"), Vec::<String>::new());
        assert_eq!(b.push("ta: {\"type\":\"cleared\"}\r"), Vec::<String>::new());
        assert_eq!(b.push("\n\r\n"), vec![r#"{"type":"cleared"}"#.to_string()]);
        assert_eq!(
            b.push("data:a\ndata: b\nevent: x\n\ndata: c\n\n"),
            vec!["a\nb".to_string(), "c".to_string()]
        );
        assert_eq!(b.push("\n\n"), Vec::<String>::new(), "no empty events");
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        let mut b = SseBuffer::default();
        let huge = "x".repeat(MAX_SSE_LINE * 3);
        assert!(b.push(&format!("data: {huge}")).is_empty());
        assert!(b.line.len() <= MAX_SSE_LINE, "line bounded");
        let out = b.push("\n\n");
        assert!(out.iter().all(|d| d.len() <= MAX_SSE_LINE + 1));

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

    #[test]
    fn api_answers_cross_the_worker_as_views() {
        let list = format!(
            r#"{{"version":1,"messages":[{},{}]}}"#,
            serde_json::json!({
                "id": 1, "received_at": "2026-11-22T19:30:05Z", "queue_id": "Q1",
                "envelope": {"from": "", "params": {"size": 99, "body": "8BITMIME",
                    "smtputf8": true, "ret": null, "envid": null, "auth": null, "other": []},
                    "rcpts": [
                        {"address": "a@example.org", "params": {"notify": null, "orcpt": null, "other": []}},
                        {"address": "b@example.org", "params": {"notify": null, "orcpt": null, "other": []}}]},
                "tls": false, "peer": "[::1]:5000", "bdat": true, "size": 99,
                "lints": [{"code": "mime.x", "severity": "warning", "span": {"start": 0, "end": 1},
                    "message": "m", "reference": "RFC 2045"}],
                "headline": {"from": null, "to": "앨리스 <a@example.org>", "subject": ""}
            }),
            serde_json::json!({"id": 2, "envelope": {"from": "c@example.org",
                "params": {"size": null, "body": null, "smtputf8": false, "ret": null,
                    "envid": null, "auth": null, "other": []}, "rcpts": []}})
        );
        let views = views_from_json(ApiDoc::List, list.as_bytes()).expect("list");
        assert_eq!(views.len(), 2, "{views:?}");
        let first = &views[0];
        assert_eq!(
            first.mail_params,
            vec!["body=\"8BITMIME\"", "size=99", "smtputf8=true"],
            "{first:?}"
        );
        assert_eq!(first.rcpt_list(), "a@example.org, b@example.org");
        assert_eq!((first.findings, first.size, first.bdat), (1, 99, true));
        assert_eq!(first.tls_label(), "plain");
        assert_eq!(
            views[1],
            MetaView {
                id: 2,
                from: "c@example.org".into(),
                ..MetaView::default()
            },
            "defaults of an older proxy"
        );
        let bytes = encode_views(&views).expect("encode");
        assert_eq!(decode_views(&bytes).as_ref(), Ok(&views), "round trip");
        assert!(bytes.len() < list.len(), "{} ≥ {}", bytes.len(), list.len());
        assert!(
            decode_views(&bytes[..bytes.len() - 1]).is_err(),
            "cut short"
        );
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode_views(&long).is_err(), "bytes left over");
        assert_eq!(decode_views(&[0]), Ok(Vec::new()));

        let one = format!(
            r#"{{"version":1,"message":{}}}"#,
            serde_json::json!({
                "id": 7, "envelope": serde_json::to_value(&api_meta(7).envelope).unwrap_or_default()
            })
        );
        let views = views_from_json(ApiDoc::One, one.as_bytes()).expect("one");
        assert_eq!(views.iter().map(|v| v.id).collect::<Vec<_>>(), vec![7]);
        for (doc, body) in [
            (ApiDoc::List, b"<html>".as_slice()),
            (ApiDoc::One, list.as_bytes()),
            (ApiDoc::List, b"\xff{}"),
        ] {
            let e = views_from_json(doc, body).err().unwrap_or_default();
            assert!(
                e.contains("is the page served by something else?"),
                "{doc:?}: {e}"
            );
        }
        for doc in [ApiDoc::List, ApiDoc::One] {
            assert_eq!(ApiDoc::from_name(doc.as_str()), Some(doc));
        }
        assert_eq!(ApiDoc::from_name("other"), None);
    }
}
