//! DKIM signing ([RFC 6376 §5](https://www.rfc-editor.org/rfc/rfc6376#section-5)) with RSA
//! (rsa-sha256, PKCS#1 v1.5) or Ed25519 (ed25519-sha256, RFC 8463) keys.
//!
//! The header block is built by the verifier's own code ([`super::verify::prepare`] on the
//! message with the new field on top and `b=` empty), so a signature made here verifies by
//! construction with the same canonical bytes a reader sees.

use crate::codec::base64;
use crate::mime::header::parse_header_section;

use super::{canon, verify, Algorithm, Canon};

/// Header fields signed when present, in this order (RFC 6376 §5.4.1's list of fields that
/// should be signed).
pub const DEFAULT_HEADERS: &[&str] = &[
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
];

/// Fields signed once more than they occur, so that none can be added (RFC 6376 §8.15).
const OVERSIGNED: &[&str] = &["from", "reply-to", "subject", "date", "to", "cc"];

/// A private key to sign with.
#[derive(Debug, Clone)]
pub enum SigningKey {
    /// An RSA key (rsa-sha256).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// An Ed25519 key (ed25519-sha256).
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl SigningKey {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, RSA or Ed25519) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<SigningKey, String> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::Rsa(Box::new(k)));
        }
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs1_pem(pem) {
            return Ok(SigningKey::Rsa(Box::new(k)));
        }
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(|k| SigningKey::Ed25519(Box::new(k)))
            .map_err(|_| {
                "the file is not a PEM private key (PKCS#8 RSA or Ed25519, or PKCS#1 RSA)"
                    .to_owned()
            })
    }

    /// The Ed25519 key made from 32 random bytes (RFC 8032 §5.1.5: the private key is the
    /// seed). The core draws no random numbers: the caller supplies them.
    pub fn from_ed25519_seed(seed: &[u8; 32]) -> SigningKey {
        SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(seed)))
    }

    /// The key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), which [`SigningKey::from_pem`] reads back.
    pub fn to_pem(&self) -> Result<String, String> {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let pem = match self {
            SigningKey::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
            SigningKey::Ed25519(k) => k.to_pkcs8_pem(LineEnding::LF),
        };
        pem.map(|p| p.to_string())
            .map_err(|e| format!("the key cannot be written as PEM: {e}"))
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            SigningKey::Rsa(_) => Algorithm::RsaSha256,
            SigningKey::Ed25519(_) => Algorithm::Ed25519Sha256,
        }
    }

    /// The key record to publish at `selector._domainkey.domain`.
    pub fn key_record(&self) -> String {
        match self {
            SigningKey::Rsa(k) => {
                use rsa::pkcs8::EncodePublicKey;
                let der = k
                    .to_public_key()
                    .to_public_key_der()
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default();
                format!("v=DKIM1; k=rsa; p={}", base64::encode(&der))
            }
            SigningKey::Ed25519(k) => format!(
                "v=DKIM1; k=ed25519; p={}",
                base64::encode(k.verifying_key().as_bytes())
            ),
        }
    }

    /// The key record as a line of an RFC 1035 master file, ready to publish or to paste as a
    /// record: `selector._domainkey.domain. IN TXT "v=DKIM1; k=…; p=…"` (RFC 6376 §3.6.2.1),
    /// the text split into strings of at most 255 bytes (RFC 1035 §3.3.14; RFC 6376 §3.6.2.2
    /// joins them back). A domain or selector ending in a dot is taken as written.
    pub fn dns_record(&self, selector: &str, domain: &str) -> String {
        let name = format!(
            "{}._domainkey.{}.",
            selector.trim_end_matches('.'),
            domain.trim_end_matches('.')
        );
        let record = self.key_record();
        // The record is ASCII (tags and base64), so any byte is a character boundary.
        let strings: Vec<String> = record
            .as_bytes()
            .chunks(255)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        format!("{name} IN TXT {}", strings.join(" "))
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        let digest = self.algorithm().digest(data);
        match self {
            SigningKey::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                .map_err(|e| format!("RSA signing failed: {e}")),
            SigningKey::Ed25519(k) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(&digest).to_bytes().to_vec())
            }
        }
    }
}

