//! The page's side of the language packs: the page's build (feature `lang-packs`) links no
//! translation; when a language is chosen (or is the language at start) this starts the
//! language's worker (`web/src/bin/lang-ko.rs`, built by Trunk with a loader shim), waits for
//! the one message it posts — a [`LangPack`] in the form [`to_js`] makes, or `{error}` — stops
//! it and installs the pack ([`install_pack`]). Builds without the feature have every language
//! in place and never start a worker.
//!
//! The message is plain arrays of strings (structured clone), not JSON: reading them takes the
//! page a few hundred bytes of code, where serde's readers for the pack's types took ≈ 6 KB
//! gzip. Pairs are flat (`[english, translation, english, translation, …]`):
//! `{core: [..], lints: [code, summary, ..], ui: [..], lessons: [[id, title, summary,
//! references, step title, step body, …], …]}`.

use std::borrow::Cow;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::services::file::js_text;
use crate::state::i18n::{install_pack, is_ready, Lang, LangPack, PackError};
use crate::state::learn::lessons::LessonWords;

type Pairs = Vec<(Cow<'static, str>, Cow<'static, str>)>;

fn flat(pairs: &Pairs) -> Array {
    pairs
        .iter()
        .flat_map(|(k, v)| [JsValue::from_str(k), JsValue::from_str(v)])
        .collect()
}

/// `pack` as the worker posts it (see the module docs).
pub fn to_js(pack: &LangPack) -> JsValue {
    let msg = js_sys::Object::new();
    let lessons: Array = pack
        .lessons
        .iter()
        .map(|l| {
            let words: Array = [&l.id, &l.title, &l.summary, &l.references]
                .into_iter()
                .map(|s| JsValue::from_str(s))
                .chain(
                    l.steps
                        .iter()
                        .flat_map(|(t, b)| [JsValue::from_str(t), JsValue::from_str(b)]),
                )
                .collect();
            JsValue::from(words)
        })
        .collect();
    for (name, value) in [
        ("core", flat(&pack.core.text)),
        ("lints", flat(&pack.core.lints)),
        ("ui", flat(&pack.ui)),
        ("lessons", lessons),
    ] {
        let _ = Reflect::set(&msg, &name.into(), &value);
    }
    msg.into()
}

/// The strings of the array `value`.
fn strings(value: &JsValue, what: &str) -> Result<Vec<String>, String> {
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| format!("the pack has no {what}"))?;
    array
        .iter()
        .map(|v| v.as_string())
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| format!("the pack's {what} are not all text"))
}

/// Pairs from a flat list.
fn pairs(list: Vec<String>, what: &str) -> Result<Pairs, String> {
    if !list.len().is_multiple_of(2) {
        return Err(format!("the pack's {what} are not pairs"));
    }
    let mut out = Vec::with_capacity(list.len() / 2);
    let mut items = list.into_iter();
    while let (Some(k), Some(v)) = (items.next(), items.next()) {
        out.push((Cow::Owned(k), Cow::Owned(v)));
    }
    Ok(out)
}

/// Reads a pack posted in the form [`to_js`] makes.
pub fn from_js(msg: &JsValue) -> Result<LangPack, String> {
    let field = |k: &str| Reflect::get(msg, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let list = |k: &str| pairs(strings(&field(k), k)?, k);
    let lessons = field("lessons")
        .dyn_ref::<Array>()
        .ok_or("the pack has no lessons")?
        .iter()
        .map(|l| {
            let mut words = strings(&l, "lessons")?.into_iter();
            let mut next = || words.next().ok_or("a lesson of the pack is cut short");
            let (id, title, summary, references) = (next()?, next()?, next()?, next()?);
            let steps = pairs(words.collect(), "lesson steps")?
                .into_iter()
                .map(|(t, b)| (t.into_owned(), b.into_owned()))
                .collect();
            Ok(LessonWords {
                id,
                title,
                summary,
                references,
                steps,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(LangPack {
        core: mailscope_core::i18n::Pack {
            text: list("core")?,
            lints: list("lints")?,
        },
        ui: list("ui")?,
        lessons,
    })
}

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
    if let Some(error) = Reflect::get(&data, &"error".into())
        .ok()
        .and_then(|v| v.as_string())
    {
        return Err(error);
    }
    let pack = from_js(&data)?;
    match install_pack(lang, pack) {
        Ok(()) | Err(PackError::AlreadyInstalled(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::i18n::builtin_pack;

    #[test]
    fn the_pack_survives_the_message() {
        let pack = builtin_pack(Lang::Ko);
        assert_eq!(from_js(&to_js(&pack)), Ok(pack));
    }

    #[test]
    fn broken_messages_are_errors() {
        let cases = [
            ("null", JsValue::NULL),
            ("{}", js_sys::Object::new().into()),
            ("a string", "x".into()),
        ];
        for (what, msg) in cases {
            assert!(from_js(&msg).is_err(), "{what} is not a pack");
        }
        let msg = to_js(&builtin_pack(Lang::Ko));
        let ui: Array = Reflect::get(&msg, &"ui".into())
            .expect("ui")
            .unchecked_into();
        ui.push(&"odd".into());
        assert_eq!(
            from_js(&msg),
            Err("the pack's ui are not pairs".to_string())
        );
        let _ = Reflect::set(
            &msg,
            &"lessons".into(),
            &Array::of1(&Array::of1(&"id".into())),
        );
        ui.pop();
        assert_eq!(
            from_js(&msg),
            Err("a lesson of the pack is cut short".to_string())
        );
        ui.push(&JsValue::from_f64(1.0));
        assert!(from_js(&msg).is_err(), "a number among the strings");
    }
}
