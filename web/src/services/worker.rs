//! The page's side of the worker ([`crate::worker`]; the channel is
//! [`crate::worker::protocol`]), the one client every view uses.
//!
//! There is one worker, started on first use and shared by every request: parse jobs
//! ([`ParseJob`], which parse on the page when no worker runs), encoded-word encodings ([`encode`]), the Mailbox's API answers
//! ([`read_api`]), transcript exports ([`export_json`]), the authenticity checks
//! ([`authenticate`]), DKIM signing ([`sign`], [`make_key`]) and the DKIM lesson's panels
//! ([`dkim_lesson`]). Requests made before the worker says
//! `Ready` wait in a queue; a worker that is not ready within [`READY_TIMEOUT_S`] seconds (its
//! wasm did not load: a failure the page is otherwise never told of) fails them with
//! [`WorkerError::NoAnswer`]. Dropping an unfinished [`ParseJob`] stops the worker (a parse
//! cannot be interrupted otherwise) and starts a fresh one for the requests still open; the
//! worker is also stopped when a parse job ends and nothing else waits, so the memory a large
//! message took is given back.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::pinned::oneshot;

use crate::services::file::{js_text, read_file};
use crate::state::learn::dkim::{DkimDemo, DkimLessonView};
use crate::state::mailbox::{ApiDoc, ApiViews};
use crate::state::message::auth::{AuthInput, AuthOutcome, LookedUp};
use crate::state::message::sign::{SignRequest, Signed};
use crate::state::message::Inspected;
use crate::state::transcript::ExportSource;
use crate::worker::protocol::{
    parsed_from_side, Envelope, JobError, Side, WorkerError, WorkerEvent, WorkerRequest, WORKER_URL,
};

/// How long a started worker may take to say it is ready.
pub const READY_TIMEOUT_S: u32 = 20;

/// An answer (final or not) to a request, with its side list.
type Heard = Result<(WorkerEvent, Vec<Side>), WorkerError>;

/// Who hears a request's answers.
type Listener = Rc<dyn Fn(Heard)>;

/// A request kept until its final answer, so that it can be sent again to a restarted worker.
struct Request {
    body: WorkerRequest,
    side: Vec<Side>,
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
    static NEXT: Cell<u32> = const { Cell::new(1) };
}

fn next_number() -> u32 {
    NEXT.with(|n| {
        let v = n.get();
        n.set(v.wrapping_add(1).max(1));
        v
    })
}

/// Posts request `id`.
fn post(worker: &web_sys::Worker, id: u32, r: &Request) -> Result<(), WorkerError> {
    let (message, transfer) = Envelope {
        id,
        body: r.body.clone(),
        side: r.side.clone(),
    }
    .into_js()
    .map_err(|detail| WorkerError::Garbled { detail })?;
    worker
        .post_message_with_transfer(&message, &transfer)
        .map_err(|e| WorkerError::Stopped {
            detail: js_text(&e),
        })
}

