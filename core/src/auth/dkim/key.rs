//! DKIM key records ([RFC 6376 §3.6.1](https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1)),
//! published as TXT at `selector._domainkey.domain`.
//!
//! ```text
//! v=DKIM1; k=rsa; h=sha256; s=email; t=s; p=MIIBIjANBgkq…
//! ```
//! `p=` is a SubjectPublicKeyInfo (RSA; a bare RSAPublicKey is accepted too, as many verifiers
//! do) or 32 raw bytes (Ed25519, RFC 8463 §4); an empty `p=` means the key was revoked.

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::auth::tags::{self, Tag};
use crate::codec::base64;
use crate::span::Span;

/// A key type (`k=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// RSA (the default).
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
}

impl KeyType {
    /// The `k=` name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// A public key ready to verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An RSA key.
    Rsa(rsa::RsaPublicKey),
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    /// The key length in bits.
    pub fn bits(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        match self {
            PublicKey::Rsa(k) => k.size() * 8,
            PublicKey::Ed25519(_) => 256,
        }
    }
}

/// A key record, read. Spans are offsets into the record's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `k=`.
    pub key_type: KeyType,
    /// `p=` decoded; `None` when the key was revoked (`p=` empty).
    pub key: Option<PublicKey>,
    /// `h=`: the hash algorithms allowed; `None` allows all.
    pub hashes: Option<Vec<String>>,
    /// `s=`: service types (`*` or `email`).
    pub services: Vec<String>,
    /// `t=`: flags (`y` testing, `s` strict identity).
    pub flags: Vec<String>,
    /// Every tag.
    pub tags: Vec<Tag>,
}

impl KeyRecord {
    /// Whether the flag `t=flag` is set.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// Why a key record cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    /// What is wrong.
    pub reason: Message,
    /// The bytes responsible, in the record's text.
    pub span: Span,
}

fn list(value: &str) -> Vec<String> {
    value
        .split(':')
        .map(|s| tags::squeeze(s).to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads a key record.
pub fn parse(txt: &[u8]) -> Result<KeyRecord, KeyError> {
    let tags = tags::parse(txt, 0).map_err(|e| KeyError {
        reason: e.reason,
        span: e.span,
    })?;
    let fail = |reason: Message, span: Span| KeyError { reason, span };
    if let Some((i, v)) = tags.iter().enumerate().find(|(_, t)| t.name == "v") {
        if i != 0 || v.value != "DKIM1" {
            return Err(fail(
                msg!("v={v} must be DKIM1 and come first", v = &v.value),
                v.value_span,
            ));
        }
    }
    let key_type = match tags::get(&tags, "k") {
        None => KeyType::Rsa,
        Some(k) => match k.value.to_ascii_lowercase().as_str() {
            "rsa" => KeyType::Rsa,
            "ed25519" => KeyType::Ed25519,
            other => {
                return Err(fail(
                    msg!("k={other} is not a known key type", other),
                    k.value_span,
                ))
            }
        },
    };
    let p = tags::get(&tags, "p").ok_or_else(|| {
        fail(
            msg!("the required tag p= is missing"),
            Span::new(0, txt.len()),
        )
    })?;
    let raw = tags::squeeze(&p.value);
    let key = if raw.is_empty() {
        None
    } else {
        let der = base64::decode_strict(raw.as_bytes())
            .map_err(|e| fail(msg!("p= is not base64: {e}", e), p.value_span))?;
        Some(decode_key(key_type, &der).map_err(|reason| fail(reason, p.value_span))?)
    };
    Ok(KeyRecord {
        key_type,
        key,
        hashes: tags::get(&tags, "h").map(|h| list(&h.value)),
        services: tags::get(&tags, "s").map_or_else(|| vec!["*".to_owned()], |s| list(&s.value)),
        flags: tags::get(&tags, "t")
            .map(|t| list(&t.value))
            .unwrap_or_default(),
        tags,
    })
}

/// Decodes the bytes of `p=`.
pub fn decode_key(key_type: KeyType, der: &[u8]) -> Result<PublicKey, Message> {
    match key_type {
        KeyType::Rsa => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::pkcs8::DecodePublicKey;
            rsa::RsaPublicKey::from_public_key_der(der)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(der))
                .map(PublicKey::Rsa)
                .map_err(|e| msg!("p= is not an RSA public key of at most 4096 bits: {e}", e))
        }
        KeyType::Ed25519 => {
            let bytes: [u8; 32] = der
                .try_into()
                .map_err(|_| msg!("p= holds {n} bytes; an Ed25519 key is 32", n = der.len()))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(PublicKey::Ed25519)
                .map_err(|e| msg!("p= is not an Ed25519 public key: {e}", e))
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_and_refuses_records() {
        // RFC 8463 §A.2.
        let ed =
            parse(b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
        assert_eq!(ed.key_type, KeyType::Ed25519);
        assert_eq!(ed.key.as_ref().map(PublicKey::bits), Some(256));
        let revoked = parse(b"v=DKIM1; p=").unwrap();
        assert!(revoked.key.is_none());
        let flags = parse(b"t=y:s; h=sha256; s=email; k=ed25519; p=").unwrap();
        assert!(flags.has_flag("y") && flags.has_flag("s"));
        assert_eq!(flags.hashes, Some(vec!["sha256".to_owned()]));
        for bad in [
            &b"k=rsa; v=DKIM1; p="[..],
            b"v=DKIM2; p=",
            b"k=dsa; p=",
            b"v=DKIM1",
            b"k=ed25519; p=AAAA",
            b"p=!!!!",
            b"p=AAAA",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
