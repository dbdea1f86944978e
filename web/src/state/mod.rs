//! UI state as plain reducers, free of Yew so they run under native `cargo test`.

pub mod binary;
pub mod decimal;
pub mod error;
pub mod i18n;
pub mod learn;
pub mod mailbox;
pub mod message;
pub mod nav;
pub mod relay_link;
pub mod session;
pub mod share;
pub mod tools;
pub mod transcript;
