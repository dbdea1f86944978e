//! The HTTP API of `mailscope serve` (`/api/messages`, `/api/events`), same origin as the page.
//!
//! Every request carries `Authorization: Bearer <token>`, so the event stream is read with
//! `fetch` and the body's `ReadableStream` (an `EventSource` cannot send headers). Failures are
//! returned as [`ApiError`]s for the UI, never thrown or logged.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

use mailscope_core::api::StoreEvent;

use crate::services::worker;
use crate::state::mailbox::{ApiDoc, ApiError, ApiViews, MailboxError, MetaView, SseBuffer};
use crate::state::relay_link::{choose_token, token_from_fragment, STORAGE_KEY};

/// The relay token: from the page URL's fragment (then kept in `sessionStorage`, so navigating
/// does not lose it), else from `sessionStorage`. The URL is left as it is.
pub fn relay_token() -> Option<String> {
    let window = web_sys::window()?;
    let from_url = window
        .location()
        .hash()
        .ok()
        .and_then(|h| token_from_fragment(&h));
    let storage = window.session_storage().ok().flatten();
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let token = choose_token(from_url.clone(), stored);
    if let (Some(t), Some(s)) = (&from_url, &storage) {
        let _ = s.set_item(STORAGE_KEY, t);
    }
    token
}

/// Cancels requests when the view that made them goes away.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    stopped: Rc<Cell<bool>>,
    controller: Option<AbortController>,
}

impl Cancel {
    /// A fresh handle.
    pub fn new() -> Cancel {
        Cancel {
            stopped: Rc::default(),
            controller: AbortController::new().ok(),
        }
    }

    /// Aborts every request made with this handle.
    pub fn cancel(&self) {
        self.stopped.set(true);
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn cancelled(&self) -> bool {
        self.stopped.get()
    }
}

fn js_text(v: &JsValue) -> String {
    v.as_string().unwrap_or_default()
}

async fn send(
    method: &str,
    path: &str,
    token: &str,
    cancel: Option<&Cancel>,
) -> Result<Response, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::Other("no window".into()))?;
    let headers = Headers::new().map_err(|e| ApiError::Other(js_text(&e)))?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(|_| ApiError::Other("the token cannot go in a header".into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    if let Some(c) = cancel.and_then(|c| c.controller.as_ref()) {
        init.set_signal(Some(&c.signal()));
    }
    let answer = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| ApiError::from_answer(None, "", true))?;
    answer
        .dyn_into::<Response>()
        .map_err(|_| ApiError::Other("fetch gave no Response".into()))
}

fn is_api_answer(response: &Response) -> bool {
    let ct = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase();
    !ct.contains("html")
}

