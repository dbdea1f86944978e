//! The list of received messages, newest first.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf, Lang};

use crate::state::decimal::size_label;
use crate::state::mailbox::Item;

/// Properties of [`MessageTable`].
#[derive(Properties, PartialEq)]
pub struct MessageTableProps {
    /// Newest first.
    pub items: Vec<Item>,
    /// The selected message.
    pub selected: Option<u64>,
    /// Open a message.
    pub on_select: Callback<u64>,
    /// Delete every message.
    pub on_delete_all: Callback<()>,
}

/// The TLS and AUTH facts as badges.
pub fn facts(lang: Lang, item: &Item) -> Html {
    let m = &item.meta;
    html! {
        <span class="facts">
            <span class={classes!("fact", if m.tls { "on" } else { "off" })}
                title={tr(lang, "transport security of the SMTP session")}>{ if m.tls { m.tls_label() } else { tr(lang, "plain").to_string() } }</span>
            if let Some(user) = &m.auth_user {
                <span class="fact on" title={tr(lang, "authenticated user (SMTP AUTH)")}>{ format!("AUTH {user}") }</span>
            }
            if m.bdat { <span class="fact" title={tr(lang, "sent with BDAT (CHUNKING)")}>{"BDAT"}</span> }
            if m.findings > 0 {
                <span class="fact warn" title={tr(lang, "findings of the core in the message")}>
                    { if m.findings == 1 { trf(lang, "{n} finding", &[("n", &1)]) } else { trf(lang, "{n} findings", &[("n", &m.findings)]) } }
                </span>
            }
        </span>
    }
}

/// The table of messages, with "Delete all".
#[function_component(MessageTable)]
pub fn message_table(props: &MessageTableProps) -> Html {
    let lang = use_lang();
    let confirming = use_state(|| false);
    let toolbar = {
        let ask = {
            let confirming = confirming.clone();
            Callback::from(move |_| confirming.set(true))
        };
        let cancel = {
            let confirming = confirming.clone();
            Callback::from(move |_| confirming.set(false))
        };
        let confirm = {
            let confirming = confirming.clone();
            let on = props.on_delete_all.clone();
            Callback::from(move |_| {
                confirming.set(false);
                on.emit(());
            })
        };
        html! {
            <div class="toolbar mailbox-toolbar">
                <span class="muted" id="mailbox-count">{ if props.items.len() == 1 { trf(lang, "{n} message", &[("n", &1)]) } else { trf(lang, "{n} messages", &[("n", &props.items.len())]) } }</span>
                if *confirming {
                    <span role="alert">{ if props.items.len() == 1 { tr(lang, "Delete the one message in the sandbox?").to_string() } else { trf(lang, "Delete all {n} messages from the sandbox?", &[("n", &props.items.len())]) } }</span>
                    <button type="button" id="mailbox-delete-all-confirm" class="danger" onclick={confirm}>{ tr(lang, "Delete all") }</button>
                    <button type="button" onclick={cancel}>{ tr(lang, "Keep them") }</button>
                } else {
                    <button type="button" id="mailbox-delete-all" disabled={props.items.is_empty()} onclick={ask}>{ tr(lang, "Delete all…") }</button>
                }
            </div>
        }
    };
    if props.items.is_empty() {
        return html! {
            <>
                { toolbar }
                <p class="mailbox-empty" id="mailbox-empty">
                    { tr(lang, "No messages yet. Send one to the sandbox SMTP server (by default 127.0.0.1:2525), for example") }{" "}
                    <code>{"swaks --server 127.0.0.1:2525 --to a@example.org"}</code>
                    {" "}{ tr(lang, "— or from the Session view; it appears here without a reload.") }
                </p>
            </>
        };
    }
    html! {
        <>
            { toolbar }
            <div class="mailbox-table-wrap">
                <table class="mailbox-table" id="mailbox-list">
                    <caption class="visually-hidden">{ tr(lang, "Messages received by the sandbox, newest first") }</caption>
                    <thead><tr>
                        <th scope="col">{ tr(lang, "Received") }</th><th scope="col">{ tr(lang, "From") }</th><th scope="col">{ tr(lang, "To") }</th>
                        <th scope="col">{ tr(lang, "Subject") }</th><th scope="col">{ tr(lang, "Size") }</th><th scope="col">{ tr(lang, "Session") }</th>
                    </tr></thead>
                    <tbody>
                        { for props.items.iter().map(|item| {
                            let m = &item.meta;
                            let id = m.id;
                            let selected = props.selected == Some(id);
                            let h = item.headline.clone().unwrap_or_default();
                            let subject = match (&item.headline, &h.subject) {
                                (None, _) => "…".to_string(),
                                (Some(_), None) => tr(lang, "(no subject)").to_string(),
                                (Some(_), Some(s)) if s.is_empty() => tr(lang, "(empty subject)").to_string(),
                                (Some(_), Some(s)) => s.clone(),
                            };
                            let from = h.from.unwrap_or_else(|| format!("<{}>", m.from));
                            let to = h.to.unwrap_or_else(|| m.rcpt_list());
                            let on_select = props.on_select.clone();
                            html! {
                                <tr key={id.to_string()} class={classes!("mail-row", selected.then_some("selected"))}
                                    data-id={id.to_string()}>
                                    <td class="time">{ m.time_label() }</td>
                                    <td class="from" data-data="" title={format!("MAIL FROM:<{}>", m.from)}>{ from }</td>
                                    <td class="to" data-data="" title={format!("RCPT TO: {}", m.rcpt_list())}>{ to }</td>
                                    <td class="subject" data-data="">
                                        <button type="button" class="mail-open" aria-pressed={selected.to_string()}
                                            onclick={Callback::from(move |_| on_select.emit(id))}>{ subject }</button>
                                    </td>
                                    <td class="size">{ size_label(m.size) }</td>
                                    <td>{ facts(lang, item) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </>
    }
}
