//! The lazily loaded views: Tools, Learn and Mailbox ([`View::is_lazy`]), and the transcript's
//! JSON writer ([`export_json`]), are compiled into a
//! second wasm module (`web/src/bin/lazy-views.rs`, built by Trunk beside the page as
//! `lazy-views.js` + `lazy-views_bg.wasm`) that the page fetches the first time one of them is
//! shown, so a first visit downloads only the Session and Message views.
//!
//! `index.html` defines `window.mailscopeLoadLazy()`, which imports the module and starts its
//! wasm (a dynamic `import()` has to be written in JavaScript). The module exports
//! `mount(host, route, lang)` and `unmount()`: it runs its own Yew app in a `<div id="app-lazy">`
//! placed after the page's `<div id="app">`. The two must not nest: each module has its own
//! Yew, and Yew's event delegation numbers its trees from 1 in every module, so one app's
//! listeners on an ancestor would take the other's events for its own.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::services::file::js_text;
use crate::state::binary::encode;
use crate::state::i18n::Lang;
use crate::state::nav::View;
use crate::state::transcript::ExportSource;

/// Id of the page app's host element.
pub const APP_ID: &str = "app";

/// Id of the lazily loaded module's host element, the next sibling of [`APP_ID`].
pub const LAZY_ID: &str = "app-lazy";

/// The function `index.html` defines to import and start the module.
const LOADER: &str = "mailscopeLoadLazy";

thread_local! {
    /// The import of the module: started once, awaited by every [`show`].
    static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// The module's exports once loaded.
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// The view the page wants shown now (`None` after [`hide`]).
    static WANTED: Cell<Option<(View, Lang)>> = const { Cell::new(None) };
}

/// Shows `view` in `lang` from the lazily loaded module, fetching it on first use. `Ok(false)`
/// when another view was asked for (or the view was hidden) while the module loaded.
pub async fn show(view: View, lang: Lang) -> Result<bool, String> {
    WANTED.with(|w| w.set(Some((view, lang))));
    let module = load().await?;
    if WANTED.with(Cell::get) != Some((view, lang)) {
        return Ok(false);
    }
    let host = host().ok_or("the page has no document to show the view in")?;
    let mount = export(&module, "mount")?;
    mount
        .call3(
            &JsValue::NULL,
            &host,
            &JsValue::from_str(view.route()),
            &JsValue::from_str(lang.tag()),
        )
        .map_err(|e| js_text(&e))?;
    Ok(true)
}

/// A transcript's versioned JSON document, written by the lazily loaded module (fetched now if
/// it is not yet): the page links no JSON writer for it.
pub async fn export_json(source: &ExportSource) -> Result<String, String> {
    let bytes = encode(source)?;
    let module = load().await?;
    let export = export(&module, "export_json")?;
    export
        .call1(&JsValue::NULL, &js_sys::Uint8Array::from(&bytes[..]))
        .map_err(|e| js_text(&e))?
        .as_string()
        .ok_or_else(|| "the lazily loaded module wrote no JSON".to_string())
}

/// Takes the lazily loaded view off the page (when a view of the page itself is chosen).
pub fn hide() {
    WANTED.with(|w| w.set(None));
    MODULE.with(|m| {
        if let Some(module) = &*m.borrow() {
            if let Ok(unmount) = export(module, "unmount") {
                let _ = unmount.call0(&JsValue::NULL);
            }
        }
    });
}

/// The module's exports, importing and starting it on the first call.
async fn load() -> Result<JsValue, String> {
    if let Some(module) = MODULE.with(|m| m.borrow().clone()) {
        return Ok(module);
    }
    let promise = match LOADING.with(|l| l.borrow().clone()) {
        Some(p) => p,
        None => {
            let window = web_sys::window().ok_or("no window")?;
            let loader = Reflect::get(&window, &JsValue::from_str(LOADER))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or("index.html does not define the module loader (window.mailscopeLoadLazy)")?;
            let promise = loader
                .call0(&JsValue::NULL)
                .map_err(|e| js_text(&e))?
                .dyn_into::<Promise>()
                .map_err(|_| "the module loader did not return a promise".to_string())?;
            LOADING.with(|l| *l.borrow_mut() = Some(promise.clone()));
            promise
        }
    };
    match JsFuture::from(promise).await {
        Ok(module) => {
            MODULE.with(|m| *m.borrow_mut() = Some(module.clone()));
            Ok(module)
        }
        Err(e) => {
            // Let the next attempt (a reload of the view) try again.
            LOADING.with(|l| *l.borrow_mut() = None);
            Err(js_text(&e))
        }
    }
}

/// The module's host element: `<div id="app-lazy">` right after the page's app, made on first use.
fn host() -> Option<web_sys::Element> {
    let doc = web_sys::window()?.document()?;
    if let Some(host) = doc.get_element_by_id(LAZY_ID) {
        return Some(host);
    }
    let host = doc.create_element("div").ok()?;
    host.set_id(LAZY_ID);
    match doc.get_element_by_id(APP_ID) {
        Some(app) => app.after_with_node_1(&host).ok()?,
        None => {
            doc.body()?.append_child(&host).ok()?;
        }
    }
    Some(host)
}

fn export(module: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(module, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("the lazily loaded module has no `{name}` function"))
}
