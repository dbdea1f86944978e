//! `/api/messages`: the sandbox's received messages over HTTP, guarded like the relay.
//!
//! Every request needs `Authorization: Bearer <TOKEN>`, a `Host` naming the listener and, when the
//! browser sends one, an allowed `Origin`; otherwise 403. The JSON documents are the core's
//! `mailscope_core::api` types, which the web's Mailbox reads. Routes:
//! - `GET /api/messages` → `{"version":1,"messages":[…],"sandbox":"127.0.0.1:2525"}` (oldest
//!   first, no bodies; each with `headline: {from, to, subject}` decoded by the core's MIME header
//!   parser, RFC 2047 included; `sandbox` is the SMTP address to send to); `?q=QUERY` lists only
//!   the messages the core's search matches (`from:`, `to:`, `subject:`, `text:` terms and
//!   words, see `mailscope_core::api::search`; a malformed query is 400 with the reason);
//! - `GET /api/messages/{id}` → one message's metadata;
//! - `GET /api/messages/{id}/raw` → the message as received (`message/rfc822`);
//! - `GET /api/messages/{id}/transcript` → the session in swaks' form (`text/plain`), or with
//!   `?annotated=1` the core's annotated transcript as JSON;
//! - `DELETE /api/messages/{id}`, `DELETE /api/messages` → 204;
//! - `GET /api/sandbox/certificate` → the sandbox's STARTTLS certificate (`application/x-pem-file`),
//!   to verify the sandbox with (`mailscope send --tls starttls --ca sandbox.pem`);
//! - `GET /api/events` → a live `text/event-stream` of [`StoreEvent`]s as JSON (`message`,
//!   `deleted`, `cleared`; a `lagged` event means some were missed: reload the list).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use mailscope_core::api::search::{self, SearchFields};
use mailscope_core::api::{MessageList, OneMessage, StoreEvent, API_VERSION};

use crate::relay::Relay;
use crate::sandbox::Store;

/// State of the API routes.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// For the token, Host and Origin checks.
    pub relay: Arc<Relay>,
    /// The sandbox's messages, if it runs.
    pub store: Option<Arc<Store>>,
    /// The sandbox's STARTTLS certificate (PEM), if it runs.
    pub certificate: Option<Arc<str>>,
    /// The sandbox's SMTP address, if it runs (the list names it, so the page can say where
    /// to send).
    pub sandbox: Option<SocketAddr>,
}

/// The `/api/messages` routes.
pub fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/api/messages", get(list).delete(clear))
        .route("/api/messages/{id}", get(one).delete(delete))
        .route("/api/messages/{id}/raw", get(raw))
        .route("/api/messages/{id}/transcript", get(transcript))
        .route("/api/events", get(events))
        .route("/api/sandbox/certificate", get(certificate))
        .with_state(state)
}

fn guard(state: &ApiState, headers: &HeaderMap) -> Result<Arc<Store>, (StatusCode, &'static str)> {
    let config = state.relay.config();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    if !host.is_some_and(|h| config.hosts.contains(&h)) {
        return Err((
            StatusCode::FORBIDDEN,
            "the Host header does not name this server",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| config.origins.iter().any(|a| a == o));
        if !ok {
            return Err((StatusCode::FORBIDDEN, "this Origin may not use the API"));
        }
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::token::matches(presented, &config.token) {
        return Err((
            StatusCode::FORBIDDEN,
            "missing or wrong token: send Authorization: Bearer <token from the page URL>",
        ));
    }
    state.store.clone().ok_or((
        StatusCode::NOT_FOUND,
        "the sandbox SMTP server is not running (--no-sandbox)",
    ))
}

fn not_found(id: u64) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("no message {id}: it was deleted or dropped (the sandbox keeps the last ones)"),
    )
        .into_response()
}

/// `?q=` of `GET /api/messages`.
#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    q: Option<String>,
}

async fn list(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    match guard(&state, &headers) {
        Ok(store) => {
            let search = match query.q.as_deref().map(search::Query::parse).transpose() {
                Ok(search) => search,
                Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
            };
            let kept = store.list();
            let messages = match search {
                None => kept.iter().map(|m| m.meta.clone()).collect(),
                // A search parses every kept message (bounded by `--sandbox-max-bytes`): off
                // the async workers.
                Some(search) => {
                    let found = tokio::task::spawn_blocking(move || {
                        kept.iter()
                            .filter(|m| search.matches(&SearchFields::of(&m.meta, &m.data)))
                            .map(|m| m.meta.clone())
                            .collect()
                    })
                    .await;
                    match found {
                        Ok(found) => found,
                        Err(_) => {
                            return (StatusCode::INTERNAL_SERVER_ERROR, "the search stopped")
                                .into_response()
                        }
                    }
                }
            };
            Json(MessageList {
                version: API_VERSION,
                messages,
                sandbox: state.sandbox.map(|a| a.to_string()),
            })
            .into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn one(State(state): State<ApiState>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    match guard(&state, &headers) {
        Ok(store) => match store.get(id) {
            Some(m) => Json(OneMessage {
                version: API_VERSION,
                message: m.meta.clone(),
            })
            .into_response(),
            None => not_found(id),
        },
        Err(r) => r.into_response(),
    }
}

async fn raw(State(state): State<ApiState>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    match guard(&state, &headers) {
        Ok(store) => match store.get(id) {
            Some(m) => ([(header::CONTENT_TYPE, "message/rfc822")], m.data.clone()).into_response(),
            None => not_found(id),
        },
        Err(r) => r.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct TranscriptQuery {
    #[serde(default)]
    annotated: Option<u8>,
}

async fn transcript(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(q): Query<TranscriptQuery>,
) -> Response {
    match guard(&state, &headers) {
        Ok(store) => match store.get(id) {
            Some(m) if q.annotated == Some(1) => {
                let annotated = mailscope_core::smtp::transcript::annotate(&m.transcript);
                Json(serde_json::json!({ "version": 1, "transcript": annotated.to_json() }))
                    .into_response()
            }
            Some(m) => (
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                m.transcript.clone(),
            )
                .into_response(),
            None => not_found(id),
        },
        Err(r) => r.into_response(),
    }
}

async fn delete(
    State(state): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    match guard(&state, &headers) {
        Ok(store) if store.delete(id) => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => not_found(id),
        Err(r) => r.into_response(),
    }
}

async fn clear(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match guard(&state, &headers) {
        Ok(store) => {
            store.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn certificate(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match guard(&state, &headers) {
        Ok(_) => match &state.certificate {
            Some(pem) => (
                [
                    (header::CONTENT_TYPE, "application/x-pem-file"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"sandbox.mailscope.test.pem\"",
                    ),
                ],
                pem.to_string(),
            )
                .into_response(),
            None => (
                StatusCode::NOT_FOUND,
                "the sandbox SMTP server is not running (--no-sandbox)",
            )
                .into_response(),
        },
        Err(r) => r.into_response(),
    }
}

async fn events(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let store = match guard(&state, &headers) {
        Ok(store) => store,
        Err(r) => return r.into_response(),
    };
    let rx = store.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        use tokio::sync::broadcast::error::RecvError;
        let data = match rx.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => StoreEvent::Lagged { missed },
            Err(RecvError::Closed) => return None,
        };
        let data = serde_json::to_string(&data).unwrap_or_default();
        Some((
            Ok::<_, std::convert::Infallible>(Event::default().data(data)),
            rx,
        ))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
