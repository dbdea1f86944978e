//! The composer: a form, the exact bytes the core builds from it (signed with DKIM in the
//! worker when asked), download and inspect.

use std::rc::Rc;

use mailscope_core::mime::build::Attachment;
use mailscope_core::mime::date::DateTime;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::dkim::{inspect_signed, DkimSection};
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::share::{ShareButton, ShareSource};
use crate::services::file;
use crate::services::handoff;
use crate::services::worker;
use crate::state::error::Shown;
use crate::state::i18n::{key, tr, trf, Lang};
use crate::state::message::compose::{
    line_count, wire_lines, ComposeAction, ComposeField, ComposeForm, SignedOutput, Signing,
    WIRE_LINES,
};
use crate::state::message::inspect::{Inspected, SegmentKind};
use crate::state::message::{Action, FileError};
use crate::state::nav::View;
use crate::state::share::ShareKind;

/// Properties of [`Composer`].
#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// The form.
    pub form: ComposeForm,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// What the page supplies to the builder: the core reads no clock and draws no random numbers.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    date: String,
    message_id: String,
    seed: u64,
    /// The same time in Unix seconds: the DKIM signature's `t=`.
    unix: u64,
}

impl Stamp {
    fn now() -> Stamp {
        let now = js_sys::Date::new_0();
        let date = DateTime {
            year: now.get_utc_full_year(),
            month: (now.get_utc_month() + 1) as u8,
            day: now.get_utc_date() as u8,
            hour: now.get_utc_hours() as u8,
            minute: now.get_utc_minutes() as u8,
            second: now.get_utc_seconds() as u8,
            offset_minutes: 0,
            zone_known: true,
        };
        let random = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        Stamp {
            date: date.to_rfc5322(),
            message_id: format!("<{}.{:x}@mailscope.invalid>", now.get_time() as u64, random),
            seed: random,
            unix: (now.get_time() / 1000.0) as u64,
        }
    }
}

fn field_input(
    lang: Lang,
    id: &'static str,
    label: &'static str,
    value: &str,
    field: ComposeField,
    dispatch: &Callback<Action>,
) -> Html {
    let dispatch = dispatch.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        dispatch.emit(Action::Compose(ComposeAction::Set(field, input.value())));
    });
    html! {
        <div class="field">
            <label for={id}>{ tr(lang, label) }</label>
            <input id={id} type="text" spellcheck="false" value={value.to_string()} {oninput} />
        </div>
    }
}

fn field_area(
    lang: Lang,
    id: &'static str,
    label: &'static str,
    value: &str,
    field: ComposeField,
    dispatch: &Callback<Action>,
) -> Html {
    let dispatch = dispatch.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let area: HtmlTextAreaElement = e.target_unchecked_into();
        dispatch.emit(Action::Compose(ComposeAction::Set(field, area.value())));
    });
    html! {
        <div class="field">
            <label for={id}>{ tr(lang, label) }</label>
            <textarea id={id} rows="5" value={value.to_string()} {oninput} />
        </div>
    }
}

