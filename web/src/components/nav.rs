//! The navigation bar.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::tr;
use crate::state::nav::View;

/// Properties of [`Nav`].
#[derive(Properties, PartialEq)]
pub struct NavProps {
    /// The view shown now.
    pub current: View,
    /// Called with the view the user picked.
    pub on_navigate: Callback<View>,
}

/// One link per view; the current one is marked for assistive technology.
#[function_component(Nav)]
pub fn nav(props: &NavProps) -> Html {
    let lang = use_lang();
    html! {
        <nav class="nav" aria-label={tr(lang, "Views")}>
            { for View::ALL.into_iter().map(|view| {
                let on_navigate = props.on_navigate.clone();
                let onclick = Callback::from(move |e: MouseEvent| {
                    e.prevent_default();
                    on_navigate.emit(view);
                });
                let current = (view == props.current).then_some("page");
                html! {
                    <a href={format!("#{}", view.route())} class="nav-link" aria-current={current} {onclick}>
                        { tr(lang, view.label()) }
                    </a>
                }
            }) }
        </nav>
    }
}
