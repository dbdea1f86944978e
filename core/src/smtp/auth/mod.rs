//! AUTH mechanisms ([RFC 4954](https://www.rfc-editor.org/rfc/rfc4954)): PLAIN
//! ([RFC 4616](https://www.rfc-editor.org/rfc/rfc4616)), LOGIN
//! ([draft-murchison-sasl-login](https://datatracker.ietf.org/doc/html/draft-murchison-sasl-login-00)),
//! CRAM-MD5 ([RFC 2195](https://www.rfc-editor.org/rfc/rfc2195)) and XOAUTH2 (Google's
//! `user=…^Aauth=Bearer …^A^A`).
//!
//! ```text
//!  Credentials ──► ClientExchange ──► base64 lines ──► wire ──► ServerExchange ──► user / failure
//!  captured lines ──► decode_exchange ──► DecodedAuth { authzid, authcid, password, …, lints }
//! ```
//!
//! Everything here is pure: the CRAM-MD5 challenge is passed in by the caller (no RNG), MD5
//! ([RFC 1321](https://www.rfc-editor.org/rfc/rfc1321)), HMAC
//! ([RFC 2104](https://www.rfc-editor.org/rfc/rfc2104)) and base64
//! ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4)) are implemented in the
//! crate (MD5 and HMAC in `digest`, base64 in `crate::codec`, re-exported here).
//! Decoding is total: any bytes give a [`DecodedAuth`] whose lints say what was wrong.
//!
//! The parts: `client`, `server`, `decode` (captured exchanges) and `digest`; the mechanisms,
//! credentials and errors are here.

mod client;
mod decode;
mod digest;
mod server;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use client::{cram_md5_response, ClientExchange};
pub use decode::{
    decode_exchange, guess_mechanism, split_plain, AuthLine, DecodedAuth, PlainParts,
};
pub use digest::{hmac_md5, md5};
pub use server::{
    verify_cram_md5, verify_login, verify_plain, AuthFailure, ServerExchange, ServerStep,
};

// The AUTH line length RFC 4954 §4 considers sufficient (12288 octets, CRLF excluded) is the
// command parser's limit; longer payloads are rejected by
// `ServerExchange` and flagged by `decode_exchange`.
pub use crate::smtp::command::MAX_AUTH_LINE;

/// The LOGIN mechanism's first prompt, `Username:` in base64.
pub const LOGIN_USERNAME_PROMPT: &str = "VXNlcm5hbWU6";
/// The LOGIN mechanism's second prompt, `Password:` in base64.
pub const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

// ---------------------------------------------------------------------------------------------
// Mechanisms and credentials
// ---------------------------------------------------------------------------------------------

/// A SASL mechanism name as used with `AUTH` ([RFC 4954 §4](https://www.rfc-editor.org/rfc/rfc4954#section-4)).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// `PLAIN`: one base64 line `authzid NUL authcid NUL password` (RFC 4616 §2).
    Plain,
    /// `LOGIN`: username and password in answer to two prompts.
    Login,
    /// `CRAM-MD5`: `user SP hex(HMAC-MD5(password, challenge))` (RFC 2195).
    CramMd5,
    /// `XOAUTH2`: `user=… ^A auth=Bearer token ^A ^A` (Google, Microsoft).
    Xoauth2,
    /// Any other mechanism name, kept upper-cased.
    Other(String),
}

impl Mechanism {
    /// Reads a mechanism name, case-insensitively (RFC 4422 §3.1).
    pub fn parse(name: &str) -> Mechanism {
        match name.to_ascii_uppercase().as_str() {
            "PLAIN" => Mechanism::Plain,
            "LOGIN" => Mechanism::Login,
            "CRAM-MD5" => Mechanism::CramMd5,
            "XOAUTH2" => Mechanism::Xoauth2,
            other => Mechanism::Other(other.to_owned()),
        }
    }

    /// The name as written after `AUTH`.
    pub fn as_str(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::Other(name) => name,
        }
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a client authenticates with. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credentials {
    /// Authorization identity (PLAIN only; usually empty, meaning "same as `username`").
    #[serde(default)]
    pub authzid: String,
    /// Authentication identity (user name).
    pub username: String,
    /// Password, or the OAuth bearer token for XOAUTH2.
    pub secret: String,
}

impl Credentials {
    /// Credentials with an empty authzid.
    pub fn new(username: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            authzid: String::new(),
            username: username.into(),
            secret: secret.into(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("authzid", &self.authzid)
            .field("username", &self.username)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// Why an AUTH step could not be built or answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthError {
    /// A credential contains a byte the mechanism cannot carry (NUL in PLAIN, `^A` in XOAUTH2).
    ForbiddenByte {
        /// Which field (`"authzid"`, `"username"`, `"secret"`).
        field: &'static str,
        /// The byte found.
        byte: u8,
    },
    /// The server's challenge is not valid base64.
    BadChallenge(Base64Error),
    /// The server sent a challenge the mechanism does not expect at this step.
    UnexpectedChallenge {
        /// The mechanism in use.
        mechanism: String,
        /// How many challenges the mechanism expects.
        expected: usize,
        /// Which challenge (0-based) arrived.
        step: usize,
    },
    /// The mechanism is not implemented here.
    Unsupported(String),
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::ForbiddenByte { field, byte } => {
                write!(
                    f,
                    "{field} contains byte 0x{byte:02x}, which the mechanism cannot carry"
                )
            }
            AuthError::BadChallenge(e) => write!(f, "server challenge is not base64: {e}"),
            AuthError::UnexpectedChallenge {
                mechanism,
                expected,
                step,
            } => write!(
                f,
                "{mechanism} expects {expected} challenge(s), the server sent challenge #{}",
                step + 1
            ),
            AuthError::Unsupported(m) => write!(f, "AUTH mechanism {m} is not supported"),
        }
    }
}

impl std::error::Error for AuthError {}

// base64 and hex, re-exported from crate::codec.
pub use crate::codec::base64::{
    decode_strict as decode_base64, encode as encode_base64, Base64Error,
};
pub use crate::codec::hex::lower as to_hex;