/// The composer form and its output.
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let lang = use_lang();
    let stamp = use_state(Stamp::now);
    let attach_error = use_state(|| None::<FileError>);
    {
        // Rebuild whenever an input changes.
        let dispatch = props.dispatch.clone();
        let stamp = (*stamp).clone();
        use_effect_with(props.form.inputs(), move |form| {
            let built = form
                .build(stamp.date.clone(), stamp.message_id.clone(), stamp.seed)
                .map(Rc::new);
            dispatch.emit(Action::Compose(ComposeAction::Built(built)));
        });
    }
    {
        // Sign in the worker whenever the built message or the signing fields change; an
        // answer for an older message is kept aside by the state as stale.
        let dispatch = props.dispatch.clone();
        use_effect_with(props.form.sign_job(Some(stamp.unix)), move |job| {
            if let Some((message, request)) = job.clone() {
                yew::platform::spawn_local(async move {
                    let result = worker::sign(&message, request.clone()).await;
                    dispatch.emit(Action::Compose(ComposeAction::Signed(Rc::new(
                        SignedOutput {
                            message,
                            request,
                            result,
                        },
                    ))));
                });
            }
        });
    }
    let d = &props.dispatch;
    let form = &props.form;
    let on_files = {
        let dispatch = props.dispatch.clone();
        let attach_error = attach_error.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(files) = input.files() else { return };
            for i in 0..files.length() {
                let Some(f) = files.get(i) else { continue };
                let dispatch = dispatch.clone();
                let attach_error = attach_error.clone();
                yew::platform::spawn_local(async move {
                    match file::read_file(&f, |_| ()).await {
                        Ok(data) => {
                            let mime = f.type_();
                            dispatch.emit(Action::Compose(ComposeAction::Attach(Rc::new(
                                Attachment {
                                    filename: f.name(),
                                    content_type: if mime.is_empty() {
                                        "application/octet-stream".into()
                                    } else {
                                        mime
                                    },
                                    data,
                                },
                            ))));
                            attach_error.set(None);
                        }
                        Err(e) => attach_error.set(Some(e)),
                    }
                });
            }
            input.set_value("");
        })
    };
    let new_stamp = {
        let stamp = stamp.clone();
        Callback::from(move |_| stamp.set(Stamp::now()))
    };
    html! {
        <div class="compose">
            <form class="compose-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                { field_input(lang, "compose-from", key("From"), &form.from, ComposeField::From, d) }
                { field_input(lang, "compose-to", key("To"), &form.to, ComposeField::To, d) }
                { field_input(lang, "compose-cc", key("Cc"), &form.cc, ComposeField::Cc, d) }
                { field_input(lang, "compose-subject", key("Subject"), &form.subject, ComposeField::Subject, d) }
                { field_area(lang, "compose-text", key("Text body"), &form.text, ComposeField::Text, d) }
                { field_area(lang, "compose-html", key("HTML body"), &form.html, ComposeField::Html, d) }
                <div class="field">
                    <label for="compose-attach">{ tr(lang, "Attachments") }</label>
                    <input id="compose-attach" type="file" multiple=true onchange={on_files} />
                    if let Some(e) = &*attach_error { <ErrorNote error={Shown::of(e, lang)} /> }
                    <ul class="attachments">
                        { for form.attachments.iter().enumerate().map(|(i, a)| {
                            let dispatch = props.dispatch.clone();
                            html! {
                                <li>
                                    <span>{ trf(lang, "{name} ({type}, {n} bytes)", &[("name", &a.filename), ("type", &a.content_type), ("n", &a.data.len())]) }</span>
                                    {" "}
                                    <button type="button" onclick={Callback::from(move |_| dispatch.emit(Action::Compose(ComposeAction::Detach(i))))}>
                                        { trf(lang, "Remove {name}", &[("name", &a.filename)]) }
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
                <DkimSection form={form.clone()} dispatch={props.dispatch.clone()} />
                <p class="muted stamp">
                    { trf(lang, "Date: {date} · Message-ID: {id} · boundary seed {seed}", &[("date", &stamp.date), ("id", &stamp.message_id), ("seed", &stamp.seed)]) }
                    {" "}
                    <button type="button" onclick={new_stamp}>{ tr(lang, "New date, ID and seed") }</button>
                </p>
            </form>
            <Output form={form.clone()} dispatch={props.dispatch.clone()} />
        </div>
    }
}

/// The produced bytes with actions.
#[function_component(Output)]
fn output(props: &ComposerProps) -> Html {
    let lang = use_lang();
    let status = use_state(|| None::<String>);
    let Some(result) = &props.form.output else {
        return html! { <p class="muted">{ tr(lang, "Building…") }</p> };
    };
    if let Err(e) = result {
        return html! {
            <section class="compose-output" aria-label={tr(lang, "Produced message")}>
                <p class="error" role="alert">{ trf(lang, "Cannot build: {error}", &[("error", e)]) }</p>
            </section>
        };
    }
    let Some(bytes) = props.form.message() else {
        // Signing is on: the message is shown once signed; the section above says why not yet.
        let note = match props.form.signing() {
            Signing::Failed(_) => tr(lang, "Not signed: see Sign with DKIM above."),
            _ => tr(lang, "Signing in the background worker…"),
        };
        return html! {
            <section class="compose-output" aria-label={tr(lang, "Produced message")}>
                <p class="muted" id="compose-unsigned">{ note }</p>
            </section>
        };
    };
    let limit = if props.form.show_all {
        usize::MAX
    } else {
        WIRE_LINES
    };
    let lines = wire_lines(&bytes, limit);
    let total = line_count(&bytes);
    let on_download = {
        let bytes = bytes.clone();
        let status = status.clone();
        Callback::from(move |_| {
            if let Err(e) = file::download(&bytes, "message.eml", "message/rfc822") {
                status.set(Some(e));
            }
        })
    };
    // A signed message opens with its key record, so the Authenticity panel can check it.
    let on_inspect = inspect_signed(&props.form, &props.dispatch).unwrap_or_else(|| {
        let bytes = bytes.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| {
            let doc = Inspected::new("composed.eml", bytes.to_vec());
            dispatch.emit(Action::Loaded(doc.into()));
        })
    });
    let outgoing = props.form.outgoing();
    let on_send = {
        let outgoing = outgoing.clone();
        Callback::from(move |_| {
            if let Some(o) = outgoing.clone() {
                handoff::offer(o);
                if let Some(window) = web_sys::window() {
                    let _ = window.location().set_hash(View::Session.route());
                }
            }
        })
    };
    let show_all = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.emit(Action::Compose(ComposeAction::ShowAll)))
    };
    html! {
        <section class="compose-output" aria-label={tr(lang, "Produced message")}>
            <div class="toolbar">
                <strong>{ trf(lang, "{n} bytes, {lines} lines", &[("n", &bytes.len()), ("lines", &total)]) }</strong>
                <button type="button" id="compose-download" onclick={on_download}>{ tr(lang, "Download .eml") }</button>
                <button type="button" id="compose-inspect" onclick={on_inspect}>{ tr(lang, "Inspect") }</button>
                <button type="button" id="compose-send-sandbox" onclick={on_send} disabled={outgoing.is_none()}
                    title={tr(lang, "Send it to the sandbox of mailscope serve from the Session view, which shows the whole SMTP session (needs a From and a To or Cc)")}>
                    { tr(lang, "Send to the sandbox…") }
                </button>
                <ShareButton kind={ShareKind::Message} source={ShareSource::Bytes(bytes.clone())} id="compose-share" />
                <span class="legend"><span class="ew">{"=?…?="}</span>{ tr(lang, " encoded-word ") }<span class="fold-mark">{"↪"}</span>{ tr(lang, " folded line ") }<span class="marker">{"CR"}</span><span class="marker">{"LF"}</span>{ tr(lang, " line end") }</span>
            </div>
            if let Some(e) = &*status { <p class="error">{ e }</p> }
            <pre class="wire" id="compose-wire">
                { for lines.iter().map(|l| html! {
                    <div class={classes!("wire-line", l.fold.then_some("folded"))}>
                        <span class="ln" aria-hidden="true">{ l.number }</span>
                        if l.fold { <span class="fold-mark" title={tr(lang, "folded: this line continues the field above")}>{"↪"}</span> }
                        { for l.segments.iter().map(|s| {
                            let class = match (s.kind, s.highlighted) {
                                (SegmentKind::Marker, _) => "marker",
                                (SegmentKind::Cut, _) => "cut",
                                (SegmentKind::Caret, _) => "caret",
                                (SegmentKind::Text, true) => "ew",
                                (SegmentKind::Text, false) => "",
                            };
                            html! { <span class={class}>{ &s.text }</span> }
                        }) }
                    </div>
                }) }
            </pre>
            if total > lines.len() {
                <button type="button" onclick={show_all}>{ trf(lang, "Show all {n} lines", &[("n", &total)]) }</button>
            }
        </section>
    }
}
