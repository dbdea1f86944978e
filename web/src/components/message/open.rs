//! Opening a message: a file input, a drop zone, and a paste box, with progress.

use std::time::Duration;

use web_sys::{DragEvent, File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::services::file;
use crate::state::message::{pasted_bytes, Action, Loading};
use crate::state::message_inspect::Inspected;

/// Properties of [`Opener`].
#[derive(Properties, PartialEq)]
pub struct OpenerProps {
    /// Progress of the current load.
    pub loading: Loading,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// Parses after giving the browser a frame to paint the "parsing" state.
async fn parse_and_load(name: String, bytes: Vec<u8>, dispatch: Callback<Action>) {
    dispatch.emit(Action::Parsing {
        name: name.clone(),
        size: bytes.len(),
    });
    yew::platform::time::sleep(Duration::from_millis(16)).await;
    let doc = Inspected::new(name, bytes);
    dispatch.emit(Action::Loaded(doc.into()));
}

fn load_file(f: File, dispatch: Callback<Action>) {
    yew::platform::spawn_local(async move {
        let name = f.name();
        dispatch.emit(Action::ReadStarted {
            name: name.clone(),
            total: f.size() as u64,
        });
        yew::platform::time::sleep(Duration::ZERO).await;
        let progress = dispatch.clone();
        match file::read_file(&f, move |n| progress.emit(Action::ReadProgress(n))).await {
            Ok(bytes) => parse_and_load(name, bytes, dispatch).await,
            Err(e) => dispatch.emit(Action::Failed(e)),
        }
    });
}

/// Where messages come in.
#[function_component(Opener)]
pub fn opener(props: &OpenerProps) -> Html {
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
                None => dispatch.emit(Action::Failed("drop a file (an .eml)".into())),
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
                dispatch.emit(Action::Failed("paste a message first".into()));
                return;
            }
            let dispatch = dispatch.clone();
            yew::platform::spawn_local(async move {
                parse_and_load("pasted".into(), pasted_bytes(&text), dispatch).await;
            });
        })
    };
    let busy = props.loading.busy();
    html! {
        <section class={classes!("opener", (*dragging).then_some("dragging"))}
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}
            aria-label="Open a message">
            <div class="open-row">
                <label for="eml-file" class="file-label">{"Open an .eml file"}</label>
                <input id="eml-file" type="file" accept=".eml,message/rfc822,text/plain" onchange={on_file} disabled={busy} />
                <span class="muted">{"or drop one anywhere in this box, or paste below."}</span>
            </div>
            <details class="paste">
                <summary>{"Paste a message"}</summary>
                <label for="eml-paste" class="visually-hidden">{"Message source"}</label>
                <textarea id="eml-paste" ref={paste} rows="8" spellcheck="false"
                    placeholder={"From: …\nSubject: …\n\nBody"} />
                <p class="muted">{"Line ends typed or pasted here become CR LF."}</p>
                <button type="button" id="eml-paste-go" onclick={on_paste_go} disabled={busy}>{"Inspect pasted text"}</button>
            </details>
            { progress(&props.loading) }
        </section>
    }
}

fn progress(loading: &Loading) -> Html {
    match loading {
        Loading::Idle => html! {},
        Loading::Reading {
            name,
            loaded,
            total,
        } => html! {
            <div class="progress" role="status">
                <label for="load-progress">{ format!("Reading {name}: {loaded} of {total} bytes") }</label>
                <progress id="load-progress" max={total.to_string()} value={loaded.to_string()} />
            </div>
        },
        Loading::Parsing { name, size } => html! {
            <div class="progress" role="status">
                <label for="load-progress">{ format!("Parsing {name} ({size} bytes)…") }</label>
                <progress id="load-progress" />
            </div>
        },
        Loading::Failed(e) => html! { <p class="error" role="alert">{ e }</p> },
    }
}
