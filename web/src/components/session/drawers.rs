//! The fields under the command bar, one group per command ([`Drawer`]): the EHLO name, AUTH's
//! mechanism and credentials with the preview, MAIL FROM, the recipients, the message, VRFY and
//! the raw line, the whole transaction's options.

use yew::prelude::*;

use super::controls::Status;
use super::field::{Check, Field, Select};
use super::now_ms;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::session::bar::Drawer;
use crate::state::session::error::SessionError;
use crate::state::session::form::{auth_preview, sample_message, SessionForm, STOP_POINTS};
use crate::state::session::Action;

/// Properties of [`DrawerFields`].
#[derive(Properties, PartialEq)]
pub struct DrawerProps {
    /// Which group.
    pub drawer: Drawer,
    /// The form fields.
    pub form: UseStateHandle<SessionForm>,
    /// The session's status.
    pub status: Status,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// A callback that sets one field of the form.
pub(super) fn setter(
    form: &UseStateHandle<SessionForm>,
    set: impl Fn(&mut SessionForm, String) + 'static,
) -> Callback<String> {
    let form = form.clone();
    Callback::from(move |v: String| {
        let mut f = (*form).clone();
        set(&mut f, v);
        form.set(f);
    })
}

fn flag(form: &UseStateHandle<SessionForm>, set: fn(&mut SessionForm, bool)) -> Callback<bool> {
    let form = form.clone();
    Callback::from(move |on: bool| {
        let mut f = (*form).clone();
        set(&mut f, on);
        form.set(f);
    })
}

fn rfc5322_now() -> String {
    let date = js_sys::Date::new_0();
    let s: String = date.to_utc_string().into();
    s.replace(" GMT", " +0000")
}

/// The fields of one command group.
#[function_component(DrawerFields)]
pub fn drawer_fields(props: &DrawerProps) -> Html {
    let body = match props.drawer {
        Drawer::Hello => html! { <HelloFields form={props.form.clone()} /> },
        Drawer::Auth => {
            html! { <AuthFields form={props.form.clone()} status={props.status.clone()} dispatch={props.dispatch.clone()} /> }
        }
        Drawer::Mail => html! { <MailFields form={props.form.clone()} /> },
        Drawer::Rcpt => html! { <Recipients form={props.form.clone()} /> },
        Drawer::Data => {
            html! { <MessageFields form={props.form.clone()} status={props.status.clone()} dispatch={props.dispatch.clone()} /> }
        }
        Drawer::Other => {
            html! { <OtherFields form={props.form.clone()} dispatch={props.dispatch.clone()} /> }
        }
        Drawer::Run => html! { <RunFields form={props.form.clone()} /> },
    };
    html! {
        <div class="drawer" id={format!("drawer-{}", props.drawer.id())}>{ body }</div>
    }
}

/// Properties of the groups that also send actions.
#[derive(Properties, PartialEq)]
pub struct ActionProps {
    /// The form fields.
    pub form: UseStateHandle<SessionForm>,
    /// The session's status.
    pub status: Status,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// Properties of the groups that only edit the form.
#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// The form fields.
    pub form: UseStateHandle<SessionForm>,
}

#[function_component(HelloFields)]
fn hello_fields(props: &FormProps) -> Html {
    let lang = use_lang();
    html! {
        <div class="inline-fields">
            <Field id="helo-name" label={tr(lang, "EHLO/HELO name")} value={props.form.helo.clone()} oninput={setter(&props.form, |f, v| f.helo = v)} />
        </div>
    }
}

#[function_component(AuthFields)]
fn auth_fields(props: &ActionProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let mechanisms: Vec<(AttrValue, AttrValue)> = ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"]
        .into_iter()
        .map(|m| (AttrValue::from(m), AttrValue::from(m)))
        .collect();
    let preview = auth_preview(&form.mechanism(), &form.credentials());
    let on_continue = {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::AuthContinue { now: now_ms() }))
    };
    html! {
        <>
            <div class="inline-fields">
                <Select id="auth-mech" label={tr(lang, "AUTH mechanism")} options={mechanisms} value={form.mechanism.clone()} onchange={setter(form, |f, v| f.mechanism = v)} />
                <Field id="auth-user" label={tr(lang, "User")} value={form.user.clone()} oninput={setter(form, |f, v| f.user = v)} />
                <Field id="auth-pass" label={tr(lang, "Password")} value={form.password.clone()} oninput={setter(form, |f, v| f.password = v)} />
            </div>
            <div class="auth-preview" id="auth-preview">
                if let Some(e) = &preview.error { <ErrorNote error={Shown::of(e, lang)} /> }
                else {
                    <p>{ tr(lang, "Sends: ") }<code>{ &preview.command }</code></p>
                    if let Some(d) = &preview.decoded {
                        <p class="muted">{ trf(lang, "base64 decodes to: authzid {authzid}, user {user}, password {password}{token}", &[("authzid", &format!("{:?}", d.authzid.clone().unwrap_or_default())), ("user", &format!("{:?}", d.authcid.clone().unwrap_or_default())), ("password", &format!("{:?}", d.password.clone().unwrap_or_default())), ("token", &d.token.as_ref().map(|t| format!(", token {t:?}")).unwrap_or_default())]) }</p>
                    } else {
                        <p class="muted">{ tr(lang, "No initial response: the server sends 334 challenges, answered one by one.") }</p>
                    }
                }
            </div>
            if let Some(c) = &props.status.challenge {
                <div class="button-row">
                    <button type="button" id="btn-auth-continue" title={tr(lang, "Answer the 334 challenge")} onclick={on_continue}>{ tr(lang, "Answer challenge") }</button>
                    <span class="muted">{ tr(lang, " challenge: ") }<code class="wrap">{ c }</code></span>
                </div>
                <p class="muted" id="sasl-hint">{ tr(lang, "Other commands wait until the exchange ends: the server would read them as the answer. Send * as a raw line to cancel.") }</p>
            }
        </>
    }
}

