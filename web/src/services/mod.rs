//! The only code that touches the browser's IO: files, language packs (and, with the relay
//! views, the network).

pub mod api;
pub mod file;
pub mod lang_pack;
pub mod lazy;
pub mod prefs;
pub mod relay;
