//! The list of received messages, newest first.

use yew::prelude::*;

use web_sys::HtmlInputElement;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf, Lang};

use crate::state::decimal::size_label;
use crate::state::mailbox::{Item, SearchState};

/// Properties of [`MessageTable`].
#[derive(Properties, PartialEq)]
pub struct MessageTableProps {
    /// The messages shown (all, or those a search found), newest first.
    pub items: Vec<Item>,
    /// How many messages the sandbox keeps ("Delete all" deletes them all).
    pub total: usize,
    /// The search box.
    pub search: SearchState,
    /// The search box changed.
    pub on_search: Callback<String>,
    /// The selected message.
    pub selected: Option<u64>,
    /// Open a message.
    pub on_select: Callback<u64>,
    /// Delete every message.
    pub on_delete_all: Callback<()>,
    /// The sandbox SMTP server's address, as the API names it.
    pub sandbox: Option<String>,
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
        let on_input = props.on_search.reform(|e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            input.value()
        });
        let total = props.total;
        let count = if props.search.narrows() {
            trf(
                lang,
                "{shown} of {n} messages match",
                &[("shown", &props.items.len()), ("n", &total)],
            )
        } else if total == 1 {
            trf(lang, "{n} message", &[("n", &1)])
        } else {
            trf(lang, "{n} messages", &[("n", &total)])
        };
        html! {
            <>
            <div class="toolbar mailbox-toolbar">
                <label class="mailbox-search">
                    <span class="visually-hidden">{ tr(lang, "Search the messages") }</span>
                    <input type="search" id="mailbox-search" value={props.search.text.clone()} oninput={on_input}
                        placeholder={tr(lang, "Search: words, from:, to:, subject:, text:")}
                        title={tr(lang, "Every term must match: from: (From and MAIL FROM), to: (To and the recipients), subject:, text: (the decoded text parts), or a word anywhere. \"Quote\" a phrase.")} />
                </label>
                <span class="muted" id="mailbox-count">{ count }</span>
                if *confirming {
                    <span role="alert">{ if total == 1 { tr(lang, "Delete the one message in the sandbox?").to_string() } else { trf(lang, "Delete all {n} messages from the sandbox?", &[("n", &total)]) } }</span>
                    <button type="button" id="mailbox-delete-all-confirm" class="danger" onclick={confirm}>{ tr(lang, "Delete all") }</button>
                    <button type="button" onclick={cancel}>{ tr(lang, "Keep them") }</button>
                } else {
                    <button type="button" id="mailbox-delete-all" disabled={total == 0} onclick={ask}>{ tr(lang, "Delete all…") }</button>
                }
            </div>
            if let Some(e) = &props.search.error { <ErrorNote error={Shown::of(e, lang)} id="mailbox-search-error" /> }
            else if let Some(e) = &props.search.failed { <ErrorNote error={Shown::of(e, lang)} id="mailbox-search-error" /> }
            </>
        }
    };
    if props.items.is_empty() && props.total > 0 {
        return html! {
            <>
                { toolbar }
                <p class="mailbox-empty" id="mailbox-no-match">{ tr(lang, "No message matches this search.") }</p>
            </>
        };
    }
    if props.items.is_empty() {
        return html! {
            <>
                { toolbar }
                <p class="mailbox-empty" id="mailbox-empty">
                    if let Some(addr) = &props.sandbox {
                        { trf(lang, "No messages yet. Send one to the sandbox SMTP server at {addr}, for example", &[("addr", addr)]) }{" "}
                        <code>{ format!("swaks --server {addr} --to a@example.org") }</code>
                    } else {
                        { tr(lang, "No messages yet. Send one to the sandbox SMTP server: mailscope serve prints its address when it starts") }
                    }
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
