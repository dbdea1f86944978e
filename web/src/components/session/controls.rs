//! The command forms: each button hands one action to the session reducer.

use mailscope_core::smtp::command::Command;
use yew::prelude::*;

use super::field::{Check, Field, Select};
use super::now_ms;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::session::error::SessionError;
use crate::state::session::form::{
    auth_preview, mail_command, sample_message, SessionForm, STOP_POINTS,
};
use crate::state::session::Action;

/// What the forms need to know about the session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    /// A session is open.
    pub connected: bool,
    /// The client session's state.
    pub client_state: String,
    /// The server session's state.
    pub server_state: String,
    /// Under (simulated) TLS.
    pub tls: bool,
    /// AUTH succeeded.
    pub authenticated: bool,
    /// The server asked for the message.
    pub ready_for_data: bool,
    /// Pipelining toggle.
    pub pipelining: bool,
    /// Queued command lines.
    pub group: Vec<String>,
    /// Round trips made.
    pub round_trips: usize,
    /// Round trips saved by pipelining.
    pub round_trips_saved: usize,
    /// A `334` challenge waits for an answer.
    pub challenge: Option<String>,
    /// The last action's error.
    pub error: Option<SessionError>,
    /// Messages accepted by the server.
    pub received: usize,
    /// The session goes through the relay.
    pub relay: bool,
}

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The form fields.
    pub form: UseStateHandle<SessionForm>,
    /// The session's status.
    pub status: Status,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

fn setter(
    form: &UseStateHandle<SessionForm>,
    set: fn(&mut SessionForm, String),
) -> Callback<String> {
    let form = form.clone();
    Callback::from(move |v: String| {
        let mut f = (*form).clone();
        set(&mut f, v);
        form.set(f);
    })
}

fn button(
    id: &'static str,
    label: &'static str,
    title: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! { <button type="button" {id} {title} {onclick}>{ label }</button> }
}

/// A command button: disabled while a `334` challenge waits, when the server would read the
/// command as the SASL answer (RFC 4954 §4).
fn command_button(
    id: &'static str,
    label: &'static str,
    title: &'static str,
    onclick: Callback<MouseEvent>,
    in_sasl: bool,
) -> Html {
    html! { <button type="button" {id} {title} {onclick} disabled={in_sasl}>{ label }</button> }
}

fn rfc5322_now() -> String {
    let date = js_sys::Date::new_0();
    let s: String = date.to_utc_string().into();
    s.replace(" GMT", " +0000")
}

