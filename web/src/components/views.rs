//! The body of each view.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::components::learn::LearnView;
use crate::components::mailbox::MailboxView;
use crate::components::message::MessageView;
use crate::components::session::SessionView;
use crate::components::share::ShareNotice;
use crate::components::tools::ToolsView;
use crate::state::i18n::tr;
use crate::state::nav::View;

/// Properties of [`ViewBody`].
#[derive(Properties, PartialEq)]
pub struct ViewBodyProps {
    /// Which view to render.
    pub view: View,
}

/// Renders the selected view.
#[function_component(ViewBody)]
pub fn view_body(props: &ViewBodyProps) -> Html {
    // Keep the relay token of the start URL (`#token=…`) before navigation replaces the fragment.
    let _ = crate::services::api::relay_token();
    let lang = use_lang();
    let (title, intro) = match props.view {
        View::Session => (tr(lang, "Session"), tr(lang, "Compose an SMTP session and step through it line by line, against the built-in server or a real one through the relay.")),
        View::Message => (tr(lang, "Message"), tr(lang, "Compose a message or open an .eml file and inspect it byte by byte: the part tree, headers raw and decoded, and every defect.")),
        View::Tools => (tr(lang, "Tools"), tr(lang, "Decoders and lookups for the pieces of mail you meet on the wire.")),
        View::Learn => (tr(lang, "Learn"), tr(lang, "Guided lessons on SMTP and MIME: each step explained, and a Try it that runs live against the in-browser server.")),
        View::Mailbox => (tr(lang, "Mailbox"), tr(lang, "Messages received by the sandbox SMTP server of mailscope serve.")),
    };
    html! {
        <section class="view-body" data-view={props.view.route()}>
            <h2>{ title }</h2>
            <p class="intro">{ intro }</p>
            <ShareNotice />
            if props.view == View::Session {
                <SessionView />
            }
            if props.view == View::Message {
                <MessageView />
            }
            if props.view == View::Tools {
                <ToolsView />
            }
            if props.view == View::Learn {
                <LearnView />
            }
            if props.view == View::Mailbox {
                <MailboxView />
            }
        </section>
    }
}
