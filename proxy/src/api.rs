//! `/api/messages`: the sandbox's received messages over HTTP, guarded like the relay.
//!
//! Every request needs `Authorization: Bearer <TOKEN>`, a `Host` naming the listener and, when the
//! browser sends one, an allowed `Origin`; otherwise 403. Routes:
//! - `GET /api/messages` → `{"version":1,"messages":[…]}` (oldest first, no bodies);
//! - `GET /api/messages/{id}` → one message's metadata;
//! - `GET /api/messages/{id}/raw` → the message as received (`message/rfc822`);
//! - `GET /api/messages/{id}/transcript` → the session in swaks' form (`text/plain`), or with
//!   `?annotated=1` the core's annotated transcript as JSON;
//! - `DELETE /api/messages/{id}`, `DELETE /api/messages` → 204.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::relay::Relay;
use crate::sandbox::Store;

/// State of the API routes.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// For the token, Host and Origin checks.
    pub relay: Arc<Relay>,
    /// The sandbox's messages, if it runs.
    pub store: Option<Arc<Store>>,
}

/// The `/api/messages` routes.
pub fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/api/messages", get(list).delete(clear))
        .route("/api/messages/{id}", get(one).delete(delete))
        .route("/api/messages/{id}/raw", get(raw))
        .route("/api/messages/{id}/transcript", get(transcript))
        .with_state(state)
}

fn guard(state: &ApiState, headers: &HeaderMap) -> Result<Arc<Store>, Response> {
    let config = state.relay.config();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    if !host.is_some_and(|h| config.hosts.contains(&h)) {
        return Err((
            StatusCode::FORBIDDEN,
            "the Host header does not name this server",
        )
            .into_response());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| config.origins.iter().any(|a| a == o));
        if !ok {
            return Err((StatusCode::FORBIDDEN, "this Origin may not use the API").into_response());
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
        )
            .into_response());
    }
    state.store.clone().ok_or_else(|| {
        (
            StatusCode::NOT_FOUND,
            "the sandbox SMTP server is not running (--no-sandbox)",
        )
            .into_response()
    })
}

fn not_found(id: u64) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("no message {id}: it was deleted or dropped (the sandbox keeps the last ones)"),
    )
        .into_response()
}

async fn list(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match guard(&state, &headers) {
        Ok(store) => {
            let list = store.list();
            let messages: Vec<&crate::sandbox::StoredMessage> = list.iter().map(|m| &**m).collect();
            Json(serde_json::json!({ "version": 1, "messages": messages })).into_response()
        }
        Err(r) => r,
    }
}

async fn one(State(state): State<ApiState>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    match guard(&state, &headers) {
        Ok(store) => match store.get(id) {
            Some(m) => Json(serde_json::json!({ "version": 1, "message": &*m })).into_response(),
            None => not_found(id),
        },
        Err(r) => r,
    }
}

async fn raw(State(state): State<ApiState>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    match guard(&state, &headers) {
        Ok(store) => match store.get(id) {
            Some(m) => ([(header::CONTENT_TYPE, "message/rfc822")], m.data.clone()).into_response(),
            None => not_found(id),
        },
        Err(r) => r,
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
        Err(r) => r,
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
        Err(r) => r,
    }
}

async fn clear(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    match guard(&state, &headers) {
        Ok(store) => {
            store.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r,
    }
}
