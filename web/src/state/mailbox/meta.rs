//! The Mailbox API's documents (the core's [`mailscope_core::api`] types), read in the worker
//! into the small [`MetaView`]s the page shows: the page links no JSON decoder for the core's
//! `Envelope` and `Lint`.

use mailscope_core::api::{MessageList, MessageMeta, OneMessage};
use mailscope_core::mime::headline::Headline;
use mailscope_core::smtp::command::MailParams;
use serde::{Deserialize, Serialize};

use crate::state::message::auth::AuthInput;

/// The MAIL parameters that were given (`size=1234`, `body="8bitmime"`), for display.
pub fn mail_params(params: &MailParams<'_>) -> Vec<String> {
    let value = serde_json::to_value(params).unwrap_or_default();
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

impl From<MessageMeta> for MetaView {
    fn from(m: MessageMeta) -> MetaView {
        MetaView {
            id: m.id,
            mail_params: mail_params(&m.envelope.params),
            received_at: m.received_at,
            queue_id: m.queue_id,
            rcpts: m.envelope.rcpts.into_iter().map(|r| r.address).collect(),
            from: m.envelope.from,
            tls: m.tls,
            tls_version: m.tls_version,
            auth_user: m.auth_user,
            helo: m.helo,
            peer: m.peer,
            bdat: m.bdat,
            size: m.size,
            findings: m.lints.len(),
            headline: m.headline,
        }
    }
}

/// A message's metadata as the Mailbox shows it: the API's [`MessageMeta`] reduced to display
/// values.
///
/// Made in the worker and sent to the page in postcard's binary form
/// ([`crate::worker::protocol::WorkerEvent::Views`]), which is not self-describing: every field
/// is always written, in this order (no `skip_serializing_if`).
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
    /// The MAIL parameters that were given (`size=1234`), see [`mail_params`].
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

    /// What the sandbox knew of the session, for the Authenticity panel: the client's IP
    /// address, its HELO name and the MAIL FROM address (`<>` for the null sender).
    pub fn auth_session(&self) -> AuthInput {
        AuthInput {
            ip: self
                .peer
                .parse::<std::net::SocketAddr>()
                .map(|a| a.ip().to_string())
                .unwrap_or_default(),
            helo: self.helo.clone().unwrap_or_default(),
            mail_from: if self.from.is_empty() {
                "<>".into()
            } else {
                self.from.clone()
            },
            records: String::new(),
            lookup: false,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiDoc {
    /// `GET /api/messages` ([`MessageList`]).
    List,
    /// `GET /api/messages/{id}` ([`OneMessage`]).
    One,
}

/// An API answer as the Mailbox reads it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiViews {
    /// One per message, in the answer's order.
    pub views: Vec<MetaView>,
    /// The sandbox SMTP server's address, when the answer names it (the list does).
    pub sandbox: Option<String>,
}

/// Reads an API answer (in the worker) into the views the Mailbox shows; the error says why
/// the answer is not `mailscope serve`'s JSON.
pub fn views_from_json(doc: ApiDoc, body: &[u8]) -> Result<ApiViews, String> {
    let (metas, sandbox) = match doc {
        ApiDoc::List => {
            let list = serde_json::from_slice::<MessageList>(body).map_err(|e| e.to_string())?;
            (list.messages, list.sandbox)
        }
        ApiDoc::One => (
            vec![
                serde_json::from_slice::<OneMessage>(body)
                    .map_err(|e| e.to_string())?
                    .message,
            ],
            None,
        ),
    };
    Ok(ApiViews {
        views: metas.into_iter().map(MetaView::from).collect(),
        sandbox,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn api_answers_are_read_into_views() {
        let list = format!(
            r#"{{"version":1,"messages":[{},{}],"sandbox":"127.0.0.1:2525"}}"#,
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
        let read = views_from_json(ApiDoc::List, list.as_bytes()).expect("list");
        assert_eq!(read.sandbox.as_deref(), Some("127.0.0.1:2525"));
        let views = read.views;
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
        let session = first.auth_session();
        assert_eq!(
            (session.ip.as_str(), session.mail_from.as_str()),
            ("::1", "<>"),
            "the peer's address without its port; the null sender"
        );
        assert_eq!(
            views[1],
            MetaView {
                id: 2,
                from: "c@example.org".into(),
                ..MetaView::default()
            },
            "defaults of an older proxy"
        );
        let one = format!(
            r#"{{"version":1,"message":{}}}"#,
            serde_json::json!({
                "id": 7, "envelope": {"from": "", "params": {"size": null, "body": null,
                    "smtputf8": false, "ret": null, "envid": null, "auth": null, "other": []},
                    "rcpts": []}
            })
        );
        let read = views_from_json(ApiDoc::One, one.as_bytes()).expect("one");
        assert_eq!(read.sandbox, None);
        assert_eq!(read.views.iter().map(|v| v.id).collect::<Vec<_>>(), vec![7]);
        for (doc, body) in [
            (ApiDoc::List, b"<html>".as_slice()),
            (ApiDoc::One, list.as_bytes()),
            (ApiDoc::List, b"\xff{}"),
        ] {
            assert!(views_from_json(doc, body).is_err(), "{doc:?}");
        }
    }
}