/// Sends what waits, once the worker is ready; requests that cannot be sent fail.
fn flush(link: &mut Link) -> Vec<(Listener, WorkerError)> {
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
        match post(&link.worker, id, r) {
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

fn fail_all(failed: Vec<(Listener, WorkerError)>) {
    for (listener, e) in failed {
        listener(Err(e));
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
        for (id, r) in restart.unwrap_or_default() {
            submit(id, r);
        }
    });
}

/// What the worker's message means.
fn on_message(generation: u32, data: &wasm_bindgen::JsValue) {
    let (id, body, side) = match Envelope::<WorkerEvent>::from_js(data) {
        Ok(Envelope { id, body, side }) => (id, body, side),
        Err(detail) => {
            // Unreadable: a worker of another build. Fail what it was asked.
            stop(generation, WorkerError::Garbled { detail });
            return;
        }
    };
    if body == WorkerEvent::Ready {
        let failed = LINK.with(|l| match l.borrow_mut().as_mut() {
            Some(link) if link.generation == generation => {
                link.ready = true;
                flush(link)
            }
            _ => Vec::new(),
        });
        fail_all(failed);
        return;
    }
    let last = body.is_final();
    // Take the listener out (or a handle on it) before calling it: it may make requests.
    let (listener, retire) = LINK.with(|l| {
        let mut slot = l.borrow_mut();
        let Some(link) = slot.as_mut().filter(|k| k.generation == generation) else {
            return (None, false);
        };
        if last {
            let r = link.requests.remove(&id);
            let was_parse = r.as_ref().is_some_and(|r| {
                matches!(
                    r.body,
                    WorkerRequest::ParseFile | WorkerRequest::ParseBytes { .. }
                )
            });
            (r.map(|r| r.listener), was_parse && link.requests.is_empty())
        } else {
            (link.requests.get(&id).map(|r| r.listener.clone()), false)
        }
    });
    if retire {
        settle_later();
    }
    if let Some(listener) = listener {
        listener(match body {
            WorkerEvent::Failed { error } => Err(WorkerError::Job(error)),
            body => Ok((body, side)),
        });
    }
}

/// Stops worker `generation` and fails its open requests with `error`.
fn stop(generation: u32, error: WorkerError) {
    let open = LINK.with(|l| match l.borrow_mut().as_mut() {
        Some(link) if link.generation == generation => {
            link.dead = true;
            link.worker.terminate();
            std::mem::take(&mut link.requests)
        }
        _ => BTreeMap::new(),
    });
    settle_later();
    for r in open.into_values() {
        (r.listener)(Err(error.clone()));
    }
}

fn start_link() -> Result<Link, WorkerError> {
    let worker = web_sys::Worker::new(WORKER_URL).map_err(|e| WorkerError::NotStarted {
        detail: js_text(&e),
    })?;
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
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| format!("{WORKER_URL} did not load"));
        let started = LINK.with(|l| {
            l.borrow()
                .as_ref()
                .is_some_and(|k| k.generation == generation && k.ready)
        });
        stop(
            generation,
            if started {
                WorkerError::Stopped { detail }
            } else {
                WorkerError::NotStarted { detail }
            },
        );
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // A worker whose wasm cannot be fetched fails inside itself, silently for the page.
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(Duration::from_secs(u64::from(READY_TIMEOUT_S))).await;
        let silent = LINK.with(|l| {
            l.borrow()
                .as_ref()
                .is_some_and(|k| k.generation == generation && !k.ready && !k.dead)
        });
        if silent {
            stop(
                generation,
                WorkerError::NoAnswer {
                    seconds: READY_TIMEOUT_S,
                },
            );
        }
    });
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
fn submit(id: u32, request: Request) {
    let outcome = LINK.with(|l| {
        let mut slot = l.borrow_mut();
        if slot.is_none() {
            match start_link() {
                Ok(link) => *slot = Some(link),
                Err(e) => return Err((request.listener, e)),
            }
        }
        match slot.as_mut() {
            Some(link) => {
                link.requests.insert(id, request);
                Ok(flush(link))
            }
            None => Err((
                request.listener,
                WorkerError::NotStarted {
                    detail: "no worker".into(),
                },
            )),
        }
    });
    match outcome {
        Ok(failed) => fail_all(failed),
        Err((listener, e)) => listener(Err(e)),
    }
}

fn ask_with(body: WorkerRequest, side: Vec<Side>, listener: Listener) -> u32 {
    let id = next_number();
    submit(
        id,
        Request {
            body,
            side,
            listener,
            sent: false,
        },
    );
    id
}

/// Asks the worker once and waits for the final answer.
async fn ask(
    body: WorkerRequest,
    side: Vec<Side>,
) -> Result<(WorkerEvent, Vec<Side>), WorkerError> {
    let (tx, rx) = oneshot::channel();
    let tx = RefCell::new(Some(tx));
    let listener: Listener = Rc::new(move |heard: Heard| {
        let last = heard.as_ref().map_or(true, |(e, _)| e.is_final());
        if let (true, Some(tx)) = (last, tx.borrow_mut().take()) {
            let _ = tx.send(heard);
        }
    });
    ask_with(body, side, listener);
    rx.await.unwrap_or_else(|_| {
        Err(WorkerError::Stopped {
            detail: "the request was dropped".into(),
        })
    })
}

fn unexpected(event: &WorkerEvent) -> WorkerError {
    WorkerError::Garbled {
        detail: format!("an unexpected answer ({event:?})"),
    }
}

/// Encodes `text` as RFC 2047 encoded-words in `charset` (`b`: B, else Q) in the worker, which
/// has every charset's encoder.
pub async fn encode(text: &str, charset: &str, b: bool) -> Result<String, WorkerError> {
    let request = WorkerRequest::Encode {
        text: text.into(),
        charset: charset.into(),
        b,
    };
    match ask(request, Vec::new()).await? {
        (WorkerEvent::Encoded { words }, _) => Ok(words),
        (other, _) => Err(unexpected(&other)),
    }
}

