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

/// Remembers `lang` for the next visit and marks the document with it (for screen readers and
/// fonts). Storage may be unavailable (private windows); the choice then lasts for this page.
pub fn apply_lang(lang: Lang) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(storage) = window.local_storage().ok().flatten() {
        let _ = storage.set_item(STORAGE_KEY, lang.tag());
    }
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}
