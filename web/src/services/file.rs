//! Reading dropped or opened files in slices (with progress), handing bytes back to the user as
//! downloads or object URLs, and the page's side of the parse worker.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

use crate::state::mailbox::ApiDoc;

/// Bytes read per slice; progress is reported and the event loop gets a turn after each.
pub const CHUNK: u64 = 2 * 1024 * 1024;
/// Largest file read (the inspector holds it in memory several times over).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// The text of a JavaScript error (a string, an `Error`'s message, or its debug form).
pub fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn js_error(context: &str, e: JsValue) -> String {
    format!("{context}: {}", js_text(&e))
}

/// A file cut into [`CHUNK`]-sized slices, read one after the other: on the page with
/// [`read_file`] (async), in the parse worker with `FileReaderSync`. Both read through this, so
/// the size checks and the slicing are written once.
pub struct Slices {
    file: File,
    offset: u64,
    total: u64,
    /// The bytes read so far.
    pub bytes: Vec<u8>,
}

impl Slices {
    /// Checks the file's size (known, at most [`MAX_FILE`]) and prepares to read it.
    pub fn new(file: &File) -> Result<Slices, String> {
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
        Ok(Slices {
            file: file.clone(),
            offset: 0,
            total,
            bytes: Vec::with_capacity(total as usize),
        })
    }

    /// The file's size.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The next slice to read, or `None` when all was read.
    pub fn next_slice(&self) -> Result<Option<Blob>, String> {
        if self.offset >= self.total {
            return Ok(None);
        }
        let end = (self.offset + CHUNK).min(self.total);
        self.file
            .slice_with_f64_and_f64(self.offset as f64, end as f64)
            .map(Some)
            .map_err(|e| js_error("cannot slice the file", e))
    }

    /// Takes the bytes of the slice [`Slices::next_slice`] gave; returns the bytes read so far.
    pub fn push(&mut self, buffer: &JsValue) -> u64 {
        let chunk = Uint8Array::new(buffer).to_vec();
        self.offset = (self.offset + CHUNK).min(self.total);
        self.bytes.extend_from_slice(&chunk);
        self.offset
    }
}

/// Reads a whole file slice by slice, calling `progress` with the bytes read so far after each
/// slice and yielding to the event loop so a progress bar can paint.
pub async fn read_file(file: &File, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let mut slices = Slices::new(file)?;
    while let Some(slice) = slices.next_slice()? {
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|e| js_error("cannot read the file", e))?;
        progress(slices.push(&buffer));
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
    Ok(slices.bytes)
}
/// The media type a `blob:` URL of a message's bytes may carry.
///
/// A `blob:` URL has the page's origin: opened in a tab (a link, "open image in new tab",
/// `window.open`) a document of an active type (SVG, HTML, XHTML, XML, PDF, …) would run the
/// message's script as the page and read its session storage, relay token included. Only types
/// a browser shows without running anything keep their type — raster images, audio, video,
/// plain text; everything else becomes `application/octet-stream`, which a browser downloads.
pub fn passive_type(mime: &str) -> &str {
    let essence = mime.split(';').next().unwrap_or("").trim();
    let passive = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "text/plain",
    ]
    .iter()
    .any(|t| essence.eq_ignore_ascii_case(t))
        || ["audio/", "video/"]
            .iter()
            .any(|p| essence.len() > p.len() && essence[..p.len()].eq_ignore_ascii_case(p));
    if passive {
        mime
    } else {
        "application/octet-stream"
    }
}

/// Where an `<img>` shows an image part from: a `blob:` URL for raster images; a `data:` URL
/// for SVG, which an `<img>` shows without running its script and which, opened in a tab, is
/// a document of its own opaque origin, not the page's (see [`passive_type`]).
#[derive(Debug, PartialEq, Eq)]
pub enum ImageSrc {
    /// A raster image.
    Object(ObjectUrl),
    /// An SVG image.
    Data(String),
}

