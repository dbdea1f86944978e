//! The only code that touches the browser's IO: files, the worker, language packs and the
//! network.

pub mod api;
pub mod file;
pub mod handoff;
pub mod lang_pack;
pub mod lookup;
pub mod prefs;
pub mod relay;
pub mod worker;
