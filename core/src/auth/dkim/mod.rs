//! DKIM ([RFC 6376](https://www.rfc-editor.org/rfc/rfc6376)) with the algorithm updates of
//! RFC 8301 (rsa-sha1 retired, keys of at least 1024 bits) and RFC 8463 (ed25519-sha256).
//!
//! ```text
//! DKIM-Signature ─► signature::parse (tags, spans, lints)
//!    │                      │ h=, c=, l=
//!    ▼                      ▼
//! key query  s._domainkey.d TXT     canon: header block + body as bytes ─► SHA-256 ─► bh=?
//!    │                                         │
//!    └─► key::parse ─► RSA / Ed25519 verify of b= over the canonical header block ─► Verdict
//! ```
//!
//! [`verify::prepare`] does everything that needs no DNS (parsing, canonicalization, the body
//! hash) once; [`verify::finish`] completes each signature when the key record is answered.
//! [`sign`] makes signatures with RSA or Ed25519 keys.

pub mod canon;
pub mod key;
pub mod sign;
pub mod signature;
pub mod verify;

use serde::{Deserialize, Serialize};

pub use canon::Canon;
pub use verify::{finish, prepare, DkimResult, Prepared};

/// A signing algorithm (`a=`, RFC 6376 §3.3, RFC 8463 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    /// `rsa-sha256`.
    #[serde(rename = "rsa-sha256")]
    RsaSha256,
    /// `rsa-sha1`, retired by RFC 8301.
    #[serde(rename = "rsa-sha1")]
    RsaSha1,
    /// `ed25519-sha256` (RFC 8463).
    #[serde(rename = "ed25519-sha256")]
    Ed25519Sha256,
}

impl Algorithm {
    /// The `a=` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa-sha256",
            Algorithm::RsaSha1 => "rsa-sha1",
            Algorithm::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    /// The hash's name as a key record's `h=` lists it.
    pub fn hash_name(self) -> &'static str {
        match self {
            Algorithm::RsaSha1 => "sha1",
            Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => "sha256",
        }
    }

    /// The key type (`k=`) the algorithm needs.
    pub fn key_type(self) -> key::KeyType {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha1 => key::KeyType::Rsa,
            Algorithm::Ed25519Sha256 => key::KeyType::Ed25519,
        }
    }

    /// The digest of `data` with this algorithm's hash.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Algorithm::RsaSha1 => sha1::Sha1::digest(data).to_vec(),
            Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}
