//! Yew components: they render state and dispatch actions, nothing more.

pub mod app;
pub mod error;
pub mod i18n;
pub mod learn;
pub mod mailbox;
pub mod message;
pub mod nav;
pub mod route;
pub mod session;
pub mod share;
pub mod tools;
pub mod transcript;
pub mod views;

#[cfg(all(test, target_arch = "wasm32"))]
mod test_support;
