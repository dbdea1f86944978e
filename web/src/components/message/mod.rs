//! The Message view: compose a message or open one, and inspect it byte by byte.

pub mod auth;
pub mod body;
pub mod compose;
pub mod dkim;
pub mod headers;
pub mod inspector;
pub mod lints;
pub mod open;
pub mod source;
pub mod tree;

use std::rc::Rc;

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::components::share::use_share_restore;
use crate::state::i18n::{key, tr};
use crate::state::message::inspect::Inspected;
use crate::state::message::{Action, MessageState, Tab};
use crate::state::share::ShareKind;

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
    let lang = use_lang();
    let store = use_reducer(Store::default);
    let dispatch = {
        let d = store.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    // A shared link (`#/message?share=…`) opens in the inspector.
    use_share_restore(ShareKind::Message, {
        let dispatch = dispatch.clone();
        Callback::from(move |bytes: Vec<u8>| {
            dispatch.emit(Action::Loaded(Inspected::new("shared.eml", bytes).into()))
        })
    });
    let state = &store.0;
    let tab_button = |tab: Tab, id: &str, label: &'static str| {
        let dispatch = dispatch.clone();
        let selected = state.tab == tab;
        html! {
            <button type="button" role="tab" id={id.to_string()} class="msg-tab"
                aria-selected={selected.to_string()}
                onclick={Callback::from(move |_| dispatch.emit(Action::SetTab(tab)))}>
                { tr(lang, label) }
            </button>
        }
    };
    html! {
        <div class="message-view">
            <div class="msg-tabs" role="tablist" aria-label={tr(lang, "Message")}>
                { tab_button(Tab::Compose, "tab-compose", key("Compose")) }
                { tab_button(Tab::Inspect, "tab-inspect", key("Inspect")) }
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
                        remote_images={state.remote_images}
                        records={state.auth_records.clone()}
                        dispatch={dispatch.clone()} />
                }
            }
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::HtmlTextAreaElement;

    use super::*;
    use crate::components::test_support::{click, mount, wait_text};

    #[wasm_bindgen_test]
    async fn composes_then_inspects_a_pasted_message() {
        let root = mount::<MessageView>();

        let wire = wait_text(&root, "#compose-wire", |t| t.contains("Subject: =?")).await;
        assert!(wire.contains("CRLF"), "CR LF shown: {wire}");
        assert!(
            root.query_selector("#compose-wire .ew")
                .ok()
                .flatten()
                .is_some(),
            "encoded-words marked"
        );

        click(&root, "#tab-inspect").await;
        wait_text(&root, "#eml-paste-go", |_| true).await;
        let area: HtmlTextAreaElement = root
            .query_selector("#eml-paste")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .expect("paste box");
        area.set_value("From: a@example.org\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\n\nhi\n");
        click(&root, "#eml-paste-go").await;
        wait_text(&root, "#msg-subject", |t| t == "안녕하세요.").await;
        let lints = wait_text(&root, ".lints", |t| t.contains("mime.missing-date")).await;
        assert!(lints.contains("RFC 5322"), "lints cite the RFC: {lints}");

        click(&root, ".lint-link").await;
        wait_text(&root, ".src-view .hl", |_| true).await;
        let words = wait_text(&root, ".headers-table .words", |t| t.contains("BE C8")).await;
        assert!(words.contains("EUC-KR"), "{words}");
        root.remove();
    }
}
