//! # mailscope-core
//!
//! The sans-IO heart of Mailscope: every SMTP and MIME rule, shared by the browser app, the CLI
//! and the relay's sandbox server. Nothing here touches a socket, a clock, randomness or the
//! host name: callers pass bytes, time and names in, and take bytes, events and findings out.
//!
//! ```text
//!   bytes from a transport ──► parsers (smtp::reply, …) ──► typed values + spans
//!                                      │
//!                                      └──► lints (code, severity, span, RFC) ──► explanations
//!   relay frames (relay::*) ◄──────── JSON ───────► page ⇄ `mailscope serve`
//!   Mailbox API (api::*)    ◄──────── JSON ───────► page ⇄ `mailscope serve`
//! ```
//!
//! Every parser is total: any input gives a value, "need more bytes", or a typed error, and
//! never a panic. Limits are constants next to the parser that enforces them.
#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod codec;
pub mod i18n;
pub mod lint;
pub mod mime;
pub mod relay;
pub mod smtp;
pub mod sniff;
pub mod span;
#[cfg(test)]
pub(crate) mod testutil;

pub use lint::{Lint, LintDef, Severity};
pub use span::Span;

/// The version of this crate, shown by the UI and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
