//! Preferences kept in the browser: the interface language, the lessons' progress, and what
//! other views remember ([`stored`], [`store`]).

use crate::state::i18n::{Lang, STORAGE_KEY};
use crate::state::learn::progress::STORAGE_KEY as PROGRESS_KEY;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The language to start with: remembered in `localStorage`, else the browser's preferences.
pub fn initial_lang() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::default();
    };
    let stored = stored(STORAGE_KEY);
    let preferred: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .chain(window.navigator().language())
        .collect();
    Lang::initial(stored.as_deref(), preferred.iter().map(String::as_str))
}

/// Remembers the chosen `lang` for the next visit. Storage may be unavailable (private
/// windows); the choice then lasts for this page.
pub fn remember_lang(lang: Lang) {
    store(STORAGE_KEY, lang.tag());
}

/// The lessons' progress kept from earlier visits ([`crate::state::learn::progress`]).
pub fn lesson_progress() -> Option<String> {
    stored(PROGRESS_KEY)
}

/// Keeps the lessons' progress for the next visit (an empty text forgets it). Without storage
/// (private windows) it lasts for this page.
pub fn remember_lesson_progress(text: &str) {
    if text.is_empty() {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(PROGRESS_KEY);
        }
    } else {
        store(PROGRESS_KEY, text);
    }
}

/// The text kept under `key` in `localStorage`, if any (storage may be unavailable).
pub fn stored(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Keeps `value` under `key` in `localStorage`; without storage (private windows) it lasts
/// for this page only.
pub fn store(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Marks the document with the language it shows (for screen readers and fonts): English
/// while a chosen language's pack is loading.
pub fn mark_document(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}
