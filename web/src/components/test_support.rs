//! Helpers for component tests in headless Chromium: mount a component, wait for a condition
//! (never a fixed sleep: the machine may be loaded), click and read elements.

use std::time::Duration;

use wasm_bindgen::JsCast;
use yew::BaseComponent;

/// How long [`wait_until`] waits before failing.
const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);

/// Mounts `C` with default properties on a fresh `<div>` in the body and returns the div.
pub(crate) fn mount<C>() -> web_sys::Element
where
    C: BaseComponent,
    C::Properties: Default,
{
    mount_with::<C>(C::Properties::default())
}

/// Mounts `C` with `props` on a fresh `<div>` in the body and returns the div.
pub(crate) fn mount_with<C: BaseComponent>(props: C::Properties) -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let root = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    root
}

/// Waits until `done` holds, polling; panics naming `what` (and what `state` shows) after
/// [`PATIENCE`].
pub(crate) async fn wait_until(what: &str, state: impl Fn() -> String, done: impl Fn() -> bool) {
    let mut waited = Duration::ZERO;
    while !done() {
        assert!(
            waited < PATIENCE,
            "timed out waiting for {what}; now: {}",
            state()
        );
        yew::platform::time::sleep(POLL).await;
        waited += POLL;
    }
}

/// The text of the first element matching `css` under `root` ("" if none).
pub(crate) fn text(root: &web_sys::Element, css: &str) -> String {
    root.query_selector(css)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Waits until an element matching `css` has a text that satisfies `ok`, and returns it.
pub(crate) async fn wait_text(
    root: &web_sys::Element,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> String {
    let read = || {
        root.query_selector(css)
            .ok()
            .flatten()
            .map(|e| e.text_content().unwrap_or_default())
    };
    wait_until(
        css,
        || format!("{:?}", read()),
        || read().is_some_and(|t| ok(&t)),
    )
    .await;
    read().unwrap_or_default()
}

/// Waits for an element matching `css` under `root` and clicks it.
pub(crate) async fn click(root: &web_sys::Element, css: &str) {
    wait_until(css, String::new, || {
        root.query_selector(css).ok().flatten().is_some()
    })
    .await;
    if let Some(el) = root
        .query_selector(css)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        el.click();
    }
}
