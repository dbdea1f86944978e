//! The command bar: where the session goes, Connect, the status line and one button per command
//! in protocol order, each with its fields ([`super::drawers`]) under the bar. Each button hands
//! one action to the session reducer.

use mailscope_core::smtp::command::Command;
use yew::prelude::*;

use super::drawers::DrawerFields;
use super::field::Check;
use super::now_ms;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::session::bar::{open_drawer, toggle, Drawer, DrawerChoice};
use crate::state::session::error::SessionError;
use crate::state::session::form::{mail_command, SessionForm};
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
    /// Lines the client has written.
    pub written: usize,
    /// The fields the next command most likely needs, if any.
    pub suggested: Option<Drawer>,
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
    /// Where the session goes (the target picker) and the in-browser server's settings.
    #[prop_or_default]
    pub children: Html,
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

/// The toggle that opens (or closes) a command's fields under the bar.
fn fields_toggle(
    drawer: Drawer,
    open: Option<Drawer>,
    title: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    let expanded = open == Some(drawer);
    html! {
        <button type="button" class="fields-toggle" id={format!("fields-{}", drawer.id())} {title}
            aria-expanded={expanded.to_string()} aria-controls={format!("drawer-{}", drawer.id())} {onclick}>
            { if expanded { "▴" } else { "▾" } }
        </button>
    }
}

