//! Languages of the interface: English (the source text) and Korean.
//!
//! Every string a person reads goes through [`tr`] (or [`trf`] for text with `{name}` holes)
//! with the English text as the key, gettext style. The Korean text lives in `ko/`, one file per
//! area of the UI; a test reads every `tr(…, "…")` and `trf(…, "…", …)` call in `web/src` and
//! fails when an English key has no Korean entry or a Korean entry is no longer used. Text
//! defined in one place and translated in another is marked with [`key`].
//! Explanations, lint summaries and lint messages that come from the core are translated by the
//! core (`mailscope_core::i18n`; a message keeps its values, such as addresses and counts, as
//! they are), and the core's Korean travels in the pack's `core` part.
//!
//! ## Language packs
//! Lookups read one catalog per language: the UI's pairs and the lesson texts. By default it is
//! built from the tables compiled in (`ko/`, `lessons/ko.rs`). With the feature `lang-packs`
//! (the page's build, `index.html`; it turns on the core's feature of the same name) nothing
//! reads those tables, so they stay out of the page's wasm: the catalog is empty (English)
//! until [`install_pack`] installs a [`LangPack`] — the core's, the UI's and the lessons' text
//! in one value, made by [`builtin_pack`] at build time into a data file
//! (`web/examples/lang-pack.rs`, run by Trunk's hook in `Trunk.toml`) that `services::lang_pack`
//! fetches. [`is_ready`] tells whether a language's text is in place.

mod error;
mod ko;

pub use error::LangPackError;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::learn::lessons::{LessonText, LessonWords};

/// Where the chosen language is remembered in `localStorage`.
pub const STORAGE_KEY: &str = "mailscope.lang";

/// The language of the interface: the core's, so the core's explanations and the UI agree.
pub use mailscope_core::i18n::Lang;
/// Why a pack was refused (English takes none; a language's pack is installed once).
pub use mailscope_core::i18n::PackError;

/// Every translation of the interface into one language: the language's data file (postcard,
/// see `services::lang_pack`), which [`install_pack`] takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LangPack {
    /// The core's text (explanations, lint summaries, session texts).
    pub core: mailscope_core::i18n::Pack,
    /// `(English key, translation)` pairs of the interface ([`tr`]).
    pub ui: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    /// The lessons' words, in [`crate::state::learn::script::LESSONS`] order.
    pub lessons: Vec<LessonWords>,
}

/// The interface's translations of one language, as the lookups read them.
struct Catalog {
    text: HashMap<&'static str, &'static str>,
    lessons: &'static [LessonText],
}

/// A pack's string for the catalog: compiled-in text as it is; text from a pack is leaked once
/// (a language's pack is installed once and lives as long as the page).
fn keep(s: Cow<'static, str>) -> &'static str {
    match s {
        Cow::Borrowed(b) => b,
        Cow::Owned(o) => Box::leak(o.into_boxed_str()),
    }
}

impl Catalog {
    fn new(
        ui: impl IntoIterator<Item = (Cow<'static, str>, Cow<'static, str>)>,
        lessons: &'static [LessonText],
    ) -> Catalog {
        Catalog {
            text: ui.into_iter().map(|(k, v)| (keep(k), keep(v))).collect(),
            lessons,
        }
    }
}

/// The catalog slot of a translated language (`None` for English, the source).
fn slot(lang: Lang) -> Option<&'static OnceLock<Catalog>> {
    static KO: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::En => None,
        Lang::Ko => Some(&KO),
    }
}

/// The compiled-in UI pairs of `lang`.
fn builtin_ui(lang: Lang) -> impl Iterator<Item = (Cow<'static, str>, Cow<'static, str>)> {
    let areas: &'static [&'static [(&'static str, &'static str)]] = match lang {
        Lang::En => &[],
        Lang::Ko => ko::ENTRIES,
    };
    areas
        .iter()
        .flat_map(|area| area.iter())
        .map(|&(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
}

/// The compiled-in lesson texts of `lang` (the page's build must not call it: it links them
/// all).
#[cfg_attr(feature = "lang-packs", allow(dead_code))]
fn builtin_lessons(lang: Lang) -> &'static [LessonText] {
    match lang {
        Lang::En => &super::learn::lessons::en::TEXT,
        Lang::Ko => &super::learn::lessons::ko::TEXT,
    }
}

