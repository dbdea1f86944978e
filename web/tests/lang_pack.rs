//! The page's language-pack path (feature `lang-packs`): the interface, the lessons and the
//! core answer in English until the Korean pack — as its data file holds it — is
//! installed, then in Korean; a pack is installed once. Its own test binary (one process), so
//! nothing installs the pack before it looks. Without the feature, Korean is compiled in.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(feature = "lang-packs")]
use mailscope_web::services::lang_pack::{decode_pack, encode_pack};
use mailscope_web::state::i18n::{
    builtin_pack, install_pack, is_ready, lessons, shown, tr, Lang, LangPack, PackError,
};

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('가'..='힣').contains(&c))
}

#[cfg(not(feature = "lang-packs"))]
#[test]
fn without_the_feature_korean_is_compiled_in() {
    assert!(is_ready(Lang::Ko));
    assert_eq!(shown(Lang::Ko), Lang::Ko);
    assert_eq!(tr(Lang::Ko, "Session"), "세션");
    assert!(has_hangul(lessons(Lang::Ko)[0].title));
    assert_eq!(
        builtin_pack(Lang::En),
        LangPack::default(),
        "English has no pack"
    );
    assert_eq!(
        install_pack(Lang::Ko, builtin_pack(Lang::Ko)),
        Err(PackError::AlreadyInstalled(Lang::Ko)),
        "the compiled-in text is not replaced"
    );
}

#[cfg(feature = "lang-packs")]
#[test]
fn korean_is_english_until_its_pack_is_installed() {
    use mailscope_core::i18n::{lint_summary, text};

    let english_lessons = lessons(Lang::En);
    // Before: English, and the page shows English.
    assert!(!is_ready(Lang::Ko));
    assert_eq!(shown(Lang::Ko), Lang::En);
    assert_eq!(tr(Lang::Ko, "Session"), "Session");
    assert_eq!(lessons(Lang::Ko), english_lessons);
    assert_eq!(
        text(Lang::Ko, "Authentication succeeded"),
        "Authentication succeeded"
    );

    // The pack as its data file holds it.
    let bytes = encode_pack(&builtin_pack(Lang::Ko)).expect("the pack encodes");
    assert!(
        bytes.len() > 50_000,
        "the pack holds every table: {} bytes",
        bytes.len()
    );
    let pack: LangPack = decode_pack(&bytes).expect("the pack decodes");
    assert_eq!(pack, builtin_pack(Lang::Ko));
    assert_eq!(
        install_pack(Lang::En, pack.clone()),
        Err(PackError::English)
    );
    assert_eq!(install_pack(Lang::Ko, pack), Ok(()));

    // After: Korean everywhere, the same lessons and steps.
    assert!(is_ready(Lang::Ko));
    assert_eq!(shown(Lang::Ko), Lang::Ko);
    assert_eq!(tr(Lang::Ko, "Session"), "세션");
    let ko = lessons(Lang::Ko);
    assert_eq!(ko.len(), english_lessons.len(), "lesson count");
    for (k, e) in ko.iter().zip(english_lessons) {
        assert_eq!(k.id, e.id);
        assert_eq!(k.steps.len(), e.steps.len(), "{}: steps", e.id);
    }
    assert!(has_hangul(ko[0].title), "{:?}", ko[0].title);
    assert!(has_hangul(text(Lang::Ko, "Authentication succeeded")));
    assert!(has_hangul(
        lint_summary(Lang::Ko, "smtp.bare-lf").unwrap_or_default()
    ));
    assert_eq!(tr(Lang::En, "Session"), "Session", "English unchanged");

    // Once only.
    assert_eq!(
        install_pack(Lang::Ko, LangPack::default()),
        Err(PackError::AlreadyInstalled(Lang::Ko))
    );
    assert_eq!(tr(Lang::Ko, "Session"), "세션");
}