/// Reads an answer of `mailscope serve`'s API (`json`, the body of the document `doc`) in the
/// worker, into the Mailbox's views.
pub async fn read_api(doc: ApiDoc, json: Vec<u8>) -> Result<ApiViews, WorkerError> {
    match ask(WorkerRequest::ReadApi { doc }, vec![Side::Bytes(json)]).await? {
        (WorkerEvent::Views { views }, _) => Ok(views),
        (other, _) => Err(unexpected(&other)),
    }
}

/// Checks `message`'s DKIM, SPF, DMARC and ARC in the worker with the reader's records at `now`
/// (Unix seconds). There is no page fallback: the signature crypto is not in the page's code.
pub async fn authenticate(
    message: &[u8],
    input: AuthInput,
    looked_up: Vec<LookedUp>,
    now: u64,
) -> Result<AuthOutcome, WorkerError> {
    let request = WorkerRequest::Authenticate {
        input,
        looked_up,
        now,
    };
    match ask(request, vec![Side::Bytes(message.to_vec())]).await? {
        (WorkerEvent::Authenticated { outcome }, _) => Ok(outcome),
        (other, _) => Err(unexpected(&other)),
    }
}

/// Signs `message` with DKIM in the worker (the signing crypto is not in the page's code).
pub async fn sign(message: &[u8], request: SignRequest) -> Result<Signed, WorkerError> {
    match ask(
        WorkerRequest::Sign { request },
        vec![Side::Bytes(message.to_vec())],
    )
    .await?
    {
        (WorkerEvent::Signed { signed }, _) => Ok(signed),
        (other, _) => Err(unexpected(&other)),
    }
}

/// A fresh Ed25519 test key (PEM), made in the worker from the browser's random numbers.
pub async fn make_key() -> Result<String, WorkerError> {
    match ask(WorkerRequest::MakeKey, Vec::new()).await? {
        (WorkerEvent::Key { pem }, _) => Ok(pem),
        (other, _) => Err(unexpected(&other)),
    }
}

/// A panel of the DKIM lesson, signed and verified by the core in the worker.
pub async fn dkim_lesson(demo: DkimDemo) -> Result<DkimLessonView, WorkerError> {
    match ask(WorkerRequest::DkimLesson { demo }, Vec::new()).await? {
        (WorkerEvent::DkimLesson { view }, _) => Ok(*view),
        (other, _) => Err(unexpected(&other)),
    }
}

/// A transcript's versioned JSON document, written by the worker: the page links no JSON
/// writer for it.
pub async fn export_json(source: ExportSource) -> Result<String, WorkerError> {
    match ask(WorkerRequest::ExportJson { source }, Vec::new()).await? {
        (WorkerEvent::Exported { json }, _) => Ok(json),
        (other, _) => Err(unexpected(&other)),
    }
}

/// What a [`ParseJob`] reports.
#[derive(Debug)]
pub enum JobEvent {
    /// Bytes read so far, and the file size.
    Progress(u64, u64),
    /// Reading done; the core is parsing this many bytes.
    Parsing(usize),
    /// The parsed message.
    Done(Box<Inspected>),
    /// It failed.
    Failed(WorkerError),
}

/// What is given to parse.
#[derive(Clone)]
pub enum JobInput {
    /// A file to read in slices.
    File(web_sys::File),
    /// Bytes already in memory, with a name.
    Bytes(String, Rc<[u8]>),
}

/// A message being read and parsed: in the worker, or on the page when no worker runs (one
/// routine for every view). Dropping it before it ends stops the work (opening another
/// message replaces the job) and silences it; dropping it after it ended does nothing.
pub struct ParseJob {
    /// The worker request, if the job went to the worker.
    id: Option<u32>,
    /// Cleared when the job is dropped: nothing more is reported.
    live: Rc<Cell<bool>>,
}