impl ImageSrc {
    /// The source for `bytes` of media type `mime`.
    pub fn new(bytes: &[u8], mime: &str) -> Result<ImageSrc, String> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("image/svg+xml") {
            let data = mailscope_core::codec::base64::encode(bytes);
            Ok(ImageSrc::Data(format!("data:image/svg+xml;base64,{data}")))
        } else {
            ObjectUrl::new(bytes, mime).map(ImageSrc::Object)
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        match self {
            ImageSrc::Object(url) => url.as_str(),
            ImageSrc::Data(url) => url,
        }
    }
}

/// A `blob:` URL for some bytes, revoked when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// Makes a Blob of `bytes` and a URL for it, with media type `mime` if it is passive and
    /// `application/octet-stream` otherwise ([`passive_type`]).
    pub fn new(bytes: &[u8], mime: &str) -> Result<ObjectUrl, String> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let options = BlobPropertyBag::new();
        options.set_type(passive_type(mime));
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
/// shim; workers keep their unhashed names). Fetched when it is first needed: a message opened,
/// an encoded-word asked in a charset the page cannot encode, or the Mailbox's list loaded.
pub const WORKER_URL: &str = "./parse-worker_loader.js";

// The page's side of the parse worker's protocol (the worker's module docs list the messages).
//
// There is one worker, started on first use and shared by every request: parse jobs
// ([`ParseJob`]), encoded-word encodings ([`encode_in_worker`]) and the Mailbox's API answers
// ([`decode_in_worker`]: the JSON is read there, the page gets postcard-encoded views). Each request has an `id`
// that the worker's answers repeat. Requests made before the worker says `ready` wait in a
// queue. Dropping an unfinished [`ParseJob`] stops the worker (the parse cannot be
// interrupted otherwise) and starts a fresh one for the requests still open; the worker is also
// stopped when a parse job ends and nothing else is waiting, so the memory a large message took
// is given back. A worker that cannot start turns parse jobs into [`JobEvent::Unavailable`]
// (the caller parses on the page) and encodings into errors.

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

/// What the worker is given to parse.
#[derive(Clone)]
pub enum JobInput {
    /// A file to read (in slices, in the worker).
    File(File),
    /// Bytes already in memory, with a name (copied to the worker; kept here so the request
    /// can be sent again to a restarted worker).
    Bytes(String, Rc<[u8]>),
}

/// A request kept until its answer, so that it can be sent again to a restarted worker.
#[derive(Clone)]
enum Ask {
    Parse(JobInput),
    Encode {
        text: String,
        charset: String,
        b: bool,
    },
    Api {
        doc: ApiDoc,
        json: Rc<[u8]>,
    },
}

/// Who hears the answers.
enum Listener {
    Parse(Rc<dyn Fn(JobEvent)>),
    Encode(Box<dyn FnOnce(Result<String, String>)>),
    Api(Box<dyn FnOnce(Result<Vec<u8>, String>)>),
}

struct Request {
    ask: Ask,
    listener: Listener,
    sent: bool,
}

/// The running worker and its open requests.
struct Link {
    worker: web_sys::Worker,
    generation: u32,
    ready: bool,
    /// Stopped; replaced by a fresh worker at the next turn of the event loop.
    dead: bool,
    requests: BTreeMap<u32, Request>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.worker.terminate();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

fn next_number() -> u32 {
    NEXT.with(|n| {
        let v = n.get();
        n.set(v.wrapping_add(1).max(1));
        v
    })
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Turns the worker's `done` message back into the view-model.
fn done(data: &JsValue) -> Result<crate::state::message_inspect::Inspected, String> {
    use crate::state::message_inspect::{Inspected, Transfer};
    let model = field(data, "model")
        .dyn_into::<Uint8Array>()
        .map_err(|_| "no view-model from the worker")?
        .to_vec();
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
        model,
        input,
        bodies,
        line_starts,
    })
}

