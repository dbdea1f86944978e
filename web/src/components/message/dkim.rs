//! The composer's "Sign with DKIM" section: domain, selector and private key (pasted, or a
//! test key made in the worker), the signature's state, and the key record to publish with a
//! copy button and a one-click check in the inspector.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::session::field::{Check, Field};
use crate::components::share::copy;
use crate::services::worker;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::message::compose::{ComposeAction, ComposeField, ComposeForm, Signing};
use crate::state::message::inspect::Inspected;
use crate::state::message::Action;
use crate::worker::protocol::WorkerError;

/// Properties of [`DkimSection`].
#[derive(Properties, PartialEq)]
pub struct DkimSectionProps {
    /// The composer's form.
    pub form: ComposeForm,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// Opens the composer's signed message in the inspector with its key record pasted into the
/// Authenticity panel, which checks it at once.
pub fn inspect_signed(
    form: &ComposeForm,
    dispatch: &Callback<Action>,
) -> Option<Callback<MouseEvent>> {
    let bytes = form.message()?;
    let Signing::Done(signed) = form.signing() else {
        return None;
    };
    let records = signed.record.clone();
    let dispatch = dispatch.clone();
    Some(Callback::from(move |_| {
        dispatch.emit(Action::LoadedSigned {
            doc: Inspected::new("composed.eml", bytes.to_vec()).into(),
            records: records.clone(),
        });
    }))
}

/// The section.
#[function_component(DkimSection)]
pub fn dkim_section(props: &DkimSectionProps) -> Html {
    let lang = use_lang();
    let making = use_state(|| None::<Result<(), WorkerError>>);
    let copied = use_state(|| None::<bool>);
    let form = &props.form;
    let dkim = &form.dkim;
    let set = |field: ComposeField| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |v: String| {
            dispatch.emit(Action::Compose(ComposeAction::Set(field, v)))
        })
    };
    let on_toggle = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |on: bool| {
            dispatch.emit(Action::Compose(ComposeAction::SignWithDkim(on)))
        })
    };
    let on_make = {
        let (dispatch, making) = (props.dispatch.clone(), making.clone());
        Callback::from(move |_: MouseEvent| {
            let (dispatch, making) = (dispatch.clone(), making.clone());
            making.set(Some(Ok(())));
            spawn_local(async move {
                match worker::make_key().await {
                    Ok(pem) => {
                        dispatch.emit(Action::Compose(ComposeAction::Set(
                            ComposeField::DkimKey,
                            pem,
                        )));
                        making.set(None);
                    }
                    Err(e) => making.set(Some(Err(e))),
                }
            });
        })
    };
    let status = match form.signing() {
        Signing::Off => Html::default(),
        Signing::Busy => {
            html! { <p class="muted" id="compose-dkim-status">{ tr(lang, "Signing in the background worker…") }</p> }
        }
        Signing::Failed(e) => {
            html! { <ErrorNote error={Shown::of(&e, lang)} id="compose-dkim-error" /> }
        }
        Signing::Done(signed) => {
            let on_copy = {
                let (record, copied) = (signed.record.clone(), copied.clone());
                Callback::from(move |_: MouseEvent| {
                    let (record, copied) = (record.clone(), copied.clone());
                    spawn_local(async move { copied.set(Some(copy(record).await)) });
                })
            };
            let domain = dkim
                .request(form.from_domain().as_deref(), None)
                .map(|r| r.domain)
                .unwrap_or_default();
            html! {
                <div class="dkim-record">
                    <p>{ trf(lang, "Signed (DKIM-Signature on top of the message). To make it verify, publish this record in the DNS of {domain}:", &[("domain", &domain)]) }</p>
                    <pre class="wire wrap" id="compose-dkim-record" data-data="">{ signed.record.clone() }</pre>
                    <div class="button-row">
                        <button type="button" id="compose-dkim-copy" onclick={on_copy}>{ tr(lang, "Copy the record") }</button>
                        if let Some(open) = inspect_signed(form, &props.dispatch) {
                            <button type="button" id="compose-dkim-check" class="primary" onclick={open}>{ tr(lang, "Check it in the inspector") }</button>
                        }
                        { match *copied {
                            Some(true) => html! { <span class="muted">{ tr(lang, "Copied to the clipboard.") }</span> },
                            Some(false) => html! { <span class="muted">{ tr(lang, "The clipboard is not available: select the record and copy it.") }</span> },
                            None => Html::default(),
                        } }
                    </div>
                    <p class="muted">{ tr(lang, "The inspector opens the signed message with this record pasted into its Authenticity panel, so the check runs offline; no DNS is asked.") }</p>
                </div>
            }
        }
    };
    html! {
        <fieldset class="dkim-sign" id="compose-dkim">
            <legend>
                <Check id="compose-dkim-on" checked={dkim.on} label={tr(lang, "Sign with DKIM")} onchange={on_toggle}
                    title={tr(lang, "Add a DKIM-Signature (RFC 6376) made with your private key; the key never leaves this browser")} />
            </legend>
            if dkim.on {
                <p class="muted">{ tr(lang, "The signature is made by the core in the background worker (RFC 6376 §5, relaxed/relaxed, rsa-sha256 or ed25519-sha256 after the key); the key never leaves this browser. The domain is the From address's unless you type another.") }</p>
                <div class="inline-fields">
                    <Field id="compose-dkim-domain" label={tr(lang, "Domain (d=)")} value={dkim.domain.clone()}
                        placeholder={form.from_domain().unwrap_or_default()}
                        oninput={set(ComposeField::DkimDomain)} />
                    <Field id="compose-dkim-selector" label={tr(lang, "Selector (s=)")} value={dkim.selector.clone()} oninput={set(ComposeField::DkimSelector)} />
                </div>
                <Field id="compose-dkim-key" rows={4} label={tr(lang, "Private key (PEM: RSA or Ed25519)")} value={dkim.key.clone()}
                    placeholder={"-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----"} oninput={set(ComposeField::DkimKey)} />
                <div class="button-row">
                    <button type="button" id="compose-dkim-make" onclick={on_make} disabled={matches!(*making, Some(Ok(())))}
                        title={tr(lang, "A fresh Ed25519 key from this browser's random numbers, for trying DKIM out: it is not published anywhere")}>
                        { tr(lang, "Make a test key") }
                    </button>
                </div>
                if let Some(Err(e)) = &*making { <ErrorNote error={Shown::of(e, lang)} id="compose-dkim-key-error" /> }
                { status }
            }
        </fieldset>
    }
}
