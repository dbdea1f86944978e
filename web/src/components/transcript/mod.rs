//! Transcript rendering, import and export, shared by the Session view.

pub mod export;
pub mod import;
pub mod ladder;
pub mod table;