/// Posts one request: `{id, file}`, `{id, name, bytes}`, `{id, encode: {text, charset, b}}` or
/// `{id, api: {doc, json}}`.
fn post(worker: &web_sys::Worker, id: u32, ask: &Ask) -> Result<(), String> {
    let msg = Object::new();
    let set = |o: &Object, k: &str, v: &JsValue| {
        Reflect::set(o, &k.into(), v).map_err(|e| js_error("cannot build a request", e))
    };
    set(&msg, "id", &id.into())?;
    let sent = match ask {
        Ask::Parse(JobInput::File(f)) => {
            set(&msg, "file", f)?;
            worker.post_message(&msg)
        }
        Ask::Parse(JobInput::Bytes(name, bytes)) => {
            let array = Uint8Array::from(&bytes[..]);
            set(&msg, "name", &name.into())?;
            set(&msg, "bytes", &array)?;
            worker.post_message_with_transfer(&msg, &Array::of1(&array.buffer()))
        }
        Ask::Encode { text, charset, b } => {
            let encode = Object::new();
            set(&encode, "text", &text.into())?;
            set(&encode, "charset", &charset.into())?;
            set(&encode, "b", &(*b).into())?;
            set(&msg, "encode", &encode)?;
            worker.post_message(&msg)
        }
        Ask::Api { doc, json } => {
            let api = Object::new();
            set(&api, "doc", &doc.as_str().into())?;
            set(&api, "json", &Uint8Array::from(&json[..]))?;
            set(&msg, "api", &api)?;
            worker.post_message(&msg)
        }
    };
    sent.map_err(|e| js_error("cannot send to the parse worker", e))
}

/// Sends what waits, once the worker is ready; requests that cannot be sent fail.
fn flush(link: &mut Link) -> Vec<(Listener, String)> {
    if !link.ready || link.dead {
        return Vec::new();
    }
    let mut failed = Vec::new();
    let ids: Vec<u32> = link
        .requests
        .iter()
        .filter(|(_, r)| !r.sent)
        .map(|(&id, _)| id)
        .collect();
    for id in ids {
        let Some(r) = link.requests.get_mut(&id) else {
            continue;
        };
        match post(&link.worker, id, &r.ask) {
            Ok(()) => r.sent = true,
            Err(e) => {
                if let Some(r) = link.requests.remove(&id) {
                    failed.push((r.listener, e));
                }
            }
        }
    }
    failed
}

/// Tells a listener that its request failed; `unavailable`: the worker never started.
fn fail(listener: Listener, message: String, unavailable: bool) {
    match listener {
        Listener::Parse(f) if unavailable => f(JobEvent::Unavailable(message)),
        Listener::Parse(f) => f(JobEvent::Failed(message)),
        Listener::Encode(f) if unavailable => {
            f(Err(format!("the parse worker did not start: {message}")))
        }
        Listener::Encode(f) => f(Err(message)),
        Listener::Api(f) if unavailable => {
            f(Err(format!("the parse worker did not start: {message}")))
        }
        Listener::Api(f) => f(Err(message)),
    }
}

/// Replaces a stopped worker (or drops an idle one) at the next turn of the event loop: a
/// worker's handlers must not be dropped while they run.
fn settle_later() {
    yew::platform::spawn_local(async {
        let restart = LINK.with(|l| {
            let mut slot = l.borrow_mut();
            match slot.as_mut() {
                Some(link) if link.dead => {
                    let open = std::mem::take(&mut link.requests);
                    *slot = None;
                    Some(open)
                }
                Some(link) if link.requests.is_empty() => {
                    *slot = None;
                    None
                }
                _ => None,
            }
        });
        if let Some(open) = restart.filter(|o| !o.is_empty()) {
            let mut failed = Vec::new();
            for (id, r) in open {
                if let Err((listener, e)) = submit(id, r.ask, r.listener) {
                    failed.push((listener, e));
                }
            }
            for (listener, e) in failed {
                fail(listener, e, false);
            }
        }
    });
}

