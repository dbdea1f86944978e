//! The page's side of the language packs. The page's build (feature `lang-packs`) links no
//! translation: when a language is chosen (or is the language at start) [`load`] fetches its
//! data file — the language's [`LangPack`] in postcard's binary form ([`encode_pack`]), written
//! at build time by `web/examples/lang-pack.rs` (run by the hook in `Trunk.toml`) — and
//! installs it ([`install_pack`]). Builds without the feature have every language in place and
//! fetch nothing.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use crate::services::file::js_text;
use crate::state::binary::{decode, encode};
use crate::state::i18n::{install_pack, is_ready, Lang, LangPack, LangPackError, PackError};

/// The data file of `lang`'s pack, beside `index.html`; `None` for English, which needs none.
pub fn pack_file(lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::En => None,
        Lang::Ko => Some("lang-ko.bin"),
    }
}

/// A pack's data file.
pub fn encode_pack(pack: &LangPack) -> Result<Vec<u8>, String> {
    encode(pack)
}

/// Reads [`encode_pack`]'s bytes.
pub fn decode_pack(bytes: &[u8]) -> Result<LangPack, LangPackError> {
    decode(bytes).map_err(|detail| LangPackError::Damaged { detail })
}

/// Fetches the data file `name`.
async fn fetch(name: &str) -> Result<Vec<u8>, LangPackError> {
    let unreachable = |e: wasm_bindgen::JsValue| LangPackError::Unreachable {
        detail: js_text(&e),
    };
    let window = web_sys::window().ok_or(LangPackError::Unreachable {
        detail: "no window".into(),
    })?;
    let response: Response = JsFuture::from(window.fetch_with_str(&format!("./{name}")))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)?;
    // A server that falls back to index.html for unknown paths answers 200 with HTML.
    let html = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| t.contains("html"));
    if !response.ok() || html {
        return Err(LangPackError::Missing);
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(unreachable)?)
        .await
        .map_err(unreachable)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Makes the text of `lang` available: at once when it is in place, else from its data file.
/// Loading twice at the same time is harmless (the second pack is not needed).
pub async fn load(lang: Lang) -> Result<(), LangPackError> {
    if is_ready(lang) {
        return Ok(());
    }
    let Some(name) = pack_file(lang) else {
        return Ok(());
    };
    let pack = decode_pack(&fetch(name).await?)?;
    match install_pack(lang, pack) {
        Ok(()) | Err(PackError::AlreadyInstalled(_)) => Ok(()),
        Err(e) => Err(LangPackError::Damaged {
            detail: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::i18n::builtin_pack;

    #[test]
    fn the_pack_survives_its_file() {
        let pack = builtin_pack(Lang::Ko);
        let bytes = encode_pack(&pack).expect("encodes");
        assert_eq!(decode_pack(&bytes), Ok(pack));
        assert!(matches!(
            decode_pack(&bytes[..bytes.len() / 2]),
            Err(LangPackError::Damaged { .. })
        ));
        assert!(matches!(
            decode_pack(b"<!DOCTYPE html>"),
            Err(LangPackError::Damaged { .. })
        ));
        assert_eq!(pack_file(Lang::En), None);
    }
}
