//! The parse worker: a Web Worker (built by Trunk as `parse-worker`, started by the page the
//! first time it needs it) that reads files in slices and parses them with the core, so the
//! page stays responsive while a 25 MB message is read and parsed, encodes RFC 2047
//! encoded-words in charsets whose tables the page leaves out, and reads the Mailbox's API
//! answers (JSON) into the small views the page shows. What goes to the page is binary
//! (postcard) so that the page links no JSON decoder for these types.
//!
//! Protocol (structured-clone messages; `services::file` is the page's side). Every request
//! carries an `id` that the answers repeat; requests are handled one after the other.
//! - worker → page `{type: "ready"}` once the wasm is running (the page sends nothing before);
//! - page → worker, to parse: `{id, file: File}` or `{id, name: string, bytes: Uint8Array}`;
//!   worker → page `{id, type: "progress", loaded, total}` after each slice read,
//!   `{id, type: "parsing", size}`, then `{id, type: "done", model, input, bodies, lines}` or
//!   `{id, type: "error", message}`. `done` carries the view-model (`Inspected::into_transfer`):
//!   `model` a `Uint8Array` of the view-model without its bytes in postcard's binary form (not
//!   JSON: the page links only postcard's small sequence decoders), `input` the message bytes,
//!   `bodies` an array of `Uint8Array` (decoded bodies in part order), `lines` a `Uint32Array`
//!   of line starts; all their buffers are transferred, not copied;
//! - page → worker, to encode: `{id, encode: {text: string, charset: string, b: bool}}`
//!   (`b`: B encoding, else Q); worker → page `{id, type: "encoded", text}` (the encoded-words
//!   joined by spaces) or `{id, type: "error", message}` (the core's `EncodeError`);
//! - page → worker, to read an answer of `mailscope serve`'s API for the Mailbox:
//!   `{id, api: {doc: "list" | "one", json: Uint8Array}}` (the body of `GET /api/messages` or
//!   `GET /api/messages/{id}`); worker → page `{id, type: "views", model: Uint8Array}` (the
//!   `state::mailbox::MetaView`s in postcard's binary form, the buffer transferred) or
//!   `{id, type: "error", message}` (not the API's JSON). The page thus links no JSON decoder
//!   for the core's `Envelope` and `Lint`.

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

