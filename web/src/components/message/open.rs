//! Opening a message: a file input, a drop zone, and a paste box, with progress.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{DragEvent, File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::services::worker::{JobEvent, JobInput, ParseJob};
use crate::state::error::Shown;
use crate::state::i18n::{key, tr, trf, Lang};
use crate::state::message::{pasted_bytes, Action, Doc, Loading, OpenError};

/// Properties of [`Opener`].
#[derive(Properties, PartialEq)]
pub struct OpenerProps {
    /// Progress of the current load.
    pub loading: Loading,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// Pasted text up to this size is parsed on the page; larger goes to the worker.
const PASTE_ON_PAGE: usize = 1024 * 1024;

thread_local! {
    /// The message being read and parsed off the main thread (one at a time: opening another
    /// stops the previous parse). Kept outside the component so switching tabs does not stop it;
    /// a finished job is kept until replaced (dropping it then does nothing).
    static JOB: RefCell<Option<ParseJob>> = const { RefCell::new(None) };
}

/// Reads and parses `input` (in the worker, or on the page for a small paste), reporting to
/// the Message view.
fn run_job(input: JobInput, name: String, dispatch: Callback<Action>, in_worker: bool) {
    let events = move |e: JobEvent| match e {
        JobEvent::Progress(n, _) => dispatch.emit(Action::ReadProgress(n)),
        JobEvent::Parsing(size) => dispatch.emit(Action::Parsing {
            name: name.clone(),
            size,
        }),
        JobEvent::Done(doc) => dispatch.emit(Action::Loaded(Doc(Rc::from(doc)))),
        JobEvent::Failed(e) => dispatch.emit(Action::Failed(OpenError::Worker(e))),
    };
    let job = if in_worker {
        ParseJob::start(input, events)
    } else {
        ParseJob::here(input, events)
    };
    JOB.with(|j| *j.borrow_mut() = Some(job));
}

fn load_file(f: File, dispatch: Callback<Action>) {
    let name = f.name();
    dispatch.emit(Action::ReadStarted {
        name: name.clone(),
        total: f.size() as u64,
    });
    run_job(JobInput::File(f), name, dispatch, true);
}

fn load_pasted(bytes: Vec<u8>, dispatch: Callback<Action>) {
    let name = key("pasted").to_string();
    let in_worker = bytes.len() > PASTE_ON_PAGE;
    let input = JobInput::Bytes(name.clone(), bytes.into());
    run_job(input, name, dispatch, in_worker);
}

/// Where messages come in.
#[function_component(Opener)]
pub fn opener(props: &OpenerProps) -> Html {
    let lang = use_lang();
    let paste = use_node_ref();
    let dragging = use_state(|| false);
    let on_file = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|fs| fs.get(0)) {
                load_file(f, dispatch.clone());
            }
            // Let the same file be opened again.
            input.set_value("");
        })
    };
    let on_drop = {
        let dispatch = props.dispatch.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            match e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|fs| fs.get(0))
            {
                Some(f) => load_file(f, dispatch.clone()),
                None => dispatch.emit(Action::Failed(OpenError::NoFile)),
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_paste_go = {
        let dispatch = props.dispatch.clone();
        let paste = paste.clone();
        Callback::from(move |_| {
            let Some(area) = paste.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = area.value();
            if text.trim().is_empty() {
                dispatch.emit(Action::Failed(OpenError::EmptyPaste));
                return;
            }
            load_pasted(pasted_bytes(&text), dispatch.clone());
        })
    };
    let busy = props.loading.busy();
    html! {
        <section class={classes!("opener", (*dragging).then_some("dragging"))}
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}
            aria-label={tr(lang, "Open a message")}>
            <div class="open-row">
                <label for="eml-file" class="file-label">{ tr(lang, "Open an .eml file") }</label>
                <input id="eml-file" type="file" accept=".eml,message/rfc822,text/plain" onchange={on_file} disabled={busy} />
                <span class="muted">{ tr(lang, "or drop one anywhere in this box, or paste below.") }</span>
            </div>
            <details class="paste">
                <summary>{ tr(lang, "Paste a message") }</summary>
                <label for="eml-paste" class="visually-hidden">{ tr(lang, "Message source") }</label>
                <textarea id="eml-paste" ref={paste} rows="8" spellcheck="false"
                    placeholder={tr(lang, "From: …\nSubject: …\n\nBody")} />
                <p class="muted">{ tr(lang, "Line ends typed or pasted here become CR LF.") }</p>
                <button type="button" id="eml-paste-go" onclick={on_paste_go} disabled={busy}>{ tr(lang, "Inspect pasted text") }</button>
            </details>
            { progress(lang, &props.loading) }
        </section>
    }
}

/// What a load is doing: reading with a progress bar, parsing, or why it failed (also shown by
/// the Mailbox while its selected message is parsed).
pub(crate) fn progress(lang: Lang, loading: &Loading) -> Html {
    match loading {
        Loading::Idle => html! {},
        Loading::Reading {
            name,
            loaded,
            total,
        } => html! {
            <div class="progress" role="status">
                <label for="load-progress">{ trf(lang, "Reading {name}: {loaded} of {total} bytes", &[("name", name), ("loaded", loaded), ("total", total)]) }</label>
                <progress id="load-progress" max={total.to_string()} value={loaded.to_string()} />
                <span class="muted">{ tr(lang, "The page stays usable while the message is read and parsed in the background.") }</span>
            </div>
        },
        Loading::Parsing { name, size } => html! {
            <div class="progress" role="status">
                <label for="load-progress">{ trf(lang, "Parsing {name} ({size} bytes)…", &[("name", name), ("size", size)]) }</label>
                <progress id="load-progress" />
            </div>
        },
        Loading::Failed(e) => html! { <ErrorNote error={Shown::of(e, lang)} /> },
    }
}