/// What the worker's message means for request `id`.
fn on_message(generation: u32, data: &JsValue) {
    let kind = field(data, "type").as_string();
    if kind.as_deref() == Some("ready") {
        let failed = LINK.with(|l| {
            let mut slot = l.borrow_mut();
            match slot.as_mut().filter(|k| k.generation == generation) {
                Some(link) => {
                    link.ready = true;
                    flush(link)
                }
                None => Vec::new(),
            }
        });
        for (listener, e) in failed {
            fail(listener, e, false);
        }
        return;
    }
    let Some(id) = field(data, "id").as_f64().map(|n| n as u32) else {
        return;
    };
    let finished = matches!(
        kind.as_deref(),
        Some("done" | "encoded" | "views" | "error")
    );
    // Take the listener out (or a handle on it) before calling it: it may make requests.
    let (listener, retire) = LINK.with(|l| {
        let mut slot = l.borrow_mut();
        let Some(link) = slot.as_mut().filter(|k| k.generation == generation) else {
            return (None, false);
        };
        if finished {
            let r = link.requests.remove(&id);
            let was_parse = matches!(r.as_ref().map(|r| &r.ask), Some(Ask::Parse(_)));
            (r.map(|r| r.listener), was_parse && link.requests.is_empty())
        } else {
            let listener = link.requests.get(&id).and_then(|r| match &r.listener {
                Listener::Parse(f) => Some(Listener::Parse(f.clone())),
                Listener::Encode(_) | Listener::Api(_) => None,
            });
            (listener, false)
        }
    });
    if retire {
        settle_later();
    }
    let Some(listener) = listener else {
        return;
    };
    match (kind.as_deref(), listener) {
        (Some("progress"), Listener::Parse(f)) => {
            let n = |k| field(data, k).as_f64().unwrap_or(0.0) as u64;
            f(JobEvent::Progress(n("loaded"), n("total")));
        }
        (Some("parsing"), Listener::Parse(f)) => {
            f(JobEvent::Parsing(
                field(data, "size").as_f64().unwrap_or(0.0) as usize,
            ));
        }
        (Some("done"), Listener::Parse(f)) => f(match done(data) {
            Ok(doc) => JobEvent::Done(Box::new(doc)),
            Err(e) => JobEvent::Failed(e),
        }),
        (Some("encoded"), Listener::Encode(f)) => f(field(data, "text")
            .as_string()
            .ok_or_else(|| "no text from the worker".to_string())),
        (Some("error"), listener) => fail(
            listener,
            field(data, "message")
                .as_string()
                .unwrap_or_else(|| "the parse worker failed".into()),
            false,
        ),
        (Some("views"), Listener::Api(f)) => f(field(data, "model")
            .dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .map_err(|_| "no views from the worker".to_string())),
        (_, listener @ (Listener::Encode(_) | Listener::Api(_))) if finished => {
            fail(listener, "the parse worker answered oddly".into(), false)
        }
        (_, Listener::Parse(f)) if finished => {
            f(JobEvent::Failed("the parse worker answered oddly".into()))
        }
        _ => {}
    }
}

/// The worker failed: before `ready` it never started (its script is missing, say).
fn on_error(generation: u32, detail: String) {
    let (open, started) = LINK.with(|l| {
        let mut slot = l.borrow_mut();
        match slot.as_mut().filter(|k| k.generation == generation) {
            Some(link) => {
                link.dead = true;
                link.worker.terminate();
                (std::mem::take(&mut link.requests), link.ready)
            }
            None => (BTreeMap::new(), true),
        }
    });
    settle_later();
    for r in open.into_values() {
        let message = if started {
            format!("the parse worker stopped: {detail}")
        } else {
            detail.clone()
        };
        fail(r.listener, message, !started);
    }
}

