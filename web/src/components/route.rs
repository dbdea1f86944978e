//! Routing, in one hook: the URL fragment (`#/session`, `#/learn?lesson=…`, a share link) as
//! Yew state, and the view it names. The only code that listens to `hashchange` (the back and
//! forward buttons, hand-edited fragments, plain `#…` links such as the lesson list's).

use yew::prelude::*;

use crate::state::nav::View;

fn current_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Where the page is.
#[derive(Clone, PartialEq)]
pub struct Route {
    /// The URL fragment, with its `#`.
    pub fragment: String,
    /// Goes to a view (its route becomes the fragment).
    pub navigate: Callback<View>,
}

impl Route {
    /// The view the fragment names.
    pub fn view(&self) -> View {
        View::from_fragment(&self.fragment)
    }
}

/// The fragment, kept current across `hashchange`, and a way to go to a view.
#[hook]
pub fn use_route() -> Route {
    let fragment = use_state(current_fragment);
    {
        let fragment = fragment.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "hashchange", move |_| {
                    fragment.set(current_fragment());
                })
            });
            move || drop(listener)
        });
    }
    let navigate = {
        let fragment = fragment.clone();
        Callback::from(move |next: View| {
            if let Some(window) = web_sys::window() {
                // Setting the hash fires `hashchange`, which updates the state; set it here too
                // so the click is shown even if the event is late.
                let _ = window.location().set_hash(next.route());
            }
            fragment.set(format!("#{}", next.route()));
        })
    };
    Route {
        fragment: (*fragment).clone(),
        navigate,
    }
}
