//! The Korean language pack: a Web Worker (built by Trunk as `lang-ko`, without the page's
//! features, so it links the Korean tables the page leaves out) that posts every Korean text —
//! the core's, the interface's and the lessons' — to the page in one message and is then
//! stopped by it (`services::lang_pack` is the page's side).
//!
//! Protocol: worker → page, once, the Korean `state::i18n::LangPack` as arrays of strings
//! (`services::lang_pack::to_js`, whose module docs give the shape). The page sends nothing.
//!
//! Keep it small: no Yew, no parsing — only `builtin_pack` and `to_js`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use mailscope_web::services::lang_pack::to_js;
    use mailscope_web::state::i18n::{builtin_pack, Lang};
    use wasm_bindgen::JsCast;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let msg = to_js(&builtin_pack(Lang::Ko));
    if let Err(e) = scope.post_message(&msg) {
        web_sys::console::error_2(&"lang-ko: cannot post the pack".into(), &e);
    }
}

/// Natively there is nothing to run: the pack worker exists only in the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