/// All the forms.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let f = (**form).clone();
    let st = &props.status;
    let d = props.dispatch.clone();
    // A button that sends a command built from the current form.
    let send = |build: fn(&SessionForm) -> Command<'static>| {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Send {
                command: build(&form),
                now: now_ms(),
            })
        })
    };
    let simple = |action: fn(u64) -> Action| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(action(now_ms())))
    };
    // A new transaction (MAIL), its abort (RSET) or another connection: the recipients listed
    // as sent belonged to the transaction that is over.
    let new_transaction = |then: Callback<MouseEvent>| {
        let form = form.clone();
        Callback::from(move |e: MouseEvent| {
            if !form.rcpts.is_empty() {
                let mut f = (*form).clone();
                f.rcpts.clear();
                form.set(f);
            }
            then.emit(e)
        })
    };
    let on_mail = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(
            move |_: MouseEvent| match mail_command(&form.from, &form.mail_params) {
                Ok(command) => d.emit(Action::Send {
                    command,
                    now: now_ms(),
                }),
                // The reducer reads the same line again and shows the core's error.
                Err(_) => d.emit(Action::SendLine {
                    line: format!("MAIL FROM:<{}> {}", form.from, form.mail_params),
                    now: now_ms(),
                }),
            },
        )
    };
    let on_rcpt = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut f = (*form).clone();
            f.rcpts.push(f.rcpt.clone());
            d.emit(Action::Send {
                command: Command::rcpt_to(f.rcpt.clone()),
                now: now_ms(),
            });
            form.set(f);
        })
    };
    let on_auth = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::AuthStart {
                mechanism: form.mechanism(),
                credentials: form.credentials(),
                now: now_ms(),
            })
        })
    };
    let on_message = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Message {
                text: form.message.clone(),
                now: now_ms(),
            })
        })
    };
    let on_bdat = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Bdat {
                text: form.message.clone(),
                last: form.bdat_last,
                now: now_ms(),
            })
        })
    };
    let compose_error = use_state(|| None::<SessionError>);
    let on_compose = {
        let form = form.clone();
        let compose_error = compose_error.clone();
        Callback::from(move |_: MouseEvent| {
            let to = form
                .rcpts
                .first()
                .cloned()
                .unwrap_or_else(|| form.rcpt.clone());
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
    let on_raw = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.emit(Action::Raw {
                line: form.raw.clone(),
                now: now_ms(),
            })
        })
    };
    let on_run = {
        let d = d.clone();
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Run {
                plan: Box::new(form.plan()),
                now: now_ms(),
            })
        })
    };
    let on_pipelining = {
        let d = d.clone();
        Callback::from(move |on: bool| d.emit(Action::SetPipelining(on)))
    };
    let on_clear_rcpts = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut f = (*form).clone();
            f.rcpts.clear();
            form.set(f);
        })
    };
    let flag = |form: &UseStateHandle<SessionForm>, set: fn(&mut SessionForm, bool)| {
        let form = form.clone();
        Callback::from(move |on: bool| {
            let mut f = (*form).clone();
            set(&mut f, on);
            form.set(f);
        })
    };
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
    let stop_value = f
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
    let mechanisms: Vec<(AttrValue, AttrValue)> = ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"]
        .into_iter()
        .map(|m| (AttrValue::from(m), AttrValue::from(m)))
        .collect();
    let preview = auth_preview(&f.mechanism(), &f.credentials());
    let in_sasl = st.challenge.is_some();

    html! {
        <div class="controls">
            <section class="panel" aria-label={tr(lang, "Connection")}>
                <div class="button-row">
                    { button("session-connect", tr(lang, "Connect"), tr(lang, "Open a session: the in-browser server greets"), new_transaction(simple(|now| Action::Connect { now }))) }
                    <button type="button" id="session-disconnect" onclick={{ let d = d.clone(); new_transaction(Callback::from(move |_| d.emit(Action::Disconnect))) }}>{ tr(lang, "Disconnect") }</button>
                </div>
                <p class="status" id="session-status">
                    { tr(lang, "Client: ") }<strong>{ &st.client_state }</strong>
                    { tr(lang, " · server: ") }<strong>{ &st.server_state }</strong>
                    if st.tls { <span class="badge">{"TLS"}</span> }
                    if st.authenticated { <span class="badge">{"AUTH"}</span> }
                    if st.received > 0 { <span class="badge">{ trf(lang, "{n} message(s) accepted", &[("n", &st.received)]) }</span> }
                </p>
                <Check id="pipelining" label={tr(lang, "Pipelining: queue commands and send them in one write (RFC 2920)")} checked={st.pipelining} onchange={on_pipelining} />
                if st.pipelining || !st.group.is_empty() {
                    <div class="group">
                        <ol id="group-list">{ for st.group.iter().map(|l| html! { <li><code>{ l }</code></li> }) }</ol>
                        <div class="button-row">
                            { command_button("send-group", tr(lang, "Send group"), tr(lang, "Send the queued commands in one write"), simple(|now| Action::SendGroup { now }), in_sasl) }
                            <button type="button" onclick={{ let d = d.clone(); Callback::from(move |_| d.emit(Action::ClearGroup)) }}>{ tr(lang, "Clear") }</button>
                        </div>
                    </div>
                }
                <p class="muted" id="round-trips">{ trf(lang, "Round trips: {n} · saved by pipelining: {saved}", &[("n", &st.round_trips), ("saved", &st.round_trips_saved)]) }</p>
                if let Some(e) = &st.error { <ErrorNote error={Shown::of(e, lang)} /> }
            </section>

            <section class="panel" aria-label={tr(lang, "Greeting")}>
                <Field id="helo-name" label={tr(lang, "EHLO/HELO name")} value={f.helo.clone()} oninput={setter(form, |f, v| f.helo = v)} />
                <div class="button-row">
                    { command_button("btn-ehlo", tr(lang, "EHLO"), tr(lang, "Extended hello: the reply lists the extensions (RFC 5321 §4.1.1.1)"), send(|f| Command::ehlo(f.helo.clone())), in_sasl) }
                    { command_button("btn-helo", tr(lang, "HELO"), tr(lang, "Plain hello, no extensions"), send(|f| Command::helo(f.helo.clone())), in_sasl) }
                    { command_button("btn-starttls", tr(lang, "STARTTLS"), tr(lang, "Start TLS, then EHLO again (RFC 3207)"), send(|_| Command::StartTls), in_sasl) }
                </div>
            </section>

            <section class="panel" aria-label="AUTH">
                <div class="inline-fields">
                    <Select id="auth-mech" label={tr(lang, "AUTH mechanism")} options={mechanisms} value={f.mechanism.clone()} onchange={setter(form, |f, v| f.mechanism = v)} />
                    <Field id="auth-user" label={tr(lang, "User")} value={f.user.clone()} oninput={setter(form, |f, v| f.user = v)} />
                    <Field id="auth-pass" label={tr(lang, "Password")} value={f.password.clone()} oninput={setter(form, |f, v| f.password = v)} />
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
                <div class="button-row">
                    { command_button("btn-auth", tr(lang, "AUTH"), tr(lang, "Authenticate (RFC 4954)"), on_auth, in_sasl) }
                    if let Some(c) = &st.challenge {
                        { button("btn-auth-continue", tr(lang, "Answer challenge"), tr(lang, "Answer the 334 challenge"), simple(|now| Action::AuthContinue { now })) }
                        <span class="muted">{ tr(lang, " challenge: ") }<code class="wrap">{ c }</code></span>
                        <p class="muted" id="sasl-hint">{ tr(lang, "Other commands wait until the exchange ends: the server would read them as the answer. Send * as a raw line to cancel.") }</p>
                    }
                </div>
            </section>

            <section class="panel" aria-label={tr(lang, "Envelope")}>
                <div class="inline-fields">
                    <Field id="mail-from" label="MAIL FROM" value={f.from.clone()} oninput={setter(form, |f, v| f.from = v)} />
                    <Field id="mail-params" label={tr(lang, "Parameters")} placeholder="SIZE=1000 BODY=8BITMIME SMTPUTF8" value={f.mail_params.clone()} oninput={setter(form, |f, v| f.mail_params = v)} />
                </div>
                { command_button("btn-mail", tr(lang, "MAIL"), tr(lang, "Start a transaction (RFC 5321 §4.1.1.2)"), new_transaction(on_mail), in_sasl) }
                <Field id="rcpt-to" label="RCPT TO" value={f.rcpt.clone()} oninput={setter(form, |f, v| f.rcpt = v)} />
                <div class="button-row">
                    { command_button("btn-rcpt", tr(lang, "RCPT"), tr(lang, "Add a recipient; repeat for several (RFC 5321 §4.1.1.3)"), on_rcpt, in_sasl) }
                    if !f.rcpts.is_empty() {
                        <span class="muted">{ trf(lang, "sent: {list}", &[("list", &f.rcpts.join(", "))]) }</span>
                        <button type="button" onclick={on_clear_rcpts}>{ tr(lang, "Forget") }</button>
                    }
                </div>
            </section>

            <section class="panel" aria-label={tr(lang, "Message")}>
                <Field id="message-text" label={tr(lang, "Message (lines end in CRLF and leading dots are doubled by the core)")} rows={8} value={f.message.clone()} oninput={setter(form, |f, v| f.message = v)} />
                if let Some(e) = &*compose_error { <ErrorNote error={Shown::of(e, lang)} /> }
                <div class="button-row">
                    { button("btn-compose", tr(lang, "Compose Korean sample"), tr(lang, "Build a message with the core's MessageBuilder: Korean subject, body and attachment"), on_compose) }
                    { command_button("btn-data", tr(lang, "DATA"), tr(lang, "Ask to send the message (RFC 5321 §4.1.1.4)"), send(|_| Command::Data), in_sasl) }
                    <button type="button" id="btn-send-message" disabled={!st.ready_for_data} onclick={on_message}
                        title={tr(lang, "Send the message after 354")}>{ tr(lang, "Send message") }</button>
                    { command_button("btn-bdat", tr(lang, "BDAT"), tr(lang, "Send the message as one BDAT chunk (RFC 3030)"), on_bdat, in_sasl) }
                    <Check id="bdat-last" label="LAST" checked={f.bdat_last} onchange={flag(form, |f, on| f.bdat_last = on)} />
                </div>
            </section>

            <section class="panel" aria-label={tr(lang, "Other commands")}>
                <div class="button-row">
                    { command_button("btn-rset", tr(lang, "RSET"), tr(lang, "Abort the transaction"), new_transaction(send(|_| Command::Rset)), in_sasl) }
                    { command_button("btn-noop", tr(lang, "NOOP"), tr(lang, "Do nothing; the server answers 250"), send(|_| Command::Noop { arg: None }), in_sasl) }
                    { command_button("btn-vrfy", tr(lang, "VRFY"), tr(lang, "Ask about a user (RFC 5321 §4.1.1.6)"), send(|f| Command::vrfy(f.vrfy.clone())), in_sasl) }
                    { command_button("btn-quit", tr(lang, "QUIT"), tr(lang, "End the session (RFC 5321 §4.1.1.10)"), send(|_| Command::Quit), in_sasl) }
                </div>
                <Field id="vrfy-arg" label={tr(lang, "VRFY argument")} value={f.vrfy.clone()} oninput={setter(form, |f, v| f.vrfy = v)} />
                <form class="raw-form" onsubmit={on_raw}>
                    <Field id="raw-line" label={tr(lang, "Raw line (like telnet; CRLF added)")} value={f.raw.clone()} oninput={setter(form, |f, v| f.raw = v)} />
                    <button type="submit" id="btn-raw">{ tr(lang, "Send raw") }</button>
                </form>
            </section>

            <section class="panel" aria-label={tr(lang, "Whole transaction")}>
                <div class="inline-fields">
                    <Check id="run-starttls" label={tr(lang, "STARTTLS when offered")} checked={f.starttls} onchange={flag(form, |f, on| f.starttls = on)} />
                    <Check id="run-auth" label="AUTH" checked={f.use_auth} onchange={flag(form, |f, on| f.use_auth = on)} />
                    <Select id="stop-after" label={tr(lang, "Stop after (like swaks --quit-after)")} options={stop_options} value={stop_value} onchange={on_stop} />
                </div>
                { button("btn-run", tr(lang, "Run whole transaction"), tr(lang, "Connect and run EHLO, AUTH, MAIL, RCPT, DATA, QUIT with the client's own plan"), on_run) }
            </section>
        </div>
    }
}
