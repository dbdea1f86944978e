//! Client and server session state machines ([RFC 5321 §4.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.4)
//! command order, [§4.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.3.2) reply
//! sequences, [RFC 2920](https://www.rfc-editor.org/rfc/rfc2920) pipelining,
//! [RFC 3207](https://www.rfc-editor.org/rfc/rfc3207) STARTTLS,
//! [RFC 4954](https://www.rfc-editor.org/rfc/rfc4954) AUTH,
//! [RFC 3030](https://www.rfc-editor.org/rfc/rfc3030) BDAT).
//!
//! Both are sans-IO: the transport feeds received bytes in with `handle_input`, takes bytes to
//! send with `poll_output` and things that happened with `poll_event`, tells the session about
//! time with `handle_time(now)` (milliseconds, any epoch) and about a finished TLS handshake with
//! `tls_established`. Nothing inside reads a clock, a socket or randomness.
//!
//! ```text
//!              ┌──────────── poll_output ───────────►┐
//!  ClientSession                                     ServerSession
//!              └◄─────────── poll_output ────────────┘
//!   handle_input ◄── bytes                bytes ──► handle_input
//!   poll_event ──► ClientEvent            ServerEvent ◄── poll_event
//! ```

pub mod client;
pub mod order;
pub mod server;

pub use client::{
    ClientError, ClientEvent, ClientPlan, ClientSession, ClientState, StopPoint, TlsPolicy,
    Transaction, TransactionOutcome,
};
pub use order::{Hello, Order, OrderError, Step};
pub use server::{
    Envelope, FaultInjection, ReceivedMessage, RecipientAction, RecipientRule, ServerConfig,
    ServerEvent, ServerSession, ServerState,
};

/// The bytes queued in `output`, if any, leaving it empty: `poll_output` of both sessions.
fn take_output(output: &mut Vec<u8>) -> Option<Vec<u8>> {
    (!output.is_empty()).then(|| std::mem::take(output))
}

/// Timeouts a client waits for a reply ([RFC 5321 §4.5.3.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.2)),
/// in milliseconds.
pub mod timeouts {
    /// Initial 220 greeting: 5 minutes (§4.5.3.2.1).
    pub const GREETING: u64 = 5 * 60 * 1000;
    /// MAIL, RCPT and other commands: 5 minutes (§4.5.3.2.2, §4.5.3.2.3).
    pub const COMMAND: u64 = 5 * 60 * 1000;
    /// DATA initiation (the 354): 2 minutes (§4.5.3.2.4).
    pub const DATA_INIT: u64 = 2 * 60 * 1000;
    /// DATA termination (the reply after `.`): 10 minutes (§4.5.3.2.6).
    pub const DATA_TERMINATION: u64 = 10 * 60 * 1000;
    /// Server idle timeout waiting for the next command: 5 minutes (§4.5.3.2.7).
    pub const SERVER_IDLE: u64 = 5 * 60 * 1000;
}

#[cfg(test)]
mod tests;
