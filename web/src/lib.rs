//! # mailscope-web
//!
//! The Mailscope explorer in the browser. `state/` holds reducers that do not import Yew (they
//! run under native `cargo test`), `components/` renders them, and only `services/` touches
//! the network, files and the worker. `worker/` is what runs in the Web Worker
//! (`bin/worker.rs`) and the protocol between it and the page. All protocol logic comes from
//! `mailscope-core`.

pub mod components;
pub mod services;
pub mod state;
pub mod worker;

/// Mounts the app (one Yew app for every view) in `<body>`.
pub fn start() {
    yew::Renderer::<components::app::App>::new().render();
}

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