#[function_component(MailFields)]
fn mail_fields(props: &FormProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    html! {
        <div class="inline-fields">
            <Field id="mail-from" label="MAIL FROM" value={form.from.clone()} oninput={setter(form, |f, v| f.from = v)} />
            <Field id="mail-params" label={tr(lang, "Parameters")} placeholder="SIZE=1000 BODY=8BITMIME SMTPUTF8" value={form.mail_params.clone()} oninput={setter(form, |f, v| f.mail_params = v)} />
        </div>
    }
}

/// The element id of recipient field `index` (`rcpt-to` for the first).
pub(super) fn rcpt_field_id(index: usize) -> String {
    match index {
        0 => "rcpt-to".into(),
        i => format!("rcpt-to-{}", i + 1),
    }
}

/// One field per recipient, with add and remove; the sent ones are marked.
#[function_component(Recipients)]
fn recipients(props: &FormProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let on_add = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut f = (*form).clone();
            f.add_recipient();
            form.set(f);
        })
    };
    let only_one = form.recipients.len() == 1;
    html! {
        <fieldset class="recipients" id="recipients">
            <legend>{ tr(lang, "Recipients (RCPT TO), one a field") }</legend>
            { for form.recipients.iter().enumerate().map(|(i, r)| {
                let on_remove = {
                    let form = form.clone();
                    Callback::from(move |_: MouseEvent| {
                        let mut f = (*form).clone();
                        f.remove_recipient(i);
                        form.set(f);
                    })
                };
                let sent = i < form.rcpts_sent;
                html! {
                    <div class="recipient">
                        <Field id={rcpt_field_id(i)} label={trf(lang, "Recipient {n}", &[("n", &(i + 1))])} value={r.clone()}
                            oninput={setter(form, move |f, v| if let Some(slot) = f.recipients.get_mut(i) { *slot = v })} />
                        if sent { <span class="badge sent">{ tr(lang, "sent") }</span> }
                        <button type="button" id={format!("rcpt-remove-{}", i + 1)} disabled={only_one}
                            title={tr(lang, "Remove this recipient")} onclick={on_remove}>{ "×" }</button>
                    </div>
                }
            }) }
            <button type="button" id="rcpt-add" onclick={on_add}>{ tr(lang, "Add a recipient") }</button>
        </fieldset>
    }
}

