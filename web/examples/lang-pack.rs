//! Writes the language packs' data files, which the page fetches when a language is chosen
//! (`mailscope_web::services::lang_pack`): `lang-ko.bin`, the Korean pack in postcard's binary
//! form, into the directory given (Trunk's staging directory, from the hook in `Trunk.toml`).
//!
//! `cargo run -p mailscope-web --example lang-pack -- DIR`

use mailscope_web::services::lang_pack::{encode_pack, pack_file};
use mailscope_web::state::i18n::{builtin_pack, Lang};

fn main() -> Result<(), String> {
    let dir = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("TRUNK_STAGING_DIR"))
        .ok_or("usage: lang-pack DIR (or set TRUNK_STAGING_DIR)")?;
    let dir = std::path::PathBuf::from(dir);
    for lang in Lang::ALL {
        let Some(name) = pack_file(lang) else {
            continue;
        };
        let bytes = encode_pack(&builtin_pack(lang))?;
        let path = dir.join(name);
        std::fs::write(&path, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
