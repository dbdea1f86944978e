//! The application shell: header, navigation and the current view.

use yew::prelude::*;

use crate::components::i18n::{use_lang_pack, LangContext, LangSwitch};
use crate::components::nav::Nav;
use crate::components::views::ViewBody;
use crate::services::prefs;
use crate::state::i18n::{self, tr};
use crate::state::nav::View;

fn current_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let view = use_state(|| View::from_fragment(&current_fragment()));
    let chosen = use_state(prefs::initial_lang);
    use_effect_with(*chosen, |chosen| prefs::remember_lang(*chosen));
    // A language whose text is not in the page (its pack, in the page's build) is loaded when
    // chosen, at start too; English is shown until it is in.
    let pack = use_lang_pack(*chosen);
    let lang = i18n::shown(*chosen);
    use_effect_with(lang, |lang| prefs::mark_document(*lang));
    let lang_context = LangContext {
        lang,
        chosen: *chosen,
        pack,
        set: {
            let chosen = chosen.clone();
            Callback::from(move |next| chosen.set(next))
        },
    };
    {
        // Follow the back/forward buttons and hand-edited fragments.
        let view = view.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                let view = view.clone();
                gloo_events::EventListener::new(&window, "hashchange", move |_| {
                    view.set(View::from_fragment(&current_fragment()));
                })
            });
            move || drop(listener)
        });
    }
    let on_navigate = {
        let view = view.clone();
        Callback::from(move |next: View| {
            if let Some(window) = web_sys::window() {
                // Setting the hash fires `hashchange`, which updates the state; set it here too so
                // the click is shown even if the event is late.
                let _ = window.location().set_hash(next.route());
            }
            view.set(next);
        })
    };
    html! {
        <ContextProvider<LangContext> context={lang_context}>
        <div class="app">
            <header class="app-header">
                <h1 class="brand"><span aria-hidden="true">{"✉"}</span>{" Mailscope"}</h1>
                <Nav current={*view} {on_navigate} />
                <span class="version" title={tr(lang, "mailscope-core version")}>{format!("core v{}", mailscope_core::VERSION)}</span>
                <LangSwitch />
            </header>
            <ViewBody view={*view} />
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
