//! Reading dropped or opened files in slices (with progress), and handing bytes back to the
//! user as downloads or object URLs.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

/// Bytes read per slice; progress is reported and the event loop gets a turn after each.
pub const CHUNK: u64 = 2 * 1024 * 1024;
/// Largest file read (the inspector holds it in memory several times over).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

fn js_error(context: &str, e: wasm_bindgen::JsValue) -> String {
    let detail = e
        .as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"));
    format!("{context}: {detail}")
}

/// Reads a whole file slice by slice, calling `progress` with the bytes read so far after each
/// slice and yielding to the event loop so a progress bar can paint.
pub async fn read_file(file: &File, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
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
    let mut out = Vec::with_capacity(total as usize);
    let mut offset = 0u64;
    while offset < total {
        let end = (offset + CHUNK).min(total);
        let slice = file
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| js_error("cannot slice the file", e))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|e| js_error("cannot read the file", e))?;
        out.extend_from_slice(&Uint8Array::new(&buffer).to_vec());
        offset = end;
        progress(offset);
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
    Ok(out)
}

/// A `blob:` URL for some bytes, revoked when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// Makes a Blob of `bytes` with media type `mime` and a URL for it.
    pub fn new(bytes: &[u8], mime: &str) -> Result<ObjectUrl, String> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|e| js_error("cannot make a blob", e))?;
        Url::create_object_url_with_blob(&blob)
            .map(ObjectUrl)
            .map_err(|e| js_error("cannot make a URL", e))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.0);
    }
}

/// Offers `bytes` as a download named `filename`.
pub fn download(bytes: &[u8], filename: &str, mime: &str) -> Result<(), String> {
    let url = ObjectUrl::new(bytes, mime)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error("cannot make a link", e))?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    anchor.set_href(url.as_str());
    anchor.set_download(filename);
    anchor.click();
    // The click has started the download; revoking the URL now is allowed by the File API
    // (the fetch holds the blob), but some browsers are slow: keep it a moment longer.
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::from_secs(30)).await;
        drop(url);
    });
    Ok(())
}

/// The parse worker's script (built by Trunk from `web/src/bin/parse-worker.rs` with a loader
/// shim; workers keep their unhashed names). Fetched only when a message is first opened.
pub const WORKER_URL: &str = "./parse-worker_loader.js";

/// What a [`ParseJob`] reports.
#[derive(Debug)]
pub enum JobEvent {
    /// Bytes read so far, and the file size.
    Progress(u64, u64),
    /// Reading done; the core is parsing this many bytes.
    Parsing(usize),
    /// The parsed message.
    Done(Box<crate::state::message_inspect::Inspected>),
    /// Something failed in the worker.
    Failed(String),
    /// The worker could not start (no worker script in this build, say): parse on the page.
    Unavailable(String),
}

/// What the worker is given.
pub enum JobInput {
    /// A file to read (in slices, in the worker).
    File(File),
    /// Bytes already in memory, with a name.
    Bytes(String, Vec<u8>),
}

/// One message being read and parsed by a fresh parse worker. Dropping it stops the worker
/// (opening another message replaces the job).
pub struct ParseJob {
    worker: web_sys::Worker,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for ParseJob {
    fn drop(&mut self) {
        self.worker.terminate();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

fn field(obj: &wasm_bindgen::JsValue, name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(obj, &name.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// Turns the worker's `done` message back into the view-model.
fn done(data: &wasm_bindgen::JsValue) -> Result<crate::state::message_inspect::Inspected, String> {
    use crate::state::message_inspect::{Inspected, Transfer};
    let json = field(data, "json")
        .as_string()
        .ok_or("no JSON from the worker")?;
    let input = field(data, "input")
        .dyn_into::<Uint8Array>()
        .map_err(|_| "no bytes from the worker")?
        .to_vec();
    let bodies = field(data, "bodies")
        .dyn_into::<Array>()
        .map_err(|_| "no bodies from the worker")?
        .iter()
        .map(|b| b.dyn_into::<Uint8Array>().map(|a| a.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "a body is not bytes")?;
    let line_starts = field(data, "lines")
        .dyn_into::<js_sys::Uint32Array>()
        .map_err(|_| "no line offsets from the worker")?
        .to_vec();
    Inspected::from_transfer(Transfer {
        json,
        input,
        bodies,
        line_starts,
    })
}

impl ParseJob {
    /// Starts a worker for `input`; `on_event` hears progress and the result. The worker
    /// script is fetched on first use (the browser caches it afterwards).
    pub fn start(
        input: JobInput,
        on_event: impl Fn(JobEvent) + 'static,
    ) -> Result<ParseJob, String> {
        use std::cell::RefCell;
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;

        let worker = web_sys::Worker::new(WORKER_URL)
            .map_err(|e| js_error("cannot start the parse worker", e))?;
        let on_event = Rc::new(on_event);
        // Handed over when the worker says it is ready (messages sent earlier could be lost).
        let pending = Rc::new(RefCell::new(Some(input)));
        let ready = Rc::new(std::cell::Cell::new(false));
        let on_message = {
            let on_event = on_event.clone();
            let worker = worker.clone();
            let ready = ready.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                match field(&data, "type").as_string().as_deref() {
                    Some("ready") => {
                        ready.set(true);
                        let msg = js_sys::Object::new();
                        let sent = match pending.borrow_mut().take() {
                            Some(JobInput::File(f)) => {
                                js_sys::Reflect::set(&msg, &"file".into(), &f)
                                    .and_then(|_| worker.post_message(&msg))
                            }
                            Some(JobInput::Bytes(name, bytes)) => {
                                let array = Uint8Array::from(bytes.as_slice());
                                let transfer = Array::of1(&array.buffer());
                                js_sys::Reflect::set(&msg, &"name".into(), &name.into())
                                    .and_then(|_| {
                                        js_sys::Reflect::set(&msg, &"bytes".into(), &array)
                                    })
                                    .and_then(|_| {
                                        worker.post_message_with_transfer(&msg, &transfer)
                                    })
                            }
                            None => Ok(()),
                        };
                        if let Err(e) = sent {
                            on_event(JobEvent::Failed(js_error(
                                "cannot send to the parse worker",
                                e,
                            )));
                        }
                    }
                    Some("progress") => {
                        let n = |k| field(&data, k).as_f64().unwrap_or(0.0) as u64;
                        on_event(JobEvent::Progress(n("loaded"), n("total")));
                    }
                    Some("parsing") => {
                        on_event(JobEvent::Parsing(
                            field(&data, "size").as_f64().unwrap_or(0.0) as usize,
                        ));
                    }
                    Some("done") => on_event(match done(&data) {
                        Ok(doc) => JobEvent::Done(Box::new(doc)),
                        Err(e) => JobEvent::Failed(e),
                    }),
                    Some("error") => on_event(JobEvent::Failed(
                        field(&data, "message")
                            .as_string()
                            .unwrap_or_else(|| "the parse worker failed".into()),
                    )),
                    _ => {}
                }
            })
        };
        let on_error = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                e.prevent_default();
                let detail = e
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .unwrap_or_else(|| "the worker script did not load".into());
                if ready.get() {
                    on_event(JobEvent::Failed(format!(
                        "the parse worker stopped: {detail}"
                    )));
                } else {
                    on_event(JobEvent::Unavailable(detail));
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(ParseJob {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}