/// What to sign and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// Header canonicalization.
    pub header_canon: Canon,
    /// Body canonicalization.
    pub body_canon: Canon,
    /// `t=`, seconds since the Unix epoch.
    pub timestamp: Option<u64>,
    /// `x=`.
    pub expiration: Option<u64>,
    /// `h=`: `None` signs [`DEFAULT_HEADERS`] present in the message, over-signing From,
    /// Subject, To, Cc, Reply-To and Date.
    pub headers: Option<Vec<String>>,
    /// `l=`: sign only this many bytes of the canonical body.
    pub length: Option<u64>,
}

impl SignOptions {
    /// relaxed/relaxed, default headers, no times.
    pub fn new(domain: &str, selector: &str) -> SignOptions {
        SignOptions {
            domain: domain.to_owned(),
            selector: selector.to_owned(),
            header_canon: Canon::Relaxed,
            body_canon: Canon::Relaxed,
            timestamp: None,
            expiration: None,
            headers: None,
            length: None,
        }
    }
}

/// Signs `message` (wire form, CRLF line ends): returns the DKIM-Signature field, CRLF
/// included, to put on top of it.
pub fn sign(message: &[u8], key: &SigningKey, opts: &SignOptions) -> Result<Vec<u8>, String> {
    let headers = parse_header_section(message, 0, message.len());
    let names: Vec<String> = match &opts.headers {
        Some(h) => h.iter().map(|n| n.to_ascii_lowercase()).collect(),
        None => {
            let mut names = Vec::new();
            for name in DEFAULT_HEADERS {
                let n = headers
                    .fields
                    .iter()
                    .filter(|f| f.is(message, name))
                    .count();
                let extra = usize::from(OVERSIGNED.contains(name) && n > 0);
                names.extend(std::iter::repeat_n((*name).to_owned(), n + extra));
            }
            names
        }
    };
    if !names.iter().any(|n| n == "from") {
        return Err("the message has no From field, which a DKIM signature must sign".into());
    }
    let mut body = canon::body(
        message.get(headers.body_start..).unwrap_or_default(),
        opts.body_canon,
    );
    if let Some(l) = opts.length {
        body.truncate(usize::try_from(l).unwrap_or(usize::MAX));
    }
    let algorithm = key.algorithm();
    let mut field = format!(
        "DKIM-Signature: v=1; a={}; c={}/{}; d={}; s={};",
        algorithm.as_str(),
        opts.header_canon.as_str(),
        opts.body_canon.as_str(),
        opts.domain,
        opts.selector
    );
    for (tag, v) in [
        ("t", opts.timestamp),
        ("x", opts.expiration),
        ("l", opts.length),
    ] {
        if let Some(v) = v {
            field.push_str(&format!(" {tag}={v};"));
        }
    }
    field.push_str(&format!(
        "\r\n\th={};\r\n\tbh={};\r\n\tb=",
        names.join(":"),
        base64::encode(&algorithm.digest(&body))
    ));
    let mut signed = field.clone().into_bytes();
    signed.extend_from_slice(b"\r\n");
    signed.extend_from_slice(message);
    let top = parse_header_section(&signed, 0, signed.len());
    let prepared = verify::prepare(&signed, &top);
    let first = prepared
        .first()
        .ok_or("internal: the new field was not read back")?;
    if let Err(e) = &first.parsed {
        return Err(format!("the signature would be malformed: {}", e.reason));
    }
    let b = key.sign(&first.canonical_header)?;
    field.push_str(&base64::encode(&b));
    field.push_str("\r\n");
    Ok(field.into_bytes())
}
