//! The selected message: envelope, TLS/AUTH facts, the server-side transcript, and the message
//! in the Message view's inspector.

use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};

use crate::components::mailbox::list::facts;
use crate::components::message::inspector::Inspector;
use crate::components::message::open::progress;
use crate::components::transcript::ladder::TextLadder;
use crate::components::transcript::table::TranscriptTable;
use crate::state::decimal::size_label;
use crate::state::mailbox::{Detail, Item};
use crate::state::message::{Action as MessageAction, MessageState};

/// Properties of [`DetailPane`].
#[derive(Properties, PartialEq)]
pub struct DetailPaneProps {
    /// The fetched parts.
    pub detail: Detail,
    /// The list row.
    pub item: Item,
    /// The inspector's state.
    pub inspector: MessageState,
    /// The inspector's actions.
    pub inspect: Callback<MessageAction>,
    /// Delete this message.
    pub on_delete: Callback<u64>,
}

/// The selected message.
#[function_component(DetailPane)]
pub fn detail_pane(props: &DetailPaneProps) -> Html {
    let lang = use_lang();
    let m = &props.item.meta;
    let id = m.id;
    let on_delete = {
        let on = props.on_delete.clone();
        Callback::from(move |_| on.emit(id))
    };
    let mail_params = m.mail_params.join(" ");
    html! {
        <section class="mailbox-detail" id="mailbox-detail" aria-label={tr(lang, "Selected message")}>
            <div class="toolbar">
                <h3>{ trf(lang, "Message {id}", &[("id", &id)]) }</h3>
                <button type="button" id="mailbox-delete" onclick={on_delete}>{ tr(lang, "Delete") }</button>
            </div>
            <div class="mailbox-facts panel">
                <h4>{ tr(lang, "Envelope and session") }</h4>
                <dl id="mailbox-envelope">
                    <dt>{"MAIL FROM"}</dt><dd><code>{ format!("<{}>", m.from) }</code>
                        if !mail_params.is_empty() {
                            <span class="muted params" title={tr(lang, "MAIL parameters")}>{ format!(" {mail_params}") }</span>
                        }</dd>
                    <dt>{"RCPT TO"}</dt>
                    <dd>{ for m.rcpts.iter().map(|r| html! { <code class="rcpt">{ format!("<{r}>") }</code> }) }</dd>
                    <dt>{ tr(lang, "Received") }</dt><dd>{ m.time_label() }{ tr(lang, " · queue id ") }<code>{ &m.queue_id }</code></dd>
                    <dt>{ tr(lang, "Client") }</dt><dd>{ &m.peer }
                        if let Some(helo) = &m.helo { {" · EHLO "}<code>{ helo }</code> }</dd>
                    <dt>{"TLS"}</dt><dd>{ if m.tls { trf(lang, "yes ({version})", &[("version", &m.tls_label())]) } else { tr(lang, "no (plain text on the wire)").to_string() } }</dd>
                    <dt>{"AUTH"}</dt><dd>{ m.auth_user.clone().map(|u| trf(lang, "yes, as {user}", &[("user", &u)])).unwrap_or_else(|| tr(lang, "not authenticated").into()) }</dd>
                    <dt>{ tr(lang, "Size") }</dt><dd>{ trf(lang, "{size} ({n} bytes)", &[("size", &size_label(m.size)), ("n", &m.size)]) }{ if m.bdat { tr(lang, ", sent with BDAT") } else { tr(lang, ", sent with DATA") } }</dd>
                </dl>
                { facts(lang, &props.item) }
            </div>
            if let Some(error) = &props.detail.error {
                <ErrorNote error={Shown::of(error, lang)} />
            }
            if props.detail.loading {
                <p class="muted">{ tr(lang, "Fetching the message and its transcript…") }</p>
            } else {
                <details class="mailbox-transcript" open=true>
                    <summary><h4>{ tr(lang, "Server-side transcript") }</h4></summary>
                    <p class="muted">{ tr(lang, "The SMTP session as the sandbox saw it, annotated by the core.") }</p>
                    <TranscriptTable id="mailbox-transcript" rows={props.detail.rows.clone()} lints={props.detail.dialogue_lints.clone()} />
                    <TextLadder id="mailbox-ladder" input={std::rc::Rc::new(props.detail.transcript.clone())} rows={props.detail.rows.clone()} table="mailbox-transcript" />
                </details>
                if props.inspector.doc.is_none() {
                    <div class="mailbox-inspector-loading">{ progress(lang, &props.inspector.loading) }</div>
                }
                if let Some(doc) = &props.inspector.doc {
                    <div class="message-view mailbox-inspector">
                        <h4>{ tr(lang, "The message in the inspector") }</h4>
                        <Inspector
                            doc={doc.clone()}
                            selection={props.inspector.selection}
                            source_top={props.inspector.source_top}
                            body_tab={props.inspector.body_tab}
                            hex_limit={props.inspector.hex_limit}
                            text_limit={props.inspector.text_limit}
                            remote_images={props.inspector.remote_images}
                            session={Some(props.item.meta.auth_session())}
                            dispatch={props.inspect.clone()} />
                    </div>
                }
            }
        </section>
    }
}
