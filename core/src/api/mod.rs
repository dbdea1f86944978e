//! The Mailbox HTTP API of `mailscope serve`: the JSON documents its sandbox answers with, written
//! by the proxy (`proxy/src/api.rs`) and read by the web's Mailbox, so neither side writes the
//! shape by hand.
//!
//! Routes (all need `Authorization: Bearer <token>`; the proxy's module docs give the guards):
//! - `GET /api/messages` → [`MessageList`] (oldest first, no bodies); with `?q=QUERY` only the
//!   messages the [`search`] query matches;
//! - `GET /api/messages/{id}` → [`OneMessage`];
//! - `GET /api/events` → a `text/event-stream` whose `data:` lines are [`StoreEvent`]s.
//!
//! Fields that older proxies left out read as their defaults.

pub mod search;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::headline::Headline;
use crate::smtp::session::Envelope;

/// The version of the documents these types describe.
pub const API_VERSION: u32 = 1;

/// A received message's metadata (everything but its bytes and its transcript).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageMeta {
    /// Id in the store (increasing).
    pub id: u64,
    /// When it arrived, RFC 3339 UTC.
    #[serde(default)]
    pub received_at: String,
    /// The queue id the session gave in its 250 reply.
    #[serde(default)]
    pub queue_id: String,
    /// MAIL FROM and RCPT TO, with their parameters.
    pub envelope: Envelope,
    /// Whether the session was under TLS.
    #[serde(default)]
    pub tls: bool,
    /// The TLS version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// Message size in bytes.
    #[serde(default)]
    pub size: usize,
    /// The core's findings in the data, made by the server.
    #[serde(default)]
    pub lints: Vec<Lint>,
    /// From, To and Subject, decoded by the server with [`Headline::read`] (absent from older
    /// proxies).
    #[serde(default)]
    pub headline: Option<Headline>,
}

/// `GET /api/messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageList {
    /// [`API_VERSION`].
    pub version: u32,
    /// Oldest first.
    pub messages: Vec<MessageMeta>,
    /// The sandbox SMTP server's address (`127.0.0.1:2525`), where messages are sent to appear
    /// here (absent from older proxies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
}

/// `GET /api/messages/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneMessage {
    /// [`API_VERSION`].
    pub version: u32,
    /// The metadata.
    pub message: MessageMeta,
}

/// A change in the store, one per `data:` line of `/api/events`, tagged by `"type"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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
    /// Every message was deleted.
    Cleared,
    /// The stream fell behind and dropped events: reload the list.
    Lagged {
        /// How many events were dropped.
        #[serde(default)]
        missed: u64,
    },
}

impl StoreEvent {
    /// Reads one `data:` payload; `None` for anything else (unknown types are ignored).
    pub fn parse(data: &str) -> Option<StoreEvent> {
        serde_json::from_str(data).ok()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn store_events_have_stable_json() {
        let cases = [
            (
                StoreEvent::Message { id: 3 },
                r#"{"type":"message","id":3}"#,
            ),
            (
                StoreEvent::Deleted { id: 4 },
                r#"{"type":"deleted","id":4}"#,
            ),
            (StoreEvent::Cleared, r#"{"type":"cleared"}"#),
            (
                StoreEvent::Lagged { missed: 9 },
                r#"{"type":"lagged","missed":9}"#,
            ),
        ];
        for (event, json) in cases {
            assert_eq!(serde_json::to_string(&event).ok().as_deref(), Some(json));
            assert_eq!(StoreEvent::parse(json), Some(event), "{json}");
        }
    }

    #[test]
    fn store_events_read_leniently_and_refuse_the_rest() {
        let cases = [
            (
                r#"{"id":3,"type":"message"}"#,
                Some(StoreEvent::Message { id: 3 }),
            ),
            (
                r#"{"type":"lagged"}"#,
                Some(StoreEvent::Lagged { missed: 0 }),
            ),
            (r#"{"type":"message"}"#, None),
            (r#"{"type":"deleted","id":"x"}"#, None),
            (r#"{"type":"surprise"}"#, None),
            (r#"{"id":1}"#, None),
            ("[]", None),
            ("not json", None),
        ];
        for (data, want) in cases {
            assert_eq!(StoreEvent::parse(data), want, "{data}");
        }
    }

    #[test]
    fn metadata_of_older_proxies_reads_with_defaults() {
        let json = r#"{"version":1,"message":{"id":2,"envelope":{"from":"c@example.org",
            "params":{"size":null,"body":null,"smtputf8":false,"ret":null,"envid":null,
            "auth":null,"other":[]},"rcpts":[]}}}"#;
        let one: OneMessage = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.message.id, 2);
        assert_eq!(one.message.envelope.from, "c@example.org");
        assert_eq!((one.message.size, one.message.tls), (0, false));
        assert_eq!(one.message.headline, None);
        let back = serde_json::to_string(&one.message).unwrap_or_default();
        assert!(!back.contains("tls_version"), "absent when none: {back}");
        assert!(back.contains(r#""headline":null"#), "{back}");
    }
}
