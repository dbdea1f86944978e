//! The parse worker: a Web Worker (built by Trunk as `parse-worker`, loaded by the page only
//! when a message is opened) that reads a file in slices and parses it with the core, so the
//! page stays responsive while a 25 MB message is read and parsed.
//!
//! Protocol (structured-clone messages; see `services::file::ParseJob` for the page's side):
//! - worker → page `{type: "ready"}` once the wasm is running;
//! - page → worker `{file: File}` or `{name: string, bytes: Uint8Array}`;
//! - worker → page `{type: "progress", loaded, total}` after each slice read,
//!   `{type: "parsing", size}`, then `{type: "done", json, input, bodies, lines}` (the buffers
//!   are transferred) or `{type: "error", message}`.

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
    use mailscope_web::services::file::{CHUNK, MAX_FILE};
    use mailscope_web::state::message_inspect::Inspected;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

    fn post(scope: &DedicatedWorkerGlobalScope, fields: &[(&str, JsValue)], transfer: &Array) {
        let msg = Object::new();
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

    fn js_text(e: &JsValue) -> String {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "unknown error".into())
    }

    /// Reads a file synchronously (allowed in workers) in slices, reporting progress.
    fn read(scope: &DedicatedWorkerGlobalScope, file: &File) -> Result<Vec<u8>, String> {
        let size = file.size();
        if !(size.is_finite() && size >= 0.0) {
            return Err("the file reports no size".into());
        }
        let total = size as u64;
        if total > MAX_FILE {
            return Err(format!(
                "{} is {total} bytes; the inspector reads at most {MAX_FILE}",
                file.name()
            ));
        }
        let reader = FileReaderSync::new().map_err(|e| js_text(&e))?;
        let mut out = Vec::with_capacity(total as usize);
        let mut offset = 0u64;
        while offset < total {
            let end = (offset + CHUNK).min(total);
            let slice = file
                .slice_with_f64_and_f64(offset as f64, end as f64)
                .map_err(|e| js_text(&e))?;
            let buffer = reader
                .read_as_array_buffer(&slice)
                .map_err(|e| format!("cannot read the file: {}", js_text(&e)))?;
            out.extend_from_slice(&Uint8Array::new(&buffer).to_vec());
            offset = end;
            post(
                scope,
                &[
                    ("type", "progress".into()),
                    ("loaded", (offset as f64).into()),
                    ("total", (total as f64).into()),
                ],
                &Array::new(),
            );
        }
        Ok(out)
    }

    fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) -> Result<(), String> {
        let file = Reflect::get(data, &"file".into())
            .ok()
            .and_then(|f| f.dyn_into::<File>().ok());
        let (name, input) = match file {
            Some(f) => (f.name(), read(scope, &f)?),
            None => {
                let name = Reflect::get(data, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .unwrap_or_default();
                let bytes = Reflect::get(data, &"bytes".into())
                    .ok()
                    .and_then(|b| b.dyn_into::<Uint8Array>().ok())
                    .ok_or("the page sent neither a file nor bytes")?;
                (name, bytes.to_vec())
            }
        };
        post(
            scope,
            &[
                ("type", "parsing".into()),
                ("size", (input.len() as f64).into()),
            ],
            &Array::new(),
        );
        let t = Inspected::new(name, input).into_transfer()?;
        let transfer = Array::new();
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
            &[
                ("type", "done".into()),
                ("json", t.json.into()),
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
            if let Err(message) = handle(&inner, &e.data()) {
                post(
                    &inner,
                    &[("type", "error".into()), ("message", message.into())],
                    &Array::new(),
                );
            }
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The worker lives as long as its page needs it; the handler must too.
        on_message.forget();
        post(&scope, &[("type", "ready".into())], &Array::new());
    }
}