/// The catalog of `lang`: the compiled-in tables, or (feature `lang-packs`) the installed pack
/// if any. The only place the two builds differ.
fn catalog(lang: Lang) -> Option<&'static Catalog> {
    let slot = slot(lang)?;
    #[cfg(not(feature = "lang-packs"))]
    return Some(slot.get_or_init(|| Catalog::new(builtin_ui(lang), builtin_lessons(lang))));
    #[cfg(feature = "lang-packs")]
    return slot.get();
}

/// Everything compiled in for `lang` (the core's tables too) as one pack: what the language's
/// data file holds. Only programs that call it link the tables.
pub fn builtin_pack(lang: Lang) -> LangPack {
    LangPack {
        core: mailscope_core::i18n::builtin_pack(lang),
        ui: builtin_ui(lang).collect(),
        lessons: match lang {
            Lang::En => Vec::new(),
            Lang::Ko => super::learn::lessons::ko::TEXT
                .iter()
                .map(LessonWords::from_text)
                .collect(),
        },
    }
}

/// Installs `pack` as the text of `lang` (the core's part with the core's
/// [`install_pack`](mailscope_core::i18n::install_pack)), once. Lessons the pack lacks stay
/// English, as does every text without a translation. Without the feature `lang-packs` the
/// compiled-in text is always in place and the pack is refused.
pub fn install_pack(lang: Lang, pack: LangPack) -> Result<(), PackError> {
    let slot = slot(lang).ok_or(PackError::English)?;
    if catalog(lang).is_some() {
        return Err(PackError::AlreadyInstalled(lang));
    }
    let english: &'static [LessonText] = &super::learn::lessons::en::TEXT;
    let lessons = if pack.lessons.len() == english.len() {
        LessonWords::leak_all(pack.lessons)
    } else {
        english
    };
    match mailscope_core::i18n::install_pack(lang, pack.core) {
        Ok(()) | Err(PackError::AlreadyInstalled(_)) => {}
        Err(e) => return Err(e),
    }
    slot.set(Catalog::new(pack.ui, lessons))
        .map_err(|_| PackError::AlreadyInstalled(lang))
}

/// Whether the text of `lang` (the interface's and the core's) is in place: always for English
/// and without the feature `lang-packs`; with it, once [`install_pack`] ran.
pub fn is_ready(lang: Lang) -> bool {
    lang == Lang::En || (catalog(lang).is_some() && mailscope_core::i18n::is_ready(lang))
}

/// Installs the compiled-in pack where the feature `lang-packs` leaves it out, so tests of
/// Korean text run the same in both builds.
#[cfg(test)]
pub(crate) fn ready_for_tests(lang: Lang) {
    if !is_ready(lang) {
        let _ = install_pack(lang, builtin_pack(lang));
    }
}

/// Where the chosen language's pack stands, for the language switch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PackLoad {
    /// The chosen language's text is in place (or needs no pack).
    #[default]
    Ready,
    /// Its pack is being loaded; the interface shows English meanwhile.
    Loading,
    /// Its pack could not be loaded (why); the interface stays English.
    Failed(LangPackError),
}

/// The language the interface shows when `chosen` is picked: `chosen` once its text is in
/// place, English until then.
pub fn shown(chosen: Lang) -> Lang {
    if is_ready(chosen) {
        chosen
    } else {
        Lang::En
    }
}

/// The lesson texts of `lang`, in [`crate::state::learn::script::LESSONS`] order (English until the
/// language's pack is in).
pub fn lessons(lang: Lang) -> &'static [LessonText] {
    catalog(lang).map_or(&super::learn::lessons::en::TEXT, |c| c.lessons)
}

fn lookup(lang: Lang, english: &str) -> Option<&'static str> {
    catalog(lang)?.text.get(english).copied()
}

