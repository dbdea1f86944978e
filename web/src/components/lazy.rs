//! The root of the lazily loaded module (`web/src/bin/lazy-views.rs`): the Tools, Learn and
//! Mailbox views in their own `<main>`, beside the page's app. Only that module refers to this
//! file, so the page's wasm links none of these views (see [`crate::services::lazy`]).

use yew::prelude::*;

use crate::components::i18n::LangContext;
use crate::components::learn::LearnView;
use crate::components::mailbox::MailboxView;
use crate::components::tools::ToolsView;
use crate::components::views::ViewFrame;
use crate::state::i18n::Lang;
use crate::state::nav::View;

/// Properties of [`LazyRoot`]: what the page asks the module to show.
#[derive(Properties, PartialEq)]
pub struct LazyRootProps {
    /// The view (one for which [`View::is_lazy`] holds).
    pub view: View,
    /// The page's language.
    pub lang: Lang,
}

/// The lazily loaded views, one at a time, in the page's language.
#[function_component(LazyRoot)]
pub fn lazy_root(props: &LazyRootProps) -> Html {
    // The language is switched in the page's header, which mounts this app again with the new
    // one; nothing in these views switches it.
    let context = LangContext {
        lang: props.lang,
        set: Callback::noop(),
    };
    let view = props.view;
    html! {
        <ContextProvider<LangContext> {context}>
            <main id="main" class="view" aria-live="polite">
                <ViewFrame {view}>
                    if view == View::Tools {
                        <ToolsView />
                    }
                    if view == View::Learn {
                        <LearnView />
                    }
                    if view == View::Mailbox {
                        <MailboxView />
                    }
                </ViewFrame>
            </main>
        </ContextProvider<LangContext>>
    }
}
