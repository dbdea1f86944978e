//! What the server session reports: the messages it accepted with their envelopes, its
//! events and its state.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::auth::AuthFailure;
use crate::smtp::command::{Command, MailParams, RcptParams};

/// One accepted recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The mailbox.
    pub address: String,
    /// The RCPT parameters.
    pub params: RcptParams<'static>,
}

/// The envelope of a transaction ([RFC 5321 §2.3.1](https://www.rfc-editor.org/rfc/rfc5321#section-2.3.1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The reverse-path mailbox (empty for `<>`).
    pub from: String,
    /// The MAIL parameters.
    pub params: MailParams<'static>,
    /// The accepted recipients.
    pub rcpts: Vec<Recipient>,
}

/// A message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMessage {
    /// The queue id given in the 250 reply.
    pub queue_id: String,
    /// The envelope.
    pub envelope: Envelope,
    /// The message bytes (un-stuffed).
    pub data: Vec<u8>,
    /// Whether the session was under TLS.
    pub tls: bool,
    /// The authenticated user, if any.
    pub auth_user: Option<String>,
    /// The name the client gave in EHLO/HELO.
    pub helo: Option<String>,
    /// Whether it came with BDAT (else DATA).
    pub bdat: bool,
    /// Findings in the data (bare line endings, long lines, …). Message lints from the MIME
    /// module are the caller's to add (seam: run `mime` over `data`).
    pub lints: Vec<Lint>,
}

/// Something the server session did or saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServerEvent {
    /// A command line was read, with its lints.
    Command {
        /// The command.
        command: Command<'static>,
        /// Findings in the line.
        lints: Vec<Lint>,
    },
    /// A reply was queued for sending.
    Reply {
        /// The reply code.
        code: u16,
        /// The text of the (first) line.
        text: String,
    },
    /// The server answered `220` to STARTTLS: the transport must now do the TLS handshake and
    /// call [`ServerSession::tls_established`].
    TlsRequested,
    /// AUTH succeeded.
    Authenticated {
        /// The mechanism used.
        mechanism: String,
        /// The user.
        user: String,
    },
    /// AUTH failed.
    AuthFailed {
        /// The mechanism used.
        mechanism: String,
        /// Why.
        reason: AuthFailure,
    },
    /// A message was accepted.
    MessageReceived(Box<ReceivedMessage>),
    /// A message was refused after its data arrived (size, bare line endings, fault).
    MessageRejected {
        /// The reply code given.
        code: u16,
        /// Findings in the data.
        lints: Vec<Lint>,
    },
    /// The client broke the protocol in a way the server refused.
    Violation {
        /// What happened.
        message: String,
    },
    /// The server closed the session (after QUIT, 421, or a violation); the transport should
    /// flush [`ServerSession::poll_output`] and close the connection.
    Closed,
}

/// Where the server session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerState {
    /// Greeting sent; waiting for EHLO/HELO.
    Connected,
    /// After EHLO/HELO, no transaction.
    Ready,
    /// After MAIL.
    Mail,
    /// After at least one RCPT.
    Rcpt,
    /// Receiving DATA content.
    Data,
    /// Receiving BDAT chunks.
    Bdat,
    /// In an AUTH exchange.
    Auth,
    /// After `220` to STARTTLS, waiting for the handshake.
    TlsPending,
    /// Closed.
    Closed,
}
