//! Export buttons: the text is handed to the browser as a download (`services::file::download`).

use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::share::{ShareButton, ShareSource};
use crate::services::file::download;
use crate::services::worker;
use crate::state::error::{Shown, UserError};
use crate::state::i18n::tr;
use crate::state::share::ShareKind;
use crate::state::transcript::{ExportSource, TranscriptError};

/// Properties of [`ExportButtons`].
#[derive(Properties, PartialEq)]
pub struct ExportButtonsProps {
    /// The S:/C: text.
    pub text: AttrValue,
    /// What the versioned JSON is made from, asked for on click only; the worker writes the
    /// JSON ([`ExportSource`], [`worker::export_json`]).
    pub json: Callback<(), ExportSource>,
    /// File name stem.
    pub name: AttrValue,
    /// Also "Copy link" (a view with a Share tab of its own leaves it out).
    #[prop_or(true)]
    pub share: bool,
}

/// "Export text" and "Export JSON".
#[function_component(ExportButtons)]
pub fn export_buttons(props: &ExportButtonsProps) -> Html {
    let lang = use_lang();
    let error = use_state(|| None::<TranscriptError>);
    let on_text = {
        let error = error.clone();
        let name = format!("{}.txt", props.name);
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| {
            error.set(
                download(text.as_bytes(), &name, "text/plain;charset=utf-8")
                    .err()
                    .map(|_| TranscriptError::DownloadFailed),
            )
        })
    };
    let on_json = {
        let error = error.clone();
        let name = format!("{}.json", props.name);
        let source = props.json.clone();
        Callback::from(move |_: MouseEvent| {
            let (error, name) = (error.clone(), name.clone());
            let written = move |json: Result<String, String>| {
                error.set(match json {
                    Err(_) => Some(TranscriptError::ExportFailed),
                    Ok(json) => download(json.as_bytes(), &name, "application/json")
                        .err()
                        .map(|_| TranscriptError::DownloadFailed),
                })
            };
            let source = source.emit(());
            wasm_bindgen_futures::spawn_local(async move {
                written(worker::export_json(source).await.map_err(|e| e.what(lang)));
            });
        })
    };
    let empty = props.text.is_empty();
    html! {
        <div class="button-row export">
            <button type="button" id={format!("{}-export-text", props.name)} disabled={empty}
                onclick={on_text}>{ tr(lang, "Export S:/C: text") }</button>
            <button type="button" id={format!("{}-export-json", props.name)} disabled={empty}
                onclick={on_json}>{ tr(lang, "Export JSON") }</button>
            if let Some(e) = &*error { <ErrorNote error={Shown::of(e, lang)} /> }
            if !empty && props.share {
                <ShareButton kind={ShareKind::Transcript} source={ShareSource::Text(props.text.clone())} id={format!("{}-share", props.name)} />
            }
        </div>
    }
}
