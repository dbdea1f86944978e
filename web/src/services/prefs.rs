//! Preferences kept in the browser: the interface language.

use crate::state::i18n::{Lang, STORAGE_KEY};

/// The language to start with: remembered in `localStorage`, else the browser's preferences.
pub fn initial_lang() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::default();
    };
    let stored = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
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
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang.tag());
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
