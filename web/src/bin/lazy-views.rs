//! The lazily loaded views: the Tools, Learn and Mailbox views (and the transcript's JSON
//! writer) in a wasm module of their own
//! (built by Trunk beside the page as `lazy-views.js` + `lazy-views_bg.wasm`, an ES module),
//! fetched by the page the first time one of them is shown. See `services::lazy` for the page's
//! side and why the module's app is mounted beside the page's, never inside it.
//!
//! Exports:
//! - `mount(host: Element, route: string, lang: string)`: shows the view of `route` (`/tools`,
//!   `/learn`, `/mailbox`) in `lang` (`en`, `ko`) in `host`, rendering it the first time and
//!   updating it after (the view keeps its state when only the language changes);
//! - `unmount()`: takes it off the page;
//! - `export_json(source: Uint8Array) -> string`: a transcript's versioned JSON document,
//!   pretty-printed, from a `state::transcript::ExportSource` in postcard's binary form (the
//!   imported text and its form, or a session's wire and writes). The page's Session view asks
//!   for it when "Export JSON" is clicked: its JSON writer is here, not in the page.

/// Natively there is nothing to run: the module exists only in the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}

/// The module starts nothing by itself: the page calls `mount`.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static APP: std::cell::RefCell<Option<yew::AppHandle<mailscope_web::components::lazy::LazyRoot>>> =
        const { std::cell::RefCell::new(None) };
}

/// Shows the view of `route` in `lang` in `host` (see the file's documentation).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(host: web_sys::Element, route: &str, lang: &str) -> Result<(), wasm_bindgen::JsValue> {
    use mailscope_web::components::lazy::{LazyRoot, LazyRootProps};
    use mailscope_web::state::i18n::Lang;
    use mailscope_web::state::nav::View;

    let view = View::from_fragment(route);
    if !view.is_lazy() || view.route() != route {
        return Err(wasm_bindgen::JsValue::from_str(&format!(
            "the lazily loaded module has no view {route:?}"
        )));
    }
    let props = LazyRootProps {
        view,
        lang: Lang::from_tag(lang).unwrap_or_default(),
    };
    APP.with(|app| {
        let mut app = app.borrow_mut();
        match app.as_mut() {
            Some(handle) => handle.update(props),
            None => {
                *app = Some(yew::Renderer::<LazyRoot>::with_root_and_props(host, props).render())
            }
        }
    });
    Ok(())
}

/// Takes the view off the page.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn unmount() {
    if let Some(handle) = APP.with(|app| app.borrow_mut().take()) {
        handle.destroy();
    }
}

/// A transcript's versioned JSON document (see the file's documentation).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn export_json(source: &[u8]) -> Result<String, wasm_bindgen::JsValue> {
    use mailscope_web::state::transcript::ExportSource;

    mailscope_web::state::binary::decode::<ExportSource>(source)
        .map(|source| source.json())
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e))
}