impl Drop for ParseJob {
    fn drop(&mut self) {
        self.live.set(false);
        let Some(id) = self.id else {
            return;
        };
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

/// Reads (with progress) and parses on the page, after giving the browser a frame to paint the
/// "parsing" state.
async fn parse_here(input: JobInput, emit: Rc<dyn Fn(JobEvent)>) {
    let (name, bytes) = match input {
        JobInput::File(f) => {
            let (total, progress) = (f.size() as u64, emit.clone());
            match read_file(&f, move |n| progress(JobEvent::Progress(n, total))).await {
                Ok(bytes) => (f.name(), bytes),
                Err(e) => return emit(JobEvent::Failed(WorkerError::Job(JobError::File(e)))),
            }
        }
        JobInput::Bytes(name, bytes) => (name, bytes.to_vec()),
    };
    emit(JobEvent::Parsing(bytes.len()));
    yew::platform::time::sleep(Duration::from_millis(16)).await;
    emit(match Inspected::open(name, bytes) {
        Ok(doc) => JobEvent::Done(Box::new(doc)),
        Err(e) => JobEvent::Failed(WorkerError::Job(JobError::NotText(e))),
    });
}

/// `on_event`, silenced once `live` is cleared.
fn while_live(
    live: &Rc<Cell<bool>>,
    on_event: impl Fn(JobEvent) + 'static,
) -> Rc<dyn Fn(JobEvent)> {
    let live = live.clone();
    Rc::new(move |e| {
        if live.get() {
            on_event(e)
        }
    })
}

impl ParseJob {
    /// Hands `input` to the worker; `on_event` hears progress and the result. When no worker
    /// runs ([`WorkerError::is_unavailable`]), the page reads and parses it instead. The worker
    /// script is fetched on first use (the browser caches it afterwards).
    pub fn start(input: JobInput, on_event: impl Fn(JobEvent) + 'static) -> ParseJob {
        let live = Rc::new(Cell::new(true));
        let emit = while_live(&live, on_event);
        let (body, side) = match &input {
            JobInput::File(f) => (WorkerRequest::ParseFile, vec![Side::File(f.clone())]),
            JobInput::Bytes(name, bytes) => (
                WorkerRequest::ParseBytes { name: name.clone() },
                vec![Side::Bytes(bytes.to_vec())],
            ),
        };
        let fallback = RefCell::new(Some(input));
        let listener: Listener = Rc::new(move |heard: Heard| {
            let event = match heard {
                Ok((WorkerEvent::Progress { loaded, total }, _)) => {
                    JobEvent::Progress(loaded, total)
                }
                Ok((WorkerEvent::Parsing { size }, _)) => JobEvent::Parsing(size as usize),
                Ok((WorkerEvent::Parsed, side)) => match parsed_from_side(side).and_then(|t| {
                    Inspected::from_transfer(t).map_err(|detail| WorkerError::Garbled { detail })
                }) {
                    Ok(doc) => JobEvent::Done(Box::new(doc)),
                    Err(e) => JobEvent::Failed(e),
                },
                Ok((other, _)) => JobEvent::Failed(unexpected(&other)),
                Err(e) if e.is_unavailable() => match fallback.borrow_mut().take() {
                    Some(input) => {
                        yew::platform::spawn_local(parse_here(input, emit.clone()));
                        return;
                    }
                    None => JobEvent::Failed(e),
                },
                Err(e) => JobEvent::Failed(e),
            };
            emit(event);
        });
        ParseJob {
            id: Some(ask_with(body, side, listener)),
            live,
        }
    }

    /// Parses `input` on the page (small inputs, where starting the worker costs more than the
    /// parse); `on_event` hears the same events as from [`ParseJob::start`].
    pub fn here(input: JobInput, on_event: impl Fn(JobEvent) + 'static) -> ParseJob {
        let live = Rc::new(Cell::new(true));
        yew::platform::spawn_local(parse_here(input, while_live(&live, on_event)));
        ParseJob { id: None, live }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::state::error::UserError;
    use crate::state::i18n::Lang;

    #[wasm_bindgen_test]
    async fn a_worker_that_cannot_start_is_reported_with_what_to_do() {
        // The test page serves no worker script: the request fails, typed, and says what to do.
        let e = encode("안녕", "EUC-KR", true)
            .await
            .expect_err("no worker script on the test page");
        assert!(e.is_unavailable(), "{e:?}");
        assert!(e.next_step(Lang::En).contains("cargo xtask run"), "{e:?}");
        // A parse job is then done on the page.
        let (tx, rx) = oneshot::channel();
        let tx = RefCell::new(Some(tx));
        let _job = ParseJob::start(
            JobInput::Bytes("m.eml".into(), b"Subject: x\r\n\r\nhi\r\n"[..].into()),
            move |event| {
                if let JobEvent::Done(doc) = event {
                    if let Some(tx) = tx.borrow_mut().take() {
                        let _ = tx.send(doc);
                    }
                }
            },
        );
        let doc = rx.await.expect("parsed on the page");
        assert_eq!(doc.subject(), Some("x"));
    }
}