#[function_component(MessageFields)]
fn message_fields(props: &ActionProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let compose_error = use_state(|| None::<SessionError>);
    let on_compose = {
        let form = form.clone();
        let compose_error = compose_error.clone();
        Callback::from(move |_: MouseEvent| {
            let to = form
                .typed_recipients()
                .into_iter()
                .next()
                .unwrap_or_default();
            match sample_message(&form.from, &to, &rfc5322_now()) {
                Ok(text) => {
                    let mut f = (*form).clone();
                    f.message = text;
                    form.set(f);
                    compose_error.set(None);
                }
                Err(e) => compose_error.set(Some(e)),
            }
        })
    };
    let on_message = {
        let d = props.dispatch.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Message {
                text: form.message.clone(),
                now: now_ms(),
            })
        })
    };
    html! {
        <>
            <Field id="message-text" label={tr(lang, "Message (lines end in CRLF and leading dots are doubled by the core)")} rows={8} value={form.message.clone()} oninput={setter(form, |f, v| f.message = v)} />
            if let Some(e) = &*compose_error { <ErrorNote error={Shown::of(e, lang)} /> }
            <div class="button-row">
                <button type="button" id="btn-compose" title={tr(lang, "Build a message with the core's MessageBuilder: Korean subject, body and attachment")} onclick={on_compose}>{ tr(lang, "Compose Korean sample") }</button>
                <button type="button" id="btn-send-message" disabled={!props.status.ready_for_data} onclick={on_message}
                    title={tr(lang, "Send the message after 354")}>{ tr(lang, "Send message") }</button>
                <Check id="bdat-last" label={tr(lang, "BDAT with LAST")} checked={form.bdat_last} onchange={flag(form, |f, on| f.bdat_last = on)} />
            </div>
        </>
    }
}

/// Properties of [`OtherFields`].
#[derive(Properties, PartialEq)]
pub struct OtherProps {
    /// The form fields.
    pub form: UseStateHandle<SessionForm>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

#[function_component(OtherFields)]
fn other_fields(props: &OtherProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let on_raw = {
        let d = props.dispatch.clone();
        let form = form.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.emit(Action::Raw {
                line: form.raw.clone(),
                now: now_ms(),
            })
        })
    };
    html! {
        <div class="inline-fields">
            <Field id="vrfy-arg" label={tr(lang, "VRFY argument")} value={form.vrfy.clone()} oninput={setter(form, |f, v| f.vrfy = v)} />
            <form class="raw-form" onsubmit={on_raw}>
                <Field id="raw-line" label={tr(lang, "Raw line (like telnet; CRLF added)")} value={form.raw.clone()} oninput={setter(form, |f, v| f.raw = v)} />
                <button type="submit" id="btn-raw">{ tr(lang, "Send raw") }</button>
            </form>
        </div>
    }
}

#[function_component(RunFields)]
fn run_fields(props: &FormProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let on_stop = {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            f.stop_after = v
                .parse::<usize>()
                .ok()
                .and_then(|i| STOP_POINTS.get(i))
                .map(|(p, _)| *p);
            form.set(f);
        })
    };
    let stop_value = form
        .stop_after
        .and_then(|p| STOP_POINTS.iter().position(|(q, _)| *q == p))
        .map(|i| i.to_string())
        .unwrap_or_else(|| "none".into());
    let mut stop_options: Vec<(AttrValue, AttrValue)> =
        vec![("none".into(), tr(lang, "nothing: run to QUIT").into())];
    stop_options.extend(
        STOP_POINTS
            .iter()
            .enumerate()
            .map(|(i, (_, l))| (AttrValue::from(i.to_string()), AttrValue::from(tr(lang, l)))),
    );
    html! {
        <div class="inline-fields">
            <Check id="run-starttls" label={tr(lang, "STARTTLS when offered")} checked={form.starttls} onchange={flag(form, |f, on| f.starttls = on)} />
            <Check id="run-auth" label="AUTH" checked={form.use_auth} onchange={flag(form, |f, on| f.use_auth = on)} />
            <Select id="stop-after" label={tr(lang, "Stop after (like swaks --quit-after)")} options={stop_options} value={stop_value} onchange={on_stop} />
            <p class="muted run-uses">{ tr(lang, "Uses the fields of every command: EHLO name, AUTH, MAIL FROM, the recipients and the message.") }</p>
        </div>
    }
}
