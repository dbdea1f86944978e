//! The interface language as a Yew context, and the switch in the header.

use yew::prelude::*;

use crate::state::i18n::{tr, Lang};

/// What the context carries: the language and how to change it.
#[derive(Clone, PartialEq)]
pub struct LangContext {
    /// The language in use.
    pub lang: Lang,
    /// Switches the language (remembered for the next visit).
    pub set: Callback<Lang>,
}

/// The language in use, for `tr(lang, …)`; English outside a provider (component tests).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>()
        .map(|c| c.lang)
        .unwrap_or_default()
}

/// The language picker.
#[function_component(LangSwitch)]
pub fn lang_switch() -> Html {
    let Some(context) = use_context::<LangContext>() else {
        return html! {};
    };
    let lang = context.lang;
    let onchange = {
        let set = context.set.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some(next) = Lang::from_tag(&value) {
                set.emit(next);
            }
        })
    };
    html! {
        <label class="lang-switch">
            <span class="visually-hidden">{ tr(lang, "Language") }</span>
            <select id="lang-switch" {onchange} aria-label={tr(lang, "Language")}>
                { for Lang::ALL.into_iter().map(|l| html! {
                    <option value={l.tag()} selected={l == lang} lang={l.tag()}>{ l.name() }</option>
                }) }
            </select>
        </label>
    }
}