fn start_link() -> Result<Link, String> {
    let worker = web_sys::Worker::new(WORKER_URL)
        .map_err(|e| js_error("cannot start the parse worker", e))?;
    let generation = next_number();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            on_message(generation, &e.data())
        });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        e.prevent_default();
        let detail = e
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .unwrap_or_else(|| "the worker script did not load".into());
        on_error(generation, detail);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Link {
        worker,
        generation,
        ready: false,
        dead: false,
        requests: BTreeMap::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Queues request `id` on the worker (starting it if needed) and sends it when it can.
fn submit(id: u32, ask: Ask, listener: Listener) -> Result<(), (Listener, String)> {
    LINK.with(|l| {
        let mut slot = l.borrow_mut();
        if slot.is_none() {
            match start_link() {
                Ok(link) => *slot = Some(link),
                Err(e) => return Err((listener, e)),
            }
        }
        let Some(link) = slot.as_mut() else {
            return Err((listener, "no parse worker".into()));
        };
        link.requests.insert(
            id,
            Request {
                ask,
                listener,
                sent: false,
            },
        );
        Ok(flush(link))
    })
    .map(|failed| {
        for (listener, e) in failed {
            fail(listener, e, false);
        }
    })
}

/// A message being read and parsed in the parse worker. Dropping it before it ends stops the
/// work (opening another message replaces the job); dropping it after it ended does nothing.
pub struct ParseJob {
    id: u32,
}

impl Drop for ParseJob {
    fn drop(&mut self) {
        let id = self.id;
        let stop = LINK.with(|l| {
            let mut slot = l.borrow_mut();
            let Some(link) = slot.as_mut() else {
                return false;
            };
            if link.requests.remove(&id).is_none() {
                return false;
            }
            // The worker may be busy with it: stop the worker; the other requests go to a
            // fresh one.
            link.dead = true;
            link.worker.terminate();
            for r in link.requests.values_mut() {
                r.sent = false;
            }
            true
        });
        if stop {
            settle_later();
        }
    }
}

impl ParseJob {
    /// Hands `input` to the parse worker; `on_event` hears progress and the result. The
    /// worker script is fetched on first use (the browser caches it afterwards).
    pub fn start(
        input: JobInput,
        on_event: impl Fn(JobEvent) + 'static,
    ) -> Result<ParseJob, String> {
        let id = next_number();
        submit(id, Ask::Parse(input), Listener::Parse(Rc::new(on_event))).map_err(|(_, e)| e)?;
        Ok(ParseJob { id })
    }
}

/// Encodes `text` as RFC 2047 encoded-words in `charset` (`b`: B, else Q) in the parse worker,
/// which has every charset's encoder; `on_answer` hears the words or the core's error.
pub fn encode_in_worker(
    text: &str,
    charset: &str,
    b: bool,
    on_answer: impl FnOnce(Result<String, String>) + 'static,
) {
    let ask = Ask::Encode {
        text: text.into(),
        charset: charset.into(),
        b,
    };
    if let Err((listener, e)) = submit(next_number(), ask, Listener::Encode(Box::new(on_answer))) {
        fail(listener, e, false);
    }
}

/// Reads an answer of `mailscope serve`'s API (`json`, the body of the document `doc`) in the
/// parse worker; `on_answer` hears the Mailbox's views in postcard's binary form (decode them
/// with [`crate::state::mailbox::decode_views`]) or why the answer is refused.
pub fn decode_in_worker(
    doc: ApiDoc,
    json: Rc<[u8]>,
    on_answer: impl FnOnce(Result<Vec<u8>, String>) + 'static,
) {
    let ask = Ask::Api { doc, json };
    if let Err((listener, e)) = submit(next_number(), ask, Listener::Api(Box::new(on_answer))) {
        fail(listener, e, false);
    }
}

#[cfg(test)]
mod tests {
    use super::passive_type;

    #[test]
    fn only_passive_types_keep_their_type_in_blob_urls() {
        for (mime, want) in [
            ("image/png", "image/png"),
            ("IMAGE/JPEG", "IMAGE/JPEG"),
            ("text/plain; charset=utf-8", "text/plain; charset=utf-8"),
            ("audio/ogg", "audio/ogg"),
            ("video/mp4", "video/mp4"),
            ("image/svg+xml", "application/octet-stream"),
            ("Image/SVG+XML; charset=utf-8", "application/octet-stream"),
            ("text/html; charset=utf-8", "application/octet-stream"),
            ("application/xhtml+xml", "application/octet-stream"),
            ("text/xml", "application/octet-stream"),
            ("application/xml", "application/octet-stream"),
            ("application/pdf", "application/octet-stream"),
            ("message/rfc822", "application/octet-stream"),
            ("multipart/related", "application/octet-stream"),
            ("audio/", "application/octet-stream"),
            ("", "application/octet-stream"),
        ] {
            assert_eq!(passive_type(mime), want, "{mime:?}");
        }
    }
}
