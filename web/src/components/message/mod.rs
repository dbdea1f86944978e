//! The Message view: compose a message or open one, and inspect it byte by byte.

pub mod body;
pub mod compose;
pub mod headers;
pub mod inspector;
pub mod lints;
pub mod open;
pub mod source;
pub mod tree;

use std::rc::Rc;

use yew::prelude::*;

use crate::state::message::{Action, MessageState, Tab};

/// The state held by Yew's reducer hook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Store(pub MessageState);

impl Reducible for Store {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.0.reduce(action);
        Rc::new(next)
    }
}

/// The Message view: tabs for the composer and the inspector.
#[function_component(MessageView)]
pub fn message_view() -> Html {
    let store = use_reducer(Store::default);
    let dispatch = {
        let d = store.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    let state = &store.0;
    let tab_button = |tab: Tab, id: &str, label: &str| {
        let dispatch = dispatch.clone();
        let selected = state.tab == tab;
        html! {
            <button type="button" role="tab" id={id.to_string()} class="msg-tab"
                aria-selected={selected.to_string()}
                onclick={Callback::from(move |_| dispatch.emit(Action::SetTab(tab)))}>
                { label }
            </button>
        }
    };
    html! {
        <div class="message-view">
            <div class="msg-tabs" role="tablist" aria-label="Message">
                { tab_button(Tab::Compose, "tab-compose", "Compose") }
                { tab_button(Tab::Inspect, "tab-inspect", "Inspect") }
            </div>
            if state.tab == Tab::Compose {
                <compose::Composer form={state.compose.clone()} dispatch={dispatch.clone()} />
            } else {
                <open::Opener loading={state.loading.clone()} dispatch={dispatch.clone()} />
                if let Some(doc) = &state.doc {
                    <inspector::Inspector
                        doc={doc.clone()}
                        selection={state.selection}
                        source_top={state.source_top}
                        body_tab={state.body_tab}
                        hex_limit={state.hex_limit}
                        text_limit={state.text_limit}
                        dispatch={dispatch.clone()} />
                }
            }
        </div>
    }
}