/// Natively there is nothing to run: the worker exists only in the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod worker {
    use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
    use mailscope_web::services::file::{js_text, Slices};
    use mailscope_web::state::mailbox::{encode_views, views_from_json, ApiDoc};
    use mailscope_web::state::message_inspect::Inspected;
    use mailscope_web::state::tools::words::encode_text;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

    /// Posts an answer to request `id` (0: not about a request).
    fn post(
        scope: &DedicatedWorkerGlobalScope,
        id: u32,
        fields: &[(&str, JsValue)],
        transfer: &Array,
    ) {
        let msg = Object::new();
        if id != 0 {
            let _ = Reflect::set(&msg, &"id".into(), &id.into());
        }
        for (k, v) in fields {
            let _ = Reflect::set(&msg, &JsValue::from_str(k), v);
        }
        let sent = if transfer.length() == 0 {
            scope.post_message(&msg)
        } else {
            scope.post_message_with_transfer(&msg, transfer)
        };
        if let Err(e) = sent {
            web_sys::console::error_2(&"parse worker: cannot post".into(), &e);
        }
    }

    /// Reads a file synchronously (allowed in workers) in slices, reporting progress.
    fn read(scope: &DedicatedWorkerGlobalScope, id: u32, file: &File) -> Result<Vec<u8>, String> {
        let mut slices = Slices::new(file)?;
        let reader = FileReaderSync::new().map_err(|e| js_text(&e))?;
        while let Some(slice) = slices.next_slice()? {
            let buffer = reader
                .read_as_array_buffer(&slice)
                .map_err(|e| format!("cannot read the file: {}", js_text(&e)))?;
            let loaded = slices.push(&buffer);
            post(
                scope,
                id,
                &[
                    ("type", "progress".into()),
                    ("loaded", (loaded as f64).into()),
                    ("total", (slices.total() as f64).into()),
                ],
                &Array::new(),
            );
        }
        Ok(slices.bytes)
    }

    fn encode(scope: &DedicatedWorkerGlobalScope, id: u32, ask: &JsValue) -> Result<(), String> {
        let get = |k: &str| Reflect::get(ask, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let text = get("text").as_string().ok_or("no text to encode")?;
        let charset = get("charset").as_string().ok_or("no charset")?;
        let b = get("b").as_bool().unwrap_or(true);
        let words = encode_text(&text, &charset, b).map_err(|e| e.to_string())?;
        post(
            scope,
            id,
            &[("type", "encoded".into()), ("text", words.into())],
            &Array::new(),
        );
        Ok(())
    }

    fn api(scope: &DedicatedWorkerGlobalScope, id: u32, ask: &JsValue) -> Result<(), String> {
        let get = |k: &str| Reflect::get(ask, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let doc = get("doc")
            .as_string()
            .and_then(|d| ApiDoc::from_name(&d))
            .ok_or("no known API document named")?;
        let json = get("json")
            .dyn_into::<Uint8Array>()
            .map_err(|_| "no API answer to read")?
            .to_vec();
        let model = Uint8Array::from(encode_views(&views_from_json(doc, &json)?)?.as_slice());
        let transfer = Array::of1(&model.buffer());
        post(
            scope,
            id,
            &[("type", "views".into()), ("model", model.into())],
            &transfer,
        );
        Ok(())
    }

    fn handle(scope: &DedicatedWorkerGlobalScope, id: u32, data: &JsValue) -> Result<(), String> {
        let get = |k: &str| Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let ask = get("encode");
        if ask.is_object() {
            return encode(scope, id, &ask);
        }
        let ask = get("api");
        if ask.is_object() {
            return api(scope, id, &ask);
        }
        let (name, input) = match get("file").dyn_into::<File>().ok() {
            Some(f) => (f.name(), read(scope, id, &f)?),
            None => {
                let name = get("name").as_string().unwrap_or_default();
                let bytes = get("bytes")
                    .dyn_into::<Uint8Array>()
                    .map_err(|_| "the page sent neither a file nor bytes")?;
                (name, bytes.to_vec())
            }
        };
        post(
            scope,
            id,
            &[
                ("type", "parsing".into()),
                ("size", (input.len() as f64).into()),
            ],
            &Array::new(),
        );
        let t = Inspected::new(name, input).into_transfer()?;
        let transfer = Array::new();
        let model = Uint8Array::from(t.model.as_slice());
        transfer.push(&model.buffer());
        let input = Uint8Array::from(t.input.as_slice());
        transfer.push(&input.buffer());
        let bodies = Array::new();
        for b in &t.bodies {
            let a = Uint8Array::from(b.as_slice());
            transfer.push(&a.buffer());
            bodies.push(&a);
        }
        let lines = Uint32Array::from(t.line_starts.as_slice());
        transfer.push(&lines.buffer());
        post(
            scope,
            id,
            &[
                ("type", "done".into()),
                ("model", model.into()),
                ("input", input.into()),
                ("bodies", bodies.into()),
                ("lines", lines.into()),
            ],
            &transfer,
        );
        Ok(())
    }

    pub(crate) fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let inner = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let id = Reflect::get(&data, &"id".into())
                .ok()
                .and_then(|v| v.as_f64())
                .map_or(0, |n| n as u32);
            if let Err(message) = handle(&inner, id, &data) {
                post(
                    &inner,
                    id,
                    &[("type", "error".into()), ("message", message.into())],
                    &Array::new(),
                );
            }
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The worker lives as long as its page needs it; the handler must too.
        on_message.forget();
        post(&scope, 0, &[("type", "ready".into())], &Array::new());
    }
}
