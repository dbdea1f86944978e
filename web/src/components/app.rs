//! The application shell: header, navigation and the current view.

use yew::prelude::*;

use crate::components::i18n::{use_lang_pack, LangContext, LangSwitch};
use crate::components::nav::Nav;
use crate::components::route::use_route;
use crate::components::views::ViewBody;
use crate::services::prefs;
use crate::state::i18n::{self, tr, trf, PackLoad};

/// The root component: every view, routed by [`use_route`].
#[function_component(App)]
pub fn app() -> Html {
    let route = use_route();
    let chosen = use_state(prefs::initial_lang);
    use_effect_with(*chosen, |chosen| prefs::remember_lang(*chosen));
    // A language whose text is not in the page (its pack, in the page's build) is loaded when
    // chosen, at start too. A reader who starts in it sees a short loading state, not English,
    // until the pack is in (or has failed: then English, and the switch says why); a later
    // switch keeps the page as it is until the pack is in.
    let pack = use_lang_pack(*chosen);
    let lang = i18n::shown(*chosen);
    use_effect_with(lang, |lang| prefs::mark_document(*lang));
    let shown_once = use_mut_ref(|| false);
    if pack == PackLoad::Loading && !*shown_once.borrow() {
        return html! {
            <div class="app">
                <p class="boot muted" id="boot-status" role="status" lang={chosen.tag()}>
                    { chosen.name() }{" …"}
                </p>
            </div>
        };
    }
    *shown_once.borrow_mut() = true;
    let lang_context = LangContext {
        lang,
        chosen: *chosen,
        pack,
        set: {
            let chosen = chosen.clone();
            Callback::from(move |next| chosen.set(next))
        },
    };
    let view = route.view();
    html! {
        <ContextProvider<LangContext> context={lang_context}>
        <div class="app">
            <header class="app-header">
                <h1 class="brand"><span aria-hidden="true">{"✉"}</span>{" Mailscope"}</h1>
                <Nav current={view} on_navigate={route.navigate.clone()} />
                <span class="version" title={tr(lang, "mailscope-core version")}>{ trf(lang, "core v{version}", &[("version", &mailscope_core::VERSION)]) }</span>
                <LangSwitch />
            </header>
            <ViewBody {view} />
        </div>
        </ContextProvider<LangContext>>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount, text, wait_until};
    use crate::state::i18n::STORAGE_KEY;

    #[wasm_bindgen_test]
    async fn renders_navigation_and_core_version() {
        // Other tests in this page move the fragment or pick a language: start clean.
        let window = web_sys::window().expect("window");
        let _ = window.location().set_hash("/session");
        if let Some(storage) = window.local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, "en");
        }
        let root = mount::<App>();
        let links = || {
            root.query_selector_all("nav a")
                .map(|l| l.length())
                .unwrap_or_default()
        };
        wait_until("one link per view", || links().to_string(), || links() == 5).await;
        let all = root.text_content().unwrap_or_default();
        assert!(
            all.contains(&format!("core v{}", mailscope_core::VERSION)),
            "version shown: {all}"
        );
        assert_eq!(text(&root, "a[aria-current='page']"), "Session");
        if let Some(storage) = window.local_storage().ok().flatten() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
    }
}
