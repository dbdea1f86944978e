//! The body of each view, in `<main>`: its title, introduction and share notice around it.

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

/// Properties of [`ViewFrame`].
#[derive(Properties, PartialEq)]
pub struct ViewFrameProps {
    /// The view framed.
    pub view: View,
    /// Its body.
    #[prop_or_default]
    pub children: Html,
}

/// A view's title, introduction and share notice around its body.
#[function_component(ViewFrame)]
pub fn view_frame(props: &ViewFrameProps) -> Html {
    let lang = use_lang();
    let (title, intro) = match props.view {
        View::Session => (tr(lang, "Session"), tr(lang, "Compose an SMTP session and step through it line by line, against the built-in server or a real one through the relay.")),
        View::Message => (tr(lang, "Message"), tr(lang, "Compose a message or open an .eml file and inspect it byte by byte: the part tree, headers raw and decoded, and every defect.")),
        View::Tools => (tr(lang, "Tools"), tr(lang, "Decoders and lookups for the pieces of mail you meet on the wire.")),
        View::Learn => (tr(lang, "Learn"), tr(lang, "Guided lessons on SMTP and MIME: each step explained, and a Try it that runs live against the in-browser server or the sandbox of mailscope serve.")),
        View::Mailbox => (tr(lang, "Mailbox"), tr(lang, "Messages received by the sandbox SMTP server of mailscope serve.")),
    };
    html! {
        <section class="view-body" data-view={props.view.route()}>
            <h2>{ title }</h2>
            <p class="intro">{ intro }</p>
            <ShareNotice />
            { props.children.clone() }
        </section>
    }
}

/// Properties of [`ViewBody`].
#[derive(Properties, PartialEq)]
pub struct ViewBodyProps {
    /// Which view to render.
    pub view: View,
}

/// Renders the selected view in `<main>`.
#[function_component(ViewBody)]
pub fn view_body(props: &ViewBodyProps) -> Html {
    // Keep the relay token of the start URL (`#token=…`) before navigation replaces the fragment.
    let _ = crate::services::api::relay_token();
    let view = props.view;
    html! {
        <main id="main" class="view" aria-live="polite">
            <ViewFrame {view}>
                { match view {
                    View::Session => html! { <SessionView /> },
                    View::Message => html! { <MessageView /> },
                    View::Tools => html! { <ToolsView /> },
                    View::Learn => html! { <LearnView /> },
                    View::Mailbox => html! { <MailboxView /> },
                } }
            </ViewFrame>
        </main>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount_with, text, wait_until};

    #[wasm_bindgen_test]
    async fn every_view_renders_in_main() {
        for view in View::ALL {
            let root = mount_with::<ViewBody>(ViewBodyProps { view });
            let want = view.label();
            wait_until(
                "the view's title",
                || text(&root, "main h2"),
                || text(&root, "main h2") == want,
            )
            .await;
            root.remove();
        }
    }
}
