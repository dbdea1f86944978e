//! # mailscope-web
//!
//! The Mailscope explorer in the browser. `state/` holds reducers that do not import Yew (they
//! run under native `cargo test`), `components/` renders them, and only `services/` (added with
//! the relay views) touches the network. All protocol logic comes from `mailscope-core`.

pub mod components;
pub mod services;
pub mod state;

/// Mounts the app on a `<div id="app">` of its own in `<body>`. The lazily loaded views mount
/// beside it (never inside: each wasm module runs its own Yew, and Yew's event delegation
/// must not see the other's elements); see [`services::lazy`].
pub fn start() {
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|doc| {
            let body = doc.body()?;
            let host = doc.create_element("div").ok()?;
            host.set_id(services::lazy::APP_ID);
            body.append_child(&host).ok()?;
            Some(host)
        });
    match host {
        Some(host) => yew::Renderer::<components::app::App>::with_root(host).render(),
        None => yew::Renderer::<components::app::App>::new().render(),
    };
}

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
