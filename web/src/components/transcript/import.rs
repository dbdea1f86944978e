//! Paste, open or drop a transcript and read it with the core's annotator.

use std::rc::Rc;

use mailscope_core::smtp::transcript::ladder::Ladder;
use mailscope_core::smtp::transcript::Format;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use super::export::ExportButtons;
use super::ladder::LadderDiagram;
use super::table::TranscriptTable;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::session::field::{Check, Field, Select};
use crate::components::share::use_share_restore;
use crate::state::error::Shown;
use crate::state::i18n::{tr, tr_text, trf};
use crate::state::share::ShareKind;
use crate::state::transcript::{
    export_text, format_name, ImportAction, ImportModel, TranscriptError,
};

const EXAMPLE: &str = "S: 220 mx.example.org ESMTP\nC: EHLO client.example\nS: 250-mx.example.org\nS: 250 PIPELINING\nC: RCPT TO:<bob@example.org>\nS: 503 5.5.1 Error: need MAIL command\nC: QUIT\nS: 221 2.0.0 Bye\n";

fn read_file(
    file: File,
    apply: Callback<ImportAction>,
    error: UseStateHandle<Option<TranscriptError>>,
) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                error.set(None);
                apply.emit(ImportAction::File { name, bytes });
            }
            Err(_) => error.set(Some(TranscriptError::Unreadable { name })),
        }
    });
}

/// Ignored lines listed by line number; the rest are counted.
const IGNORED_SHOWN: usize = 100;

