//! The body of each view: the page's own views (Session, Message) in `<main>`, and a stand-in
//! for the views of the lazily loaded module (see [`View::is_lazy`]) while it loads.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::components::message::MessageView;
use crate::components::session::SessionView;
use crate::components::share::ShareNotice;
use crate::services::lazy;
use crate::state::i18n::{tr, trf};
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

/// A view's title, introduction and share notice around its body, the same in the page and in
/// the lazily loaded module.
#[function_component(ViewFrame)]
pub fn view_frame(props: &ViewFrameProps) -> Html {
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

/// Renders the selected view: the page's own in `<main>`, the lazily loaded ones through
/// [`LazyView`].
#[function_component(ViewBody)]
pub fn view_body(props: &ViewBodyProps) -> Html {
    // Keep the relay token of the start URL (`#token=…`) before navigation replaces the fragment.
    let _ = crate::services::api::relay_token();
    let view = props.view;
    if view.is_lazy() {
        return html! { <LazyView {view} /> };
    }
    html! {
        <main id="main" class="view" aria-live="polite">
            <ViewFrame {view}>
                if view == View::Session {
                    <SessionView />
                }
                if view == View::Message {
                    <MessageView />
                }
            </ViewFrame>
        </main>
    }
}

/// Where a lazily loaded view is.
#[derive(Debug, Clone, PartialEq)]
enum Lazy {
    /// The module is being fetched and started.
    Loading,
    /// The module shows the view beside the page's app (its own `<main>`).
    Shown,
    /// It could not be loaded: why.
    Failed(String),
}

/// A view of the lazily loaded module: asks [`lazy::show`] for it (fetching the module on first
/// use) and shows progress or the error meanwhile; hides it when another view is chosen.
#[function_component(LazyView)]
fn lazy_view(props: &ViewBodyProps) -> Html {
    let lang = use_lang();
    let state = use_state(|| Lazy::Loading);
    {
        let state = state.clone();
        use_effect_with((props.view, lang), move |&(view, lang)| {
            wasm_bindgen_futures::spawn_local(async move {
                match lazy::show(view, lang).await {
                    Ok(true) => state.set(Lazy::Shown),
                    // Another view was chosen meanwhile.
                    Ok(false) => {}
                    Err(e) => state.set(Lazy::Failed(e)),
                }
            });
        });
    }
    use_effect_with((), |_| lazy::hide);
    let view = props.view;
    let body = match &*state {
        Lazy::Shown => return html! {},
        Lazy::Loading => html! {
            <p class="muted" role="status">{ tr(lang, "Loading this view…") }</p>
        },
        Lazy::Failed(e) => html! {
            <p class="error" role="alert">{ trf(lang, "This view could not be loaded: {error}. Reload the page; if it keeps failing, rebuild the UI with cargo xtask run.", &[("error", e)]) }</p>
        },
    };
    html! {
        <main id="main" class="view" aria-live="polite">
            <ViewFrame {view}>{ body }</ViewFrame>
        </main>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount_with, text, wait_until};

    #[wasm_bindgen_test]
    async fn a_lazy_view_that_cannot_load_says_why_and_what_to_do() {
        // The test page has no index.html, so no module loader: the view must say so instead
        // of staying on "Loading" or failing silently.
        let root = mount_with::<ViewBody>(ViewBodyProps { view: View::Tools });
        let alert = || text(&root, "[role='alert']");
        wait_until("the load error", alert, || !alert().is_empty()).await;
        let shown = alert();
        for part in [
            "could not be loaded",
            "mailscopeLoadLazy",
            "cargo xtask run",
        ] {
            assert!(shown.contains(part), "{part:?} in {shown:?}");
        }
        assert_eq!(
            text(&root, "h2"),
            "Tools",
            "the view's frame is shown meanwhile"
        );
    }

    #[wasm_bindgen_test]
    async fn the_page_views_render_in_main() {
        let root = mount_with::<ViewBody>(ViewBodyProps {
            view: View::Message,
        });
        wait_until(
            "the Message view",
            || text(&root, "main h2"),
            || text(&root, "main h2") == "Message",
        )
        .await;
    }
}
