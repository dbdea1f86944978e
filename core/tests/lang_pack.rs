//! The language-pack path of `mailscope_core::i18n` (feature `lang-packs`, the web page's
//! build): lookups answer in English until a pack is installed, then from the pack; a pack is
//! installed once. Its own test binary (one process) so that nothing installs the pack first.
//! Without the feature, the compiled-in tables are always in place and a pack is refused.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mailscope_core::i18n::{builtin_pack, install_pack, is_ready, text, Lang, Pack, PackError};

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('가'..='힣').contains(&c))
}

const SENTENCE: &str = "Authentication succeeded";

#[test]
fn english_needs_no_pack_and_takes_none() {
    assert!(is_ready(Lang::En));
    assert_eq!(
        install_pack(Lang::En, Pack::default()),
        Err(PackError::English)
    );
    assert_eq!(builtin_pack(Lang::En), Pack::default());
    let pack = builtin_pack(Lang::Ko);
    assert!(
        pack.text.len() > 100 && pack.lints.len() > 20,
        "the Korean pack holds the tables: {} texts, {} lint summaries",
        pack.text.len(),
        pack.lints.len()
    );
}

#[cfg(not(feature = "lang-packs"))]
#[test]
fn without_the_feature_korean_is_compiled_in() {
    assert!(is_ready(Lang::Ko));
    assert!(has_hangul(text(Lang::Ko, SENTENCE)));
    assert_eq!(
        install_pack(Lang::Ko, Pack::default()),
        Err(PackError::AlreadyInstalled(Lang::Ko)),
        "the compiled-in tables are not replaced"
    );
    assert!(has_hangul(text(Lang::Ko, SENTENCE)));
}

#[cfg(feature = "lang-packs")]
#[test]
fn korean_is_english_until_its_pack_is_installed_then_korean() {
    use mailscope_core::i18n::{explain, lint_summary, session_state};
    use mailscope_core::smtp::reply::explain_code;
    use mailscope_core::smtp::transcript::SessionState;

    let reply = explain_code(250).to_string();
    // Before: English everywhere, nothing missing.
    assert!(!is_ready(Lang::Ko));
    assert_eq!(text(Lang::Ko, SENTENCE), SENTENCE);
    assert_eq!(explain(Lang::Ko, &reply), reply);
    assert_eq!(
        lint_summary(Lang::Ko, "smtp.bare-lf"),
        lint_summary(Lang::En, "smtp.bare-lf")
    );
    assert_eq!(session_state(Lang::Ko, SessionState::Rcpt), "rcpt");

    // The pack crosses from the worker to the page as JSON: install what comes back.
    let json = serde_json::to_string(&builtin_pack(Lang::Ko)).expect("the pack serializes");
    let pack: Pack = serde_json::from_str(&json).expect("the pack deserializes");
    assert_eq!(pack, builtin_pack(Lang::Ko), "JSON keeps every pair");
    assert_eq!(install_pack(Lang::Ko, pack), Ok(()));

    // After: Korean from the pack.
    assert!(is_ready(Lang::Ko));
    let ko = text(Lang::Ko, SENTENCE);
    assert!(has_hangul(ko), "{SENTENCE:?} → {ko:?}");
    let ko = explain(Lang::Ko, &reply);
    assert!(has_hangul(&ko) && ko.starts_with("250: "), "{ko}");
    let summary = lint_summary(Lang::Ko, "smtp.bare-lf").unwrap_or_default();
    assert!(has_hangul(summary), "lint summary by code: {summary:?}");
    assert_eq!(lint_summary(Lang::Ko, "smtp.no-such-lint"), None);
    assert_ne!(session_state(Lang::Ko, SessionState::Rcpt), "rcpt");
    assert_eq!(text(Lang::Ko, "no such sentence"), "no such sentence");
    assert_eq!(text(Lang::En, SENTENCE), SENTENCE, "English unchanged");

    // Once only.
    assert_eq!(
        install_pack(Lang::Ko, Pack::default()),
        Err(PackError::AlreadyInstalled(Lang::Ko))
    );
    assert!(has_hangul(text(Lang::Ko, SENTENCE)), "the first pack stays");
}
