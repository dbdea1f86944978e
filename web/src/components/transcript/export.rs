//! Export buttons: the text is handed to the browser as a Blob download.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::components::share::{ShareButton, ShareSource};
use crate::services::lazy;
use crate::state::i18n::tr;
use crate::state::share::ShareKind;
use crate::state::transcript::ExportSource;

/// Offers `text` as a file download named `name`. Errors are returned for the UI to show.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("download failed: {what}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| fail("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("object URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("anchor"))?
        .dyn_into()
        .map_err(|_| fail("anchor"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Properties of [`ExportButtons`].
#[derive(Properties, PartialEq)]
pub struct ExportButtonsProps {
    /// The S:/C: text.
    pub text: AttrValue,
    /// What the versioned JSON is made from, asked for on click only; the lazily loaded module
    /// writes the JSON ([`ExportSource`], [`lazy::export_json`]).
    pub json: Callback<(), ExportSource>,
    /// File name stem.
    pub name: AttrValue,
}

/// "Export text" and "Export JSON".
#[function_component(ExportButtons)]
pub fn export_buttons(props: &ExportButtonsProps) -> Html {
    let lang = use_lang();
    let error = use_state(|| None::<String>);
    let on_text = {
        let error = error.clone();
        let name = format!("{}.txt", props.name);
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| {
            error.set(download(&name, "text/plain;charset=utf-8", &text).err())
        })
    };
    let on_json = {
        let error = error.clone();
        let name = format!("{}.json", props.name);
        let source = props.json.clone();
        Callback::from(move |_: MouseEvent| {
            let (error, name) = (error.clone(), name.clone());
            let written = move |json: Result<String, String>| {
                error.set(
                    json.and_then(|json| download(&name, "application/json", &json))
                        .err(),
                )
            };
            let source = source.emit(());
            wasm_bindgen_futures::spawn_local(async move {
                written(lazy::export_json(&source).await);
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
            if let Some(e) = &*error { <span class="error" role="alert">{ e }</span> }
            if !empty {
                <ShareButton kind={ShareKind::Transcript} source={ShareSource::Text(props.text.clone())} id={format!("{}-share", props.name)} />
            }
        </div>
    }
}
