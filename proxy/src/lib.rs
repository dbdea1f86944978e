//! # mailscope-proxy
//!
//! The native half of Mailscope: `mailscope serve` (the UI, the WebSocket relay and the sandbox
//! SMTP server) and the command-line tools. Protocol rules come from `mailscope-core`; this crate
//! adds sockets, TLS, DNS, clocks and files.

pub mod api;
pub mod cli;
pub mod cmd;
pub mod dns;
pub mod http;
pub mod http_guard;
pub mod mx;
pub mod policy;
pub mod relay;
pub mod sandbox;
pub mod send;
pub mod serve;
pub mod tls;
pub mod token;
mod via;