/// The import panel.
#[function_component(ImportPanel)]
pub fn import_panel() -> Html {
    let lang = use_lang();
    let model = use_state(ImportModel::default);
    let error = use_state(|| None::<TranscriptError>);
    let text = use_state(String::new);
    let apply = {
        let model = model.clone();
        Callback::from(move |action: ImportAction| {
            let mut m = (*model).clone();
            m.apply(action);
            model.set(m);
        })
    };
    let on_input = {
        let apply = apply.clone();
        let text = text.clone();
        Callback::from(move |v: String| {
            text.set(v.clone());
            apply.emit(ImportAction::Paste(v));
        })
    };
    // A shared link (`#/session?share=…`) opens here, scrolled to once it is read.
    let panel = use_node_ref();
    let reveal = use_state(|| false);
    use_share_restore(ShareKind::Transcript, {
        let on_input = on_input.clone();
        let reveal = reveal.clone();
        Callback::from(move |bytes: Vec<u8>| {
            on_input.emit(String::from_utf8_lossy(&bytes).into_owned());
            reveal.set(true);
        })
    });
    {
        let panel = panel.clone();
        let reveal = reveal.clone();
        let read = model.annotated.is_some();
        use_effect_with((*reveal, read), move |&(wanted, read)| {
            if wanted && read {
                if let Some(el) = panel.cast::<web_sys::Element>() {
                    el.scroll_into_view();
                }
                reveal.set(false);
            }
        });
    }
    let on_example = {
        let on_input = on_input.clone();
        Callback::from(move |_: MouseEvent| on_input.emit(EXAMPLE.to_string()))
    };
    let on_format = {
        let apply = apply.clone();
        Callback::from(move |v: String| {
            let format = match v.as_str() {
                "prefixed" => Some(Format::Prefixed),
                "swaks" => Some(Format::Swaks),
                "raw" => Some(Format::Raw),
                _ => None,
            };
            apply.emit(ImportAction::SetFormat(format));
        })
    };
    let on_file = {
        let apply = apply.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file, apply.clone(), error.clone());
            }
        })
    };
    let on_drop = {
        let apply = apply.clone();
        let error = error.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            match e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                Some(file) => read_file(file, apply.clone(), error.clone()),
                None => {
                    let text = e
                        .data_transfer()
                        .and_then(|d| d.get_data("text/plain").ok());
                    match text {
                        Some(t) if !t.is_empty() => apply.emit(ImportAction::Paste(t)),
                        _ => error.set(Some(TranscriptError::NothingDropped)),
                    }
                }
            }
        })
    };
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let m = &*model;
    let rows = Rc::new(m.rows());
    let formats: Vec<(AttrValue, AttrValue)> = [
        ("auto", tr(lang, "detect")),
        ("prefixed", format_name(Format::Prefixed)),
        ("swaks", format_name(Format::Swaks)),
        ("raw", tr_text(lang, format_name(Format::Raw))),
    ]
    .into_iter()
    .map(|(v, l)| (AttrValue::from(v), AttrValue::from(l)))
    .collect();
    let format_value = match m.format {
        Some(Format::Prefixed) => "prefixed",
        Some(Format::Swaks) => "swaks",
        Some(Format::Raw) => "raw",
        None => "auto",
    };
    let codes = m.lint_codes();
    let export_t = m.transcript.as_ref().map(export_text).unwrap_or_default();
    let export_j = {
        let model = model.clone();
        Callback::from(move |()| model.export_source())
    };
    html! {
        <section class="panel import" aria-labelledby="import-title" ref={panel} ondrop={on_drop} ondragover={on_dragover}>
            <h3 id="import-title">{ tr(lang, "Import a transcript") }</h3>
            <p class="muted">{ tr(lang, "Paste S:/C: lines, swaks output or a raw capture, or open or drop a file: the core reads it and explains every line.") }</p>
            <div class="inline-fields">
                <Select id="import-format" label={tr(lang, "Read as")} options={formats} value={format_value} onchange={on_format} />
                <div class="field">
                    <label for="import-file">{ tr(lang, "Open a file") }</label>
                    <input id="import-file" type="file" accept=".txt,.log,.eml,text/*" onchange={on_file} />
                </div>
                <button type="button" id="import-example" onclick={on_example}>{ tr(lang, "Example with a defect") }</button>
                <Check id="import-reveal-secrets" label={tr(lang, "Show AUTH secrets")} checked={m.reveal_secrets}
                    onchange={apply.reform(ImportAction::RevealSecrets)} />
            </div>
            <Field id="import-input" label={tr(lang, "Transcript text")} rows={8} value={(*text).clone()} oninput={on_input} />
            if let Some(e) = &*error { <ErrorNote error={Shown::of(e, lang)} /> }
            if let Some(a) = &m.annotated {
                <p class="muted" id="import-summary">
                    { trf(lang, "Read as {format} from {source}: {count} entries{truncated}.", &[("format", &tr_text(lang, format_name(a.format))), ("source", &tr_text(lang, &m.source)), ("count", &a.entries.len()), ("truncated", &if a.truncated { tr(lang, " (truncated)") } else { "" })]) }
                    if !codes.is_empty() { { trf(lang, " Findings: {codes}", &[("codes", &codes.join(", "))]) } }
                </p>
                if !a.ignored.is_empty() {
                    <details class="import-ignored" id="import-ignored">
                        <summary>{ trf(lang, "{n} line(s) ignored: not protocol lines of this form", &[("n", &a.ignored.len())]) }</summary>
                        <ul>
                            { for a.ignored.iter().take(IGNORED_SHOWN).map(|l| html! {
                                <li>{ trf(lang, "line {n}: ", &[("n", &l.line)]) }<code class="wrap">{ &l.text }</code></li>
                            }) }
                            if a.ignored.len() > IGNORED_SHOWN {
                                <li class="muted">{ trf(lang, "… and {n} more", &[("n", &(a.ignored.len() - IGNORED_SHOWN))]) }</li>
                            }
                        </ul>
                    </details>
                }
                <ExportButtons text={AttrValue::from(export_t)} json={export_j} name="imported" />
                <TranscriptTable id="import-transcript" rows={rows.clone()} lints={a.lints.clone()} />
                <LadderDiagram id="import-ladder" ladder={Rc::new(Ladder::inferred(a))} {rows} table="import-transcript" />
            }
        </section>
    }
}