async fn bytes_of(response: &Response) -> Result<Vec<u8>, ApiError> {
    let promise = response
        .array_buffer()
        .map_err(|_| ApiError::Other("the answer has no body".into()))?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::NotRunning("the answer was cut off".into()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Sends a request and returns the body of a 2xx answer; anything else becomes an [`ApiError`].
async fn call(
    method: &str,
    path: &str,
    token: &str,
    cancel: Option<&Cancel>,
) -> Result<Vec<u8>, ApiError> {
    let response = send(method, path, token, cancel).await?;
    let api = is_api_answer(&response);
    let body = bytes_of(&response).await?;
    if response.ok() && api {
        Ok(body)
    } else {
        Err(ApiError::from_answer(
            Some(response.status()),
            &String::from_utf8_lossy(&body),
            api,
        ))
    }
}

/// `GET /api/messages`, oldest first (the JSON is read in the worker).
pub async fn list(token: &str, cancel: &Cancel) -> Result<ApiViews, MailboxError> {
    let body = call("GET", "/api/messages", token, Some(cancel)).await?;
    Ok(worker::read_api(ApiDoc::List, body).await?)
}

/// `GET /api/messages?q=QUERY`: the ids of the messages the sandbox finds (the query is the
/// core's, see `mailscope_core::api::search`).
pub async fn search(token: &str, query: &str, cancel: &Cancel) -> Result<Vec<u64>, MailboxError> {
    let path = format!("/api/messages?q={}", js_sys::encode_uri_component(query));
    let body = call("GET", &path, token, Some(cancel)).await?;
    let found = worker::read_api(ApiDoc::List, body).await?;
    Ok(found.views.iter().map(|v| v.id).collect())
}

/// Whether `mailscope serve` answers at this origin and takes `token` (a sandbox that is off
/// still counts as an answer): tells "not running" from "token refused" when the relay socket
/// fails, which a browser WebSocket cannot tell apart.
pub async fn probe(token: &str) -> Result<(), ApiError> {
    match call("GET", "/api/messages", token, None).await {
        Ok(_) | Err(ApiError::SandboxOff(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// `GET /api/messages/{id}` (the JSON is read in the worker; `None` if it held no message).
pub async fn meta(id: u64, token: &str, cancel: &Cancel) -> Result<Option<MetaView>, MailboxError> {
    let body = call("GET", &format!("/api/messages/{id}"), token, Some(cancel)).await?;
    Ok(worker::read_api(ApiDoc::One, body).await?.views.pop())
}

/// `GET /api/messages/{id}/raw`: the message as received.
pub async fn raw(id: u64, token: &str, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
    call(
        "GET",
        &format!("/api/messages/{id}/raw"),
        token,
        Some(cancel),
    )
    .await
}

/// `GET /api/messages/{id}/transcript`: the session in swaks' form.
pub async fn transcript(id: u64, token: &str, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
    call(
        "GET",
        &format!("/api/messages/{id}/transcript"),
        token,
        Some(cancel),
    )
    .await
}

/// `GET /api/sandbox/certificate`: the sandbox's STARTTLS certificate (PEM).
pub async fn sandbox_certificate(token: &str) -> Result<Vec<u8>, ApiError> {
    call("GET", "/api/sandbox/certificate", token, None).await
}

/// `DELETE /api/messages/{id}`, or every message when `id` is `None`.
pub async fn delete(id: Option<u64>, token: &str) -> Result<(), ApiError> {
    let path = match id {
        Some(id) => format!("/api/messages/{id}"),
        None => "/api/messages".to_string(),
    };
    call("DELETE", &path, token, None).await.map(|_| ())
}

/// Reads `/api/events` until the stream ends, fails or `cancel` fires, calling `on_open` once it
/// is open and `on_event` for each event. Returns why it stopped (`Ok` when it ended cleanly).
pub async fn events(
    token: &str,
    cancel: &Cancel,
    on_open: impl Fn(),
    on_event: impl Fn(StoreEvent),
) -> Result<(), ApiError> {
    let response = send("GET", "/api/events", token, Some(cancel)).await?;
    let api = is_api_answer(&response);
    if !response.ok() || !api {
        let body = bytes_of(&response).await.unwrap_or_default();
        return Err(ApiError::from_answer(
            Some(response.status()),
            &String::from_utf8_lossy(&body),
            api,
        ));
    }
    let stream = response
        .body()
        .ok_or_else(|| ApiError::Other("the event stream has no body".into()))?;
    let reader: ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|_| ApiError::Other("no stream reader".into()))?;
    on_open();
    let mut sse = SseBuffer::default();
    let mut carry: Vec<u8> = Vec::new();
    loop {
        if cancel.cancelled() {
            let _ = reader.cancel();
            return Ok(());
        }
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| ApiError::NotRunning("the event stream broke".into()))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        if let Ok(value) = Reflect::get(&chunk, &JsValue::from_str("value")) {
            carry.extend(Uint8Array::new(&value).to_vec());
        }
        // Decode up to the last complete UTF-8 sequence; keep the rest for the next chunk.
        let valid = match std::str::from_utf8(&carry) {
            Ok(_) => carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => carry.len(),
        };
        let rest = carry.split_off(valid);
        let text = String::from_utf8_lossy(&carry).into_owned();
        carry = rest;
        for data in sse.push(&text) {
            if let Some(event) = StoreEvent::parse(&data) {
                on_event(event);
            }
        }
    }
}