/// `english` in `lang`. Text without a translation is shown in English (the completeness test
/// keeps that from happening in a release).
pub fn tr(lang: Lang, english: &'static str) -> &'static str {
    lookup(lang, english).unwrap_or(english)
}

/// [`tr`] of text that arrives as a `String` or borrowed `&str` (a reducer's message made from
/// a [`key`]); unknown text is shown as it is.
pub fn tr_text(lang: Lang, english: &str) -> &str {
    lookup(lang, english).unwrap_or(english)
}

/// Marks `english` as text to translate where it is defined (a label table, say) and looked up
/// with [`tr`] later; the completeness test reads these like `tr` calls. Like gettext's `N_`.
pub const fn key(english: &'static str) -> &'static str {
    english
}

/// [`tr`] of a template with `{name}` holes, filled from `args` in one pass by the core's
/// [`fill`](mailscope_core::i18n::fill) (a value that looks like a hole is not filled again).
pub fn trf(lang: Lang, template: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    mailscope_core::i18n::fill(tr(lang, template), args)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn initial_prefers_the_stored_choice_then_the_browser() {
        assert_eq!(Lang::initial(Some("en"), ["ko-KR"]), Lang::En);
        assert_eq!(Lang::initial(None, ["ja", "ko-KR", "en"]), Lang::Ko);
        assert_eq!(Lang::initial(Some("xx"), ["fr"]), Lang::En);
    }

    #[test]
    fn templates_are_translated_then_filled() {
        ready_for_tests(Lang::Ko);
        assert_eq!(
            trf(Lang::En, "{a} of {b}", &[("a", &1), ("b", &"two")]),
            "1 of two"
        );
        // One pass: a value that looks like a hole stays as it is.
        assert_eq!(
            trf(Lang::En, "{a} then {b}", &[("a", &"{b}"), ("b", &2)]),
            "{b} then 2"
        );
        assert_eq!(tr(Lang::Ko, "Session"), "세션");
        assert_eq!(
            tr(Lang::Ko, "not a key, shown as is"),
            "not a key, shown as is"
        );
    }

    #[test]
    fn a_key_has_one_korean_text() {
        // Areas may share a key ("From" in the message and mailbox views) but must agree on it,
        // or the lookup would pick one of them at random.
        let mut seen = std::collections::HashMap::new();
        for (en, ko) in ko::ENTRIES.iter().flat_map(|area| area.iter()) {
            if let Some(before) = seen.insert(*en, *ko) {
                assert_eq!(before, *ko, "two Korean texts for {en:?}");
            }
        }
    }

    /// Every `tr`/`trf` key in the sources has Korean text, and every Korean entry is used.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn every_ui_string_has_korean_and_every_entry_is_used() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut keys = std::collections::BTreeSet::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read web/src") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("i18n/mod.rs")
                {
                    let source = std::fs::read_to_string(&path).expect("read source");
                    keys.extend(source_keys(&source));
                }
            }
        }
        ready_for_tests(Lang::Ko);
        let table = &catalog(Lang::Ko).expect("Korean is in place").text;
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !table.contains_key(k.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "UI strings without Korean (add them in state/i18n/ko/): {missing:#?}"
        );
        let unused: Vec<_> = table.keys().filter(|k| !keys.contains(**k)).collect();
        assert!(
            unused.is_empty(),
            "Korean entries no UI string uses: {unused:#?}"
        );
    }

    /// The string literals passed as the second argument of `tr(` / `trf(` calls.
    #[cfg(not(target_arch = "wasm32"))]
    fn source_keys(source: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for (start, _) in source.match_indices("key(") {
            let before = source[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(body) = source[start + 4..].trim_start().strip_prefix('"') {
                keys.push(unescape(body));
            }
        }
        for (start, _) in source
            .match_indices("tr(")
            .chain(source.match_indices("trf("))
        {
            let before = source[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[start..];
            let Some(open) = rest.find('(') else { continue };
            let args = &rest[open + 1..];
            let Some(comma) = args.find(',') else {
                continue;
            };
            if args[..comma].contains(['"', ')', '(']) {
                continue;
            }
            let literal = args[comma + 1..].trim_start();
            let Some(body) = literal.strip_prefix('"') else {
                continue;
            };
            keys.push(unescape(body));
        }
        keys
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn unescape(body: &str) -> String {
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('\n') => {
                        while chars.clone().next().is_some_and(char::is_whitespace) {
                            chars.next();
                        }
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        out
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_scanner_finds_keys() {
        let source = r#"tr(lang, "A \"b\"") trf(*lang, "{n} x", &[]) attr(x, "no") tr(lang, "multi \
            line") key("K") monkey("no")"#;
        assert_eq!(source_keys(source), ["K", "A \"b\"", "multi line", "{n} x"]);
    }
}
