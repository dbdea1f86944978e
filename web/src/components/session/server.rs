//! The in-browser server's settings.

use mailscope_core::smtp::session::ServerConfig;
use yew::prelude::*;

use super::field::{Check, Field};
use crate::components::i18n::use_lang;
use crate::state::i18n::tr;
use crate::state::session::form::ServerFlag;
use crate::state::session::notes::NoteText;
use crate::state::session::Action;

/// Properties of [`ServerSettings`].
#[derive(Properties, PartialEq)]
pub struct ServerSettingsProps {
    /// The configuration used at the next connect.
    pub config: ServerConfig,
    /// Users as typed.
    pub users: String,
    /// Recipient rules as typed.
    pub rules: String,
    /// Problems in the typed text.
    pub errors: Vec<NoteText>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The settings form, folded by default.
#[function_component(ServerSettings)]
pub fn server_settings(props: &ServerSettingsProps) -> Html {
    let lang = use_lang();
    let d = props.dispatch.clone();
    let on_host = Callback::from(move |v: String| d.emit(Action::SetHostname(v)));
    let d = props.dispatch.clone();
    let on_users = Callback::from(move |v: String| d.emit(Action::SetUsers(v)));
    let d = props.dispatch.clone();
    let on_rules = Callback::from(move |v: String| d.emit(Action::SetRecipientRules(v)));
    html! {
        <details class="panel server-settings">
            <summary>{ tr(lang, "Server: in-browser (the core's ServerSession) — settings") }</summary>
            <p class="muted">{ tr(lang, "Changes apply at the next Connect.") }</p>
            <Field id="server-hostname" label={tr(lang, "Host name")} value={props.config.hostname.clone()} oninput={on_host} />
            <fieldset class="flags">
                <legend>{ tr(lang, "Extensions and behaviour") }</legend>
                { for ServerFlag::ALL.into_iter().enumerate().map(|(i, flag)| {
                    let d = props.dispatch.clone();
                    html! {
                        <Check id={format!("server-flag-{i}")} label={tr(lang, flag.label())}
                               checked={flag.get(&props.config)}
                               onchange={Callback::from(move |on| d.emit(Action::SetFlag(flag, on)))} />
                    }
                }) }
            </fieldset>
            <Field id="server-users" label={tr(lang, "AUTH users (user:password per line)")} rows={3} value={props.users.clone()} oninput={on_users} />
            <Field id="server-rules" label={tr(lang, "Failing recipients (address or domain, then 550 | 5.7.1 | 452 | 451)")} rows={3} value={props.rules.clone()} oninput={on_rules} />
            { for props.errors.iter().map(|e| html! { <p class="error">{ e.render(lang) }</p> }) }
        </details>
    }
}