/// The command bar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let lang = use_lang();
    let form = &props.form;
    let st = &props.status;
    let d = props.dispatch.clone();
    let choice = use_state(|| None::<DrawerChoice>);
    let open = open_drawer(*choice, st.written, st.suggested);
    let on_toggle = |drawer: Drawer| {
        let choice = choice.clone();
        let written = st.written;
        Callback::from(move |_: MouseEvent| choice.set(Some(toggle(open, drawer, written))))
    };
    let fields_title = tr(lang, "Show or hide this command's fields");
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
    // A new transaction (MAIL), its abort (RSET) or another connection: no recipient of the
    // transaction that is over counts as sent.
    let new_transaction = |then: Callback<MouseEvent>| {
        let form = form.clone();
        Callback::from(move |e: MouseEvent| {
            if form.rcpts_sent > 0 {
                let mut f = (*form).clone();
                f.new_transaction();
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
    let next_rcpt = form.next_recipient().map(|(i, r)| (i, r.to_string()));
    let on_rcpt = {
        let d = d.clone();
        let form = form.clone();
        let next = next_rcpt.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some((index, to)) = &next {
                let mut f = (*form).clone();
                f.mark_sent(*index);
                d.emit(Action::Send {
                    command: Command::rcpt_to(to.clone()),
                    now: now_ms(),
                });
                form.set(f);
            }
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
    let on_run = {
        let d = d.clone();
        let form = form.clone();
        new_transaction(Callback::from(move |_: MouseEvent| {
            d.emit(Action::Run {
                plan: Box::new(form.plan()),
                now: now_ms(),
            })
        }))
    };
    let on_pipelining = {
        let d = d.clone();
        Callback::from(move |on: bool| d.emit(Action::SetPipelining(on)))
    };
    let in_sasl = st.challenge.is_some();
    let rcpt_label = match &next_rcpt {
        Some((_, to)) => trf(lang, "RCPT next: {to}", &[("to", to)]),
        None => tr(lang, "RCPT: all sent").to_string(),
    };

    html! {
        <section class="command-bar controls" aria-label={tr(lang, "Commands")}>
            <div class="bar-row bar-target">
                { props.children.clone() }
                <div class="button-row">
                    { button("session-connect", tr(lang, "Connect"), tr(lang, "Open a session: the in-browser server greets"), new_transaction(simple(|now| Action::Connect { now }))) }
                    <button type="button" id="session-disconnect" onclick={{ let d = d.clone(); new_transaction(Callback::from(move |_| d.emit(Action::Disconnect))) }}>{ tr(lang, "Disconnect") }</button>
                </div>
            </div>
            <div class="bar-row bar-status">
                <p class="status" id="session-status">
                    { tr(lang, "Client: ") }<strong>{ &st.client_state }</strong>
                    { tr(lang, " · server: ") }<strong>{ &st.server_state }</strong>
                    if st.tls { <span class="badge">{"TLS"}</span> }
                    if st.authenticated { <span class="badge">{"AUTH"}</span> }
                    if st.received > 0 { <span class="badge">{ trf(lang, "{n} message(s) accepted", &[("n", &st.received)]) }</span> }
                </p>
                <span class="muted" id="round-trips">{ trf(lang, "Round trips: {n} · saved by pipelining: {saved}", &[("n", &st.round_trips), ("saved", &st.round_trips_saved)]) }</span>
                <Check id="pipelining" label={tr(lang, "Pipelining (RFC 2920)")} title={tr(lang, "Pipelining: queue commands and send them in one write (RFC 2920)")} checked={st.pipelining} onchange={on_pipelining} />
            </div>
            <div class="bar-row bar-commands" role="group" aria-label={tr(lang, "SMTP commands, in protocol order")}>
                <span class="cmd-group">
                    { command_button("btn-ehlo", tr(lang, "EHLO"), tr(lang, "Extended hello: the reply lists the extensions (RFC 5321 §4.1.1.1)"), send(|f| Command::ehlo(f.helo.clone())), in_sasl) }
                    { command_button("btn-helo", tr(lang, "HELO"), tr(lang, "Plain hello, no extensions"), send(|f| Command::helo(f.helo.clone())), in_sasl) }
                    { command_button("btn-starttls", tr(lang, "STARTTLS"), tr(lang, "Start TLS, then EHLO again (RFC 3207)"), send(|_| Command::StartTls), in_sasl) }
                    { fields_toggle(Drawer::Hello, open, fields_title, on_toggle(Drawer::Hello)) }
                </span>
                <span class="cmd-group">
                    { command_button("btn-auth", tr(lang, "AUTH"), tr(lang, "Authenticate (RFC 4954)"), on_auth, in_sasl) }
                    { fields_toggle(Drawer::Auth, open, fields_title, on_toggle(Drawer::Auth)) }
                </span>
                <span class="cmd-group">
                    { command_button("btn-mail", tr(lang, "MAIL"), tr(lang, "Start a transaction (RFC 5321 §4.1.1.2)"), new_transaction(on_mail), in_sasl) }
                    { fields_toggle(Drawer::Mail, open, fields_title, on_toggle(Drawer::Mail)) }
                </span>
                <span class="cmd-group">
                    <button type="button" id="btn-rcpt" onclick={on_rcpt} disabled={in_sasl || next_rcpt.is_none()}
                        title={tr(lang, "Send the next recipient not sent yet in this transaction (RFC 5321 §4.1.1.3)")}>{ rcpt_label }</button>
                    { fields_toggle(Drawer::Rcpt, open, fields_title, on_toggle(Drawer::Rcpt)) }
                </span>
                <span class="cmd-group">
                    { command_button("btn-data", tr(lang, "DATA"), tr(lang, "Ask to send the message (RFC 5321 §4.1.1.4)"), send(|_| Command::Data), in_sasl) }
                    { command_button("btn-bdat", tr(lang, "BDAT"), tr(lang, "Send the message as one BDAT chunk (RFC 3030)"), on_bdat, in_sasl) }
                    { fields_toggle(Drawer::Data, open, fields_title, on_toggle(Drawer::Data)) }
                </span>
                <span class="cmd-group">
                    { command_button("btn-rset", tr(lang, "RSET"), tr(lang, "Abort the transaction"), new_transaction(send(|_| Command::Rset)), in_sasl) }
                    { command_button("btn-noop", tr(lang, "NOOP"), tr(lang, "Do nothing; the server answers 250"), send(|_| Command::Noop { arg: None }), in_sasl) }
                    { command_button("btn-vrfy", tr(lang, "VRFY"), tr(lang, "Ask about a user (RFC 5321 §4.1.1.6)"), send(|f| Command::vrfy(f.vrfy.clone())), in_sasl) }
                    { command_button("btn-quit", tr(lang, "QUIT"), tr(lang, "End the session (RFC 5321 §4.1.1.10)"), send(|_| Command::Quit), in_sasl) }
                </span>
                <span class="cmd-group">
                    <button type="button" id="btn-raw-fields" class="fields-toggle-text" aria-expanded={(open == Some(Drawer::Other)).to_string()}
                        aria-controls="drawer-other" title={tr(lang, "VRFY's argument and a raw line to send as typed")} onclick={on_toggle(Drawer::Other)}>{ tr(lang, "Raw line…") }</button>
                </span>
                <span class="cmd-group run">
                    { button("btn-run", tr(lang, "Run whole transaction"), tr(lang, "Connect and run EHLO, AUTH, MAIL, RCPT, DATA, QUIT with the client's own plan"), on_run) }
                    { fields_toggle(Drawer::Run, open, fields_title, on_toggle(Drawer::Run)) }
                </span>
            </div>
            if st.pipelining || !st.group.is_empty() {
                <div class="group">
                    <ol id="group-list">{ for st.group.iter().map(|l| html! { <li><code>{ l }</code></li> }) }</ol>
                    <div class="button-row">
                        { command_button("send-group", tr(lang, "Send group"), tr(lang, "Send the queued commands in one write"), simple(|now| Action::SendGroup { now }), in_sasl) }
                        <button type="button" onclick={{ let d = d.clone(); Callback::from(move |_| d.emit(Action::ClearGroup)) }}>{ tr(lang, "Clear") }</button>
                    </div>
                </div>
            }
            if let Some(e) = &st.error { <ErrorNote error={Shown::of(e, lang)} /> }
            if let Some(drawer) = open {
                <DrawerFields {drawer} form={form.clone()} status={st.clone()} dispatch={d.clone()} />
            }
        </section>
    }
}
