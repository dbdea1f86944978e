//! The offline subcommands: they read input, ask the core, and print for people or as JSON.

pub mod auth;
pub mod header;
pub mod input;
pub mod inspect;
pub mod style;
pub mod transcript;
