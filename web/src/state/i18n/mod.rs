//! Languages of the interface: English (the source text) and Korean.
//!
//! Every string a person reads goes through [`tr`] (or [`trf`] for text with `{name}` holes)
//! with the English text as the key, gettext style. The Korean text lives in `ko/`, one file per
//! area of the UI; a test reads every `tr(…, "…")` and `trf(…, "…", …)` call in `web/src` and
//! fails when an English key has no Korean entry or a Korean entry is no longer used. Text
//! defined in one place and translated in another is marked with [`key`].
//! Explanations and lint summaries that come from the core are translated by the core.

mod ko;

use std::collections::HashMap;
use std::sync::OnceLock;

/// Where the chosen language is remembered in `localStorage`.
pub const STORAGE_KEY: &str = "mailscope.lang";

/// The language of the interface: the core's, so the core's explanations and the UI agree.
pub use mailscope_core::i18n::Lang;

fn korean() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ko::ENTRIES
            .iter()
            .flat_map(|area| area.iter().copied())
            .collect()
    })
}

/// `english` in `lang`. Text without a translation is shown in English (the completeness test
/// keeps that from happening in a release).
pub fn tr(lang: Lang, english: &'static str) -> &'static str {
    match lang {
        Lang::En => english,
        Lang::Ko => korean().get(english).copied().unwrap_or(english),
    }
}

/// [`tr`] of text that arrives as a `String` or borrowed `&str` (a reducer's message made from
/// a [`key`]); unknown text is shown as it is.
pub fn tr_text(lang: Lang, english: &str) -> &str {
    match lang {
        Lang::En => english,
        Lang::Ko => korean().get(english).copied().unwrap_or(english),
    }
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
        let table = korean();
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
