//! The root of the lazily loaded module (`web/src/bin/lazy-views.rs`): the Tools, Learn and
//! Mailbox views in their own `<main>`, beside the page's app. Only that module refers to this
//! file, so the page's wasm links none of these views (see [`crate::services::lazy`]).

use yew::prelude::*;

use crate::components::i18n::{use_lang_pack, LangContext};
use crate::components::learn::LearnView;
use crate::components::mailbox::MailboxView;
use crate::components::tools::ToolsView;
use crate::components::views::ViewFrame;
use crate::state::i18n::{self, Lang};
use crate::state::nav::View;

/// Properties of [`LazyRoot`]: what the page asks the module to show.
#[derive(Properties, PartialEq)]
pub struct LazyRootProps {
    /// The view (one for which [`View::is_lazy`] holds).
    pub view: View,
    /// The page's language.
    pub lang: Lang,
}

/// The lazily loaded views, one at a time, in the page's language. This module has its own
/// translation catalog: when the page asks for a language whose pack is not installed here yet,
/// it loads it like the page does (the pack's files are then in the browser's cache) and shows
/// English until it is in.
#[function_component(LazyRoot)]
pub fn lazy_root(props: &LazyRootProps) -> Html {
    let pack = use_lang_pack(props.lang);
    // The language is switched in the page's header, which passes the new one here; nothing in
    // these views switches it.
    let context = LangContext {
        lang: i18n::shown(props.lang),
        chosen: props.lang,
        pack,
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
