//! The page's side of the language packs: the page's build (feature `lang-packs`) links no
//! translation; when a language is chosen (or is the language at start) this starts the
//! language's worker (`web/src/bin/lang-ko.rs`, built by Trunk with a loader shim), waits for
//! the one message it posts — `{json}` (a [`LangPack`] as JSON) or `{error}` — stops it and
//! installs the pack ([`install_pack`]). Builds without the feature have every language in
//! place and never start a worker.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::services::file::js_text;
use crate::state::i18n::{install_pack, is_ready, Lang, LangPack, PackError};

/// How long the page waits for a pack. A worker whose wasm cannot be fetched fails inside the
/// worker (an unhandled rejection there, which the page never hears of), so the wait is bounded.
pub const PACK_TIMEOUT_MS: i32 = 30_000;

/// The script of `lang`'s pack worker (workers keep their unhashed names); `None` for English,
/// which needs none.
pub fn worker_url(lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::En => None,
        Lang::Ko => Some("./lang-ko_loader.js"),
    }
}

/// Makes the text of `lang` available: at once when it is in place, else from its worker.
/// Loading twice at the same time is harmless (the second pack is not needed).
pub async fn load(lang: Lang) -> Result<(), String> {
    if is_ready(lang) {
        return Ok(());
    }
    let url = worker_url(lang).ok_or("no language pack for this language")?;
    let worker =
        web_sys::Worker::new(url).map_err(|e| format!("cannot start {url}: {}", js_text(&e)))?;
    let mut handlers = None;
    let answer = Promise::new(&mut |resolve: Function, reject: Function| {
        let late = format!("no answer from {url} within {} s", PACK_TIMEOUT_MS / 1000);
        let give_up: Function = reject.bind1(&JsValue::NULL, &late.into()).unchecked_into();
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&give_up, PACK_TIMEOUT_MS);
        }
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let _ = resolve.call1(&JsValue::NULL, &e.data());
            });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let why = e
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| format!("{url} did not load"));
            let _ = reject.call1(&JsValue::NULL, &why.into());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some((on_message, on_error));
    });
    let answer = JsFuture::from(answer).await;
    worker.terminate();
    worker.set_onmessage(None);
    worker.set_onerror(None);
    drop(handlers);
    let data = answer.map_err(|e| js_text(&e))?;
    let field = |k: &str| {
        Reflect::get(&data, &k.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    if let Some(error) = field("error") {
        return Err(error);
    }
    let json = field("json").ok_or("the pack worker sent no pack")?;
    let pack: LangPack =
        serde_json::from_str(&json).map_err(|e| format!("the pack is not readable: {e}"))?;
    match install_pack(lang, pack) {
        Ok(()) | Err(PackError::AlreadyInstalled(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
